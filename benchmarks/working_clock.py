"""The tracking step on the calendar clock against the working clock, side by side.

    .venv/bin/python benchmarks/working_clock.py [--scales 100000,1000000] [--repeat 3]

For each scale (a cached demo history, ``histories.py``) the plan is made once, then
``slanb.engine.tracking.track`` is timed on ``sla_clock: calendar`` and on ``sla_clock: working``
(with ``cadence_clock: working`` and ``clock_start: assigned_at``): the median of ``--repeat``
runs after a warm-up, in one process. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import histories  # noqa: E402

from slanb.engine.plan import plan_month  # noqa: E402
from slanb.engine.tracking import track  # noqa: E402
from slanb.params import Params  # noqa: E402
from slanb.store import db, history  # noqa: E402

CLOCKS = {
    "calendar": {},
    "working": {"sla_clock": "working", "cadence_clock": "working", "clock_start": "assigned_at"},
}


def main() -> None:
    """Time both clocks at each scale and print one row per scale."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| leads | calendar clock (s) | working clock (s) | working ÷ calendar |")
    print("|---:|---:|---:|---:|")
    for leads in (int(s) for s in args.scales.split(",")):
        path = histories.history(leads, log=lambda _m: None)
        seconds = {}
        with db.connect(path) as con:
            known = history.recorded_export(con)
            for name, changes in CLOCKS.items():
                params = Params(db=str(path), month=histories.END, **changes)
                plan = plan_month(
                    con, params, known_until=known, history_start=history.first_month(con)
                )
                runs = []
                for _ in range(args.repeat + 1):
                    t0 = time.perf_counter()
                    track(con, plan, as_of=params.as_of_instant, known_until=known)
                    runs.append(time.perf_counter() - t0)
                seconds[name] = statistics.median(runs[1:])
        ratio = seconds["working"] / seconds["calendar"]
        print(f"| {leads:,} | {seconds['calendar']:.3f} | {seconds['working']:.3f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
