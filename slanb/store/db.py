"""The one place slanb opens the history: connections and the SQL loader.

Analysis opens the history read-only and only for as long as one computation runs::

    with slanb.store.connect("data/demo.duckdb") as con:
        con.sql(slanb.store.db.load_sql("plan/mql_volume_by_month"), params={...}).pl()

DuckDB allows one writing process or many reading ones. ``ingest`` writes the history in place,
in one transaction, when no other process has it open (it waits a few seconds for readers to close
it), and otherwise writes a copy and renames it over the history; ``demo`` always renames. While an
import writes in place it holds the history's gate (:func:`import_gate`), and :func:`connect` waits
for it (up to :data:`IMPORT_WAIT`) before opening the file, so a reader sees the history before or
after an import, never half of one. A program that opens the file for *writing* blocks every
reader; :func:`connect` then says so in one sentence.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from slanb._files import locked_descriptor
from slanb.errors import SlanbError
from slanb.paths import resolve_path

SCHEMA_VERSION = "3"
# Versions 1 and 2 lack only what later versions added as optional (2: leads.assigned_at,
# reps.timezone, the time_off table; 3: leads.segment, the rep_teams table): they are read as the
# current version without them, and an import upgrades them.
OLDER_READABLE = ("1", "2")
TABLES = ("leads", "activities", "deals", "reps", "time_off", "rep_teams")
# What each older version is read through (a read-only connection) and upgraded by (an import).
_READ_AS_CURRENT = {"1": "contract/read_v1_as_v3", "2": "contract/read_v2_as_v3"}
_UPGRADES = (("1", "contract/upgrade_v1"), ("2", "contract/upgrade_v2"))

# slanb needs no DuckDB extension beyond those built in, and never fetches one: a query or a file
# that would need another fails with DuckDB's error instead of a download.
_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False}
_SQLITE_MAGIC = b"SQLite format 3\x00"


@cache
def load_sql(name: str) -> str:
    """Return the text of ``slanb/sql/{name}.sql`` (``name`` like ``plan/mql_volume_by_month``)."""
    try:
        return resources.files("slanb.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"slanb has no query named {name!r} (looked for slanb/sql/{name}.sql)"
        raise SlanbError(msg) from exc


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set TimeZone = 'UTC'")


def _open(db: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the file ``db`` attached as its default database, ``history``.

    Not ``duckdb.connect(path)``: DuckDB keeps one database instance per path in a process and
    hands it to every later ``connect`` of that path while any connection to it is open, so a kernel
    holding a connection would go on reading the file it opened after an import renamed a new one
    over it. An in-memory instance is never shared, and ATTACH opens the file the path names now.
    ``use history`` lets the queries in ``slanb/sql/`` name the tables unqualified.
    """
    con = duckdb.connect(":memory:", config=_CONFIG)
    try:
        if read_only:
            con.execute("attach ? as history (read_only)", [str(db)])
        else:
            con.execute("attach ? as history", [str(db)])
        con.execute("use history")
    except BaseException:
        con.close()
        raise
    return con


# ---- one open file per history per process, and the import's gate ----------------------------
IMPORT_WAIT = 120.0  # seconds a connection waits for an import writing the history in place

# DuckDB keeps other processes out with POSIX record locks (fcntl), which the system drops for the
# whole process as soon as it closes *any* descriptor of the file. So slanb opens each history file
# once per process while it has connections to it, reads its header through that descriptor, takes
# the gate's flock on it (flock and fcntl locks are independent) and closes it after the last one.
_HANDLES: dict[tuple[int, int], list[int]] = {}  # (device, inode) -> [descriptor, users]
_HANDLES_LOCK = threading.Lock()


@contextmanager
def _handle(db: Path) -> Iterator[int | None]:
    """This process's descriptor of the file ``db`` names now (None if it cannot be opened)."""
    try:
        info = db.stat()
    except OSError:
        yield None
        return
    key = (info.st_dev, info.st_ino)
    with _HANDLES_LOCK:
        entry = _HANDLES.get(key)
        if entry is None:
            try:
                entry = _HANDLES[key] = [os.open(db, os.O_RDONLY), 0]
            except OSError:
                entry = None
        if entry is not None:
            entry[1] += 1
    if entry is None:
        yield None
        return
    try:
        yield entry[0]
    finally:
        with _HANDLES_LOCK:
            entry[1] -= 1
            if entry[1] == 0:
                del _HANDLES[key]
                os.close(entry[0])


