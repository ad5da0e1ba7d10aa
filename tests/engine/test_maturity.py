"""Time to close on a hand-built history with censored cohorts (docs/metrics.md, "Time to close")."""

from __future__ import annotations

import pytest

from slanb.params import Params
from tests.conftest import plan


def _lead(lead_id: str, mql_at: str) -> dict:
    return {
        "lead_id": lead_id,
        "created_at": mql_at,
        "mql_at": mql_at,
        "intent": "other",
        "fit": "A",
    }


def _won(deal_id: str, lead_id: str, closed_at: str, amount: float) -> dict:
    return {
        "deal_id": deal_id,
        "lead_id": lead_id,
        "created_at": closed_at,
        "closed_at": closed_at,
        "stage": "won",
        "amount": amount,
    }


def history_tables() -> dict:
    """SLA month 2026-04, lookback 2, maturity 1: cohorts January, February, March 2026.

    January (4 MQLs, watched through lag 2 = March): J1 wins $100 in January (lag 0) and $300 in
    March (lag 2); J2 wins $200 in February (lag 1); J3, J4 nothing.
    February (2 MQLs, watched through lag 1): F1 wins $100 in March (lag 1); F2 wins $500 in April,
    at the cutoff: censored, not counted.
    March (2 MQLs, watched through lag 0): M1 wins $50 in March (lag 0); M2 open.

    rate(0) = ($100 + $50) ÷ 8 MQLs = 18.75; rate(1) = ($200 + $100) ÷ 6 = 50; rate(2) = $300 ÷ 4 = 75.
    Eventual = 143.75. Shares: 18.75/143.75 = 0.1304; 68.75/143.75 = 0.4783; 1.
    Won leads (first win): lag 0 J1, M1 → 2/8 = 0.25; lag 1 J2, F1 → 2/6 = 0.3333; lag 2 none →
    0.5833 in all: shares 0.4286, 1.0, 1.0.
    The sample's last month is February (lag 1 watched): 47.83% mature. 90% is reached at lag 2.
    A naive read that counts young cohorts' missing revenue as lost would weigh lag 2 by 8 MQLs,
    not 4 (75 → 37.5), and claim 57% by lag 1.
    """
    leads = [
        _lead("J1", "2026-01-05T00:00:00"),
        _lead("J2", "2026-01-10T00:00:00"),
        _lead("J3", "2026-01-15T00:00:00"),
        _lead("J4", "2026-01-20T00:00:00"),
        _lead("F1", "2026-02-05T00:00:00"),
        _lead("F2", "2026-02-06T00:00:00"),
        _lead("M1", "2026-03-02T00:00:00"),
        _lead("M2", "2026-03-03T00:00:00"),
    ]
    deals = [
        _won("D1", "J1", "2026-01-20T00:00:00", 100),
        _won("D2", "J1", "2026-03-10T00:00:00", 300),
        _won("D3", "J2", "2026-02-10T00:00:00", 200),
        _won("D4", "F1", "2026-03-31T23:59:59", 100),
        _won("D5", "F2", "2026-04-01T00:00:00", 500),
        _won("D6", "M1", "2026-03-20T00:00:00", 50),
    ]
    reps = [{"rep_id": "R1", "name": "Ada Park"}]
    return {"leads": leads, "deals": deals, "reps": reps}


@pytest.fixture
def mature(history):
    path = history(history_tables(), exported_at="2026-05-01 00:00:00")
    return plan(
        Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1)
    ).maturity


def test_a_cohort_curve_with_censored_leads(mature):
    rows = mature.curve.to_dicts()
    assert [(r["lag"], r["cohorts"], r["mqls"], r["revenue"], r["won_leads"]) for r in rows] == [
        (0, 3, 8, 150.0, 2),
        (1, 2, 6, 300.0, 2),
        (2, 1, 4, 300.0, 0),
    ]
    assert mature.curve["revenue_share"].to_list() == [0.1304, 0.4783, 1.0]
    assert mature.curve["won_share"].to_list() == [0.4286, 1.0, 1.0]


def test_the_sample_month_short_of_the_threshold_is_a_message(mature):
    assert mature.last_sample_month == "2026-02"
    assert round(mature.last_month_maturity, 4) == 0.4783
    assert mature.months_to_threshold == mature.suggested_maturity_months == 2
    # sample = January (watched 2: 100%) 4 MQLs + February (watched 1: 47.83%) 2 MQLs
    assert round(mature.sample_maturity, 4) == round((4 * 1 + 2 * 68.75 / 143.75) / 6, 4)
    assert mature.messages == (
        "The sample's last month, February 2026, has had time for only 48% of its eventual won "
        "revenue (maturity_threshold 90%): revenue per MQL reads low. Set maturity_months to 2 "
        "to leave out every month short of the threshold.",
    )


def test_a_threshold_met_is_no_message(history):
    path = history(history_tables(), exported_at="2026-05-01 00:00:00")
    p = plan(
        Params(
            db=str(path), month="2026-04", lookback_months=2, maturity_months=1,
            maturity_threshold=0.4,
        )
    )  # fmt: skip
    assert p.maturity.months_to_threshold == 1 and p.maturity.messages == ()


def test_no_won_revenue_leaves_the_curve_undefined(history):
    tables = history_tables() | {"deals": []}
    path = history(tables, exported_at="2026-05-01 00:00:00")
    m = plan(Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1)).maturity
    assert (m.months_to_threshold, m.last_month_maturity, m.messages) == (None, None, ())
    assert m.curve["revenue_share"].to_list() == [None, None, None]
