"""The same plan three ways: slanb, the hand-written SQL floor, and an analyst's pandas notebook.

Each way computes the engine's steps (volume, sample = revenue per MQL + matrix + funnel, active
reps, tracking) for one SLA month and returns *answers*: a small JSON-ready dict of the numbers the
three must agree on (``compare`` checks them). Timing and memory are the worker's business.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from slanb.months import month_of, month_range, month_start, shift_month
from slanb.params import Params

STEPS = ("volume", "sample", "reps", "tracking")
HONEST = ("maturity", "intervals", "forecast")  # issue 16: slanb only, timed beside the steps
BUCKETS = [(i, f) for i in ("hand_raiser", "other") for f in ("A", "B", "C")]
BANDS = ("<1 h", "1–4 h", "4–24 h", ">24 h", "never")
_SQL = Path(__file__).with_name("sql")
_CENT = Decimal("0.01")

Answers = dict[str, Any]


def bench_params(db: str, month: str) -> Params:
    """The benchmark's parameters: the defaults, for ``month`` of the history at ``db``."""
    return Params(db=db, month=month)


def _cents(x: Any) -> float:
    return float(Decimal(str(x)).quantize(_CENT, rounding=ROUND_HALF_UP))


def _key(intent: str, fit: str) -> str:
    return f"{intent} {fit}"


# ---- slanb ---------------------------------------------------------------------------------------
def slanb_plan(params: Params) -> Answers:
    """``slanb.compute`` as a notebook calls it: opens the history, resolves the month (the last
    complete one), plans and tracks it, closes the history."""
    from slanb.engine.month import compute

    return _plan_answers(compute(Params(db=params.db)))


def _plan_answers(sla: Any) -> Answers:
    p = sla.plan
    out: Answers = {}
    out.update(_slanb_volume_answers(p.volume, p.params))
    out.update(_slanb_sample_answers(p.revenue_per_mql, p.matrix, p.funnel))
    out["active_reps"] = p.goal.active_reps
    out["goal_mqls"] = p.goal.mqls
    out.update(_slanb_tracking_answers(sla.tracking))
    return out


def slanb_steps(con: duckdb.DuckDBPyConnection, params: Params) -> dict[str, Callable[[], Any]]:
    """Each engine step as a thunk on an open connection, in plan order (later steps reuse earlier
    results, computed once outside the timed call)."""
    from slanb.engine.forecast import forecast_month, volume_history
    from slanb.engine.funnel import reverse_funnel
    from slanb.engine.goals import active_reps, back_solve, revenue_target
    from slanb.engine.intervals import uncertainty
    from slanb.engine.maturity import cohort_lags, time_to_close
    from slanb.engine.plan import plan_month
    from slanb.engine.tracking import track
    from slanb.engine.value import lead_value_matrix, revenue_per_mql, sample
    from slanb.engine.volume import volume
    from slanb.store import history

    month, window = params.month or "", params.sample_window
    known = history.recorded_export(con)
    # tracking takes the whole plan: made once here, outside the timed calls
    plan = plan_month(con, params, known_until=known, history_start=history.first_month(con))
    state: dict[str, Any] = {}

    def do_volume() -> Answers:
        v = volume(
            con,
            month=month,
            lookback_months=params.lookback_months,
            window=window,
            known_until=known,
        )
        return _slanb_volume_answers(v, params)

    def do_sample() -> Answers:
        rows = sample(con, month=month, window=window, touch_kinds=params.first_touch_kinds)
        rpm = revenue_per_mql(rows, month=month, window=window)
        matrix = lead_value_matrix(rows, rpm.value)
        funnel = reverse_funnel(rows, None)
        state.update(rows=rows, rpm=rpm, matrix=matrix)
        return _slanb_sample_answers(rpm, matrix, funnel)

    def do_reps() -> Answers:
        target = revenue_target(
            params.goal_for(month), month=month, marketing_share=params.marketing_share
        )
        goal = back_solve(target, state["rpm"].value, active_reps(con, month=month))
        state.update(goal=goal, target=target)
        return {"active_reps": goal.active_reps, "goal_mqls": goal.mqls}

    def do_tracking() -> Answers:
        t = track(con, plan, as_of=params.as_of_instant, known_until=known)
        return _slanb_tracking_answers(t)

    def do_record() -> Answers:
        # the record (issue 13): every month of the lookback by grouped SQL, no plan per month,
        # its rules pass included; the composer shares that pass with the month's tracking, so
        # tracking + record here overstate compute by M's rules (benchmarks/record_cost.py)
        from slanb.engine.record import record
        from slanb.store.ledger import Ledger

        r = record(
            con,
            params,
            as_of=params.as_of_instant,
            known_until=known,
            history_start=history.first_month(con),
            ledger=Ledger(None),
        )
        return {"record_months": r.months.height, "record_mqls": int(r.months["mqls"].sum())}

    def do_maturity() -> Answers:
        m = time_to_close(
            state["rpm"].by_month.select("month", "mqls"),
            cohort_lags(con, month=month, first_month=window.first),
            month=month,
            last_sample_month=window.last,
            maturity_months=params.maturity_months,
            threshold=params.maturity_threshold,
        )
        return {"months_to_threshold": m.months_to_threshold}

    def do_intervals() -> Answers:
        u = uncertainty(
            state["rows"],
            state["matrix"],
            revenue_target=state["target"].revenue_target,
            level=params.interval_level,
        )
        return {"goal_range": [u.goal_low, u.goal_high]}

    def do_forecast() -> Answers:
        f = forecast_month(
            volume_history(con, month=month, known_until=known),
            month=month,
            goal_mqls=state["goal"].mqls,
            level=params.interval_level,
        )
        return {"probability": f.probability}

    return {
        "volume": do_volume,
        "sample": do_sample,
        "reps": do_reps,
        "tracking": do_tracking,
        "record": do_record,
        "maturity": do_maturity,
        "intervals": do_intervals,
        "forecast": do_forecast,
    }


