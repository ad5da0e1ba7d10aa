"""Step 1: historical volume of MQLs, its trend, and the other units of measurement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from slanb.money import cents
from slanb.months import MonthSpan, month_of, month_start, shift_month
from slanb.store.db import load_sql

MIN_MONTHS = 3
UNITS = ("leads", "mqls", "sqls")
_FAR_FUTURE = datetime(9999, 1, 1)


@dataclass(frozen=True)
class Volume:
    """MQLs per month for the lookback before the SLA month, with averages and trend.

    ``months``: month (YYYY-MM), mqls — the ``lookback_months`` months before M that the history covers.
    ``by_intent`` / ``by_fit``: month, intent|fit, mqls. ``units``: leads, MQLs and SQLs side by side.
    """

    month: str
    months: pl.DataFrame
    by_intent: pl.DataFrame
    by_fit: pl.DataFrame
    trailing_3_avg: float | None
    trailing_12_avg: float | None
    trend_per_month: float | None
    historical_max: int | None
    units: pl.DataFrame
    messages: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``volume`` key of ``Plan.to_dict()``)."""
        return {
            "months": self.months.select("month", "mqls").to_dicts(),
            "trailing_3_avg": _round(self.trailing_3_avg),
            "trailing_12_avg": _round(self.trailing_12_avg),
            "trend_per_month": _round(self.trend_per_month),
            "historical_max": self.historical_max,
            "by_intent": self.by_intent.to_dicts(),
            "by_fit": self.by_fit.to_dicts(),
            "units": self.units.to_dicts(),
        }


def _round(x: float | None, places: int = 2) -> float | None:
    return None if x is None else round(x, places)


def slope(values: list[float]) -> float | None:
    """Least-squares slope of ``values`` against 0, 1, 2, … (per step); None for fewer than 2.

    >>> slope([10, 12, 14])
    2.0
    """
    n = len(values)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    sxy = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    return sxy / sxx


def volume(
    con: duckdb.DuckDBPyConnection,
    *,
    month: str,
    lookback_months: int,
    window: MonthSpan,
    known_until: datetime | None,
) -> Volume:
    """Step 1: MQLs per month in the ``lookback_months`` before ``month``, and their summary.

    ``known_until`` is the instant the history is complete up to (``slanb_meta.exported_at``);
    months it does not reach are left out, not counted as months without MQLs. ``window`` is the
    revenue-per-MQL sample, for the units of measurement.
    """
    span = max(lookback_months, 12)
    start = month_start(shift_month(month, -span))
    known_until = known_until or _FAR_FUTURE
    known_month = month_start(month_of(known_until)) if known_until < _FAR_FUTURE else known_until
    rows = con.sql(
        load_sql("plan/mql_volume_by_month"),
        params={"start": start, "cutoff": month_start(month), "known_until": known_until},
    ).pl()
    rows = rows.with_columns(pl.col("month_start").dt.strftime("%Y-%m").alias("month"))
    unknown = sorted(
        set(rows.filter(~pl.col("covered") & (pl.col("month_start") >= known_month))["month"])
    )
    rows = rows.filter(pl.col("covered"))
    per_month = (
        rows.group_by("month", maintain_order=True)
        .agg(pl.col("mqls").sum().cast(pl.Int64))
        .sort("month")
    )
    counts = per_month["mqls"].to_list()
    messages: list[str] = []
    if unknown:
        messages.append(
            f"The history is complete only up to {known_until:%Y-%m-%d %H:%M} UTC: "
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} left out of the volume, "
            "not counted as months without MQLs, so the trailing 3-month average and the "
            "cross-check are undefined. Import a newer export to plan this month."
        )
    recent_3 = per_month.filter(pl.col("month") >= shift_month(month, -3))["mqls"].to_list()
    t3 = sum(recent_3) / 3 if len(recent_3) == 3 else None
    if t3 is None and not unknown:
        messages.append(
            f"Only {len(counts)} month(s) of MQL volume before {month}: the trailing 3-month "
            f"average and the cross-check need at least {MIN_MONTHS}."
        )
    recent_12 = counts[-12:]
    t12 = sum(recent_12) / 12 if len(recent_12) == 12 else None
    lookback = per_month.filter(pl.col("month") >= shift_month(month, -lookback_months))
    trend = slope([float(x) for x in lookback["mqls"].to_list()])
    split = rows.filter(pl.col("month") >= shift_month(month, -lookback_months)).drop_nulls(
        "intent"
    )
    by_intent = (
        split.group_by("month", "intent")
        .agg(pl.col("mqls").sum().cast(pl.Int64))
        .sort("month", "intent")
    )
    by_fit = (
        split.group_by("month", "fit").agg(pl.col("mqls").sum().cast(pl.Int64)).sort("month", "fit")
    )
    return Volume(
        month=month,
        months=lookback,
        by_intent=by_intent,
        by_fit=by_fit,
        trailing_3_avg=t3,
        trailing_12_avg=t12,
        trend_per_month=trend,
        historical_max=max(lookback["mqls"].to_list()) if lookback.height else None,
        units=units_of_measurement(
            con, month=month, lookback_months=lookback_months, window=window
        ),
        messages=tuple(messages),
    )


def units_of_measurement(
    con: duckdb.DuckDBPyConnection, *, month: str, lookback_months: int, window: MonthSpan
) -> pl.DataFrame:
    """Leads, MQLs and SQLs side by side: monthly volume and won revenue per unit on the sample.

    Columns: unit, per_month (average over the lookback months before M), sample (units stamped in
    the revenue-per-MQL window), won_leads, revenue, revenue_per_unit, won_rate.
    """
    rows = con.sql(
        load_sql("plan/units_of_measurement"),
        params={
            "volume_start": month_start(shift_month(month, -lookback_months)),
            "cutoff": month_start(month),
            "window_start": window.start,
            "window_end": window.end,
        },
    ).pl()
    rows = (
        pl.DataFrame({"unit": list(UNITS)})
        .join(rows, on="unit", how="left")
        .with_columns(pl.col("recent", "sample", "won_leads", "revenue").fill_null(0))
    )
    return rows.select(
        "unit",
        (pl.col("recent") / lookback_months).round(1).alias("per_month"),
        pl.col("sample").cast(pl.Int64),
        pl.col("won_leads").cast(pl.Int64),
        pl.col("revenue").map_elements(cents, return_dtype=pl.Float64).alias("revenue"),
        pl.when(pl.col("sample") > 0)
        .then(pl.col("revenue") / pl.col("sample"))
        .map_elements(cents, return_dtype=pl.Float64)
        .alias("revenue_per_unit"),
        pl.when(pl.col("sample") > 0)
        .then(pl.col("won_leads") / pl.col("sample"))
        .round(4)
        .alias("won_rate"),
    )


def december_dip(months: pl.DataFrame) -> float | None:
    """December's MQLs relative to the other months' average (−0.3 = 30% fewer); step 1's season.

    ``months``: month (YYYY-MM), mqls (:attr:`Volume.months`). None without a December or others.

    >>> december_dip(pl.DataFrame({"month": ["2025-11", "2025-12", "2026-01"], "mqls": [100, 70, 100]}))
    -0.3
    """
    dec = months.filter(pl.col("month").str.ends_with("-12"))["mqls"]
    rest = months.filter(~pl.col("month").str.ends_with("-12"))["mqls"]
    if dec.len() == 0 or rest.len() == 0 or not rest.mean():
        return None
    return round(float(dec.mean()) / float(rest.mean()) - 1, 4)  # type: ignore[arg-type]
