"""Schema version 3: leads.segment and rep_teams imported and checked, version 2 read and upgraded.

The clean export of ``tests/fixtures/ingest/export`` (4 leads L1-L4, reps R1 and R2), with version
3's additions written into a copy: ``leads.segment`` for L1 and L2 and a ``rep_teams.csv``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

import slanb
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, TableCounts, ingest
from tests.store.test_ingest import contents, copy_export

REP_TEAMS = "rep_team_id,rep_id,team,starts_on\nRT1,R1,smb,2024-01-15\nRT2,R1,North,2025-07-01\n"


def v3_export(tmp_path: Path, *, rep_teams: str = REP_TEAMS) -> Path:
    folder = copy_export(tmp_path)
    leads = (folder / "leads.csv").read_text().splitlines()
    leads[0] += ",segment"
    leads[1] += ",enterprise"
    leads[2] += ",smb"
    leads[3:] = [line + "," for line in leads[3:]]
    (folder / "leads.csv").write_text("\n".join(leads) + "\n")
    (folder / "rep_teams.csv").write_text(rep_teams)
    return folder


def _v3_rows(db: Path) -> dict[str, list[tuple]]:
    with connect(db) as con:
        return {
            "segment": con.sql("select lead_id, segment from leads order by 1").fetchall(),
            "rep_teams": con.sql("select * from rep_teams order by 1").fetchall(),
        }


def test_version_3_segment_and_rep_teams_are_imported(tmp_path):
    db = tmp_path / "h.duckdb"
    report = ingest(v3_export(tmp_path), db=db)
    assert report.tables["rep_teams"] == TableCounts(inserted=2, updated=0, unchanged=0)
    rows = _v3_rows(db)
    assert rows["segment"] == [("L1", "enterprise"), ("L2", "smb"), ("L3", None), ("L4", None)]
    assert rows["rep_teams"] == [
        ("RT1", "R1", "smb", date(2024, 1, 15)),
        ("RT2", "R1", "North", date(2025, 7, 1)),
    ]


def test_an_export_without_segment_keeps_the_stored_segments(tmp_path):
    db = tmp_path / "h.duckdb"
    ingest(v3_export(tmp_path / "a"), db=db)
    ingest(copy_export(tmp_path / "b"), db=db)
    assert _v3_rows(db)["segment"][0] == ("L1", "enterprise")


def test_a_rep_team_change_needs_its_rep_team_and_day(tmp_path):
    db = tmp_path / "h.duckdb"
    bad = "rep_team_id,rep_id,team,starts_on\nRT1,R1,,2024-01-15\nRT2,R1,North,July\n"
    with pytest.raises(IngestError) as caught:
        ingest(v3_export(tmp_path, rep_teams=bad), db=db)
    problems = [str(p) for p in caught.value.problems]
    assert problems[0].startswith("rep_teams.csv row 2, column team:")
    assert problems[1].startswith("rep_teams.csv row 3, column starts_on: 'July'")
    assert not db.exists()


def _as_version_2(db: Path) -> None:
    """Turn a current history into what version 2 wrote: no leads.segment, no rep_teams."""
    con = duckdb.connect(str(db))
    con.execute("alter table leads drop column segment")
    con.execute("drop table rep_teams")
    con.execute("update slanb_meta set value = '2' where key = 'schema_version'")
    con.close()


def test_a_version_2_history_is_read_then_upgraded_by_the_next_import(tmp_path):
    db = tmp_path / "h.duckdb"
    ingest(copy_export(tmp_path / "a"), db=db)
    before = contents(db)
    _as_version_2(db)
    stamp = db.stat().st_mtime_ns
    with connect(db) as con:  # read: segment NULL, rep_teams empty, the file untouched
        assert con.sql("select count(*) from leads where segment is null").fetchall() == [(4,)]
        assert con.sql("select count(*) from rep_teams").fetchall() == [(0,)]
    assert db.stat().st_mtime_ns == stamp
    # the engine runs on it, per team too (the teams from reps.team)
    params = Params(db=str(db), month="2025-07", lookback_months=1, maturity_months=0)
    assert slanb.compute(params).tracking is not None
    by_team = slanb.compute(params.replace(segment_by="team", segment="North"))
    assert by_team.plan.goal.reps == ("Ada Lovelace",)
    ingest(v3_export(tmp_path / "b"), db=db)
    after = contents(db)
    assert after["slanb_meta"] == [("exported_at", "2025-07-20T14:00:00"), ("schema_version", "3")]
    assert after["deals"] == before["deals"] and after["activities"] == before["activities"]
    assert [r[:8] for r in after["leads"]] == [r[:8] for r in before["leads"]]
    assert _v3_rows(db)["segment"][0] == ("L1", "enterprise")