def _slanb_volume_answers(v: Any, params: Params) -> Answers:
    units = {
        r["unit"]: [r["per_month"], r["sample"], r["won_leads"], r["revenue"]]
        for r in v.units.to_dicts()
    }
    return {
        "months": [[r["month"], r["mqls"]] for r in v.months.to_dicts()],
        "trailing_3_avg": None if v.trailing_3_avg is None else round(v.trailing_3_avg, 2),
        "units": units,
    }


def _slanb_sample_answers(rpm: Any, matrix: Any, funnel: Any) -> Answers:
    return {
        "sample_mqls": rpm.mqls,
        "revenue": rpm.revenue,
        "revenue_per_mql": rpm.value,
        "matrix": {_key(r["intent"], r["fit"]): r["lead_value"] for r in matrix.to_dicts()},
        "funnel": [r["count"] for r in funnel.stages.to_dicts()],
    }


def _slanb_tracking_answers(t: Any) -> Answers:
    if t is None:
        return {}
    ft, c = t.first_touch, t.cadence
    return {
        "delivered_mqls": t.delivery.mqls,
        "delivered_lead_value": t.delivery.lead_value,
        "first_touch": [ft.met, ft.breached, ft.pending],
        "first_touch_median_hours": ft.median_hours,
        "cadence": [c.met, c.breached, c.excluded, c.pending],
        "dashboard_reps": t.dashboard.height,
        "speed_to_lead": {r["band"]: r["mqls"] for r in t.speed_to_lead.to_dicts()},
    }


# ---- the SQL floor -------------------------------------------------------------------------------
@cache
def floor_sql(name: str) -> str:
    """The text of ``benchmarks/sql/floor_{name}.sql``."""
    return (_SQL / f"floor_{name}.sql").read_text(encoding="utf-8")


