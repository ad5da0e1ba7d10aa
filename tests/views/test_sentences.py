"""The honest numbers' sentences, on the hand-built histories of tests/engine (issue 16)."""

from __future__ import annotations

from dataclasses import replace

from slanb.engine.forecast import forecast_month
from slanb.params import Params
from slanb.views import sentences
from tests.conftest import plan
from tests.engine.test_forecast import seasonal
from tests.engine.test_maturity import history_tables
from tests.fixtures import matrix_example


def test_the_maturity_sentence_says_how_mature_the_last_month_is_and_what_would_do(history):
    path = history(history_tables(), exported_at="2026-05-01 00:00:00")
    p = plan(Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1))
    assert sentences.maturity_sentence(p) == (
        "90% of won revenue arrives within 2 months of the MQL; with maturity_months 1 the "
        "sample's last month (February 2026) has had time for 48% of it, short of the 90% "
        "threshold; maturity_months 2 would reach it."
    )
    assert "about 83% of the won revenue" in (sentences.sample_maturity_sentence(p) or "")


def test_the_goal_and_value_ranges_in_words(history):
    path = history(matrix_example.tables(), exported_at="2026-05-01 00:00:00")
    p = plan(
        Params(
            db=str(path), month="2026-04", lookback_months=2, maturity_months=1,
            revenue_goal=6100, marketing_share=1.0,
        )
    )  # fmt: skip
    assert sentences.goal_range_sentence(p) == (
        "10 MQLs; 80% range 7–30: if an MQL is worth as much as $1,012.76, 7 are enough; if as "
        "little as $207.24, 30 are needed."
    )
    assert sentences.value_range_sentence(p).startswith(
        "An MQL is worth $610, plausibly anywhere from $207.24 to $1,012.76 (an 80% range: in 8 "
        "of 10 histories like this one, a range drawn this way holds the true value)."
    )


def test_the_chance_beside_the_verdict_on_the_seasonal_fixture(history):
    path = history(matrix_example.tables(), exported_at="2026-05-01 00:00:00")
    p = plan(Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1))
    p = replace(
        p,
        month="2026-07",
        forecast=forecast_month(seasonal(), month="2026-07", goal_mqls=85, level=0.8),
    )
    assert sentences.chance_sentence(p) == (
        "A 71% chance of reaching 85 MQLs at the recent pace: the forecast is 89 MQLs (80% range "
        "80–99), last year's July scaled by the last three months against the same three months "
        "a year before; last year's July was 20% below June."
    )
    assert sentences.backtest_sentence(p) == (
        "Tested on the 3 earlier months the history allows, as if each were next, the forecast "
        "was off by 7% on average and 10% at worst."
    )
