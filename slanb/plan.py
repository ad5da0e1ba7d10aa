"""The five-step plan in one pass over a read-only connection: ``slanb.plan(params)``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from slanb import db, history
from slanb.funnel import Funnel, reverse_funnel
from slanb.goals import (
    CrossCheck,
    Goal,
    Target,
    active_reps,
    back_solve,
    cross_check,
    headline,
    revenue_target,
)
from slanb.months import month_label
from slanb.params import Params
from slanb.value import RevenuePerMql, lead_value_matrix, revenue_per_mql, sample
from slanb.volume import Volume, volume


@dataclass(frozen=True)
class Plan:
    """Everything the notebooks and the report show for one SLA month.

    Tables are polars DataFrames, headlines plain numbers; ``to_dict()`` is JSON-ready and is the
    stable output contract documented in ``docs/metrics.md``.
    """

    month: str
    params: Params
    volume: Volume
    revenue_per_mql: RevenuePerMql
    target: Target
    goal: Goal
    cross_check: CrossCheck
    matrix: pl.DataFrame
    funnel: Funnel
    messages: tuple[str, ...]
    seconds: float = field(default=0.0, compare=False)

    @property
    def month_label(self) -> str:
        """``October 2026``."""
        return month_label(self.month)

    @property
    def headline(self) -> str:
        """The one sentence leadership reads first."""
        return headline(self.goal, self.month_label)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready plan (``slanb plan --json``, ``summary.json``)."""
        return {
            "month": self.month,
            "headline": self.headline,
            "volume": self.volume.to_dict(),
            "revenue_per_mql": self.revenue_per_mql.to_dict(),
            "target": self.target.to_dict(),
            "goal": self.goal.to_dict(),
            "cross_check": self.cross_check.to_dict(),
            "matrix": self.matrix.to_dicts(),
            "funnel": self.funnel.to_dict(),
            "messages": list(self.messages),
        }


def resolve_month(con: duckdb.DuckDBPyConnection, params: Params) -> Params:
    """``params`` with ``month`` set: as given, or the last complete month of the history."""
    if params.month is not None:
        return params
    return params.replace(month=history.last_complete_month(con))


def plan(params: Params) -> Plan:
    """Compute the five steps, the lead-value matrix and the reverse funnel for ``params.month``.

    Opens ``params.db_path`` read-only for the duration of the call only.
    """
    started = time.perf_counter()
    with db.connect(params.db_path) as con:
        return plan_on(con, params, started=started)


def plan_on(
    con: duckdb.DuckDBPyConnection, params: Params, *, started: float | None = None
) -> Plan:
    """:func:`plan` on an open connection (for callers that already hold one)."""
    started = time.perf_counter() if started is None else started
    params = resolve_month(con, params)
    vol = volume(con, params)
    rows = sample(con, params)
    rpm = revenue_per_mql(rows, params)
    target, target_msgs = revenue_target(params)
    goal, goal_msgs = back_solve(target, rpm.value, active_reps(con, params))
    check = cross_check(
        goal.mqls,
        trailing_3_avg=vol.trailing_3_avg,
        monthly_mqls=vol.months["mqls"].to_list(),
        params=params,
    )
    return Plan(
        month=params.month or "",
        params=params,
        volume=vol,
        revenue_per_mql=rpm,
        target=target,
        goal=goal,
        cross_check=check,
        matrix=lead_value_matrix(rows, rpm.value),
        funnel=reverse_funnel(rows, goal.mqls_per_rep),
        messages=vol.messages + rpm.messages + target_msgs + goal_msgs,
        seconds=time.perf_counter() - started,
    )
