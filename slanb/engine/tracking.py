"""Tracking the SLA through a month: marketing's delivery and sales' two promises.

Marketing promises MQLs and their lead value; sales promises to touch every MQL within
``first_touch_hours`` and to work it with ``cadence_calls`` touches in its first ``cadence_days``.
For the SLA month M (``cutoff`` to ``end``), judged at ``as_of`` = min(end, ``as_of`` or now):

- **Delivery**: MQLs with ``mql_at`` in [cutoff, as_of), valued at their bucket's lead value.
- **Rules**: each rule is judged in the month its deadline falls in, so every MQL is judged once
  per rule, and an MQL of M's last evening is judged in M+1. A deadline in M but after ``as_of`` is
  ``pending``. Only activities at or after ``mql_at`` count.
- **Don't be on the dashboard**: the reps (the lead's owner) with at least one breach in M.

The database does the work (``slanb/sql/tracking_*.sql``); only aggregates cross into Python,
plus the breached lead ids of the reps on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import polars as pl

from slanb.engine.calendar import REACH_DAYS, build_calendar, calendar_span
from slanb.engine.plan import Plan
from slanb.errors import SlanbError
from slanb.money import cents, dec, ratio, usd
from slanb.months import month_label, month_start, shift_month
from slanb.store.db import load_sql

BANDS = ("<1 h", "1–4 h", "4–24 h", ">24 h", "never")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Delivery:
    """Marketing's side: MQLs and lead value delivered in M so far, against the goals.

    ``by_bucket``: intent, fit, mqls, lead_value_per_mql, lead_value (matrix order; ``unknown``
    appears when the matrix has it or an MQL fell in it). ``lead_value`` is None when a delivered
    MQL's bucket has no value; attainments are None without a goal.
    """

    mqls: int
    goal_mqls: int | None
    attainment: float | None
    lead_value: float | None
    lead_value_goal: float | None
    lead_value_attainment: float | None
    by_bucket: pl.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``delivery`` key of :meth:`Tracking.to_dict`)."""
        return {
            "mqls": self.mqls,
            "attainment": self.attainment,
            "lead_value": self.lead_value,
            "lead_value_attainment": self.lead_value_attainment,
            "by_bucket": self.by_bucket.select("intent", "fit", "mqls", "lead_value").to_dicts(),
        }


@dataclass(frozen=True)
class FirstTouch:
    """The first-touch rule in M: judged = met + breached; pending counted apart.

    ``never_touched`` judged leads with no qualifying activity by ``as_of`` count as breached but
    are left out of ``median_hours`` and ``p90_hours`` (continuous quantiles, to 0.01 h).
    ``by_rep``: rep_id, name, judged, met, breached, pending, never_touched, median_hours,
    p90_hours.
    """

    hours: float
    judged: int
    met: int
    breached: int
    pending: int
    never_touched: int
    median_hours: float | None
    p90_hours: float | None
    by_rep: pl.DataFrame

    @property
    def met_share(self) -> float | None:
        """Met ÷ judged (None when nothing was judged)."""
        return self.met / self.judged if self.judged else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``first_touch`` key of :meth:`Tracking.to_dict`)."""
        return {
            "judged": self.judged,
            "met": self.met,
            "breached": self.breached,
            "pending": self.pending,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
        }


@dataclass(frozen=True)
class Cadence:
    """The cadence rule in M: judged = met + breached; excluded and pending counted apart.

    ``by_rep``: rep_id, name, judged, met, breached, excluded, pending.
    """

    judged: int
    met: int
    breached: int
    excluded: int
    pending: int
    by_rep: pl.DataFrame

    @property
    def met_share(self) -> float | None:
        """Met ÷ judged (None when nothing was judged)."""
        return self.met / self.judged if self.judged else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``cadence`` key of :meth:`Tracking.to_dict`)."""
        return {
            "judged": self.judged,
            "met": self.met,
            "breached": self.breached,
            "excluded": self.excluded,
            "pending": self.pending,
        }


