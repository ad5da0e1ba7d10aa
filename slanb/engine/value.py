"""Step 2 and the lead-value matrix: what an MQL is worth, overall and per 2×3 bucket.

Both are computed on one sample: every lead whose ``mql_at`` falls in the ``lookback_months``
calendar months that end ``maturity_months`` before the SLA month M, with the won revenue of its
deals closed before M. The recent months are left out because their MQLs have not had time to close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from slanb.money import cents
from slanb.months import MonthSpan, month_range, month_start, shift_month
from slanb.store.db import load_sql

INTENTS = ("hand_raiser", "other")
FITS = ("A", "B", "C")
_COUNTS = ("mqls", "contacted", "reached_sql", "got_deal", "won_leads", "won_deals", "revenue")


@dataclass(frozen=True)
class RevenuePerMql:
    """Won revenue of the sample ÷ its MQLs. ``value`` is None when undefined (see ``messages``)."""

    window_start: str  # first month of the sample, YYYY-MM
    window_end: str  # last month of the sample, YYYY-MM (inclusive)
    excluded_months: tuple[str, ...]
    mqls: int
    won_leads: int
    won_deals: int
    revenue: float
    value: float | None
    by_month: pl.DataFrame  # month, mqls, revenue, value, in_sample: the maturing curve
    messages: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``revenue_per_mql`` key of ``Plan.to_dict()``)."""
        return {
            "window_start": self.window_start,
            "window_end": self.window_end,
            "excluded_months": list(self.excluded_months),
            "mqls": self.mqls,
            "won_leads": self.won_leads,
            "won_deals": self.won_deals,
            "revenue": self.revenue,
            "value": self.value,
            "by_month": self.by_month.to_dicts(),
        }


def sample(
    con: duckdb.DuckDBPyConnection, *, month: str, window: MonthSpan, touch_kinds: Sequence[str]
) -> pl.DataFrame:
    """MQLs from the sample's first month up to ``month``, aggregated by month of MQL and bucket.

    Columns: month, intent, fit, in_sample, mqls, contacted, reached_sql, got_deal, won_leads,
    won_deals, revenue, revenue_sq (each lead's won revenue squared, summed: for the spread in
    :mod:`slanb.engine.intervals`). ``in_sample`` is false for the immature months (kept for the maturing curve).
    """
    rows = con.sql(
        load_sql("plan/mql_sample_by_month_and_bucket"),
        params={
            "start": window.start,
            "cutoff": month_start(month),
            "touch_kinds": list(touch_kinds),
        },
    ).pl()
    return rows.select(
        pl.col("month_start").dt.strftime("%Y-%m").alias("month"),
        "intent",
        "fit",
        (pl.col("month_start") < window.end).alias("in_sample"),
        *[pl.col(c).cast(pl.Int64) for c in _COUNTS if c != "revenue"],
        pl.col("revenue").cast(pl.Float64),
        pl.col("revenue_sq").cast(pl.Float64),
    )


