"""What every source shares: raw files, time, problems in the export's words, staged tables.

Raw files are read as text by DuckDB, time by the mapping's rules; problems name the original file,
row and column; the staged tables are the ones the contract checks read.

A raw file is read into ``_raw_{name}`` with every column as trimmed text (``c0``, ``c1``, ...)
and ``_row``, its row as a spreadsheet shows it (the header is row 1). A source then writes the
four contract tables as ``_stage_{table}`` in the shape :mod:`slanb.store.ingest.read` gives them
(typed columns, ``c__raw`` texts), plus ``_src_file``, ``_src_row`` and ``_src_column_{c}``: where
each value came from, so a problem the contract checks find names the export's file, row and column.

The SQL is generated here because it depends on the columns each export has and on the mapping.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from slanb.errors import SlanbError
from slanb.store.ingest.checks import Problem, _show, _sql_text
from slanb.store.ingest.contract import _TABLES, _Table
from slanb.store.ingest.read import _blank_rows, _first_line, _Staged, _trimmed, _unreadable
from slanb.store.sources.mapping import SourceMapping

# --- raw files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawFile:
    """One export file read into ``_raw_{name}``; ``columns`` maps a normalized header to ``cN``."""

    name: str
    path: Path
    columns: dict[str, str]
    headers: dict[str, str]  # normalized header -> the header as written
    rows: int
    normalize: Callable[[str], str] = field(repr=False, compare=False, default=str.lower)

    @property
    def table(self) -> str:
        """The temporary view of the file, with ``_row``."""
        return f"_raw_{self.name}"

    @property
    def base(self) -> str:
        """The temporary table under :attr:`table` (to update a column in place)."""
        return f"_read_{self.name}"

    @property
    def file(self) -> str:
        """The file's name, as messages show it."""
        return self.path.name

    def has(self, column: str) -> bool:
        """Whether the file has ``column``."""
        return self.normalize(column) in self.columns

    def ref(self, column: str, *, key: str | None = None) -> str:
        """The SQL column holding ``column``; refused naming the mapping ``key`` when missing."""
        name = self.normalize(column)
        if name not in self.columns:
            where = f" (the mapping's {key})" if key else ""
            shown = ", ".join(repr(h) for h in list(self.headers.values())[:40])
            msg = (
                f"{self.file} has no column {column!r}{where}. Its columns are {shown}. Export "
                f"the column with the file, or set {key or 'the mapping'} to one of these."
            )
            raise SlanbError(msg)
        return self.columns[name]

    def opt(self, column: str | None) -> str:
        """The SQL column holding ``column``, or NULL text when the file has none."""
        if column is None or not self.has(column):
            return "cast(null as varchar)"
        return self.columns[self.normalize(column)]

    def header(self, column: str) -> str:
        """``column`` as the file's header writes it."""
        return self.headers.get(self.normalize(column), column)


