"""A Salesforce extract by API field names, on tests/fixtures/sources/salesforce/.

Times are UTC with ``Z`` (Data Loader); CloseDate and ConvertedDate are dates, read at 12:00 UTC.
The plan for October 2025 on one month of sample (``lookback_months=1, maturity_months=0``):
September's MQLs are lead 00Q…1, lead 00Q…2 and contact 003…7 (a person created as a contact).
Lead 00Q…3 is deleted and 00Q…4 merged into 00Q…1: both dropped. Won before Oct 1: 006…1 ($1,200.50,
the opportunity 00Q…1 was converted into) and 006…3 ($800, CloseDate Sep 30 read at noon: its
primary contact role is 003…7, not the first role 003…8). 006…2 ($9,999) is deleted; renewal
006…4 has no lead. Revenue per MQL = 2,000.50 / 3 = $666.83; goal = ⌈75,000 / 666.8333⌉ = 113.

October: 00Q…5 (MQL Oct 1 02:30) was converted to contact 003…5: its call 00T…1 on the contact is
moved back to it (10.5 h: met), its call 00T…2 only on the opportunity too, and the meeting on
the contact. 00Q…6: the list e-mail, the not-started call, the inbound call and the deleted call
are no touches; its first touch is the e-mail 00T…5, 30 h in: breached. First touch judged 2, met
1, median (10.5 + 30) / 2 = 20.25 h. Cadence: 2 calls and 0 calls: both breached. Lead 00Q…2's
owner is a queue: unassigned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import slanb
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, ingest
from slanb.store.sources import template

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "salesforce"
MAYA, SAM = "005A00000000001AAA", "005A00000000002AAA"


def mapping_file(tmp_path: Path, **changes) -> Path:
    values = yaml.safe_load(template("salesforce"))
    for section, change in changes.items():
        values[section] = {**values.get(section, {}), **change}
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def imported(tmp_path: Path, **changes):
    db = tmp_path / "acme.duckdb"
    return db, ingest(FIXTURE, db=db, mapping=mapping_file(tmp_path, **changes))


def test_the_plan_and_the_tracking_to_the_cent(tmp_path):
    db, _ = imported(tmp_path)
    sla = slanb.compute(Params(db=str(db), month="2025-10", lookback_months=1, maturity_months=0))
    value = sla.plan.revenue_per_mql
    assert (value.mqls, value.won_deals, value.revenue, value.value) == (3, 2, 2000.5, 666.83)
    assert (sla.plan.goal.mqls, sla.plan.goal.reps) == (113, ("Maya Chen", "Sam Ortiz"))
    tracking = sla.tracking
    assert tracking is not None
    first = tracking.first_touch
    assert (first.judged, first.met, first.breached, first.median_hours) == (2, 1, 1, 20.25)
    cadence = tracking.cadence
    assert (cadence.judged, cadence.met, cadence.breached) == (2, 0, 2)
    assert tracking.dashboard.rows() == [
        (SAM, "Sam Ortiz", 1, 1, ["00Q000000000006AAA"]),
        (MAYA, "Maya Chen", 0, 1, ["00Q000000000005AAA"]),
    ]


def test_activities_of_a_converted_lead_are_moved_back_to_it(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        rows = con.sql("select activity_id, lead_id, kind from activities order by 1").fetchall()
    assert rows == [
        ("00T000000000001AAA", "00Q000000000005AAA", "call"),  # on the contact
        ("00T000000000002AAA", "00Q000000000005AAA", "call"),  # only on the opportunity
        ("00T000000000005AAA", "00Q000000000006AAA", "email"),
        ("00U000000000001AAA", "00Q000000000005AAA", "meeting"),  # an event on the contact
    ]


def test_deleted_merged_and_queue_owned_records(tmp_path):
    db, report = imported(tmp_path)
    with connect(db) as con:
        leads = dict(con.sql("select lead_id, owner_id from leads").fetchall())
        deals = con.sql("select deal_id, lead_id from deals order by 1").fetchall()
    assert "00Q000000000003AAA" not in leads and "00Q000000000004AAA" not in leads
    assert leads["00Q000000000002AAA"] is None  # owned by the queue 00G…
    assert deals == [
        ("006000000000001AAA", "00Q000000000001AAA"),  # converted from the lead
        ("006000000000003AAA", "003000000000007AAA"),  # the primary contact role
        ("006000000000005AAA", "00Q000000000005AAA"),  # the role's contact is a converted lead
    ]
    assert (
        "Lead.csv: 6 rows read: 4 leads (4 MQLs); dropped: 1 deleted, 1 merged; 1 record owned "
        "by a queue (00G…) unassigned"
    ) in report.notes
    assert (
        "Task.csv: 7 rows read: 3 kept (1 moved to the lead from its contact, 1 moved to the lead "
        "from its opportunity); dropped: 1 a ListEmail task, 1 an inbound call, 1 deleted, "
        "1 not completed (Not Started)"
    ) in report.notes


def test_activity_date_as_the_touch_time_is_refused(tmp_path):
    """ActivityDate is a date: as the touch moment it turned 4 late first touches into 11."""
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, activities={"task_time": ["ActivityDate"]})
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("Task.csv", 2, "ActivityDate")
    assert "a touch needs the moment it happened" in problem.message


def test_fivetran_snake_case_names_are_read_too(tmp_path):
    folder = tmp_path / "fivetran"
    folder.mkdir()
    for path in FIXTURE.iterdir():
        header, rest = path.read_text().split("\n", 1)
        snake = ",".join(
            "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")
            for name in header.split(",")
        )
        (folder / path.name).write_text(snake.replace("m_q_l__date__c", "mql_date_c") + "\n" + rest)
    db = tmp_path / "acme.duckdb"
    ingest(folder, db=db, mapping=mapping_file(tmp_path))
    with connect(db) as con:
        assert con.sql("select count(*), count(mql_at) from leads").fetchall() == [(6, 5)]


def test_reps_start_when_created_and_an_inactive_user_ends_when_last_modified(tmp_path):
    """Sam Ortiz is inactive: his end is the day of his LastModifiedDate (2025-10-20 21:00 Z)."""
    from datetime import date

    db, report = imported(tmp_path)
    with connect(db) as con:
        reps = con.sql("select rep_id, start_date, end_date from reps order by 1").fetchall()
    assert reps == [
        (MAYA, date(2024, 1, 15), None),
        (SAM, date(2024, 3, 1), date(2025, 10, 20)),
    ]
    assert (
        "reps: 2 sales reps (reps.sales; queues never); 2 with a start date, 1 with an end date "
        "from the CRM's users"
    ) in report.notes
