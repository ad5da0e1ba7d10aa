"""The import against a hostile check (issue 18): each test keeps one promise of docs/reliability.md.

The bad exports are folders of ``tests/fixtures/bad_inputs/`` laid over the clean export of
``tests/fixtures/ingest/export/`` (its README says what each holds), or a few rows written here.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from slanb import cli
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.store.db import connect
from slanb.store.ingest import IngestError, ingest
from tests.conftest import plan
from tests.store.test_ingest import FIXTURES, contents
from tests.test_reliability import Holder, file_state, history_copy, overlay, siblings

SLANB = str(Path(sys.executable).with_name("slanb"))
HEADER = "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\n"


@pytest.fixture(scope="module")
def clean_history(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("clean") / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    return db


def refused(folder: Path, db: Path) -> IngestError:
    """The error importing ``folder`` into ``db`` raises; the history must be left as it was."""
    before, files = file_state(db), siblings(db)
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=db)
    assert file_state(db) == before
    assert siblings(db) == files
    return caught.value


def where(error: IngestError) -> list[tuple]:
    return [(p.file, p.row, p.column, p.value) for p in error.problems]


def leads_only(tmp_path: Path, data: bytes) -> Path:
    """An export of one leads.csv holding ``data``."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "leads.csv").write_bytes(data)
    return folder


# ---- 1. what the engine cannot compute on is refused ---------------------------------------------
def test_a_value_the_engine_cannot_compute_on_is_refused_and_plan_still_runs(
    clean_history, tmp_path, capsys
):
    # 0000-01-01 reached Python as text (AttributeError: 'str' object has no attribute 'year') and
    # 12345678901234567 overflowed DECIMAL(18, 2) in every plan; both were imported with exit 0.
    db = history_copy(clean_history, tmp_path / "data")
    error = refused(overlay(tmp_path, "out_of_range"), db)
    assert where(error) == [
        ("leads.csv", 4, "created_at", "1899-12-31T23:59:59Z"),
        ("leads.csv", 5, "created_at", "0000-01-01"),
        ("deals.csv", 2, "amount", "12345678901234567"),
        ("reps.csv", 2, "start_date", "0001-01-01"),
        ("reps.csv", 3, "end_date", "9999-12-31"),
    ]
    lines = str(error).splitlines()
    assert (
        "  leads.csv row 5, column created_at: '0000-01-01' is before 1900-01-01, the earliest "
        "timestamp slanb reads (a placeholder such as 0000-01-01 is not a date); fix the row in "
        "the export, or leave the value empty where the column allows it"
    ) in lines
    assert (
        "  deals.csv row 2, column amount: '12345678901234567' is more than 1,000,000,000,000, "
        "the largest amount slanb reads; check the row (a misplaced decimal point, or digits run "
        "together?)"
    ) in lines
    assert (
        sum("is outside 1900-01-01 to 2199-12-31, the dates slanb reads" in x for x in lines) == 2
    )
    capsys.readouterr()
    for command in (["summary"], ["plan", "--month", "2025-06"]):
        assert cli.main([*command, "--db", str(db)]) == 0, capsys.readouterr().err


def test_a_parquet_timestamp_before_year_1_is_refused(clean_history, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "export", folder)
    (folder / "leads.csv").unlink()
    con = duckdb.connect()
    con.execute(
        "copy (select 'L9' as lead_id, (timestamp '0001-03-15 12:00:00' - interval 44 year) "
        "as created_at, "
        "cast(null as timestamp) as mql_at, cast(null as timestamp) as sql_at, "
        "'R1' as owner_id, 'other' as intent, 'A' as fit, 'web' as source) to "
        f"'{folder / 'leads.parquet'}'"
    )
    con.close()
    (folder / "activities.csv").unlink()
    (folder / "deals.csv").unlink()
    db = history_copy(clean_history, tmp_path / "data")
    [problem] = refused(folder, db).problems
    assert (problem.file, problem.row, problem.column) == ("leads.parquet", 2, "created_at")
    assert problem.message.startswith("'0044-03-15 (BC) 12:00:00' is before 1900-01-01")


