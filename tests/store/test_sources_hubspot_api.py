"""HubSpot's API tables as Fivetran lands them, on tests/fixtures/sources/hubspot_api/.

The history is the UI export's (tests/store/test_sources_hubspot.py) in UTC, as the sync tools
land it (``2025-09-02 14:00:00``, no offset; ``time.timezone: UTC``), with the API's own decoys.

The plan for October 2025 on one month of sample (``lookback_months=1, maturity_months=0``):
September's MQLs are 101, 102, 103 (104's MQL is Oct 1 02:30 UTC). Contact 108 is deleted
(``_fivetran_deleted``) and 109 merged into 101 (listed in 101's ``hs_calculated_merged_vids``):
both dropped, else 5 MQLs. Won before Oct 1 00:00 UTC: 901 of 101 ($1,200.50) and 907 of 103
($400, in the partners pipeline at the stage "Signed", whose ``closed_won`` flag says won: the
default pipeline's stage ids alone would miss it). 902 closes Oct 1 01:00; 906 ($9,999) is
deleted (``is_deleted``); 908 ($700) merged into 902; renewal 904 has no contact. Revenue per MQL
= (1,200.50 + 400) / 3 = $533.50; goal = ⌈75,000 / 533.50⌉ = ⌈140.58⌉ = 141 MQLs.

Intent from the form submissions: at its MQL moment 101's last form was "Demo request" (13:59,
one minute before): hand-raiser; 102's was "Ebook" (its first, "Demo request", came a day
before): other; 106's was "Webinar" (its "Demo request" came after the MQL): other.

October's first touch (24 h): 104 met (call 501, 10.5 h), 106 breached (call 504, 30 h; 502 is
INBOUND, 503 QUEUED, 601 an INCOMING_EMAIL, 512 deleted: it would have been met in 0.5 h), 107
met (0.5 h): judged 3, met 2, median 10.5 h. Cadence (5 calls in 14 days): 104 has 2 (501, and 505
on deal 905 only, moved to its lead 104), 106 has 1, 107 has 5 (two NO_ANSWER: dialled, so
touches): judged 3, met 1, breached 2. Reps: owners 1001 Maya Chen (since 2024-01-15) and 1002
Sam Ortiz (archived: ends 2025-10-20, its last update); 1003 Ops Bot is not a rep.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

import slanb
from slanb import cli
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, ingest
from slanb.store.sources import template

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "hubspot_api"


def mapping_file(tmp_path: Path, **changes) -> Path:
    values = yaml.safe_load(template("hubspot-api"))
    for section, change in changes.items():
        values[section] = {**values.get(section, {}), **change}
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def imported(tmp_path: Path, folder: Path = FIXTURE, **changes):
    db = tmp_path / "acme.duckdb"
    return db, ingest(folder, db=db, mapping=mapping_file(tmp_path, **changes))


def october(db: Path):
    return slanb.compute(Params(db=str(db), month="2025-10", lookback_months=1, maturity_months=0))


def test_the_plan_and_the_tracking_to_the_cent(tmp_path):
    db, _ = imported(tmp_path)
    sla = october(db)
    value = sla.plan.revenue_per_mql
    assert (value.mqls, value.won_deals, value.revenue, value.value) == (3, 2, 1600.5, 533.5)
    assert (sla.plan.goal.mqls, sla.plan.goal.reps) == (141, ("Maya Chen", "Sam Ortiz"))
    tracking = sla.tracking
    assert tracking is not None
    first = tracking.first_touch
    assert (first.judged, first.met, first.breached, first.median_hours) == (3, 2, 1, 10.5)
    cadence = tracking.cadence
    assert (cadence.judged, cadence.met, cadence.breached) == (3, 1, 2)
    assert tracking.dashboard.rows() == [("1001", "Maya Chen", 1, 2, ["104", "106"])]


def test_leads_intent_from_the_form_at_the_mql_moment(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        leads = con.sql("select lead_id, owner_id, intent, fit from leads order by 1").fetchall()
    assert leads == [
        ("101", "1001", "hand_raiser", "A"),
        ("102", "1002", "other", "B"),
        ("103", None, "other", "C"),  # Ops Bot is not a rep
        ("104", "1001", "hand_raiser", "A"),
        ("105", None, None, "C"),
        ("106", "1001", "other", "B"),
        ("107", "1002", "other", None),
    ]


def test_deleted_and_merged_rows_are_dropped_and_counted(tmp_path):
    db, report = imported(tmp_path)
    with connect(db) as con:
        deals = con.sql("select deal_id, lead_id, stage from deals order by 1").fetchall()
    assert deals == [
        ("901", "101", "won"),
        ("902", "102", "won"),
        ("903", "103", "lost"),
        ("905", "104", "open"),
        ("907", "103", "won"),  # the "Signed" stage's closed_won flag
    ]
    assert "contact.csv: dropped before reading: 1 deleted, 1 merged into another contact" in (
        report.notes
    )
    assert "deal.csv: dropped before reading: 1 deleted, 1 merged (deals)" in report.notes
    assert (
        "engagement_call.csv: 12 rows read: 9 calls kept; dropped: 1 not made (QUEUED), "
        "1 not outbound (INBOUND)"
    ) in report.notes


def test_reps_with_their_dates_from_the_owners(tmp_path):
    db, report = imported(tmp_path)
    with connect(db) as con:
        reps = con.sql("select rep_id, name, start_date, end_date from reps order by 1").fetchall()
    assert reps == [
        ("1001", "Maya Chen", date(2024, 1, 15), None),
        ("1002", "Sam Ortiz", date(2024, 3, 1), date(2025, 10, 20)),
    ]
    assert (
        "reps: 2 sales reps (reps.sales; names and dates from owner.csv); 2 with a start date, "
        "1 with an end date from the CRM's users"
    ) in report.notes


def test_times_are_utc_with_or_without_an_offset(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        touch = dict(con.sql("select activity_id, occurred_at from activities").fetchall())
    assert touch["call-501-104"] == datetime(2025, 10, 1, 13, 0)  # 2025-10-01 13:00:00
    assert touch["email-602-104"] == datetime(2025, 10, 3, 13, 0)  # 2025-10-03T13:00:00.000Z


def test_a_naive_timestamp_without_a_time_zone_is_refused(tmp_path):
    db = tmp_path / "acme.duckdb"
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, time={"timezone": None})
    first = caught.value.problems[0]
    assert (first.file, first.row, first.column) == ("contact.csv", 2, "property_createdate")
    assert "Fivetran, Airbyte and dlt land HubSpot's times in UTC" in first.message
    assert "(9 rows like this; the first is shown)" in first.message
    # the e-mails' times carry their offset (Z): they are not refused
    assert not any(p.file == "engagement_email.csv" for p in caught.value.problems)
    assert not db.exists()


def test_airbyte_and_dlt_column_prefixes_are_read_too(tmp_path):
    folder = tmp_path / "airbyte"
    folder.mkdir()
    for path in FIXTURE.iterdir():
        text = path.read_text()
        header, rest = text.split("\n", 1)
        prefix = "properties__" if path.name.startswith("engagement") else "properties_"
        (folder / path.name).write_text(header.replace("property_", prefix) + "\n" + rest)
    db, _ = imported(tmp_path, folder)
    assert october(db).plan.revenue_per_mql.value == 533.5


def test_the_first_touch_without_the_deleted_filter_would_differ(tmp_path):
    """Keeping the deleted call 512 would have met 106's first touch: it is dropped."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    calls = folder / "engagement_call.csv"
    calls.write_text(calls.read_text().replace("512,true", "512,false"))
    db, _ = imported(tmp_path, folder)
    assert october(db).tracking.first_touch.met == 3


