"""The commitments ledger: append-only JSONL, refused whole when edited by hand (the line named)."""

from __future__ import annotations

import json

import pytest

from slanb.errors import SlanbError
from slanb.store.ledger import append, read_ledger

LINE = {
    "month": "2026-01",
    "committed_at": "2026-01-01T08:00:00Z",
    "by": "ana",
    "reason": None,
    "goal_mqls": 750,
    "lead_value_goal": 75000.0,
    "revenue_per_mql": 100.0,
    "buckets": [{"intent": "hand_raiser", "fit": "A", "lead_value": 3000.0}],
    "revenue_goal": 100000.0,
    "marketing_share": 0.75,
    "revenue_target": 75000.0,
    "terms": {
        "first_touch_hours": 24.0,
        "first_touch_kinds": ["call", "email"],
        "cadence_days": 14,
        "cadence_calls": 5,
        "cadence_kinds": ["call"],
    },
    "params": {},
    "history": {"digest": "abc"},
}


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "acme.ledger.jsonl"
    append(path, LINE, amend=False)
    append(path, {**LINE, "month": "2026-02"}, amend=False)
    append(path, {**LINE, "goal_mqls": 800, "reason": "re-scored"}, amend=True)
    return path


def test_versions_are_kept_in_order(ledger):
    read = read_ledger(ledger)
    assert [(c.month, c.version, c.goal_mqls) for c in read.entries] == [
        ("2026-01", 1, 750),
        ("2026-02", 1, 750),
        ("2026-01", 2, 800),
    ]
    current = read.current("2026-01")
    assert (current.version, current.first.goal_mqls, current.amended) == (2, 750, True)
    assert read.current("2026-03") is None


def test_a_missing_ledger_is_empty(tmp_path):
    assert read_ledger(tmp_path / "none.jsonl").entries == ()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: [lines[0].replace('"goal_mqls":750', '"goal_mqls":700'), *lines[1:]],
         r"line 1: the digest does not match"),
        (lambda lines: [lines[0], lines[2]], r"line 2: the digest does not match"),
        (lambda lines: [*lines[:2], "{not json"], r"line 3: not a JSON object"),
        (lambda lines: [lines[0], json.dumps({"month": "2026-02"})], r"line 2: missing field"),
    ],
    ids=["number edited", "line removed", "broken JSON", "fields missing"],
)  # fmt: skip
def test_a_hand_broken_ledger_is_refused_naming_the_line(ledger, edit, message):
    lines = ledger.read_text("utf-8").splitlines()
    ledger.write_text("\n".join(edit(lines)) + "\n", "utf-8")
    with pytest.raises(SlanbError, match=message) as err:
        read_ledger(ledger)
    assert str(ledger) in str(err.value) and "--amend" in str(err.value)


def test_committing_twice_or_amending_without_a_reason_is_refused(ledger):
    with pytest.raises(SlanbError, match="committed already"):
        append(ledger, LINE, amend=False)
    with pytest.raises(SlanbError, match="needs a reason"):
        append(ledger, LINE, amend=True)
    with pytest.raises(SlanbError, match="no commitment .* to amend"):
        append(ledger, {**LINE, "month": "2026-05", "reason": "x"}, amend=True)
    assert len(ledger.read_text("utf-8").splitlines()) == 3  # nothing written