def floor_steps(con: duckdb.DuckDBPyConnection, params: Params) -> dict[str, Callable[[], Any]]:
    """One hand-written query per step; Python only turns its few aggregate rows into answers."""
    month = params.month or ""
    cutoff, end = params.cutoff, params.end
    state: dict[str, Any] = {}

    def do_volume() -> Answers:
        span = max(params.lookback_months, 12)
        ((months, first, *units),) = con.sql(
            floor_sql("volume"),
            params={
                "span_start": month_start(shift_month(month, -span)),
                "volume_start": month_start(shift_month(month, -params.lookback_months)),
                "cutoff": cutoff,
                "window_start": params.sample_window.start,
                "window_end": params.sample_window.end,
            },
        ).fetchall()
        per_month: dict[str, int] = {}
        for m in months:
            key = month_of(m["month_start"])
            per_month[key] = per_month.get(key, 0) + m["mqls"]
        first_month = month_of(first) if first else None
        covered = [
            m
            for m in month_range(shift_month(month, -span), shift_month(month, -1))
            if first_month is not None and m >= first_month
        ]
        counts = [[m, per_month.get(m, 0)] for m in covered]
        last3 = [n for m, n in counts if m >= shift_month(month, -3)]
        lookback = [c for c in counts if c[0] >= shift_month(month, -params.lookback_months)]
        recent, sample, won, revenue = units[0:3], units[3:6], units[6:9], units[9:12]
        lb = params.lookback_months
        return {
            "months": lookback,
            "trailing_3_avg": round(sum(last3) / 3, 2) if len(last3) == 3 else None,
            "units": {
                u: [round(recent[i] / lb, 1), sample[i], won[i], _cents(revenue[i])]
                for i, u in enumerate(("leads", "mqls", "sqls"))
            },
        }

    def do_sample() -> Answers:
        rows = con.sql(
            floor_sql("sample"),
            params={
                "start": params.sample_window.start,
                "cutoff": cutoff,
                "touch_kinds": list(params.first_touch_kinds),
            },
        ).fetchall()
        inside = [r for r in rows if r[0] < params.sample_window.end]
        mqls = sum(r[3] for r in inside)
        revenue = sum((r[9] for r in inside), Decimal(0))
        value = (revenue / mqls).quantize(_CENT, ROUND_HALF_UP) if mqls else None
        buckets: dict[str, list[Any]] = {_key(i, f): [0, Decimal(0)] for i, f in BUCKETS}
        for r in inside:
            b = buckets.setdefault(_key(r[1], r[2]), [0, Decimal(0)])
            b[0] += r[3]
            b[1] += r[9]
        matrix = {
            k: float((rev / n).quantize(_CENT, ROUND_HALF_UP))
            if n
            else (None if value is None else float(value))
            for k, (n, rev) in buckets.items()
        }
        funnel = [sum(r[c] for r in inside) for c in (3, 4, 5, 6, 7)]
        state.update(value=value, matrix=matrix)
        return {
            "sample_mqls": mqls,
            "revenue": _cents(revenue),
            "revenue_per_mql": None if value is None else float(value),
            "matrix": matrix,
            "funnel": funnel,
        }

    def do_reps() -> Answers:
        ((reps, _names),) = con.sql(
            floor_sql("active_reps"), params={"month_start": cutoff, "month_end": end}
        ).fetchall()
        goal = params.goal_for(month)
        value = state["value"]
        mqls = None
        if goal is not None and value:
            target = (Decimal(str(goal)) * Decimal(str(params.marketing_share))).quantize(
                _CENT, ROUND_HALF_UP
            )
            mqls = int((target / value).to_integral_value(rounding=ROUND_CEILING))
            state["lead_value_goal"] = target
        state["goal_mqls"] = mqls
        return {"active_reps": reps, "goal_mqls": mqls}

    def do_tracking() -> Answers:
        as_of = _as_of(con, params)
        matrix = dict(state["matrix"])
        if "unknown unknown" not in matrix:
            matrix["unknown unknown"] = None if state["value"] is None else float(state["value"])
        keys = list(matrix)
        reach = max(timedelta(hours=params.first_touch_hours), timedelta(days=params.cadence_days))
        ((delivery, _pacing, rules, speed),) = con.sql(
            floor_sql("tracking"),
            params={
                "intents": [k.split(" ")[0] for k in keys],
                "fits": [k.split(" ")[1] for k in keys],
                "lead_values": [matrix[k] for k in keys],
                "cutoff": cutoff,
                "end": end,
                "as_of": as_of,
                "activity_start": cutoff - reach,
                "first_touch_hours": params.first_touch_hours,
                "first_touch_kinds": list(params.first_touch_kinds),
                "cadence_days": params.cadence_days,
                "cadence_calls": params.cadence_calls,
                "cadence_kinds": list(params.cadence_kinds),
                "window_start": params.sample_window.start,
                "window_end": params.sample_window.end,
            },
        ).fetchall()
        total = next(r for r in rules if r["is_total"])
        values = [d["lead_value"] for d in delivery]
        bands = {s["band"]: s["mqls"] for s in speed}
        return {
            "delivered_mqls": sum(d["mqls"] for d in delivery),
            "delivered_lead_value": None
            if any(v is None for v in values)
            else _cents(sum(values, Decimal(0))),
            "first_touch": [total["touch_met"], total["touch_breached"], total["touch_pending"]],
            "first_touch_median_hours": total["median_hours"],
            "cadence": [
                total["cadence_met"],
                total["cadence_breached"],
                total["cadence_excluded"],
                total["cadence_pending"],
            ],
            "dashboard_reps": sum(
                1
                for r in rules
                if not r["is_total"] and r["touch_breached"] + r["cadence_breached"] > 0
            ),
            "speed_to_lead": {b: bands.get(b, 0) for b in BANDS},
        }

    return {"volume": do_volume, "sample": do_sample, "reps": do_reps, "tracking": do_tracking}