@dataclass(frozen=True)
class Clock:
    """Which clock the rules ran on, and the first touch on both clocks, so they can be compared.

    ``sla_clock`` and ``cadence_clock`` are ``calendar`` or ``working``; ``clock_start`` is
    ``mql_at`` or ``assigned_at``. ``calendar_*`` and ``working_*``: first touches judged and met in
    M on each clock (each judged in the month its own deadline falls in); ``working_away``: those
    the working clock holds ``away`` (owner out of office), whichever clock rules. Medians are over the
    first touches judged on ``sla_clock``: ``raw_median_hours`` (calendar hours from the clock
    start), ``working_median_hours`` (the owner's working hours), ``routing_median_hours``
    (``mql_at`` → ``assigned_at``, the system's delay) and ``rep_median_hours`` (``assigned_at`` →
    first touch, the rep's). ``away``: leads whose owner was on time off when the clock started,
    not judged on the working clock. ``by_rep``: rep_id, name, the same medians, ``away`` and
    ``working_away``. With both rules on the calendar clock the working calendar is not built:
    ``working_judged``, ``working_met`` and ``working_median_hours`` are None (:attr:`compared` is
    False) and ``working_away`` counts by the calendar deadline's month.
    """

    sla_clock: str
    cadence_clock: str
    clock_start: str
    working_day_hours: float
    calendar_judged: int
    calendar_met: int
    working_judged: int | None
    working_met: int | None
    working_away: int
    raw_median_hours: float | None
    working_median_hours: float | None
    routing_median_hours: float | None
    rep_median_hours: float | None
    away: int
    cadence_away: int
    by_rep: pl.DataFrame

    @property
    def compared(self) -> bool:
        """Whether the working side was computed (a rule runs on the working clock)."""
        return self.working_judged is not None

    @property
    def calendar_breached(self) -> int:
        """First touches judged but not met on the calendar clock."""
        return self.calendar_judged - self.calendar_met

    @property
    def calendar_share(self) -> float | None:
        """Met ÷ judged on the calendar clock (None when nothing was judged)."""
        return self.calendar_met / self.calendar_judged if self.calendar_judged else None

    @property
    def working_breached(self) -> int | None:
        """First touches judged but not met on working hours (None when not computed)."""
        if self.working_judged is None or self.working_met is None:
            return None
        return self.working_judged - self.working_met

    @property
    def working_share(self) -> float | None:
        """Met ÷ judged on working hours (None when not computed or nothing was judged)."""
        if not self.working_judged or self.working_met is None:
            return None
        return self.working_met / self.working_judged

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``clock`` key of :meth:`Tracking.to_dict`)."""
        return {
            "sla_clock": self.sla_clock,
            "cadence_clock": self.cadence_clock,
            "clock_start": self.clock_start,
            "working_day_hours": self.working_day_hours,
            "calendar": {"judged": self.calendar_judged, "met": self.calendar_met},
            "working": {
                "judged": self.working_judged,
                "met": self.working_met,
                "away": self.working_away,
            },
            "raw_median_hours": self.raw_median_hours,
            "working_median_hours": self.working_median_hours,
            "routing_median_hours": self.routing_median_hours,
            "rep_median_hours": self.rep_median_hours,
            "away": self.away,
            "cadence_away": self.cadence_away,
        }


@dataclass(frozen=True)
class Tracking:
    """Both sides of the SLA for one month, judged at ``as_of``.

    Tables (polars): ``pacing`` (day, mqls, lead_value, goal_to_date, lead_value_goal_to_date, gap,
    lead_value_gap; gaps are goal minus delivered, positive when behind), ``waterfall`` (step, kind,
    amount, start, end: the lead-value goal built from each bucket's delivery plus the gap or
    surplus), ``dashboard`` (rep_id, name, late_first_touch, short_cadence, lead_ids) and
    ``speed_to_lead`` (band, mqls, sqls, won_leads, hand_raisers, sql_rate, won_rate,
    hand_raiser_share).
    """

    month: str
    as_of: datetime
    delivery: Delivery
    pacing: pl.DataFrame
    waterfall: pl.DataFrame
    first_touch: FirstTouch
    cadence: Cadence
    dashboard: pl.DataFrame
    speed_to_lead: pl.DataFrame
    messages: tuple[str, ...]
    clock: Clock | None = None

    @property
    def month_label(self) -> str:
        """``April 2026``."""
        return month_label(self.month)

    @property
    def in_progress(self) -> bool:
        """True when the month is judged before its end."""
        return self.as_of < month_start(shift_month(self.month, 1))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: delivery, pacing, first_touch, cadence, dashboard, speed_to_lead."""
        pacing = self.pacing.select(
            pl.col("day").dt.strftime("%Y-%m-%d"),
            "mqls",
            "lead_value",
            "goal_to_date",
            "lead_value_goal_to_date",
        )
        return {
            "delivery": self.delivery.to_dict(),
            "pacing": pacing.to_dicts(),
            "first_touch": self.first_touch.to_dict(),
            "cadence": self.cadence.to_dict(),
            "dashboard": self.dashboard.to_dicts(),
            "speed_to_lead": self.speed_to_lead.select(
                "band", "mqls", "sql_rate", "won_rate"
            ).to_dicts(),
            "tracking_messages": list(self.messages),
            "as_of": self.as_of.isoformat(),
            "in_progress": self.in_progress,
        } | ({} if self.clock is None else {"clock": self.clock.to_dict()})


