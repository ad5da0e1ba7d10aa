"""What the record (issue 13) adds to a month's plan: the composer with it against without it.

    .venv/bin/python benchmarks/record_cost.py [--scales 100000,1000000] [--repeat 5]

For each scale (a cached demo history, ``histories.py``), on one connection in one process, two
ways are run in turn (so a busy machine slows both alike), ``--repeat`` times after a warm-up:

- *with the record*: ``engine.month.compute_on`` as every surface calls it (plan, the record's
  months and, on the calendar clock, the month's own rules from the record's one pass, tracking,
  the record);
- *without it*: ``plan_month`` then ``track``, which judges the month's rules on its own.

Prints the medians (CPU seconds, the steadier figure on a shared machine, and wall seconds) and
with ÷ without; asserts nothing. It runs on any checkout whose engine has ``compute_on``,
``plan_month`` and ``track``, so an older commit can be measured the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import histories  # noqa: E402

from slanb.engine.month import compute_on  # noqa: E402
from slanb.engine.plan import plan_month  # noqa: E402
from slanb.engine.tracking import track  # noqa: E402
from slanb.params import Params  # noqa: E402
from slanb.store import db, history  # noqa: E402
from slanb.store.ledger import Ledger  # noqa: E402


def _timed(f: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    f()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(path: Path, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """(CPU, wall) medians of both ways on the history at ``path``, run in turn."""
    params = Params(db=str(path), month=histories.END)
    runs: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    with db.connect(path) as con:
        known = history.recorded_export(con)
        first = history.first_month(con)

        def with_record() -> None:
            compute_on(con, params, ledger=Ledger(None))

        def without() -> None:
            plan = plan_month(con, params, known_until=known, history_start=first)
            track(con, plan, as_of=params.as_of_instant, known_until=known)

        for i in range(repeat + 1):
            for name, f in (("with", with_record), ("without", without)):
                t = _timed(f)
                if i:
                    runs[name].append(t)
    cpu = {k: statistics.median(c for c, _ in v) for k, v in runs.items()}
    wall = {k: statistics.median(w for _, w in v) for k, v in runs.items()}
    return cpu, wall


def main() -> None:
    """Time both ways at each scale and print one row per scale."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| leads | with the record: CPU s (wall) | without: CPU s (wall) | with ÷ without, CPU |")
    print("|---:|---:|---:|---:|")
    for leads in (int(s) for s in args.scales.split(",")):
        cpu, wall = measure(histories.history(leads, log=lambda _m: None), args.repeat)
        print(
            f"| {leads:,} | {cpu['with']:.3f} ({wall['with']:.3f}) | "
            f"{cpu['without']:.3f} ({wall['without']:.3f}) | {cpu['with'] / cpu['without']:.2f}× |",
            flush=True,
        )


if __name__ == "__main__":
    main()
