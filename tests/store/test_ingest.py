"""Tests for slanb.ingest on the hand-written exports in tests/fixtures/ingest/.

``export/`` is a clean export: 4 leads, 3 activities, 3 deals, 2 reps, offsets of +02:00, Z,
-05:00, +01:00 and none; an extra column in leads and activities. ``newer/`` is the next month's
export of the same CRM: lead L3 became an MQL, L5 and A4 are new, D2 was won, and the
``hubspot_score`` of L1 changed (not a contract column, so L1 is unchanged); it has no reps file.
``broken/`` breaks a rule in every file.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slanb import cli
from slanb.errors import SlanbError
from slanb.store.db import connect
from slanb.store.ingest import IngestError, IngestReport, Problem, TableCounts, ingest

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
TABLES = ("leads", "activities", "deals", "reps", "slanb_meta")
NOT_A_TIMESTAMP = (
    "is not an ISO 8601 timestamp (like 2025-07-01T09:30:00+02:00, or 2025-07-01 09:30:00 for UTC)"
)
NOT_A_NUMBER = "is not a number (write it like 1234.50, without currency or thousands separators)"


def contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted."""
    with connect(db) as con:
        return {t: con.sql(f"select * from {t} order by all").fetchall() for t in TABLES}


def copy_export(tmp_path: Path, name: str = "export") -> Path:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    return folder