# ---- the computation ---------------------------------------------------------------------------
def track(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    *,
    as_of: datetime,
    known_until: datetime | None,
    rules: pl.DataFrame | None = None,
) -> Tracking:
    """Judge the plan's month at ``as_of``: delivery, pacing, the two rules and the dashboard.

    The plan gives the goals, the lead value of each bucket (an MQL with a NULL intent or fit is
    valued at the matrix's ``unknown`` row, or at the overall revenue per MQL when the matrix has
    none) and the sales terms. ``as_of`` is capped at ``known_until`` (the instant the history is
    complete up to): touches after it are not in the history yet. ``rules``: the month's rows of
    :func:`calendar_rules`, when the caller judged it with other months in one pass (both rules
    on the calendar clock only; the composer passes the record's, ``engine.month.compute_on``).
    """
    month, p = plan.month, plan.params
    cutoff, end = month_start(month), month_start(shift_month(month, 1))
    goal_mqls, lead_value_goal = plan.goal.mqls, plan.goal.lead_value
    overall_value = plan.revenue_per_mql.value
    capped = known_until is not None and known_until < as_of
    if capped:
        as_of = known_until  # type: ignore[assignment]
    if as_of < cutoff:
        msg = (
            f"as_of {as_of:%Y-%m-%d %H:%M} is before the SLA month {month} begins: nothing can be "
            f"judged yet. Pass an as_of inside {month}, or an earlier month."
        )
        raise SlanbError(msg)
    values, unknown_in_matrix = _bucket_values(plan.matrix, overall_value)
    messages: list[str] = []
    if capped and as_of < end:
        messages.append(
            f"The history is complete up to {as_of:%Y-%m-%d %H:%M} UTC (its last import), so "
            f"{month} is judged as of then; import a newer export to judge it later."
        )

    delivery = _delivery(con, cutoff, as_of, values, unknown_in_matrix, goal_mqls, lead_value_goal)
    unknown = delivery.by_bucket.filter(pl.col("intent") == UNKNOWN)["mqls"].sum()
    if goal_mqls is None:
        messages.append(f"No MQL goal for {month}: MQL attainment and its pacing are undefined.")
    if lead_value_goal is None:
        messages.append(
            f"No lead-value goal for {month}: lead-value attainment, its pacing and the "
            "waterfall's gap are undefined."
        )
    if unknown and not unknown_in_matrix and overall_value is not None:
        messages.append(
            f"MQLs delivered in {month} with no intent or fit: {unknown:,}. The plan's matrix has "
            f"no unknown bucket, so they are valued at the overall revenue per MQL "
            f"({usd(overall_value)})."
        )
    if delivery.lead_value is None:
        messages.append(
            f"Some MQLs delivered in {month} are in buckets with no lead value (the plan has no "
            "revenue per MQL), so the lead value delivered is undefined."
        )

    window = p.sample_window
    # The working calendar is built only when a rule runs on the working clock; then both clocks
    # are computed for every lead (the scorecard compares them) and the calendar covers the sample
    # (speed-to-lead) and every clock start whose deadline can fall in M. On the calendar clock it
    # is left empty and the rules take the lean calendar query (track/rules_by_month.sql), or the
    # rows of M the caller computed with the record's months (``rules``): the working side is not
    # computed (docs/performance.md, "The working clock").
    working = p.sla_clock == "working" or p.cadence_clock == "working"
    reach_days = max(p.cadence_days, REACH_DAYS) if working else p.cadence_days
    reach_from = min(
        cutoff - timedelta(hours=p.first_touch_hours), cutoff - timedelta(days=reach_days)
    )
    first_day, last_day = calendar_span(min(window.start, reach_from), end)
    build_calendar(con, p, first_day=first_day, last_day=last_day, empty=not working)
    if working:
        rules = con.sql(
            load_sql("track/rules_by_rep"),
            params={
                "cutoff": cutoff,
                "end": end,
                "as_of": as_of,
                "reach_from": reach_from,
                "touch_us": round(p.first_touch_hours * 3_600_000_000),
                "cadence_us": round(p.cadence_days * p.working_day_hours * 3_600_000_000),
                "first_touch_kinds": list(p.first_touch_kinds),
                "cadence_days": p.cadence_days,
                "cadence_calls": p.cadence_calls,
                "cadence_kinds": list(p.cadence_kinds),
                "sla_clock": p.sla_clock,
                "cadence_clock": p.cadence_clock,
                "clock_start": p.clock_start,
            },
        ).pl()
    elif rules is None:
        rules = calendar_rules(
            con,
            months=[month],
            as_ofs=[as_of],
            terms=[p],
            detail_month=month,
            clock_start=p.clock_start,
        )
    else:
        rules = rules.filter(pl.col("month") == month)
    first_touch, cadence, dashboard = _rules(rules, hours=p.first_touch_hours)
    clock = _clock(rules, p)
    if as_of < end:
        away = ""
        if clock.away or clock.cadence_away:
            away = (
                f" {clock.away:,} first-touch and {clock.cadence_away:,} cadence deadlines are "
                "away (the owner was out of office when the clock started): not judged for the "
                "rep, whenever they fall."
            )
        messages.append(
            f"{month} is judged as of {as_of:%Y-%m-%d %H:%M} UTC: {first_touch.pending:,} "
            f"first-touch and {cadence.pending:,} cadence deadlines fall later in the month and "
            "are pending." + away
        )

    speed = (
        con.sql(
            load_sql("track/speed_to_lead"),
            params={
                "window_start": window.start,
                "window_end": window.end,
                "cutoff": cutoff,
                "first_touch_kinds": list(p.first_touch_kinds),
                "sla_clock": p.sla_clock,
                "clock_start": p.clock_start,
            },
        )
        .pl()
        .drop("position")
        .with_columns(pl.col("mqls", "sqls", "won_leads", "hand_raisers").cast(pl.Int64))
    )
    if speed["mqls"].sum() == 0:
        messages.append(
            f"No MQLs in the speed-to-lead sample ({window.first} to {window.last}): the bands "
            "are empty."
        )

    return Tracking(
        month=month,
        as_of=as_of,
        delivery=delivery,
        pacing=_pacing(con, cutoff, end, as_of, values, goal_mqls, lead_value_goal),
        waterfall=_waterfall(delivery),
        first_touch=first_touch,
        cadence=cadence,
        dashboard=dashboard,
        speed_to_lead=speed,
        messages=tuple(messages),
        clock=clock,
    )


