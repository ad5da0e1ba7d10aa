"""Writing an import: upsert by id into a copy of the history, then swap the copy in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from slanb._files import exclusive_lock, replace_durably
from slanb.errors import SlanbError
from slanb.store.db import connect
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
    unique by id.
    """
    name, key = table.name, table.key
    columns = [
        c.name
        for c in table.columns
        if present is None or c.name in present or not c.optional_header
    ]
    changed = " or ".join(f"s.{c} is distinct from t.{c}" for c in columns[1:])
    ((staged, existing, updated),) = con.sql(
        f"""
        select count(*), count(t.{key}), count(*) filter (where t.{key} is not null and ({changed}))
        from _stage_{name} as s
        left join {name} as t on t.{key} = s.{key}
        """
    ).fetchall()
    if updated:
        assignments = ", ".join(f"{c} = s.{c}" for c in columns[1:])
        con.execute(
            f"""
            update {name} as t set {assignments}
            from _stage_{name} as s
            where t.{key} = s.{key} and ({changed})
            """
        )
    if staged > existing:
        con.execute(
            f"""
            insert into {name} ({", ".join(columns)})
            select {", ".join(f"s.{c}" for c in columns)}
            from _stage_{name} as s
            where not exists (select 1 from {name} as t where t.{key} = s.{key})
            """
        )
    return TableCounts(inserted=staged - existing, updated=updated, unchanged=existing - updated)


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
    with path.open("rb") as f:
        return f.read(12)[8:12] == b"DUCK"


def _remove_database(path: Path) -> None:
    """Delete a history this run created, with the write-ahead log DuckDB keeps beside it."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    spill = path.with_name(path.name + ".tmp")  # DuckDB's temporary folder, if it spilled there
    if spill.is_dir():
        shutil.rmtree(spill, ignore_errors=True)