def edited(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the clean export with ``old`` replaced by ``new`` (once) in ``file``."""
    folder = copy_export(tmp_path)
    path = folder / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    path.write_text(text.replace(old, new))
    return folder


def problems_of(folder: Path, db: Path) -> list[Problem]:
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=db)
    return caught.value.problems


# --- a clean export ------------------------------------------------------------------------


def test_clean_export_is_imported_with_counts_and_ignored_columns(tmp_path):
    db = tmp_path / "history.duckdb"
    report = ingest(FIXTURES / "export", db=db)

    assert report.tables == {
        "leads": TableCounts(inserted=4, updated=0, unchanged=0),
        "activities": TableCounts(inserted=3, updated=0, unchanged=0),
        "deals": TableCounts(inserted=3, updated=0, unchanged=0),
        "reps": TableCounts(inserted=2, updated=0, unchanged=0),
    }
    assert report.ignored_columns == {
        "leads.csv": ("hubspot_score",),
        "activities.csv": ("notes",),
    }
    # D1 closed at 2025-07-20T16:00:00+02:00 is the newest timestamp anywhere.
    assert report.exported_at == datetime(2025, 7, 20, 14, 0)
    assert report.format().splitlines()[1:] == [
        "leads: 4 inserted, 0 updated, 0 unchanged",
        "activities: 3 inserted, 0 updated, 0 unchanged",
        "deals: 3 inserted, 0 updated, 0 unchanged",
        "reps: 2 inserted, 0 updated, 0 unchanged",
        "time_off: no file in the export, left as it was",
        "rep_teams: no file in the export, left as it was",
        "leads.csv: ignored columns not in the data contract: hubspot_score",
        "activities.csv: ignored columns not in the data contract: notes",
        "exported_at: 2025-07-20 14:00:00 UTC",
    ]
    assert report.format().splitlines()[0] == f"Imported {FIXTURES / 'export'} into {db}"


def test_timestamps_with_an_offset_are_converted_to_utc_and_without_are_kept(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    with connect(db) as con:
        leads = dict(con.sql("select lead_id, created_at from leads").fetchall())
        mql = dict(con.sql("select lead_id, mql_at from leads").fetchall())
        occurred = dict(con.sql("select activity_id, occurred_at from activities").fetchall())
        closed = dict(con.sql("select deal_id, closed_at from deals").fetchall())
    assert leads == {
        "L1": datetime(2025, 6, 30, 23, 30),  # 2025-07-01T01:30:00+02:00
        "L2": datetime(2025, 7, 3, 10, 0),  # 2025-07-03 10:00:00, no offset: UTC
        "L3": datetime(2025, 7, 10, 14, 0),  # 2025-07-10T09:00:00-05:00
        "L4": datetime(2025, 7, 15, 0, 0),  # 2025-07-15, a date: midnight UTC
    }
    assert mql["L1"] == datetime(2025, 7, 2, 9, 0)  # Z
    assert occurred["A2"] == datetime(2025, 7, 4, 8, 0)  # +01:00
    assert closed == {"D1": datetime(2025, 7, 20, 14, 0), "D2": None, "D3": datetime(2025, 7, 9)}


def test_all_contract_columns_are_stored_as_written(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    rows = contents(db)
    assert rows["leads"][2] == (
        "L3",
        datetime(2025, 7, 10, 14),
        None,
        None,
        "R1",
        None,
        "C",
        "partner",
        None,  # assigned_at: not in this export's header (optional since schema version 2)
        None,  # segment: not in it either (optional since schema version 3)
    )
    assert rows["leads"][3] == (
        "L4", datetime(2025, 7, 15), None, None, None, None, None, "paid", None, None
    )  # fmt: skip
    assert rows["deals"][0] == (
        "D1", "L1", datetime(2025, 7, 5), datetime(2025, 7, 20, 14), "won", 1200.5
    )  # fmt: skip
    assert rows["reps"] == [
        ("R1", "Ada Lovelace", "North", datetime(2024, 1, 15).date(), None, None),
        (
            "R2",
            "Grace Hopper",
            "South",
            datetime(2024, 3, 1).date(),
            datetime(2025, 12, 31).date(),
            None,
        ),
    ]
    assert rows["slanb_meta"] == [("exported_at", "2025-07-20T14:00:00"), ("schema_version", "3")]


def test_importing_the_same_export_twice_changes_nothing(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    before = contents(db)

    again = ingest(FIXTURES / "export", db=db)

    assert again.tables == {
        "leads": TableCounts(inserted=0, updated=0, unchanged=4),
        "activities": TableCounts(inserted=0, updated=0, unchanged=3),
        "deals": TableCounts(inserted=0, updated=0, unchanged=3),
        "reps": TableCounts(inserted=0, updated=0, unchanged=2),
    }
    assert contents(db) == before


def test_a_newer_export_updates_changed_rows_and_adds_new_ones(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    reps_before = contents(db)["reps"]

    report = ingest(FIXTURES / "newer", db=db)

    assert report.tables == {
        "leads": TableCounts(inserted=1, updated=1, unchanged=3),
        "activities": TableCounts(inserted=1, updated=0, unchanged=3),
        "deals": TableCounts(inserted=0, updated=1, unchanged=2),
    }
    assert "reps: no file in the export, left as it was" in report.format()
    rows = contents(db)
    assert rows["leads"][2] == (
        "L3", datetime(2025, 7, 10, 14), datetime(2025, 7, 21, 10), None, "R1", "hand_raiser", "C",
        "partner", None, None,
    )  # fmt: skip
    assert rows["deals"][1] == (
        "D2", "L2", datetime(2025, 7, 6), datetime(2025, 7, 25), "won", 900.0
    )  # fmt: skip
    assert [r[0] for r in rows["leads"]] == ["L1", "L2", "L3", "L4", "L5"]
    assert rows["reps"] == reps_before
    assert report.exported_at == datetime(2025, 7, 25)


def test_exported_at_never_moves_back(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "newer", db=db)
    report = ingest(FIXTURES / "export", db=db)  # an older export, imported late
    assert report.exported_at == datetime(2025, 7, 25)
    assert contents(db)["slanb_meta"][0] == ("exported_at", "2025-07-25T00:00:00")


def test_an_older_export_reverts_changed_rows(tmp_path):
    # Upsert by id means the last import wins, even if it is older: say so in a test.
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "newer", db=db)
    report = ingest(FIXTURES / "export", db=db)
    assert report.tables["leads"] == TableCounts(inserted=0, updated=1, unchanged=3)
    assert report.tables["deals"] == TableCounts(inserted=0, updated=1, unchanged=2)


# --- Parquet -------------------------------------------------------------------------------


def test_parquet_with_text_columns_imports_like_csv(tmp_path):
    folder = tmp_path / "parquet"
    folder.mkdir()
    for name in ("leads", "activities", "deals", "reps"):
        frame = pl.read_csv(FIXTURES / "export" / f"{name}.csv", infer_schema=False)
        frame.write_parquet(folder / f"{name}.parquet")

    from_csv = tmp_path / "csv.duckdb"
    from_parquet = tmp_path / "parquet.duckdb"
    ingest(FIXTURES / "export", db=from_csv)
    report = ingest(folder, db=from_parquet)

    assert report.files == {
        "leads": "leads.parquet",
        "activities": "activities.parquet",
        "deals": "deals.parquet",
        "reps": "reps.parquet",
    }
    assert contents(from_parquet) == contents(from_csv)


def test_parquet_with_typed_columns_imports_like_csv(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "leads.csv").unlink()
    (folder / "deals.csv").unlink()
    plus_two = timezone(timedelta(hours=2))
    pl.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4"],
            # aware timestamps, stored in Parquet as UTC instants
            "created_at": [
                datetime(2025, 7, 1, 1, 30, tzinfo=plus_two),
                datetime(2025, 7, 3, 10, 0, tzinfo=UTC),
                datetime(2025, 7, 10, 14, 0, tzinfo=UTC),
                datetime(2025, 7, 15, tzinfo=UTC),
            ],
            # naive timestamps, read as UTC
            "mql_at": [datetime(2025, 7, 2, 9), datetime(2025, 7, 4, 8, 15), None, None],
            "sql_at": [None, datetime(2025, 7, 5, 12), None, None],
            "owner_id": ["R1", "R2", "R1", None],
            "intent": ["hand_raiser", "other", None, None],
            "fit": ["A", "B", "C", None],
            "source": ["web", "event", "partner", "paid"],
        }
    ).write_parquet(folder / "leads.parquet")
    pl.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3"],
            "lead_id": ["L1", "L2", "L2"],
            "created_at": [datetime(2025, 7, 5), datetime(2025, 7, 6), datetime(2025, 7, 7)],
            "closed_at": [datetime(2025, 7, 20, 14), None, datetime(2025, 7, 9)],
            "stage": ["won", "open", "lost"],
            "amount": pl.Series([120050, 80000, 0]).cast(pl.Decimal(12, 2)) / 100,
        }
    ).write_parquet(folder / "deals.parquet")

    from_csv = tmp_path / "csv.duckdb"
    from_parquet = tmp_path / "parquet.duckdb"
    ingest(FIXTURES / "export", db=from_csv)
    ingest(folder, db=from_parquet)
    assert contents(from_parquet) == contents(from_csv)


def test_parquet_problems_are_numbered_like_csv_rows(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "deals.csv").unlink()
    pl.DataFrame(
        {
            "deal_id": ["D1", "D2", "D3"],
            "lead_id": ["L1", "L2", "L2"],
            "created_at": [datetime(2025, 7, 5), datetime(2025, 7, 6), datetime(2025, 7, 7)],
            "closed_at": [datetime(2025, 7, 20, 14), None, datetime(2025, 7, 9)],
            "stage": ["won", "open", "lost"],
            "amount": [1200.5, 800.0, -1.0],
        }
    ).write_parquet(folder / "deals.parquet")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "deals.parquet", 4, "amount", "-1.0", "'-1.0' is negative; an amount must be 0 or more"
        )
    ]


def _typed_leads(lead_ids: list[str], mql_at: list[datetime | None]) -> pl.DataFrame:
    """The clean export's four leads as typed Parquet columns, with these ids and MQL instants."""
    return pl.DataFrame(
        {
            "lead_id": lead_ids,
            "created_at": [
                datetime(2025, 7, 1),
                datetime(2025, 7, 3),
                datetime(2025, 7, 10),
                datetime(2025, 7, 15),
            ],  # fmt: skip
            "mql_at": mql_at,
            "sql_at": [None, datetime(2025, 7, 5, 12), None, None],
            "owner_id": ["R1", "R2", "R1", None],
            "intent": ["hand_raiser", "other", None, None],
            "fit": ["A", "B", "C", None],
            "source": ["web", "event", "partner", "paid"],
        }
    )


@pytest.fixture
def stages(monkeypatch) -> list[tuple[str, bool]]:
    """Each staging of a file as (table, read straight into the table?), in order."""
    import slanb.store.ingest.read as read

    seen: list[tuple[str, bool]] = []
    real = read._create_stage

    def spy(con, table, path, rows, sources, *, direct=False):
        seen.append((table.name, direct))
        return real(con, table, path, rows, sources, direct=direct)

    monkeypatch.setattr(read, "_create_stage", spy)
    return seen


def test_a_new_history_reads_typed_parquet_straight_into_its_tables(tmp_path, stages):
    """A new history: leads.parquet (typed) goes straight into ``leads``, the CSVs are staged.

    The result is the clean export's: 4 leads (MQL instants as in leads.csv, read as UTC), and
    the report counts them as inserted.
    """
    folder = copy_export(tmp_path)
    (folder / "leads.csv").unlink()
    mql = [datetime(2025, 7, 2, 9), datetime(2025, 7, 4, 8, 15), None, None]
    _typed_leads(["L1", "L2", "L3", "L4"], mql).write_parquet(folder / "leads.parquet")
    report = ingest(folder, db=tmp_path / "h.duckdb")
    assert stages == [("leads", True), ("activities", False), ("deals", False), ("reps", False)]
    assert report.tables["leads"] == TableCounts(inserted=4, updated=0, unchanged=0)
    with connect(tmp_path / "h.duckdb") as con:
        rows = con.sql("select lead_id, mql_at from leads order by lead_id").fetchall()
    assert rows == [("L1", datetime(2025, 7, 2, 9)), ("L2", datetime(2025, 7, 4, 8, 15)),
                    ("L3", None), ("L4", None)]  # fmt: skip


def test_problems_in_parquet_read_straight_into_a_table_keep_their_rows(tmp_path, stages):
    """Checked in the table itself, problems are numbered as in the file, and no file is left.

    leads.parquet: row 2 is L1, row 3 ``l2@crm.example`` (an e-mail address), row 4 L1 again
    (a duplicate of row 2), row 5 L4. No schema constraint refuses these, so the rows are
    inserted and the checks find both.
    """
    folder = copy_export(tmp_path)
    (folder / "leads.csv").unlink()
    (folder / "activities.csv").unlink()
    (folder / "deals.csv").unlink()
    mql = [datetime(2025, 7, 2, 9), None, None, None]
    _typed_leads(["L1", "l2@crm.example", "L1", "L4"], mql).write_parquet(folder / "leads.parquet")
    found = problems_of(folder, tmp_path / "h.duckdb")
    assert [(p.file, p.row, p.column, p.value) for p in found] == [
        ("leads.parquet", 3, "lead_id", "l2@crm.example"),
        ("leads.parquet", 4, "lead_id", "L1"),
    ]
    assert (
        found[1].message
        == "'L1' is used by another row too; each lead must appear once (first in row 2)"
    )
    assert stages == [("leads", True), ("reps", False)]
    assert list(tmp_path.iterdir()) == [folder]


def test_a_value_the_schema_refuses_is_staged_again_and_named(tmp_path, stages):
    """leads.parquet row 4 (L3) becomes an MQL on 2025-07-09, before it was created (07-10).

    The schema's check refuses that row, so the insert straight into ``leads`` fails; the new file
    is written again the usual way (every file staged), which names the row.
    """
    folder = copy_export(tmp_path)
    (folder / "leads.csv").unlink()
    mql = [datetime(2025, 7, 2, 9), None, datetime(2025, 7, 9), None]
    _typed_leads(["L1", "L2", "L3", "L4"], mql).write_parquet(folder / "leads.parquet")
    found = problems_of(folder, tmp_path / "h.duckdb")
    assert [(p.file, p.row, p.column) for p in found] == [("leads.parquet", 4, "mql_at")]
    assert found[0].message == (
        "'2025-07-09 00:00:00' is before created_at '2025-07-10 00:00:00'; a lead cannot become "
        "an MQL before it exists"
    )
    assert stages == [
        ("leads", True),
        *((t, False) for t in ("leads", "activities", "deals", "reps")),
    ]
    assert list(tmp_path.iterdir()) == [folder]


# --- each rule, one broken cell at a time --------------------------------------------------

EMPTY_REQUIRED = [
    ("leads.csv", "L4,2025-07-15", ",2025-07-15", 5, "lead_id", "lead"),
    ("leads.csv", "L2,2025-07-03 10:00:00,", "L2,,", 3, "created_at", "lead"),
    ("activities.csv", "A2,L2,R2,email", ",L2,R2,email", 3, "activity_id", "activity"),
    ("activities.csv", "A2,L2,R2,email", "A2,,R2,email", 3, "lead_id", "activity"),
    ("activities.csv", "A2,L2,R2,email", "A2,L2,R2,", 3, "kind", "activity"),
    ("activities.csv", "meeting,2025-07-06 15:30:00", "meeting,", 4, "occurred_at", "activity"),
    ("deals.csv", "D3,L2", ",L2", 4, "deal_id", "deal"),
    ("deals.csv", "D3,L2,2025-07-07 00:00:00", "D3,L2,", 4, "created_at", "deal"),
    ("deals.csv", "open,800", ",800", 3, "stage", "deal"),
    ("deals.csv", "open,800", "open,", 3, "amount", "deal"),
    ("reps.csv", "R2,Grace Hopper", "R2,", 3, "name", "rep"),
    ("reps.csv", "R2,Grace Hopper", ",Grace Hopper", 3, "rep_id", "rep"),
]


@pytest.mark.parametrize(("file", "old", "new", "row", "column", "noun"), EMPTY_REQUIRED)
def test_an_empty_required_value_is_a_problem(tmp_path, file, old, new, row, column, noun):
    folder = edited(tmp_path, file, old, new)
    article = "an" if column[0] in "aeiou" else "a"
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(file, row, column, None, f"empty; every {noun} needs {article} {column}")
    ]