def calendar_rules(
    con: duckdb.DuckDBPyConnection,
    *,
    months: list[str],
    as_ofs: list[datetime],
    terms: list[Any],
    detail_month: str,
    clock_start: str = "mql_at",
) -> pl.DataFrame:
    """Both sales rules on the calendar clock for ``months`` at once, each by its own ``terms``.

    One pass over the MQLs whose deadlines can fall in any of the months and their activities
    (``track/rules_by_month.sql``): one row per month and rep and one per month (``is_total``),
    with the columns of ``track/rules_by_rep.sql``; ``detail_month`` also gets its hours, delays,
    away leads and breached lead ids. ``terms[i]`` (a ``Terms`` or ``Params``) gives month i's
    first-touch hours and kinds and cadence days, calls and kinds; ``as_ofs[i]`` the instant it
    is judged at.
    """
    cutoffs = [month_start(m) for m in months]
    ends = [month_start(shift_month(m, 1)) for m in months]
    reach = [
        min(c - timedelta(hours=t.first_touch_hours), c - timedelta(days=t.cadence_days))
        for c, t in zip(cutoffs, terms, strict=True)
    ]
    kinds = sorted({k for t in terms for k in (*t.first_touch_kinds, *t.cadence_kinds)})
    return con.sql(
        load_sql("track/rules_by_month"),
        params={
            "months": months,
            "cutoffs": cutoffs,
            "ends": ends,
            "as_ofs": as_ofs,
            "first_touch_hours": [float(t.first_touch_hours) for t in terms],
            "first_touch_kinds": [list(t.first_touch_kinds) for t in terms],
            "cadence_days": [t.cadence_days for t in terms],
            "cadence_calls": [t.cadence_calls for t in terms],
            "cadence_kinds": [list(t.cadence_kinds) for t in terms],
            "kinds": kinds,
            "reach_from": min(reach),
            "reach_end": max(ends),
            "detail_month": detail_month,
            "clock_start": clock_start,
        },
    ).pl()


