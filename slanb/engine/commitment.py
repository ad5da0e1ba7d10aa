"""A month's commitment: the plan's numbers as agreed, and the plan a month is judged against.

``agreement(plan, ...)`` turns the method's plan into the fields a ledger line records;
``judged_plan(plan, commitment)`` is the plan with the committed goals, bucket values and terms put
back, so ``track`` judges the month against what was agreed, not what the history says now.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from slanb.engine.plan import Plan
from slanb.params import TERMS
from slanb.store.ledger import TERM_FIELDS, Commitment

# Parameters that say where things are or when a month is judged, not what was agreed.
_NOT_AGREED = ("db", "month", "as_of", "ledger")


def agreement(
    plan: Plan, *, history: dict[str, Any], by: str, at: str, reason: str | None
) -> dict[str, Any]:
    """The ledger fields of ``plan``'s month (all but ``version``), agreed ``at`` by ``by``."""
    p = plan.params
    params = {k: v for k, v in p.to_dict().items() if k not in _NOT_AGREED}
    return {
        "month": plan.month,
        "committed_at": at,
        "by": by,
        "reason": reason,
        "goal_mqls": plan.goal.mqls,
        "lead_value_goal": plan.goal.lead_value,
        "revenue_per_mql": plan.revenue_per_mql.value,
        "buckets": [
            {"intent": r["intent"], "fit": r["fit"], "lead_value": r["lead_value"]}
            for r in plan.matrix.select("intent", "fit", "lead_value").to_dicts()
        ],
        "revenue_goal": plan.target.revenue_goal,
        "marketing_share": plan.target.marketing_share,
        "revenue_target": plan.target.revenue_target,
        "terms": {t: _json(getattr(p, t)) for t in TERM_FIELDS},
        "params": params,
        "history": history,
    }


def _json(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def judged_plan(plan: Plan, commitment: Commitment) -> Plan:
    """``plan`` with ``commitment``'s goals, revenue per MQL, bucket values and sales terms.

    The volume, the cross-check and the funnel stay the method's own (they are not judged).
    """
    terms = {
        t: tuple(v) if isinstance(v, list) else v for t, v in commitment.terms.items() if t in TERMS
    }
    params = dataclasses.replace(plan.params, marketing_share=commitment.marketing_share, **terms)
    matrix = pl.DataFrame(
        [{"intent": i, "fit": f, "lead_value": v} for i, f, v in commitment.buckets],
        schema={"intent": pl.String, "fit": pl.String, "lead_value": pl.Float64},
    )
    return dataclasses.replace(
        plan,
        params=params,
        revenue_per_mql=dataclasses.replace(plan.revenue_per_mql, value=commitment.revenue_per_mql),
        target=dataclasses.replace(
            plan.target,
            revenue_goal=commitment.revenue_goal,
            marketing_share=commitment.marketing_share,
            revenue_target=commitment.revenue_target,
        ),
        goal=dataclasses.replace(
            plan.goal, mqls=commitment.goal_mqls, lead_value=commitment.lead_value_goal
        ),
        matrix=matrix,
    )


def differences(plan: Plan, commitment: Commitment) -> dict[str, tuple[Any, Any]]:
    """What the method gives today that differs from the commitment: name -> (committed, today)."""
    today = {
        "goal_mqls": plan.goal.mqls,
        "lead_value_goal": plan.goal.lead_value,
        "revenue_per_mql": plan.revenue_per_mql.value,
        "revenue_target": plan.target.revenue_target,
        **{t: _json(getattr(plan.params, t)) for t in TERM_FIELDS},
    }
    agreed = {
        "goal_mqls": commitment.goal_mqls,
        "lead_value_goal": commitment.lead_value_goal,
        "revenue_per_mql": commitment.revenue_per_mql,
        "revenue_target": commitment.revenue_target,
        **commitment.terms,
    }
    return {k: (agreed[k], today[k]) for k in today if agreed.get(k) != today[k]}