def test_a_blank_value_counts_as_empty(tmp_path):
    folder = edited(tmp_path, "reps.csv", "R2,Grace Hopper", 'R2,"   "')
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem("reps.csv", 3, "name", None, "empty; every rep needs a name")
    ]


BAD_VALUES = [
    # file, text replaced, replacement, row, column, value reported, message after the value
    ("leads.csv", "2025-07-04 08:15:00", "2025-13-01", 3, "mql_at", "2025-13-01", NOT_A_TIMESTAMP),
    ("leads.csv", "2025-07-15", "15/07/2025", 5, "created_at", "15/07/2025", NOT_A_TIMESTAMP),
    ("leads.csv", "2025-07-15", "2025-7-15", 5, "created_at", "2025-7-15", NOT_A_TIMESTAMP),
    (
        "leads.csv",
        "2025-07-15",
        "2025-07-15 09:00 Europe/Paris",
        5,
        "created_at",
        "2025-07-15 09:00 Europe/Paris",
        NOT_A_TIMESTAMP,
    ),
    (
        "activities.csv",
        "2025-07-06 15:30:00",
        "yesterday",
        4,
        "occurred_at",
        "yesterday",
        NOT_A_TIMESTAMP,
    ),
    (
        "deals.csv",
        "2025-07-09 00:00:00",
        "2025-07-32",
        4,
        "closed_at",
        "2025-07-32",
        NOT_A_TIMESTAMP,
    ),
    ("deals.csv", "1200.50", '"1,200.50"', 2, "amount", "1,200.50", NOT_A_NUMBER),
    ("deals.csv", "open,800", "open,€800", 3, "amount", "€800", NOT_A_NUMBER),
    ("deals.csv", "open,800", "open,NaN", 3, "amount", "NaN", NOT_A_NUMBER),
    ("deals.csv", "open,800", "open,-inf", 3, "amount", "-inf", NOT_A_NUMBER),
    (
        "deals.csv",
        "open,800",
        "open,-800",
        3,
        "amount",
        "-800",
        "is negative; an amount must be 0 or more",
    ),
    (
        "deals.csv",
        "open,800",
        "Open,800",
        3,
        "stage",
        "Open",
        "is not a valid stage: use open, won or lost",
    ),
    (
        "reps.csv",
        "2024-01-15",
        "15/01/2024",
        2,
        "start_date",
        "15/01/2024",
        "is not a date written YYYY-MM-DD",
    ),
    (
        "reps.csv",
        "2025-12-31",
        "2025-12-31T00:00:00",
        3,
        "end_date",
        "2025-12-31T00:00:00",
        "is not a date written YYYY-MM-DD",
    ),
    (
        "leads.csv",
        "R2,other,B",
        "R2,maybe,B",
        3,
        "intent",
        "maybe",
        "is not a valid intent: use hand_raiser or other (or leave it empty)",
    ),
    (
        "leads.csv",
        "R2,other,B",
        "R2,other,b",
        3,
        "fit",
        "b",
        "is not a valid fit: use A, B or C (or leave it empty)",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "row", "column", "value", "message"), BAD_VALUES)
