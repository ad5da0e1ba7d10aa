"""Steps 3–5 as pure functions, and the degenerate histories that must give messages, not crashes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slanb.engine.goals import Target, back_solve, cross_check, revenue_target, verdict
from slanb.params import Params
from slanb.views.sentences import cross_check_sentence, goal_headline
from tests.conftest import plan


def test_revenue_target_and_mapping():
    t = revenue_target(100_000.0, month="2026-10", marketing_share=0.75)
    assert (t.revenue_goal, t.marketing_share, t.revenue_target, t.messages) == (
        100_000.0,
        0.75,
        75_000.0,
        (),
    )
    p = Params(month="2026-10", revenue_goal={"2026-10": 120_000.0}, marketing_share=0.6)
    t = revenue_target(p.goal_for("2026-10"), month="2026-10", marketing_share=0.6)
    assert t.revenue_target == 72_000.0 and t.messages == ()
    t = revenue_target(p.goal_for("2026-11"), month="2026-11", marketing_share=0.6)
    assert t.revenue_target is None
    assert t.messages == (
        "revenue_goal has no entry for 2026-11: the revenue target and the MQL goal are undefined. "
        "Add `2026-11: amount` to revenue_goal.",
    )


@pytest.mark.parametrize(
    ("target", "value", "mqls"),
    [
        (75_000.0, 100.0, 750),
        (75_020.0, 100.0, 751),
        (75_000.0, 100.13, 750),
        (0.0, 100.0, 0),
        (1.0, 0.01, 100),
    ],
)
def test_back_solve_rounds_up(target, value, mqls):
    goal = back_solve(Target(None, 1.0, target), value, ["A", "B", "C"])
    assert goal.mqls == mqls and goal.messages == ()
    assert goal.mqls_per_rep == round(mqls / 3, 1)


def test_back_solve_without_reps_or_value():
    goal = back_solve(Target(100.0, 1.0, 100.0), 10.0, [])
    assert (goal.mqls, goal.active_reps, goal.mqls_per_rep) == (10, 0, None)
    assert goal.messages == (
        "No reps are active in the SLA month (reps table): MQLs per rep is undefined.",
    )
    goal = back_solve(Target(100.0, 1.0, 100.0), 0.0, ["A"])
    assert goal.mqls is None and goal.mqls_per_rep is None


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (0.5, "realistic"),
        (1.10, "realistic"),
        (1.11, "stretch"),
        (1.30, "stretch"),
        (1.31, "unrealistic"),
    ],
)
def test_verdict_edges(r, expected):
    assert verdict(r, realistic_ratio=1.10, stretch_ratio=1.30) == expected


TERMS = {"lookback_months": 12, "realistic_ratio": 1.10, "stretch_ratio": 1.30}


def test_cross_check_counts_months_at_goal():
    c = cross_check(750, trailing_3_avg=682.0, monthly_mqls=[600, 750, 800, 700], **TERMS)
    assert (c.ratio, c.verdict, c.historical_max, c.months_at_goal) == (1.10, "realistic", 800, 2)
    assert cross_check_sentence(c).startswith("The goal of 750 MQLs asks for 10% more MQLs than")
    c = cross_check(600, trailing_3_avg=750.0, monthly_mqls=[750], **TERMS)
    assert c.ratio == 0.8 and "20% fewer MQLs than" in cross_check_sentence(c)


@given(
    value=st.decimals(min_value="0.01", max_value="100000", places=2),
    a=st.decimals(min_value="0", max_value="10000000", places=2),
    b=st.decimals(min_value="0", max_value="10000000", places=2),
)
def test_goal_never_decreases_when_the_target_rises(value, a, b):
    lo, hi = sorted([float(a), float(b)])
    g_lo = back_solve(Target(None, 1.0, lo), float(value), ["R"])
    g_hi = back_solve(Target(None, 1.0, hi), float(value), ["R"])
    assert g_lo.mqls <= g_hi.mqls
    assert (g_hi.mqls - 1) * float(value) < hi <= g_hi.mqls * float(value) + 1e-6 or g_hi.mqls == 0


def _lead(i: int, mql_at: str | None, **kw) -> dict:
    return {"lead_id": f"L{i}", "created_at": "2026-01-01T00:00:00", "mql_at": mql_at, **kw}


def test_no_mqls_in_the_sample(history):
    path = history({"leads": [_lead(1, "2026-09-01T00:00:00")]}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path)))
    assert p.revenue_per_mql.value is None and p.goal.mqls is None and p.cross_check.verdict is None
    assert any(m.startswith("No MQLs in the sample window 2025-07 to 2026-06") for m in p.messages)
    assert p.matrix["lead_value"].null_count() == 6  # no overall value to fall back on
    assert p.to_dict()["goal"]["mqls"] is None  # still JSON-ready


def test_no_won_revenue(history):
    leads = [_lead(i, f"2026-{m:02d}-10T00:00:00") for i, m in enumerate(range(1, 10))]
    path = history({"leads": leads}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path)))
    assert p.revenue_per_mql.value == 0.0 and p.goal.mqls is None
    assert any("have no won revenue closed before 2026-10" in m for m in p.messages)
    assert (
        cross_check_sentence(p.cross_check)
        == "The goal cannot be cross-checked: there is no MQL goal."
    )


def test_fewer_than_three_months_of_volume(history):
    leads = [
        {"lead_id": "L1", "created_at": "2026-08-05T00:00:00", "mql_at": "2026-08-06T00:00:00"}
    ]
    path = history({"leads": leads}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path)))
    assert p.volume.trailing_3_avg is None
    assert p.volume.months["month"].to_list() == [
        "2026-08",
        "2026-09",
    ]  # not the months before the history
    assert any(m.startswith("Only 2 month(s) of MQL volume before 2026-10") for m in p.messages)


def test_month_without_a_goal_in_the_mapping(history):
    path = history({"leads": [_lead(1, "2026-01-10T00:00:00")]}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path), revenue_goal={"2026-09": 1000.0}))
    assert p.target.revenue_target is None and p.goal.mqls is None
    assert any(m.startswith("revenue_goal has no entry for 2026-10") for m in p.messages)


def test_a_month_before_the_history_says_so(history):
    path = history({"leads": [_lead(1, "2026-01-10T00:00:00")]}, exported_at="2026-11-01 00:00:00")
    p = plan(Params(db=str(path), month="2026-02"))
    assert p.goal.mqls is None
    assert goal_headline(p) == "No MQL goal can be set for February 2026: see the messages below"
    assert any(
        m.startswith("The history starts in 2026-01, after the sample window 2024-11 to 2025-10")
        for m in p.messages
    )
