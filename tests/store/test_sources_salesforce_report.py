"""Salesforce reports exported "Details Only", on tests/fixtures/sources/salesforce_report/.

The history is the API extract's (tests/store/test_sources_salesforce.py) as reports write it:
labels (``Lead ID``, ``Lead Owner``), owners by name, 15-character ids (the activities report and
one contact role carry the 18-character form of the same records), US-locale times in the
exporting user's zone (America/New_York: EDT, UTC-4) and the footer after the rows.

The plan for October 2025 on one month (``lookback_months=1, maturity_months=0``): September's
MQLs are lead …C01 (Sep 2 10:00 EDT), lead …C02 (owned by "Inbound Queue": unassigned) and
contact …007 (a person created as a contact). Won before Oct 1 00:00 UTC: opportunity …001
($1,200.50, converted from …C01) and …003 ($800, Close Date 9/30/2025 read at 12:00 New York =
16:00 UTC; its primary contact role is …007, not …008). Renewal …004 has no lead. Revenue per MQL
= 2,000.50 / 3 = $666.83; goal = ⌈75,000 / 666.8333⌉ = 113.

October: lead …c05 (MQL 9/30/2025 10:30 PM EDT = Oct 1 02:30 UTC), converted to contact …005:
its call on the contact (written as the 18-character id) is moved back to it, 10.5 h: met; the
call on its opportunity only is too. Lead …Z06: the list e-mail, the not-started and the inbound
call are no touches; its first touch is the e-mail 30 h in: breached. Judged 2, met 1, median
20.25 h; cadence 2 judged, both breached. Reps by name: Maya Chen, and Sam Ortiz (inactive: ends
2025-10-20, the day of his Last Modified Date).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

import slanb
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, ingest
from slanb.store.sources import template

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "salesforce_report"
L5, L6 = "00Q5g00000aBc05EAC", "00Q5g00000XyZ06EAF"


def mapping_file(tmp_path: Path, **changes) -> Path:
    values = yaml.safe_load(template("salesforce-report"))
    for section, change in changes.items():
        values[section] = {**values.get(section, {}), **change}
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def imported(tmp_path: Path, folder: Path = FIXTURE, **changes):
    db = tmp_path / "acme.duckdb"
    return db, ingest(folder, db=db, mapping=mapping_file(tmp_path, **changes))


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
        ("Sam Ortiz", "Sam Ortiz", 1, 1, [L6]),
        ("Maya Chen", "Maya Chen", 0, 1, [L5]),
    ]


def test_15_character_ids_meet_their_18_character_forms(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        acts = con.sql("select activity_id, lead_id from activities order by 1").fetchall()
        deals = con.sql("select deal_id, lead_id from deals order by 1").fetchall()
    assert acts == [
        ("00T5g00000Tk001EAB", L5),  # on contact 0035g00000hK005AAC, written in 18 characters
        ("00T5g00000Tk002EAB", L5),  # only on the opportunity 0065g00000qR005
        ("00T5g00000Tk005EAB", L6),
    ]
    assert deals == [
        ("0065g00000Qr001AAB", "00Q5g00000AbC01EAF"),
        ("0065g00000Qr003AAB", "0035g00000Hk007AAB"),  # the primary contact role
        ("0065g00000qR005AAC", L5),  # its role written in 18 characters, the report in 15
    ]


def test_the_footer_is_skipped_and_counted(tmp_path):
    _, report = imported(tmp_path)
    assert (
        "leads.csv: the report's footer skipped (5 lines after the rows, from 'Leads with MQL "
        "date' to 'Acme Inc.')"
    ) in report.notes
    assert "leads.csv: 4 rows read: 4 leads (4 MQLs)" in report.notes


def test_a_footer_not_after_a_blank_line_is_refused_not_read(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    leads = folder / "leads.csv"
    leads.write_text(leads.read_text().replace('"Web"\n\n"Leads', '"Web"\n"Leads'))
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, folder)
    rows = [(p.file, p.row) for p in caught.value.problems]
    assert rows == [("leads.csv", r) for r in range(6, 11)]
    assert "could not be read" in caught.value.problems[0].message


def test_reps_by_name_with_their_dates(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        reps = con.sql("select rep_id, start_date, end_date from reps order by 1").fetchall()
        owner = con.sql(
            "select owner_id from leads where lead_id = '00Q5g00000AbC02EAF'"
        ).fetchall()
    assert reps == [
        ("Maya Chen", date(2024, 1, 15), None),
        ("Sam Ortiz", date(2024, 3, 1), date(2025, 10, 20)),
    ]
    assert owner == [(None,)]  # the queue is not a rep


def test_a_missing_time_zone_says_where_the_exporting_user_sets_it(tmp_path):
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, time={"timezone": None})
    first = caught.value.problems[0]
    assert (first.file, first.row, first.column) == ("leads.csv", 2, "Created Date")
    assert "Settings > My Personal Information > Personal Information > Time Zone" in first.message


def test_the_date_column_as_the_touch_time_is_refused(tmp_path):
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, activities={"task_time": ["Date"]})
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "activities.csv",
        2,
        "Date",
        "10/1/2025",
    )
    assert "a touch needs the moment it happened" in problem.message


def test_iso_locale_refuses_us_dates_with_the_setting_to_change(tmp_path):
    with pytest.raises(IngestError) as caught:
        imported(tmp_path, time={"locale": "iso"})
    first = caught.value.problems[0]
    assert first.value == "9/1/2025 9:00 AM"
    assert "set time.locale: us" in first.message


def test_the_18_character_rule_on_salesforce_s_own_example():
    """001A0000006Vm9r: blocks 001A0 (A is character 3: 8 → I), 00000 (0 → A), 6Vm9r (V: 2 → C)."""
    import duckdb

    from slanb.store.sources.salesforce_report import to_18

    con = duckdb.connect()
    values = ["001A0000006Vm9r", "001A0000006Vm9rIAC", "Maya Chen", None]
    got = [con.execute(f"select {to_18('$v')}", {"v": v}).fetchone()[0] for v in values]
    assert got == ["001A0000006Vm9rIAC", "001A0000006Vm9rIAC", "Maya Chen", None]


def test_init_writes_the_report_mapping(tmp_path):
    from slanb import cli

    path = tmp_path / "mapping.yaml"
    assert cli.main(["init", "--source", "salesforce-report", "--mapping", str(path)]) == 0
    text = path.read_text()
    assert "source: salesforce-report" in text and "CHOOSE" in text
