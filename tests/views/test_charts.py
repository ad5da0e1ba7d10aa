"""Charts: the theme, the data each chart draws, and that each renders to SVG with its labels."""

from __future__ import annotations

import re

import altair as alt
import polars as pl
import pytest
import vl_convert

from slanb.params import Params
from slanb.store import db
from slanb.views import charts, theme
from tests.conftest import write_history
from tests.fixtures import tracking_example

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
    assert alt.theme.active == theme.THEME
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


# ---- step 6: tracking charts, on tests/fixtures/tracking_example (April 2026, checked by hand) --
@pytest.fixture(scope="module")
def april(april_path):
    """April 2026 of the tracking example, tracked."""
    return _track(april_path)


@pytest.fixture(scope="module")
def april_path(tmp_path_factory):
    """The tracking example's history; R1 is renamed to a script, R2 to a table-breaker."""
    tables = tracking_example.tables()
    tables["reps"][0]["name"] = "</script><script>alert(1)</script>"
    tables["reps"][1]["name"] = 'Bob | "Smith"'
    path = write_history(
        tmp_path_factory.mktemp("charts") / "tracking.duckdb",
        tables,
        exported_at="2026-06-01 00:00:00",
    )
    return path


def _track(path, **changes):
    ex = tracking_example
    params = Params(db=str(path), month=ex.MONTH, lookback_months=2, maturity_months=1, **changes)
    with db.connect(path) as con:
        return ex.judged(con, params).tracking


def _rows(chart, mark: str) -> list[dict]:
    """The data of the (first) layer drawing ``mark``, wherever it sits in a compound chart."""
    spec = chart.to_dict()

    def walk(node, data):
        data = node.get("data", data)  # altair hoists data that children share to their parent
        for key in ("layer", "vconcat", "hconcat"):
            for child in node.get(key, []):
                yield from walk(child, data)
        if "mark" in node:
            yield node, data

    data = next(d for n, d in walk(spec, None) if n["mark"]["type"] == mark)
    return spec["datasets"][data["name"]]


def test_tracking_charts_draw_nothing_before_the_month_begins():
    assert charts.pacing(None) is None
    assert charts.waterfall(None) is None
    assert charts.compliance_by_rep(None) is None
    assert charts.speed_to_lead(None) is None


def test_pacing_draws_delivered_against_the_goal_line_and_the_gap(april):
    chart = charts.pacing(april)
    gap = _rows(chart, "bar")
    assert len(gap) == 30 and gap[0]["day"] == "2026-04-01"
    # Apr 30: 9 delivered, 12 on the line (12 × 30/30): 3 behind; Apr 1: 0 against 0.4
    assert (gap[-1]["delivered"], gap[-1]["goal"], gap[-1]["ahead"]) == (9.0, 12.0, -3.0)
    assert (gap[-1]["side"], gap[-1]["gap_text"]) == ("Behind", "3 MQLs behind the goal line")
    assert gap[0]["gap_text"] == "less than 1 MQL behind the goal line"  # 0 against 0.4
    lines = _rows(chart, "line")
    assert {r["series"] for r in lines} == {charts.DELIVERED, charts.GOAL_LINE}
    x = chart.to_dict()["vconcat"][1]["layer"][0]["encoding"]["x"]
    assert (x["type"], x["scale"]["type"]) == ("temporal", "utc")
    assert [d["date"] for d in x["scale"]["domain"]] == [1, 30]  # the whole month
    svg = _svg(chart)
    assert "April 30: 9 delivered against 12 due by then, 3 MQLs behind the goal line" in svg


def test_pacing_in_lead_value_and_part_way_through_the_month(april, april_path):
    money = charts.pacing(april, measure="lead_value")
    last = _rows(money, "bar")[-1]
    assert (last["delivered"], last["goal"]) == (11_601.53, 15_000.0)
    assert last["gap_text"] == "$3,398 behind the goal line"
    assert "$11,602 delivered against $15,000 due by then" in _svg(money)
    mid_tracking = _track(april_path, as_of="2026-04-06T10:00:00")
    mid = charts.pacing(mid_tracking)
    assert len(_rows(mid, "bar")) == 6  # six days judged, drawn on the whole month's axis
    x = mid.to_dict()["vconcat"][1]["layer"][0]["encoding"]["x"]
    assert [d["date"] for d in x["scale"]["domain"]] == [1, 30]
    # the rest of the goal line, dotted: from the last day judged (12 × 6/30) to the month's goal
    spec = mid.to_dict()
    rest = spec["vconcat"][0]["layer"][2]
    assert rest["mark"]["strokeDash"] == [2, 3]
    assert spec["datasets"][rest["data"]["name"]] == [
        {"day": "2026-04-06", "goal": 2.4},
        {"day": "2026-04-30", "goal": 12.0},
    ]
    steps = [r["label"] for r in _rows(charts.waterfall(mid_tracking), "bar")]
    assert steps[-2:] == ["Still to deliver", "Lead-value goal"]


