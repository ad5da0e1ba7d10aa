"""The plan of five segments against the plan of one, side by side (#14's cost target).

    .venv/bin/python benchmarks/segments.py [--scales 100000,1000000] [--repeat 3]

For each scale (a cached demo history, ``histories.py``), a copy of the history gets five segments
(``leads.segment`` one of five names by a hash of the lead id). Then, in one process on one
connection, the median of ``--repeat`` runs after a warm-up of:

- ``one``: the company's plan (``slanb.engine.plan.plan_month``, ``segment_by`` empty);
- ``five``: every segment's plan, as the report makes them: the memberships once
  (``engine.segments.memberships``), then ``plan_month`` inside ``scoped`` for each segment;
- ``five + company``: both, what a report with segments plans;
- the same three for the whole month (``engine.month.compute_on``: plan, tracking, record).

Target (#14): ``five`` at most 2× ``one``. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import histories  # noqa: E402

from slanb.engine.month import compute_on  # noqa: E402
from slanb.engine.plan import plan_month  # noqa: E402
from slanb.engine.segments import memberships, scoped, segment_names  # noqa: E402
from slanb.params import Params  # noqa: E402
from slanb.store import db, history  # noqa: E402

SEGMENTS = ["enterprise", "mid_market", "smb", "emea", "apac"]


def _five_segments(source: Path, folder: Path) -> Path:
    """A copy of ``source`` whose leads are spread over five segments."""
    target = folder / source.name
    shutil.copyfile(source, target)
    with db.connect(target, read_only=False) as con:
        con.execute(
            "update leads set segment = ($names::varchar[])[1 + (hash(lead_id) % 5)::bigint]",
            {"names": SEGMENTS},
        )
    return target


def _median(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(leads: int, repeat: int) -> dict[str, float]:
    """The six timings at one scale, in seconds."""
    source = histories.history(leads)
    with tempfile.TemporaryDirectory(dir=histories.CACHE) as tmp:
        path = _five_segments(source, Path(tmp))
        params = Params(db=str(path), month=histories.MONTH)
        by_segment = params.replace(segment_by="segment")
        with db.connect(path) as con:
            known = history.recorded_export(con)
            start = history.first_month(con)

            def one() -> None:
                plan_month(con, params.for_month(), known_until=known, history_start=start)

            def five() -> None:
                con.execute("drop table if exists temp.slanb_segment_rule")
                memberships(con, segment_by="segment")
                for name in segment_names(con, segment_by="segment"):
                    p = by_segment.replace(segment=name).for_segment().for_month()
                    with scoped(con, segment_by="segment", segment=name):
                        plan_month(con, p, known_until=known, history_start=start)

            def month_one() -> None:
                compute_on(con, params)

            def month_five() -> None:
                con.execute("drop table if exists temp.slanb_segment_rule")
                for name in segment_names(con, segment_by="segment"):
                    compute_on(con, by_segment.replace(segment=name))

            out = {
                "one": _median(one, repeat),
                "five": _median(five, repeat),
                "month one": _median(month_one, repeat),
                "month five": _median(month_five, repeat),
            }
    out["five + company"] = out["five"] + out["one"]
    out["month five + company"] = out["month five"] + out["month one"]
    return out


def main() -> None:
    """Time one plan against five at each scale and print one row per scale."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        "| leads | plan: one | five | five ÷ one | five + company ÷ one "
        "| month: one | five | five ÷ one |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for leads in (int(s) for s in args.scales.split(",")):
        t = bench(leads, args.repeat)
        print(
            f"| {leads:,} | {t['one']:.2f} s | {t['five']:.2f} s | {t['five'] / t['one']:.2f}× "
            f"| {t['five + company'] / t['one']:.2f}× | {t['month one']:.2f} s "
            f"| {t['month five']:.2f} s | {t['month five'] / t['month one']:.2f}× |",
            flush=True,
        )


if __name__ == "__main__":
    main()