def read_raw(
    con: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    *,
    normalize: Callable[[str], str],
    problems: list[Problem],
    footer: list[str] | None = None,
) -> RawFile:
    """Read the CSV at ``path`` into ``_raw_{name}``; rows DuckDB cannot read go to ``problems``.

    ``footer``, when given, receives the lines of a report's footer (:func:`report_footer`):
    skipped, never read as rows.

    A Parquet file (``.parquet``) is read as well: every column as text, as the CSV's, so the
    same rules read both; its rows are numbered from 1 (it has no header row).
    """
    if path.suffix.lower() == ".parquet":
        return _read_parquet(con, name, path, normalize=normalize)
    with path.open("rb") as f:
        start = f.read(4096)
    if b"\x00" in start:
        msg = (
            f"{path} is not a UTF-8 text file (it is UTF-16, or a spreadsheet saved under a .csv "
            "name); export it again as CSV (in Excel: CSV UTF-8)."
        )
        raise SlanbError(msg)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        header = next(csv.reader(f), None)
    if not header:
        msg = f"{path} is empty; export it again with its header row."
        raise SlanbError(msg)
    columns: dict[str, str] = {}
    headers: dict[str, str] = {}
    for i, raw in enumerate(header):
        key = normalize(raw.strip())
        if key and key not in columns:  # a repeated header: the first one is read
            columns[key] = f"c{i}"
            headers[key] = raw.strip()
    spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    rejects = f"_rejects_{name}"
    texts = ", ".join(f"{_trimmed(f'c{i}')} as c{i}" for i in range(len(header)))
    try:
        con.execute(
            f"""
            create temp table _read_{name} as
            select {texts} from read_csv(
                $path, columns = {{{spec}}}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"',
                store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scan'
            )
            """,
            {"path": str(path)},
        )
    except duckdb.Error as exc:
        msg = f"Cannot read {path}: {_first_line(exc).rstrip('.')}. Export it again as CSV UTF-8."
        raise SlanbError(msg) from exc
    unread = con.sql(
        f"""
        select line, column_name, error_type, error_message from {rejects}
        qualify row_number() over (partition by line order by column_idx) = 1 order by line
        """
    ).fetchall()
    names = {f"c{i}": h.strip() for i, h in enumerate(header)}
    if footer is not None:
        lines = report_footer(path)
        last = sorted({line for line, *_ in unread})[-len(lines) :] if lines else []
        unread = [u for u in unread if u[0] not in last]
        footer.extend(lines)
    for line, column, error_type, error_message in unread:
        reason = _unreadable(error_type, error_message, column=names.get(column))
        problems.append(Problem(path.name, line, None, None, f"could not be read ({reason})"))
    gaps = sorted({line for line, *_ in unread} | set(_blank_rows(path)))
    skips = [row - 1 - rank for rank, row in enumerate(gaps, start=1)]
    # The spreadsheet row of each read row: its index after the header, plus the rows skipped
    # before it (rarely any; then a small table of them is joined).
    if skips:
        con.execute(f"create temp table _skips_{name} (idx bigint)")
        con.executemany(f"insert into _skips_{name} values (?)", [(s,) for s in skips])
        row = f"rowid + 2 + (select count(*) from _skips_{name} where idx <= rowid + 1)"
    else:
        row = "rowid + 2"
    # A view, not a copy: the rows stay in the order read, and a 1M-row file is not written twice.
    con.execute(f"create temp view _raw_{name} as select {row} as _row, * from _read_{name}")
    ((rows,),) = con.sql(f"select count(*) from _raw_{name}").fetchall()
    return RawFile(name, path, columns, headers, rows, normalize)


