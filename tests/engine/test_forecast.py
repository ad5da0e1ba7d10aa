"""The month's volume forecast, its backtest and the chance of reaching the goal (docs/metrics.md)."""

from __future__ import annotations

import math
from statistics import NormalDist

import polars as pl
import pytest

from slanb.engine.forecast import backtest, forecast_month, predict, volume_history
from slanb.months import month_range
from slanb.store import db
from slanb.store import history as hist


def seasonal() -> pl.DataFrame:
    """18 months, January 2025 to June 2026, with a July dip; the SLA month is July 2026.

    2025: 100 every month but July (80). 2026: January–March 110, April 121, May 102, June 111.
    Backtest (the first month with the 15 months before it is April 2026):
      April: 100 × (110 + 110 + 110) ÷ 300 = 110;      actual 121 → error +10%
      May:   100 × (121 + 110 + 110) ÷ 300 = 113.667;  actual 102 → error −10.26%
      June:  100 × (102 + 121 + 110) ÷ 300 = 111;      actual 111 → error 0
    Typical error (mean |error|) = (0.1 + 0.10264 + 0) ÷ 3 = 6.75%.
    σ = √((ln 1.1² + ln(102 ÷ 113.667)² + 0) ÷ 3) = 0.08329.
    July 2026: 80 × (111 + 102 + 121) ÷ 300 = 89.07 MQLs. Last year's July was 20% below June.
    Goal 85: P = 1 − Φ(ln(85 ÷ 89.07) ÷ 0.08329) = Φ(0.5611) = 71.3%.
    80% range: 89.07 × e^(±1.2816 × 0.08329) = 80.05 to 99.10.
    """
    counts = [100] * 6 + [80] + [100] * 5 + [110, 110, 110, 121, 102, 111]
    return pl.DataFrame({"month": month_range("2025-01", "2026-06"), "mqls": counts})


def test_a_forecast_and_its_probability_on_a_seasonal_fixture():
    f = forecast_month(seasonal(), month="2026-07", goal_mqls=85, level=0.8)
    assert f.model == "seasonal"
    assert f.forecast == pytest.approx(80 * 334 / 300)
    assert round(f.forecast, 2) == 89.07
    assert f.seasonal_change == pytest.approx(-0.2)
    sigma = math.sqrt((math.log(1.1) ** 2 + math.log(102 / (341 / 3)) ** 2) / 3)
    assert f.sigma == pytest.approx(sigma) and round(f.sigma, 5) == 0.08329
    p = 1 - NormalDist().cdf(math.log(85 / (80 * 334 / 300)) / sigma)
    assert f.probability == pytest.approx(p) and round(f.probability, 3) == 0.713
    assert (round(f.low, 2), round(f.high, 2)) == (80.05, 99.1)


def test_a_backtest_error():
    bt = backtest(dict(seasonal().iter_rows()), model="seasonal")
    assert bt["month"].to_list() == ["2026-04", "2026-05", "2026-06"]
    assert bt["actual"].to_list() == [121, 102, 111]
    assert bt["forecast"].to_list() == pytest.approx([110, 341 / 3, 111])
    assert [round(e, 4) for e in bt["error"].to_list()] == [0.1, -0.1026, 0.0]
    f = forecast_month(seasonal(), month="2026-07", goal_mqls=85, level=0.8)
    assert round(f.mean_abs_error, 4) == round((0.1 + (1 - 102 / (341 / 3))) / 3, 4) == 0.0675
    assert f.to_dict()["backtest_months"] == 3


def test_short_history_falls_back_to_the_recent_average_and_states_no_chance():
    short = seasonal().tail(5)  # February to June 2026
    f = forecast_month(short, month="2026-07", goal_mqls=85, level=0.8)
    assert (f.model, f.forecast) == ("recent", (121 + 102 + 111) / 3)
    assert f.probability is None and f.backtest.height == 2  # May, June from the 3 before each
    assert f.messages and "Only 2 earlier month(s)" in f.messages[0]
    assert predict({"2026-06": 10}, "2026-07") == (None, None)


def test_volume_history_counts_empty_months_and_stops_at_the_export(history):
    leads = [
        {"lead_id": "A", "created_at": "2026-01-01T00:00:00", "mql_at": "2026-01-03T00:00:00"},
        {"lead_id": "B", "created_at": "2026-01-05T00:00:00", "mql_at": "2026-03-03T00:00:00"},
        {"lead_id": "C", "created_at": "2026-01-06T00:00:00"},
    ]
    path = history({"leads": leads}, exported_at="2026-03-20 00:00:00")
    with db.connect(path) as con:
        known = hist.recorded_export(con)
        rows = volume_history(con, month="2026-04", known_until=known)
    # March is not over by the export: left out, not counted as a month of one MQL
    assert rows.to_dicts() == [{"month": "2026-01", "mqls": 1}, {"month": "2026-02", "mqls": 0}]
