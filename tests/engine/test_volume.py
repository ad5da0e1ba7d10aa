from __future__ import annotations

import pytest

from slanb.engine.volume import slope
from slanb.params import Params
from tests.conftest import plan


def test_slope():
    assert slope([10, 12, 14]) == 2.0
    assert slope([5, 5, 5, 5]) == 0.0
    assert slope([3, 1]) == -2.0
    assert slope([7]) is None


def test_months_with_no_mqls_are_zero_and_splits_add_up(history):
    leads = [
        {"lead_id": "a", "created_at": "2026-05-01T00:00:00", "mql_at": "2026-05-02T00:00:00", "intent": "hand_raiser", "fit": "A"},
        {"lead_id": "b", "created_at": "2026-05-01T00:00:00", "mql_at": "2026-07-31T23:59:59", "intent": "other", "fit": "A"},
        {"lead_id": "c", "created_at": "2026-05-01T00:00:00", "mql_at": "2026-08-01T00:00:00", "intent": "other"},
        {"lead_id": "d", "created_at": "2026-05-01T00:00:00", "mql_at": "2026-10-01T00:00:00"},  # in M: not history
        {"lead_id": "e", "created_at": "2026-05-01T00:00:00"},  # never an MQL
    ]  # fmt: skip
    path = history({"leads": leads}, exported_at="2026-11-01 00:00:00")
    v = plan(Params(db=str(path))).volume
    assert v.months.select("month", "mqls").rows() == [
        ("2026-05", 1), ("2026-06", 0), ("2026-07", 1), ("2026-08", 1), ("2026-09", 0),
    ]  # fmt: skip
    assert v.trailing_3_avg == pytest.approx(2 / 3)
    assert v.trailing_12_avg is None
    assert v.trend_per_month == pytest.approx(slope([1, 0, 1, 1, 0]))
    assert v.historical_max == 1
    assert sorted(v.by_intent.rows()) == [
        ("2026-05", "hand_raiser", 1),
        ("2026-07", "other", 1),
        ("2026-08", "other", 1),
    ]
    assert sorted(v.by_fit.rows()) == [
        ("2026-05", "A", 1),
        ("2026-07", "A", 1),
        ("2026-08", "unknown", 1),
    ]
    units = {r["unit"]: r for r in v.units.to_dicts()}
    assert units["leads"]["per_month"] == round(5 / 12, 1)  # created_at in the 12 months before M


def test_months_past_the_export_are_unknown_not_zero(history):
    leads = [
        {
            "lead_id": f"L{m}",
            "created_at": f"2026-{m:02d}-01T00:00:00",
            "mql_at": f"2026-{m:02d}-02T00:00:00",
        }
        for m in range(1, 11)
    ]
    path = history({"leads": leads}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path), month="2026-12"))
    assert p.volume.months["month"].to_list()[-1] == "2026-10"  # November is not known yet
    assert p.volume.trailing_3_avg is None and p.cross_check.verdict is None
    assert p.messages[0].startswith(
        "The history is complete only up to 2026-11-01 00:00 UTC: 2026-11 is left out of the volume"
    )
    assert plan(Params(db=str(path), month="2026-11")).volume.trailing_3_avg == 1.0
