"""``make bench``: slanb against the SQL floor and a pandas notebook at 100k, 1M and 10M leads.

For each scale (a cached demo history, see ``histories.py``) four workers run in fresh processes
(``worker.py``): ``slanb.engine.plan.plan``, the engine's steps one by one, one hand-written DuckDB query per
step (the floor) and the pandas an analyst would write; then the polars an analyst would write,
lazy scans of the history's Parquet export (``polars_variant.py``; the export is written once per
cached history, outside the timed part). Each is the median of ``--repeat`` runs after a warm-up,
with its own peak RSS; the ways' answers are checked against each other. Then
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
HUGE = 100_000_000  # a run of its own: building the history takes most of an hour here
SEPARATE_100M = "results-100m.json"  # that run's figures, quoted by the full runs' results.md
HUGE_MEMORY_LIMIT = "2.5GB"  # DuckDB's memory_limit past 10M leads (see ``huge``)
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


# Peak RSS per million leads where a run measures no smaller scale (``--scales 100000000``):
# pandas 11,126 MiB (make bench of 2026-11-23) and polars 657 MiB at 10M leads (2026-12-02,
# docs/performance.md).
PEAK_MIB_PER_MILLION = {"pandas": 1_113.0, "polars": 65.7}


def memory_skip_reason(mode: str, leads: int, measured: dict[int, dict[str, Any]]) -> str | None:
    """Why ``mode`` (pandas, polars) should not run at ``leads``: its peak memory, extrapolated in
    proportion to the leads from the largest smaller scale of this run (else from the figure
    measured at 10M), would not fit in ``PANDAS_MEMORY_SHARE`` of the free memory."""
    smaller = [n for n in measured if n < leads and "peak_rss_mib" in (measured[n].get(mode) or {})]
    if smaller:
        n = max(smaller)
        need = measured[n][mode]["peak_rss_mib"] * leads / n
        source = f"{n:,} leads in this run"
    elif PEAK_MIB_PER_MILLION.get(mode) and leads > BIG:
        need = PEAK_MIB_PER_MILLION[mode] * leads / 1e6
        source = "10M leads, docs/performance.md"
    else:
        return None
    free = mem_available_mib()
    if need > PANDAS_MEMORY_SHARE * free:
        return (
            f"skipped: needs about {need / 1024:.1f} GiB (extrapolated from {source}), "
            f"{free / 1024:.1f} GiB free"
        )
    return None


def huge(leads: int) -> dict[str, Any]:
    """Past 10M leads: every way runs once without a warm-up (a run reads gigabytes, minutes on
    two shared cores), and slanb's and the floor's DuckDB are capped at ``HUGE_MEMORY_LIMIT``,
    spilling to ``benchmarks/cache/spill`` (DuckDB's default, 80% of RAM, lets its hash tables
    grow past the 4 GiB target at 100M; see docs/performance.md)."""
    if leads <= BIG:
        return {}
    spill = histories.CACHE / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    return {"memory-limit": HUGE_MEMORY_LIMIT, "temp-directory": spill}


def bench_scale(leads: int, repeat: int | None, measured: dict[int, Any]) -> dict[str, Any]:
    db = histories.history(leads, log=log)
    log(f"{leads:,} leads ({db.name})")
    reps = repeat or (3 if leads >= BIG else 5)
    limits = huge(leads)
    if limits:
        reps = 1
    warm = 0 if limits else 1
    out: dict[str, Any] = {"db": str(db.relative_to(ROOT)), "leads": leads}
    for mode in MODES:
        if mode == "pandas":
            reason = memory_skip_reason("pandas", leads, measured)
            if reason:
                log(f"  pandas: {reason}")
                out[mode] = {"skipped": reason}
                continue
            if leads >= BIG:
                out[mode] = worker(mode, repeat=1, warmup=0, db=db, month=histories.MONTH)
                out[mode]["note"] = "1 run, no warm-up"
                continue
        out[mode] = worker(mode, repeat=reps, warmup=warm, db=db, month=histories.MONTH, **limits)
    out["polars"] = bench_polars(db, leads, reps, measured)
    # the tracking step on both clocks, side by side in one process (issue 15)
    out["clocks"] = worker(
        "clocks", repeat=reps, warmup=warm, db=db, month=histories.MONTH, **limits
    )
    if limits:
        out["duckdb"] = {"memory_limit": HUGE_MEMORY_LIMIT, "note": "1 run each, no warm-up"}
    out["agreement"] = agreement(out)
    return out


def agreement(scale: dict[str, Any]) -> dict[str, Any]:
    """slanb's answers against the floor's and pandas's (plan, and the steps one by one)."""
    ref = scale["slanb-plan"].get("answers")
    result: dict[str, Any] = {}
    for other in ("slanb-steps", "floor", "pandas", "polars"):
        answers = scale[other].get("answers")
        if ref is None or answers is None:
            result[other] = None
        else:
            result[other] = variants.compare(ref, answers)
    return result


def bench_polars(db: Path, leads: int, reps: int, measured: dict[int, Any]) -> dict[str, Any]:
    """The polars peer on the Parquet export of ``db`` (exported first, untimed, once per history)."""
    reason = memory_skip_reason("polars", leads, measured)
    if reason:
        log(f"  polars: {reason}")
        return {"skipped": reason}
    folder = histories.export(db, "parquet", log=log)
    meta = histories.meta_export(db, log=log)
    once = leads > BIG  # 100M: one run, no warm-up (as pandas at 10M)
    out = worker(
        "polars",
        repeat=1 if once else reps,
        warmup=0 if once else 1,
        db=db,
        month=histories.MONTH,
        folder=folder,
        meta=meta,
    )
    if once:
        out["note"] = "1 run, no warm-up"
    return out


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
        # at most 1M: an ingest of the 100M export would take most of an hour here
        ingest_scale = INGEST_SCALE if INGEST_SCALE in scales else min(*scales, INGEST_SCALE)
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
    huge = str(HUGE)
    if huge in results["scales"]:  # kept for the full runs, which do not build 100M leads
        record = {k: results[k] for k in ("run_at", "machine", "month")}
        record["how"] = f"`benchmarks/run.py --scales {args.scales}`"
        record["scale"] = results["scales"][huge]
        text = json.dumps(record, indent=1, default=str) + "\n"
        (HERE / SEPARATE_100M).write_text(text)
    elif (HERE / SEPARATE_100M).exists():
        results["separate_100m"] = json.loads((HERE / SEPARATE_100M).read_text())
    results["targets"] = tables.targets(results)
    if scales == [HUGE]:  # a run of its own: the full run's results are left as they are
        log(f"wrote benchmarks/{SEPARATE_100M} in {results['seconds']:.0f}s")
        return 0
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (HERE / "results.md").write_text(tables.markdown(results))
    log(f"wrote benchmarks/results.md and benchmarks/results.json in {results['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
