"""Time to close, from the data: how mature each month of the sample is.

For MQL cohorts: how much of the eventual won revenue has arrived by each month after the MQL.

A cohort is the MQLs of one calendar month. Lag ``k`` is the ``k``-th calendar month after the
cohort's month (0 = the same month). Before the SLA month M a cohort of month ``c`` has been watched
through lag ``h = M − 1 − c`` exactly: later lags are *censored* (not yet seen), not zero. So the
revenue per MQL arriving at lag ``k`` is estimated only on the cohorts watched that long:

    rate(k) = Σ revenue at lag k ÷ Σ MQLs of the cohorts with h ≥ k

(a cumulative-incidence estimate with administrative censoring by cohort; the same for won leads,
counting each lead at its first win). ``share(k)`` = Σ rate(0..k) ÷ Σ rate(0..K), ``K`` the longest
lag any cohort has been watched: the share of eventual won revenue that has arrived by lag k.
History is read only before M, as for every goal of M.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from slanb.months import month_label, month_range, month_start, shift_month
from slanb.store.db import load_sql


@dataclass(frozen=True)
class Maturity:
    """The time-to-close curve and what it implies for ``maturity_months``.

    ``curve``: lag, cohorts (cohorts watched that long), mqls (their MQLs), revenue, won_leads
    (arrived at that lag), revenue_share, won_share (cumulative shares of the eventual totals).
    ``months_to_threshold``: the smallest lag whose revenue share reaches ``threshold``.
    ``last_month_maturity``: the revenue share the sample's last month has had time for
    (``share(maturity_months)``). ``sample_maturity``: the same over the whole sample, weighted by
    each month's MQLs. None when the history has no won revenue to learn from.
    """

    threshold: float
    maturity_months: int
    last_sample_month: str
    curve: pl.DataFrame
    months_to_threshold: int | None
    last_month_maturity: float | None
    sample_maturity: float | None
    messages: tuple[str, ...] = field(default=(), compare=False)

    @property
    def suggested_maturity_months(self) -> int | None:
        """The ``maturity_months`` whose last sample month reaches the threshold."""
        return self.months_to_threshold

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``maturity`` key of ``Plan.to_dict()``)."""
        return {
            "threshold": self.threshold,
            "maturity_months": self.maturity_months,
            "last_sample_month": self.last_sample_month,
            "months_to_threshold": self.months_to_threshold,
            "suggested_maturity_months": self.suggested_maturity_months,
            "last_month_maturity": _round(self.last_month_maturity),
            "sample_maturity": _round(self.sample_maturity),
            "curve": self.curve.to_dicts(),
            "messages": list(self.messages),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def cohort_lags(con: duckdb.DuckDBPyConnection, *, month: str, first_month: str) -> pl.DataFrame:
    """Won revenue and first wins per cohort month and lag (``plan/won_revenue_by_cohort_and_lag``).

    Columns: month (YYYY-MM), lag, revenue, won_leads: one row per cohort and lag with a win.
    """
    rows = con.sql(
        load_sql("plan/won_revenue_by_cohort_and_lag"),
        params={"start": month_start(first_month), "cutoff": month_start(month)},
    ).pl()
    return rows.select(
        pl.col("month_start").dt.strftime("%Y-%m").alias("month"),
        pl.col("lag").cast(pl.Int64),
        pl.col("revenue").cast(pl.Float64),
        pl.col("won_leads").cast(pl.Int64),
    )


def time_to_close(
    cohort_mqls: pl.DataFrame,
    lags: pl.DataFrame,
    *,
    month: str,
    last_sample_month: str,
    maturity_months: int,
    threshold: float,
) -> Maturity:
    """The curve from aggregates: ``cohort_mqls`` (month, mqls) and ``lags`` (:func:`cohort_lags`).

    Cohorts run from the first month of ``cohort_mqls`` to the month before ``month``.

    >>> mqls = pl.DataFrame({"month": ["2026-01", "2026-02"], "mqls": [10, 10]})
    >>> lags = pl.DataFrame({"month": ["2026-01", "2026-01", "2026-02"], "lag": [0, 1, 0],
    ...                      "revenue": [100.0, 100.0, 100.0], "won_leads": [1, 1, 1]})
    >>> m = time_to_close(mqls, lags, month="2026-03", last_sample_month="2026-01",
    ...                   maturity_months=1, threshold=0.9)
    >>> m.curve["revenue_share"].to_list(), m.months_to_threshold, m.last_month_maturity
    ([0.5, 1.0], 1, 1.0)
    """
    last = shift_month(month, -1)
    first = cohort_mqls["month"].min() if cohort_mqls.height else None
    months = month_range(str(first), last) if first is not None and first <= last else []
    watched = pl.DataFrame(
        {"month": months, "watched": [len(month_range(m, last)) - 1 for m in months]},
        schema={"month": pl.String, "watched": pl.Int64},
    ).join(cohort_mqls.select("month", "mqls"), on="month", how="left")
    watched = watched.with_columns(pl.col("mqls").fill_null(0).cast(pl.Int64))
    longest = int(watched["watched"].max() or 0) if watched.height else -1
    at_lag = (
        lags.filter(pl.col("month").is_in(months))
        .group_by("lag")
        .agg(pl.col("revenue").sum(), pl.col("won_leads").sum())
    )
    curve = (
        pl.DataFrame({"lag": list(range(longest + 1))}, schema={"lag": pl.Int64})
        .with_columns(
            pl.col("lag")
            .map_elements(lambda k: int((watched["watched"] >= k).sum()), return_dtype=pl.Int64)
            .alias("cohorts"),
            pl.col("lag")
            .map_elements(
                lambda k: int(watched.filter(pl.col("watched") >= k)["mqls"].sum()),
                return_dtype=pl.Int64,
            )
            .alias("mqls"),
        )
        .join(at_lag, on="lag", how="left")
        .with_columns(
            pl.col("revenue").fill_null(0.0),
            pl.col("won_leads").fill_null(0).cast(pl.Int64),
        )
        .with_columns(
            _cumulative_share("revenue").alias("revenue_share"),
            _cumulative_share("won_leads").alias("won_share"),
        )
    )
    total = float(curve["revenue"].sum()) if curve.height else 0.0
    if total == 0:
        return Maturity(
            threshold=threshold,
            maturity_months=maturity_months,
            last_sample_month=last_sample_month,
            curve=curve.with_columns(pl.col("revenue_share", "won_share").fill_nan(None)),
            months_to_threshold=None,
            last_month_maturity=None,
            sample_maturity=None,
        )
    shares = curve["revenue_share"].to_list()
    reach = next(k for k, s in enumerate(shares) if s >= threshold - 1e-12)
    last_share = shares[min(maturity_months, longest)]
    sample = watched.filter(pl.col("month") <= last_sample_month)
    weight = int(sample["mqls"].sum())
    sample_share = (
        sum(m * shares[min(h, longest)] for m, h in sample.select("mqls", "watched").iter_rows())
        / weight
        if weight
        else None
    )
    messages: tuple[str, ...] = ()
    if last_share < threshold:
        messages = (
            f"The sample's last month, {month_label(last_sample_month)}, has had time for only "
            f"{last_share:.0%} of its eventual won revenue (maturity_threshold "
            f"{threshold:.0%}): revenue per MQL reads low. Set maturity_months to {reach} to "
            "leave out every month short of the threshold.",
        )
    return Maturity(
        threshold=threshold,
        maturity_months=maturity_months,
        last_sample_month=last_sample_month,
        curve=curve.with_columns(pl.col("revenue_share", "won_share").round(4)),
        months_to_threshold=reach,
        last_month_maturity=last_share,
        sample_maturity=sample_share,
        messages=messages,
    )


def _cumulative_share(column: str) -> pl.Expr:
    """Σ rate(0..k) ÷ Σ rate(0..K), rate = ``column`` ÷ the MQLs of the cohorts watched that long."""
    rate = pl.when(pl.col("mqls") > 0).then(pl.col(column) / pl.col("mqls")).otherwise(0.0)
    return rate.cum_sum() / rate.sum()