def test_init_writes_the_hubspot_api_mapping(tmp_path):
    path = tmp_path / "mapping.yaml"
    assert cli.main(["init", "--source", "hubspot-api", "--mapping", str(path)]) == 0
    assert "source: hubspot-api" in path.read_text()
    assert "CHOOSE" in path.read_text()


def test_the_tables_as_parquet_give_the_same_numbers(tmp_path):
    """Typed Parquet (ids as integers, times as TIMESTAMP, flags as BOOLEAN) reads as the CSVs."""
    folder = tmp_path / "parquet"
    folder.mkdir()
    with duckdb.connect() as con:
        for path in FIXTURE.iterdir():
            target = folder / f"{path.stem}.parquet"
            con.execute(f"copy (select * from read_csv('{path}')) to '{target}' (format parquet)")
        described = con.sql(f"describe '{folder / 'contact.parquet'}'").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["id"] == "BIGINT" and types["property_createdate"] == "TIMESTAMP"
    db, report = imported(tmp_path, folder)
    sla = october(db)
    assert (sla.plan.revenue_per_mql.value, sla.plan.goal.mqls) == (533.5, 141)
    assert sla.tracking.first_touch.median_hours == 10.5
    assert "contact.parquet: 9 rows read: 7 leads, 6 MQLs" in report.notes


def test_a_table_as_both_csv_and_parquet_is_refused(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_csv('{folder / 'deal.csv'}')) "
            f"to '{folder / 'deal.parquet'}' (format parquet)"
        )
    with pytest.raises(SlanbError, match="has both deal.csv and deal.parquet"):
        imported(tmp_path, folder)


def test_a_date_only_touch_time_is_refused(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    calls = folder / "engagement_call.csv"
    calls.write_text(
        calls.read_text().replace("19:00:00,2025-10-07 19:00:00,", "19:00:00,2025-10-07,")
    )
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, folder)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "engagement_call.csv",
        5,
        "property_hs_timestamp",
        "2025-10-07",
    )
    assert "a touch needs the moment it happened" in problem.message
