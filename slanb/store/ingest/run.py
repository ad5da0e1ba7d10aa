"""Import a CRM export folder into the history: check everything, then upsert it into a copy.

The export folder holds ``leads`` (required) and optionally ``activities``, ``deals`` and ``reps``,
each as ``NAME.csv`` (comma-separated, UTF-8, with a header row) or ``NAME.parquet``. DuckDB reads
every file into a temporary staging table (CSV as text, so that a bad value is reported with its
row instead of failing the read), every rule of the data contract is checked in SQL, and only when
no problem is left are the rows upserted by id, all tables in one transaction, into a copy of the
history that then replaces it in one rename (see :func:`ingest`)::

    report = ingest("exports/2026-11", db="data/history.duckdb")
    print(report.format())  # leads: 120 inserted, 3 updated, 877 unchanged ...

Timestamps are ISO 8601: one with an offset is converted to UTC, one without is read as UTC. Dates
are YYYY-MM-DD. Rows are numbered as a spreadsheet shows them: the header is row 1, the first data
row is row 2 (Parquet rows are numbered the same way, as if the file had a header row).

The SQL here depends on which columns each file has, so it is generated from :data:`_CONTRACT`
instead of living in ``.sql`` files; the one fixed query is ``sql/ingest_exported_at.sql``.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from slanb.errors import SlanbError
from slanb.paths import project_root, resolve_path
from slanb.store.db import connect, create_schema, load_sql, upgrade_schema
from slanb.store.ingest.checks import IngestError, _validate
from slanb.store.ingest.contract import _CONTRACT, _EXPECTED_FILES
from slanb.store.ingest.read import _NotDirect, _stage, _Staged
from slanb.store.ingest.write import (
    _WORK_PREFIX,
    READERS_WAIT,
    TableCounts,
    _copy_history,
    _is_duckdb_file,
    _newest,
    _publish,
    _remove_database,
    _upsert,
    _writer_lock,
    _writing_in_place,
)

_StageFn = Callable[[duckdb.DuckDBPyConnection], tuple[list[_Staged], list, list[str]]]


@dataclass(frozen=True)
class IngestReport:
    """What an import did: per table, the rows inserted, updated and unchanged.

    ``files`` and ``tables`` hold only the tables the export had a file for; ``ignored_columns``
    maps a file name to its columns beyond the data contract (in file order), for files with any.
    ``exported_at`` is the instant the history is now complete up to (naive UTC).
    """

    folder: Path
    db: Path
    files: dict[str, str]
    tables: dict[str, TableCounts]
    ignored_columns: dict[str, tuple[str, ...]]
    exported_at: datetime | None
    notes: tuple[str, ...] = ()  # what a source import read, dropped and decided, in its words

    def format(self) -> str:
        """A few readable lines, one per table."""
        lines = [f"Imported {self.folder} into {self.db}"]
        lines += list(self.notes)
        for table in _CONTRACT:
            counts = self.tables.get(table.name)
            if counts is None:
                lines.append(f"{table.name}: no file in the export, left as it was")
            else:
                lines.append(
                    f"{table.name}: {counts.inserted:,} inserted, {counts.updated:,} updated, "
                    f"{counts.unchanged:,} unchanged"
                )
        for file, columns in self.ignored_columns.items():
            lines.append(f"{file}: ignored columns not in the data contract: {', '.join(columns)}")
        if self.exported_at is not None:
            lines.append(f"exported_at: {self.exported_at.isoformat(sep=' ')} UTC")
        return "\n".join(lines)


def ingest(
    folder: str | os.PathLike[str],
    *,
    db: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | None = None,
) -> IngestReport:
    """Check the export in ``folder`` against the data contract, then upsert it into ``db``.

    Creates ``db`` with the contract schema if it does not exist. Any problem raises
    :class:`IngestError` listing all of them and leaves ``db`` as it was (or not created).
    Importing the same export twice changes nothing the second time. Relative paths are read from
    the project folder, as everywhere in slanb (:func:`slanb.paths.resolve_path`).

    The import writes a copy of ``db`` beside it and renames the copy over ``db`` once it is
    complete: a reader never waits for it and never sees half an import, and a killed import
    leaves ``db`` as it was. One import at a time writes in a folder (:data:`LOCK_TIMEOUT`).

    With ``mapping`` (a mapping file, see docs/crm.md) ``folder`` is a CRM's own export (HubSpot,
    Salesforce): the source reads it into the same staging tables, and the same checks and
    writing follow.
    """
    source = resolve_path(folder)
    if mapping is None:
        files = _find_files(source, given=folder)

        def stage(
            con: duckdb.DuckDBPyConnection, *, direct: bool = False
        ) -> tuple[list[_Staged], list, list[str]]:
            tables = [t for t in _CONTRACT if t.name in files]
            if direct:
                return [_stage(con, t, files[t.name], direct=True) for t in tables], [], []
            return [_stage(con, t, files[t.name]) for t in tables], [], []

        direct: _StageFn | None = functools.partial(stage, direct=True)
    else:
        from slanb.store.sources import plan_source  # the sources build on this package

        if not source.is_dir():
            msg = f"No export folder at {source}{_relative_note(folder)}."
            raise SlanbError(msg)
        files, stage = plan_source(source, mapping, is_file=_export_file)
        direct = None
    target = resolve_path(db)
    created = not target.exists()
    if created and not target.parent.is_dir():
        msg = f"Cannot create {target}: the folder {target.parent} does not exist. Create it first."
        raise SlanbError(msg)
    if not created and not _is_duckdb_file(target):
        msg = (
            f"{target} is not a history file (not a DuckDB database). Give the path of the history "
            "to update, or of a new file to create, like data/history.duckdb."
        )
        raise SlanbError(msg)
    with _writer_lock(target):
        created = not target.exists()  # another import may have created it while we waited
        work = target.with_name(f"{_WORK_PREFIX}{target.name}.{os.getpid()}.ingest")
        try:
            _check_writable(work, target=target)
            if created:
                report = _into_new_file(work, files, stage, folder=source, db=target, direct=direct)
            else:
                report = _into_history(work, files, stage, folder=source, db=target)
        finally:
            _remove_database(work)
    return report


def _into_new_file(
    work: Path,
    files: dict[str, Path],
    stage: _StageFn,
    *,
    folder: Path,
    db: Path,
    direct: _StageFn | None = None,
) -> IngestReport:
    """The first import: write a new file beside ``db``, then rename it into place.

    With ``direct`` (an export of the contract's files), each Parquet file whose columns all fit is
    read once, straight into its table, and checked there
    (:func:`slanb.store.ingest.read._stage_parquet`); the other files are staged as usual. The new
    file is only renamed into place once every check has passed, so a refused export still leaves
    no history. If an insert fails there (a value the schema's constraints refuse, say), the new
    file is removed and written again the usual way, which names every problem.
    """
    if direct is not None:
        try:
            return _new_file(work, files, direct, folder=folder, db=db)
        except _NotDirect:
            _remove_database(work)
    return _new_file(work, files, stage, folder=folder, db=db)


def _new_file(
    work: Path, files: dict[str, Path], stage: _StageFn, *, folder: Path, db: Path
) -> IngestReport:
    """Write the new file ``work``: the schema, the export's rows and ``exported_at``."""
    try:
        with connect(work, read_only=False) as con:
            create_schema(con)
            staged, notes = _read_and_check(con, files, stage, folder=folder, db=db, created=True)
            report = _write(con, staged, notes, folder=folder, db=db, how=())
    except (duckdb.IOException, duckdb.FatalException, OSError) as exc:
        # Reading the export turns its own errors into SlanbError: this one is a write (a full
        # disk, a quota, a file-size limit) of the new file, which is then removed.
        raise SlanbError(_cannot_write(db, created=True, exc=exc)) from exc
    _publish(work, db)
    return report


def _into_history(
    work: Path, files: dict[str, Path], stage: _StageFn, *, folder: Path, db: Path
) -> IngestReport:
    """Import into the existing history ``db``: in place when no other process holds it open.

    The export is read and checked on a read-only connection (readers share the file meanwhile);
    then the history is written in place in one transaction, or, if another process keeps it open
    past READERS_WAIT, into a copy renamed over it.
    """
    with connect(db, as_current=False) as con:  # also says so if it is not a slanb history
        staged, notes = _read_and_check(con, files, stage, folder=folder, db=db, created=False)
        with _writing_in_place(con, db) as in_place:
            if in_place:
                try:
                    return _write(con, staged, notes, folder=folder, db=db, how=_IN_PLACE)
                except (duckdb.IOException, duckdb.FatalException, OSError) as exc:
                    raise SlanbError(_cannot_write_in_place(db, exc=exc)) from exc
        # Another process has the history open: write a copy and rename it over the history.
        _copy_history(db, work)
        try:
            con.execute("attach ? as history", [str(work)])
            con.execute("use history")
            upgrade_schema(con)  # a version-1 history gains version 2's optional columns, empty
            report = _write(con, staged, notes, folder=folder, db=db, how=_AS_A_COPY)
            con.execute("use memory")
            con.execute("detach history")
        except (duckdb.IOException, duckdb.FatalException, OSError) as exc:
            raise SlanbError(_cannot_write(db, created=False, exc=exc)) from exc
    _publish(work, db)
    return report


_IN_PLACE = ("Written in place, in one transaction.",)
_AS_A_COPY = (
    "Written into a copy of the history renamed over it: another program kept the history open "
    f"for more than {READERS_WAIT:.0f}s (a notebook holding duckdb.connect?).",
)


def _check_writable(work: Path, *, target: Path) -> None:
    """Refuse a history folder the import cannot write in, before anything is read."""
    try:
        fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        outcome = "no history was created" if not target.exists() else f"{target} is unchanged"
        msg = (
            f"Cannot write in {target.parent}: {exc.strerror or exc}; {outcome}. An import writes a "
            "new copy of the history beside it and renames it over the history, so it needs write "
            "access to the folder, not only to the file. Fix the folder's permissions (or give "
            "--db a path in a folder you can write) and run `slanb ingest` again."
        )
        raise SlanbError(msg) from exc
    os.close(fd)
    work.unlink()


def _cannot_write(target: Path, *, created: bool, exc: BaseException) -> str:
    """The one line an import says when writing its copy of the history failed."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    outcome = f"no history was created at {target}" if created else f"{target} is unchanged"
    size = 0.0 if created else target.stat().st_size / 1e6
    return (
        f"The import could not write its copy of the history beside {target} ({reason}); "
        f"{outcome}. An import needs room in {target.parent} for one more copy of the history "
        f"({size:,.1f} MB) and the imported rows: free some space (or raise the quota) and run "
        "`slanb ingest` again."
    )


def _cannot_write_in_place(target: Path, *, exc: BaseException) -> str:
    """The one line an import says when writing the history in place failed (rolled back)."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    return (
        f"The import could not write the imported rows into {target} ({reason}); {target} is "
        f"unchanged (the transaction was rolled back). An import needs room in {target.parent} "
        "for the imported rows: free some space (or raise the quota) and run `slanb ingest` again."
    )


def _find_files(folder: Path, *, given: str | os.PathLike[str]) -> dict[str, Path]:
    if not folder.is_dir():
        msg = f"No export folder at {folder}{_relative_note(given)}. Expected a folder holding "
        msg += f"{_EXPECTED_FILES}."
        raise SlanbError(msg)
    files: dict[str, Path] = {}
    both = []
    for table in _CONTRACT:
        candidates = (folder / f"{table.name}.csv", folder / f"{table.name}.parquet")
        found = [p for p in candidates if _export_file(p)]
        if len(found) == 2:
            both.append(table.name)
        elif found:
            files[table.name] = found[0]
    if both:
        names = ", ".join(f"{t}.csv and {t}.parquet" for t in both)
        msg = f"{folder} has both {names}; keep one file per table and run `slanb ingest` again."
        raise SlanbError(msg)
    if "leads" not in files:
        present = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        seen = f"It holds {', '.join(present)}." if present else "It is empty."
        msg = f"No leads file in {folder}. {seen} Expected {_EXPECTED_FILES}."
        raise SlanbError(msg)
    return files


def _export_file(path: Path) -> bool:
    """Whether the export has the file ``path``; anything else by that name is a clear error.

    A symbolic link to a file is read as that file. A folder, a link to nothing, a link that
    loops and anything that is not a regular file (a pipe, a device) are refused by name.
    """
    try:
        path.lstat()
    except FileNotFoundError:
        return False
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            msg = (
                f"{path} is a symbolic link that loops (it leads back to itself); replace it "
                "with the exported file, or remove it, and run `slanb ingest` again."
            )
        elif isinstance(exc, FileNotFoundError):
            msg = (
                f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; point it "
                "at the exported file, or remove it, and run `slanb ingest` again."
            )
        else:
            msg = (
                f"Cannot read {path}: {exc.strerror or exc}. Check it and run `slanb ingest` again."
            )
        raise SlanbError(msg) from exc
    if stat.S_ISDIR(info.st_mode):
        msg = (
            f"{path} is a folder, not a file; an export holds {path.name} as a file. Rename or "
            "move the folder, and run `slanb ingest` again."
        )
        raise SlanbError(msg)
    if not stat.S_ISREG(info.st_mode):
        msg = (
            f"{path} is not a regular file (a pipe or a device?); save the export as files, and "
            "run `slanb ingest` again."
        )
        raise SlanbError(msg)
    return True


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a file is rewritten or replaced: size, mtime (ns), inode and device."""
    try:
        info = path.stat()
    except OSError:  # removed meanwhile
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev


def _relative_note(given: str | os.PathLike[str]) -> str:
    """Why a relative path was not looked up in the current directory, when that matters."""
    if Path(given).expanduser().is_absolute() or project_root() == Path.cwd().resolve():
        return ""
    return (
        f" (a relative path is read from the slanb project folder {project_root()}, not the "
        "current directory; give an absolute path)"
    )


def _read_and_check(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    stage: _StageFn,
    *,
    folder: Path,
    db: Path,
    created: bool,
) -> tuple[list[_Staged], list[str]]:
    """Stage every file and check every rule of the contract; raise listing every problem."""
    # A file rewritten while it is read could be staged half old, half new: each file's identity is
    # taken before any is read and compared once all are staged (when a CRM export job is still
    # writing the folder, the files would not match each other either).
    before = {name: _identity(path) for name, path in files.items()}
    staged, refused, notes = stage(con)
    for name, path in files.items():
        if _identity(path) != before[name]:
            msg = (
                f"{path} changed while it was being read; nothing was imported and {db} is "
                "unchanged. Wait until the export is complete and run `slanb ingest` again."
            )
            raise SlanbError(msg)
    if refused:  # a source export broken in its own terms: the contract rules would only echo it
        raise IngestError(refused, folder=folder, db=db, created=created)
    problems = _validate(con, staged, history=not created)
    if problems:
        raise IngestError(problems, folder=folder, db=db, created=created)
    return staged, notes


def _write(
    con: duckdb.DuckDBPyConnection,
    staged: list[_Staged],
    notes: list[str],
    *,
    folder: Path,
    db: Path,
    how: tuple[str, ...],
) -> IngestReport:
    """Upsert every staged table into ``history`` and move ``exported_at``, in one transaction.

    A table a new history's file was read straight into (``_Staged.written``) is only counted.
    """
    con.begin()
    try:
        upgrade_schema(con)  # a version-1 history gains version 2's optional columns, empty
        counts = {
            s.table.name: _upsert(con, s.table, s.present)
            if s.written is None
            else TableCounts(inserted=s.written, updated=0, unchanged=0)
            for s in staged
        }
        newest = _newest(con, [s.table.name for s in staged])
        con.execute(load_sql("contract/exported_at"), {"newest": newest})
        rows = con.sql("select value from slanb_meta where key = 'exported_at'").fetchall()
        con.commit()
    except BaseException:
        with contextlib.suppress(
            duckdb.Error
        ):  # after a fatal write error there is nothing to undo
            con.rollback()
        raise
    # Write every row into the file now, so a full disk is an error here rather than a log that
    # closing the connection leaves behind (which _publish would refuse, less clearly).
    con.execute("checkpoint")
    return IngestReport(
        folder=folder,
        db=db,
        files={s.table.name: s.file for s in staged},
        tables=counts,
        ignored_columns={s.file: s.ignored for s in staged if s.ignored},
        exported_at=datetime.fromisoformat(rows[0][0]) if rows else None,
        notes=(*notes, *how),
    )