def test_a_bad_value_is_a_problem(tmp_path, file, old, new, row, column, value, message):
    folder = edited(tmp_path, file, old, new)
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(file, row, column, value, f"{value!r} {message}")
    ]


def test_a_won_or_lost_deal_needs_closed_at(tmp_path):
    folder = edited(tmp_path, "deals.csv", "2025-07-07 00:00:00,2025-07-09 00:00:00", "2025-07-07,")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "deals.csv",
            4,
            "closed_at",
            None,
            "empty, but the deal is lost; a won or lost deal needs a closed_at",
        )
    ]


def test_an_open_deal_may_have_no_closed_at(tmp_path):
    report = ingest(FIXTURES / "export", db=tmp_path / "h.duckdb")
    assert report.tables["deals"].inserted == 3  # D2 is open with no closed_at


def test_a_duplicate_id_is_a_problem_naming_the_first_row(tmp_path):
    folder = edited(tmp_path, "activities.csv", "A3,L2", "A1,L2")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "activities.csv",
            4,
            "activity_id",
            "A1",
            "'A1' is used by another row too; each activity must appear once (first in row 2)",
        )
    ]


@pytest.mark.parametrize(("file", "old", "new", "row"), [
    ("activities.csv", "A2,L2", "A2,L9", 3),
    ("deals.csv", "D3,L2", "D3,L9", 4),
])  # fmt: skip
def test_a_lead_id_that_exists_nowhere_is_a_problem(tmp_path, file, old, new, row):
    folder = edited(tmp_path, file, old, new)
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            file, row, "lead_id", "L9", "'L9' is not a lead_id in the leads file or in the history"
        )
    ]


