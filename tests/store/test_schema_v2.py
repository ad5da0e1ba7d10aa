"""Schema version 2: its optional columns and time_off imported and checked, version 1 upgraded.

The clean export of ``tests/fixtures/ingest/export`` (4 leads, 2 reps), with version 2's additions
written into a copy: ``leads.assigned_at`` for L1, ``reps.timezone`` for both reps and a
``time_off.csv``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

import slanb
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, TableCounts, ingest
from tests.store.test_ingest import contents, copy_export

TIME_OFF = "time_off_id,rep_id,starts_at,ends_at\nT1,R1,2025-07-07T00:00:00Z,2025-07-14 00:00:00\n"
REPS = (
    "rep_id,name,team,start_date,end_date,timezone\n"
    "R1,Ada Lovelace,North,2024-01-15,,Europe/London\n"
    "R2,Grace Hopper,South,2024-03-01,2025-12-31,America/New_York\n"
)


def v2_export(tmp_path: Path, *, time_off: str = TIME_OFF, reps: str = REPS) -> Path:
    folder = copy_export(tmp_path)
    leads = (folder / "leads.csv").read_text().splitlines()
    leads[0] += ",assigned_at"
    leads[1] += ",2025-07-02T15:00:00Z"  # L1: assigned six hours after its MQL
    leads[2:] = [line + "," for line in leads[2:]]
    (folder / "leads.csv").write_text("\n".join(leads) + "\n")
    (folder / "reps.csv").write_text(reps)
    (folder / "time_off.csv").write_text(time_off)
    return folder


def _v2_rows(db: Path) -> dict[str, list[tuple]]:
    with connect(db) as con:
        return {
            "assigned_at": con.sql("select lead_id, assigned_at from leads order by 1").fetchall(),
            "timezone": con.sql("select rep_id, timezone from reps order by 1").fetchall(),
            "time_off": con.sql("select * from time_off order by 1").fetchall(),
        }


def test_version_2_columns_and_time_off_are_imported(tmp_path):
    db = tmp_path / "h.duckdb"
    report = ingest(v2_export(tmp_path), db=db)
    assert report.tables["time_off"] == TableCounts(inserted=1, updated=0, unchanged=0)
    rows = _v2_rows(db)
    assert rows["assigned_at"][0] == ("L1", datetime(2025, 7, 2, 15))
    assert [a for _, a in rows["assigned_at"][1:]] == [None, None, None]
    assert rows["timezone"] == [("R1", "Europe/London"), ("R2", "America/New_York")]
    assert rows["time_off"] == [("T1", "R1", datetime(2025, 7, 7), datetime(2025, 7, 14))]


def test_a_version_1_export_keeps_the_stored_version_2_values(tmp_path):
    """An export without assigned_at and timezone (made for version 1) leaves them as stored."""
    db = tmp_path / "h.duckdb"
    ingest(v2_export(tmp_path / "a"), db=db)
    ingest(copy_export(tmp_path / "b"), db=db)
    rows = _v2_rows(db)
    assert rows["assigned_at"][0] == ("L1", datetime(2025, 7, 2, 15))
    assert rows["timezone"][0] == ("R1", "Europe/London")


def test_bad_time_zone_and_time_off_ending_before_it_starts_are_refused(tmp_path):
    db = tmp_path / "h.duckdb"
    reps = REPS.replace("Europe/London", "Europe/Londn")
    time_off = TIME_OFF.replace("2025-07-14 00:00:00", "2025-07-06 00:00:00")
    with pytest.raises(IngestError) as caught:
        ingest(v2_export(tmp_path, reps=reps, time_off=time_off), db=db)
    assert [str(p) for p in caught.value.problems] == [
        "reps.csv row 2, column timezone: 'Europe/Londn' is not a time zone name: use an IANA "
        "name such as Europe/Berlin or America/New_York, or leave it empty for the timezone "
        "parameter",
        "time_off.csv row 2, column ends_at: '2025-07-06 00:00:00' is not after starts_at "
        "'2025-07-07T00:00:00Z'; a time off ends after it starts (ends_at is the first instant "
        "back)",
    ]
    assert not db.exists()


def test_time_off_of_a_rep_not_in_reps_is_imported(tmp_path):
    """The documented rule (docs/data.md): rep ids are not checked against reps, as owner ids."""
    db = tmp_path / "h.duckdb"
    ingest(v2_export(tmp_path, time_off=TIME_OFF.replace(",R1,", ",R9,")), db=db)
    assert _v2_rows(db)["time_off"][0][:2] == ("T1", "R9")


def _as_version_1(db: Path) -> None:
    """Turn a current history into what version 1 wrote: no version 2 or 3 columns and tables."""
    con = duckdb.connect(str(db))
    con.execute("alter table leads drop column segment")
    con.execute("drop table rep_teams")
    con.execute("alter table leads drop column assigned_at")
    con.execute("alter table reps drop column timezone")
    con.execute("drop table time_off")
    con.execute("update slanb_meta set value = '1' where key = 'schema_version'")
    con.close()


def test_a_version_1_history_is_read_then_upgraded_by_the_next_import(tmp_path):
    db = tmp_path / "h.duckdb"
    ingest(copy_export(tmp_path / "a"), db=db)
    before = contents(db)
    _as_version_1(db)
    stamp = db.stat().st_mtime_ns
    # read: the version 2 columns are NULL, time_off is empty, the file is not touched
    with connect(db) as con:
        assert con.sql("select count(*) from leads where assigned_at is null").fetchall() == [(4,)]
        assert con.sql("select count(*) from reps where timezone is null").fetchall() == [(2,)]
        assert con.sql("select count(*) from time_off").fetchall() == [(0,)]
        meta = con.sql("select value from slanb_meta where key = 'schema_version'").fetchall()
        assert meta == [("1",)]
    assert db.stat().st_mtime_ns == stamp
    # and the engine runs on it
    sla = slanb.compute(Params(db=str(db), month="2025-07", lookback_months=1, maturity_months=0))
    assert sla.tracking is not None and sla.tracking.clock is not None
    # the next import upgrades it; every value kept, the new ones imported
    ingest(v2_export(tmp_path / "b"), db=db)
    after = contents(db)
    assert after["slanb_meta"] == [("exported_at", "2025-07-20T14:00:00"), ("schema_version", "3")]
    assert after["activities"] == before["activities"] and after["deals"] == before["deals"]
    assert [r[:8] for r in after["leads"]] == [r[:8] for r in before["leads"]]
    assert [r[:5] for r in after["reps"]] == [r[:5] for r in before["reps"]]
    assert _v2_rows(db)["time_off"] == [("T1", "R1", datetime(2025, 7, 7), datetime(2025, 7, 14))]
