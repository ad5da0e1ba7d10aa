"""What slanb promises when things go wrong; docs/reliability.md lists each promise with its test.

- Bad exports (tests/fixtures/bad_inputs/, laid over the clean export of tests/fixtures/ingest/):
  each is read by a documented rule, or refused listing every problem with file, row and column,
  with the history unchanged to the byte.
- Parsers and engine invariants, by Hypothesis.
- Killed runs: ``slanb ingest`` and ``slanb report`` SIGKILLed part-way leave the old or the new
  state, never a mix.
- Concurrency: a process holding the history open does not block an import or a report.
- Hostile text and privacy: a history with ``<script>`` rep names and e-mail columns, imported
  and reported on; parameters reach SQL only as bound values; paths stay in the folder named.
- Clear errors: one line, non-zero exit, no traceback without ``--debug``.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import duckdb
import nbformat
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from slanb import _files, cli
from slanb.engine.value import revenue_per_mql, sample
from slanb.errors import SlanbError
from slanb.months import month_label
from slanb.params import Params
from slanb.publish import report
from slanb.publish.report import build_report
from slanb.store.db import connect, create_schema
from slanb.store.ingest import IngestError, ingest
from slanb.store.ingest.read import _parse, _trimmed
from slanb.views import charts, theme
from tests.conftest import write_history
from tests.fixtures import tracking_example
from tests.store.test_ingest import FIXTURES, contents

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "fixtures" / "bad_inputs"
SLANB = str(Path(sys.executable).with_name("slanb"))
TABLES = ("leads", "activities", "deals", "reps", "slanb_meta")


# ---- helpers ------------------------------------------------------------------------------------
def overlay(tmp_path: Path, case: str) -> Path:
    """The clean export with the files of ``bad_inputs/{case}`` laid over it."""
    folder = tmp_path / case
    shutil.copytree(FIXTURES / "export", folder)
    for file in (BAD / case).iterdir():
        shutil.copyfile(file, folder / file.name)
    return folder


@dataclass(frozen=True)
class FileState:
    """A history file as bytes on disk: equal states mean the file was not touched."""

    inode: int
    sha256: str


def file_state(db: Path) -> FileState:
    return FileState(db.stat().st_ino, hashlib.sha256(db.read_bytes()).hexdigest())


def fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """Row count and order-free hash of every table: equal fingerprints mean equal contents."""
    return tuple(
        con.sql(f"select count(*), coalesce(sum(hash(t)), 0) from {t} as t").fetchall()[0]
        for t in TABLES
    )


def db_fingerprint(db: Path) -> tuple:
    with connect(db) as con:
        return fingerprint(con)


def siblings(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir())


def history_copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "history.duckdb"
    shutil.copyfile(source, db)
    return db


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc), so a test can end what its child started."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(child: subprocess.Popen) -> None:
    """SIGKILL ``child`` and everything it started (by pid), then reap it."""
    below = descendants(child.pid)
    child.send_signal(signal.SIGKILL)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    child.wait()


class Holder:
    """Another process (an analyst's kernel) holding the history open with ``duckdb.connect``."""

    def __init__(self, db: Path, *, read_only: bool = True) -> None:
        code = (
            "import duckdb, sys\n"
            f"con = duckdb.connect({str(db)!r}, read_only={read_only})\n"
            "for _ in sys.stdin:\n"
            "    n = con.sql('select count(*) from leads').fetchall()[0][0]\n"
            "    print(n, flush=True)\n"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.leads()  # the connection is open once it answers

    def leads(self) -> int:
        """The lead count the held connection sees now."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        assert self.proc.wait(timeout=10) == 0


def tiny_notebooks(folder: Path, *cells: str) -> Path:
    """A notebooks folder with one quick notebook (title, parameters cell, ``cells``)."""
    folder.mkdir(parents=True)
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Tiny"),
            new_code_cell("db = None\nmonth = None", metadata={"tags": ["parameters"]}),
            *(new_code_cell(c) for c in cells or ("print(month)",)),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_tiny.ipynb")
    return folder


# ---- 1. bad inputs: refused, every problem listed, history unchanged ---------------------------
NOT_ISO = "is not an ISO 8601 timestamp"
NOT_A_NUMBER = "is not a number (write it like 1234.50, without currency or thousands separators)"
REFUSED = {
    "empty": [("reps.csv", None, None, "is empty; it needs a header row: rep_id, name, team")],
    "wrong_delimiter": [
        ("leads.csv", 1, None, "the header 'lead_id;created_at;mql_at;"),
        ("reps.csv", 1, None, "the header 'rep_id\\tname\\tteam"),
    ],
    "mixed_encoding": [("reps.csv", 3, "name", "is not valid UTF-8; save the file as UTF-8")],
    "utf16": [("leads.csv", None, None, "is not a UTF-8 text file (it is UTF-16")],
    "quoted_newline_row_numbers": [
        ("leads.csv", 3, "fit", "'Z' is not a valid fit"),
        ("leads.csv", 5, None, "has 9 values but the header has 8 columns"),
    ],
    "duplicate_in_file": [
        (
            "leads.csv",
            5,
            "lead_id",
            "'L2' is used by another row too; each lead must appear once (first in row 3)",
        ),
    ],  # fmt: skip
    "timestamps_refused": [
        ("leads.csv", row, "created_at", f"{value!r} {NOT_ISO}")
        for row, value in enumerate(
            [
                "07/01/2025",
                "01.07.2025 10:00",
                "Jul 10, 2025",
                "2025-7-15",
                "1751362200",
                "2025-07-01 09:30:00 CEST",
                "2025-07-01T09:30:00+2:00",
                "20250701T093000Z",
            ],
            start=2,
        )
    ],
    "amounts": [
        ("deals.csv", row, "amount", f"{value!r} {NOT_A_NUMBER}")
        for row, value in enumerate(
            ["1,200.50", "$800", "1.200,50", "€ 950", "950 USD", "1 200", "1_200"], start=2
        )
    ],
    "unknown_stage": [
        ("deals.csv", row, "stage", f"{value!r} is not a valid stage: use open, won or lost")
        for row, value in [(2, "Won"), (3, "pending"), (4, "closed lost")]
    ],
    "orphan_deal": [
        ("deals.csv", 5, "lead_id", "'L9' is not a lead_id in the leads file or in the history")
    ],
    "lead_id_email": [
        ("leads.csv", 3, "lead_id", "'ana.silva@customer.example' looks like an e-mail address"),
    ],
}


@pytest.fixture(scope="module")
def clean_history(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("clean") / "history.duckdb"
    ingest(FIXTURES / "export", db=db)
    return db


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_bad_export_is_refused_listing_every_problem_and_the_history_is_untouched(
    case, clean_history, tmp_path
):
    db = history_copy(clean_history, tmp_path / "data")
    before, files = file_state(db), siblings(db)
    with pytest.raises(IngestError) as caught:
        ingest(overlay(tmp_path, case), db=db)
    problems = caught.value.problems
    expected = REFUSED[case]
    assert [(p.file, p.row, p.column) for p in problems] == [e[:3] for e in expected]
    for problem, (*_, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message, (problem, fragment)
        assert f"  {problem}" in str(caught.value).splitlines()  # one line each in the error
    assert file_state(db) == before  # not rewritten: same file, same bytes
    assert siblings(db) == files  # no working copy left behind


def test_an_empty_file_and_a_header_only_file_differ(clean_history, tmp_path):
    # header only: read (no rows for that table); empty: refused above (no header)
    db = history_copy(clean_history, tmp_path / "data")
    result = ingest(overlay(tmp_path, "header_only"), db=db)
    assert (result.tables["deals"].inserted, result.tables["deals"].updated) == (0, 0)
    assert contents(db)["deals"] == contents(clean_history)["deals"]  # rows are never deleted


def test_a_byte_order_mark_and_windows_line_endings_read_like_the_clean_file(
    clean_history, tmp_path
):
    db = history_copy(clean_history, tmp_path / "data")
    result = ingest(overlay(tmp_path, "bom"), db=db)
    assert result.tables["leads"].unchanged == 4
    assert (result.tables["leads"].inserted, result.tables["leads"].updated) == (0, 0)


def test_quoted_commas_quotes_and_newlines_are_values(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    result = ingest(overlay(tmp_path, "quoted_newlines"), db=db)
    assert result.ignored_columns["activities.csv"] == ("notes",)
    assert (
        result.tables["activities"].unchanged == 3
    )  # the multi-line note is not a contract column
    reps = {r[0]: r for r in contents(db)["reps"]}
    assert reps["R1"][1] == 'Pat "The Closer" O\'Brien,\nJr.'
    assert reps["R2"][2] == "South,\nEast"


def test_the_same_id_in_a_later_import_updates_the_row(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    result = ingest(overlay(tmp_path, "duplicate_ids"), db=db)
    assert result.tables["leads"] == type(result.tables["leads"])(0, 1, 3)
    l2 = next(r for r in contents(db)["leads"] if r[0] == "L2")
    assert (l2[4], l2[5], l2[6]) == ("R1", "hand_raiser", "A")  # was R2, other, B


def test_timestamps_in_five_shapes_with_offsets_land_on_utc(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    ingest(overlay(tmp_path, "timestamps"), db=db)
    leads = {r[0]: (r[1], r[2]) for r in contents(db)["leads"]}
    assert leads == {
        "L1": (datetime(2025, 7, 1), datetime(2025, 7, 1, 9, 30)),  # a date; minutes
        "L2": (datetime(2025, 7, 3, 10), datetime(2025, 7, 4, 8, 15, 0, 250_000)),  # T; fraction
        "L3": (datetime(2025, 7, 10, 9), datetime(2025, 7, 10, 9)),  # Z; +02
        # +0530; -02:00 moves the MQL into August
        "L4": (datetime(2025, 7, 15, 2, 30), datetime(2025, 8, 1, 1, 30)),
        "L5": (datetime(2025, 6, 30, 23, 30), datetime(2025, 6, 30, 23, 30)),  # -01:00; +02:00
    }


def test_plain_amounts_are_read_and_formatted_ones_are_refused(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    ingest(overlay(tmp_path, "amounts_plain"), db=db)
    amounts = {r[0]: r[5] for r in contents(db)["deals"]}
    assert amounts == {
        "D1": 1200.5, "D2": 800.0, "D3": 0.0, "D4": 0.5, "D5": 7.0, "D6": 1500.0, "D7": 19.999
    }  # fmt: skip


def test_an_activity_before_its_lead_was_created_is_kept_as_written(clean_history, tmp_path):
    # Kept: merged CRM records carry such activities. It can never be a first touch or count
    # toward the cadence, which count only from mql_at (tests/test_tracking.py: L04's early call).
    db = history_copy(clean_history, tmp_path / "data")
    ingest(overlay(tmp_path, "activity_before_lead"), db=db)
    a4 = next(r for r in contents(db)["activities"] if r[0] == "A4")
    l3 = next(r for r in contents(db)["leads"] if r[0] == "L3")
    assert a4 == ("A4", "L3", "R1", "call", datetime(2025, 7, 9, 8))
    assert a4[4] < l3[1] == datetime(2025, 7, 10, 14)


def test_one_bad_row_near_the_end_of_a_million_is_found_and_nothing_is_written(
    clean_history, tmp_path
):
    db = history_copy(clean_history, tmp_path / "data")
    before = file_state(db)
    export = tmp_path / "big"
    export.mkdir()
    n = 1_000_000
    rows = [f"M{i},2025-07-01 09:30:00,,,R1,other,A,web\n" for i in range(n)]
    rows[n - 10] = f"M{n - 10},2025-07-01 09:30:00,,,R1,other,Z,web\n"
    header = "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\n"
    (export / "leads.csv").write_text(header + "".join(rows))
    with pytest.raises(IngestError) as caught:
        ingest(export, db=db)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("leads.csv", n - 10 + 2, "fit")
    assert file_state(db) == before
    assert siblings(db) == ["history.duckdb"]


# ---- 1b. the parsers and the engine, by Hypothesis ----------------------------------------------
_MEMORY = duckdb.connect()
_MEMORY.execute("set TimeZone = 'UTC'")


def parsed(kind: str, texts: list[str]) -> list:
    """What the import stores for each of ``texts`` in a column of ``kind`` (None: refused)."""
    expr = _parse(kind, _trimmed("x"))  # type: ignore[arg-type]
    rows = "select unnest($xs) as x, generate_subscripts($xs, 1) as i"
    query = f"select {expr} from ({rows}) order by i"
    return [r[0] for r in _MEMORY.sql(query, params={"xs": texts}).fetchall()]


@st.composite
def iso_timestamps(draw) -> tuple[str, datetime]:
    """An ISO 8601 timestamp as exports write it, and the UTC instant it means."""
    local = draw(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2098, 12, 30)))
    sep = draw(st.sampled_from(["T", " "]))
    precision = draw(st.sampled_from(["minutes", "seconds", "fraction"]))
    digits = draw(st.integers(1, 6))
    text = f"{local:%Y-%m-%d}{sep}{local:%H:%M}"
    if precision == "minutes":
        local = local.replace(second=0, microsecond=0)
    elif precision == "seconds":
        text += f":{local:%S}"
        local = local.replace(microsecond=0)
    else:
        fraction = f"{local.microsecond:06d}"[:digits]
        text += f":{local:%S}.{fraction}"
        local = local.replace(microsecond=int(fraction.ljust(6, "0")))
    minutes = draw(st.integers(-12 * 60, 14 * 60))
    form = draw(st.sampled_from(["none", "Z", "+hh", "+hhmm", "+hh:mm"]))
    if form == "+hh":
        minutes -= minutes % 60
    sign, size = ("-" if minutes < 0 else "+"), abs(minutes)
    hh, mm = divmod(size, 60)
    text += {
        "none": "",
        "Z": "Z",
        "+hh": f"{sign}{hh:02d}",
        "+hhmm": f"{sign}{hh:02d}{mm:02d}",
        "+hh:mm": f"{sign}{hh:02d}:{mm:02d}",
    }[form]
    offset = 0 if form in ("none", "Z") else minutes
    return text, local - timedelta(minutes=offset)


@settings(max_examples=100, deadline=None)
@given(iso_timestamps())
def test_any_iso_timestamp_is_read_as_its_utc_instant(case):
    text, instant = case
    assert parsed("timestamp", [text, f"  {text} "]) == [instant, instant]  # spaces are trimmed


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2098, 12, 30)))
def test_timestamps_that_are_not_iso_8601_are_refused(moment):
    shapes = [
        f"{moment:%m/%d/%Y}",
        f"{moment:%d.%m.%Y %H:%M}",
        f"{moment:%b %d, %Y}",
        str(int(moment.replace(tzinfo=UTC).timestamp())),
        f"{moment:%Y-%m-%d %H:%M:%S} UTC",
        f"{moment:%Y%m%dT%H%M%S}Z",
    ]
    if moment.month < 10 or moment.day < 10:
        shapes.append(f"{moment.year}-{moment.month}-{moment.day}")
    assert parsed("timestamp", shapes) == [None] * len(shapes), shapes


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_plain_amounts_are_read_exactly_and_formatted_ones_are_refused(amount):
    plain = [f"{amount}", f"+{amount}", f"{amount:e}", f" {amount} "]
    assert parsed("number", plain) == [float(amount)] * len(plain), plain
    refused = [f"${amount}", f"{amount} USD", f"€{amount}", f"{amount}€"]
    if amount >= 1000:
        grouped = f"{amount:,.2f}"
        refused += [grouped, grouped.replace(",", "_"), grouped.replace(",", " ")]
    assert parsed("number", refused) == [None] * len(refused), refused


@settings(max_examples=25, deadline=None)
@given(
    mqls=st.integers(1, 40),
    won=st.lists(st.integers(0, 10**8), min_size=0, max_size=40),  # amounts in cents
)
def test_revenue_per_mql_is_the_cent_exact_revenue_over_the_sample_mqls(mqls, won):
    # The sample is March 2026 (month 2026-04, lookback 1, maturity 0); deals on its first leads.
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    create_schema(con)
    con.executemany(
        "insert into leads (lead_id, created_at, mql_at) values (?, ?, ?)",
        [[f"L{i}", "2026-03-01", f"2026-03-{1 + i % 28:02d}"] for i in range(mqls)],
    )
    if won:
        con.executemany(
            "insert into deals values (?, ?, '2026-03-29', '2026-03-30', 'won', ?)",
            [[f"D{k}", f"L{k % mqls}", str(Decimal(c) / 100)] for k, c in enumerate(won)],
        )
    params = Params(month="2026-04", lookback_months=1, maturity_months=0)
    w = params.sample_window
    rows = sample(con, month="2026-04", window=w, touch_kinds=params.first_touch_kinds)
    rpm = revenue_per_mql(rows, month="2026-04", window=w)
    con.close()
    revenue = sum((Decimal(c) / 100 for c in won), Decimal(0))
    assert rpm.mqls == mqls
    assert Decimal(str(rpm.revenue)) == revenue  # summed to the cent, no float drift
    value = (revenue / mqls).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(str(rpm.value)) == value
    # so value × MQLs gives back the revenue to within half a cent per MQL
    assert abs(value * mqls - revenue) <= Decimal("0.005") * mqls


# ---- 2. killed runs leave the old or the new state ----------------------------------------------
@pytest.fixture(scope="module")
def big_import(tmp_path_factory) -> dict:
    """A history (the clean export) and an 80k-lead export to import over it, with the result."""
    folder = tmp_path_factory.mktemp("big_import")
    base = folder / "base.duckdb"
    ingest(FIXTURES / "export", db=base)
    export = folder / "export"
    export.mkdir()
    header = "lead_id,created_at,mql_at,sql_at,owner_id,intent,fit,source\n"
    rows = (
        f"N{i},2025-07-01 09:30:00,2025-07-02 10:00:00,,R1,other,A,web\n" for i in range(80_000)
    )
    (export / "leads.csv").write_text(header + "".join(rows))
    new = history_copy(base, folder / "new")
    started = time.perf_counter()
    ingest(export, db=new)
    return {
        "base": base,
        "export": export,
        "old": db_fingerprint(base),
        "new": db_fingerprint(new),
        "seconds": time.perf_counter() - started + 0.3,  # and the child's start-up
    }


def test_readers_never_wait_for_an_import_and_see_the_old_or_the_new_history(big_import, tmp_path):
    db = history_copy(big_import["base"], tmp_path / "data")
    child = subprocess.Popen(
        [SLANB, "ingest", str(big_import["export"]), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = []
    while child.poll() is None:
        with connect(db) as con:  # never refused, never waits for the import
            seen.append(fingerprint(con))
    assert child.returncode == 0, child.stderr.read() if child.stderr else ""
    assert len(seen) >= 3
    assert set(seen) <= {big_import["old"], big_import["new"]}
    assert seen[0] == big_import["old"]
    assert db_fingerprint(db) == big_import["new"]


def test_a_killed_ingest_leaves_the_old_or_the_new_history_never_a_mix(big_import, tmp_path):
    db = history_copy(big_import["base"], tmp_path / "data")
    old = file_state(db)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    outcomes = []
    for _ in range(6):
        if file_state(db) != old or db.with_name(db.name + ".wal").exists():
            shutil.copyfile(big_import["base"], db.with_name("restore"))
            db.with_name(db.name + ".wal").unlink(missing_ok=True)  # the log of the killed import
            os.replace(db.with_name("restore"), db)
            old = file_state(db)
        child = subprocess.Popen(
            [SLANB, "ingest", str(big_import["export"]), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, big_import["seconds"]))
        kill_tree(child)
        if file_state(db) == old:
            outcomes.append("old")
        else:  # written in place: DuckDB's log and its blocks may have moved, never the contents
            seen = db_fingerprint(db)
            assert seen in (big_import["old"], big_import["new"]), f"a mixed history (seed {seed})"
            outcomes.append("old" if seen == big_import["old"] else "new")
    assert "old" in outcomes, f"no kill landed before the swap (seed {seed}): {outcomes}"
    # the next import clears the working copies the killed ones left, and completes
    ingest(FIXTURES / "newer", db=db)
    assert siblings(db) == ["history.duckdb"]


def test_a_failed_copy_leaves_the_history_untouched_with_a_clear_error(
    clean_history, tmp_path, monkeypatch
):
    db = history_copy(clean_history, tmp_path / "data")
    before = file_state(db)

    def disk_full(src, dst, **kw):
        Path(dst).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    with (
        connect(db),  # held open here, so the import writes a copy
        pytest.raises(SlanbError, match=r"Cannot copy .* No space left on device\. An import "
                      r"writes a copy of the history in its folder"),
    ):  # fmt: skip
        ingest(FIXTURES / "newer", db=db)
    assert file_state(db) == before
    assert siblings(db) == ["history.duckdb"]


def test_a_write_ahead_log_left_by_a_crashed_writer_is_kept_by_the_next_import(
    clean_history, tmp_path
):
    db = history_copy(clean_history, tmp_path / "data")
    crash = (  # a program writing in place, killed before DuckDB moved its log into the file
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"set checkpoint_threshold = '1TB'\")\n"
        "con.execute(\"insert into reps values ('R9', 'Late Writer', null, null, null, null)\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(db)], check=True)
    assert siblings(db) == ["history.duckdb", "history.duckdb.wal"]
    ingest(FIXTURES / "newer", db=db)
    assert ("R9", "Late Writer", None, None, None, None) in contents(db)["reps"]
    assert siblings(db) == ["history.duckdb"]


def _publish_forever(out: Path) -> None:
    """Publish reports numbered 1, 2, … to ``out/2026-10`` with the real swap, until killed."""
    n = 0
    while True:
        n += 1
        tmp = Path(tempfile.mkdtemp(prefix=f".build-2026-10-{os.getpid()}-", dir=out))
        for name in ("01_step.html", "summary.json", "index.html"):  # index last, as the build
            (tmp / name).write_text(str(n))
        _files.swap_folder(tmp, out / "2026-10")


def test_a_report_killed_while_publishing_leaves_a_whole_report(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    generations = []
    for _ in range(15):
        pid = os.fork()
        if pid == 0:  # the child publishes until it is killed
            try:
                _publish_forever(out)
            finally:
                os._exit(1)
        folder = out / "2026-10"
        deadline = time.monotonic() + 30
        while not folder.exists() and time.monotonic() < deadline:  # a loaded machine forks slowly
            time.sleep(0.001)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert sorted(p.name for p in folder.iterdir()) == [
            "01_step.html", "index.html", "summary.json"
        ], f"seed {seed}"  # fmt: skip
        numbers = {p.read_text() for p in folder.iterdir()}
        assert len(numbers) == 1, f"pages of two runs in one report (seed {seed})"
        generations.append(int(numbers.pop()))
    assert max(generations) > 1
    _files.clear_leftovers(out)  # what the next run does first
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]


def test_without_an_atomic_exchange_the_next_run_puts_the_old_report_back(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    (out / "2026-10").mkdir(parents=True)
    (out / "2026-10" / "index.html").write_text("last good")
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    # a run of the fallback swap that died between its two renames
    os.rename(out / "2026-10", out / f".old-2026-10-{dead.pid}-1")
    (out / f".build-2026-10-{dead.pid}-x").mkdir()
    _files.clear_leftovers(out)
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]
    assert (out / "2026-10" / "index.html").read_text() == "last good"
    # and the fallback itself swaps whole folders
    monkeypatch.setattr(_files, "exchange", lambda a, b: False)
    tmp = out / ".build-2026-10-new"
    tmp.mkdir()
    (tmp / "index.html").write_text("new")
    _files.swap_folder(tmp, out / "2026-10")
    assert (out / "2026-10" / "index.html").read_text() == "new"
    assert sorted(p.name for p in out.iterdir()) == ["2026-10"]


@pytest.fixture(scope="module")
def small_history(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    return write_history(folder / "h.duckdb", tracking_example.tables(), exported_at="2026-06-01")


def test_a_killed_slanb_report_never_replaces_the_last_good_one(small_history, tmp_path):
    root = tmp_path / "root"  # a project with one quick notebook, so the run takes seconds
    tiny_notebooks(root / "notebooks")
    (root / "params").mkdir()
    (root / "params" / "default.yaml").write_text("lookback_months: 2\nmaturity_months: 1\n")
    out = tmp_path / "reports"
    good = out / "2026-04"
    good.mkdir(parents=True)
    (good / "index.html").write_text("last good")
    command = [SLANB, "report", "--db", str(small_history), "--month", "2026-04", "--out", str(out)]

    def run_until(ready) -> None:
        child = subprocess.Popen(
            command,
            env={**os.environ, "SLANB_ROOT": str(root)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while child.poll() is None and not ready() and time.monotonic() < deadline:
            time.sleep(0.002)
        kill_tree(child)

    def building() -> list[Path]:
        return list(out.glob(".build-2026-04-*"))

    run_until(lambda: bool(building()))  # killed while its notebooks run
    assert (good / "index.html").read_text() == "last good"
    [half_built] = building()  # beside the report, not in place of it
    assert half_built.name.startswith(".build-2026-04-")
    _files.clear_leftovers(out)  # what the next run does first
    assert sorted(p.name for p in out.iterdir()) == ["2026-04"]
    # (a kill at the moment of publishing: test_a_report_killed_while_publishing_leaves_…)


def test_a_report_whose_history_changed_while_it_was_built_is_not_published(
    small_history, tmp_path, monkeypatch
):
    db = history_copy(small_history, tmp_path / "data")
    out = tmp_path / "reports"
    (out / "2026-04").mkdir(parents=True)
    (out / "2026-04" / "index.html").write_text("last good")

    def notebooks_while_an_import_lands(books, tmp, params, **kw):
        shutil.copyfile(db, db.with_name("new"))
        os.replace(db.with_name("new"), db)  # what an import does
        return []

    monkeypatch.setattr(report, "_run_all", notebooks_while_an_import_lands)
    params = Params(db=str(db), month="2026-04", lookback_months=2, maturity_months=1)
    books = tiny_notebooks(tmp_path / "nbs")
    with pytest.raises(SlanbError, match="changed while the report was being built"):
        build_report(params, out=out, notebooks_dir=books, progress=lambda _: None)
    assert (out / "2026-04" / "index.html").read_text() == "last good"
    assert sorted(p.name for p in out.iterdir()) == ["2026-04"]


# ---- 3. concurrency -----------------------------------------------------------------------------
def test_an_open_analysis_connection_does_not_block_ingest(clean_history, tmp_path, monkeypatch):
    import slanb.store.ingest.write as module

    monkeypatch.setattr(module, "READERS_WAIT", 0.5)  # 10 s in use
    db = history_copy(clean_history, tmp_path / "data")
    kernel = Holder(db)
    try:
        assert kernel.leads() == 4
        started = time.monotonic()
        result = ingest(FIXTURES / "newer", db=db)  # waits READERS_WAIT, then writes a copy
        assert time.monotonic() - started >= 0.5  # it waited for the reader
        assert result.tables["leads"].inserted == 1
        assert result.notes[-1].startswith("Written into a copy of the history renamed over it")
        assert kernel.leads() == 4  # the open connection keeps reading the file it opened
        with connect(db) as con:  # every new connection sees the import
            assert con.sql("select count(*) from leads").fetchall() == [(5,)]
    finally:
        kernel.close()


def test_an_import_waits_for_a_reader_to_close_then_writes_in_place(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    inode = db.stat().st_ino
    kernel = Holder(db)  # an analysis that ends a moment after the import starts
    closer = threading.Timer(1.0, kernel.close)
    closer.start()
    try:
        started = time.monotonic()
        result = ingest(FIXTURES / "newer", db=db)
        waited = time.monotonic() - started
    finally:
        closer.join()
    assert waited >= 0.9  # it waited for the reader to close, and then wrote in place:
    assert result.notes[-1] == "Written in place, in one transaction."
    assert db.stat().st_ino == inode  # the same file, not a copy renamed over it
    with connect(db) as con:
        assert con.sql("select count(*) from leads").fetchall() == [(5,)]
    assert siblings(db) == ["history.duckdb"]


def test_a_reader_arriving_while_an_import_writes_waits_for_it(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    writer = subprocess.Popen(  # an import in its write phase: the gate held, the file written
        [sys.executable, "-c",
         "import sys, time\nfrom pathlib import Path\nimport duckdb\n"
         "from slanb.store.db import import_gate\n"
         "with import_gate(Path(sys.argv[1])):\n"
         "    con = duckdb.connect(sys.argv[1])\n"
         "    con.execute(\"insert into reps values ('R9', 'New', null, null, null, null)\")\n"
         "    print('writing', flush=True)\n    time.sleep(1.0)\n    con.close()\n",
         str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout and writer.stdout.readline() == "writing\n"
        started = time.monotonic()
        with connect(db) as con:  # waits at the gate instead of failing on DuckDB's lock
            reps = con.sql("select rep_id from reps where rep_id = 'R9'").fetchall()
        assert time.monotonic() - started >= 0.5
        assert reps == [("R9",)]  # the history after the write, never during it
    finally:
        assert writer.wait(timeout=30) == 0


def test_a_reader_waits_for_an_import_at_most_import_wait(clean_history, tmp_path, monkeypatch):
    import slanb.store.db as module

    db = history_copy(clean_history, tmp_path / "data")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom pathlib import Path\nfrom slanb.store.db import import_gate\n"
         "with import_gate(Path(sys.argv[1])):\n"
         "    print('held', flush=True)\n    sys.stdin.readline()\n",
         str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout and holder.stdout.readline() == "held\n"
        monkeypatch.setattr(module, "IMPORT_WAIT", 0.3)
        with pytest.raises(SlanbError) as caught, connect(db):
            pass
        assert str(caught.value) == (
            f"Cannot open {db}: an import has been writing it for over 0s. Wait for `slanb "
            "ingest` to finish and try again."
        )
    finally:
        assert holder.stdin
        holder.stdin.close()
        holder.wait(timeout=10)


def test_a_writing_connection_elsewhere_is_a_clear_error_for_analysis_and_ingest(
    clean_history, tmp_path, capsys
):
    db = history_copy(clean_history, tmp_path / "data")
    writer = Holder(db, read_only=False)
    try:
        with (
            pytest.raises(SlanbError, match=r"another program has it open for writing .* Close "
                          r"that connection, or open the file read-only"),
            connect(db),
        ):  # fmt: skip
            pass
        assert cli.main(["summary", "--db", str(db)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("slanb summary: error: Cannot open") and err.count("\n") == 1
        with pytest.raises(SlanbError, match="another program has it open for writing"):
            ingest(FIXTURES / "newer", db=db)
    finally:
        writer.close()


def test_two_imports_at_once_run_one_after_the_other(clean_history, tmp_path, monkeypatch):
    import slanb.store.ingest.write as module

    db = history_copy(clean_history, tmp_path / "data")
    holder = subprocess.Popen(  # another import holding the folder's writer lock
        [sys.executable, "-c",
         "import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\nsys.stdin.readline()",
         str(db.parent)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout and holder.stdout.readline() == "locked\n"
        monkeypatch.setattr(module, "LOCK_TIMEOUT", 0.2)
        with pytest.raises(SlanbError, match=r"Another `slanb ingest` has been writing in .* for "
                           r"over 0s\. Wait for it to finish"):  # fmt: skip
            ingest(FIXTURES / "newer", db=db)
    finally:
        assert holder.stdin
        holder.stdin.close()
        holder.wait(timeout=10)
    assert ingest(FIXTURES / "newer", db=db).tables["leads"].inserted == 1  # once it is done


# ---- 4 and 5. hostile text and privacy, end to end ----------------------------------------------
SCRIPT = '<script>alert("rep")</script>'
SQL_AND_QUOTES = 'Robert\'); DROP TABLE leads; -- " onmouseover="alert(2)'
BREAKOUT = "</script><script>alert(3)</script>" + "x" * 10_000
SOURCE = "<img src=x onerror=alert(4)>"
HOSTILE_REPS = {"R1": SCRIPT, "R2": SQL_AND_QUOTES, "R3": BREAKOUT}


def _hostile_export(folder: Path) -> Path:
    """tracking_example as a CRM export: hostile rep and source names, personal columns."""
    folder.mkdir()
    columns = {
        "leads": ["lead_id", "created_at", "mql_at", "sql_at", "owner_id", "intent", "fit",
                  "source", "email", "phone", "full_name"],
        "activities": ["activity_id", "lead_id", "rep_id", "kind", "occurred_at"],
        "deals": ["deal_id", "lead_id", "created_at", "closed_at", "stage", "amount"],
        "reps": ["rep_id", "name", "team", "start_date", "end_date", "email"],
    }  # fmt: skip
    tables = tracking_example.tables()
    for i, lead in enumerate(tables["leads"]):
        lead.update(
            source=SOURCE if i % 2 else "'; select * from reps; --",
            email=f"buyer{i}@customer.example",
            phone=f"+1 555 01{i:02d}",
            full_name=f"Person Number{i}",
        )
    for rep in tables["reps"]:
        rep.update(name=HOSTILE_REPS.get(rep["rep_id"], rep["name"]), email="rep@vendor.example")
    for table, names in columns.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(names)
            for row in tables.get(table, []):
                writer.writerow(["" if row.get(c) is None else row[c] for c in names])
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """The hostile export imported, then the report built while an analyst holds the file open."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "history.duckdb"
    ingest(_hostile_export(folder / "export"), db=db)
    kernel = Holder(db)
    try:
        before = kernel.leads()
        params = Params(
            db=str(db),
            month="2026-04",
            lookback_months=2,
            maturity_months=1,
            revenue_goal=15000,
            marketing_share=1.0,
        )
        result = build_report(params, out=folder / "reports", progress=lambda _: None, workers=3)
        after = kernel.leads()
    finally:
        kernel.close()
    return {"db": db, "result": result, "reads": (before, after), "folder": folder}


def test_a_report_builds_while_an_analyst_holds_the_history_open(hostile):
    assert hostile["reads"] == (len(tracking_example.tables()["leads"]),) * 2
    assert [r.status for r in hostile["result"].notebooks] == ["ok"] * len(
        hostile["result"].notebooks
    )
    # and it wrote only its month under --out: nothing beside the history, no temporary folder
    assert sorted(p.name for p in hostile["folder"].iterdir()) == [
        "export", "history.duckdb", "reports"
    ]  # fmt: skip
    assert sorted(p.name for p in (hostile["folder"] / "reports").iterdir()) == ["2026-04"]


def test_hostile_names_are_stored_exactly_and_run_no_sql(hostile):
    with connect(hostile["db"]) as con:
        reps = dict(con.sql("select rep_id, name from reps").fetchall())
        sources = {r[0] for r in con.sql("select distinct source from leads").fetchall()}
        assert con.sql("select count(*) from leads").fetchall()[0][0] > 0  # no table dropped
    assert reps == HOSTILE_REPS
    assert sources == {SOURCE, "'; select * from reps; --"}


class _Tags(HTMLParser):
    """Every attribute of every tag in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def _escaped(name: str, text: str) -> bool:
    return html.escape(name) in text or html.escape(name, quote=False) in text


def test_hostile_names_reach_every_page_escaped(hostile):
    folder = hostile["result"].folder
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == len(hostile["result"].notebooks) + 1  # and index.html
    shown = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for raw in ("<script>alert(", "<img src=x", "</script><script>"):
            assert raw not in text, (page.name, raw)  # no tag the data brought
        tags = _Tags()
        tags.feed(text)
        for tag, name, value in tags.attributes:  # no attribute the data brought
            assert name not in ("onmouseover", "onerror"), (page.name, tag, name)
            assert "alert(" not in value, (page.name, tag, name)
        shown |= {page.name for name in HOSTILE_REPS.values() if _escaped(name, text)}
    assert "04_goal_backsolve.html" in shown  # the reps table names them
    backsolve = (folder / "04_goal_backsolve.html").read_text(encoding="utf-8")
    assert all(_escaped(name, backsolve) for name in HOSTILE_REPS.values())  # 10k chars too
    for book in folder.glob("*.ipynb"):  # the executed notebooks beside the pages
        for cell in nbformat.read(book, as_version=4).cells:
            for output in cell.get("outputs", []):
                assert "<script>alert(" not in output.get("data", {}).get("text/html", "")


def test_a_chart_cannot_close_the_script_it_is_embedded_in():
    assert charts.MONEY and theme.THEME  # importing slanb.views.charts enables the renderer
    chart = alt.Chart(pl.DataFrame({"rep": [BREAKOUT[:40]], "mqls": [3]}))
    page = chart.mark_bar().encode(x="mqls:Q", y="rep:N")._repr_mimebundle_()["text/html"]
    assert "</script><script>alert(3)" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(3)" in page


def test_no_personal_column_reaches_the_history_or_any_report_file(hostile):
    with connect(hostile["db"]) as con:
        columns = con.sql(
            "select table_name, column_name from information_schema.columns "
            "where table_name in ('leads', 'activities', 'deals', 'reps')"
        ).fetchall()
        text = con.sql("select string_agg(cast(l as varchar), '|') from leads as l").fetchall()[0][
            0
        ]
    assert not {c for _, c in columns} & {"email", "phone", "full_name"}
    assert "@" not in text
    files = [p for p in hostile["result"].folder.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"index.html", "summary.json"}
    for file in files:
        text = file.read_text(encoding="utf-8")
        for personal in ("customer.example", "vendor.example", "+1 555", "Person Number"):
            assert personal not in text, (file.name, personal)
    summary = json.loads(hostile["result"].summary.read_text(encoding="utf-8"))
    assert summary["goal"]["mqls"] == 53  # aggregates


def test_the_dashboard_lists_lead_ids_only(hostile, tmp_path, capsys):
    params_file = tmp_path / "params.yaml"
    params_file.write_text("revenue_goal: 15000\nmarketing_share: 1.0\nlookback_months: 2\n"
                           "maturity_months: 1\n")  # fmt: skip
    args = ["dashboard", "--params", str(params_file), "--month", "2026-04"]
    assert cli.main([*args, "--db", str(hostile["db"])]) == 0
    out = capsys.readouterr().out
    rows = out.split("  Leads\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(rows) == 3  # two reps and the unassigned leads
    with connect(hostile["db"]) as con:
        ids = {r[0] for r in con.sql("select lead_id from leads").fetchall()}
    for row in rows:
        listed = re.search(r"\s\d+\s+\d+  (\S.*)$", row)
        assert listed, row
        assert set(listed[1].split(" … ")[0].split(", ")) <= ids, row
    assert "@" not in out


# ---- 4. parameters reach SQL only as bound values -----------------------------------------------
# Functions that build SQL text, each because it only splices identifiers or its own constants:
DYNAMIC_SQL = {
    # the data contract's table and column names, and fixed messages; file paths are $path
    ("store/ingest/read.py", "_stage_csv"),
    ("store/ingest/read.py", "_create_stage"),
    ("store/ingest/checks.py", "_validate"),
    ("store/ingest/write.py", "_upsert"),
    # the contract's own table and column names (write._EVENTS), no value from the export
    ("store/ingest/write.py", "_newest"),
    # a temporary table's name and a query from slanb/sql
    ("store/demo.py", "_stage"),
    # CRM sources: columns are spliced as cN positions (never header text), mapping values as
    # quoted literals (checks._sql_text doubles quotes); file paths are $path, ids $r
    # (tests/store/test_sources_hubspot.py::test_a_hostile_mapping_value_is_only_a_value)
    ("store/sources/hubspot.py", "_prepare_contacts"),
    ("store/sources/hubspot.py", "_rep_names"),
    ("store/sources/hubspot.py", "_stage_activities"),
    ("store/sources/hubspot.py", "_stage_deals"),
    ("store/sources/hubspot.py", "_stage_leads"),
    ("store/sources/raw.py", "check"),
    ("store/sources/raw.py", "locate"),
    ("store/sources/raw.py", "prepare"),
    ("store/sources/raw.py", "read_raw"),
    ("store/sources/raw.py", "stage"),
    ("store/sources/salesforce.py", "_prepare_people"),
    ("store/sources/salesforce.py", "_stage_activities"),
    ("store/sources/salesforce.py", "_stage_deals"),
    ("store/sources/salesforce.py", "_stage_leads"),
    ("store/sources/salesforce.py", "_users"),
    ("store/sources/hubspot_api.py", "_conversion_at_mql"),
    ("store/sources/hubspot_api.py", "_drop_gone"),
    ("store/sources/hubspot_api.py", "_owners"),
    ("store/sources/hubspot_api.py", "_prepare_contacts"),
    ("store/sources/raw.py", "stage_reps"),
    # a Parquet file's column names, as quoted identifiers (quotes doubled), read as text
    ("store/sources/raw.py", "_read_parquet"),
    ("store/sources/salesforce_report.py", "translate"),
    # a table named from the time zone (letters and digits only); the zone itself is $zone
    ("store/sources/raw.py", "tz_days"),
    # "create or replace temp table working_calendar as " + a query from slanb/sql, values bound
    ("engine/calendar.py", "build_calendar"),
    # contract/read_v*_as_v3.sql with the catalog's own name (current_database()), quoted
    ("store/db.py", "_read_as_current"),
    # "create or replace temp table slanb_lead_segments as " + plan/lead_segments.sql, bound values
    ("engine/segments.py", "memberships"),
    # the segment's temporary views: the module's constant view name and the catalog's own name,
    # quoted; the segment itself is a bound value
    ("engine/segments.py", "scoped"),
}
_SQL_METHODS = {"sql", "execute", "executemany", "query"}


def _is_constant_sql(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):  # load_sql("name"), db.load_sql("name")
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "load_sql"  # a query shipped in slanb/sql
    return False


def test_parameters_reach_sql_only_as_bound_values():
    dynamic = set()
    for path in sorted((ROOT / "slanb").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT / "slanb").as_posix()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for call in ast.walk(func):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in _SQL_METHODS
                    and call.args
                    and not _is_constant_sql(call.args[0])
                ):
                    dynamic.add((where, func.name))
    assert dynamic == DYNAMIC_SQL


def test_a_hostile_parquet_column_name_is_only_an_ignored_identifier(clean_history, tmp_path):
    db = history_copy(clean_history, tmp_path / "data")
    folder = overlay(tmp_path, "header_only")
    evil = 'x" from leads; drop table leads; --'
    frame = pl.read_csv(folder / "reps.csv").with_columns(pl.lit("boo").alias(evil))
    frame.write_parquet(folder / "reps.parquet")
    (folder / "reps.csv").unlink()
    result = ingest(folder, db=db)
    assert result.ignored_columns == {"leads.csv": ("hubspot_score",), "activities.csv": ("notes",),
                                      "reps.parquet": (evil,)}  # fmt: skip
    assert contents(db) == contents(clean_history)


# ---- 4. paths stay in the folder the user named -------------------------------------------------
def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("month", ["../../etc", "2026-10/../../x", "..", "/tmp/2026-10"])
def test_a_month_that_is_not_yyyy_mm_writes_nothing(month, small_history, tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    before = _tree(tmp_path)
    args = ["report", "--db", str(small_history), "--out", str(work / "out"), "--month", month]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err == (
        "slanb report: error: command line: parameter month must be a month written YYYY-MM "
        f"(e.g. 2026-10), got {month!r}\n"
    )
    assert _tree(tmp_path) == before


def test_a_month_with_a_trailing_newline_is_refused():
    from slanb.months import parse_month

    with pytest.raises(SlanbError):
        parse_month("2026-10\n")


def test_ingest_writes_only_the_history_it_was_given(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    before = _tree(tmp_path)
    assert cli.main(["ingest", str(FIXTURES / "export"), "--db", str(data / "h.duckdb")]) == 0
    assert _tree(tmp_path) == sorted([*before, "data/h.duckdb"])


def test_an_out_folder_that_cannot_be_made_is_a_one_line_error(small_history, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    args = ["report", "--db", str(small_history), "--month", "2026-04", "--out", str(blocker / "x")]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err == (
        f"slanb report: error: Cannot write the report into {blocker / 'x'}: Not a directory. "
        "Give --out (or out) a folder you can write to.\n"
    )


# ---- 6. clear errors ----------------------------------------------------------------------------
@pytest.fixture
def other_version(tmp_path) -> Path:
    db = tmp_path / "v4.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table slanb_meta (key varchar, value varchar)")
    con.execute("insert into slanb_meta values ('schema_version', '4')")
    con.close()
    return db


def _clear_error_cases(tmp_path: Path, small: Path, other: Path) -> list[tuple[list[str], str]]:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("revenue_goal: 1000\nrevenu_goal: 2000\n")
    missing = tmp_path / "missing.duckdb"
    return [
        (["plan", "--db", str(missing)], f"No history database at {missing}. Create the demo one "
         f"with `slanb demo --db {missing}`, or import your CRM export with `slanb ingest "
         f"EXPORT_DIR --db {missing}`."),
        (["plan", "--db", str(other)], f"{other} has schema version 4, this slanb reads versions "
         "1, 2, 3. "
         "Re-create it with `slanb ingest` from your export (or `slanb demo`)."),
        (["plan", "--db", str(small), "--params", str(tmp_path / "nope.yaml")],
         f"No params file at {tmp_path / 'nope.yaml'}. Copy params/default.yaml and edit it."),
        (["plan", "--db", str(small), "--params", str(unknown)],
         f"{unknown}: unknown parameter(s) revenu_goal. Known parameters: db, month,"),
        (["summary", "--db", str(tmp_path)], f"{tmp_path} is a folder; --db (or the db parameter) "
         "must name a DuckDB file."),
    ]  # fmt: skip


def test_each_error_is_one_line_saying_what_to_do_exit_1_no_traceback(
    small_history, other_version, tmp_path, capsys
):
    for argv, message in _clear_error_cases(tmp_path, small_history, other_version):
        assert cli.main(argv) == 1, argv
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(f"slanb {argv[0]}: error: {message}"), captured.err
        assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(SlanbError, match="No history database"):
        cli.main(["--debug", "plan", "--db", str(tmp_path / "missing.duckdb")])


def test_the_installed_command_prints_one_line_and_exits_1(tmp_path):
    missing = tmp_path / "missing.duckdb"
    run = subprocess.run(
        [SLANB, "plan", "--db", str(missing)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith(f"slanb plan: error: No history database at {missing}.")
    assert run.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2030-01", "- The history is complete only up to 2026-06-01 00:00 UTC: 2029-01, 2029-02"),
        ("2000-01", "- Only 0 month(s) of MQL volume before 2000-01: the trailing 3-month average"),
    ],
)
def test_a_month_outside_the_history_is_planned_with_a_plain_message(
    month, says, small_history, capsys
):
    # Decided (docs/reliability.md): not an error; no number is made up for months the history
    # does not hold, and the plan says why and what to do.
    assert cli.main(["plan", "--db", str(small_history), "--month", month]) == 0
    out = capsys.readouterr().out
    assert f"No MQL goal can be set for {month_label(month)}: see the messages below" in out
    assert says in out
