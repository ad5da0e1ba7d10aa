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

from slanb.errors import SlanbError
from slanb.money import cents, dec, dollars, percent, ratio, usd
from slanb.months import month_label, month_of
from slanb.params import Params
from slanb.store import history
from slanb.store.db import load_sql

BANDS = ("<1 h", "1–4 h", "4–24 h", ">24 h", "never")
UNKNOWN = "unknown"
_LEAD_IDS_SHOWN = 4  # lead ids printed per rep in the terminal table; to_dict() has them all


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
    params: Params
    delivery: Delivery
    pacing: pl.DataFrame
    waterfall: pl.DataFrame
    first_touch: FirstTouch
    cadence: Cadence
    dashboard: pl.DataFrame
    speed_to_lead: pl.DataFrame
    messages: tuple[str, ...]

    @property
    def month_label(self) -> str:
        """``April 2026``."""
        return month_label(self.month)

    @property
    def in_progress(self) -> bool:
        """True when the month is judged before its end."""
        return self.as_of < self.params.end

    def headline(self) -> str:
        """Marketing delivered 712 of 750 MQLs (95%, $71,300 of $75,000 lead value); sales ... .

        Money in whole dollars, as every page states totals.
        """
        d, ft = self.delivery, self.first_touch
        so_far = " so far" if self.in_progress else ""
        value = "lead value undefined" if d.lead_value is None else f"{dollars(d.lead_value)}"
        if d.lead_value is not None:
            value += (
                " lead value"
                if d.lead_value_goal is None
                else f" of {dollars(d.lead_value_goal)} lead value"
            )
        if d.goal_mqls is None:
            market = f"Marketing delivered {d.mqls:,} MQLs{so_far} ({value})"
        else:
            market = (
                f"Marketing delivered {d.mqls:,} of {d.goal_mqls:,} MQLs{so_far} "
                f"({percent(d.attainment)}, {value})"
            )
        hours = f"{ft.hours:g} h"
        if ft.met_share is None:
            sales = f"no MQL has reached its {hours} first-touch deadline yet"
        else:
            sales = f"sales touched {percent(ft.met_share)} of MQLs within {hours}"
        return f"{market}; {sales}; {self._dashboard_count()}"

    def _dashboard_count(self) -> str:
        ids = self.dashboard["rep_id"].to_list()
        reps = sum(1 for r in ids if r != "unassigned")
        if not ids:
            return "no rep is on the dashboard"
        text = (
            "no rep is" if reps == 0 else "1 rep is" if reps == 1 else f"{reps} reps are"
        ) + " on the dashboard"
        if "unassigned" in ids:
            text += ", plus unassigned leads" if reps else " but unassigned leads are"
        return text

    def format_dashboard(self) -> str:
        """The "don't be on the dashboard" table for a terminal, or a sentence when it is empty."""
        p = self.params
        when = f"as of {self.as_of:%Y-%m-%d %H:%M} UTC" if self.in_progress else "the whole month"
        rules = (
            f"Late first touch: no {_kinds(p.first_touch_kinds)} within {p.first_touch_hours:g} h "
            f"of becoming an MQL. Short cadence: fewer than "
            f"{_touches(p.cadence_calls, p.cadence_kinds)} in the first {p.cadence_days} days "
            "(leads with a deal created in that window are excluded)."
        )
        title = f"Don't be on the dashboard: {self.month_label} ({when})"
        if self.dashboard.is_empty():
            return "\n".join([title, "", self._empty_sentence()])
        rows = [
            (
                r["name"],
                str(r["late_first_touch"]),
                str(r["short_cadence"]),
                _lead_list(r["lead_ids"]),
            )
            for r in self.dashboard.to_dicts()
        ]
        width = max(len("Rep"), *(len(r[0]) for r in rows))
        header = f"  {'Rep':<{width}}  {'Late first touch':>16}  {'Short cadence':>13}  Leads"
        lines = [title, rules, "", header]
        lines += [f"  {n:<{width}}  {late:>16}  {short:>13}  {ids}" for n, late, short, ids in rows]
        return "\n".join(lines)

    def _empty_sentence(self) -> str:
        ft, c, p = self.first_touch, self.cadence, self.params
        if ft.judged == 0 and c.judged == 0:
            return (
                f"No rep is on the dashboard for {self.month_label}: no first-touch or cadence "
                "deadline has passed yet."
            )
        return (
            f"No rep is on the dashboard for {self.month_label}: every MQL judged was touched "
            f"within {p.first_touch_hours:g} h ({_count(ft.judged, 'MQL')} judged) and worked with "
            f"at least {_touches(p.cadence_calls, p.cadence_kinds)} in its first "
            f"{p.cadence_days} days ({_count(c.judged, 'MQL')} judged)."
        )

    def speed_to_lead_note(self) -> str:
        """The warning that goes with the speed-to-lead table: hand-raisers are called faster.

        Names the hand-raiser share of the fastest and the slowest timed band with MQLs, and says
        whether the mix favours the faster band in this history.
        """
        base = (
            "Hand-raisers tend to be called faster, so the bands can mix intent with speed: read "
            "the hand-raiser share per band before crediting speed for a band's higher rates."
        )
        rows = [r for r in self.speed_to_lead.to_dicts() if r["band"] != "never" and r["mqls"]]
        if len(rows) < 2:
            return base
        fast, slow = rows[0], rows[-1]
        mix = (
            "so part of the faster band's lead is intent, not speed"
            if fast["hand_raiser_share"] > slow["hand_raiser_share"]
            else "so here the mix does not favour the faster band"
        )
        return (
            f"{base} Here hand-raisers are {percent(fast['hand_raiser_share'])} of the MQLs first "
            f"touched in {fast['band']} and {percent(slow['hand_raiser_share'])} of those touched in "
            f"{slow['band']}, {mix}."
        )

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
        }


