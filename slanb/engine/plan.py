"""The five steps, the lead-value matrix and the reverse funnel for one SLA month: a ``Plan``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from slanb.engine.forecast import Forecast, forecast_month, volume_history
from slanb.engine.funnel import Funnel, reverse_funnel
from slanb.engine.goals import (
    CrossCheck,
    Goal,
    Target,
    active_reps,
    back_solve,
    cross_check,
    revenue_target,
)
from slanb.engine.intervals import Uncertainty, uncertainty
from slanb.engine.maturity import Maturity, cohort_lags, time_to_close
from slanb.engine.value import RevenuePerMql, lead_value_matrix, revenue_per_mql, sample
from slanb.engine.volume import Volume, volume
from slanb.errors import SlanbError
from slanb.months import month_label
from slanb.params import Params


@dataclass(frozen=True)
class Plan:
    """Marketing's promise for one SLA month, from history: steps 1-5, the matrix, the funnel.

    Tables are polars DataFrames, headlines plain numbers; ``to_dict()`` is JSON-ready and part of
    the ``summary.json`` contract documented in ``docs/metrics.md``.
    """

    month: str
    params: Params  # the run's parameters, with ``month`` resolved
    volume: Volume
    revenue_per_mql: RevenuePerMql
    target: Target
    goal: Goal
    cross_check: CrossCheck
    matrix: pl.DataFrame
    funnel: Funnel
    maturity: Maturity  # time to close: how mature the sample's months are
    uncertainty: Uncertainty  # the ranges of revenue per MQL, the goal and the matrix
    forecast: Forecast  # the month's volume forecast and the chance of reaching the goal

    @property
    def month_label(self) -> str:
        """``October 2026``."""
        return month_label(self.month)

    @property
    def messages(self) -> tuple[str, ...]:
        """Every step's warnings, in step order (degenerate history, missing goal, no reps)."""
        return (
            self.volume.messages
            + self.revenue_per_mql.messages
            + self.target.messages
            + self.goal.messages
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready plan: every number of steps 1-5, the matrix and the funnel."""
        return {
            "month": self.month,
            "volume": self.volume.to_dict(),
            "revenue_per_mql": self.revenue_per_mql.to_dict(),
            "target": self.target.to_dict(),
            "goal": self.goal.to_dict(),
            "cross_check": self.cross_check.to_dict(),
            "matrix": self.matrix.to_dicts(),
            "funnel": self.funnel.to_dict(),
            "messages": list(self.messages),
            "maturity": self.maturity.to_dict(),
            "uncertainty": self.uncertainty.to_dict(),
            "forecast": self.forecast.to_dict(),
        }


def plan_month(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    known_until: datetime | None,
    history_start: str | None,
) -> Plan:
    """Plan ``params.month`` (resolved) from the history on ``con``: each step with its own options.

    ``known_until`` is the instant the history is complete up to and ``history_start`` its first
    month (both from :mod:`slanb.store.history`).
    """
    month = params.month
    if month is None:
        msg = "plan_month() needs a resolved SLA month: pass params with month='YYYY-MM'."
        raise SlanbError(msg)
    window = params.sample_window
    vol = volume(
        con,
        month=month,
        lookback_months=params.lookback_months,
        window=window,
        known_until=known_until,
    )
    rows = sample(con, month=month, window=window, touch_kinds=params.first_touch_kinds)
    rpm = revenue_per_mql(rows, month=month, window=window, history_start=history_start)
    target = revenue_target(
        params.goal_for(month),
        month=month,
        marketing_share=params.marketing_share,
        segment=params.segment,
    )
    reps = active_reps(con, month=month, segment_by=params.segment_by, segment=params.segment)
    goal = back_solve(target, rpm.value, reps)
    check = cross_check(
        goal.mqls,
        trailing_3_avg=vol.trailing_3_avg,
        monthly_mqls=vol.months["mqls"].to_list(),
        lookback_months=params.lookback_months,
        realistic_ratio=params.realistic_ratio,
        stretch_ratio=params.stretch_ratio,
    )
    matrix = lead_value_matrix(rows, rpm.value)
    mature = time_to_close(
        rpm.by_month.select("month", "mqls"),
        cohort_lags(con, month=month, first_month=window.first),
        month=month,
        last_sample_month=window.last,
        maturity_months=params.maturity_months,
        threshold=params.maturity_threshold,
    )
    ranges = uncertainty(
        rows, matrix, revenue_target=target.revenue_target, level=params.interval_level
    )
    outlook = forecast_month(
        volume_history(con, month=month, known_until=known_until),
        month=month,
        goal_mqls=goal.mqls,
        level=params.interval_level,
    )
    return Plan(
        month=month,
        params=params,
        volume=vol,
        revenue_per_mql=rpm,
        target=target,
        goal=goal,
        cross_check=check,
        matrix=matrix,
        funnel=reverse_funnel(rows, goal.mqls_per_rep),
        maturity=mature,
        uncertainty=ranges,
        forecast=outlook,
    )