def test_a_lead_id_already_in_the_history_is_fine(tmp_path):
    db = tmp_path / "h.duckdb"
    ingest(FIXTURES / "export", db=db)
    folder = tmp_path / "june"
    folder.mkdir()
    (folder / "leads.csv").write_text(
        "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\nL9,2025-08-01,,,,,,web\n"
    )
    (folder / "deals.csv").write_text(
        "deal_id,lead_id,created_at,closed_at,stage,amount\nD9,L1,2025-08-02,,open,10\n"
    )
    report = ingest(folder, db=db)
    assert report.tables["deals"] == TableCounts(inserted=1, updated=0, unchanged=0)


def test_mql_before_created_is_a_problem(tmp_path):
    folder = edited(tmp_path, "leads.csv", "2025-07-04 08:15:00", "2025-07-02T08:15:00Z")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "leads.csv",
            3,
            "mql_at",
            "2025-07-02T08:15:00Z",
            "'2025-07-02T08:15:00Z' is before created_at '2025-07-03 10:00:00'; "
            "a lead cannot become an MQL before it exists",
        )
    ]


def test_mql_before_created_compares_instants_not_text(tmp_path):
    # 09:00+02:00 is 07:00 UTC, before created_at 08:00 UTC, though '09' > '08'.
    folder = edited(
        tmp_path, "leads.csv", "2025-07-15,,", "2025-07-15T08:00:00Z,2025-07-15T09:00:00+02:00,"
    )
    assert [(p.row, p.column, p.value) for p in problems_of(folder, tmp_path / "h.duckdb")] == [
        (5, "mql_at", "2025-07-15T09:00:00+02:00")
    ]