def test_waterfall_stacks_the_buckets_up_to_the_goal(april):
    chart = charts.waterfall(april)
    rows = _rows(chart, "bar")
    assert [r["label"] for r in rows] == [
        "Hand-raiser, fit A", "Hand-raiser, fit B", "Hand-raiser, fit C", "Other, fit A",
        "Other, fit B", "Other, fit C", "Unknown intent or fit", "Gap to the goal",
        "Lead-value goal",
    ]  # fmt: skip
    assert [r["text"] for r in rows] == [
        "$6,000",
        "$1,801",
        "$0",
        "$2,001",
        "$600",
        "$500",
        "$700",
        "$3,398",
        "$15,000",
    ]  # fmt: skip  (half-up: $1,800.50 → $1,801)
    gap = rows[-2]
    assert (gap["start"], gap["end"], gap["part"]) == (11_601.53, 15_000.0, "Gap")
    scale = chart.to_dict()["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True))["Gap"] == charts.RED
    svg = _svg(chart)
    assert "Gap to the goal" in svg and "$3,398" in svg


def test_compliance_by_rep_stacks_each_reps_breaches(april):
    chart = charts.compliance_by_rep(april)
    totals = {r["rep"]: r["total"] for r in _rows(chart, "text")}
    # Bob (R2): L04 late + L03 L04 L11 short; R1: L02 both; unassigned: L06 both; Cleo Diaz: none
    assert totals == {
        'Bob | "Smith"': 4,
        "</script><script>alert(1)</script>": 2,
        "Unassigned (no owner)": 2,
        "Cleo Diaz": 0,
    }
    assert list(totals)[0] == 'Bob | "Smith"'  # the most breaches on top
    bars = {(r["rep"], r["rule"]): (r["breaches"], r["judged"]) for r in _rows(chart, "bar")}
    assert bars[('Bob | "Smith"', charts.SHORT)] == (3, 3)  # 3 of R2's 3 cadences judged
    assert bars[("Cleo Diaz", charts.LATE)] == (0, 2)  # L07 and L10 touched in time


def test_a_rep_name_cannot_break_out_of_the_chart_script(april):
    page = charts.compliance_by_rep(april)._repr_mimebundle_()["text/html"]
    assert "<script>alert(1)" not in page and "</script><script>" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page
    assert "actions" in page  # the embed options survive the renderer change


def test_speed_to_lead_draws_both_rates_per_band(april):
    chart = charts.speed_to_lead(april)
    rows = {r["label"]: r for r in _rows(chart, "bar")}
    assert list(rows) == ["<1 h", "1–4 h", "4–24 h", ">24 h", "Never"]
    assert [rows[b]["won_rate"] for b in rows] == [1.0, 0.5, 0.0, 0.0, 0.0]
    assert [rows[b]["sql_rate"] for b in rows] == [1.0, 1.0, 0.5, 0.0, 0.0]
    assert rows["Never"]["touched"] == "Never touched"
    svg = _svg(chart)
    assert "Won rate" in svg and "SQL rate" in svg and "50.0%" in svg


def test_time_to_close_draws_both_shares_the_threshold_and_the_sample_month():
    curve = pl.DataFrame(
        {
            "lag": [0, 1, 2],
            "cohorts": [3, 2, 1],
            "mqls": [8, 6, 4],
            "revenue": [150.0, 300.0, 300.0],
            "won_leads": [2, 2, 0],
            "revenue_share": [0.1304, 0.4783, 1.0],
            "won_share": [0.4286, 1.0, 1.0],
        }
    )
    chart = charts.time_to_close(curve, threshold=0.9, maturity_months=1)
    rows = _layer_data(chart, 1)
    assert [(r["measure"], r["share"]) for r in rows if r["lag"] == 1] == [
        ("Won revenue", 0.4783),
        ("Won leads", 1.0),
    ]
    svg = _svg(chart)
    for text in ("When deals really close", "sample's last month", "Won revenue", "90%"):
        assert text in svg


def test_forecast_backtest_draws_the_history_the_forecast_and_the_goal():
    backtest = pl.DataFrame(
        {
            "month": ["2026-04", "2026-05", "2026-06"],
            "actual": [121, 102, 111],
            "forecast": [110.0, 113.667, 111.0],
            "error": [0.1, -0.1026, 0.0],
        }
    )
    chart = charts.forecast_backtest(
        backtest, month="2026-07", forecast=89.07, low=80.05, high=99.1, goal=85
    )
    spec = chart.to_dict()
    assert spec["layer"][2]["encoding"]["y"]["field"] == "low"
    svg = _svg(chart)
    assert "goal 85" in svg and "Jul 2026" in svg and "tested on the history" in svg
    bare = charts.forecast_backtest(
        backtest, month="2026-07", forecast=None, low=None, high=None, goal=None
    )
    assert len(bare.to_dict()["layer"]) == 2
