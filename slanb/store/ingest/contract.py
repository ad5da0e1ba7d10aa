"""The data contract as the import checks it: four tables, their columns, kinds and allowed values.

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
