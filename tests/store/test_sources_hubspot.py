"""HubSpot's UI export through the mapping file, on tests/fixtures/sources/hubspot/.

The export is in America/New_York (EDT, UTC-4, in September and October 2025), as HubSpot writes
it: ``YYYY-MM-DD HH:MM`` without an offset, owners by name, associations as ``;`` lists.

The plan for October 2025 on one month of sample (``lookback_months=1, maturity_months=0``):
the sample is September's MQLs in UTC: 101, 102, 103 (104 became an MQL on Sep 30 22:30 in New
York, which is Oct 1 02:30 UTC: an October MQL). Won before Oct 1 00:00 UTC: deal 901 of 101,
$1,200.50. Deal 902 (won "2025-09-30 21:00" in New York = Oct 1 01:00 UTC) is not yet won at the
cutoff; renewal 904 has no contact and is left out. Revenue per MQL = 1,200.50 / 3 = $400.17;
goal = ⌈75,000 / 400.1667⌉ = 188 MQLs for the 2 reps (Ops Bot is not a rep).

Decoys: contact 102's First Conversion is "Demo request" but at its MQL moment the Recent
Conversion "Ebook" (10:58, two minutes before) was the one: other, not hand-raiser. 106's recent
"Demo request" came after its MQL and it converted three times: unknown. Call 502 is inbound, 503
only scheduled, e-mail 601 a reply: none is a touch. Call 505 sits only on deal 905: it is moved to
the deal's lead 104. Deal 905's Close Date is an expected one (open deal): not a close.

October's first touch (24 h): 104 met (call 501, 10.5 h after its MQL), 106 breached (first real
call 504 30 h after; 502, 503 and 601 are decoys), 107 met (0.5 h): judged 3, met 2, median 10.5 h.
Cadence (5 calls in 14 days): 104 has 2 (501, 505; 511 is after the window), 106 has 1, 107 has 5:
judged 3, met 1, breached 2. Dashboard: Maya Chen, 1 late first touch, 2 short cadences.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml

import slanb
from slanb import cli
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, ingest
from slanb.store.sources import load_mapping, template

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "hubspot"


def mapping_file(tmp_path: Path, **changes) -> Path:
    """The template's mapping with ``changes`` (section: {key: value}, or None to remove it)."""
    values = yaml.safe_load(template("hubspot"))
    for section, change in changes.items():
        if change is None:
            values.pop(section, None)
        elif isinstance(change, dict):
            values[section] = {**values.get(section, {}), **change}
        else:
            values[section] = change
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def imported(tmp_path: Path, **changes):
    db = tmp_path / "acme.duckdb"
    report = ingest(FIXTURE, db=db, mapping=mapping_file(tmp_path, **changes))
    return db, report


def october(db: Path):
    return slanb.compute(Params(db=str(db), month="2025-10", lookback_months=1, maturity_months=0))


def test_the_plan_and_the_tracking_to_the_cent(tmp_path):
    db, _ = imported(tmp_path)
    sla = october(db)
    value = sla.plan.revenue_per_mql
    assert (value.mqls, value.won_deals, value.revenue, value.value) == (3, 1, 1200.5, 400.17)
    assert sla.plan.goal.mqls == 188
    assert sla.plan.goal.reps == ("Maya Chen", "Sam Ortiz")
    tracking = sla.tracking
    assert tracking is not None
    first = tracking.first_touch
    assert (first.judged, first.met, first.breached, first.median_hours) == (3, 2, 1, 10.5)
    cadence = tracking.cadence
    assert (cadence.judged, cadence.met, cadence.breached, cadence.excluded) == (3, 1, 2, 0)
    assert tracking.dashboard.rows() == [("Maya Chen", "Maya Chen", 1, 2, ["104", "106"])]


