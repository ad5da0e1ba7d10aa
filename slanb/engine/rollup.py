"""The company roll-up: one SLA per segment (team or segment) and their sum.

``compute_rollup(params)`` opens the history once, finds the segments (``segment_by``), computes
each one's SLA on its own leads, reps and terms (:func:`slanb.engine.month.compute_on` inside
:func:`slanb.engine.segments.scoped`), and adds them up. What adds up is summed: revenue goals and
targets (the company's lead-value goal is the sum of the segments'), MQL goals, MQLs and lead value
delivered, and both rules' judged and met leads. What does not add up (revenue per MQL, a verdict)
stays per segment. A segment with no goal (``unassigned``, unless ``revenue_goal`` names it) adds
its MQLs to what was delivered and nothing to the goals.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from slanb.engine.month import SlaMonth, compute_on
from slanb.engine.segments import UNASSIGNED, segment_names
from slanb.errors import SlanbError
from slanb.money import cents, dec, ratio
from slanb.months import month_label
from slanb.params import Params
from slanb.store import connect


@dataclass(frozen=True)
class SegmentSla:
    """One segment's SLA for the month, and its line of the roll-up."""

    segment: str
    sla: SlaMonth

    @property
    def line(self) -> dict[str, Any]:
        """The numbers the company page shows for this segment (JSON-ready)."""
        plan, basis, t = self.sla.plan, self.sla.basis, self.sla.tracking
        return {
            "segment": self.segment,
            "revenue_goal": basis.target.revenue_goal,
            "revenue_target": basis.target.revenue_target,
            "revenue_per_mql": basis.revenue_per_mql.value,
            "goal_mqls": basis.goal.mqls,
            "lead_value_goal": basis.goal.lead_value,
            "active_reps": plan.goal.active_reps,
            "verdict": plan.cross_check.verdict,
            "mqls": None if t is None else t.delivery.mqls,
            "lead_value": None if t is None else t.delivery.lead_value,
            "attainment": None if t is None else t.delivery.attainment,
            "lead_value_attainment": None if t is None else t.delivery.lead_value_attainment,
            "first_touch_judged": None if t is None else t.first_touch.judged,
            "first_touch_met": None if t is None else t.first_touch.met,
            "cadence_judged": None if t is None else t.cadence.judged,
            "cadence_met": None if t is None else t.cadence.met,
            "on_dashboard": None if t is None else t.dashboard.height,
        }


@dataclass(frozen=True)
class Rollup:
    """Every segment's SLA for one month and the company's total of them.

    ``segments`` are in name order with ``unassigned`` last; ``total`` sums what adds up
    (:func:`totals`). ``tracked`` is False when the month has not begun.
    """

    month: str
    segment_by: str
    segments: tuple[SegmentSla, ...]
    total: dict[str, Any]
    seconds: float = field(default=0.0, compare=False)

    @property
    def month_label(self) -> str:
        """``October 2026``."""
        return month_label(self.month)

    @property
    def tracked(self) -> bool:
        """True when the month is being judged (its tracking exists)."""
        return any(s.sla.tracking is not None for s in self.segments)

    @property
    def messages(self) -> tuple[str, ...]:
        """Every segment's plan messages, each prefixed with its segment's name."""
        return tuple(f"{s.segment}: {m}" for s in self.segments for m in s.sla.basis.messages)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the rule, each segment's line, and the total."""
        return {
            "month": self.month,
            "segment_by": self.segment_by,
            "segments": [s.line for s in self.segments],
            "total": self.total,
            "messages": list(self.messages),
        }


_SUMMED_MONEY = ("revenue_goal", "revenue_target", "lead_value_goal", "lead_value")
_SUMMED_COUNTS = (
    "goal_mqls",
    "active_reps",
    "mqls",
    "first_touch_judged",
    "first_touch_met",
    "cadence_judged",
    "cadence_met",
    "on_dashboard",
)


def totals(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The company's line: money summed to the cent, counts summed, attainments of the sums.

    A value missing in every segment is None in the total; one missing in some segments (a segment
    without a goal) leaves them out of the sum.

    >>> totals([{"revenue_target": 30000.0, "goal_mqls": 15, "mqls": 3},
    ...         {"revenue_target": 4500.0, "goal_mqls": 38, "mqls": 4}])["goal_mqls"]
    53
    """
    out: dict[str, Any] = {"segment": "total"}
    for key in _SUMMED_MONEY:
        known = [dec(line[key]) for line in lines if line.get(key) is not None]
        out[key] = cents(sum(known, Decimal(0))) if known else None
    for key in _SUMMED_COUNTS:
        known_n = [int(line[key]) for line in lines if line.get(key) is not None]
        out[key] = sum(known_n) if known_n else None
    goal, mqls = out["goal_mqls"], out["mqls"]
    out["attainment"] = ratio(mqls, goal, 4) if goal and mqls is not None else None
    value, value_goal = out["lead_value"], out["lead_value_goal"]
    out["lead_value_attainment"] = (
        ratio(value, value_goal, 4) if value_goal and value is not None else None
    )
    return out


def compute_rollup(params: Params) -> Rollup:
    """Each segment's SLA for ``params.month`` and their total, on one connection."""
    started = time.perf_counter()
    with connect(params.db_path) as con:
        roll = rollup_on(con, params)
    return dataclasses.replace(roll, seconds=time.perf_counter() - started)


def rollup_on(con: duckdb.DuckDBPyConnection, params: Params) -> Rollup:
    """:func:`compute_rollup` on an open connection."""
    if not params.segment_by:
        msg = (
            f"{params.source}: the company roll-up needs segment_by (team or segment); with "
            "segment_by empty there is one company SLA, slanb.compute(params)."
        )
        raise SlanbError(msg)
    names = segment_names(con, segment_by=params.segment_by)
    if not names:
        msg = "The history has no MQLs, so it has no segments to roll up."
        raise SlanbError(msg)
    parts = tuple(SegmentSla(name, compute_on(con, params.replace(segment=name))) for name in names)
    month = parts[0].sla.month
    return Rollup(
        month=month,
        segment_by=params.segment_by,
        segments=parts,
        total=totals([p.line for p in parts]),
    )


__all__ = ["UNASSIGNED", "Rollup", "SegmentSla", "compute_rollup", "rollup_on", "totals"]
