"""Revenue per MQL, the 2×3 lead-value matrix and the reverse funnel on tests/fixtures/matrix_example."""

from __future__ import annotations

import pytest

from slanb.params import Params
from tests.conftest import plan
from tests.fixtures import matrix_example


@pytest.fixture
def small(history):
    path = history(matrix_example.tables(), exported_at="2026-05-01 00:00:00")
    return plan(
        Params(
            db=str(path),
            month="2026-04",
            lookback_months=2,
            maturity_months=1,
            revenue_goal=6100,
            marketing_share=1.0,
        )
    )


def test_revenue_per_mql(small):
    r = small.revenue_per_mql
    assert (r.window_start, r.window_end, r.excluded_months) == ("2026-01", "2026-02", ("2026-03",))
    assert (r.mqls, r.won_leads, r.won_deals, r.revenue, r.value) == (10, 4, 5, 6100.0, 610.0)
    curve = {row["month"]: row for row in r.by_month.to_dicts()}
    assert (curve["2026-01"]["mqls"], curve["2026-01"]["revenue"]) == (7, 6100.0)
    assert (curve["2026-02"]["mqls"], curve["2026-02"]["revenue"], curve["2026-02"]["value"]) == (
        3,
        0.0,
        0.0,
    )
    assert curve["2026-03"] == {
        "month": "2026-03",
        "mqls": 1,
        "revenue": 5000.0,
        "value": 5000.0,
        "in_sample": False,
    }


def test_lead_value_matrix(small):
    rows = {(r["intent"], r["fit"]): r for r in small.matrix.to_dicts()}
    assert list(rows) == [
        ("hand_raiser", "A"), ("hand_raiser", "B"), ("hand_raiser", "C"),
        ("other", "A"), ("other", "B"), ("other", "C"), ("unknown", "unknown"),
    ]  # fmt: skip
    assert rows["hand_raiser", "A"] == {
        "intent": "hand_raiser", "fit": "A", "mqls": 3, "won_leads": 2, "won_deals": 3, "revenue": 4500.0,
        "close_rate": 0.6667, "avg_won_amount": 1500.0, "lead_value": 1500.0, "flagged": False,
    }  # fmt: skip
    assert rows["other", "A"]["revenue"] == 1000.0  # O1's deal closed after the cutoff
    assert (rows["other", "A"]["close_rate"], rows["other", "A"]["lead_value"]) == (0.25, 250.0)
    assert rows["other", "B"]["lead_value"] == 0.0 and rows["other", "B"]["avg_won_amount"] is None
    assert rows["other", "B"]["close_rate"] == 0.0 and not rows["other", "B"]["flagged"]
    assert (rows["unknown", "unknown"]["mqls"], rows["unknown", "unknown"]["lead_value"]) == (
        2,
        300.0,
    )
    for empty in [("hand_raiser", "B"), ("hand_raiser", "C"), ("other", "C")]:
        assert (
            rows[empty]["flagged"]
            and rows[empty]["lead_value"] == 610.0
            and rows[empty]["mqls"] == 0
        )
    assert sum(r["revenue"] for r in rows.values()) == small.revenue_per_mql.revenue


def test_reverse_funnel(small):
    stages = {r["stage"]: (r["count"], r["rate"]) for r in small.funnel.stages.to_dicts()}
    assert stages == {
        "mqls": (10, 1.0),
        "contacted": (2, 0.2),
        "reached_sql": (2, 0.2),
        "got_deal": (6, 0.6),
        "won_leads": (4, 0.4),
    }
    assert small.goal.mqls == 10 and small.goal.mqls_per_rep == 10.0
    per_rep = {r["stage"]: r["count"] for r in small.funnel.per_rep.to_dicts()}
    assert per_rep == {
        "mqls": 10.0,
        "contacted": 2.0,
        "reached_sql": 2.0,
        "got_deal": 6.0,
        "won_leads": 4.0,
    }


def test_touch_kinds_follow_the_parameter(history):
    path = history(matrix_example.tables(), exported_at="2026-05-01 00:00:00")
    p = plan(
        Params(
            db=str(path),
            month="2026-04",
            lookback_months=2,
            maturity_months=1,
            first_touch_kinds=("call",),
        )
    )
    stages = {r["stage"]: r["count"] for r in p.funnel.stages.to_dicts()}
    assert stages["contacted"] == 1  # H2's email no longer counts
