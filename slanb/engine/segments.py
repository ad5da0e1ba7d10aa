"""Segments: which leads are a team's or a segment's, and one SLA computed on them alone.

A lead's segment is named by ``segment_by`` (``sql/plan/lead_segments.sql``): ``team``, the team
its owner was in when it became an MQL (``rep_teams``, else ``reps.team``), or ``segment``, its
own ``leads.segment``. A lead with none is in :data:`UNASSIGNED`, shown like any other segment.

:func:`scoped` narrows a connection to one segment: while it runs, ``leads`` names only that
segment's leads (a temporary view over a temporary table of their ids, so every query of
``slanb/sql`` reads the segment unchanged: deals, activities and the dashboard follow the leads).
The memberships are computed once per connection and rule, in one pass over the leads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from slanb.errors import SlanbError
from slanb.store.db import load_sql

UNASSIGNED = "unassigned"  # the segment of a lead no rule places (no owner, no team, no segment)
_ALL = "slanb_all_leads"  # the unscoped leads while a scope is open


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
    """While the block runs, ``leads`` on ``con`` names only the leads of ``segment``.

    A no-op without ``segment_by`` or ``segment`` (the whole company). Leaves ``con`` as it found
    it (an older history's compatibility view included).
    """
    if not segment_by or not segment:
        yield
        return
    memberships(con, segment_by=segment_by)
    shim = _temp_leads(con)
    if shim:  # an older schema read through a temporary view: scope that view
        con.execute(f"alter view temp.main.leads rename to {_ALL}")
    else:
        ((catalog,),) = con.sql("select current_database()").fetchall()
        quoted = '"' + str(catalog).replace('"', '""') + '"'
        con.execute(f"create or replace temp view {_ALL} as select * from {quoted}.main.leads")
    try:
        con.execute(
            "create or replace temp table slanb_segment_leads as "
            "select lead_id from slanb_lead_segments where segment = $segment",
            {"segment": segment},
        )
        con.execute(
            f"create temp view leads as select l.* from {_ALL} as l "
            "semi join slanb_segment_leads as s on s.lead_id = l.lead_id"
        )
        yield
    finally:
        con.execute("drop view if exists temp.main.leads")
        if shim:
            con.execute(f"alter view temp.main.{_ALL} rename to leads")
        else:
            con.execute(f"drop view if exists temp.main.{_ALL}")


def _temp_leads(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.sql(
        "select count(*) from duckdb_views() where temporary and view_name = 'leads'"
    ).fetchall()
    return rows[0][0] > 0
