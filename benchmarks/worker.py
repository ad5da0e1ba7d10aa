"""One measurement in a fresh process, so its peak memory (VmHWM) is its own.

``python benchmarks/worker.py MODE --db PATH --month YYYY-MM --repeat N --warmup W`` runs MODE
W times untimed, then N times timed, and prints one JSON line: per-run wall and CPU seconds (for each
step where the mode has steps), the peak resident set size in MiB and the answers of the last run.

Modes: ``slanb-plan`` (``slanb.compute``), ``slanb-steps`` (each engine step on one open
connection), ``floor`` (one hand-written query per step), ``pandas`` (read the tables, then each
step), ``polars`` (lazy scans of the Parquet export ``--folder`` and ``--meta``, then each
step), ``ingest`` (``slanb.store.ingest`` of ``--folder`` into a fresh file), ``kernels`` (papermill on
``--kernels`` trivial notebooks at once: the report's kernel start-up, without its computation),
``clocks`` (the tracking step on the calendar clock and on the working clock, issue 15), ``delta``
(``slanb.store.ingest`` of a one-day delta ``--folder`` into a copy of ``--db``, ``--way`` in place
or as a copy, issue 17).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import variants  # noqa: E402


def peak_rss_mib() -> float:
    """The process's peak resident set size (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU seconds of named parts of one run."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def time(self, name: str, fn: Callable[[], Any]) -> Any:
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - w
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c
        return out


# DuckDB settings for every connection of this worker (``--memory-limit``; empty: DuckDB's defaults)
DUCKDB: dict[str, str] = {}


def limit_duckdb(memory_limit: str, temp_directory: str) -> None:
    """Cap DuckDB's memory in this worker, spilling to ``temp_directory``: the floor's connections
    (``_connect``) and slanb's (``slanb.store.db`` opens every connection with its ``_CONFIG``;
    slanb has no setting for it, so the benchmark adds these two to that dict)."""
    from slanb.store import db

    DUCKDB.update(memory_limit=memory_limit, temp_directory=temp_directory)
    db._CONFIG.update(DUCKDB)


def _connect(db: str) -> Any:
    import duckdb

    con = duckdb.connect(db, read_only=True, config=DUCKDB)
    con.execute("set TimeZone = 'UTC'")
    return con