def test_a_missing_column_is_a_problem_and_extra_columns_are_not(tmp_path):
    folder = edited(tmp_path, "leads.csv", ",sql_at,", ",sqlat,")
    error_problems = problems_of(folder, tmp_path / "h.duckdb")
    assert error_problems == [
        Problem(
            "leads.csv",
            None,
            "sql_at",
            None,
            "missing from the header; add it, with empty values if there are none",
        )
    ]
    folder = edited(tmp_path / "2", "deals.csv", ",amount\n", ",value\n")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "deals.csv", None, "amount", None, "missing from the header; every deal needs an amount"
        )
    ]


def test_header_names_match_ignoring_case_and_spaces(tmp_path):
    folder = edited(tmp_path, "reps.csv", "rep_id,name,team", "Rep_ID, Name ,TEAM")
    report = ingest(folder, db=tmp_path / "h.duckdb")
    assert report.tables["reps"].inserted == 2
    assert "reps.csv" not in report.ignored_columns


def test_a_column_named_twice_is_a_problem(tmp_path):
    folder = edited(tmp_path, "reps.csv", "start_date,end_date", "start_date,Start_Date")
    problems = problems_of(folder, tmp_path / "h.duckdb")
    assert problems[0] == Problem(
        "reps.csv", None, "start_date", None, "is in the header twice (columns 4 and 5); keep one"
    )
    assert problems[1].column == "end_date"


# --- broken CSV structure ------------------------------------------------------------------


def test_unreadable_rows_are_problems_and_later_rows_keep_their_numbers(tmp_path):
    # Row 3 has a value too many, row 4 one too few; row 5's bad timestamp is still row 5.
    folder = copy_export(tmp_path)
    (folder / "leads.csv").write_text(
        "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\n"
        "L1,2025-07-01,,,,,,web\n"
        "L2,2025-07-01,,,,,,web,extra\n"
        "L3,2025-07-01,,,,,\n"
        'L4,"2025-07-01 is a Tuesday\nreally",,,,,,web\n'
        "L5,tomorrow,,,,,,web\n"
    )
    for name in ("activities.csv", "deals.csv"):
        (folder / name).unlink()
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "leads.csv",
            3,
            None,
            None,  # the row is never quoted: it may hold personal data (docs/reliability.md, 5)
            "could not be read (it has 9 values but the header has 8 columns; a value containing "
            "a comma must be in double quotes)",
        ),
        Problem(
            "leads.csv",
            4,
            None,
            None,
            "could not be read (it has 7 values but the header has 8 columns)",
        ),
        Problem(
            "leads.csv",
            5,
            "created_at",
            "2025-07-01 is a Tuesday\nreally",
            f"'2025-07-01 is a Tuesday\\nreally' {NOT_A_TIMESTAMP}",
        ),
        Problem("leads.csv", 6, "created_at", "tomorrow", f"'tomorrow' {NOT_A_TIMESTAMP}"),
    ]


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "reps.csv").write_bytes(
        "rep_id,name,team,start_date,end_date\nR1,Zoë,North,,\n".encode("latin-1")
    )
    [problem] = problems_of(folder, tmp_path / "h.duckdb")
    assert (problem.file, problem.row, problem.column) == ("reps.csv", 2, "name")
    assert problem.message.endswith(
        "is not valid UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8)"
    )


def test_an_excel_byte_order_mark_is_fine(tmp_path):
    folder = copy_export(tmp_path)
    text = (folder / "reps.csv").read_text()
    (folder / "reps.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    report = ingest(folder, db=tmp_path / "h.duckdb")
    assert report.tables["reps"].inserted == 2


def test_an_empty_or_semicolon_file_is_a_problem(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "reps.csv").write_text("")
    (folder / "deals.csv").write_text("deal_id;lead_id;created_at;closed_at;stage;amount\n")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "deals.csv",
            1,
            None,
            None,
            "the header 'deal_id;lead_id;created_at;closed_at;stage;amount' is not comma-separated; "
            "save the file as CSV with commas between values",
        ),
        Problem(
            "reps.csv",
            None,
            None,
            None,
            "is empty; it needs a header row: rep_id, name, team, start_date, end_date "
            "(optionally timezone)",
        ),
    ]