def _bucket_values(
    matrix: pl.DataFrame, overall_value: float | None
) -> tuple[dict[str, list[Any]], bool]:
    """The matrix as the three lists the SQL binds, with an ``unknown`` row added when missing."""
    intents = matrix["intent"].to_list()
    fits = matrix["fit"].to_list()
    lead_values = matrix["lead_value"].to_list()
    unknown_in_matrix = UNKNOWN in intents
    if not unknown_in_matrix:
        intents, fits = [*intents, UNKNOWN], [*fits, UNKNOWN]
        lead_values = [*lead_values, overall_value]
    lists = {"intents": intents, "fits": fits, "lead_values": lead_values}
    return lists, unknown_in_matrix


def _delivery(
    con: duckdb.DuckDBPyConnection,
    cutoff: datetime,
    as_of: datetime,
    values: dict[str, list[Any]],
    unknown_in_matrix: bool,
    goal_mqls: int | None,
    lead_value_goal: float | None,
) -> Delivery:
    rows = con.sql(
        load_sql("track/delivery_by_bucket"),
        params={"cutoff": cutoff, "as_of": as_of, **values},
    ).pl()
    by_bucket = rows.select(
        "intent",
        "fit",
        pl.col("mqls").cast(pl.Int64),
        pl.col("lead_value_per_mql").cast(pl.Float64),
        pl.col("lead_value").cast(pl.Float64),
    ).filter(unknown_in_matrix | (pl.col("intent") != UNKNOWN) | (pl.col("mqls") > 0))
    mqls = int(by_bucket["mqls"].sum())
    delivered = by_bucket.filter(pl.col("mqls") > 0)["lead_value"].to_list()
    lead_value = (
        None
        if any(v is None for v in delivered)
        else cents(sum((dec(v) for v in delivered), Decimal(0)))
    )
    return Delivery(
        mqls=mqls,
        goal_mqls=goal_mqls,
        attainment=ratio(mqls, goal_mqls, 4) if goal_mqls else None,
        lead_value=lead_value,
        lead_value_goal=None if lead_value_goal is None else cents(lead_value_goal),
        lead_value_attainment=(
            ratio(lead_value, lead_value_goal, 4)
            if lead_value is not None and lead_value_goal
            else None
        ),
        by_bucket=by_bucket,
    )