def report_footer(path: Path) -> list[str]:
    """The lines a report export appends after its rows: after a blank line, one value each.

    Salesforce ends a report's CSV with the report's name, ``Copyright (c) 2000-2026
    salesforce.com, inc. All rights reserved.``, ``Confidential Information - Do Not
    Distribute`` and who generated it when. Only the file's end is read.
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - 16384))
        tail = f.read().decode("utf-8", errors="replace")
    found: list[str] = []
    for line in reversed(tail.splitlines()):
        if not line.strip():
            if found:
                return found[::-1]
            continue
        cells = next(csv.reader([line]))
        if len(cells) != 1:
            return []  # rows to the end: no footer
        found.append(cells[0].strip())
    return []


def _read_parquet(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, *, normalize: Callable[[str], str]
) -> RawFile:
    try:
        described = con.execute(
            "describe select * from read_parquet($path)", {"path": str(path)}
        ).fetchall()
    except duckdb.Error as exc:
        msg = (
            f"Cannot read {path}: {_first_line(exc).rstrip('.')}. Write it again as Parquet or CSV."
        )
        raise SlanbError(msg) from exc
    header = [row[0] for row in described]
    columns: dict[str, str] = {}
    headers: dict[str, str] = {}
    for i, raw in enumerate(header):
        key = normalize(raw.strip())
        if key and key not in columns:
            columns[key] = f"c{i}"
            headers[key] = raw.strip()
    quoted = ['"' + h.replace('"', '""') + '"' for h in header]
    texts = ", ".join(f"{_trimmed(f'cast({q} as varchar)')} as c{i}" for i, q in enumerate(quoted))
    con.execute(
        f"""create temp table _read_{name} as
        select file_row_number + 1 as _row, {texts}
        from read_parquet($path, file_row_number = true) order by file_row_number""",
        {"path": str(path)},
    )
    con.execute(f"create temp view _raw_{name} as select * from _read_{name}")
    ((rows,),) = con.sql(f"select count(*) from _raw_{name}").fetchall()
    return RawFile(name, path, columns, headers, rows, normalize)


# --- time ------------------------------------------------------------------------------------------

_OFFSET = r"(Z|[+-]((0\d|1[0-3])(:?[0-5]\d)?|14(:?00)?))"
_ISO_LOCAL = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_US_LOCAL = r"\d{1,2}/\d{1,2}/\d{4},? \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?"
_US_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_EPOCH_MS = r"\d{12,13}"
_US_FORMATS = [
    f"%m/%d/%Y{comma} {hour}:%M{sec}{ampm}"
    for comma in ("", ",")
    for hour, ampm in (("%I", " %p"), ("%I", "%p"), ("%H", ""))
    for sec in ("", ":%S")
]


@dataclass(frozen=True)
class TimeField:
    """An instant read from a text column: ``out`` is its name in the prepared table."""

    out: str
    column: str  # the export's column name, for messages
    ref: str  # its SQL column in the raw table
    instant: bool = True  # a touch time: a date alone is never read as one


def time_columns(f: TimeField, mapping: SourceMapping) -> list[list[str]]:
    """SQL for chained selects reading ``f``: kind, local time, the zone's readings, UTC and flags.

    ``{out}__raw`` keeps the text; ``{out}__kind`` is offset, local, date, epoch or bad;
    ``{out}`` is the instant in UTC (NULL when unreadable or refused). Each pattern is matched
    once and each local time converted twice (to its instant, and an hour before it back to
    local time): the conversions are most of the cost of reading a time.
    """
    tz = mapping.time.timezone
    t = f.ref
    o = f.out
    us = mapping.time.locale == "us"
    kinds = [
        f"when {t} is null then null",
        f"when regexp_full_match({t}, '{_ISO_LOCAL}') then 'local'",
        f"when regexp_full_match({t}, '{_ISO_LOCAL}{_OFFSET}') then 'offset'",
        f"when regexp_full_match({t}, '{_ISO_DATE}') then 'date'",
        f"when regexp_full_match({t}, '{_EPOCH_MS}') then 'epoch'",
    ]
    if us:
        kinds += [
            f"when regexp_full_match({t}, '{_US_LOCAL}') then 'us_local'",
            f"when regexp_full_match({t}, '{_US_DATE}') then 'us_date'",
        ]
    formats = "[" + ", ".join(_sql_text(x) for x in _US_FORMATS) + "]"
    kind = f"{o}__kind"
    step1 = [f"{t} as {o}__raw", f"case {' '.join(kinds)} else 'bad' end as {kind}"]
    step2 = [
        f"""case {kind}
            when 'local' then try_cast({o}__raw as timestamp)
            when 'date' then try_cast({o}__raw as date) + interval 12 hour
            {f"when 'us_local' then try_strptime({o}__raw, {formats})" if us else ""}
            {f"when 'us_date' then try_strptime({o}__raw, '%m/%d/%Y') + interval 12 hour" if us else ""}
        end as {o}__local"""
    ]
    local = f"{o}__local"
    zone = "null" if tz is None else _sql_text(tz)
    at_zone = f"{o}__tz"
    # Clocks change on a few days a year (``_TZ_DAYS``): only a time on such a day can have
    # happened twice or not at all, so only those are converted again to find out.
    changing = (
        "false" if tz is None else f"cast({local} as date) in (select day from {tz_days_table(tz)})"
    )
    step3 = [
        f"timezone({zone}, {local}) as {at_zone}",
        f"coalesce({changing}, false) as {o}__changing",
    ]
    # an hour before the instant, read back in the zone: the same local time means the clocks
    # went back and the local time happened twice
    step4 = [
        f"case when {o}__changing then timezone({zone}, {at_zone} - interval 1 hour) end "
        f"as {o}__back"
    ]
    refused_date = f.instant or mapping.time.date_only == "refuse"
    dated = "('date', 'us_date')"
    utc = f"""case
        when {kind} = 'offset' then try_cast(try_cast({o}__raw as timestamptz) as timestamp)
        when {kind} = 'epoch' then make_timestamp(cast({o}__raw as bigint) * 1000)
        when {kind} in {dated} and {str(refused_date).lower()} then null
        when {local} is null or {zone} is null then null
        when {o}__back = {local} then cast({at_zone} - interval 1 hour as timestamp)
        else cast({at_zone} as timestamp)
    end"""
    wall = f"{kind} in ('local', 'us_local') and {zone} is not null and {local} is not null"
    step5 = [
        f"{utc} as {o}",
        f"coalesce({wall} and {o}__changing and timezone({zone}, {at_zone}) <> {local}, false)"
        f" as {o}__gap",
        f"coalesce({wall} and {o}__back = {local}, false) as {o}__fold",
    ]
    return [step1, step2, step3, step4, step5]


def tz_days_table(zone: str) -> str:
    """The name of the table of days around a clock change in ``zone`` (see :func:`tz_days`)."""
    return "_tz_days_" + re.sub(r"[^a-z0-9]", "_", zone.lower())


def tz_days(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    """Create the table of the local days, 1900 to 2100, on or next to a change of ``zone``'s offset.

    A day's offset is read at its start and at the next day's start; where they differ the day,
    the one before and the one after are listed (a change at midnight moves the day it falls on).
    """
    table = tz_days_table(zone)
    con.execute(
        f"""
        create temp table if not exists {table} as
        with days as (
            select cast(d as date) as day from range(date '1900-01-01', date '2100-01-02',
                interval 1 day) as r(d)
        ),
        offsets as (
            select day, timezone($zone, cast(day as timestamp)) as start,
                timezone($zone, cast(day + 1 as timestamp)) as next from days
        ),
        changes as (select day from offsets where epoch(next) - epoch(start) <> 86400)
        select distinct day + cast(k as integer) as day from changes, range(-1, 2) as r(k)
        """,
        {"zone": zone},
    )


def time_checks(
    prepared: str, raw: RawFile, fields: Sequence[TimeField], mapping: SourceMapping
) -> list[tuple[str, str, str, str]]:
    """(column, condition, message, severity) per time rule, checked over ``prepared``."""
    checks = []
    tz = mapping.time.timezone
    for f in fields:
        o = f.out
        unreadable = (
            f"{o}__kind = 'bad' or ({o}__kind in ('local', 'us_local', 'date', 'us_date') "
            f"and {o}__local is null) or ({o}__kind = 'offset' and {o} is null)"
        )
        checks.append((f.column, unreadable, _not_a_time(mapping), "error"))
        if tz is None:
            checks.append(
                (
                    f.column,
                    f"{o}__kind in ('local', 'us_local', 'date', 'us_date')",
                    _no_zone(mapping),
                    "error",
                )
            )
        if f.instant:
            checks.append((f.column, f"{o}__kind in ('date', 'us_date')", _DATE_FOR_TOUCH, "error"))
        elif mapping.time.date_only == "refuse":
            checks.append((f.column, f"{o}__kind in ('date', 'us_date')", _DATE_REFUSED, "error"))
        else:
            checks.append(
                (
                    f.column,
                    f"{o}__kind in ('date', 'us_date') and {o} is not null",
                    "is a date without a time: read as 12:00 in "
                    + (tz or "UTC")
                    + " (time.date_only: noon)",
                    "note",
                )
            )
        checks.append(
            (
                f.column,
                f"{o}__gap",
                "does not exist in " + (tz or "UTC") + " (the clocks skipped it at the start of "
                "daylight saving time): read with the offset before the change, as if an hour later",
                "note",
            )
        )
        checks.append(
            (
                f.column,
                f"{o}__fold",
                "happened twice in " + (tz or "UTC") + " (the clocks went back at the end of "
                "daylight saving time): read as the first of the two, in daylight time",
                "note",
            )
        )
    return checks


def _not_a_time(mapping: SourceMapping) -> str:
    us = " or 1/19/2025 10:14 AM" if mapping.time.locale == "us" else ""
    hint = "" if us else " (for US dates like 1/19/2025 10:14 AM set time.locale: us)"
    return f"is not a timestamp slanb reads (like 2025-01-19 10:14{us}, or with an offset){hint}"


_DATE_FOR_TOUCH = (
    "is a date without a time, and a touch needs the moment it happened (a date cannot tell "
    "whether the first touch came within the hour); map a date-and-time field instead"
)
_DATE_REFUSED = (
    "is a date without a time where an instant is needed; map a date-and-time field, or set "
    "time.date_only: noon to read such dates as 12:00 in the export's time zone"
)


def _no_zone(mapping: SourceMapping) -> str:
    if mapping.source == "hubspot-api":
        where = (
            "Fivetran, Airbyte and dlt land HubSpot's times in UTC without an offset; say so "
            "(or name the zone your tables were written in)"
        )
    elif mapping.source == "salesforce-report":
        where = (
            "a report export writes times in the time zone of the user who exported it, without "
            "saying which (their Settings > My Personal Information > Personal Information > "
            "Time Zone)"
        )
    elif mapping.source == "hubspot":
        where = (
            "HubSpot writes times in the portal's time zone without saying which: find it in "
            "HubSpot under Settings > Account Management > Account Defaults > Time zone"
        )
    else:
        where = (
            "Data Loader and the API write an offset (Z); a value without one is in the time zone "
            "of whoever exported it (Fivetran lands UTC)"
        )
    return (
        f"has no time-zone offset, and the mapping has no time.timezone; {where}, and set it in "
        "the mapping like `time: {timezone: America/New_York}`"
    )


def prepare(
    con: duckdb.DuckDBPyConnection,
    raw: RawFile,
    texts: dict[str, str],
    times: list[TimeField],
    mapping: SourceMapping,
    findings: Findings,
    *,
    id_column: str,
) -> None:
    """``_prep_{name}``: the ``texts`` (name: SQL over the raw file) and each time read.

    Not sorted: every query over it that picks a first row orders by ``_row``, and the staged
    tables are sorted by file and row (:func:`stage`); a sort of 1M wide rows costs seconds.

    Every time rule is checked (refusals and report notes), and ``id`` must be set and unique.
    """
    if mapping.time.timezone is not None:
        tz_days(con, mapping.time.timezone)
    steps: list[list[str]] = [[f"{ref} as {name}" for name, ref in texts.items()]]
    for f in times:
        for i, columns in enumerate(time_columns(f, mapping)):
            if i >= len(steps):
                steps.append([])
            steps[i] += columns
    chain = [f"s1 as (select _row, {', '.join(steps[0])} from {raw.table})"]
    for i, columns in enumerate(steps[1:], start=2):
        chain.append(f"s{i} as (select *, {', '.join(columns)} from s{i - 1})")
    con.execute(
        f"""
        create temp table _prep_{raw.name} as
        with {", ".join(chain)}
        select * from s{len(chain)}
        """
    )
    outs = {f.column: f"{f.out}__raw" for f in times}
    findings.check(
        con,
        f"_prep_{raw.name}",
        raw,
        time_checks(f"_prep_{raw.name}", raw, times, mapping),
        value_of=lambda column: outs.get(column, "null"),
    )
    ids = con.sql(
        f"""
        select count(*) over (), _row from _prep_{raw.name}
        where id is null or id in (select id from _prep_{raw.name} group by id having count(*) > 1)
        order by _row limit 1
        """
    ).fetchall()
    if ids:
        count, row = ids[0]
        message = (
            f"is empty or used by another row too; every {raw.name[:-1]} needs its own Record ID"
        )
        if count > 1:
            message += f" ({count:,} rows like this; the first is shown)"
        findings.problems.append(Problem(raw.file, row, raw.header(id_column), None, message))


# --- problems in the export's words --------------------------------------------------------------


@dataclass
class Findings:
    """What reading an export found: refusals (``problems``) and ``notes`` for the report."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        raw: RawFile,
        checks: Sequence[tuple[str, str, str, str]],
        *,
        value_of: Callable[[str], str] | None = None,
    ) -> None:
        """Run each (column, condition, message, severity) over ``table``: one line per rule.

        A rule that many rows break is one problem naming the first row and the count, so a
        whole column in the wrong form is one line, not thousands.
        """
        for column, condition, message, severity in checks:
            value = value_of(column) if value_of else "null"
            first = con.sql(
                f"""
                select count(*) over (), _row, cast({value} as varchar)
                from {table} where {condition} order by _row limit 1
                """
            ).fetchall()
            if not first:
                continue
            count, row, shown = first[0]
            text = f"{_show(shown)} {message}" if shown is not None else message
            if count > 1:
                text += f" ({count:,} rows like this; the first is shown)"
            if severity == "error":
                self.problems.append(Problem(raw.file, row, raw.header(column), shown, text))
            else:
                where = f"{raw.file} row {row}, column {raw.header(column)}"
                self.notes.append(f"{where}: {text}")


