"""The month handed over by ``slanb report`` to its kernels: used only for the same params and files.

Each test writes the worked example's month (docs/metrics.md: 750 MQLs at $100 per MQL) as a
handover with ``seconds`` set to 123.0, a value no computation gives, so a result that carries it
was handed over and one that does not was computed afresh.
"""

from __future__ import annotations

import dataclasses
import os
import shutil

import pytest

from slanb.engine.month import compute
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.store import handover
from tests.fixtures import worked_example

HANDED = 123.0


@pytest.fixture
def worked(history, tmp_path, monkeypatch):
    """The worked example's history, its params, and its month handed over in $SLANB_HANDOVER."""
    db = history(worked_example.tables(), exported_at="2026-11-01 00:00:00")
    params = Params(db=str(db), month="2026-10")
    sla = dataclasses.replace(compute(params), seconds=HANDED)
    path = handover.write(tmp_path / "handover.pickle", sla, key=handover.fingerprint(params))
    monkeypatch.setenv(handover.ENV, str(path))
    return db, params, path


def test_the_same_params_on_the_same_files_take_the_handed_over_month(worked):
    _, params, _ = worked
    sla = compute(params)
    assert sla.seconds == HANDED
    assert sla.plan.goal.mqls == 750
    # the same values however they are spelt: a notebook's params come from its variables
    again = Params.from_mapping(params.notebook_parameters(), source="notebook parameters")
    assert compute(again).seconds == HANDED


def test_other_params_are_computed_afresh(worked):
    """marketing_share 0.5: target $100,000 × 50% = $50,000, goal $50,000 ÷ $100 = 500 MQLs."""
    _, params, _ = worked
    sla = compute(params.replace(marketing_share=0.5))
    assert sla.seconds != HANDED
    assert sla.plan.goal.mqls == 500
    assert compute(params.replace(as_of="2026-10-15 00:00:00")).seconds != HANDED
    assert compute(params, in_progress=True).seconds != HANDED


def test_a_history_imported_since_is_computed_afresh(worked):
    """An import replaces the file (a new inode): the handed-over month may be stale."""
    db, params, _ = worked
    shutil.copyfile(db, db.with_name("new.duckdb"))
    os.replace(db.with_name("new.duckdb"), db)
    sla = compute(params)
    assert sla.seconds != HANDED
    assert sla.plan.goal.mqls == 750


def test_a_history_written_in_place_since_is_computed_afresh(worked):
    db, params, _ = worked
    st = db.stat()
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert compute(params).seconds != HANDED


def test_a_ledger_changed_since_changes_the_key(worked, tmp_path):
    _, params, _ = worked
    ledger = tmp_path / "acme.ledger.jsonl"
    with_ledger = params.replace(ledger=str(ledger))
    before = handover.fingerprint(with_ledger)
    ledger.write_text("", "utf-8")
    created = handover.fingerprint(with_ledger)
    ledger.write_text('{"month": "2026-10"}\n', "utf-8")
    assert len({before, created, handover.fingerprint(with_ledger)}) == 3
    assert handover.fingerprint(params) != before


def test_no_handover_or_a_finished_report_computes(worked, monkeypatch):
    _, params, path = worked
    path.unlink()  # the report that wrote it is done: its build folder is gone
    assert compute(params).seconds != HANDED
    monkeypatch.delenv(handover.ENV)
    assert handover.read(params) is None
    monkeypatch.setenv(handover.ENV, "")
    assert handover.read(params) is None


def test_a_file_that_is_not_a_handover_is_refused(worked):
    _, params, path = worked
    path.write_bytes(b"not a handover\n")
    with pytest.raises(SlanbError, match=rf"\$SLANB_HANDOVER names {path}, which is not a result"):
        compute(params)
