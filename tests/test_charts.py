"""Charts: the theme, the data each chart draws, and that each renders to SVG with its labels."""

from __future__ import annotations

import re

import altair as alt
import polars as pl
import pytest
import vl_convert

from slanb import charts

MONTHS = pl.DataFrame(
    {"month": ["2025-11", "2025-12", "2026-01", "2026-02"], "mqls": [100, 70, 110, 120]}
)
BY_MONTH = pl.DataFrame(
    {
        "month": ["2026-01", "2026-02", "2026-03", "2026-04"],
        "mqls": [100, 100, 100, 100],
        "revenue": [12_000.0, 8_000.0, 2_000.0, 0.0],
        "value": [120.0, 80.0, 20.0, 0.0],
        "in_sample": [True, True, False, False],
    }
)
MATRIX = pl.DataFrame(
    {
        "intent": ["hand_raiser"] * 3 + ["other"] * 3,
        "fit": ["A", "B", "C"] * 2,
        "mqls": [10, 0, 5, 40, 30, 20],
        "won_leads": [3, 0, 1, 2, 1, 0],
        "won_deals": [3, 0, 1, 2, 1, 0],
        "revenue": [30_000.0, 0.0, 1_000.0, 8_000.0, 1_500.0, 0.0],
        "close_rate": [0.3, None, 0.2, 0.05, 0.0333, 0.0],
        "avg_won_amount": [10_000.0, None, 1_000.0, 4_000.0, 1_500.0, None],
        "lead_value": [3_000.0, 400.0, 200.0, 200.0, 50.0, 0.0],
        "flagged": [False, True, False, False, False, False],
    }
)


def _svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_dict())


def _layer_data(chart: alt.LayerChart, i: int) -> list[dict]:
    spec = chart.to_dict()
    data = spec["layer"][i].get("data") or spec["data"]  # altair hoists data the layers share
    return spec["datasets"][data["name"]]


def test_one_registered_theme_is_enabled():
    assert alt.theme.active == charts.THEME
    assert "slanb" in alt.theme.names()
    config = alt.theme.get()()["config"]  # type: ignore[misc]
    assert config["axis"]["labelFontSize"] == 12


def test_volume_marks_december_and_draws_the_least_squares_trend():
    chart = charts.volume(MONTHS, trailing_3_avg=100.0)
    rows = _layer_data(chart, 0)
    assert [r["season"] for r in rows] == ["Other months", "December"] + ["Other months"] * 2
    # slope of 100, 70, 110, 120 by position is 10 per month; the line passes through the mean 100
    assert [round(r["trend"], 6) for r in rows] == [85.0, 95.0, 105.0, 115.0]
    bars = chart.to_dict()["layer"][0]["encoding"]
    assert bars["x"]["type"] == "ordinal" and bars["x"]["timeUnit"] == "utcyearmonth"
    assert bars["y"]["type"] == "quantitative"
    svg = _svg(chart)
    assert "3-month avg 100" in svg and "Dec 2025" in svg


def test_sample_window_shades_only_the_excluded_months():
    chart = charts.sample_window(BY_MONTH)
    spec = chart.to_dict()
    shade = spec["layer"][0]
    assert shade["mark"]["type"] == "rect"
    assert shade["transform"] == [{"filter": "(!datum.in_sample)"}]
    statuses = [r["status"] for r in _layer_data(chart, 1)]
    assert statuses == [charts.IN_SAMPLE] * 2 + [charts.EXCLUDED] * 2
    assert charts.EXCLUDED in _svg(chart)


def test_maturing_curve_marks_the_sample_value_in_money():
    chart = charts.maturing_curve(BY_MONTH, value=100.0)
    assert chart.to_dict()["layer"][2]["encoding"]["y"]["axis"]["format"] == charts.MONEY
    svg = _svg(chart)
    assert "sample $100.00" in svg and "$120" in svg


def test_heatmap_writes_each_lead_value_with_thousands_and_flags():
    chart = charts.lead_value_heatmap(MATRIX)
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    labels = [r["label"] for r in rows]
    assert labels == ["$3,000", "$400*", "$200", "$200", "$50", "$0"]
    svg = _svg(chart)
    for text in ("$3,000", "$400*", "Hand-raiser", "Fit C", "no MQLs in the sample"):
        assert text in svg


def test_goal_vs_history_draws_the_goal_and_the_average_coloured_by_verdict():
    chart = charts.goal_vs_history(MONTHS, goal=130, trailing_3_avg=100.0, verdict="unrealistic")
    spec = chart.to_dict()
    goal_rule = spec["layer"][2]["layer"][0]
    assert goal_rule["mark"]["color"] == charts.RED
    svg = _svg(chart)
    assert "goal 130" in svg and "3-month avg 100" in svg and "verdict: unrealistic" in svg


def test_goal_vs_history_without_a_goal_says_so():
    svg = _svg(charts.goal_vs_history(MONTHS, goal=None, trailing_3_avg=None))
    assert "no goal to check" in svg
    assert not re.search(r"goal [0-9]", svg) and "3-month avg" not in svg


def test_reverse_funnel_labels_each_stage():
    per_rep = pl.DataFrame(
        {
            "stage": ["mqls", "contacted", "won_leads"],
            "label": ["MQLs", "contacted", "won"],
            "count": [100.0, 50.0, 5.0],
        }
    )
    svg = _svg(charts.reverse_funnel(per_rep))
    for text in ("MQLs", "Contacted", "Won", "100.0", "50.0", "5.0"):
        assert text in svg


@pytest.mark.parametrize(
    ("goal", "target", "parts"),
    [(100_000.0, 75_000.0, [75_000.0, 25_000.0]), (None, None, [])],
)
def test_revenue_split(goal, target, parts):
    chart = charts.revenue_split(goal, target)
    rows = next(iter(chart.to_dict()["datasets"].values()), [])
    assert [r["amount"] for r in rows] == parts
    svg = _svg(chart)
    assert ("$75,000" in svg) == bool(parts)


def test_segments_stack_by_intent_with_readable_names():
    frame = pl.DataFrame(
        {
            "month": ["2026-01", "2026-01", "2026-02"],
            "intent": ["hand_raiser", "other", "other"],
            "mqls": [5, 7, 9],
        }
    )
    chart = charts.segments(frame, by="intent")
    rows = next(iter(chart.to_dict()["datasets"].values()))
    assert [r["segment"] for r in rows] == ["Hand-raiser", "Other", "Other"]
    assert "Hand-raiser" in _svg(chart)


def test_docstring_examples():
    import doctest

    result = doctest.testmod(charts)
    assert result.attempted > 0 and result.failed == 0