def _pacing(
    con: duckdb.DuckDBPyConnection,
    cutoff: datetime,
    end: datetime,
    as_of: datetime,
    values: dict[str, list[Any]],
    goal_mqls: int | None,
    lead_value_goal: float | None,
) -> pl.DataFrame:
    """Cumulative delivery per day against the goals pro-rated by day (goal × day ÷ days in M)."""
    rows = con.sql(
        load_sql("track/pacing_by_day"),
        params={"cutoff": cutoff, "as_of": as_of, **values},
    ).pl()
    days = (end - cutoff).days

    def to_date(goal: float | None) -> list[float | None]:
        if goal is None:
            return [None] * rows.height
        return [
            float((dec(goal) * n / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            for n in range(1, rows.height + 1)
        ]

    return (
        rows.select(
            "day",
            pl.col("mqls").cast(pl.Int64),
            pl.when(pl.col("unvalued") == 0)
            .then(pl.col("lead_value").cast(pl.Float64))
            .alias("lead_value"),
        )
        .with_columns(
            pl.Series("goal_to_date", to_date(goal_mqls), dtype=pl.Float64),
            pl.Series("lead_value_goal_to_date", to_date(lead_value_goal), dtype=pl.Float64),
        )
        .with_columns(
            (pl.col("goal_to_date") - pl.col("mqls")).round(2).alias("gap"),
            (pl.col("lead_value_goal_to_date") - pl.col("lead_value"))
            .round(2)
            .alias("lead_value_gap"),
        )
    )


def _waterfall(delivery: Delivery) -> pl.DataFrame:
    """Each bucket's lead value stacked up, then the gap (or surplus) to the goal, then the goal.

    Rows: step (``hand_raiser A``, ``gap``, ``surplus``, ``goal`` or ``delivered``), kind
    (``bucket``, ``gap``, ``surplus``, ``total``), amount, start, end (the bar runs start → end).
    Empty when the lead value delivered is undefined.
    """
    schema = {
        "step": pl.String,
        "kind": pl.String,
        "amount": pl.Float64,
        "start": pl.Float64,
        "end": pl.Float64,
    }
    if delivery.lead_value is None:
        return pl.DataFrame(schema=schema)
    steps: list[tuple[str, str, Decimal, Decimal, Decimal]] = []
    level = Decimal(0)
    for r in delivery.by_bucket.to_dicts():
        amount = dec(r["lead_value"] or 0)
        label = UNKNOWN if r["intent"] == UNKNOWN else f"{r['intent']} {r['fit']}"
        steps.append((label, "bucket", amount, level, level + amount))
        level += amount
    if delivery.lead_value_goal is None:
        steps.append(("delivered", "total", level, Decimal(0), level))
    else:
        goal = dec(delivery.lead_value_goal)
        kind = "surplus" if level > goal else "gap"
        steps.append((kind, kind, goal - level, level, goal))
        steps.append(("goal", "total", goal, Decimal(0), goal))
    return pl.DataFrame(
        [(s, k, cents(a), cents(b), cents(e)) for s, k, a, b, e in steps],
        schema=schema,
        orient="row",
    )


def _clock(rules: pl.DataFrame, p: Any) -> Clock:
    counts = [
        "calendar_judged",
        "calendar_met",
        "working_judged",
        "working_met",
        "working_away",
        "touch_away",
    ]
    rules = rules.with_columns(pl.col(*counts, "cadence_away").cast(pl.Int64))
    total = rules.filter(pl.col("is_total")).row(0, named=True)
    compared = p.sla_clock == "working" or p.cadence_clock == "working"
    medians = [
        "raw_median_hours",
        "working_median_hours",
        "routing_median_hours",
        "rep_median_hours",
    ]
    return Clock(
        sla_clock=p.sla_clock,
        cadence_clock=p.cadence_clock,
        clock_start=p.clock_start,
        working_day_hours=p.working_day_hours,
        calendar_judged=total["calendar_judged"],
        calendar_met=total["calendar_met"],
        working_judged=total["working_judged"] if compared else None,
        working_met=total["working_met"] if compared else None,
        working_away=total["working_away"],
        raw_median_hours=total["raw_median_hours"],
        working_median_hours=total["working_median_hours"] if compared else None,
        routing_median_hours=total["routing_median_hours"],
        rep_median_hours=total["rep_median_hours"],
        away=total["touch_away"],
        cadence_away=total["cadence_away"],
        by_rep=rules.filter(~pl.col("is_total")).select(
            "rep_id", "name", *medians, pl.col("touch_away").alias("away"), "working_away"
        ),
    )


def _rules(rules: pl.DataFrame, *, hours: float) -> tuple[FirstTouch, Cadence, pl.DataFrame]:
    counts = [
        c for c in rules.columns if c.startswith(("touch_", "cadence_")) or c == "never_touched"
    ]
    rules = rules.with_columns(pl.col(counts).cast(pl.Int64))
    total = rules.filter(pl.col("is_total")).row(0, named=True)
    reps = rules.filter(~pl.col("is_total"))
    first_touch = FirstTouch(
        hours=hours,
        judged=total["touch_judged"],
        met=total["touch_met"],
        breached=total["touch_breached"],
        pending=total["touch_pending"],
        never_touched=total["never_touched"],
        median_hours=total["median_hours"],
        p90_hours=total["p90_hours"],
        by_rep=reps.select(
            "rep_id",
            "name",
            pl.col("touch_judged").alias("judged"),
            pl.col("touch_met").alias("met"),
            pl.col("touch_breached").alias("breached"),
            pl.col("touch_pending").alias("pending"),
            "never_touched",
            "median_hours",
            "p90_hours",
        ),
    )
    cadence = Cadence(
        judged=total["cadence_judged"],
        met=total["cadence_met"],
        breached=total["cadence_breached"],
        excluded=total["cadence_excluded"],
        pending=total["cadence_pending"],
        by_rep=reps.select(
            "rep_id",
            "name",
            pl.col("cadence_judged").alias("judged"),
            pl.col("cadence_met").alias("met"),
            pl.col("cadence_breached").alias("breached"),
            pl.col("cadence_excluded").alias("excluded"),
            pl.col("cadence_pending").alias("pending"),
        ),
    )
    dashboard = reps.filter(pl.col("touch_breached") + pl.col("cadence_breached") > 0).select(
        "rep_id",
        "name",
        pl.col("touch_breached").alias("late_first_touch"),
        pl.col("cadence_breached").alias("short_cadence"),
        pl.col("breached_lead_ids").cast(pl.List(pl.String)).alias("lead_ids"),
    )
    return first_touch, cadence, dashboard
