"""Degenerate parameters give readable pages: every view of every page runs, and says why.

docs/reliability.md: a goal of 0, a share of 0, a goal mapping with no entry for the month, a goal
too large to reach. Each view a notebook calls (every public function of ``narrative`` and
``scorecard`` taking the month, and every chart) must return a page element, not raise.
"""

from __future__ import annotations

import inspect

import pytest

from slanb.engine.month import compute
from slanb.params import Params
from slanb.views import charts, narrative, scorecard
from tests.conftest import write_history
from tests.fixtures import tracking_example

DEGENERATE = [
    {"revenue_goal": 0},
    {"marketing_share": 0},
    {"revenue_goal": {"2020-01": 5.0}},
    {"revenue_goal": 1e9},
    {"first_touch_hours": 0.01, "cadence_calls": 50},
]
VIEWS = [
    f
    for module in (narrative, scorecard)
    for name, f in inspect.getmembers(module, inspect.isfunction)
    if f.__module__ == module.__name__
    and not name.startswith("_")
    and list(inspect.signature(f).parameters)[:1] == ["sla"]
]


@pytest.fixture(scope="module")
def april(tmp_path_factory):
    path = tmp_path_factory.mktemp("degenerate") / "tracking.duckdb"
    return write_history(path, tracking_example.tables(), exported_at="2026-06-01 00:00:00")


@pytest.mark.parametrize(
    "changes", DEGENERATE, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
)
def test_every_view_of_every_page_runs(april, changes):
    sla = compute(
        Params(db=str(april), month="2026-04", lookback_months=2, maturity_months=1, **changes)
    )
    assert len(VIEWS) >= 30  # every view a notebook calls
    for view in VIEWS:
        shown = view(sla)
        assert hasattr(shown, "data"), view.__name__
    t, p = sla.tracking, sla.plan
    for chart in (
        charts.pacing(t),
        charts.pacing(t, measure="lead_value"),
        charts.waterfall(t),
        charts.compliance_by_rep(t),
        charts.speed_to_lead(t),
        charts.revenue_split(p.target.revenue_goal, p.target.revenue_target, params=sla.params),
        charts.reverse_funnel(p.funnel.per_rep),
        charts.lead_value_heatmap(p.matrix),
    ):
        assert chart is None or chart.to_dict()


def test_a_goal_of_zero_is_stated_not_divided_by(april):
    sla = compute(
        Params(db=str(april), month="2026-04", lookback_months=2, maturity_months=1, revenue_goal=0)
    )
    assert sla.plan.goal.lead_value == 0.0 and sla.plan.goal.mqls == 0
    text = scorecard.waterfall_summary(sla).data
    assert text.endswith(r"The lead-value goal is \$0, so all of it is surplus.")
