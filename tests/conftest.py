"""Shared test helpers: hand-built histories written straight into a DuckDB file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import polars as pl
import pytest

from slanb.engine.month import compute
from slanb.engine.plan import Plan
from slanb.params import Params
from slanb.store.db import create_schema

COLUMNS = {
    "leads": [
        "lead_id",
        "created_at",
        "mql_at",
        "sql_at",
        "owner_id",
        "intent",
        "fit",
        "source",
        "assigned_at",
        "segment",
    ],
    "activities": ["activity_id", "lead_id", "rep_id", "kind", "occurred_at"],
    "deals": ["deal_id", "lead_id", "created_at", "closed_at", "stage", "amount"],
    "reps": ["rep_id", "name", "team", "start_date", "end_date", "timezone"],
    "time_off": ["time_off_id", "rep_id", "starts_at", "ends_at"],
    "rep_teams": ["rep_team_id", "rep_id", "team", "starts_on"],
}
TIMESTAMPS = {
    "created_at",
    "mql_at",
    "sql_at",
    "occurred_at",
    "closed_at",
    "assigned_at",
    "starts_at",
    "ends_at",
}
DATES = {"start_date", "end_date", "starts_on"}


def write_history(
    path: Path,
    tables: Mapping[str, Sequence[Mapping[str, object]]],
    *,
    exported_at: str | None = None,
) -> Path:
    """Create a slanb history at ``path`` holding ``tables`` (rows as dicts; missing keys are NULL).

    Timestamps are ISO strings; one with an offset is converted to UTC, as the contract says.
    """
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        create_schema(con)
        for table, cols in COLUMNS.items():
            rows = tables.get(table, [])
            if not rows:
                continue
            frame = pl.DataFrame(
                {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in cols},
                schema={c: pl.String for c in cols},
            )
            con.register("incoming", frame)
            select = ", ".join(
                f"{c}::timestamptz::timestamp"
                if c in TIMESTAMPS
                else f"{c}::date"
                if c in DATES
                else f"{c}::double"
                if c == "amount"
                else c
                for c in cols
            )
            con.execute(f"insert into {table} ({', '.join(cols)}) select {select} from incoming")
            con.unregister("incoming")
        if exported_at:
            con.execute(
                "insert into slanb_meta values ('exported_at', ?) "
                "on conflict (key) do update set value = excluded.value",
                [exported_at],
            )
    finally:
        con.close()
    return path


@pytest.fixture
def history(tmp_path: Path):
    """``history(tables, exported_at=...) -> Path`` of a fresh DuckDB file under tmp_path."""
    counter = iter(range(1000))

    def make(tables: Mapping[str, Sequence[Mapping[str, object]]], **kw: str) -> Path:
        return write_history(tmp_path / f"history_{next(counter)}.duckdb", tables, **kw)

    return make


def plan(params: Params) -> Plan:
    """The plan of ``slanb.compute(params)``: what the tests of steps 1 to 5 read."""
    return compute(params).plan