def run_slanb_plan(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    params = variants.bench_params(args.db, args.month)
    return clock.time("plan", lambda: variants.slanb_plan(params))


def run_slanb_steps(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    from slanb.store import db

    params = variants.bench_params(args.db, args.month)
    answers: dict[str, Any] = {}
    with db.connect(args.db) as con:  # a fresh connection per run, as the floor's
        for name, step in variants.slanb_steps(con, params).items():
            answers.update(clock.time(name, step))
    return answers


def run_floor(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    params = variants.bench_params(args.db, args.month)
    answers: dict[str, Any] = {}
    start_w, start_c = time.perf_counter(), time.process_time()
    con = clock.time("connect", lambda: _connect(args.db))
    try:
        for name, step in variants.floor_steps(con, params).items():
            answers.update(clock.time(name, step))
    finally:
        con.close()
    clock.wall["plan"] = time.perf_counter() - start_w
    clock.cpu["plan"] = time.process_time() - start_c
    return answers


def run_pandas(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    params = variants.bench_params(args.db, args.month)
    answers: dict[str, Any] = {}
    start_w, start_c = time.perf_counter(), time.process_time()
    con = _connect(args.db)
    try:
        tables = clock.time("load", lambda: variants.pandas_load(con))
    finally:
        con.close()
    for name, step in variants.pandas_steps(tables, params).items():
        answers.update(clock.time(name, step))
    clock.wall["plan"] = time.perf_counter() - start_w
    clock.cpu["plan"] = time.process_time() - start_c
    return answers


def run_polars(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    import polars_variant

    params = variants.bench_params(args.db, args.month)
    answers: dict[str, Any] = {}
    start_w, start_c = time.perf_counter(), time.process_time()
    scans = polars_variant.polars_scan(Path(args.folder), Path(args.meta))
    for name, step in polars_variant.polars_steps(scans, params).items():
        answers.update(clock.time(name, step))
    clock.wall["plan"] = time.perf_counter() - start_w
    clock.cpu["plan"] = time.process_time() - start_c
    return answers


WORKING = {"sla_clock": "working", "cadence_clock": "working", "clock_start": "assigned_at"}


def run_clocks(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    """The tracking step on the calendar clock, then on the working clock, on one connection."""
    import dataclasses

    from slanb.engine.plan import plan_month
    from slanb.engine.tracking import track
    from slanb.store import db, history

    calendar = variants.bench_params(args.db, args.month)
    working = dataclasses.replace(calendar, **WORKING)
    answers: dict[str, Any] = {}
    with db.connect(args.db) as con:
        known = history.recorded_export(con)
        first = history.first_month(con)
        for name, params in (("calendar", calendar), ("working", working)):
            plan = plan_month(con, params, known_until=known, history_start=first)
            t = clock.time(
                name,
                lambda p=plan, q=params: track(con, p, as_of=q.as_of_instant, known_until=known),
            )
            answers[name] = {"judged": t.first_touch.judged, "met": t.first_touch.met}
    return answers


def run_ingest(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    from slanb.store.ingest import ingest

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        target = Path(tmp) / "ingested.duckdb"
        report = clock.time("ingest", lambda: ingest(args.folder, db=target))
    return {"report": str(report)[:2000]}


def run_delta(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    """``slanb.store.ingest`` of the delta ``--folder`` into a fresh copy of ``--db`` (copy untimed).

    ``--way in-place`` is what an import does when nothing else has the history open; ``--way copy``
    holds a connection in this process meanwhile, so the import writes a copy and renames it over
    the history, as every import did before issue 17.
    """
    import shutil

    from slanb.store.db import connect
    from slanb.store.ingest import ingest

    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        target = Path(tmp) / "history.duckdb"
        shutil.copyfile(args.db, target)
        if args.way == "copy":
            with connect(target):
                report = clock.time("delta", lambda: ingest(args.folder, db=target))
        else:
            report = clock.time("delta", lambda: ingest(args.folder, db=target))
        size = target.stat().st_size
    return {"report": report.format()[:2000], "history_bytes": size}


def run_kernels(args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    import nbformat
    import papermill

    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        books = []
        for i in range(args.kernels):
            book = Path(tmp) / f"trivial_{i}.ipynb"
            nbformat.write(nb, book)
            books.append(book)

        def run(book: Path) -> None:
            papermill.execute_notebook(
                str(book),
                str(book.with_suffix(".out.ipynb")),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )

        def all_books() -> None:
            with ThreadPoolExecutor(max_workers=len(books)) as pool:
                list(pool.map(run, books))

        clock.time("kernels", all_books)
    return {}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode")
    p.add_argument("--db")
    p.add_argument("--month", default="2026-10")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--folder")
    p.add_argument("--tmp")
    p.add_argument("--meta")
    p.add_argument(
        "--memory-limit", help="DuckDB memory_limit for slanb and the floor (e.g. 2.5GB)"
    )
    p.add_argument("--temp-directory", help="where DuckDB spills beyond --memory-limit")
    p.add_argument("--kernels", type=int, default=6)
    p.add_argument("--way", default="in-place", choices=("in-place", "copy"))
    args = p.parse_args()
    if args.memory_limit:
        limit_duckdb(args.memory_limit, args.temp_directory or tempfile.gettempdir())
    if args.month == "auto":  # the history's last complete month, as slanb.compute resolves it
        from slanb.store import db, history

        with db.connect(args.db) as con:
            args.month = history.last_complete_month(con)
    modes: dict[str, Callable[[Clock], Any]] = {
        "slanb-plan": lambda c: run_slanb_plan(args, c),
        "slanb-steps": lambda c: run_slanb_steps(args, c),
        "floor": lambda c: run_floor(args, c),
        "pandas": lambda c: run_pandas(args, c),
        "polars": lambda c: run_polars(args, c),
        "ingest": lambda c: run_ingest(args, c),
        "kernels": lambda c: run_kernels(args, c),
        "delta": lambda c: run_delta(args, c),
        "clocks": lambda c: run_clocks(args, c),
    }
    mode = modes[args.mode]
    for _ in range(args.warmup):
        mode(Clock())
    runs: list[dict[str, Any]] = []
    answers: Any = None
    for _ in range(args.repeat):
        clock = Clock()
        answers = mode(clock)
        runs.append({"wall": clock.wall, "cpu": clock.cpu})
    print(json.dumps({"runs": runs, "peak_rss_mib": peak_rss_mib(), "answers": answers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
