"""A one-day delta export for a cached demo history: what a daily CRM sync brings the morning after.

The demo history ends on its last day D (2026-10-31). The delta is "the next day", generated from
the history's own last day so it scales with the history (about 1/1,100 of the leads):

- new rows: every lead created on D, every activity that occurred on D and every deal created on D,
  copied one day later under new ids (``…n``); an activity or deal of a copied lead points at the
  copy, others at the lead they had;
- updated rows: one in ten leads created in D's last week that are MQLs without an SQL becomes an
  SQL on D + 1, and one in twenty open deals is won on D + 1;
- reps: the roster, unchanged (an export carries it every time).

Written as ``leads``, ``activities``, ``deals`` and ``reps`` in CSV or Parquet beside the history's
exports in ``benchmarks/cache/``, once (temporary name, then a rename).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import histories

_NEXT = "interval 1 day"
_QUERIES = {
    "leads": f"""
        with last_day as (select max(created_at)::date as d from leads),
        new as (
            select lead_id || 'n' as lead_id, created_at + {_NEXT} as created_at,
                mql_at + {_NEXT} as mql_at, sql_at + {_NEXT} as sql_at, owner_id, intent, fit,
                source, assigned_at + {_NEXT} as assigned_at
            from leads where created_at::date = (select d from last_day)
        ),
        updated as (
            select lead_id, created_at, mql_at, (select d from last_day) + {_NEXT} + interval 10 hour
                as sql_at, owner_id, intent, fit, source, assigned_at
            from leads
            where created_at::date > (select d from last_day) - 7 and mql_at is not null
                and sql_at is null and hash(lead_id) % 10 = 0
        ),
        final as (select * from new union all select * from updated)
        select * from final
    """,
    "activities": f"""
        with last_day as (select max(occurred_at)::date as d from activities),
        new_leads as (
            select lead_id from leads
            where created_at::date = (select max(created_at)::date from leads)
        ),
        final as (
            select a.activity_id || 'n' as activity_id,
                case when n.lead_id is null then a.lead_id else a.lead_id || 'n' end as lead_id,
                a.rep_id, a.kind, a.occurred_at + {_NEXT} as occurred_at
            from activities as a
            left join new_leads as n on n.lead_id = a.lead_id
            where a.occurred_at::date = (select d from last_day)
        )
        select * from final
    """,
    "deals": f"""
        with last_day as (select max(created_at)::date as d from leads),
        new_leads as (
            select lead_id from leads where created_at::date = (select d from last_day)
        ),
        new as (
            select d.deal_id || 'n' as deal_id,
                case when n.lead_id is null then d.lead_id else d.lead_id || 'n' end as lead_id,
                d.created_at + {_NEXT} as created_at, d.closed_at + {_NEXT} as closed_at,
                d.stage, d.amount
            from deals as d
            left join new_leads as n on n.lead_id = d.lead_id
            where d.created_at::date = (select d from last_day)
        ),
        won as (
            select deal_id, lead_id, created_at,
                (select d from last_day) + {_NEXT} + interval 15 hour as closed_at,
                'won' as stage, amount
            from deals where stage = 'open' and hash(deal_id) % 20 = 0
        ),
        final as (select * from new union all select * from won)
        select * from final
    """,
    "reps": "select rep_id, name, team, start_date, end_date, timezone from reps",
}


def delta(db: Path, fmt: str, *, log: Callable[[str], None] = print) -> Path:
    """The one-day delta of the cached history ``db`` as ``NAME.csv`` or ``NAME.parquet`` files."""
    folder = db.with_name(f"{db.stem}-delta-{fmt}")
    what = f"writing the one-day delta of {db.name} as {fmt}"
    return histories.copy_out(db, folder, _QUERIES, fmt, log=log, what=what)


def rows(folder: Path) -> int:
    """Rows in the delta's files."""
    con = duckdb.connect()
    try:
        total = 0
        for f in sorted(folder.iterdir()):
            reader = "read_parquet" if f.suffix == ".parquet" else "read_csv"
            total += con.sql(f"select count(*) from {reader}('{f}')").fetchall()[0][0]
        return total
    finally:
        con.close()


def settled(db: Path, *, log: Callable[[str], None] = print) -> tuple[Path, dict[str, float]]:
    """A copy of ``db`` after its first write (cached), and what that first write cost.

    The first checkpoint that follows a change in a history ``slanb demo`` built (here one deal's
    amount changed and changed back) rewrites its activities table: DuckDB merges the row groups the
    demo's parallel appends left (3,011 segments to 2,888 and 65 MB written at 10M leads, 5.7 CPU s
    there, once; later checkpoints are cheap). A history that has had one import no longer pays it,
    so the delta is measured on a settled copy, and the one-time cost is reported beside it.
    """
    path = db.with_name(f"{db.stem}-settled.duckdb")
    cost_file = path.with_suffix(".json")
    if path.exists() and cost_file.exists():
        return path, json.loads(cost_file.read_text())
    log(f"settling a copy of {db.name} (one write, once) …")
    tmp = path.with_name(path.name + ".tmp")
    shutil.copyfile(db, tmp)
    con = duckdb.connect(str(tmp))
    try:
        first = "(select min(deal_id) from deals)"
        wall, cpu = time.perf_counter(), time.process_time()
        for change in ("+ 1", "- 1"):  # a real change: a checkpoint without one does nothing
            con.execute(f"update deals set amount = amount {change} where deal_id = {first}")
            con.execute("checkpoint")
        cost = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    finally:
        con.close()
    tmp.rename(path)
    cost_file.write_text(json.dumps(cost))
    return path, cost