def _peek(db: Path, size: int) -> bytes:
    """The first ``size`` bytes of ``db``, read without closing a descriptor DuckDB's locks need."""
    with _handle(db) as fd:
        if fd is None:
            with db.open("rb") as f:  # an error saying why it cannot be read
                return f.read(size)
        return os.pread(fd, size, 0)


@contextmanager
def import_gate(db: Path) -> Iterator[None]:
    """Hold the gate of the history ``db`` while an import writes it in place.

    The gate is an exclusive ``flock`` on the history file itself; :func:`connect` takes it shared
    while it attaches the file, so a connection opens before the import's write begins or after
    it ends. Another holder is waited for (connections hold it for milliseconds).
    """
    busy = f"{db} stayed busy for over {IMPORT_WAIT:.0f}s; run `slanb ingest` again."
    with _handle(db) as fd:
        if fd is None:
            yield
            return
        with locked_descriptor(fd, shared=False, busy=busy, timeout=IMPORT_WAIT):
            yield


def _refuse_other_files(db: Path) -> None:
    """Refuse a file that is not a DuckDB database before DuckDB opens it.

    A DuckDB file carries ``DUCK`` at bytes 8 to 12 of its header. DuckDB would read a SQLite file
    through its sqlite extension, fetched first; slanb says what the file is instead. An empty file
    is left to DuckDB.
    """
    if not db.is_file():
        return
    try:
        head = _peek(db, 16)
    except OSError as exc:
        msg = f"Cannot read {db}: {exc.strerror or exc}. Check that the file is yours to read."
        raise SlanbError(msg) from exc
    if not head or head[8:12] == b"DUCK":
        return
    looks = " (it looks like a SQLite database)" if head.startswith(_SQLITE_MAGIC) else ""
    msg = (
        f"{db} is not a DuckDB file{looks}: point --db at a history made by `slanb demo` or "
        "`slanb ingest`."
    )
    raise SlanbError(msg)