def test_a_header_only_file_imports_nothing(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "reps.csv").write_text("rep_id,name,team,start_date,end_date\n")
    report = ingest(folder, db=tmp_path / "h.duckdb")
    assert report.tables["reps"] == TableCounts(inserted=0, updated=0, unchanged=0)


# --- a broken export as a whole ------------------------------------------------------------

BROKEN = [
    f"leads.csv row 3, column created_at: '2025-13-01' {NOT_A_TIMESTAMP}",
    "leads.csv row 4, column mql_at: '2025-07-09 09:00:00' is before created_at "
    "'2025-07-10 09:00:00'; a lead cannot become an MQL before it exists",
    "leads.csv row 4, column intent: 'maybe' is not a valid intent: use hand_raiser or other "
    "(or leave it empty)",
    "leads.csv row 4, column fit: 'D' is not a valid fit: use A, B or C (or leave it empty)",
    "leads.csv row 5, column lead_id: 'L1' is used by another row too; each lead must appear once "
    "(first in row 2)",
    "activities.csv row 3, column lead_id: 'L9' is not a lead_id in the leads file or in the history",
    "activities.csv row 3, column kind: empty; every activity needs a kind",
    "deals.csv row 2, column closed_at: empty, but the deal is won; a won or lost deal needs a "
    "closed_at",
    f"deals.csv row 2, column amount: '1,200.50' {NOT_A_NUMBER}",
    "deals.csv row 3, column stage: 'Open' is not a valid stage: use open, won or lost",
    "deals.csv row 3, column amount: '-800' is negative; an amount must be 0 or more",
    "reps.csv, column team: missing from the header; add it, with empty values if there are none",
    "reps.csv row 2, column start_date: '15/01/2024' is not a date written YYYY-MM-DD",
]


def test_a_broken_export_lists_every_problem_and_changes_nothing(tmp_path):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    before = contents(db)

    with pytest.raises(IngestError) as caught:
        ingest(FIXTURES / "broken", db=db)

    assert [str(p) for p in caught.value.problems] == BROKEN
    lines = str(caught.value).splitlines()
    assert lines[0] == f"The export in {FIXTURES / 'broken'} has 13 problems; {db} is unchanged:"
    assert lines[1:14] == [f"  {line}" for line in BROKEN]
    assert lines[14:] == [
        "Rows are numbered as a spreadsheet shows them: the header is row 1.",
        "The columns reps.csv must have (in any order): rep_id, name, team, start_date, end_date "
        "(optionally timezone).",
        "Fix these in the export (or in the CRM, then export again) and run `slanb ingest` again.",
    ]
    assert contents(db) == before


def test_a_long_list_of_problems_ends_with_a_count_per_column(tmp_path):
    # An export with European dates: 30 rows, each with a bad created_at; two bad fits too.
    folder = tmp_path / "export"
    folder.mkdir()
    rows = [f"L{i},{i + 1:02d}/07/2025,,,,,{'X' if i < 2 else 'A'},web" for i in range(30)]
    header = "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source"
    (folder / "leads.csv").write_text("\n".join([header, *rows]) + "\n")
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=tmp_path / "h.duckdb")
    assert len(caught.value.problems) == 32
    assert "\nProblems per column: leads.csv created_at 30, leads.csv fit 2.\n" in str(caught.value)