def test_times_are_read_in_the_portals_time_zone(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        mql = dict(con.sql("select lead_id, mql_at from leads").fetchall())
        closed = dict(con.sql("select deal_id, closed_at from deals").fetchall())
        touch = dict(con.sql("select activity_id, occurred_at from activities").fetchall())
    assert mql["104"] == datetime(2025, 10, 1, 2, 30)  # 2025-09-30 22:30 EDT
    assert closed["902"] == datetime(2025, 10, 1, 1, 0)  # won Sep 30, 21:00 in New York
    assert closed["905"] is None  # an open deal's Close Date is only expected
    # 01:30 on 2025-11-02 happened twice in New York: read as the first, in daylight time.
    assert touch["call-511-104"] == datetime(2025, 11, 2, 5, 30)


def test_leads_intent_fit_and_owners(tmp_path):
    db, _ = imported(tmp_path)
    with connect(db) as con:
        leads = con.sql("select lead_id, owner_id, intent, fit from leads order by 1").fetchall()
    assert leads == [
        ("101", "Maya Chen", "hand_raiser", "A"),  # Demo request at 09:59, MQL at 10:00
        ("102", "Sam Ortiz", "other", "B"),  # "(Deactivated User)" stripped; Ebook at MQL time
        ("103", None, "other", "C"),  # Ops Bot is not a rep: unassigned
        ("104", "Maya Chen", "hand_raiser", "A"),  # 1,500 employees
        ("105", None, None, "C"),  # never an MQL: no conversion at an MQL moment
        ("106", "Maya Chen", None, "B"),  # the form at its MQL moment is not in the export
        ("107", "Sam Ortiz", "other", None),  # no employee count: no fit rule matches
    ]


def test_the_report_speaks_hubspot(tmp_path):
    _, report = imported(tmp_path)
    lines = report.format().splitlines()
    assert lines[1:13] == [
        "contacts.csv: 7 rows read: 7 leads, 6 MQLs",
        "contacts.csv: 1 contact owned by 1 owner not in reps.sales left unassigned",
        "intent (MQLs): 1 hand-raiser by form 'Contact sales'; 1 hand-raiser by form "
        "'Demo request'; 3 other; 1 unknown (no conversion at the MQL moment in the export)",
        "fit (MQLs): A 2, B 2, C 1, unknown 1 (no rule matched)",
        "deals.csv: 5 rows read: 4 deals; 1 left out: no associated contact in the contacts "
        "file (renewals?)",
        "deals.csv: 1 open or lost deal without an Amount read as 0",
        "deal stages: 'Closed Lost' → lost (1), 'Appointment Scheduled' → open (1), "
        "'Closed Won' → won (3)",
        "calls.csv row 12, column Activity date: '2025-11-02 01:30' happened twice in "
        "America/New_York (the clocks went back at the end of daylight saving time): read as "
        "the first of the two, in daylight time",
        "calls.csv: 11 rows read: 9 calls kept; dropped: 1 not made (Scheduled), 1 not outbound "
        "(Inbound)",
        "emails.csv: 2 rows read: 1 e-mail kept; dropped: 1 not sent by sales (Incoming)",
        "reps: 2 sales reps (reps.sales)",
        "leads: 7 inserted, 0 updated, 0 unchanged",
    ]


def test_reading_the_first_conversion_instead_moves_the_matrix(tmp_path):
    """A mapped intent field decides alone: here 'First Conversion', the trap of the issue."""
    db, _ = imported(tmp_path, intent={"field": "First Conversion"})
    with connect(db) as con:
        intent = dict(con.sql("select lead_id, intent from leads").fetchall())
    assert intent["102"] == "hand_raiser"  # its first form was a demo request, long before
    assert intent["101"] == "other"


def test_a_second_import_changes_nothing(tmp_path):
    db, _ = imported(tmp_path)
    report = ingest(FIXTURE, db=db, mapping=tmp_path / "mapping.yaml")
    assert {t: (c.inserted, c.updated) for t, c in report.tables.items()} == {
        "leads": (0, 0),
        "deals": (0, 0),
        "activities": (0, 0),
        "reps": (0, 0),
    }


# --- refusals ------------------------------------------------------------------------------------


def test_a_missing_time_zone_is_refused_with_where_to_find_it(tmp_path):
    db = tmp_path / "acme.duckdb"
    with pytest.raises(IngestError) as caught:
        ingest(FIXTURE, db=db, mapping=mapping_file(tmp_path, time={"timezone": None}))
    first = caught.value.problems[0]
    assert (first.file, first.row, first.column) == ("contacts.csv", 2, "Create Date")
    assert "Settings > Account Management > Account Defaults > Time zone" in first.message
    assert "(7 rows like this; the first is shown)" in first.message
    assert not db.exists()


def test_a_date_only_touch_time_is_refused(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    calls = folder / "calls.csv"
    calls.write_text(calls.read_text().replace("2025-10-07 15:00", "2025-10-07"))
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=tmp_path / "acme.duckdb", mapping=mapping_file(tmp_path))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "calls.csv",
        5,
        "Activity date",
        "2025-10-07",
    )
    assert "a touch needs the moment it happened" in problem.message


def test_a_date_only_mql_moment_is_refused_or_read_at_noon(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    contacts = folder / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("2025-10-08 10:00", "2025-10-08"))
    with pytest.raises(IngestError, match="set time.date_only: noon"):
        ingest(folder, db=tmp_path / "a.duckdb", mapping=mapping_file(tmp_path))
    report = ingest(
        folder, db=tmp_path / "b.duckdb", mapping=mapping_file(tmp_path, time={"date_only": "noon"})
    )
    assert any("read as 12:00 in America/New_York" in n for n in report.notes)
    with connect(tmp_path / "b.duckdb") as con:
        (mql,) = con.sql("select mql_at from leads where lead_id = '107'").fetchall()[0]
    assert mql == datetime(2025, 10, 8, 16, 0)  # noon EDT