# --- staged contract tables ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceStaged(_Staged):
    """A contract table staged from an export: rows and columns named as the export has them."""

    con: duckdb.DuckDBPyConnection | None = field(default=None, compare=False, repr=False)

    def row(self, rowid: int) -> int:
        """The export's row of the staged row ``rowid``."""
        return self.locate(rowid, None)[1] or 0

    def locate(self, rowid: int, column: str | None) -> tuple[str, int | None, str | None]:
        """The export's file, row and column of ``column`` in the staged row ``rowid``."""
        assert self.con is not None
        pick = f"_src_column_{column}" if column else "cast(null as varchar)"
        found = self.con.sql(
            f"select _src_file, _src_row, {pick} from _stage_{self.table.name} where rowid = $r",
            params={"r": rowid},
        ).fetchall()
        if not found:
            return self.file, None, column
        file, row, name = found[0]
        return file, row, name or column


def stage(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    *,
    file: str,
) -> SourceStaged:
    """Create ``_stage_{table}`` from ``select``, ordered by file and row.

    ``select`` yields every contract column (those added as optional in version 2 may be left
    out), its ``__raw`` text (timestamps, dates, numbers),
    ``_src_file``, ``_src_row`` and ``_src_column_{c}`` for each contract column.
    """
    contract: _Table = _TABLES[table]
    con.execute(
        f"create temp table _stage_{table} as select * from ({select}) order by _src_file, _src_row"
    )
    staged = set(con.sql(f"select * from _stage_{table} limit 0").columns)
    # a column schema version 2 added as optional (leads.assigned_at, reps.timezone) is left out
    # by a source that has no such field, as by a CSV header without it
    present = [c.name for c in contract.columns if not c.optional_header or c.name in staged]
    return SourceStaged(
        table=contract,
        file=file,
        present=frozenset(present),
        ignored=(),
        problems=(),
        con=con,
    )