def test_the_boundary_values_accepted_leave_a_history_the_plan_runs_on(tmp_path):
    # 1900-01-01, offsets of +14:00 and -14:00, 2199-12-31 and an amount of exactly 1e12: read,
    # and the plan sums two such deals (to the cent, through DECIMAL(18, 2)).
    db = tmp_path / "history.duckdb"
    ingest(overlay(tmp_path, "boundary_values"), db=db)
    leads = {r[0]: r for r in contents(db)["leads"]}
    assert leads["L5"][1:3] == (datetime(1900, 1, 1), datetime(2024, 12, 1, 10))
    assert leads["L6"][1:3] == (datetime(1900, 1, 1, 14), datetime(2024, 12, 3, 23, 30))
    reps = {r[0]: r for r in contents(db)["reps"]}
    assert (str(reps["R1"][3]), str(reps["R1"][4])) == ("1900-01-01", "2199-12-31")
    result = plan(Params(db=str(db)))
    assert result.month == "2025-06"
    assert (result.revenue_per_mql.mqls, result.revenue_per_mql.revenue) == (2, 2e12)
    assert result.revenue_per_mql.value == 1e12


# ---- 2. values accepted silently before ----------------------------------------------------------
def test_a_timestamp_with_an_offset_that_does_not_exist_is_refused(clean_history, tmp_path):
    # +99 was stored as 2025-06-23 03:30, +02:60 and +25:00 were read as if they existed
    db = history_copy(clean_history, tmp_path / "data")
    error = refused(overlay(tmp_path, "impossible_offsets"), db)
    assert where(error) == [
        ("leads.csv", 2, "created_at", "2025-06-27T06:30:00+99"),
        ("leads.csv", 3, "created_at", "2025-07-03T10:00+02:60"),
        ("leads.csv", 4, "created_at", "2025-07-10T09:00:00+25:00"),
        ("leads.csv", 5, "created_at", "2025-07-15T00:00-1430"),
    ]
    for problem in error.problems:
        assert problem.message.endswith(
            "has an offset that does not exist: offsets run from -14:00 to +14:00, with minutes "
            "under 60 (like +02:00, -0530 or Z for UTC)"
        )


def test_a_nul_byte_past_the_first_4_kb_is_refused_naming_its_row(clean_history, tmp_path):
    rows = [f"L{i},2025-07-01,,,R1,other,A,web\n" for i in range(200)]  # well over 4 KB
    rows[150] = "L150,2025-07-01,,,R1,other,A,we\x00b\n"
    folder = leads_only(tmp_path, (HEADER + "".join(rows)).encode())
    error = refused(folder, history_copy(clean_history, tmp_path / "data"))
    assert where(error) == [("leads.csv", 152, "source", "we\x00b")]
    assert error.problems[0].message.startswith("'we\\x00b' holds a NUL byte (\\x00)")


@pytest.mark.parametrize(
    ("column", "value", "nested"),
    [
        ("lead_id", "[1, 2]", "LIST"),
        ("source", "{'channel': 'web'}", "STRUCT"),
        ("created_at", "['2025-07-01']", "LIST"),
    ],
)
def test_a_parquet_list_or_struct_column_is_refused_not_stored_as_text(
    tmp_path, column, value, nested
):
    values = {
        "lead_id": "'L1'",
        "created_at": "timestamp '2025-07-01'",
        "mql_at": "cast(null as timestamp)",
        "sql_at": "cast(null as timestamp)",
        "owner_id": "'R1'",
        "intent": "'other'",
        "fit": "'A'",
        "source": "'web'",
    }
    values[column] = value
    folder = tmp_path / "export"
    folder.mkdir()
    con = duckdb.connect()
    select = ", ".join(f"{v} as {k}" for k, v in values.items())
    con.execute(f"copy (select {select}) to '{folder / 'leads.parquet'}'")
    con.close()
    db = tmp_path / "history.duckdb"
    with pytest.raises(IngestError) as caught:
        ingest(folder, db=db)
    expected = "text" if column != "created_at" else "a timestamp (or ISO 8601 text)"
    assert [str(p) for p in caught.value.problems] == [
        f"leads.parquet, column {column}: is a {nested} in leads.parquet; it must be {expected}"
    ]
    assert not db.exists()