def _as_of(con: duckdb.DuckDBPyConnection, params: Params) -> datetime:
    """The end of M, capped at the recorded export (as slanb judges it)."""
    rows = con.sql(
        "select max(try_cast(value as timestamp)) from slanb_meta where key = 'exported_at'"
    ).fetchall()
    known = rows[0][0] if rows else None
    return min(params.as_of_instant, known) if known else params.as_of_instant


# ---- pandas --------------------------------------------------------------------------------------
def pandas_load(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Read the four tables into pandas, as a notebook would."""
    return {t: con.table(t).df() for t in ("leads", "activities", "deals", "reps")} | {
        "meta": con.table("slanb_meta").df()
    }


def pandas_steps(tables: dict[str, Any], params: Params) -> dict[str, Callable[[], Any]]:
    """The straightforward pandas an analyst writes: filter, merge, groupby."""
    import pandas as pd

    leads, acts, deals, reps = (tables[t] for t in ("leads", "activities", "deals", "reps"))
    month = params.month or ""
    cutoff, end = pd.Timestamp(params.cutoff), pd.Timestamp(params.end)
    state: dict[str, Any] = {}

    def won_by_lead() -> Any:
        won = deals[(deals.stage == "won") & (deals.closed_at < cutoff)].copy()
        won["amount"] = won.amount.round(2)
        return won.groupby("lead_id").agg(won_deals=("deal_id", "size"), revenue=("amount", "sum"))

    def do_volume() -> Answers:
        span = max(params.lookback_months, 12)
        span_start = pd.Timestamp(month_start(shift_month(month, -span)))
        mq = leads[(leads.mql_at >= span_start) & (leads.mql_at < cutoff)]
        per_month = mq.groupby(mq.mql_at.dt.strftime("%Y-%m")).size().to_dict()
        first_month = month_of(leads.created_at.min())
        months = [
            m
            for m in month_range(shift_month(month, -span), shift_month(month, -1))
            if m >= first_month
        ]
        counts = [[m, int(per_month.get(m, 0))] for m in months]
        last3 = [n for m, n in counts if m >= shift_month(month, -3)]
        won = won_by_lead()
        lb = params.lookback_months
        volume_start = pd.Timestamp(month_start(shift_month(month, -lb)))
        w0, w1 = pd.Timestamp(params.sample_window.start), pd.Timestamp(params.sample_window.end)
        units = {}
        for unit, col in (("leads", "created_at"), ("mqls", "mql_at"), ("sqls", "sql_at")):
            recent = int(((leads[col] >= volume_start) & (leads[col] < cutoff)).sum())
            s = leads.loc[(leads[col] >= w0) & (leads[col] < w1), ["lead_id"]]
            s = s.merge(won, left_on="lead_id", right_index=True, how="left")
            units[unit] = [
                round(recent / lb, 1),
                len(s),
                int(s.revenue.notna().sum()),
                round(float(s.revenue.sum()), 2),
            ]
        return {
            "months": [c for c in counts if c[0] >= shift_month(month, -lb)],
            "trailing_3_avg": round(sum(last3) / 3, 2) if len(last3) == 3 else None,
            "units": units,
        }

    def do_sample() -> Answers:
        w0, w1 = pd.Timestamp(params.sample_window.start), pd.Timestamp(params.sample_window.end)
        s = leads[(leads.mql_at >= w0) & (leads.mql_at < cutoff)].copy()
        unknown = s.intent.isna() | s.fit.isna()
        s["intent"] = s.intent.where(~unknown, "unknown")
        s["fit"] = s.fit.where(~unknown, "unknown")
        s = s.merge(won_by_lead(), left_on="lead_id", right_index=True, how="left")
        s["won"] = s.revenue.notna()
        s["got_deal"] = s.lead_id.isin(deals.lead_id[deals.created_at < cutoff])
        s["reached_sql"] = s.sql_at < cutoff
        touches = acts[acts.kind.isin(params.first_touch_kinds) & (acts.occurred_at < cutoff)]
        touches = touches.merge(s[["lead_id", "mql_at"]], on="lead_id")
        touched = touches.lead_id[touches.occurred_at >= touches.mql_at].unique()
        s["contacted"] = s.lead_id.isin(touched)
        inside = s[s.mql_at < w1]
        mqls = len(inside)
        revenue = round(float(inside.revenue.sum()), 2)
        value = round(revenue / mqls, 2) if mqls else None
        by = inside.groupby(["intent", "fit"]).agg(n=("lead_id", "size"), rev=("revenue", "sum"))
        matrix = {_key(i, f): value for i, f in BUCKETS}
        matrix.update({_key(i, f): round(r.rev / r.n, 2) for (i, f), r in by.iterrows()})
        state.update(value=value, matrix=matrix)
        funnel = [
            mqls,
            int(inside.contacted.sum()),
            int(inside.reached_sql.sum()),
            int(inside.got_deal.sum()),
            int(inside.won.sum()),
        ]
        return {
            "sample_mqls": mqls,
            "revenue": revenue,
            "revenue_per_mql": value,
            "matrix": matrix,
            "funnel": funnel,
        }

    def do_reps() -> Answers:
        active = reps[
            (reps.start_date.isna() | (pd.to_datetime(reps.start_date) < end))
            & (reps.end_date.isna() | (pd.to_datetime(reps.end_date) >= cutoff))
        ]
        goal = params.goal_for(month)
        target = None if goal is None else round(goal * params.marketing_share, 2)
        value = state["value"]
        mqls = math.ceil(target / value) if target is not None and value else None
        state.update(goal_mqls=mqls)
        return {"active_reps": len(active), "goal_mqls": mqls}

    def do_tracking() -> Answers:
        meta = tables["meta"]
        known = pd.to_datetime(meta.value[meta.key == "exported_at"]).max()
        as_of = min(pd.Timestamp(params.as_of_instant), known) if pd.notna(known) else end
        value = state["value"]
        # delivery: MQLs of M so far, valued at their bucket
        d = leads[(leads.mql_at >= cutoff) & (leads.mql_at < as_of)].copy()
        unknown = d.intent.isna() | d.fit.isna()
        d["bucket"] = (d.intent + " " + d.fit).where(~unknown, "unknown unknown")
        values = {**state["matrix"]}
        values.setdefault("unknown unknown", value)
        d["lead_value"] = d.bucket.map(values)
        delivered_value = None if d.lead_value.isna().any() else round(float(d.lead_value.sum()), 2)
        # the two sales rules, each judged in the month its deadline falls in
        m = leads[leads.mql_at.notna()].copy()
        m["rep_id"] = m.owner_id.fillna("unassigned")
        m["touch_deadline"] = m.mql_at + pd.Timedelta(hours=params.first_touch_hours)
        m["cadence_deadline"] = m.mql_at + pd.Timedelta(days=params.cadence_days)
        m["touch_in"] = (m.touch_deadline >= cutoff) & (m.touch_deadline < end)
        m["cadence_in"] = (m.cadence_deadline >= cutoff) & (m.cadence_deadline < end)
        m = m[m.touch_in | m.cadence_in]
        a = acts.merge(m[["lead_id", "mql_at", "cadence_deadline"]], on="lead_id")
        a = a[a.occurred_at >= a.mql_at]
        first = (
            a[a.kind.isin(params.first_touch_kinds) & (a.occurred_at <= as_of)]
            .groupby("lead_id")
            .occurred_at.min()
            .rename("first_touch_at")
        )
        cad = (
            a[a.kind.isin(params.cadence_kinds) & (a.occurred_at < a.cadence_deadline)]
            .groupby("lead_id")
            .size()
            .rename("touches")
        )
        dw = deals.merge(m[["lead_id", "mql_at", "cadence_deadline"]], on="lead_id")
        dealt = dw.lead_id[(dw.created_at >= dw.mql_at) & (dw.created_at < dw.cadence_deadline)]
        m = m.join(first, on="lead_id").join(cad, on="lead_id")
        m["touches"] = m.touches.fillna(0)
        ft = pd.Series(None, index=m.index, dtype="object")
        ft[m.touch_in] = "breached"
        ft[m.touch_in & (m.first_touch_at <= m.touch_deadline)] = "met"
        ft[m.touch_in & (m.touch_deadline > as_of)] = "pending"
        cd = pd.Series(None, index=m.index, dtype="object")
        cd[m.cadence_in] = "breached"
        cd[m.cadence_in & (m.touches >= params.cadence_calls)] = "met"
        cd[m.cadence_in & m.lead_id.isin(dealt)] = "excluded"
        cd[m.cadence_in & (m.cadence_deadline > as_of)] = "pending"
        m["first_touch"], m["cadence"] = ft, cd
        judged = m[m.first_touch.isin(["met", "breached"])]
        hours = (judged.first_touch_at - judged.mql_at).dt.total_seconds() / 3600
        breached = m[(m.first_touch == "breached") | (m.cadence == "breached")]
        # speed to lead on the mature sample
        w0, w1 = pd.Timestamp(params.sample_window.start), pd.Timestamp(params.sample_window.end)
        s = leads[(leads.mql_at >= w0) & (leads.mql_at < w1)]
        t = acts[acts.kind.isin(params.first_touch_kinds) & (acts.occurred_at < cutoff)]
        t = t.merge(s[["lead_id", "mql_at"]], on="lead_id")
        t = t[t.occurred_at >= t.mql_at].groupby("lead_id").occurred_at.min()
        wait = (s.lead_id.map(t) - s.mql_at).dt.total_seconds() / 3600
        band = pd.Series("never", index=s.index)
        band[wait > 24] = ">24 h"
        band[wait <= 24] = "4–24 h"
        band[wait < 4] = "1–4 h"
        band[wait < 1] = "<1 h"
        bands = band.value_counts().to_dict()
        return {
            "delivered_mqls": len(d),
            "delivered_lead_value": delivered_value,
            "first_touch": [
                int((m.first_touch == k).sum()) for k in ("met", "breached", "pending")
            ],
            "first_touch_median_hours": None
            if hours.dropna().empty
            else _cents(hours.dropna().median()),
            "cadence": [
                int((m.cadence == k).sum()) for k in ("met", "breached", "excluded", "pending")
            ],
            "dashboard_reps": breached.rep_id.nunique(),
            "speed_to_lead": {b: int(bands.get(b, 0)) for b in BANDS},
        }

    return {"volume": do_volume, "sample": do_sample, "reps": do_reps, "tracking": do_tracking}


# ---- agreement -----------------------------------------------------------------------------------
CHECKED = (
    "revenue_per_mql",
    "goal_mqls",
    "matrix",
    "trailing_3_avg",
    "first_touch",
    "months",
    "units",
    "funnel",
    "active_reps",
    "cadence",
    "delivered_mqls",
    "delivered_lead_value",
    "speed_to_lead",
    "dashboard_reps",
)


def compare(reference: Answers, other: Answers) -> list[str]:
    """The answers where ``other`` differs from ``reference`` (money and averages to the cent)."""
    return [
        f"{k}: {reference.get(k)!r} vs {other.get(k)!r}"
        for k in CHECKED
        if k in reference and k in other and not _same(reference[k], other[k])
    ]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 0.005
    return a == b
