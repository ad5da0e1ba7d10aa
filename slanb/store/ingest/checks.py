"""Every contract rule as SQL over the staged files, and the problems a refused export lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from slanb.errors import SlanbError
from slanb.store.ingest.contract import (
    _ANY_OFFSET_PATTERN,
    _BAD_OFFSET,
    _BEFORE_1900,
    _CONTRACT,
    _DATE_OUT_OF_RANGE,
    _EARLIEST,
    _LATEST_DATE,
    _MAX_AMOUNT,
    _NOT_A_DATE,
    _NOT_A_NUMBER,
    _NOT_A_TIMESTAMP,
    _NUL,
    _ROW_NOTE,
    _TABLES,
    _TALLY_ABOVE,
    _TOO_LARGE,
)

if TYPE_CHECKING:
    from slanb.store.ingest.read import _Staged


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
        for file in sorted((f for f in short if Path(f).stem in _TABLES), key=_file_order):
            table = _TABLES[Path(file).stem]
            lines.append(f"The columns {file} must have (in any order): {table.header_names}.")
        lines.append(
            "Fix these in the export (or in the CRM, then export again) and run `slanb ingest` again."
        )
        super().__init__("\n".join(lines))


# --- checking ------------------------------------------------------------------------------


def _validate(
    con: duckdb.DuckDBPyConnection, staged: list[_Staged], *, history: bool = True
) -> list[Problem]:
    """Every problem in every staged file, in file, row and column order.

    One query per staged table (:func:`_checks`). ``history`` False: the import writes a new file,
    so no stored lead is looked up.
    """
    leads_have_ids = any(s.table.name == "leads" and "lead_id" in s.present for s in staged)
    problems: list[Problem] = []
    for s in staged:
        found = list(s.problems)
        query = _checks(s, leads_have_ids=leads_have_ids, history=history)
        if query:
            for rid, _, column, value, message, first in con.sql(query).fetchall():
                if first is not None:
                    message = f"{message} (first in row {s.row(first)})"
                if value is not None:
                    message = f"{_show(value)} {message}"
                file, row, name = s.locate(rid, column)
                found.append(Problem(file, row, name, value, message))
        order = {c.name: i for i, c in enumerate(s.table.columns)}
        found.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
        problems += found
    return problems


_IN_THE_FUTURE = "is in the future (more than a day after this import); fix the row in the export"


def _latest_plausible() -> datetime:
    """A day after now (UTC): later timestamps are typos, not history."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)


def _checks(s: _Staged, *, leads_have_ids: bool, history: bool = True) -> str | None:
    """One query listing every broken rule of ``s``'s staging table, or None when none applies.

    It yields (rid, column_order, column, value, message, first rid of a duplicate), ordered by
    rid, column and rule: a union of one select per rule. (Folding the rules of one row into one
    scan, a flag per rule, was tried: it costs more, since each select's simple condition, such as
    ``lead_id is null``, is pushed into DuckDB's scan of the table.)
    """
    table = s.table
    stage = f"_stage_{table.name}"
    order = {c.name: i for i, c in enumerate(table.columns)}
    # Each rule is numbered in the order it is declared, which orders two problems of one cell.
    checks: list[str] = []

    def check(column: str, value: str, message: str, where: str) -> None:
        checks.append(
            f"select rowid as rid, {order[column]} as column_order, '{column}' as column_name, "
            f"cast({value} as varchar) as value, {message} as message, cast(null as bigint) "
            f"as first, {len(checks)} as rule from {stage} where {where}"
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
        if column.kind == "text":
            check(name, name, _sql_text(_NUL), f"contains({name}, chr(0))")
        elif column.kind == "timestamp":
            message = (
                f"case when regexp_full_match({name}__raw, '{_ANY_OFFSET_PATTERN}') "
                f"then {_sql_text(_BAD_OFFSET)} else {_sql_text(_NOT_A_TIMESTAMP)} end"
            )
            check(name, f"{name}__raw", message, unreadable)
            # before 1900: a placeholder, not history (and before year 1 Python cannot hold it)
            check(name, shown(name), _sql_text(_BEFORE_1900), f"{name} < timestamp '{_EARLIEST}'")
            # a typo such as 2052 would move exported_at (and so the default month) for good
            future = f"{name} > timestamp '{_latest_plausible():%Y-%m-%d %H:%M:%S}'"
            check(name, shown(name), _sql_text(_IN_THE_FUTURE), future)
        elif column.kind == "date":
            check(name, f"{name}__raw", _sql_text(_NOT_A_DATE), unreadable)
            outside = f"{name} not between date '{_EARLIEST}' and date '{_LATEST_DATE}'"
            check(name, shown(name), _sql_text(_DATE_OUT_OF_RANGE), outside)
        elif column.kind == "number":
            unreadable = f"({unreadable}) or not isfinite({name})"
            check(name, shown(name), _sql_text(_NOT_A_NUMBER), unreadable)
            negative = f"{name} < 0 and isfinite({name})"
            check(name, shown(name), "'is negative; an amount must be 0 or more'", negative)
            too_large = f"{name} > {_MAX_AMOUNT:.0f} and isfinite({name})"
            check(name, shown(name), _sql_text(_TOO_LARGE), too_large)
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
            select rid, {order[key]} as column_order, '{key}' as column_name, {key} as value,
                {_sql_text(message)} as message, first, {len(checks)} as rule
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
    if table.name == "time_off" and {"starts_at", "ends_at"} <= s.present:
        message = (
            f"'is not after starts_at ''' || {shown('starts_at')} "
            "|| '''; a time off ends after it starts (ends_at is the first instant back)'"
        )
        check("ends_at", shown("ends_at"), message, "ends_at <= starts_at")
    if table.name == "reps" and "timezone" in s.present:
        # An IANA name as DuckDB (ICU) knows it, so local time follows its DST rules.
        message = (
            "is not a time zone name: use an IANA name such as Europe/Berlin or "
            "America/New_York, or leave it empty for the timezone parameter"
        )
        where = "timezone is not null and timezone not in (select name from pg_timezone_names())"
        check("timezone", "timezone", _sql_text(message), where)
    if table.name in ("activities", "deals") and "lead_id" in s.present and leads_have_ids:
        message = "is not a lead_id in the leads file or in the history"
        where = "lead_id not in (select lead_id from _stage_leads where lead_id is not null)"
        if history:
            # The history's leads are read for the staged ids only (a semi-join): "not in (select
            # lead_id from leads)" would build a hash table of every stored lead.
            where += (
                " and lead_id not in (select lead_id from leads "
                f"where lead_id in (select lead_id from {stage}))"
            )
        check("lead_id", "lead_id", _sql_text(message), where)
    if not checks:
        return None
    rows = " union all ".join(f"({c})" for c in checks)
    return f"select * exclude (rule) from ({rows}) order by rid, column_order, rule"


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
