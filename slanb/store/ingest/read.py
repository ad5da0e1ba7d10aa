"""Reading an export's files into typed staging tables (CSV as text, so a bad value keeps its row)."""

from __future__ import annotations

import csv
import io
import mmap
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from slanb.errors import SlanbError
from slanb.store.ingest.checks import Problem, _a, _show
from slanb.store.ingest.contract import (
    _DATE_PATTERN,
    _NUMBER_PATTERN,
    _NUMERIC_TYPES,
    _SQL_TYPES,
    _TIMESTAMP_PATTERN,
    Kind,
    _Table,
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
    # Rows already inserted into the table itself (a new history read from Parquet, see
    # :func:`_stage_parquet`); then ``_stage_{table}`` is a view of that table. None: staged only.
    written: int | None = None

    def row(self, rowid: int) -> int:
        """The spreadsheet row of the staged row ``rowid``."""
        idx = rowid + 1
        return idx + 1 + bisect_left(self.skips, idx)

    def locate(self, rowid: int, column: str | None) -> tuple[str, int | None, str | None]:
        """The file, row and column a problem with ``column`` of staged row ``rowid`` names.

        A contract file names itself; a source export (slanb.store.sources) names its own file,
        row and column.
        """
        return self.file, self.row(rowid), column


def _stage(
    con: duckdb.DuckDBPyConnection, table: _Table, path: Path, *, direct: bool = False
) -> _Staged:
    """Read one file into ``_stage_{table}`` (``direct``: see :func:`_stage_parquet`)."""
    try:
        if path.suffix == ".csv":
            return _stage_csv(con, table, path)
        return _stage_parquet(con, table, path, direct=direct)
    except OSError as exc:
        msg = f"Cannot read {path}: {exc.strerror or exc}. Check the file and run `slanb ingest` again."
        raise SlanbError(msg) from exc


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
        message = f"is empty; it needs a header row: {table.header_names}"
        problem = Problem(path.name, None, None, None, message)
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
        select line, line_byte_position, column_name, error_type, error_message
        from {rejects}
        qualify row_number() over (partition by line order by column_idx) = 1
        order by line
        """
    ).fetchall()
    names = {f"c{i}": name.strip() for i, name in enumerate(header)}
    for line, start, column, error_type, error_message in unread:
        # Only the offending cell is quoted, never the row: the rest of it may be an address.
        name = names.get(column)
        if error_type == "INVALID ENCODING" and name is not None:
            cell = _cell(path, start, int(column[1:]), len(header))
            shown = "" if cell is None else f"{_show(cell)} "
            message = f"{shown}is not valid UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8)"
            problems.append(Problem(path.name, line, name, cell, message))
            continue
        reason = _unreadable(error_type, error_message, column=name)
        problems.append(Problem(path.name, line, None, None, f"could not be read ({reason})"))
    blanks = _blank_rows(path)
    # Every data row DuckDB did not stage (unreadable or blank), as its spreadsheet row, sorted.
    gaps = sorted({line for line, *_ in unread} | set(blanks))
    skips = tuple(row - 1 - rank for rank, row in enumerate(gaps, start=1))
    return _Staged(table, path.name, frozenset(positions), ignored, tuple(problems), skips)


def _cell(path: Path, start: int, index: int, width: int) -> str | None:
    """Cell ``index`` of the CSV row at byte ``start`` of ``path`` (bad bytes shown as U+FFFD).

    None when the row does not split into ``width`` cells.
    """
    with path.open("rb") as f:
        f.seek(start)
        text = f.read(1 << 16).decode("utf-8", errors="replace")
    try:
        row = next((r for r in csv.reader(io.StringIO(text, newline="")) if r), None)
    except csv.Error:
        return None
    if row is None or len(row) != width:
        return None
    return row[index]


def _blank_rows(path: Path) -> list[int]:
    """The spreadsheet rows of the empty lines in the CSV at ``path``, which DuckDB skips.

    A spreadsheet shows an empty line as an empty row, so the rows after it keep their numbers
    only if it is counted. Most files have none: the file is scanned for two line breaks in a row
    first (fast), and parsed with :mod:`csv` only if it has some (a quoted value may hold them too).
    """
    if path.stat().st_size == 0:
        return []
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if not any(data.find(pair) >= 0 for pair in _empty_lines(data[: 1 << 16])):
            return []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return [row for row, cells in enumerate(csv.reader(f), start=1) if not cells and row > 1]


def _empty_lines(start: bytes) -> tuple[bytes, ...]:
    """What an empty line looks like in a file that begins with ``start``: one pass, not three.

    The first line break tells the file's kind (a file mixing kinds is refused when read); without
    one in ``start``, every kind is looked for.
    """
    lf, cr = start.find(b"\n"), start.find(b"\r")
    if lf >= 0 and cr == lf - 1:
        return (b"\n\r\n",)
    if lf >= 0 and (cr < 0 or cr > lf):
        return (b"\n\n",)
    if cr >= 0:
        return (b"\r\r",)
    return (b"\n\n", b"\n\r\n", b"\r\r")


def _unreadable(error_type: str, error_message: str, *, column: str | None) -> str:
    """Why DuckDB's reader rejected a CSV row, in words that quote nothing from the row."""
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", error_message)
    if error_type == "TOO MANY COLUMNS" and counts:
        return (
            f"it has {counts[2]} values but the header has {counts[1]} columns; a value containing "
            "a comma must be in double quotes"
        )
    if error_type == "MISSING COLUMNS" and counts:
        return f"it has {counts[2]} values but the header has {counts[1]} columns"
    if error_type == "UNQUOTED VALUE":
        where = f" in column {column}" if column else ""
        return (
            f"a double quote{where} is never closed (a quote inside a quoted value is written "
            '""); the rows after it, up to the next quote, could not be read either'
        )
    if error_type == "INVALID ENCODING":
        return "it is not valid UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8)"
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "it is longer than 2,000,000 bytes; no CRM record is, so the file is damaged"
    return _first_line(error_message)


def _first_line(error: object) -> str:
    """The first line of a DuckDB error, without any text it quotes from the file."""
    return str(error).strip().splitlines()[0].split("Original Line")[0].strip()


class _NotDirect(Exception):
    """A file read straight into its table could not be inserted there.

    A value its constraints refuse, or a write error: the import starts again the usual way, which
    stages the file and names every problem.
    """


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, table: _Table, path: Path, *, direct: bool = False
) -> _Staged:
    """Read one Parquet file into ``_stage_{table}``.

    ``direct`` (a new history, whose tables are empty): when no column needs the text it came from,
    the rows are inserted into ``table`` itself, once, and ``_stage_{table}`` is a view of it that
    the checks read like a staging table (its ``rowid`` is the file's row order, every ``__raw``
    NULL). The insert commits on its own (a transaction's own rows carry provisional row ids until
    it commits); the new file is renamed into place only once every check has passed. An insert
    that fails raises :class:`_NotDirect`.
    """
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
    kinds = {c.name: c.kind for c in table.columns}
    for name, i in list(positions.items()):
        nested = _nested(schema[i][1])
        if nested:  # cast to text it would be stored as '[1, 2]': refused, and read as missing
            message = f"is a {nested} in {path.name}; it must be {_KIND_WORDS[kinds[name]]}"
            problems.append(Problem(path.name, None, name, None, message))
            del positions[name]
    sources = {name: (_quote_identifier(header[i]), schema[i][1]) for name, i in positions.items()}
    # Every column of a fitting type, none a date stored as a timestamp: no value needs the text it
    # came from (every ``__raw`` is NULL), so the rows can go straight into the table.
    direct = (
        direct
        and not problems
        and all(
            _native(kinds[name], name, type_) is not None
            and not (kinds[name] == "date" and type_.startswith("TIMESTAMP"))
            for name, (_, type_) in sources.items()
            if kinds[name] != "text"
        )
    )
    written = _create_stage(
        con, table, path, "select * from read_parquet($path)", sources, direct=direct
    )
    return _Staged(
        table, path.name, frozenset(positions), ignored, tuple(problems), written=written
    )