# ---- the computation ---------------------------------------------------------------------------
def track(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    matrix: pl.DataFrame,
    goal_mqls: int | None,
    lead_value_goal: float | None,
    overall_value: float | None,
) -> Tracking:
    """Judge ``params.month`` at ``params.as_of_instant``: delivery, pacing, rules and dashboard.

    ``matrix`` is the plan's lead-value matrix (columns intent, fit, lead_value); an MQL with a NULL
    intent or fit is valued at its ``unknown`` row, or at ``overall_value`` (the plan's revenue per
    MQL) when the matrix has none. ``goal_mqls`` and ``lead_value_goal`` are the plan's goals (None
    when undefined: attainment and the pro-rated goals are then None).
    """
    if params.month is None:
        msg = "track() needs a resolved SLA month: pass params with month='YYYY-MM'."
        raise SlanbError(msg)
    month = params.month
    as_of = params.as_of_instant
    known = history.recorded_export(con)
    capped = known is not None and known < as_of
    if capped:
        as_of = known  # never judge past what the history knows: touches after it are not in yet
    if as_of < params.cutoff:
        msg = (
            f"as_of {as_of:%Y-%m-%d %H:%M} is before the SLA month {month} begins: nothing can be "
            f"judged yet. Pass an as_of inside {month}, or an earlier month."
        )
        raise SlanbError(msg)
    values, unknown_in_matrix = _bucket_values(matrix, overall_value)
    messages: list[str] = []
    if capped and as_of < params.end:
        messages.append(
            f"The history is complete up to {as_of:%Y-%m-%d %H:%M} UTC (its last import), so "
            f"{month} is judged as of then; import a newer export to judge it later."
        )

    delivery = _delivery(con, params, as_of, values, unknown_in_matrix, goal_mqls, lead_value_goal)
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
            f"{_count(unknown, 'MQL')} delivered in {month} had no intent or fit; the plan's "
            f"matrix has no unknown bucket, so they are valued at the overall revenue per MQL "
            f"({usd(overall_value)})."
        )
    if delivery.lead_value is None:
        messages.append(
            f"Some MQLs delivered in {month} are in buckets with no lead value (the plan has no "
            "revenue per MQL), so the lead value delivered is undefined."
        )

    rules = con.sql(
        load_sql("track/rules_by_rep"),
        params={
            "cutoff": params.cutoff,
            "end": params.end,
            "as_of": as_of,
            "first_touch_hours": params.first_touch_hours,
            "first_touch_kinds": list(params.first_touch_kinds),
            "cadence_days": params.cadence_days,
            "cadence_calls": params.cadence_calls,
            "cadence_kinds": list(params.cadence_kinds),
        },
    ).pl()
    first_touch, cadence, dashboard = _rules(rules, params)
    if as_of < params.end:
        messages.append(
            f"{month} is judged as of {as_of:%Y-%m-%d %H:%M} UTC: {first_touch.pending:,} "
            f"first-touch and {cadence.pending:,} cadence deadlines fall later in the month and "
            "are pending."
        )

    speed = (
        con.sql(
            load_sql("track/speed_to_lead"),
            params={
                "window_start": params.window_start,
                "window_end": params.window_end,
                "cutoff": params.cutoff,
                "first_touch_kinds": list(params.first_touch_kinds),
            },
        )
        .pl()
        .drop("position")
        .with_columns(pl.col("mqls", "sqls", "won_leads", "hand_raisers").cast(pl.Int64))
    )
    if speed["mqls"].sum() == 0:
        messages.append(
            f"No MQLs in the speed-to-lead sample ({month_of(params.window_start)} to "
            f"{month_of(params.window_end)}, end excluded): the bands are empty."
        )

    return Tracking(
        month=month,
        as_of=as_of,
        params=params,
        delivery=delivery,
        pacing=_pacing(con, params, as_of, values, goal_mqls, lead_value_goal),
        waterfall=_waterfall(delivery),
        first_touch=first_touch,
        cadence=cadence,
        dashboard=dashboard,
        speed_to_lead=speed,
        messages=tuple(messages),
    )


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
    params: Params,
    as_of: datetime,
    values: dict[str, list[Any]],
    unknown_in_matrix: bool,
    goal_mqls: int | None,
    lead_value_goal: float | None,
) -> Delivery:
    rows = con.sql(
        load_sql("track/delivery_by_bucket"),
        params={"cutoff": params.cutoff, "as_of": as_of, **values},
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
    params: Params,
    as_of: datetime,
    values: dict[str, list[Any]],
    goal_mqls: int | None,
    lead_value_goal: float | None,
) -> pl.DataFrame:
    """Cumulative delivery per day against the goals pro-rated by day (goal × day ÷ days in M)."""
    rows = con.sql(
        load_sql("track/pacing_by_day"),
        params={"cutoff": params.cutoff, "as_of": as_of, **values},
    ).pl()
    days = (params.end - params.cutoff).days

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