def test_a_broken_export_leaves_no_new_database_behind(tmp_path):
    db = tmp_path / "history.duckdb"
    with pytest.raises(IngestError, match=f"no history was created at {db}"):
        ingest(FIXTURES / "broken", db=db)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    db = tmp_path / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    before = contents(db)

    import slanb.store.ingest.run as module

    real_upsert = module._upsert

    def failing_upsert(con, table, present=None):
        if table.name == "deals":  # leads and activities are already written by now
            raise duckdb.IOException("disk full")
        return real_upsert(con, table, present)

    monkeypatch.setattr(module, "_upsert", failing_upsert)
    with pytest.raises(SlanbError, match=r"could not write the imported rows into .*\(disk full\); "
                       r".* is unchanged \(the transaction was rolled back\)"):  # fmt: skip
        ingest(FIXTURES / "newer", db=db)  # in place: nothing else has the history open
    assert contents(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.duckdb"]


# --- folders and files ---------------------------------------------------------------------


def test_a_missing_folder_says_what_is_expected(tmp_path):
    with pytest.raises(SlanbError, match=r"No export folder at .*nope\. Expected a folder holding "
                       r"leads\.csv or leads\.parquet, and optionally activities, deals, reps, time_off and rep_teams"):  # fmt: skip
        ingest(tmp_path / "nope", db=tmp_path / "h.duckdb")


def test_a_folder_without_leads_says_what_it_holds(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "Leads.xlsx").write_text("")
    (tmp_path / "export" / "deals.csv").write_text("")
    with pytest.raises(SlanbError, match=r"No leads file in .*export\. It holds Leads\.xlsx, deals\.csv\. "
                       r"Expected leads\.csv or leads\.parquet"):  # fmt: skip
        ingest(tmp_path / "export", db=tmp_path / "h.duckdb")
    assert not (tmp_path / "h.duckdb").exists()


def test_a_table_in_both_csv_and_parquet_is_refused(tmp_path):
    folder = copy_export(tmp_path)
    pl.read_csv(folder / "deals.csv").write_parquet(folder / "deals.parquet")
    with pytest.raises(
        SlanbError, match="has both deals.csv and deals.parquet; keep one file per table"
    ):
        ingest(folder, db=tmp_path / "h.duckdb")


def test_a_db_path_that_is_a_folder_or_another_file_is_refused(tmp_path):
    for path in (tmp_path, FIXTURES / "export" / "leads.csv"):
        with pytest.raises(SlanbError, match=f"{path} is not a history file"):
            ingest(FIXTURES / "export", db=path)


def test_a_database_that_is_not_a_slanb_history_is_refused(tmp_path):
    db = tmp_path / "other.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(SlanbError, match="is not a slanb history"):
        ingest(FIXTURES / "export", db=db)


def test_a_corrupt_parquet_file_is_a_clear_error(tmp_path):
    folder = copy_export(tmp_path)
    (folder / "reps.csv").unlink()
    (folder / "reps.parquet").write_text("rep_id,name\n")
    with pytest.raises(SlanbError, match=r"Cannot read .*reps\.parquet as Parquet"):
        ingest(folder, db=tmp_path / "h.duckdb")
    assert not (tmp_path / "h.duckdb").exists()


# --- invariants ----------------------------------------------------------------------------

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2025, 12, 31)
)  # the past


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(instants, offsets), min_size=1, max_size=5))
def test_any_offset_timestamp_lands_on_the_same_utc_instant(stamps):
    rows = []
    expected = {}
    for i, (local, offset) in enumerate(stamps):
        aware = local.replace(microsecond=0, tzinfo=timezone(offset))
        rows.append(f"L{i},{aware.isoformat()},,,,,,")
        expected[f"L{i}"] = aware.astimezone(UTC).replace(tzinfo=None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        header = "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\n"
        (folder / "leads.csv").write_text(header + "\n".join(rows) + "\n")
        db = Path(tmp) / "h.duckdb"
        ingest(folder, db=db)
        with connect(db) as con:
            assert dict(con.sql("select lead_id, created_at from leads").fetchall()) == expected


# --- the command line ----------------------------------------------------------------------


def test_cli_imports_an_export(tmp_path, capsys):
    db = tmp_path / "history.duckdb"
    assert cli.main(["ingest", str(FIXTURES / "export"), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "leads: 4 inserted, 0 updated, 0 unchanged\n" in out
    assert "reps: 2 inserted, 0 updated, 0 unchanged\n" in out
    assert cli.main(["ingest", str(FIXTURES / "export"), "--db", str(db)]) == 0
    assert "leads: 0 inserted, 0 updated, 4 unchanged\n" in capsys.readouterr().out


def test_cli_prints_every_problem_and_exits_1(tmp_path, capsys):
    db = tmp_path / "history.duckdb"
    assert cli.main(["ingest", str(FIXTURES / "broken"), "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"slanb ingest: error: The export in {FIXTURES / 'broken'} has 13"
    )
    for line in BROKEN:
        assert f"\n  {line}\n" in captured.err
    assert not db.exists()


def test_report_is_a_frozen_result():
    report = IngestReport(
        folder=Path("x"), db=Path("y"), files={}, tables={}, ignored_columns={}, exported_at=None
    )
    with pytest.raises(AttributeError):
        report.exported_at = datetime(2025, 1, 1)  # type: ignore[misc]


def test_a_timestamp_in_the_future_is_a_problem(tmp_path):
    # a typo such as 2052 would move exported_at, and so the default SLA month, for good
    folder = edited(tmp_path, "leads.csv", "2025-07-04 08:15:00", "2052-07-04 08:15:00")
    assert problems_of(folder, tmp_path / "h.duckdb") == [
        Problem(
            "leads.csv",
            3,
            "mql_at",
            "2052-07-04 08:15:00",
            "'2052-07-04 08:15:00' is in the future (more than a day after this import); "
            "fix the row in the export",
        )
    ]