def test_a_contract_problem_names_the_exports_file_row_and_column(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    deals = folder / "deals.csv"
    deals.write_text(deals.read_text().replace("Closed Won,800,", "Closed Won,$800,"))
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=tmp_path / "acme.duckdb", mapping=mapping_file(tmp_path))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "deals.csv",
        3,
        "Amount",
        "$800",
    )


def test_an_unknown_mapping_key_is_refused(tmp_path):
    path = mapping_file(tmp_path, deals={"won_stages": ["Closed Won"]})
    with pytest.raises(SlanbError, match=r"deals: unknown key\(s\) won_stages\. Known keys: won"):
        load_mapping(path)
    path = mapping_file(tmp_path, timezone="America/New_York")
    with pytest.raises(SlanbError, match=r"unknown mapping key\(s\) timezone"):
        load_mapping(path)


def test_a_wrong_time_zone_and_missing_reps_are_refused(tmp_path):
    with pytest.raises(SlanbError, match="'EST5' is not a time zone name"):
        load_mapping(mapping_file(tmp_path, time={"timezone": "EST5"}))
    with pytest.raises(SlanbError, match="reps.sales is missing"):
        load_mapping(mapping_file(tmp_path, reps=None))


def test_a_mapped_column_the_export_lacks_is_named(tmp_path):
    with pytest.raises(
        SlanbError, match="contacts.csv has no column 'MQL Date' \\(the mapping's leads.mql\\)"
    ):
        imported(tmp_path, leads={"mql": "MQL Date"})


def test_a_hostile_mapping_value_is_only_a_value(tmp_path):
    """Quotes in a mapping value or a header reach SQL only as text, never as SQL."""
    hostile = "x') or true or ('"
    db, _ = imported(
        tmp_path,
        intent={"hand_raiser": [hostile]},
        reps={"sales": [hostile, "Maya Chen"]},
        deals={"won": [hostile]},
    )
    with connect(db) as con:
        assert con.sql("select count(*) from leads where intent = 'hand_raiser'").fetchall() == [
            (0,)
        ]
        assert con.sql("select count(*) from deals where stage = 'won'").fetchall() == [(0,)]
        reps = con.sql("select rep_id from reps order by 1").fetchall()
    assert reps == [("Maya Chen",), (hostile,)]


# --- the command line ----------------------------------------------------------------------------


def test_init_then_ingest_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "mapping.yaml"
    assert cli.main(["init", "--source", "hubspot", "--mapping", str(path)]) == 0
    assert "CHOOSE" in path.read_text()
    assert cli.main(["init", "--source", "hubspot", "--mapping", str(path)]) == 1
    db = tmp_path / "acme.duckdb"
    code = cli.main(["ingest", str(FIXTURE), "--mapping", str(path), "--db", str(db)])
    assert code == 0
    assert "contacts.csv: 7 rows read: 7 leads, 6 MQLs" in capsys.readouterr().out


def test_leads_segment_comes_from_the_column_the_mapping_names(tmp_path):
    """``leads.segment: COLUMN`` fills leads.segment (for segment_by: segment); left out, kept."""
    db, _ = imported(tmp_path, leads={"segment": "Lifecycle Stage"})
    with connect(db) as con:
        got = dict(con.sql("select lead_id, segment from leads").fetchall())
    assert got["101"] == "Opportunity"
    ingest(FIXTURE, db=db, mapping=mapping_file(tmp_path))  # no segment: the stored one is kept
    with connect(db) as con:
        assert dict(con.sql("select lead_id, segment from leads").fetchall()) == got
    (tmp_path / "x").mkdir()
    with pytest.raises(SlanbError, match="Region"):
        imported(tmp_path / "x", leads={"segment": "Region"})


def test_a_local_time_the_clocks_skipped_is_read_and_reported(tmp_path):
    """2025-03-09 02:30 does not exist in New York: read with EST's offset (07:30 UTC), noted."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    contacts = folder / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("2025-09-12 16:00", "2025-03-09 02:30"))
    db = tmp_path / "acme.duckdb"
    report = ingest(folder, db=db, mapping=mapping_file(tmp_path))
    assert (
        "contacts.csv row 6, column Create Date: '2025-03-09 02:30' does not exist in "
        "America/New_York (the clocks skipped it at the start of daylight saving time): read "
        "with the offset before the change, as if an hour later"
    ) in report.notes
    with connect(db) as con:
        (created,) = con.sql("select created_at from leads where lead_id = '105'").fetchall()[0]
    assert created == datetime(2025, 3, 9, 7, 30)