def test_header_names_in_any_case_or_padded_with_spaces_are_read_in_csv_and_parquet(tmp_path):
    # The rule (docs/data.md): a header name matches ignoring case and outer spaces.
    padded = " Lead_ID ,CREATED_AT,mql_at ,sql_at,owner_id,Intent,fit,\tsource\n"
    folder = leads_only(tmp_path, (padded + "L1,2025-07-01,,,R1,other,A,web\n").encode())
    db = tmp_path / "csv.duckdb"
    assert ingest(folder, db=db).ignored_columns == {}
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    con = duckdb.connect()
    con.execute(
        f"""copy (select * from read_csv('{folder / "leads.csv"}', all_varchar = true))
        to '{parquet / "leads.parquet"}'"""
    )
    con.close()
    assert ingest(parquet, db=tmp_path / "parquet.duckdb").ignored_columns == {}
    assert contents(tmp_path / "parquet.duckdb")["leads"] == contents(db)["leads"]


def test_old_mac_line_endings_read_like_the_clean_file(clean_history, tmp_path):
    # The rule: CR-only files (Excel for Mac's old "CSV (Macintosh)") are read like LF files.
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "export", folder)
    for file in folder.iterdir():
        file.write_bytes(file.read_bytes().replace(b"\n", b"\r"))
    db = history_copy(clean_history, tmp_path / "data")
    result = ingest(folder, db=db)
    assert {name: counts.unchanged for name, counts in result.tables.items()} == {
        "leads": 4, "activities": 3, "deals": 3, "reps": 2
    }  # fmt: skip
    # and a problem in one is numbered like the spreadsheet row
    rows = HEADER + "L1,2025-07-01,,,R1,other,A,web\nL2,2025-07-01,,,R1,other,Z,web\n"
    (tmp_path / "bad").mkdir()
    error = refused(leads_only(tmp_path / "bad", rows.replace("\n", "\r").encode()), db)
    assert where(error) == [("leads.csv", 3, "fit", "Z")]


def test_a_file_mixing_line_endings_is_a_one_line_error(clean_history, tmp_path, capsys):
    rows = HEADER + "L1,2025-07-01,,,R1,other,A,web\rL2,2025-07-01,,,R1,other,A,web\n"
    folder = leads_only(tmp_path, rows.encode())
    db = history_copy(clean_history, tmp_path / "data")
    before = file_state(db)
    assert cli.main(["ingest", str(folder), "--db", str(db)]) == 1
    assert capsys.readouterr().err == (
        f"slanb ingest: error: Cannot read {folder / 'leads.csv'}: Invalid Input Error: The CSV "
        "Parser state machine reached an invalid state. Save it as CSV UTF-8 (commas between "
        "values, one kind of line ending) or Parquet, and run `slanb ingest` again.\n"
    )
    assert file_state(db) == before


def test_a_symlinked_export_file_is_read_as_the_file_it_points_to(clean_history, tmp_path):
    folder = tmp_path / "latest"
    folder.mkdir()
    for file in (FIXTURES / "export").iterdir():
        (folder / file.name).symlink_to(file)
    db = history_copy(clean_history, tmp_path / "data")
    assert ingest(folder, db=db).tables["leads"].unchanged == 4