def _rules(rules: pl.DataFrame, params: Params) -> tuple[FirstTouch, Cadence, pl.DataFrame]:
    counts = [
        c for c in rules.columns if c.startswith(("touch_", "cadence_")) or c == "never_touched"
    ]
    rules = rules.with_columns(pl.col(counts).cast(pl.Int64))
    total = rules.filter(pl.col("is_total")).row(0, named=True)
    reps = rules.filter(~pl.col("is_total"))
    first_touch = FirstTouch(
        hours=params.first_touch_hours,
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


# ---- the command -------------------------------------------------------------------------------
def dashboard_cli(
    params_file: str | None, as_of: str | None, month: str | None, db: str | None
) -> int:
    """``slanb dashboard``: print the headline and the dashboard for the month in progress.

    The month is ``month``, else the params file's, else the month holding ``as_of``, else the month
    holding now. Returns the exit code.
    """
    # imported here: slanb.plan may import this module to attach tracking to the Plan
    from slanb.engine.plan import plan_on
    from slanb.params import load_params
    from slanb.store import db as slanb_db

    params = load_params(params_file, as_of=as_of, month=month, db=db)
    with slanb_db.connect(params.db_path) as con:
        if params.month is None:
            # the month in progress: the one holding as_of (or now), but never past the history
            at = params.as_of_or_now
            known = history.recorded_export(con)
            if known is not None and known <= at:
                at = known - timedelta(microseconds=1)
            params = params.replace(month=month_of(at))
        p = plan_on(con, params)
        t = track(
            con,
            p.params,
            p.matrix,
            p.goal.mqls,
            p.goal.lead_value,
            p.revenue_per_mql.value,
        )
    lines = [t.headline() + ".", "", t.format_dashboard()]
    if t.messages:
        lines += ["", "Notes:", *[f"  - {m}" for m in t.messages]]
    print("\n".join(lines))
    return 0


# ---- helpers ----------------------------------------------------------------------------------
def _kinds(kinds: tuple[str, ...]) -> str:
    """``call or email``; ``call, email or meeting``."""
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


def _count(n: int, noun: str) -> str:
    """``1 MQL``, ``5 MQLs``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _touches(n: int, kinds: tuple[str, ...]) -> str:
    """``5 calls``; ``5 touches (call or email)``."""
    if len(kinds) == 1:
        return _count(n, kinds[0])
    return f"{n:,} {'touch' if n == 1 else 'touches'} ({_kinds(kinds)})"


def _lead_list(ids: list[str]) -> str:
    shown = ", ".join(ids[:_LEAD_IDS_SHOWN])
    more = len(ids) - _LEAD_IDS_SHOWN
    return shown + (f" … (+{more:,} more)" if more > 0 else "")