_KIND_WORDS = {
    "text": "text",
    "timestamp": "a timestamp (or ISO 8601 text)",
    "date": "a date (or YYYY-MM-DD text)",
    "number": "a number",
}


def _nested(type_: str) -> str | None:
    """The name of a Parquet column's type if it holds several values (a LIST, STRUCT, ...)."""
    if type_.endswith("[]"):
        return "LIST"
    if type_.endswith("]"):
        return "ARRAY"
    for kind in ("STRUCT", "MAP", "UNION", "VARIANT"):
        if type_.startswith(kind):
            return kind
    return None


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
        if column.name not in positions and not column.optional_header:
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
    *,
    direct: bool = False,
) -> int | None:
    """Create ``_stage_{table}`` (see :class:`_Staged`) from the query ``rows`` over ``path``.

    ``sources`` maps each contract column the file has to its column in ``rows`` and DuckDB type.
    ``direct``: insert the rows into ``table`` instead and make ``_stage_{table}`` a view of it
    (:func:`_stage_parquet`); returns the rows inserted (None when only staged).
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
    query = f"""
        with source as ({rows}),
        text as (select {", ".join(text_columns) or "1 as _"} from source)
        select {", ".join(typed_columns)} from text
    """
    params = {"path": str(path)} if "$path" in rows else None
    if direct:
        names = [c.name for c in table.columns]
        raws = [
            f"cast(null as varchar) as {c.name}__raw" for c in table.columns if c.kind != "text"
        ]
        try:
            ((written,),) = con.execute(
                f"insert into {table.name} ({', '.join(names)}) "
                f"select {', '.join(names)} from ({query})",
                params,
            ).fetchall()
        except duckdb.Error as exc:
            raise _NotDirect from exc
        con.execute(
            f"create temp view _stage_{table.name} as "
            f"select rowid as rowid, {', '.join(names + raws)} from {table.name}"
        )
        return int(written)
    try:
        con.execute(f"create temp table _stage_{table.name} as {query}", params)
    except duckdb.Error as exc:
        # One line, and nothing of the file's text: DuckDB's CSV errors can quote whole rows.
        msg = (
            f"Cannot read {path}: {_first_line(exc).rstrip('.')}. Save it as CSV UTF-8 (commas between "
            "values, one kind of line ending) or Parquet, and run `slanb ingest` again."
        )
        raise SlanbError(msg) from exc
    return None


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
        # With an offset (a Z, + or - after the date), through timestamptz: a direct cast to
        # timestamp would drop the offset (TimeZone is UTC). Without one, the direct cast reads the
        # same instant at half the cost, which most exports (UTC, no offset) take.
        offset = f"(contains(substr({text}, 11), '+') or contains(substr({text}, 11), '-') or "
        offset += f"ends_with({text}, 'Z'))"
        return (
            f"case when not regexp_full_match({text}, '{_TIMESTAMP_PATTERN}') then null "
            f"when {offset} then try_cast(try_cast({text} as timestamptz) as timestamp) "
            f"else try_cast({text} as timestamp) end"
        )
    if kind == "date":
        return f"case when regexp_full_match({text}, '{_DATE_PATTERN}') then try_cast({text} as date) end"
    return f"case when regexp_full_match({text}, '{_NUMBER_PATTERN}') then try_cast({text} as double) end"


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