def revenue_per_mql(
    sample_rows: pl.DataFrame, *, month: str, window: MonthSpan, history_start: str | None = None
) -> RevenuePerMql:
    """Step 2 from the :func:`sample` aggregate: revenue ÷ MQLs over the mature months.

    ``history_start`` (the first month of the history) lets an empty sample say why it is empty.

    >>> rows = pl.DataFrame({"month": ["2025-07"], "in_sample": [True], "mqls": [800],
    ...                      "won_leads": [39], "won_deals": [40], "revenue": [80_000.0]})
    >>> revenue_per_mql(rows, month="2026-10", window=MonthSpan("2025-07", "2026-06")).value
    100.0
    """
    first, last = window.first, window.last
    inside = sample_rows.filter(pl.col("in_sample"))
    mqls = int(inside["mqls"].sum())
    revenue = cents(inside["revenue"].sum())
    messages: list[str] = []
    value: float | None = None
    if mqls == 0 and history_start is not None and history_start > last:
        messages.append(
            f"The history starts in {history_start}, after the sample window {first} to {last}: "
            f"revenue per MQL, and so the MQL goal, is undefined for {month}. Plan a later "
            "month, or lower maturity_months or lookback_months."
        )
    elif mqls == 0:
        messages.append(
            f"No MQLs in the sample window {first} to {last}: revenue per MQL, and so the MQL goal, "
            "is undefined. Check that leads carry mql_at, or lower maturity_months or raise "
            "lookback_months."
        )
    else:
        value = cents(revenue / mqls)
        if value == 0:
            messages.append(
                f"The {mqls:,} MQLs of {first} to {last} have no won revenue closed before "
                f"{month}: revenue per MQL is $0, so no number of MQLs reaches the target "
                "and the MQL goal is undefined."
            )
    months = month_range(first, shift_month(month, -1))
    by_month = (
        pl.DataFrame({"month": months})
        .join(
            sample_rows.group_by("month").agg(pl.col("mqls").sum(), pl.col("revenue").sum()),
            on="month",
            how="left",
        )
        .with_columns(pl.col("mqls").fill_null(0), pl.col("revenue").fill_null(0.0))
        .with_columns(
            pl.col("revenue").map_elements(cents, return_dtype=pl.Float64),
            pl.when(pl.col("mqls") > 0)
            .then(pl.col("revenue") / pl.col("mqls"))
            .map_elements(cents, return_dtype=pl.Float64)
            .alias("value"),
            (pl.col("month") <= last).alias("in_sample"),
        )
    )
    return RevenuePerMql(
        window_start=first,
        window_end=last,
        excluded_months=tuple(month_range(shift_month(last, 1), shift_month(month, -1))),
        mqls=mqls,
        won_leads=int(inside["won_leads"].sum()),
        won_deals=int(inside["won_deals"].sum()),
        revenue=revenue,
        value=value,
        by_month=by_month,
        messages=tuple(messages),
    )


def lead_value_matrix(sample_rows: pl.DataFrame, overall_value: float | None) -> pl.DataFrame:
    """The 2×3 matrix (intent × fit, plus ``unknown`` when present) on the mature sample.

    Per bucket: mqls, won_leads, won_deals, close_rate (won leads ÷ MQLs), avg_won_amount,
    lead_value (bucket revenue ÷ bucket MQLs), flagged (no MQLs: valued at the overall revenue per
    MQL instead).
    """
    inside = sample_rows.filter(pl.col("in_sample"))
    grid = pl.DataFrame(
        {"intent": [i for i in INTENTS for _ in FITS], "fit": [f for _ in INTENTS for f in FITS]}
    )
    if inside.filter(pl.col("intent") == "unknown").height:
        grid = pl.concat([grid, pl.DataFrame({"intent": ["unknown"], "fit": ["unknown"]})])
    totals = inside.group_by("intent", "fit").agg(
        pl.col("mqls").sum(),
        pl.col("won_leads").sum(),
        pl.col("won_deals").sum(),
        pl.col("revenue").sum(),
    )
    m = grid.join(totals, on=["intent", "fit"], how="left").with_columns(
        pl.col("mqls", "won_leads", "won_deals").fill_null(0).cast(pl.Int64),
        pl.col("revenue").fill_null(0.0),
    )
    return m.with_columns(
        pl.col("revenue").map_elements(cents, return_dtype=pl.Float64),
        pl.when(pl.col("mqls") > 0)
        .then(pl.col("won_leads") / pl.col("mqls"))
        .round(4)
        .alias("close_rate"),
        pl.when(pl.col("won_deals") > 0)
        .then(pl.col("revenue") / pl.col("won_deals"))
        .map_elements(cents, return_dtype=pl.Float64)
        .alias("avg_won_amount"),
        pl.when(pl.col("mqls") > 0)
        .then(pl.col("revenue") / pl.col("mqls"))
        .otherwise(pl.lit(overall_value, dtype=pl.Float64))
        .map_elements(cents, return_dtype=pl.Float64)
        .alias("lead_value"),
        (pl.col("mqls") == 0).alias("flagged"),
    ).select(
        "intent",
        "fit",
        "mqls",
        "won_leads",
        "won_deals",
        "revenue",
        "close_rate",
        "avg_won_amount",
        "lead_value",
        "flagged",
    )
