"""Steps 3–5: the revenue target, the back-solved MQL goal, and the cross-check against history."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb

from slanb.money import ceil_div, cents, dec, ratio, usd
from slanb.params import Params
from slanb.store.db import load_sql

VERDICTS = ("realistic", "stretch", "unrealistic")


@dataclass(frozen=True)
class Target:
    """Step 3: the company goal for M × the share marketing sources."""

    revenue_goal: float | None
    marketing_share: float
    revenue_target: float | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Goal:
    """Step 4: ⌈revenue target ÷ revenue per MQL⌉ MQLs, the target as lead value, and per rep."""

    mqls: int | None
    lead_value: float | None
    active_reps: int
    mqls_per_rep: float | None
    reps: tuple[str, ...]  # names of the reps active in M

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        d = asdict(self)
        d["reps"] = list(self.reps)
        return d


@dataclass(frozen=True)
class CrossCheck:
    """Step 5: is the goal realistic against the trailing 3-month average?"""

    trailing_3_avg: float | None
    ratio: float | None
    historical_max: int | None
    months_at_goal: int | None
    lookback_months: int
    verdict: str | None
    sentence: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        d = asdict(self)
        d["trailing_3_avg"] = None if self.trailing_3_avg is None else round(self.trailing_3_avg, 2)
        return d


def revenue_target(params: Params) -> tuple[Target, tuple[str, ...]]:
    """Step 3 for the resolved month; a message when a goal mapping has no entry for it."""
    goal = params.goal_for(params.month or "")
    if goal is None:
        msg = (
            f"revenue_goal has no entry for {params.month}: the revenue target and the MQL goal are "
            f"undefined. Add `{params.month}: amount` to revenue_goal."
        )
        return Target(None, params.marketing_share, None), (msg,)
    target = cents(dec(goal) * dec(params.marketing_share))
    return Target(cents(goal), params.marketing_share, target), ()


def active_reps(con: duckdb.DuckDBPyConnection, params: Params) -> list[str]:
    """Names of the reps active in M (start on/before its last day, end on/after its first)."""
    rows = con.sql(
        load_sql("plan/active_reps"), params={"month_start": params.cutoff, "month_end": params.end}
    ).fetchall()
    return [name for _, name, _ in rows]


def back_solve(
    target: Target, value: float | None, reps: list[str]
) -> tuple[Goal, tuple[str, ...]]:
    """Step 4: MQL goal = ⌈target ÷ value⌉; lead-value goal = target; MQLs per active rep."""
    messages: list[str] = []
    mqls: int | None = None
    if target.revenue_target is not None and value:
        mqls = ceil_div(target.revenue_target, value)
    per_rep = None
    if not reps:
        messages.append(
            "No reps are active in the SLA month (reps table): MQLs per rep is undefined."
        )
    elif mqls is not None:
        per_rep = round(mqls / len(reps), 1)
    return (
        Goal(
            mqls=mqls,
            lead_value=target.revenue_target,
            active_reps=len(reps),
            mqls_per_rep=per_rep,
            reps=tuple(reps),
        ),
        tuple(messages),
    )


def verdict(r: float, *, realistic_ratio: float, stretch_ratio: float) -> str:
    """``realistic`` at or below ``realistic_ratio``, ``stretch`` at or below ``stretch_ratio``.

    >>> verdict(1.04, realistic_ratio=1.10, stretch_ratio=1.30)
    'realistic'
    """
    if r <= realistic_ratio:
        return "realistic"
    if r <= stretch_ratio:
        return "stretch"
    return "unrealistic"


def cross_check(
    goal_mqls: int | None,
    *,
    trailing_3_avg: float | None,
    monthly_mqls: list[int],
    params: Params,
) -> CrossCheck:
    """Step 5: ratio = goal ÷ trailing 3-month average (2 decimals), its verdict and the history.

    ``monthly_mqls`` are the lookback months' MQL counts (step 1). The verdict is judged on the ratio
    as shown, so a reader never sees 1.10 labelled ``stretch``.
    """
    hist_max = max(monthly_mqls) if monthly_mqls else None
    if goal_mqls is None or not trailing_3_avg:
        return CrossCheck(
            trailing_3_avg=trailing_3_avg,
            ratio=None,
            historical_max=hist_max,
            months_at_goal=None,
            lookback_months=params.lookback_months,
            verdict=None,
            sentence="The goal cannot be cross-checked: "
            + ("there is no MQL goal." if goal_mqls is None else "there is no trailing volume."),
        )
    r = ratio(goal_mqls, trailing_3_avg)
    v = verdict(r, realistic_ratio=params.realistic_ratio, stretch_ratio=params.stretch_ratio)
    at_goal = sum(1 for m in monthly_mqls if m >= goal_mqls)
    change = r - 1
    if abs(change) < 0.005:
        ask = "the same volume as"
    elif change > 0:
        ask = f"{change:.0%} more MQLs than"
    else:
        ask = f"{-change:.0%} fewer MQLs than"
    sentence = (
        f"The goal of {goal_mqls:,} MQLs asks for {ask} the last three months' average of "
        f"{trailing_3_avg:,.0f} (ratio {r:.2f}: {v}); {at_goal} of the last {len(monthly_mqls)} months "
        f"reached it, and the best month delivered {hist_max:,}."
    )
    return CrossCheck(
        trailing_3_avg=trailing_3_avg,
        ratio=r,
        historical_max=hist_max,
        months_at_goal=at_goal,
        lookback_months=params.lookback_months,
        verdict=v,
        sentence=sentence,
    )


def headline(goal: Goal, month_label: str) -> str:
    """The headline: Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026."""
    if goal.mqls is None:
        return f"No MQL goal can be set for {month_label}: see the messages below"
    return (
        f"Marketing must deliver {goal.mqls:,} MQLs ({usd(goal.lead_value)} of lead value) "
        f"in {month_label}"
    )