def sql_list(values: Sequence[str]) -> str:
    """``values`` as a SQL list of text literals (an impossible value when empty)."""
    return "(" + ", ".join(_sql_text(v) for v in values) + ")" if values else "(null)"


def lower_list(values: Sequence[str]) -> str:
    """``values`` in lower case as a SQL list (compare with ``lower(column) in ...``)."""
    return sql_list([v.lower() for v in values])


_WS = re.compile(r"\s+")


def label_key(name: str) -> str:
    """HubSpot's labels: case and runs of spaces do not matter."""
    return _WS.sub(" ", name.strip().lower())


def api_key(name: str) -> str:
    """Salesforce API names: ``OwnerId``, ``owner_id`` and ``OWNERID`` are one column."""
    return name.strip().lower().replace("_", "")


def stage_reps(con: duckdb.DuckDBPyConnection, findings: Findings, *, origin: str) -> SourceStaged:
    """``_stage_reps`` from the ``_reps`` (id, name) a source resolved, and the report's note.

    ``_reps`` may have ``start_date`` and ``end_date`` (dates, from the CRM's users) and ``file``,
    ``row``: where they came from; without them a rep is always there.
    """
    have = set(con.sql("select * from _reps limit 0").columns)
    start = "start_date" if "start_date" in have else "cast(null as date)"
    end = "end_date" if "end_date" in have else "cast(null as date)"
    file = "file" if "file" in have else "'reps.sales'"
    row = "row" if "row" in have else "cast(null as bigint)"
    start_col = "start_column" if "start_column" in have else "null"
    end_col = "end_column" if "end_column" in have else "null"
    staged = stage(
        con,
        "reps",
        f"""
        select id as rep_id, name, cast(null as varchar) as team,
            {start} as start_date, cast({start} as varchar) as start_date__raw,
            {end} as end_date, cast({end} as varchar) as end_date__raw,
            {file} as _src_file, {row} as _src_row,
            {file} as _src_column_rep_id, {file} as _src_column_name,
            null as _src_column_team, {start_col} as _src_column_start_date,
            {end_col} as _src_column_end_date
        from _reps
        """,
        file="mapping",
    )
    ((n, dated, ended),) = con.sql(
        f"select count(*), count({start}), count({end}) from _reps"
    ).fetchall()
    line = f"reps: {n:,} sales {'rep' if n == 1 else 'reps'} ({origin})"
    if dated or ended:
        line += f"; {dated:,} with a start date, {ended:,} with an end date from the CRM's users"
    findings.notes.append(line)
    return staged