@contextmanager
def connect(
    path: str | os.PathLike[str], *, read_only: bool = True, as_current: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the history at ``path`` for the duration of a ``with`` block.

    Read-only by default. A missing file, a file that is not a DuckDB database (a SQLite one, a
    CSV) or one of another schema version is a :class:`SlanbError` that says how to create or
    upgrade one. These connections never download or autoload a DuckDB extension. An import
    writing the history in place is waited for (:data:`IMPORT_WAIT`). A read-only connection shows
    an older schema version as the current one (temporary views) unless ``as_current`` is False.
    """
    db = resolve_path(path)
    if read_only and not db.exists():
        msg = (
            f"No history database at {db}. Create the demo one with "
            f"`slanb demo --db {path}`, or import your CRM export with "
            f"`slanb ingest EXPORT_DIR --db {path}`."
        )
        raise SlanbError(msg)
    if db.is_dir():
        msg = f"{db} is a folder; --db (or the db parameter) must name a DuckDB file."
        raise SlanbError(msg)
    with _handle(db) as fd:
        _refuse_other_files(db)
        _check_intact(db)
        con = _open_after_imports(db, fd, read_only=read_only)
        try:
            _configure(con)
            if read_only:
                try:
                    version = _check_schema(con, db)
                    if version in OLDER_READABLE and as_current:
                        _read_as_current(con, version)
                except duckdb.Error as exc:
                    msg = (
                        f"{db} is not a slanb history ({exc}). Point --db (or the db parameter) at "
                        "a file made by `slanb demo` or `slanb ingest`."
                    )
                    raise SlanbError(msg) from exc
            yield con
        finally:
            con.close()


def _open_after_imports(db: Path, fd: int | None, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """:func:`_open` at the import gate (waiting for an import writing ``db`` in place)."""
    busy = (
        f"Cannot open {db}: an import has been writing it for over {IMPORT_WAIT:.0f}s. Wait for "
        "`slanb ingest` to finish and try again."
    )
    try:
        if fd is None:
            return _open(db, read_only=read_only)
        with locked_descriptor(fd, shared=True, busy=busy, timeout=IMPORT_WAIT):
            return _open(db, read_only=read_only)
    except duckdb.Error as exc:  # a lock, or a file that is not a DuckDB database (a CSV, say)
        if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
            msg = (
                f"Cannot open {db}: another program has it open for writing (a notebook or script "
                "that called duckdb.connect without read_only=True, or the DuckDB CLI). Close that "
                "connection, or open the file read-only, and try again."
            )
        elif isinstance(exc, duckdb.ResourceInUseException):  # this process has it open already
            how = " for writing (a duckdb.connect without read_only=True)" if read_only else ""
            msg = (
                f"Cannot open {db}: this notebook or script already has it open{how}. Close "
                "that connection, or open the file read-only, and try again."
            )
        else:
            msg = (
                f"Cannot open {db} as a slanb history ({exc}). Point --db (or the db parameter) "
                "at a DuckDB file made by `slanb demo` or `slanb ingest`."
            )
        raise SlanbError(msg) from exc


def _check_intact(db: Path) -> None:
    """Refuse a history file shorter than its own header says: cut by a crash or a failed copy.

    DuckDB opens such a file and fails (or answers from the part that is left) only when a query
    reaches a missing block. A DuckDB file is three 4 KiB headers, then ``block_count`` blocks of
    ``block_alloc_size`` bytes; the newer of the two database headers (at 4 KiB and 8 KiB) holds
    both, after its checksum and iteration: ``<Q iteration, meta_block, free_list, block_count,
    block_alloc_size``. A header that does not look like that (another storage format) is not
    judged here.
    """
    try:
        head = _peek(db, 3 * 4096)
        size = db.stat().st_size
    except OSError:
        return  # missing or unreadable: connecting says so
    if len(head) < 3 * 4096 or head[8:12] != b"DUCK":
        return
    headers = [struct.unpack_from("<QQQQQQ", head, offset) for offset in (4096, 8192)]
    _, _, _, _, blocks, block_size = max(headers, key=lambda h: h[1])
    if not (2**12 <= block_size <= 2**30 and block_size & (block_size - 1) == 0):
        return
    if blocks < 2**40 and size < 3 * 4096 + blocks * block_size:
        msg = (
            f"{db} is damaged (truncated?): it holds {size:,} bytes where its header says "
            f"{3 * 4096 + blocks * block_size:,}. Restore it from a backup, or rebuild it with "
            "`slanb ingest` from your exports (into a new file)."
        )
        raise SlanbError(msg)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the contract tables (and the version marker) if they are missing."""
    con.execute(load_sql("contract/schema"))


def upgrade_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a writable history of an older schema version to the current one (no-op if current).

    Each upgrade moves one version on (1 to 2, then 2 to 3), so a version-1 file takes both.
    """
    for version, upgrade in _UPGRADES:
        rows = con.sql("select value from slanb_meta where key = 'schema_version'").fetchall()
        if rows and rows[0][0] == version:
            con.execute(load_sql(upgrade))


def _read_as_current(con: duckdb.DuckDBPyConnection, version: str) -> None:
    """Let a read-only older history look like the current version (temporary views, file untouched)."""
    ((catalog,),) = con.sql("select current_database()").fetchall()
    quoted = '"' + str(catalog).replace('"', '""') + '"'
    con.execute(load_sql(_READ_AS_CURRENT[version]).replace("{catalog}", quoted))


def _check_schema(con: duckdb.DuckDBPyConnection, db: Path) -> str:
    tables = {
        r[0]
        for r in con.sql(
            "select table_name from information_schema.tables "
            "where table_catalog = current_database()"
        ).fetchall()
    }
    if "slanb_meta" not in tables:
        msg = (
            f"{db} is not a slanb history (it has no slanb_meta table). Point --db at a file made by "
            "`slanb demo` or `slanb ingest`."
        )
        raise SlanbError(msg)
    rows = con.sql("select value from slanb_meta where key = 'schema_version'").fetchall()
    version = rows[0][0] if rows else None
    if version != SCHEMA_VERSION and version not in OLDER_READABLE:
        readable = ", ".join((*OLDER_READABLE, SCHEMA_VERSION))
        msg = (
            f"{db} has schema version {version}, this slanb reads versions {readable}. "
            "Re-create it with `slanb ingest` from your export (or `slanb demo`)."
        )
        raise SlanbError(msg)
    return str(version)
