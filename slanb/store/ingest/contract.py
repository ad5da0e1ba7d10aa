"""The data contract as the import checks it: six tables, their columns, kinds and allowed values.

``tests/store/test_ingest.py`` holds it equal to ``sql/contract/schema.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "timestamp", "date", "number"]


@dataclass(frozen=True)
class _Column:
    name: str
    kind: Kind = "text"
    required: bool = False
    allowed: tuple[str, ...] = ()
    # Added in schema version 2 or 3: a file may leave it out of its header (exports made for an
    # older version keep importing); then the import leaves the stored value as it is (NULL for a
    # new row).
    optional_header: bool = False


@dataclass(frozen=True)
class _Table:
    name: str
    noun: str
    columns: tuple[_Column, ...]

    @property
    def key(self) -> str:
        return self.columns[0].name

    @property
    def header_names(self) -> str:
        """The columns a header must have, then those it may have (``a, b (optionally c)``)."""
        needed = ", ".join(c.name for c in self.columns if not c.optional_header)
        optional = ", ".join(c.name for c in self.columns if c.optional_header)
        return needed + (f" (optionally {optional})" if optional else "")


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
            _Column("assigned_at", "timestamp", optional_header=True),
            _Column("segment", optional_header=True),
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
            _Column("timezone", optional_header=True),
        ),
    ),
    _Table(
        "time_off",
        "time-off entry",
        (
            _Column("time_off_id", required=True),
            _Column("rep_id", required=True),
            _Column("starts_at", "timestamp", required=True),
            _Column("ends_at", "timestamp", required=True),
        ),
    ),
    _Table(
        "rep_teams",
        "rep team change",
        (
            _Column("rep_team_id", required=True),
            _Column("rep_id", required=True),
            _Column("team", required=True),
            _Column("starts_on", "date", required=True),
        ),
    ),
)
_TABLES = {t.name: t for t in _CONTRACT}
_SQL_TYPES = {"text": "varchar", "timestamp": "timestamp", "date": "date", "number": "double"}
_EXPECTED_FILES = (
    "leads.csv or leads.parquet, and optionally activities, deals, reps, time_off and rep_teams "
    "(.csv or .parquet)"
)

# ISO 8601 as exports write it: a date, optionally a time, optionally an offset (Z, +02, +0200,
# +02:00). DuckDB's own cast is laxer (it takes '2025-7-1', time zone names and offsets such as
# +99 or +02:60), hence the pattern. Offsets run from -14:00 to +14:00 with minutes under 60: the
# offsets in use on Earth (UTC-12 to UTC+14) and no more.
_OFFSET = r"(Z|[+-]((0\d|1[0-3])(:?[0-5]\d)?|14(:?00)?))"
_TIMESTAMP_PATTERN = (
    rf"\d{{4}}-\d{{2}}-\d{{2}}([T ]\d{{2}}:\d{{2}}(:\d{{2}}(\.\d{{1,9}})?)?{_OFFSET}?)?"
)
# The same shape with any two-digit offset: a text that matches it but not the pattern above has an
# impossible offset, which the message then names.
_ANY_OFFSET_PATTERN = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?[+-]\d{2}(:?\d{2})?"
_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
# A plain decimal number: 1234.50, -3, .5, 1e6. No thousands separators ('1,200', '1_200', '1 200')
# and no currency, which DuckDB's cast would partly take.
_NUMBER_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_NUMERIC_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE"}
_NUMERIC_TYPES |= {"U" + t for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")}

# What the engine can compute on. Timestamps and dates: 1900-01-01 to 2199-12-31. No CRM history
# starts before 1900, and the placeholders CRMs and spreadsheets write for "no date" (0000-01-01,
# 0001-01-01, Excel's 1899-12-30) fall below it; years 1 BC and earlier reach Python as text and
# break every command. Timestamps also stop a day after the import (checks.py). Amounts: at most a
# trillion (1e12) per deal: the engine casts each amount to DECIMAL(18, 2) (under 1e16) and sums won
# deals; 1e12 is exact to the cent as a double and leaves room for 9,999 such deals in one sum.
_EARLIEST = "1900-01-01"
_LATEST_DATE = "2199-12-31"
_MAX_AMOUNT = 1e12

_NOT_A_TIMESTAMP = (
    "is not an ISO 8601 timestamp (like 2025-07-01T09:30:00+02:00, or 2025-07-01 09:30:00 for UTC)"
)
_NOT_A_DATE = "is not a date written YYYY-MM-DD"
_BAD_OFFSET = (
    "has an offset that does not exist: offsets run from -14:00 to +14:00, with minutes under 60 "
    "(like +02:00, -0530 or Z for UTC)"
)
_BEFORE_1900 = (
    f"is before {_EARLIEST}, the earliest timestamp slanb reads (a placeholder such as 0000-01-01 "
    "is not a date); fix the row in the export, or leave the value empty where the column allows it"
)
_DATE_OUT_OF_RANGE = (
    f"is outside {_EARLIEST} to {_LATEST_DATE}, the dates slanb reads (a placeholder such as "
    "0000-01-01 or 9999-12-31 is not a date); leave it empty instead (no start or end date)"
)
_TOO_LARGE = (
    "is more than 1,000,000,000,000, the largest amount slanb reads; check the row (a misplaced "
    "decimal point, or digits run together?)"
)
_NUL = (
    "holds a NUL byte (\\x00); no text export has one, so the file is damaged or was not "
    "saved as text: export it again"
)
_NOT_A_NUMBER = "is not a number (write it like 1234.50, without currency or thousands separators)"
_ROW_NOTE = "Rows are numbered as a spreadsheet shows them: the header is row 1."
_TALLY_ABOVE = 20  # problems; past a screenful, the error also counts them per column
