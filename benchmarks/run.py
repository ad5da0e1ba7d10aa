"""``make bench``: slanb against the SQL floor and a pandas notebook at 100k, 1M and 10M leads.

For each scale (a cached demo history, see ``histories.py``) four workers run in fresh processes
(``worker.py``): ``slanb.engine.plan.plan``, the engine's steps one by one, one hand-written DuckDB query per
step (the floor) and the pandas an analyst would write. Each is the median of ``--repeat`` runs after
a warm-up, with its own peak RSS; the three ways' answers are checked against each other. Then
``slanb.store.ingest`` of the 1M-lead export (CSV and Parquet) into a new file, a one-day delta into
each history (in place, and as the copy every import used to write) and ``slanb report`` on the
default demo history, one plan against each notebook alone (and on ``--report-scales`` histories,
one plan). Writes ``benchmarks/results.md`` and ``benchmarks/results.json``; asserts nothing.

    .venv/bin/python benchmarks/run.py [--scales 100000,1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import delta  # noqa: E402
import histories  # noqa: E402
import tables  # noqa: E402
import variants  # noqa: E402

ROOT = HERE.parent
SCALES = (100_000, 1_000_000, 10_000_000)
MODES = ("slanb-plan", "slanb-steps", "floor", "pandas")
INGEST_SCALE = 1_000_000
DEMO_DB = ROOT / "data" / "demo.duckdb"
BIG = 10_000_000  # from here on pandas runs once, without a warm-up (minutes, gigabytes)
PANDAS_MEMORY_SHARE = 0.7  # run pandas only if its estimated peak fits in this share of free RAM


def log(text: str) -> None:
    print(text, flush=True)


def worker(mode: str, *, repeat: int, warmup: int, **options: Any) -> dict[str, Any]:
    """Run ``worker.py MODE`` in a fresh process; its runs summarized (medians), or its error."""
    cmd = [
        sys.executable,
        str(HERE / "worker.py"),
        mode,
        f"--repeat={repeat}",
        f"--warmup={warmup}",
    ]
    cmd += [f"--{k}={v}" for k, v in options.items()]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        log(f"  {mode}: FAILED ({' / '.join(tail)})")
        return {"error": "\n".join(tail), "repeat": repeat, "warmup": warmup}
    out = json.loads(lines[-1])
    runs = out.pop("runs")
    out["wall"] = {k: statistics.median(r["wall"][k] for r in runs) for k in runs[0]["wall"]}
    out["cpu"] = {k: statistics.median(r["cpu"][k] for r in runs) for k in runs[0]["cpu"]}
    out["all_wall"] = {k: [round(r["wall"][k], 4) for r in runs] for k in runs[0]["wall"]}
    out.update(repeat=repeat, warmup=warmup, worker_seconds=round(elapsed, 1))
    shown = ", ".join(f"{k} {v:.3f}s" for k, v in out["wall"].items())
    log(f"  {mode}: {shown}; peak RSS {out['peak_rss_mib']:.0f} MiB ({elapsed:.0f}s)")
    return out


def mem_available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def pandas_skip_reason(leads: int, measured: dict[int, dict[str, Any]]) -> str | None:
    """Why pandas should not run at ``leads`` (its memory, extrapolated from a smaller scale)."""
    smaller = [n for n in measured if n < leads and "peak_rss_mib" in measured[n]["pandas"]]
    if not smaller:
        return None
    n = max(smaller)
    need = measured[n]["pandas"]["peak_rss_mib"] * leads / n
    free = mem_available_mib()
    if need > PANDAS_MEMORY_SHARE * free:
        return (
            f"skipped: needs about {need / 1024:.1f} GiB (extrapolated from {n:,} leads), "
            f"{free / 1024:.1f} GiB free"
        )
    return None


def bench_scale(leads: int, repeat: int | None, measured: dict[int, Any]) -> dict[str, Any]:
    db = histories.history(leads, log=log)
    log(f"{leads:,} leads ({db.name})")
    reps = repeat or (3 if leads >= BIG else 5)
    out: dict[str, Any] = {"db": str(db.relative_to(ROOT)), "leads": leads}
    for mode in MODES:
        if mode == "pandas":
            reason = pandas_skip_reason(leads, measured)
            if reason:
                log(f"  pandas: {reason}")
                out[mode] = {"skipped": reason}
                continue
            if leads >= BIG:
                out[mode] = worker(mode, repeat=1, warmup=0, db=db, month=histories.MONTH)
                out[mode]["note"] = "1 run, no warm-up"
                continue
        out[mode] = worker(mode, repeat=reps, warmup=1, db=db, month=histories.MONTH)
    # the tracking step on both clocks, side by side in one process (issue 15)
    out["clocks"] = worker("clocks", repeat=reps, warmup=1, db=db, month=histories.MONTH)
    out["agreement"] = agreement(out)
    return out


def agreement(scale: dict[str, Any]) -> dict[str, Any]:
    """slanb's answers against the floor's and pandas's (plan, and the steps one by one)."""
    ref = scale["slanb-plan"].get("answers")
    result: dict[str, Any] = {}
    for other in ("slanb-steps", "floor", "pandas"):
        answers = scale[other].get("answers")
        if ref is None or answers is None:
            result[other] = None
        else:
            result[other] = variants.compare(ref, answers)
    return result


