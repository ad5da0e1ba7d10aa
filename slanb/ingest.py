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

import csv
import fcntl
import os
import re
import shutil
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import duckdb

from slanb.db import connect, create_schema, load_sql, project_root, resolve_path
from slanb.errors import SlanbError

Kind = Literal["text", "timestamp", "date", "number"]


@dataclass(frozen=True)
class _Column:
    name: str
    kind: Kind = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Table:
    name: str
    noun: str
    columns: tuple[_Column, ...]

    @property
    def key(self) -> str:
        return self.columns[0].name


# The data contract of sql/schema.sql as the checks need it; the first column is the id.
_CONTRACT = (
    _Table(
        "leads",
        "lead",
        (
            _Column("lead_id", required=True),
            _Column("created_at", "timestamp", required=True),
            _Column("mql_at", "timestamp"),
            _Column("sql_at", "timestamp"),
            _Column("owner_id"),
            _Column("intent", allowed=("hand_raiser", "other")),
            _Column("fit", allowed=("A", "B", "C")),
            _Column("source"),
        ),
    ),
    _Table(
        "activities",
        "activity",
        (
            _Column("activity_id", required=True),
            _Column("lead_id", required=True),
            _Column("rep_id"),
            _Column("kind", required=True),
            _Column("occurred_at", "timestamp", required=True),
        ),
    ),
    _Table(
        "deals",
        "deal",
        (
            _Column("deal_id", required=True),
            _Column("lead_id", required=True),
            _Column("created_at", "timestamp", required=True),
            _Column("closed_at", "timestamp"),
            _Column("stage", required=True, allowed=("open", "won", "lost")),
            _Column("amount", "number", required=True),
        ),
    ),
    _Table(
        "reps",
        "rep",
        (
            _Column("rep_id", required=True),
            _Column("name", required=True),
            _Column("team"),
            _Column("start_date", "date"),
            _Column("end_date", "date"),
        ),
    ),
)
_TABLES = {t.name: t for t in _CONTRACT}
_SQL_TYPES = {"text": "varchar", "timestamp": "timestamp", "date": "date", "number": "double"}
_EXPECTED_FILES = (
    "leads.csv or leads.parquet, and optionally activities, deals and reps (.csv or .parquet)"
)

