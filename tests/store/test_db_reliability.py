"""What ``slanb.store.db.connect`` promises a long-lived process (a notebook kernel) and a wrong --db.

docs/reliability.md names each test here: every new connection sees the newest import, a file that
is not a DuckDB history is refused in one sentence, and nothing is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from slanb import cli
from slanb.errors import SlanbError
from slanb.store import db
from slanb.store.ingest import ingest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"


def _leads(con: duckdb.DuckDBPyConnection) -> int:
    return con.sql("select count(*) from leads").fetchall()[0][0]


@pytest.fixture
def imported(tmp_path) -> Path:
    """A history of the four-lead export, in a folder of its own."""
    path = tmp_path / "data" / "history.duckdb"
    path.parent.mkdir()
    ingest(FIXTURES / "export", db=path)
    return path


def test_every_new_connection_sees_the_newest_import(imported):
    # A kernel keeps a connection open across the morning import (in this same process).
    with db.connect(imported) as held:
        assert _leads(held) == 4
        ingest(FIXTURES / "newer", db=imported)  # adds a fifth lead; renames a copy over the file
        with db.connect(imported) as fresh:
            assert _leads(fresh) == 5
        assert _leads(held) == 4  # the connection opened before keeps reading the file it opened
        ingest(FIXTURES / "newer", db=imported)  # a second import: nothing new, still fresh
        with db.connect(imported) as fresh:
            assert _leads(fresh) == 5
    with db.connect(imported) as after:
        assert _leads(after) == 5


def test_every_new_connection_sees_a_file_renamed_over_the_history(imported, tmp_path):
    other = tmp_path / "other.duckdb"
    shutil.copyfile(imported, other)
    con = duckdb.connect(str(other))
    con.execute("delete from leads where lead_id <> 'L1'")
    con.close()
    plain = duckdb.connect(str(imported), read_only=True)  # an analyst's own connection
    try:
        with db.connect(imported) as held:
            assert _leads(held) == 4
            os.replace(other, imported)
            with db.connect(imported) as fresh:
                assert _leads(fresh) == 1
            assert _leads(held) == 4
        assert _leads(plain) == 4
    finally:
        plain.close()


def test_a_connection_reads_unqualified_tables_and_keeps_its_settings(imported):
    with db.connect(imported) as con:
        assert con.sql("select value from slanb_meta where key = 'schema_version'").fetchall() == [
            (db.SCHEMA_VERSION,)
        ]
        assert con.sql("select current_setting('TimeZone')").fetchall() == [("UTC",)]
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from leads")
        # the slanb/sql queries name tables unqualified; they resolve in the history
        volume = con.sql(
            db.load_sql("plan/mql_volume_by_month"),
            params={"start": "2025-07-01", "cutoff": "2025-08-01", "known_until": "2025-08-01"},
        ).fetchall()
        assert sum(r[4] for r in volume) == 2  # L1 and L2 became MQLs in July 2025
    writer = duckdb.connect(str(imported))  # closed on exit: a writer can open it right away
    writer.close()


def test_a_writing_connection_in_this_process_is_a_clear_error(imported):
    writer = duckdb.connect(str(imported))
    try:
        with (
            pytest.raises(SlanbError, match=r"open for writing .* Close that connection"),
            db.connect(imported),
        ):
            pass
    finally:
        writer.close()


def _sqlite_file(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("create table leads (lead_id text)")
    con.commit()
    con.close()
    return path


def test_a_sqlite_file_is_refused_as_not_a_duckdb_file(tmp_path):
    path = _sqlite_file(tmp_path / "crm.db")
    with (
        pytest.raises(SlanbError) as caught,
        db.connect(path),
    ):
        pass
    assert str(caught.value) == (
        f"{path} is not a DuckDB file (it looks like a SQLite database): point --db at a history "
        "made by `slanb demo` or `slanb ingest`."
    )


def test_a_file_that_is_not_a_duckdb_file_is_refused_in_one_sentence(tmp_path, capsys):
    text = tmp_path / "leads.csv"
    text.write_text("lead_id,created_at\nL1,2026-01-01\n", encoding="utf-8")
    assert cli.main(["summary", "--db", str(text)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"slanb summary: error: {text} is not a DuckDB file: point --db at a history made by "
        "`slanb demo` or `slanb ingest`.\n"
    )


def test_nothing_is_ever_downloaded(imported, tmp_path):
    with db.connect(imported) as con:
        settings = con.sql(
            "select current_setting('autoload_known_extensions'), "
            "current_setting('autoinstall_known_extensions')"
        ).fetchall()
        assert settings == [(False, False)]
        # a query that needs an extension slanb does not use fails here, without a download
        sqlite = _sqlite_file(tmp_path / "crm.db")
        with pytest.raises(duckdb.Error) as caught:
            con.sql("select * from sqlite_scan(?, 'leads')", params=[str(sqlite)]).fetchall()
        assert "download" not in str(caught.value).lower()