def bench_demo(repeat: int | None) -> dict[str, Any]:
    if not DEMO_DB.exists():
        log(f"building the default demo history at {DEMO_DB} …")
        subprocess.run(
            [str(Path(sys.executable).with_name("slanb")), "demo", "--db", str(DEMO_DB)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    log(f"demo history ({DEMO_DB.relative_to(ROOT)})")
    reps = repeat or 5
    return {
        "db": str(DEMO_DB.relative_to(ROOT)),
        "slanb-plan": worker("slanb-plan", repeat=reps, warmup=1, db=DEMO_DB, month="auto"),
        "slanb-steps": worker("slanb-steps", repeat=reps, warmup=1, db=DEMO_DB, month="auto"),
    }


def bench_ingest(leads: int, repeat: int | None) -> dict[str, Any]:
    db = histories.history(leads, log=log)
    rows = histories.rows(db)
    log(f"ingest of the {leads:,}-lead history ({rows:,} rows)")
    out: dict[str, Any] = {"leads": leads, "rows": rows}
    tmp = histories.CACHE / "ingest-tmp"
    tmp.mkdir(exist_ok=True)
    for fmt in ("parquet", "csv"):
        folder = histories.export(db, fmt, log=log)
        r = worker("ingest", repeat=repeat or 3, warmup=1, folder=folder, tmp=tmp)
        if "wall" in r:
            r["rows_per_second"] = rows / r["wall"]["ingest"]
            r["rows_per_cpu_second"] = rows / r["cpu"]["ingest"]
        out[fmt] = r
    shutil.rmtree(tmp, ignore_errors=True)
    return out


DELTA_SCALES = (100_000, 1_000_000, 10_000_000)


def bench_delta(scales: list[int], repeat: int | None) -> dict[str, Any]:
    """A one-day delta (``delta.py``, Parquet) into each history, in place and as a copy (issue 17).

    Every run imports into a fresh copy of the cached history, settled by one write first
    (``delta.settled``; the copy is not timed); ``copy`` is what every import did before: write a
    copy of the history and rename it over the old one.
    """
    out: dict[str, Any] = {}
    tmp = histories.CACHE / "delta-tmp"
    tmp.mkdir(exist_ok=True)
    for leads in [n for n in DELTA_SCALES if n in scales] or [min(scales)]:
        built = histories.history(leads, log=log)
        folder = delta.delta(built, "parquet", log=log)
        db, first_write = delta.settled(built, log=log)
        rows = delta.rows(folder)
        log(f"a one-day delta ({rows:,} rows) into the {leads:,}-lead history")
        scale: dict[str, Any] = {
            "rows": rows,
            "history_bytes": db.stat().st_size,
            "first_write_after_demo": first_write,
        }
        for way in ("in-place", "copy"):
            reps = repeat or 3
            scale[way] = worker(
                "delta", repeat=reps, warmup=1, db=db, folder=folder, tmp=tmp, way=way
            )
        out[str(leads)] = scale
    shutil.rmtree(tmp, ignore_errors=True)
    return out


REPORT_WAYS = {
    # one plan, handed to two reused kernels (what ``slanb report`` does) …
    "one plan": "",
    # … against every notebook in a kernel of its own computing the month, as before
    "each notebook alone": ", isolated=True",
}


def _report_once(db: Path, out: str, extra: str) -> dict[str, float] | str:
    """One report in a fresh process: its wall time and the CPU time of it and its kernels."""
    code = (
        "from slanb.params import Params; from slanb.publish.report import build_report; "
        f"build_report(Params(db={str(db)!r}), out={out!r}, progress=lambda _: None{extra})"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        return "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def bench_report(repeat: int | None, dbs: dict[str, Path]) -> dict[str, Any]:
    """The report end to end, one plan against each notebook alone, taking turns run by run.

    ``dbs``: the histories to report on (the demo, and the benchmark histories of
    ``--report-scales``); each way is run ``repeat`` times (at most 3) after a warm-up of each, in
    turns, so both see the same load. CPU time counts the report's process and its kernels (they
    are its children, waited for).
    """
    reps = min(repeat or 3, 3)
    books = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    out_all: dict[str, Any] = {"notebooks": len(books), "histories": {}}
    with tempfile.TemporaryDirectory(dir=histories.CACHE) as out:
        for name, db in dbs.items():
            # on a big history each notebook alone is a plan per kernel, six at once (at 10M:
            # 1.5 GiB each, minutes on two cores): the demo shows the difference
            ways = REPORT_WAYS if name == "demo" else {"one plan": ""}
            log(f"report on {name} ({len(books)} notebooks): {', '.join(ways)}")
            runs: dict[str, list[dict[str, float]]] = {w: [] for w in ways}
            for i in range(reps + 1):  # the first round is the warm-up
                for way, extra in ways.items():
                    r = _report_once(db, out, extra)
                    if isinstance(r, str):
                        log(f"  report ({way}): FAILED ({r})")
                        return {"error": r}
                    if i:
                        runs[way].append(r)
            one: dict[str, Any] = {}
            for way, rs in runs.items():
                wall = statistics.median(r["wall"] for r in rs)
                cpu = statistics.median(r["cpu"] for r in rs)
                one[way] = {"wall": wall, "cpu": cpu, "all_wall": [round(r["wall"], 2) for r in rs]}
                log(f"  {way}: {wall:.1f}s wall, {cpu:.1f}s CPU ({one[way]['all_wall']})")
            out_all["histories"][name] = one
    demo = out_all["histories"]["demo"]["one plan"]
    out_all["wall"], out_all["cpu"] = demo["wall"], demo["cpu"]
    kernels = worker("kernels", repeat=reps, warmup=1, kernels=min(len(books), 6))
    out_all["kernels"] = kernels
    return out_all


def machine() -> dict[str, Any]:
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "polars": version("polars"),
        "pandas": version("pandas"),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--scales",
        default=",".join(str(s) for s in SCALES),
        help="lead counts, comma-separated (default: 100000,1000000,10000000)",
    )
    p.add_argument("--repeat", type=int, help="timed runs per measurement (default 5; 3 at 10M)")
    p.add_argument("--no-ingest", action="store_true", help="skip the ingest benchmark")
    p.add_argument("--no-report", action="store_true", help="skip the slanb report benchmark")
    p.add_argument(
        "--report-scales",
        default="",
        help="lead counts whose histories are also reported on, comma-separated (e.g. 10000000)",
    )
    p.add_argument(
        "--crm-import",
        action="store_true",
        help="also a 1M-contact HubSpot export through its mapping beside the contract import",
    )
    args = p.parse_args()
    scales = sorted(int(s.replace("_", "")) for s in args.scales.split(",") if s.strip())
    started = time.perf_counter()
    results: dict[str, Any] = {
        "run_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "month": histories.MONTH,
        "scales": {},
    }
    measured: dict[int, Any] = {}
    for leads in scales:
        measured[leads] = bench_scale(leads, args.repeat, measured)
        results["scales"][str(leads)] = measured[leads]
    results["demo"] = bench_demo(args.repeat)
    if not args.no_ingest:
        ingest_scale = INGEST_SCALE if INGEST_SCALE in scales else min(scales)
        results["ingest"] = bench_ingest(ingest_scale, args.repeat)
        results["delta"] = bench_delta(scales, args.repeat)
    if not args.no_report:
        dbs = {"demo": DEMO_DB} | {
            str(n): histories.history(n, log=log)
            for n in sorted(int(x.replace("_", "")) for x in args.report_scales.split(",") if x)
        }
        results["report"] = bench_report(args.repeat, dbs)
    if args.crm_import:
        import crm_import

        log("CRM import: a HubSpot export through its mapping, beside the contract import")
        results["crm_import"] = crm_import.bench(INGEST_SCALE, args.repeat or 3, log=log)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = tables.targets(results)
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (HERE / "results.md").write_text(tables.markdown(results))
    log(f"wrote benchmarks/results.md and benchmarks/results.json in {results['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