# ISO 8601 as exports write it: a date, optionally a time, optionally an offset (Z, +02, +0200,
# +02:00). DuckDB's own cast is laxer (it takes '2025-7-1' and time zone names), hence the pattern.
_TIMESTAMP_PATTERN = (
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?"
)
_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
# A plain decimal number: 1234.50, -3, .5, 1e6. No thousands separators ('1,200', '1_200', '1 200')
# and no currency, which DuckDB's cast would partly take.
_NUMBER_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_NUMERIC_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE"}
_NUMERIC_TYPES |= {"U" + t for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")}

_NOT_A_TIMESTAMP = (
    "is not an ISO 8601 timestamp (like 2025-07-01T09:30:00+02:00, or 2025-07-01 09:30:00 for UTC)"
)
_NOT_A_DATE = "is not a date written YYYY-MM-DD"
_NOT_A_NUMBER = "is not a number (write it like 1234.50, without currency or thousands separators)"
_ROW_NOTE = "Rows are numbered as a spreadsheet shows them: the header is row 1."
_TALLY_ABOVE = 20  # problems; past a screenful, the error also counts them per column


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an export: where it is, the value found, and what is wrong.

    ``row`` counts the header as row 1 and is ``None`` for a problem with a whole file or its
    header; ``column`` is ``None`` for a problem with a whole row; ``value`` is the text found
    (``None`` when the cell is empty). ``message`` is the sentence shown after the location.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class IngestError(SlanbError):
    """An export that breaks the data contract; ``problems`` lists every problem found.

    Raised before anything is written, so the history is exactly as it was.
    """

    def __init__(
        self, problems: Sequence[Problem], *, folder: Path, db: Path, created: bool
    ) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        outcome = f"no history was created at {db}" if created else f"{db} is unchanged"
        lines = [f"The export in {folder} has {n:,} problem{'s' if n != 1 else ''}; {outcome}:"]
        lines += [f"  {p}" for p in self.problems]
        if n > _TALLY_ABOVE:
            lines.append(f"Problems per column: {_tally(self.problems)}.")
        lines.append(_ROW_NOTE)
        short = {p.file for p in self.problems if p.row is None and p.column is not None}
        for file in sorted(short, key=_file_order):
            table = _TABLES[Path(file).stem]
            names = ", ".join(c.name for c in table.columns)
            lines.append(f"The columns {file} must have (in any order): {names}.")
        lines.append(
            "Fix these in the export (or in the CRM, then export again) and run `slanb ingest` again."
        )
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class TableCounts:
    """What an import did to one table."""

    inserted: int
    updated: int
    unchanged: int


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

    def format(self) -> str:
        """A few readable lines, one per table."""
        lines = [f"Imported {self.folder} into {self.db}"]
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


def ingest(folder: str | os.PathLike[str], *, db: str | os.PathLike[str]) -> IngestReport:
    """Check the export in ``folder`` against the data contract, then upsert it into ``db``.

    Creates ``db`` with the contract schema if it does not exist. Any problem raises
    :class:`IngestError` listing all of them and leaves ``db`` as it was (or not created).
    Importing the same export twice changes nothing the second time. Relative paths are read from
    the project folder, as everywhere in slanb (:func:`slanb.db.resolve_path`).

    The import writes a copy of ``db`` beside it and renames the copy over ``db`` once it is
    complete: a reader never waits for it and never sees half an import, and a killed import
    leaves ``db`` as it was. One import at a time writes in a folder (:data:`LOCK_TIMEOUT`).
    """
    source = resolve_path(folder)
    files = _find_files(source, given=folder)
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
            if not created:  # also says so if it is not a slanb history of this version
                _copy_history(target, work)
            with connect(work, read_only=False) as con:
                if created:
                    create_schema(con)
                report = _import(con, files, folder=source, db=target, created=created)
            _publish(work, target)
        finally:
            _remove_database(work)
    return report


def _find_files(folder: Path, *, given: str | os.PathLike[str]) -> dict[str, Path]:
    if not folder.is_dir():
        msg = f"No export folder at {folder}{_relative_note(given)}. Expected a folder holding "
        msg += f"{_EXPECTED_FILES}."
        raise SlanbError(msg)
    files: dict[str, Path] = {}
    both = []
    for table in _CONTRACT:
        candidates = (folder / f"{table.name}.csv", folder / f"{table.name}.parquet")
        found = [p for p in candidates if p.is_file()]
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


def _relative_note(given: str | os.PathLike[str]) -> str:
    """Why a relative path was not looked up in the current directory, when that matters."""
    if Path(given).expanduser().is_absolute() or project_root() == Path.cwd().resolve():
        return ""
    return (
        f" (a relative path is read from the slanb project folder {project_root()}, not the "
        "current directory; give an absolute path)"
    )


def _import(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    *,
    folder: Path,
    db: Path,
    created: bool,
) -> IngestReport:
    staged = [_stage(con, table, files[table.name]) for table in _CONTRACT if table.name in files]
    problems = _validate(con, staged)
    if problems:
        raise IngestError(problems, folder=folder, db=db, created=created)
    con.begin()
    try:
        counts = {s.table.name: _upsert(con, s.table) for s in staged}
        con.execute(load_sql("ingest_exported_at"))
        rows = con.sql("select value from slanb_meta where key = 'exported_at'").fetchall()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return IngestReport(
        folder=folder,
        db=db,
        files={s.table.name: s.file for s in staged},
        tables=counts,
        ignored_columns={s.file: s.ignored for s in staged if s.ignored},
        exported_at=datetime.fromisoformat(rows[0][0]) if rows else None,
    )


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Staged:
    """A file read into ``_stage_{table}``, with what its header and unreadable rows told us.

    The staging table has each contract column typed (NULL when empty, missing or unreadable) and,
    for a timestamp, date or number column ``c``, ``c__raw``: the text it was parsed from (NULL for
    Parquet columns that already had a fitting type). Its ``rowid`` follows the file's row order.
    """

    table: _Table
    file: str
    present: frozenset[str]
    ignored: tuple[str, ...]
    problems: tuple[Problem, ...]
    # Rows DuckDB could not read are not staged; for each, sorted, its data row index minus its
    # rank among them, which is all :meth:`row` needs to number the staged rows after it.
    skips: tuple[int, ...] = ()

    def row(self, rowid: int) -> int:
        """The spreadsheet row of the staged row ``rowid``."""
        idx = rowid + 1
        return idx + 1 + bisect_left(self.skips, idx)


def _stage(con: duckdb.DuckDBPyConnection, table: _Table, path: Path) -> _Staged:
    """Read one file into ``_stage_{table}``."""
    if path.suffix == ".csv":
        return _stage_csv(con, table, path)
    return _stage_parquet(con, table, path)


def _stage_csv(con: duckdb.DuckDBPyConnection, table: _Table, path: Path) -> _Staged:
    # The header is read here and the columns are given to DuckDB by position (c0, c1, ...): no
    # dialect sniffing to misread a broken file, no clash from odd or repeated header names.
    with path.open("rb") as f:
        start = f.read(4096)
    if b"\x00" in start:  # UTF-16 or -32 (Excel's "Unicode Text"), or a spreadsheet named .csv
        message = (
            "is not a UTF-8 text file (it is UTF-16, or a spreadsheet saved under a .csv name); "
            "save it as CSV UTF-8 (in Excel: CSV UTF-8)"
        )
        _create_stage(con, table, path, "select 1 where false", {})
        return _Staged(
            table, path.name, frozenset(), (), (Problem(path.name, None, None, None, message),)
        )
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        header = next(csv.reader(f), None)
    if not header:
        names = ", ".join(c.name for c in table.columns)
        problem = Problem(path.name, None, None, None, f"is empty; it needs a header row: {names}")
        _create_stage(con, table, path, "select 1 where false", {})
        return _Staged(table, path.name, frozenset(), (), (problem,))
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        message = (
            f"the header {_show(header[0])} is not comma-separated; save the file as CSV with "
            "commas between values"
        )
        _create_stage(con, table, path, "select 1 where false", {})
        return _Staged(
            table, path.name, frozenset(), (), (Problem(path.name, 1, None, None, message),)
        )
    positions, ignored, problems = _match_header(table, path.name, header)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    rejects = f"_rejects_{table.name}"
    rows = f"""
        select * from read_csv(
            $path, columns = {{{columns}}}, header = true, auto_detect = false,
            delim = ',', quote = '"', escape = '"',
            store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan'
        )
    """
    sources = {name: (f"c{i}", "VARCHAR") for name, i in positions.items()}
    _create_stage(con, table, path, rows, sources)

    unread = con.sql(
        f"""
        select line, column_name, error_type, csv_line, error_message
        from {rejects}
        qualify row_number() over (partition by line order by column_idx) = 1
        order by line
        """
    ).fetchall()
    names = {f"c{i}": name for i, name in enumerate(header)}
    for line, column, error_type, csv_line, error_message in unread:
        value = csv_line.rstrip("\r\n")
        message = f"{_show(value)} {_unreadable(error_type, error_message)}"
        column = names.get(column) if error_type == "INVALID ENCODING" else None
        problems.append(Problem(path.name, line, column, value, message))
    skips = tuple(line - 1 - rank for rank, (line, *_) in enumerate(unread, start=1))
    return _Staged(table, path.name, frozenset(positions), ignored, tuple(problems), skips)


def _unreadable(error_type: str, error_message: str) -> str:
    """What to say about a CSV row DuckDB's reader rejected."""
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", error_message)
    if error_type == "TOO MANY COLUMNS" and counts:
        return (
            f"has {counts[2]} values but the header has {counts[1]} columns "
            "(a value containing a comma must be in double quotes)"
        )
    if error_type == "MISSING COLUMNS" and counts:
        return f"has {counts[2]} values but the header has {counts[1]} columns"
    if error_type == "UNQUOTED VALUE":
        return (
            'has a double quote that is never closed (a quote inside a quoted value is written ""); '
            "the rows after it, up to the next quote, could not be read either"
        )
    if error_type == "INVALID ENCODING":
        return "is not valid UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8)"
    return f"could not be read: {error_message}"


def _stage_parquet(con: duckdb.DuckDBPyConnection, table: _Table, path: Path) -> _Staged:
    try:
        described = con.sql(
            "describe select * from read_parquet($path)", params={"path": str(path)}
        )
        schema = [(name, type_) for name, type_, *_ in described.fetchall()]
    except duckdb.Error as exc:
        msg = f"Cannot read {path} as Parquet: {exc}"
        raise SlanbError(msg) from exc
    header = [name for name, _ in schema]
    positions, ignored, problems = _match_header(table, path.name, header)
    sources = {name: (_quote_identifier(header[i]), schema[i][1]) for name, i in positions.items()}
    _create_stage(con, table, path, "select * from read_parquet($path)", sources)
    return _Staged(table, path.name, frozenset(positions), ignored, tuple(problems))


def _match_header(
    table: _Table, file: str, header: Sequence[str]
) -> tuple[dict[str, int], tuple[str, ...], list[Problem]]:
    """Where each contract column is in ``header`` (names match ignoring case and outer spaces)."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    contract = {c.name for c in table.columns}
    for i, raw in enumerate(header):
        name = raw.strip().lower()
        if name not in contract:
            ignored.append(raw.strip() or f"(unnamed column {i + 1})")
        elif name in positions:
            message = (
                f"is in the header twice (columns {positions[name] + 1} and {i + 1}); keep one"
            )
            problems.append(Problem(file, None, name, None, message))
        else:
            positions[name] = i
    for column in table.columns:
        if column.name not in positions:
            if column.required:
                message = f"missing from the header; every {table.noun} needs {_a(column.name)}"
            else:
                message = "missing from the header; add it, with empty values if there are none"
            problems.append(Problem(file, None, column.name, None, message))
    return positions, tuple(ignored), problems


def _create_stage(
    con: duckdb.DuckDBPyConnection,
    table: _Table,
    path: Path,
    rows: str,
    sources: dict[str, tuple[str, str]],
) -> None:
    """Create ``_stage_{table}`` (see :class:`_Staged`) from the query ``rows`` over ``path``.

    ``sources`` maps each contract column the file has to its column in ``rows`` and DuckDB type.
    """
    text_columns = []  # step 1: the text of each column, or the Parquet value of a fitting type
    typed_columns = []  # step 2: the typed value, and the raw text it came from
    for column in table.columns:
        name = column.name
        if name not in sources:
            typed_columns.append(f"cast(null as {_SQL_TYPES[column.kind]}) as {name}")
            if column.kind != "text":
                typed_columns.append(f"cast(null as varchar) as {name}__raw")
            continue
        ref, source_type = sources[name]
        native = _native(column.kind, f"{name}__src", source_type)
        if native is None:
            text = ref if source_type == "VARCHAR" else f"cast({ref} as varchar)"
            text_columns.append(f"{_trimmed(text)} as {name}__text")
            if column.kind == "text":
                typed_columns.append(f"{name}__text as {name}")
            else:
                typed_columns.append(f"{_parse(column.kind, name + '__text')} as {name}")
                typed_columns.append(f"{name}__text as {name}__raw")
        else:
            text_columns.append(f"{ref} as {name}__src")
            typed_columns.append(f"{native} as {name}")
            # Only a date stored as a timestamp can fail (when it is not at midnight).
            raw = f"cast({name}__src as varchar)" if column.kind == "date" else "null"
            typed_columns.append(f"cast({raw} as varchar) as {name}__raw")
    sql = f"""
        create temp table _stage_{table.name} as
        with source as ({rows}),
        text as (select {", ".join(text_columns) or "1 as _"} from source)
        select {", ".join(typed_columns)} from text
    """
    try:
        con.execute(sql, {"path": str(path)} if "$path" in rows else None)
    except duckdb.Error as exc:
        msg = f"Cannot read {path}: {exc}"
        raise SlanbError(msg) from exc


def _native(kind: Kind, ref: str, source_type: str) -> str | None:
    """SQL taking ``ref`` of type ``source_type`` (from Parquet) to ``kind``; None if it does not fit.

    A column that does not fit (a timestamp stored as text, say) is parsed from its text instead.
    """
    timestamp = source_type.startswith("TIMESTAMP")
    if kind == "timestamp" and (timestamp or source_type == "DATE"):
        return f"cast({ref} as timestamp)"  # a TIMESTAMP WITH TIME ZONE lands in UTC (TimeZone)
    if kind == "date" and source_type == "DATE":
        return ref
    if kind == "date" and timestamp:
        # pandas writes dates as timestamps at midnight; a later time of day is not a date.
        return f"case when cast({ref} as time) = time '00:00:00' then cast({ref} as date) end"
    if kind == "number" and (source_type in _NUMERIC_TYPES or source_type.startswith("DECIMAL")):
        return f"cast({ref} as double)"
    return None


def _trimmed(text: str) -> str:
    """SQL for ``text`` without outer spaces, NULL when blank.

    Only values that start or end with a space are trimmed: trimming every value of a 1M-row file
    costs more than parsing its timestamps.
    """
    return (
        f"nullif(case when {text} like ' %' or {text} like '% ' then trim({text}) "
        f"else {text} end, '')"
    )


def _parse(kind: Kind, text: str) -> str:
    """SQL parsing the trimmed text ``text`` as ``kind``; NULL when it does not parse."""
    if kind == "timestamp":
        # Through timestamptz: a direct cast to timestamp would drop the offset. TimeZone is UTC.
        return (
            f"case when regexp_full_match({text}, '{_TIMESTAMP_PATTERN}') "
            f"then try_cast(try_cast({text} as timestamptz) as timestamp) end"
        )
    if kind == "date":
        return f"case when regexp_full_match({text}, '{_DATE_PATTERN}') then try_cast({text} as date) end"
    return f"case when regexp_full_match({text}, '{_NUMBER_PATTERN}') then try_cast({text} as double) end"


# --- checking ------------------------------------------------------------------------------


def _validate(con: duckdb.DuckDBPyConnection, staged: list[_Staged]) -> list[Problem]:
    """Every problem in every staged file, in file, row and column order."""
    leads_have_ids = any(s.table.name == "leads" and "lead_id" in s.present for s in staged)
    problems: list[Problem] = []
    for s in staged:
        found = list(s.problems)
        checks = _checks(s, leads_have_ids=leads_have_ids)
        if checks:
            query = f"select * from ({' union all '.join(checks)}) order by rid, column_order"
            for rid, _, column, value, message, first in con.sql(query).fetchall():
                if first is not None:
                    message = f"{message} (first in row {s.row(first)})"
                if value is not None:
                    message = f"{_show(value)} {message}"
                found.append(Problem(s.file, s.row(rid), column, value, message))
        order = {c.name: i for i, c in enumerate(s.table.columns)}
        found.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
        problems += found
    return problems


_IN_THE_FUTURE = "is in the future (more than a day after this import); fix the row in the export"


def _latest_plausible() -> datetime:
    """A day after now (UTC): later timestamps are typos, not history."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)


def _checks(s: _Staged, *, leads_have_ids: bool) -> list[str]:
    """One select per rule: (rid, column_order, column, value, message, first rid of a duplicate)."""
    table = s.table
    stage = f"_stage_{table.name}"
    order = {c.name: i for i, c in enumerate(table.columns)}
    checks: list[str] = []

    def check(column: str, value: str, message: str, where: str) -> None:
        checks.append(
            f"select rowid as rid, {order[column]} as column_order, '{column}' as column_name, "
            f"cast({value} as varchar) as value, {message} as message, cast(null as bigint) "
            f"as first from {stage} where {where}"
        )

    def shown(name: str) -> str:
        # The text a value was read from, or for a Parquet value of a fitting type the value.
        return f"coalesce({name}__raw, cast({name} as varchar))"

    for column in table.columns:
        name = column.name
        if name not in s.present:
            continue
        is_empty = f"{name} is null" + (
            "" if column.kind == "text" else f" and {name}__raw is null"
        )
        if column.required:
            message = f"empty; every {table.noun} needs {_a(name)}"
            check(name, "null", _sql_text(message), is_empty)
        unreadable = f"{name}__raw is not null and {name} is null"
        if column.kind == "timestamp":
            check(name, f"{name}__raw", _sql_text(_NOT_A_TIMESTAMP), unreadable)
            # a typo such as 2052 would move exported_at (and so the default month) for good
            future = f"{name} > timestamp '{_latest_plausible():%Y-%m-%d %H:%M:%S}'"
            check(name, shown(name), _sql_text(_IN_THE_FUTURE), future)
        elif column.kind == "date":
            check(name, f"{name}__raw", _sql_text(_NOT_A_DATE), unreadable)
        elif column.kind == "number":
            unreadable = f"({unreadable}) or not isfinite({name})"
            check(name, shown(name), _sql_text(_NOT_A_NUMBER), unreadable)
            negative = f"{name} < 0 and isfinite({name})"
            check(name, shown(name), "'is negative; an amount must be 0 or more'", negative)
        if column.allowed:
            options = _one_of(column.allowed) + ("" if column.required else " (or leave it empty)")
            allowed = ", ".join(_sql_text(v) for v in column.allowed)
            message = f"is not a valid {name}: use {options}"
            check(name, name, _sql_text(message), f"{name} not in ({allowed})")

    if "lead_id" in s.present:
        # Lead ids are shown on the dashboard; an export keyed by e-mail would put addresses there.
        message = (
            "looks like an e-mail address; lead_id must be the CRM's record id (slanb shows lead "
            "ids on the dashboard and keeps no personal data)"
        )
        check("lead_id", "lead_id", _sql_text(message), "contains(lead_id, '@')")
    key = table.key
    if key in s.present:
        message = f"is used by another row too; each {table.noun} must appear once"
        checks.append(
            f"""
            select rid, {order[key]}, '{key}', {key}, {_sql_text(message)}, first
            from (
                select rowid as rid, {key}, min(rowid) over (partition by {key}) as first
                from {stage}
                where {key} in (select {key} from {stage} group by {key} having count(*) > 1)
            )
            where rid > first
            """
        )
    if table.name == "leads" and {"created_at", "mql_at"} <= s.present:
        message = (
            f"'is before created_at ''' || {shown('created_at')} "
            "|| '''; a lead cannot become an MQL before it exists'"
        )
        check("mql_at", shown("mql_at"), message, "mql_at < created_at")
    if table.name == "deals" and {"stage", "closed_at"} <= s.present:
        message = "'empty, but the deal is ' || stage || '; a won or lost deal needs a closed_at'"
        where = "stage in ('won', 'lost') and closed_at is null and closed_at__raw is null"
        check("closed_at", "null", message, where)
    if table.name in ("activities", "deals") and "lead_id" in s.present and leads_have_ids:
        message = "is not a lead_id in the leads file or in the history"
        where = (
            "lead_id not in (select lead_id from _stage_leads where lead_id is not null) "
            "and lead_id not in (select lead_id from leads)"
        )
        check("lead_id", "lead_id", _sql_text(message), where)
    return checks


# --- writing -------------------------------------------------------------------------------


def _upsert(con: duckdb.DuckDBPyConnection, table: _Table) -> TableCounts:
    """Update changed rows and insert new ids of ``table`` from its staging table; count them.

    Rows are compared on every contract column, NULL-safely; the staged rows are unique by id.
    """
    name, key = table.name, table.key
    columns = [c.name for c in table.columns]
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
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        waited = 0.0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waited >= LOCK_TIMEOUT:
                    msg = (
                        f"Another `slanb ingest` has been writing in {target.parent} for over "
                        f"{LOCK_TIMEOUT:.0f}s. Wait for it to finish (or stop it) and run "
                        "`slanb ingest` again."
                    )
                    raise SlanbError(msg) from None
                time.sleep(0.05)
                waited += 0.05
        prefix = f"{_WORK_PREFIX}{target.name}."
        for leftover in target.parent.iterdir():
            if leftover.name.startswith(prefix) and ".ingest" in leftover.name[len(prefix) :]:
                leftover.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)  # releases the lock


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
        msg = f"Cannot publish {work}: DuckDB left {wal.name} beside it. Nothing was changed."
        raise SlanbError(msg)
    try:
        with work.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(work, target)
    except OSError as exc:
        msg = (
            f"Cannot move the imported copy over {target}: {exc.strerror or exc}. It is unchanged."
        )
        raise SlanbError(msg) from exc
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself survives a power cut
    finally:
        os.close(fd)


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


# --- small helpers -------------------------------------------------------------------------


def _show(value: str, limit: int = 80) -> str:
    """``value`` quoted for a message, shortened when long."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return repr(value)


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _one_of(values: Sequence[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def _tally(problems: Sequence[Problem]) -> str:
    """How many problems each file and column has, most first: the shape of a long list."""
    counts: dict[str, int] = {}
    for p in problems:
        where = f"{p.file} {p.column}" if p.column else f"{p.file} (whole rows)"
        counts[where] = counts.get(where, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return ", ".join(f"{where} {count:,}" for where, count in ranked)


def _file_order(file: str) -> int:
    return [t.name for t in _CONTRACT].index(Path(file).stem)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
