"""The plan a fourth way: what an analyst fluent in polars writes against the Parquet export.

Lazy scans of ``leads/activities/deals/reps.parquet`` (the export ``histories.export`` writes once
per cached history, outside the timed part) and ``slanb_meta.parquet`` (the export instant,
``histories.meta_export``); each step is one or a few lazy queries collected at the end on
polars's default engine (streaming, in polars 2), so only each step's aggregates and the rows a
step must judge one by one are ever materialized. The answers are the same dict as the other
ways' (``variants.compare`` checks them); Python only rounds the collected aggregates the way the
pandas notebook does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from variants import BANDS, BUCKETS, Answers, _cents, _key

from slanb.months import month_of, month_range, month_start, shift_month
from slanb.params import Params


def polars_scan(folder: Path, meta: Path) -> dict[str, pl.LazyFrame]:
    """The export's tables as lazy scans (reading nothing yet)."""
    scans = {t: pl.scan_parquet(folder / f"{t}.parquet") for t in ("leads", "activities", "deals")}
    scans["reps"] = pl.scan_parquet(folder / "reps.parquet")
    scans["meta"] = pl.scan_parquet(meta)
    return scans


def polars_steps(scans: dict[str, pl.LazyFrame], params: Params) -> dict[str, Callable[[], Any]]:
    """The engine's steps in lazy polars: filter, join, group_by, collect."""
    leads, acts, deals, reps = (scans[t] for t in ("leads", "activities", "deals", "reps"))
    month = params.month or ""
    cutoff, end = params.cutoff, params.end
    w0, w1 = params.sample_window.start, params.sample_window.end
    state: dict[str, Any] = {}

    def won_by_lead() -> pl.LazyFrame:
        return (
            deals.filter((pl.col("stage") == "won") & (pl.col("closed_at") < cutoff))
            .group_by("lead_id")
            .agg(pl.len().alias("won_deals"), pl.col("amount").round(2).sum().alias("revenue"))
        )

    def do_volume() -> Answers:
        span = max(params.lookback_months, 12)
        lb = params.lookback_months
        span_start = month_start(shift_month(month, -span))
        volume_start = month_start(shift_month(month, -lb))
        per_month_q = (
            leads.filter(pl.col("mql_at").is_between(span_start, cutoff, closed="left"))
            .group_by(pl.col("mql_at").dt.strftime("%Y-%m").alias("month"))
            .len()
        )
        first_q = leads.select(pl.col("created_at").min())
        won = won_by_lead()
        unit_qs = []
        for unit, col in (("leads", "created_at"), ("mqls", "mql_at"), ("sqls", "sql_at")):
            recent = leads.select(
                pl.col(col).is_between(volume_start, cutoff, closed="left").sum().alias("recent")
            )
            s = (
                leads.filter(pl.col(col).is_between(w0, w1, closed="left"))
                .select("lead_id")
                .join(won, on="lead_id", how="left")
                .select(
                    pl.len().alias("sample"),
                    pl.col("revenue").is_not_null().sum().alias("won"),
                    pl.col("revenue").sum().alias("revenue"),
                )
            )
            unit_qs.append((unit, pl.concat([recent, s], how="horizontal")))
        per_month_df, first_df, *unit_dfs = pl.collect_all(
            [per_month_q, first_q, *(q for _, q in unit_qs)]
        )
        per_month = dict(zip(per_month_df["month"], per_month_df["len"], strict=True))
        first_month = month_of(first_df.item())
        months = [
            m
            for m in month_range(shift_month(month, -span), shift_month(month, -1))
            if m >= first_month
        ]
        counts = [[m, int(per_month.get(m, 0))] for m in months]
        last3 = [n for m, n in counts if m >= shift_month(month, -3)]
        units = {}
        for (unit, _), df in zip(unit_qs, unit_dfs, strict=True):
            row = df.row(0, named=True)
            units[unit] = [
                round(row["recent"] / lb, 1),
                row["sample"],
                row["won"],
                round(float(row["revenue"] or 0), 2),
            ]
        return {
            "months": [c for c in counts if c[0] >= shift_month(month, -lb)],
            "trailing_3_avg": round(sum(last3) / 3, 2) if len(last3) == 3 else None,
            "units": units,
        }

    def do_sample() -> Answers:
        unknown = pl.col("intent").is_null() | pl.col("fit").is_null()
        s = leads.filter(pl.col("mql_at").is_between(w0, cutoff, closed="left")).select(
            "lead_id",
            "mql_at",
            pl.when(unknown).then(pl.lit("unknown")).otherwise("intent").alias("intent"),
            pl.when(unknown).then(pl.lit("unknown")).otherwise("fit").alias("fit"),
            (pl.col("sql_at") < cutoff).fill_null(False).alias("reached_sql"),
        )
        dealt = deals.filter(pl.col("created_at") < cutoff).select("lead_id").unique()
        touched = (
            acts.filter(
                pl.col("kind").is_in(params.first_touch_kinds) & (pl.col("occurred_at") < cutoff)
            )
            .join(s.select("lead_id", "mql_at"), on="lead_id")
            .filter(pl.col("occurred_at") >= pl.col("mql_at"))
            .select("lead_id")
            .unique()
        )
        inside = (
            s.filter(pl.col("mql_at") < w1)
            .join(won_by_lead(), on="lead_id", how="left")
            .join(dealt.with_columns(got_deal=pl.lit(True)), on="lead_id", how="left")
            .join(touched.with_columns(contacted=pl.lit(True)), on="lead_id", how="left")
        )
        totals_q = inside.select(
            pl.len().alias("mqls"),
            pl.col("revenue").sum().alias("revenue"),
            pl.col("contacted").fill_null(False).sum().alias("contacted"),
            pl.col("reached_sql").sum().alias("reached_sql"),
            pl.col("got_deal").fill_null(False).sum().alias("got_deal"),
            pl.col("revenue").is_not_null().sum().alias("won"),
        )
        by_q = inside.group_by("intent", "fit").agg(
            pl.len().alias("n"), pl.col("revenue").sum().alias("rev")
        )
        totals_df, by = pl.collect_all([totals_q, by_q])
        t = totals_df.row(0, named=True)
        mqls = t["mqls"]
        revenue = round(float(t["revenue"] or 0), 2)
        value = round(revenue / mqls, 2) if mqls else None
        matrix = {_key(i, f): value for i, f in BUCKETS}
        matrix.update(
            {_key(r["intent"], r["fit"]): round(r["rev"] / r["n"], 2) for r in by.to_dicts()}
        )
        state.update(value=value, matrix=matrix)
        return {
            "sample_mqls": mqls,
            "revenue": revenue,
            "revenue_per_mql": value,
            "matrix": matrix,
            "funnel": [mqls, t["contacted"], t["reached_sql"], t["got_deal"], t["won"]],
        }

    def do_reps() -> Answers:
        active = (
            reps.filter(
                (pl.col("start_date").is_null() | (pl.col("start_date") < end.date()))
                & (pl.col("end_date").is_null() | (pl.col("end_date") >= cutoff.date()))
            )
            .select(pl.len())
            .collect()
            .item()
        )
        goal = params.goal_for(month)
        target = None if goal is None else round(goal * params.marketing_share, 2)
        value = state["value"]
        mqls = math.ceil(target / value) if target is not None and value else None
        return {"active_reps": active, "goal_mqls": mqls}

    def do_tracking() -> Answers:
        meta = scans["meta"]
        known_str = (
            meta.filter(pl.col("key") == "exported_at").select(pl.col("value").max()).collect()
        ).item()
        known = datetime.fromisoformat(known_str) if known_str else None
        as_of = min(params.as_of_instant, known) if known else end
        value = state["value"]
        values = {**state["matrix"]}
        values.setdefault("unknown unknown", value)
        # delivery: MQLs of M so far, valued at their bucket
        unknown = pl.col("intent").is_null() | pl.col("fit").is_null()
        bucket = (
            pl.when(unknown)
            .then(pl.lit("unknown unknown"))
            .otherwise(pl.concat_str("intent", pl.lit(" "), "fit"))
        )
        delivery_q = (
            leads.filter(pl.col("mql_at").is_between(cutoff, as_of, closed="left"))
            .select(bucket.replace_strict(values, default=None, return_dtype=pl.Float64).alias("v"))
            .select(
                pl.len().alias("mqls"),
                pl.col("v").null_count().alias("unvalued"),
                pl.col("v").sum(),
            )
        )
        # the two sales rules, each judged in the month its deadline falls in
        touch_deadline = pl.col("mql_at") + timedelta(hours=params.first_touch_hours)
        cadence_deadline = pl.col("mql_at") + timedelta(days=params.cadence_days)
        m = (
            leads.filter(pl.col("mql_at").is_not_null())
            .select(
                "lead_id",
                "mql_at",
                pl.col("owner_id").fill_null("unassigned").alias("rep_id"),
                touch_deadline.alias("touch_deadline"),
                cadence_deadline.alias("cadence_deadline"),
            )
            .with_columns(
                touch_in=pl.col("touch_deadline").is_between(cutoff, end, closed="left"),
                cadence_in=pl.col("cadence_deadline").is_between(cutoff, end, closed="left"),
            )
            .filter(pl.col("touch_in") | pl.col("cadence_in"))
        )
        a = acts.join(m.select("lead_id", "mql_at", "cadence_deadline"), on="lead_id").filter(
            pl.col("occurred_at") >= pl.col("mql_at")
        )
        first = (
            a.filter(
                pl.col("kind").is_in(params.first_touch_kinds) & (pl.col("occurred_at") <= as_of)
            )
            .group_by("lead_id")
            .agg(pl.col("occurred_at").min().alias("first_touch_at"))
        )
        cad = (
            a.filter(
                pl.col("kind").is_in(params.cadence_kinds)
                & (pl.col("occurred_at") < pl.col("cadence_deadline"))
            )
            .group_by("lead_id")
            .agg(pl.len().alias("touches"))
        )
        dealt = (
            deals.join(m.select("lead_id", "mql_at", "cadence_deadline"), on="lead_id")
            .filter(
                (pl.col("created_at") >= pl.col("mql_at"))
                & (pl.col("created_at") < pl.col("cadence_deadline"))
            )
            .select("lead_id")
            .unique()
            .with_columns(dealt=pl.lit(True))
        )
        judged = (
            m.join(first, on="lead_id", how="left")
            .join(cad, on="lead_id", how="left")
            .join(dealt, on="lead_id", how="left")
            .with_columns(
                first_touch=pl.when(~pl.col("touch_in"))
                .then(None)
                .when(pl.col("touch_deadline") > as_of)
                .then(pl.lit("pending"))
                .when(pl.col("first_touch_at") <= pl.col("touch_deadline"))
                .then(pl.lit("met"))
                .otherwise(pl.lit("breached")),
                cadence=pl.when(~pl.col("cadence_in"))
                .then(None)
                .when(pl.col("cadence_deadline") > as_of)
                .then(pl.lit("pending"))
                .when(pl.col("dealt").fill_null(False))
                .then(pl.lit("excluded"))
                .when(pl.col("touches").fill_null(0) >= params.cadence_calls)
                .then(pl.lit("met"))
                .otherwise(pl.lit("breached")),
            )
        )
        hours = (pl.col("first_touch_at") - pl.col("mql_at")).dt.total_microseconds() / 3.6e9
        rules_q = judged.select(
            *(
                (pl.col("first_touch") == k).sum().alias(f"touch_{k}")
                for k in ("met", "breached", "pending")
            ),
            *(
                (pl.col("cadence") == k).sum().alias(f"cadence_{k}")
                for k in ("met", "breached", "excluded", "pending")
            ),
            hours.filter(pl.col("first_touch").is_in(["met", "breached"])).median().alias("median"),
            pl.col("rep_id")
            .filter((pl.col("first_touch") == "breached") | (pl.col("cadence") == "breached"))
            .n_unique()
            .alias("dashboard_reps"),
        )
        # speed to lead on the mature sample
        s = leads.filter(pl.col("mql_at").is_between(w0, w1, closed="left")).select(
            "lead_id", "mql_at"
        )
        first_sample = (
            acts.filter(
                pl.col("kind").is_in(params.first_touch_kinds) & (pl.col("occurred_at") < cutoff)
            )
            .join(s, on="lead_id")
            .filter(pl.col("occurred_at") >= pl.col("mql_at"))
            .group_by("lead_id")
            .agg(pl.col("occurred_at").min().alias("first_at"))
        )
        wait = (pl.col("first_at") - pl.col("mql_at")).dt.total_microseconds() / 3.6e9
        speed_q = (
            s.join(first_sample, on="lead_id", how="left")
            .select(
                pl.when(wait.is_null())
                .then(pl.lit("never"))
                .when(wait < 1)
                .then(pl.lit("<1 h"))
                .when(wait < 4)
                .then(pl.lit("1–4 h"))
                .when(wait <= 24)
                .then(pl.lit("4–24 h"))
                .otherwise(pl.lit(">24 h"))
                .alias("band")
            )
            .group_by("band")
            .len()
        )
        delivery, rules, speed = pl.collect_all([delivery_q, rules_q, speed_q])
        d, r = delivery.row(0, named=True), rules.row(0, named=True)
        bands = dict(zip(speed["band"], speed["len"], strict=True))
        return {
            "delivered_mqls": d["mqls"],
            "delivered_lead_value": None if d["unvalued"] else round(float(d["v"] or 0), 2),
            "first_touch": [r[f"touch_{k}"] for k in ("met", "breached", "pending")],
            "first_touch_median_hours": None if r["median"] is None else _cents(r["median"]),
            "cadence": [r[f"cadence_{k}"] for k in ("met", "breached", "excluded", "pending")],
            "dashboard_reps": r["dashboard_reps"],
            "speed_to_lead": {b: int(bands.get(b, 0)) for b in BANDS},
        }

    return {"volume": do_volume, "sample": do_sample, "reps": do_reps, "tracking": do_tracking}
