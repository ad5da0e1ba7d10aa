"""Segments: which leads are a team's or a segment's, and one SLA computed on them alone.

A lead's segment is named by ``segment_by`` (``sql/plan/lead_segments.sql``): ``team``, the team
its owner was in when it became an MQL (``rep_teams``, else ``reps.team``), or ``segment``, its
own ``leads.segment``. A lead with none is in :data:`UNASSIGNED`, shown like any other segment.

:func:`scoped` narrows a connection to one segment: while it runs, ``leads``, ``deals`` and
``activities`` hold only that segment's rows (temporary tables shadowing the history's), so every
query of ``slanb/sql`` reads the segment unchanged and scans only its rows; reps stay whole (the
segment's reps are those ``plan/active_reps.sql`` picks, the dashboard those owning its leads).
The memberships are computed once per connection and rule, in one pass over each table: every
lead's segment, then leads, deals and activities tagged with it and sorted by it, so each scope
copies its own rows without reading the others'.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from slanb.errors import SlanbError
from slanb.store.db import load_sql

UNASSIGNED = "unassigned"  # the segment of a lead no rule places (no owner, no team, no segment)
_SCOPED = ("leads", "deals", "activities")  # the tables a scope narrows to the segment's rows


def memberships(con: duckdb.DuckDBPyConnection, *, segment_by: str) -> None:
    """Compute every lead's segment into the temporary table ``slanb_lead_segments`` (once)."""
    if segment_by not in ("team", "segment"):
        msg = f"segment_by must be team or segment to place leads in segments, got {segment_by!r}"
        raise SlanbError(msg)
    if _rule(con) == segment_by:
        return
    con.execute(
        "create or replace temp table slanb_lead_segments as " + load_sql("plan/lead_segments"),
        {"segment_by": segment_by},
    )
    # Each table once, its rows tagged with their lead's segment and sorted by it: a scope then
    # reads only its segment's row groups (DuckDB skips the others by their min/max).
    con.execute(
        "create or replace temp table slanb_segment_leads as select l.*, s.segment as slanb_segment"
        " from leads as l inner join slanb_lead_segments as s on s.lead_id = l.lead_id"
        " order by s.segment"
    )
    for table in ("deals", "activities"):
        con.execute(
            f"create or replace temp table slanb_segment_{table} as select t.*, s.segment as "
            f"slanb_segment from {table} as t inner join slanb_lead_segments as s "
            "on s.lead_id = t.lead_id order by s.segment"
        )
    con.execute(
        "create or replace temp table slanb_segment_rule as select $rule as rule",
        {"rule": segment_by},
    )


def _rule(con: duckdb.DuckDBPyConnection) -> str | None:
    """The rule ``slanb_lead_segments`` was computed by on ``con``, None before it was."""
    rows = con.sql(
        "select count(*) from duckdb_tables() "
        "where temporary and table_name in ('slanb_lead_segments', 'slanb_segment_rule')"
    ).fetchall()
    if rows[0][0] < 2:
        return None
    return str(con.sql("select rule from slanb_segment_rule").fetchall()[0][0])


def segment_names(con: duckdb.DuckDBPyConnection, *, segment_by: str) -> tuple[str, ...]:
    """The segments holding at least one MQL, by name, :data:`UNASSIGNED` last."""
    memberships(con, segment_by=segment_by)
    rows = con.sql(
        "select distinct s.segment from slanb_lead_segments as s "
        "semi join leads as l on l.lead_id = s.lead_id and l.mql_at is not null"
    ).fetchall()
    names = sorted(r[0] for r in rows)
    return tuple([n for n in names if n != UNASSIGNED] + [n for n in names if n == UNASSIGNED])


@contextmanager
def scoped(con: duckdb.DuckDBPyConnection, *, segment_by: str, segment: str) -> Iterator[None]:
    """While the block runs, ``leads``, ``deals`` and ``activities`` on ``con`` are the segment's.

    Each is a temporary table holding the segment's rows (deals and activities of its leads), so
    every query scans only them. A no-op without ``segment_by`` or ``segment`` (the whole company).
    Leaves ``con`` as it found it (an older history's compatibility view included).
    """
    if not segment_by or not segment:
        yield
        return
    memberships(con, segment_by=segment_by)
    shims = {table: _temp_view(con, table) for table in _SCOPED}
    for table, shim in shims.items():  # an older schema's compatibility view: out of the way
        if shim:
            con.execute(f"alter view temp.main.{table} rename to slanb_all_{table}")
    try:
        for table in _SCOPED:
            con.execute(
                f"create temp table {table} as select * exclude (slanb_segment) "
                f"from slanb_segment_{table} where slanb_segment = $segment",
                {"segment": segment},
            )
        yield
    finally:
        for table, shim in shims.items():
            con.execute(f"drop table if exists temp.main.{table}")
            if shim:
                con.execute(f"alter view temp.main.slanb_all_{table} rename to {table}")


def _temp_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when ``name`` is a temporary view on ``con`` (an older schema's compatibility view)."""
    rows = con.execute(
        "select count(*) from duckdb_views() where temporary and view_name = $name",
        {"name": name},
    ).fetchall()
    return rows[0][0] > 0