# ---- 3. clear refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("leads.csv", "folder", "{path} is a folder, not a file; an export holds leads.csv as a "
         "file. Rename or move the folder, and run `slanb ingest` again."),
        ("deals.csv", "folder", "{path} is a folder, not a file; an export holds deals.csv as a "
         "file. Rename or move the folder, and run `slanb ingest` again."),
        ("reps.parquet", "dangling", "{path} is a symbolic link to {target}, which does not "
         "exist; point it at the exported file, or remove it, and run `slanb ingest` again."),
        ("activities.csv", "loop", "{path} is a symbolic link that loops (it leads back to "
         "itself); replace it with the exported file, or remove it, and run `slanb ingest` "
         "again."),
    ],
)  # fmt: skip
def test_a_folder_or_a_broken_link_named_like_an_export_file_is_a_one_line_error(
    clean_history, tmp_path, capsys, name, make, message
):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "export", folder)
    path = folder / name
    path.unlink(missing_ok=True)
    target = tmp_path / "gone.parquet"
    if make == "folder":
        path.mkdir()
    elif make == "dangling":
        path.symlink_to(target)
    else:
        path.symlink_to(path)
    db = history_copy(clean_history, tmp_path / "data")
    before = file_state(db)
    assert cli.main(["ingest", str(folder), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err == f"slanb ingest: error: {message.format(path=path, target=target)}\n"
    assert file_state(db) == before


def test_rows_after_blank_lines_keep_their_spreadsheet_numbers(clean_history, tmp_path):
    # Blank lines are skipped, but counted: a spreadsheet shows them as empty rows.
    db = history_copy(clean_history, tmp_path / "data")
    error = refused(overlay(tmp_path, "blank_lines"), db)
    assert [(p.file, p.row, p.column) for p in error.problems] == [
        ("leads.csv", 7, "fit"),
        ("leads.csv", 8, None),
    ]


# ---- 4. personal data in messages ----------------------------------------------------------------
def test_a_refused_row_quotes_only_the_bad_cell_never_the_address_beside_it(
    clean_history, tmp_path
):
    db = history_copy(clean_history, tmp_path / "data")
    error = refused(overlay(tmp_path, "personal_data_in_a_bad_row"), db)
    assert [str(p) for p in error.problems] == [
        "leads.csv row 3: could not be read (it has 10 values but the header has 9 columns; a "
        "value containing a comma must be in double quotes)",
        "leads.csv row 4, column fit: 'Z' is not a valid fit: use A, B or C (or leave it empty)",
        "leads.csv row 5, column source: 'Salon Zo\ufffd' is not valid UTF-8; save the file as "
        "UTF-8 (in Excel: CSV UTF-8)",
    ]
    assert "@" not in str(error)


# ---- 5. a file rewritten while it is read --------------------------------------------------------
def test_a_file_rewritten_while_it_is_read_is_refused_and_nothing_is_written(
    clean_history, tmp_path, monkeypatch
):
    import slanb.store.ingest.run as module

    folder = tmp_path / "export"
    shutil.copytree(FIXTURES / "newer", folder)
    real_stage = module._stage

    def stage_then_rewrite(con, table, path):
        staged = real_stage(con, table, path)
        if path.name == "leads.csv":  # the CRM job writes the next version meanwhile
            with path.open("a") as f:
                f.write("L6,2025-08-02 10:00:00,,,R1,other,A,web,1\n")
        return staged

    monkeypatch.setattr(module, "_stage", stage_then_rewrite)
    db = history_copy(clean_history, tmp_path / "data")
    before, files = file_state(db), siblings(db)
    with pytest.raises(SlanbError) as caught:
        ingest(folder, db=db)
    assert str(caught.value) == (
        f"{folder / 'leads.csv'} changed while it was being read; nothing was imported and {db} "
        "is unchanged. Wait until the export is complete and run `slanb ingest` again."
    )
    assert (file_state(db), siblings(db)) == (before, files)


# ---- 6. faults beyond kills ----------------------------------------------------------------------
def _ingest_with_file_size_limit(folder: Path, db: Path, limit: int) -> subprocess.CompletedProcess:
    """``slanb ingest`` in a process whose writes past ``limit`` bytes fail (EFBIG): a full disk."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [SLANB, "ingest", str(folder), "--db", str(db)],
        preexec_fn=limited,  # noqa: PLW1509 (no threads here)
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "room", ["in place: none for the rows", "a copy: none for it", "a copy: not for the rows"]
)
def test_a_full_disk_leaves_the_history_byte_for_byte_with_a_one_line_error(
    clean_history, tmp_path, room
):
    db = history_copy(clean_history, tmp_path / "data")
    export = tmp_path / "big"
    export.mkdir()
    rows = [f"M{i},2025-07-01 09:30:00,,,R1,other,A,web\n" for i in range(200_000)]
    (export / "leads.csv").write_text(HEADER + "".join(rows))
    before = file_state(db)
    size = db.stat().st_size
    # An analyst's kernel holding the history open past READERS_WAIT sends the import to a copy.
    kernel = Holder(db) if room.startswith("a copy") else None
    try:
        run = _ingest_with_file_size_limit(export, db, size // 2 if "none for it" in room else size)
    finally:
        if kernel:
            kernel.close()
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    if room.startswith("in place"):
        assert run.stderr == (
            f"slanb ingest: error: The import could not write the imported rows into {db} "
            f'(IO Error: Could not write file "{db}": File too large); {db} is unchanged (the '
            f"transaction was rolled back). An import needs room in {db.parent} for the imported "
            "rows: free some space (or raise the quota) and run `slanb ingest` again.\n"
        )
    elif "none for it" in room:
        assert run.stderr.startswith(f"slanb ingest: error: Cannot copy {db} to .history.duckdb.")
        assert "File too large. An import writes a copy of the history" in run.stderr
    else:
        assert run.stderr.startswith(
            "slanb ingest: error: The import could not write its copy of the history beside "
            f"{db} (IO Error: Could not write file"
        )
        assert run.stderr.endswith(
            f"File too large); {db} is unchanged. An import needs room in {db.parent} for one "
            "more copy of the history (1.8 MB) and the imported rows: free some space (or raise "
            "the quota) and run `slanb ingest` again.\n"
        )
    assert file_state(db) == before
    assert siblings(db) == ["history.duckdb"]


def _without_root_overrides() -> None:
    """Drop root's power to write regardless of permissions (from the process about to start)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.parametrize("history", ["existing", "new"])
def test_a_read_only_history_folder_is_a_one_line_error_and_nothing_changes(
    clean_history, tmp_path, history
):
    # Root writes anywhere: as root the import runs without the capabilities that allow it.
    preexec = _without_root_overrides if os.geteuid() == 0 else None
    data = tmp_path / "data"
    data.mkdir()
    db = data / "history.duckdb"
    if history == "existing":
        shutil.copyfile(clean_history, db)
        before = file_state(db)
    data.chmod(0o555)
    try:
        run = subprocess.run(
            [SLANB, "ingest", str(FIXTURES / "export"), "--db", str(db)],
            preexec_fn=preexec,  # noqa: PLW1509 (no threads here)
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        data.chmod(0o755)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    outcome = f"{db} is unchanged" if history == "existing" else "no history was created"
    assert run.stderr == (
        f"slanb ingest: error: Cannot write in {data}: Permission denied; {outcome}. An import "
        "writes a new copy of the history beside it and renames it over the history, so it needs "
        "write access to the folder, not only to the file. Fix the folder's permissions (or give "
        "--db a path in a folder you can write) and run `slanb ingest` again.\n"
    )
    if history == "existing":
        assert file_state(db) == before
        assert siblings(db) == ["history.duckdb"]
    else:
        assert list(data.iterdir()) == []


def test_a_truncated_history_is_detected_by_analysis_and_by_ingest(clean_history, tmp_path, capsys):
    # Cut to half by a crash outside slanb: DuckDB opens it and answers from what is left.
    db = history_copy(clean_history, tmp_path / "data")
    size = db.stat().st_size
    os.truncate(db, size // 2)
    message = (
        f"{db} is damaged (truncated?): it holds {size // 2:,} bytes where its header says "
        f"{size:,}. Restore it from a backup, or rebuild it with `slanb ingest` from your exports "
        "(into a new file)."
    )
    with pytest.raises(SlanbError) as caught, connect(db):
        pass
    assert str(caught.value) == message
    before = file_state(db)
    assert cli.main(["ingest", str(FIXTURES / "newer"), "--db", str(db)]) == 1
    assert capsys.readouterr().err == f"slanb ingest: error: {message}\n"
    assert cli.main(["plan", "--db", str(db)]) == 1
    assert capsys.readouterr().err == f"slanb plan: error: {message}\n"
    assert file_state(db) == before
