from __future__ import annotations

import duckdb
import pytest

from slanb.errors import SlanbError
from slanb.store import db
from slanb.store import history as hist


def test_missing_database_says_how_to_create_one(tmp_path):
    with (
        pytest.raises(
            SlanbError, match=r"No history database at .*slanb demo --db .*slanb ingest EXPORT_DIR"
        ),
        db.connect(tmp_path / "none.duckdb"),
    ):
        pass


def test_foreign_and_old_databases_are_refused(tmp_path):
    foreign = tmp_path / "foreign.duckdb"
    duckdb.connect(str(foreign)).close()
    with pytest.raises(SlanbError, match="is not a slanb history"), db.connect(foreign):
        pass
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    db.create_schema(con)
    con.execute("update slanb_meta set value = '0' where key = 'schema_version'")
    con.close()
    with (
        pytest.raises(SlanbError, match="has schema version 0, this slanb reads versions 1, 2"),
        db.connect(old),
    ):
        pass


def test_connections_are_read_only_and_closed(history):
    path = history({"leads": [{"lead_id": "a", "created_at": "2026-01-01T00:00:00"}]})
    with db.connect(path) as con, pytest.raises(duckdb.Error):
        con.execute("delete from leads")
    # closed on exit: a writer can open the file right away
    writer = duckdb.connect(str(path))
    writer.close()


def test_load_sql_names_the_missing_query():
    assert "select * from final" in db.load_sql("plan/mql_volume_by_month")
    with pytest.raises(SlanbError, match="no query named 'nope'"):
        db.load_sql("nope")


def test_summary_and_last_complete_month(history):
    leads = [
        {"lead_id": "a", "created_at": "2026-08-03T00:00:00", "mql_at": "2026-08-04T00:00:00"},
        {"lead_id": "b", "created_at": "2026-11-23T10:00:00"},
    ]
    deals = [
        {"deal_id": "d1", "lead_id": "a", "created_at": "2026-09-01T00:00:00", "closed_at": "2026-10-01T00:00:00", "stage": "won", "amount": 1234.5},
        {"deal_id": "d2", "lead_id": "a", "created_at": "2026-09-01T00:00:00", "stage": "open", "amount": 99},
    ]  # fmt: skip
    path = history({"leads": leads, "deals": deals})
    with db.connect(path) as con:
        s = hist.summary(con)
        assert (s.first_month, s.last_month, s.months) == ("2026-08", "2026-11", 4)
        assert (s.leads, s.mqls, s.deals, s.won_deals, s.won_revenue) == (2, 1, 2, 1, 1234.5)
        # no exported_at recorded: the newest timestamp (2026-11-23) → October is the last complete month
        assert hist.last_complete_month(con) == "2026-10"
    path = history({"leads": leads}, exported_at="2026-11-01 00:00:00")
    with db.connect(path) as con:
        assert hist.last_complete_month(con) == "2026-10"
        assert hist.summary(con).last_month == "2026-10"


def test_empty_history_has_no_complete_month(history):
    path = history({})
    with db.connect(path) as con, pytest.raises(SlanbError, match="has no leads"):
        hist.last_complete_month(con)
