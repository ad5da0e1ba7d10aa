"""Steps 3–5: the revenue target, the back-solved MQL goal, and the cross-check against history."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb

from slanb.money import ceil_div, cents, dec, ratio
from slanb.months import month_start, shift_month
from slanb.store.db import load_sql

VERDICTS = ("realistic", "stretch", "unrealistic")


@dataclass(frozen=True)
class Target:
    """Step 3: the company goal for M × the share marketing sources."""

    revenue_goal: float | None
    marketing_share: float
    revenue_target: float | None
    messages: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "revenue_goal": self.revenue_goal,
            "marketing_share": self.marketing_share,
            "revenue_target": self.revenue_target,
        }


@dataclass(frozen=True)
class Goal:
    """Step 4: ⌈revenue target ÷ revenue per MQL⌉ MQLs, the target as lead value, and per rep."""

    mqls: int | None
    lead_value: float | None
    active_reps: int
    mqls_per_rep: float | None
    reps: tuple[str, ...]  # names of the reps active in M
    messages: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        d = asdict(self)
        d["reps"] = list(self.reps)
        del d["messages"]
        return d


@dataclass(frozen=True)
class CrossCheck:
    """Step 5: is the goal realistic against the trailing 3-month average?

    ``months`` is how many lookback months ``months_at_goal`` counts over.
    """

    goal_mqls: int | None
    trailing_3_avg: float | None
    ratio: float | None
    historical_max: int | None
    months_at_goal: int | None
    months: int
    lookback_months: int
    verdict: str | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        d = asdict(self)
        del d["goal_mqls"], d["months"]
        d["trailing_3_avg"] = None if self.trailing_3_avg is None else round(self.trailing_3_avg, 2)
        return d


def revenue_target(
    goal: float | None, *, month: str, marketing_share: float, segment: str = ""
) -> Target:
    """Step 3: the company goal for ``month`` × marketing's share (a message when there is no goal).

    ``segment`` names the segment whose goal it is, for the message when it has none.
    """
    if goal is None and segment:
        msg = (
            f"revenue_goal has no entry for segment {segment!r} in {month}: its revenue target and "
            f"MQL goal are undefined. Add `{segment}: amount` to revenue_goal."
        )
        return Target(None, marketing_share, None, messages=(msg,))
    if goal is None:
        msg = (
            f"revenue_goal has no entry for {month}: the revenue target and the MQL goal are "
            f"undefined. Add `{month}: amount` to revenue_goal."
        )
        return Target(None, marketing_share, None, messages=(msg,))
    return Target(cents(goal), marketing_share, cents(dec(goal) * dec(marketing_share)))


def active_reps(
    con: duckdb.DuckDBPyConnection, *, month: str, segment_by: str = "", segment: str = ""
) -> list[str]:
    """Names of the reps active in ``month`` (start on/before its last day, end on/after its first).

    With ``segment_by``, only the reps of ``segment`` (``sql/plan/active_reps.sql`` says who).
    """
    rows = con.sql(
        load_sql("plan/active_reps"),
        params={
            "month_start": month_start(month),
            "month_end": month_start(shift_month(month, 1)),
            "segment_by": segment_by if segment else "",
            "segment": segment,
        },
    ).fetchall()
    return [name for _, name, _ in rows]


def back_solve(target: Target, value: float | None, reps: list[str]) -> Goal:
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
    return Goal(
        mqls=mqls,
        lead_value=target.revenue_target,
        active_reps=len(reps),
        mqls_per_rep=per_rep,
        reps=tuple(reps),
        messages=tuple(messages),
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
    lookback_months: int,
    realistic_ratio: float,
    stretch_ratio: float,
) -> CrossCheck:
    """Step 5: ratio = goal ÷ trailing 3-month average (2 decimals), its verdict and the history.

    ``monthly_mqls`` are the lookback months' MQL counts (step 1). The verdict is judged on the ratio
    as shown, so a reader never sees 1.10 labelled ``stretch``.

    >>> c = cross_check(750, trailing_3_avg=720.0, monthly_mqls=[700, 760], lookback_months=12,
    ...                 realistic_ratio=1.10, stretch_ratio=1.30)
    >>> c.ratio, c.verdict, c.months_at_goal
    (1.04, 'realistic', 1)
    """
    hist_max = max(monthly_mqls) if monthly_mqls else None
    r = v = at_goal = None
    if goal_mqls is not None and trailing_3_avg:
        r = ratio(goal_mqls, trailing_3_avg)
        v = verdict(r, realistic_ratio=realistic_ratio, stretch_ratio=stretch_ratio)
        at_goal = sum(1 for m in monthly_mqls if m >= goal_mqls)
    return CrossCheck(
        goal_mqls=goal_mqls,
        trailing_3_avg=trailing_3_avg,
        ratio=r,
        historical_max=hist_max,
        months_at_goal=at_goal,
        months=len(monthly_mqls),
        lookback_months=lookback_months,
        verdict=v,
    )
