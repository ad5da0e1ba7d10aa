"""The demo history: 36 months of a realistic CRM, generated inside DuckDB from a seed.

``slanb demo`` writes it so every notebook runs before a real export exists. It is built to tell the
method's story: MQL volume grows about 1.5% a month with a December dip; a hand-raiser closes about
three times as often as another lead; fit A beats B beats C in close rate and deal size; deals close
one to nine months after the MQL, so the last three months look immature; R03 is often late to the
first touch and R07 rarely makes five calls in two weeks, and their leads convert less.

With the defaults (about 95,000 leads, about 1,000 MQLs a month at the end) the planning defaults
($100,000 goal, 75% marketing share) give an MQL goal slightly above the recent volume. Other sizes
keep every rate but scale the volume, so the same goal becomes easy or out of reach.

Every row comes from SQL over ``range()``: each lead's random draws are hashes of its number and the
seed (``slanb/sql/demo/uniform.sql``), so the same seed, end month and size give identical rows with
the same DuckDB version, and ten million leads take seconds, not hours.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from slanb._files import replace_durably
from slanb.errors import SlanbError
from slanb.months import month_of, month_start, parse_month, shift_month
from slanb.paths import resolve_path
from slanb.store import history
from slanb.store.db import connect, create_schema, load_sql
from slanb.store.history import HistorySummary

MONTHS = 36
DEFAULT_LEADS = 95_000
MIN_LEADS = 1_000
MAX_LEADS = 100_000_000
_FIRST_YEAR = 1970
_INT64 = 2**63


def build_demo(
    path: str | os.PathLike[str],
    *,
    seed: int = 7,
    end: str | None = None,
    leads: int | None = None,
) -> HistorySummary:
    """Write a demo history ending with month ``end`` to ``path`` and summarize it.

    ``end`` defaults to the last complete month (UTC); ``leads`` to about 95,000. The history is
    exported at the first instant after ``end``. The file is built beside ``path`` and moved into
    place only when complete, so a reader never sees half a history.
    """
    end_month = _end_month(end)
    n = _lead_count(leads)
    _check_seed(seed)
    target = resolve_path(path)
    first = shift_month(end_month, -(MONTHS - 1))
    exported = month_start(shift_month(end_month, 1))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove(tmp)
        _generate(tmp, seed=seed, first=month_start(first), exported=exported, leads=n)
        replace_durably(tmp, target)
    except OSError as exc:
        msg = f"Cannot write the demo history to {target}: {exc}. Choose another --db path."
        raise SlanbError(msg) from exc
    finally:
        _remove(tmp)
    with connect(target) as con:
        return history.summary(con)


def _generate(path: Path, *, seed: int, first: datetime, exported: datetime, leads: int) -> None:
    """Write the demo history to the new file ``path``.

    The work happens in an in-memory DuckDB: the random-number macro, the rep roster and the
    per-lead plan live there, and ``path`` is attached as ``demo_out`` to receive the four tables.
    The big inserts run side by side on separate cursors: each is bound by its primary-key index,
    which one thread builds, so two tables at once use both cores.
    """
    con = duckdb.connect()
    try:
        _session(con)
        con.execute(load_sql("demo/uniform"))
        _stage(con, "demo_rep_roster", "demo/reps", {"first_month": first})
        _stage(con, "demo_lead_numbers", "demo/lead_numbers", {"seed": seed, "leads": leads})
        _stage(
            con,
            "demo_lead_plan",
            "demo/lead_plan",
            {
                "seed": seed,
                "first_month": first,
                "months": MONTHS,
                "leads": leads,
                "exported_at": exported,
                "id_width": max(7, len(str(leads))),
            },
        )
        con.execute("attach ? as demo_out", [str(path)])
        _session(con, out=True)
        create_schema(con)
        con.table("demo_rep_roster").select(
            "rep_id, name, team, start_date, end_date, timezone"
        ).insert_into("reps")
        con.sql(load_sql("demo/time_off"), params={"first_month": first}).insert_into("time_off")
        con.sql(load_sql("demo/rep_teams"), params={"first_month": first}).insert_into("rep_teams")
        con.sql(
            load_sql("demo/meta"),
            params={"exported_at": exported.isoformat(sep=" "), "seed": str(seed)},
        ).insert_into("slanb_meta")
        inserts = [
            ("leads", "demo/leads", {}),
            (
                "activities",
                "demo/activities",
                {"exported_at": exported, "id_width": max(9, len(str(leads * 16)))},
            ),
            ("deals", "demo/deals", {"exported_at": exported, "id_width": max(7, len(str(leads)))}),
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [pool.submit(_insert, con.cursor(), *job) for job in inserts]
            for future in done:
                future.result()
        con.execute("use memory")
        con.execute("detach demo_out")
    finally:
        con.close()


def _session(con: duckdb.DuckDBPyConnection, *, out: bool = False) -> None:
    """Set up a cursor: UTC, one checkpoint at the end; with ``out``, write to ``demo_out``."""
    con.execute("set TimeZone = 'UTC'")
    con.execute("set checkpoint_threshold = '1TB'")
    if out:
        con.execute("use demo_out")
        con.execute("set search_path = 'demo_out.main,memory.main'")


def _insert(
    cursor: duckdb.DuckDBPyConnection, table: str, query: str, params: dict[str, object]
) -> None:
    """Append the rows of ``slanb/sql/{query}.sql`` to ``table`` of ``demo_out``."""
    try:
        _session(cursor, out=True)
        cursor.sql(load_sql(query), params=params or None).insert_into(table)
    finally:
        cursor.close()


def _stage(
    con: duckdb.DuckDBPyConnection, table: str, query: str, params: dict[str, object]
) -> None:
    """Materialize ``slanb/sql/{query}.sql`` as a table of the in-memory working database."""
    con.execute(f"create table {table} as {load_sql(query)}", params)


def _end_month(end: str | None) -> str:
    """The history's last month: ``end`` if it is complete, else an error saying why."""
    current = month_of(datetime.now(UTC))
    if end is None:
        return shift_month(current, -1)
    month = parse_month(end, name="end")
    if month >= current:
        msg = (
            f"end must be a complete month, before the current month {current} (UTC); got {end!r}. "
            f"Omit --end for the last complete month, {shift_month(current, -1)}."
        )
        raise SlanbError(msg)
    if shift_month(month, -(MONTHS - 1)) < f"{_FIRST_YEAR}-01":
        earliest = shift_month(f"{_FIRST_YEAR}-01", MONTHS - 1)
        msg = f"end must be {earliest} or later (the demo spans {MONTHS} months); got {end!r}."
        raise SlanbError(msg)
    return month


def _lead_count(leads: int | None) -> int:
    if leads is None:
        return DEFAULT_LEADS
    if isinstance(leads, bool) or not isinstance(leads, int):
        msg = f"leads must be a whole number, got {leads!r}"
        raise SlanbError(msg)
    if not MIN_LEADS <= leads <= MAX_LEADS:
        msg = (
            f"leads must be between {MIN_LEADS:,} and {MAX_LEADS:,} (fewer leave too few MQLs per "
            f"month to plan from); got {leads:,}. Omit --leads for about {DEFAULT_LEADS:,}."
        )
        raise SlanbError(msg)
    return leads


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not -_INT64 <= seed < _INT64:
        msg = f"seed must be a whole number that fits in 64 bits, got {seed!r}"
        raise SlanbError(msg)


def _remove(path: Path) -> None:
    """Delete a leftover temporary database and its write-ahead log, if any."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
