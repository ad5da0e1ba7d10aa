"""A demo history too big to generate in one piece (100M leads), built in chunks of lead numbers.

``slanb.store.demo.build_demo`` stages every lead's plan in memory (about 4.5 GiB of RSS at 10M
leads, so some 45 GiB at 100M) and inserts into tables with primary keys. Here the same SQL
(``slanb/sql/demo/*.sql``) runs on ``--chunk`` lead numbers at a time: every per-lead draw depends
only on the lead number, the seed and the total lead count, so leads and activities are the rows
``build_demo`` would write. Deal ids number the deals in order of creation across all chunks, as
``build_demo`` does: the chunks' deals are staged, then renumbered by (created_at, lead_id, the
chunk's id) in one pass (the chunk's id orders a lead's deals as its deal number does).

One difference, stated in ``docs/performance.md``: ``leads``, ``activities`` and ``deals`` are
created without their primary-key constraints (the columns and types of
``slanb/sql/contract/schema.sql``; the small tables keep theirs). The ART indexes of 100M lead ids
and 220M activity ids would need more memory than this shared machine has while building, and the
plan never reads an index: it scans and groups.

    python benchmarks/big_history.py PATH --leads 100000000 [--chunk 10000000] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from slanb.months import month_start, shift_month
from slanb.store.db import create_schema, load_sql
from slanb.store.demo import MONTHS

BIG_TABLES = ("leads", "activities", "deals")
_SQL = Path(__file__).with_name("sql")
MEMORY_LIMIT = "6GB"  # the build's DuckDB; it spills the rest to a temp folder beside PATH


def build(path: Path, *, leads: int, chunk: int, seed: int, end: str) -> None:
    """Write the chunked demo history of ``leads`` leads to the new file ``path``."""
    first = month_start(shift_month(end, -(MONTHS - 1)))
    exported = month_start(shift_month(end, 1))
    spill = path.with_name(path.name + ".spill")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(load_sql("demo/uniform"))
        con.execute(
            f"create table demo_rep_roster as {load_sql('demo/reps')}", {"first_month": first}
        )
        con.execute("attach ? as demo_out", [str(path)])
        _create_tables(con)
        con.execute("use demo_out")
        con.execute("set search_path = 'demo_out.main,memory.main'")
        con.table("demo_rep_roster").select(
            "rep_id, name, team, start_date, end_date, timezone"
        ).insert_into("reps")
        con.sql(load_sql("demo/time_off"), params={"first_month": first}).insert_into("time_off")
        con.sql(
            load_sql("demo/meta"),
            params={"exported_at": exported.isoformat(sep=" "), "seed": str(seed)},
        ).insert_into("slanb_meta")
        con.execute("create table memory.main.deals_staged as from deals limit 0")
        for lo in range(0, leads, chunk):
            hi = min(lo + chunk, leads)
            started = time.perf_counter()
            _chunk(con, lo=lo, hi=hi, leads=leads, seed=seed, first=first, exported=exported)
            print(f"leads {lo:,}–{hi:,}: {time.perf_counter() - started:.0f}s", flush=True)
        con.sql(
            (_SQL / "big_history_deal_ids.sql").read_text(encoding="utf-8"),
            params={"id_width": max(7, len(str(leads)))},
        ).insert_into("deals")
        con.execute("use memory")
        con.execute("detach demo_out")
    finally:
        con.close()


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The contract's tables in ``demo_out``: the three big ones with the schema's columns and
    types but no constraints (built from the schema in memory), then the rest as the schema has
    them (``create_schema`` skips the tables that exist)."""
    con.execute("create schema memory.contract")
    con.execute("use memory.contract")
    create_schema(con)
    con.execute("use demo_out")
    for t in BIG_TABLES:
        con.execute(f"create table demo_out.main.{t} as from memory.contract.{t} limit 0")
    create_schema(con)
    con.execute("drop schema memory.contract cascade")


def _chunk(
    con: duckdb.DuckDBPyConnection,
    *,
    lo: int,
    hi: int,
    leads: int,
    seed: int,
    first: object,
    exported: object,
) -> None:
    """Stage the plan of lead numbers ``lo`` to ``hi`` and append its rows."""
    con.execute(
        "create or replace table memory.main.demo_lead_numbers as "
        "select range as lead_no, hash(range, $seed) as h from range($lo, $hi)",
        {"seed": seed, "lo": lo, "hi": hi},
    )
    con.execute(
        f"create or replace table memory.main.demo_lead_plan as {load_sql('demo/lead_plan')}",
        {
            "seed": seed,
            "first_month": first,
            "months": MONTHS,
            "leads": leads,
            "exported_at": exported,
            "id_width": max(7, len(str(leads))),
        },
    )
    con.sql(load_sql("demo/leads")).insert_into("leads")
    con.sql(
        load_sql("demo/activities"),
        params={"exported_at": exported, "id_width": max(9, len(str(leads * 16)))},
    ).insert_into("activities")
    con.sql(
        load_sql("demo/deals"),
        params={"exported_at": exported, "id_width": max(7, len(str(leads)))},
    ).insert_into("memory.main.deals_staged")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", type=Path)
    p.add_argument("--leads", type=int, required=True)
    p.add_argument("--chunk", type=int, default=10_000_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", default="2026-10")
    args = p.parse_args()
    build(args.path, leads=args.leads, chunk=args.chunk, seed=args.seed, end=args.end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
