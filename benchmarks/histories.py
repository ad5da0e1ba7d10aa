"""Demo histories and their CSV/Parquet exports, built once and cached under ``benchmarks/cache/``.

A cached file's name carries the lead count, seed, last month and a fingerprint of the demo
generator's source, so a changed generator builds new histories instead of reusing stale ones.
Builds run in a subprocess (``slanb.store.demo.build_demo``; past 10M leads ``big_history.py``,
in chunks of 10M leads, without the big tables' primary keys), exports with DuckDB ``COPY``; both write to a
temporary name and rename when complete, so an interrupted run leaves no half-built cache.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
SEED = 7
END = "2026-10"  # the demo's last month; the benchmark plans the month after the history's last
MONTH = END
TABLES = ("leads", "activities", "deals", "reps")
CHUNKED_FROM = 10_000_000  # bigger histories are built in chunks (big_history.py)


def fingerprint() -> str:
    """A short hash of the demo generator (``slanb/store/demo.py``, ``slanb/sql/demo/*.sql``) and schema."""
    h = hashlib.sha256()
    store, sql = ROOT / "slanb" / "store", ROOT / "slanb" / "sql" / "demo"
    schema = ROOT / "slanb" / "sql" / "contract" / "schema.sql"
    for f in [store / "demo.py", *sorted(sql.glob("*.sql")), schema]:
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def history(leads: int, *, log: Callable[[str], None] = print) -> Path:
    """The cached demo history of ``leads`` leads, built first if missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"demo-{leads}-s{SEED}-{END}-{fingerprint()}.duckdb"
    if path.exists():
        return path
    log(f"building the {leads:,}-lead demo history (once; cached as {path.name}) …")
    started = time.perf_counter()
    if leads > CHUNKED_FROM:
        _build_chunked(path, leads, log=log)
    else:
        code = (
            "import sys; from slanb.store.demo import build_demo; "
            f"build_demo(sys.argv[1], seed={SEED}, end={END!r}, leads={leads})"
        )
        subprocess.run(
            [sys.executable, "-c", code, str(path)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # DuckDB's progress bar
            stderr=subprocess.DEVNULL,
        )
    log(f"  built in {time.perf_counter() - started:.0f}s")
    _forget_older(leads, keep=path)
    return path


def _build_chunked(path: Path, leads: int, *, log: Callable[[str], None]) -> None:
    """``big_history.py``: the demo's rows built 10M leads at a time, into a temporary name."""
    tmp = path.with_name(f".{path.name}.tmp")
    spill = tmp.with_name(tmp.name + ".spill")
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    try:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "big_history.py"), str(tmp)]
            + [f"--leads={leads}", f"--seed={SEED}", f"--end={END}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # DuckDB's progress bar
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log(f"  {line.rstrip()}")
        if proc.wait() != 0:
            msg = f"building {path.name} failed (exit {proc.returncode})"
            raise RuntimeError(msg)
        tmp.rename(path)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _forget_older(leads: int, *, keep: Path) -> None:
    """Delete cached histories (and exports) of ``leads`` leads made by an older generator."""
    for old in CACHE.glob(f"demo-{leads}-s{SEED}-{END}-*"):
        if old.name.startswith(keep.stem):
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def export(db: Path, fmt: str, *, log: Callable[[str], None] = print) -> Path:
    """The four tables of ``db`` as ``NAME.csv`` or ``NAME.parquet`` in a cached folder."""
    folder = db.with_name(f"{db.stem}-export-{fmt}")
    return copy_out(
        db, folder, {t: t for t in TABLES}, fmt, log=log, what=f"exporting {db.name} to {fmt}"
    )


def copy_out(
    db: Path,
    folder: Path,
    queries: dict[str, str],
    fmt: str,
    *,
    log: Callable[[str], None],
    what: str,
) -> Path:
    """Each of ``queries`` (a table or a query, by file name) of ``db`` copied to ``folder`` once.

    Written into a temporary folder renamed into place, so a cached folder is always whole; times
    are read in UTC.
    """
    if folder.exists():
        return folder
    log(f"{what} (once) …")
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    options = "(format csv, header true)" if fmt == "csv" else "(format parquet)"
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        for name, source in queries.items():
            source = source if source in TABLES else f"({source})"
            con.execute(f"copy {source} to '{tmp / f'{name}.{fmt}'}' {options}")
    finally:
        con.close()
    tmp.rename(folder)
    return folder


def rows(db: Path) -> int:
    """Rows in the four tables of ``db`` (what an ingest of its export writes)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sum(con.sql(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES)
    finally:
        con.close()


def meta_export(db: Path, *, log: Callable[[str], None] = print) -> Path:
    """``slanb_meta`` of ``db`` as one cached Parquet file: the export instant the polars peer
    judges by (slanb, the floor and pandas read it from the history's ``slanb_meta``)."""
    path = db.with_name(f"{db.stem}-meta.parquet")
    if path.exists():
        return path
    log(f"exporting {db.name}'s slanb_meta to parquet (once) …")
    tmp = path.with_name(path.name + ".tmp")
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"copy slanb_meta to '{tmp}' (format parquet)")
    finally:
        con.close()
    tmp.rename(path)
    return path
