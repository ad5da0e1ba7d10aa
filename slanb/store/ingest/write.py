"""Writing an import: upsert by id into the history in one transaction, in place or into a copy.

An import writes the history in place (:func:`_writing_in_place`) when no other process has it
open, or once they close it within :data:`READERS_WAIT`; otherwise (an analyst's kernel holding a
plain ``duckdb.connect``) it writes a copy and renames it over the history (:func:`_copy_history`,
:func:`_publish`). docs/reliability.md says what each way promises.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from slanb._files import exclusive_lock, replace_durably
from slanb.errors import SlanbError
from slanb.store.db import _peek, connect, import_gate
from slanb.store.ingest.contract import _Table

# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableCounts:
    """What an import did to one table."""

    inserted: int
    updated: int
    unchanged: int


def _upsert(
    con: duckdb.DuckDBPyConnection, table: _Table, present: frozenset[str] | None = None
) -> TableCounts:
    """Update changed rows and insert new ids of ``table`` from its staging table; count them.

    Rows are compared on every contract column the file has (``present``; all when None),
    NULL-safely; a column the file may leave out keeps its stored value. The staged rows are
    unique by id. Every statement starts from the staged ids (``_known_{table}``: those the history
    has already, found by a semi-join that reads the history's ids once), so an import costs what
    it brings, not what the history holds: an anti-join of the history against the staged rows
    (``where not exists``) would build a hash table of every stored id.
    """
    name, key = table.name, table.key
    columns = [
        c.name
        for c in table.columns
        if present is None or c.name in present or not c.optional_header
    ]
    changed = " or ".join(f"s.{c} is distinct from t.{c}" for c in columns[1:])
    con.execute(
        f"""
        create or replace temp table _known_{name} as
        select {key} from {name} where {key} in (select {key} from _stage_{name})
        """
    )
    ((staged,),) = con.sql(f"select count(*) from _stage_{name}").fetchall()
    ((existing,),) = con.sql(f"select count(*) from _known_{name}").fetchall()
    updated = 0
    if existing:
        ((updated,),) = con.sql(
            f"""
            select count(*)
            from (select * from _stage_{name} where {key} in (select {key} from _known_{name})) as s
            join {name} as t on t.{key} = s.{key}
            where {changed}
            """
        ).fetchall()
    if updated:
        assignments = ", ".join(f"{c} = s.{c}" for c in columns[1:])
        con.execute(
            f"""
            update {name} as t set {assignments}
            from (select * from _stage_{name} where {key} in (select {key} from _known_{name})) as s
            where t.{key} = s.{key} and ({changed})
            """
        )
    if staged > existing:
        con.execute(
            f"""
            insert into {name} ({", ".join(columns)})
            select {", ".join(f"s.{c}" for c in columns)}
            from _stage_{name} as s
            where s.{key} not in (select {key} from _known_{name})
            """
        )
    con.execute(f"drop table _known_{name}")
    return TableCounts(inserted=staged - existing, updated=updated, unchanged=existing - updated)


# The timestamps that move exported_at (sql/contract/exported_at.sql): the events, not reps' dates.
_EVENTS = {
    "leads": ("created_at", "mql_at", "sql_at"),
    "activities": ("occurred_at",),
    "deals": ("created_at", "closed_at"),
}


def _newest(con: duckdb.DuckDBPyConnection, staged: list[str]) -> str | None:
    """The newest event among the staged rows of the tables ``staged``, for ``exported_at``.

    Called after the rows are written. A history that records no ``exported_at`` yet (made outside
    ``slanb ingest``) is read whole instead.
    """
    recorded = con.sql("select 1 from slanb_meta where key = 'exported_at'").fetchall()
    if recorded:
        sources = {f"_stage_{name}": _EVENTS[name] for name in staged if name in _EVENTS}
    else:
        sources = dict(_EVENTS)
    if not sources:
        return None
    events = [f"(select max(greatest({', '.join(c)})) from {t})" for t, c in sources.items()]
    ((newest,),) = con.sql(f"select cast(greatest({', '.join(events)}) as varchar)").fetchall()
    return newest


# --- writing in place ---------------------------------------------------------------------------

READERS_WAIT = 10.0  # seconds an import waits for other processes to close the history


@contextmanager
def _writing_in_place(con: duckdb.DuckDBPyConnection, target: Path) -> Iterator[bool]:
    """Re-attach ``target`` (attached read-only as ``history`` on ``con``) for writing, if it can be.

    Yields True with ``history`` writable, or False with it detached when another process keeps the
    file open past :data:`READERS_WAIT` (DuckDB lets one process write a file only when no other has
    it open) or this process has it open elsewhere. Meanwhile the import holds the history's gate
    (:func:`slanb.store.db.import_gate`): slanb connections opening the file wait for the block to
    end, so they see the history before or after the import, and cannot keep the import waiting.
    """
    with import_gate(target):
        _detach(con)
        if not _attach_writable(con, target):
            yield False
            return
        try:
            yield True
        except BaseException:
            # The write failed: its own error is the one to report, not what detaching then says.
            with contextlib.suppress(duckdb.Error):
                _detach(con)
            raise
        _detach(con)  # DuckDB folds what is left in its log into the file


def _attach_writable(con: duckdb.DuckDBPyConnection, target: Path) -> bool:
    """Attach ``target`` as the writable ``history``, waiting up to :data:`READERS_WAIT` for readers."""
    deadline = time.monotonic() + READERS_WAIT
    pause = 0.002
    while True:
        try:
            con.execute("attach ? as history", [str(target)])
        except (
            duckdb.ResourceInUseException
        ):  # open in this process, which cannot close it meanwhile
            return False
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(2 * pause, 0.05)
            continue
        con.execute("use history")
        return True


def _detach(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("use memory")
    con.execute("detach history")


# --- publishing: a copy is written, then swapped in --------------------------------------------

_WORK_PREFIX = "."  # the working copy is hidden beside the history: .history.duckdb.PID.ingest
LOCK_TIMEOUT = 600.0  # seconds an import waits for another one writing in the same folder


@contextmanager
def _writer_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on the history's folder: one import writes there at a time.

    The lock is ``flock`` on the folder itself, so it leaves no file behind and is released when the
    process ends, however it ends. Under the lock, working copies a killed import left are removed.
    """
    busy = (
        f"Another `slanb ingest` has been writing in {target.parent} for over "
        f"{LOCK_TIMEOUT:.0f}s. Wait for it to finish (or stop it) and run `slanb ingest` again."
    )
    with exclusive_lock(target.parent, busy=busy, timeout=LOCK_TIMEOUT):
        prefix = f"{_WORK_PREFIX}{target.name}."
        for leftover in target.parent.iterdir():
            if leftover.name.startswith(prefix) and ".ingest" in leftover.name[len(prefix) :]:
                leftover.unlink(missing_ok=True)
        yield


def _copy_history(target: Path, work: Path) -> None:
    """Copy the history to ``work``, the file the import then writes.

    A read-only connection is held while copying: DuckDB's file lock then keeps any other writer
    out, so the copy is a consistent state. A write-ahead log left by a writer that stopped is first
    folded into the file, which needs the file to itself for a moment.
    """
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        try:
            with connect(target, read_only=False) as con:
                con.execute("checkpoint")
        except SlanbError as exc:
            msg = (
                f"{target} has a write-ahead log ({wal.name}) left by a process that stopped while "
                "writing; slanb must fold it into the history first, which needs the file to "
                "itself. Close every notebook or program that has it open and run `slanb ingest` "
                "again."
            )
            raise SlanbError(msg) from exc
    with connect(target):  # read-only: a consistent file while it is copied
        try:
            shutil.copyfile(target, work)
            shutil.copymode(target, work)
        except OSError as exc:
            size = target.stat().st_size / 1e6
            msg = (
                f"Cannot copy {target} to {work.name} beside it: {exc.strerror or exc}. An import "
                f"writes a copy of the history in its folder and then swaps it in, so the folder "
                f"needs write access and room for one more copy ({size:,.1f} MB). "
                f"{target} is unchanged."
            )
            raise SlanbError(msg) from exc


def _publish(work: Path, target: Path) -> None:
    """Move the finished working copy over the history in one rename, durably.

    Readers that have the old file open keep reading it until they close it; every new connection
    opens the new one. Until the rename the history is the old state, after it the new one.
    """
    wal = work.with_name(work.name + ".wal")
    if wal.exists():  # a closed DuckDB file has no log; if one is there, it holds unwritten rows
        msg = (
            f"Cannot publish {work}: DuckDB could not write every imported row into it and left "
            f"{wal.name} beside it (is the disk full?); {target} is unchanged. Free some space "
            "and run `slanb ingest` again."
        )
        raise SlanbError(msg)
    try:
        replace_durably(work, target)
    except OSError as exc:
        msg = (
            f"Cannot move the imported copy over {target}: {exc.strerror or exc}. It is unchanged."
        )
        raise SlanbError(msg) from exc


def _is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` is a DuckDB database file (its header carries the magic bytes DUCK)."""
    if not path.is_file():
        return False
    return _peek(path, 12)[8:12] == b"DUCK"


def _remove_database(path: Path) -> None:
    """Delete a history this run created, with the write-ahead log DuckDB keeps beside it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    spill = path.with_name(path.name + ".tmp")  # DuckDB's temporary folder, if it spilled there
    if spill.is_dir():
        shutil.rmtree(spill, ignore_errors=True)
