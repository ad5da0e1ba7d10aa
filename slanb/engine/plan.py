"""The five-step plan in one pass over a read-only connection: ``slanb.plan(params)``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from slanb.engine.funnel import Funnel, reverse_funnel
from slanb.engine.goals import (
    CrossCheck,
    Goal,
    Target,
    active_reps,
    back_solve,
    cross_check,
    headline,
    revenue_target,
)
from slanb.engine.tracking import Tracking, track
from slanb.engine.value import RevenuePerMql, lead_value_matrix, revenue_per_mql, sample
from slanb.engine.volume import Volume, volume
from slanb.money import usd
from slanb.months import month_label
from slanb.params import Params
from slanb.store import db, history


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
    tracking: Tracking | None  # None when the month has not begun (planning a future month)
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

    def format(self) -> str:
        """The plan as readable text for a terminal (``slanb plan``)."""
        rpm, t, g, c = self.revenue_per_mql, self.target, self.goal, self.cross_check
        v = self.volume
        lines = [f"SLA plan for {self.month_label}", "", self.headline + ".", ""]
        if self.messages:
            lines += ["Warnings:", *[f"  - {m}" for m in self.messages], ""]
        avg3 = "n/a" if v.trailing_3_avg is None else f"{v.trailing_3_avg:,.1f}"
        trend = "n/a" if v.trend_per_month is None else f"{v.trend_per_month:+,.1f} MQLs/month"
        lines += [
            "1. Historical volume (MQLs per month)",
            *[f"     {r['month']}  {r['mqls']:>8,}" for r in v.months.to_dicts()],
            f"   trailing 3-month average {avg3}; trend {trend}",
            "",
            "2. Revenue per MQL",
            f"   sample {rpm.window_start} to {rpm.window_end} "
            f"(left out as immature: {', '.join(rpm.excluded_months) or 'none'})",
            f"   {usd(rpm.revenue)} won / {rpm.mqls:,} MQLs = {usd(rpm.value)} per MQL",
            "",
            "3. Revenue target",
            f"   {usd(t.revenue_goal)} x {t.marketing_share:.0%} = {usd(t.revenue_target)}",
            "",
            "4. Goal",
            f"   {usd(t.revenue_target)} / {usd(rpm.value)} = "
            f"{'n/a' if g.mqls is None else f'{g.mqls:,}'} MQLs "
            f"({usd(g.lead_value)} of lead value); {g.active_reps} active reps, "
            f"{'n/a' if g.mqls_per_rep is None else f'{g.mqls_per_rep:,.1f}'} MQLs per rep",
            "",
            "5. Cross-check",
            f"   {c.sentence}",
            "",
            "Lead value by bucket (intent x fit)",
            "   (won leads / MQLs = close rate; revenue / won deals = avg deal; revenue / MQLs = lead value)",
            f"   {'intent':<12} {'fit':<8} {'MQLs':>8} {'won leads':>10} {'close':>7} {'avg deal':>10} "
            f"{'lead value':>11}",
        ]
        for r in self.matrix.to_dicts():
            close = "n/a" if r["close_rate"] is None else f"{r['close_rate']:.1%}"
            flag = "  (no MQLs: overall value)" if r["flagged"] else ""
            lines.append(
                f"   {r['intent']:<12} {r['fit']:<8} {r['mqls']:>8,} {r['won_leads']:>10,} {close:>7} "
                f"{usd(r['avg_won_amount']):>10} {usd(r['lead_value']):>11}{flag}"
            )
        lines += ["", "Reverse funnel (share of sample MQLs; per active rep at the goal)"]
        for s, p in zip(self.funnel.stages.to_dicts(), self.funnel.per_rep.to_dicts(), strict=True):
            rate = "n/a" if s["rate"] is None else f"{s['rate']:.1%}"
            per = "n/a" if p["count"] is None else f"{p['count']:,.1f}"
            lines.append(f"   {s['label']:<12} {s['count']:>8,} {rate:>7}   per rep {per:>7}")
        return "\n".join(lines)

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
            **(self.tracking.to_dict() if self.tracking else {}),
            "tracking_messages": list(self.tracking.messages) if self.tracking else [],
            "tracking_headline": self.tracking.headline() if self.tracking else None,
            "as_of": self.tracking.as_of.isoformat() if self.tracking else None,
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
    rpm = revenue_per_mql(rows, params, history_start=history.first_month(con))
    target, target_msgs = revenue_target(params)
    goal, goal_msgs = back_solve(target, rpm.value, active_reps(con, params))
    check = cross_check(
        goal.mqls,
        trailing_3_avg=vol.trailing_3_avg,
        monthly_mqls=vol.months["mqls"].to_list(),
        params=params,
    )
    matrix = lead_value_matrix(rows, rpm.value)
    tracking = None
    if min(params.as_of_instant, history.recorded_export(con) or params.end) >= params.cutoff:
        tracking = track(con, params, matrix, goal.mqls, goal.lead_value, rpm.value)
    return Plan(
        month=params.month or "",
        params=params,
        volume=vol,
        revenue_per_mql=rpm,
        target=target,
        goal=goal,
        cross_check=check,
        matrix=matrix,
        funnel=reverse_funnel(rows, goal.mqls_per_rep),
        tracking=tracking,
        messages=vol.messages + rpm.messages + target_msgs + goal_msgs,
        seconds=time.perf_counter() - started,
    )
