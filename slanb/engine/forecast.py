"""The chance of making it: the month's MQL volume forecast, and the probability it reaches the goal.

The forecast's error is measured on the history itself.

**The model, in one sentence**: the same month last year, scaled by how the last three months
compare with the same three months a year earlier::

    forecast(M) = MQLs(M−12) × [MQLs(M−1) + MQLs(M−2) + MQLs(M−3)] ÷ [MQLs(M−13) + MQLs(M−14) + MQLs(M−15)]

With fewer than 15 months of history (or an empty year-ago quarter) it falls back to the last three
months' average, and says so (``model = "recent"``).

**Its error**: the same model is run for every earlier month the history allows, as if that month
were next (a *backtest*), and compared with what happened: ``error = actual ÷ forecast − 1``. Their
mean absolute value is the typical error; the root mean square of ``ln(actual ÷ forecast)`` is the
spread ``σ``.

**The chance**: volume is taken to land at ``forecast × e^ε``, ``ε`` normal with mean 0 and sd σ,
so ``P(volume ≥ goal) = 1 − Φ(ln(goal ÷ forecast) ÷ σ)``; the range at ``interval_level`` is
``forecast × e^(±z·σ)``. Fewer than :data:`MIN_BACKTEST` backtest months: no chance is stated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from statistics import NormalDist

import duckdb
import polars as pl

from slanb.engine.intervals import z_value
from slanb.months import month_start, shift_month
from slanb.store.db import load_sql

MIN_BACKTEST = 3
_FAR_FUTURE = datetime(9999, 1, 1)


@dataclass(frozen=True)
class Forecast:
    """The month's forecast volume, its backtest and the chance of reaching the goal.

    ``backtest``: month, actual, forecast, error (actual ÷ forecast − 1), one row per month the
    model could be run on. ``seasonal_change``: last year's M against the month before it
    (MQLs(M−12) ÷ MQLs(M−13) − 1).
    """

    month: str
    model: str | None  # "seasonal", "recent", or None (too little history)
    forecast: float | None
    low: float | None
    high: float | None
    level: float
    goal_mqls: int | None
    probability: float | None
    backtest: pl.DataFrame
    mean_abs_error: float | None
    sigma: float | None
    seasonal_change: float | None
    messages: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``forecast`` key of ``Plan.to_dict()``)."""
        return {
            "model": self.model,
            "mqls": _r(self.forecast, 1),
            "low": _r(self.low, 1),
            "high": _r(self.high, 1),
            "level": self.level,
            "goal_mqls": self.goal_mqls,
            "probability": _r(self.probability, 4),
            "backtest_months": self.backtest.height,
            "mean_abs_error": _r(self.mean_abs_error, 4),
            "sigma": _r(self.sigma, 4),
            "seasonal_change": _r(self.seasonal_change, 4),
            "backtest": self.backtest.with_columns(
                pl.col("forecast").round(1), pl.col("error").round(4)
            ).to_dicts(),
            "messages": list(self.messages),
        }


def _r(x: float | None, places: int) -> float | None:
    return None if x is None else round(x, places)


def volume_history(
    con: duckdb.DuckDBPyConnection, *, month: str, known_until: datetime | None
) -> pl.DataFrame:
    """MQLs per month from the history's first month to the month before ``month`` (month, mqls)."""
    rows = con.sql(
        load_sql("plan/mql_volume_history"),
        params={"cutoff": month_start(month), "known_until": known_until or _FAR_FUTURE},
    ).pl()
    return rows.select(
        pl.col("month_start").dt.strftime("%Y-%m").alias("month"),
        pl.col("mqls").cast(pl.Int64),
    )


def predict(counts: dict[str, int], month: str) -> tuple[str | None, float | None]:
    """The model for ``month`` from the monthly ``counts`` before it: (model, forecast).

    >>> counts = {"2025-07": 90, "2025-08": 100, "2025-09": 110, "2025-10": 80,
    ...           "2026-07": 99, "2026-08": 110, "2026-09": 121}
    >>> predict(counts, "2026-10")  # 80 × 330 ÷ 300
    ('seasonal', 88.0)
    """
    recent = [counts.get(shift_month(month, -k)) for k in (1, 2, 3)]
    if any(v is None for v in recent):
        return None, None
    now = sum(v for v in recent if v is not None)
    ago = [counts.get(shift_month(month, -k)) for k in (13, 14, 15)]
    same = counts.get(shift_month(month, -12))
    if same is not None and all(v is not None for v in ago) and sum(ago):  # type: ignore[arg-type]
        return "seasonal", same * now / sum(v for v in ago if v is not None)
    return "recent", now / 3


def backtest(counts: dict[str, int], *, model: str) -> pl.DataFrame:
    """Run ``model`` on every month of ``counts`` it can forecast; compare with what happened."""
    rows = []
    for m in sorted(counts):
        used, f = predict(counts, m)
        if used == model and f:
            rows.append(
                {"month": m, "actual": counts[m], "forecast": f, "error": counts[m] / f - 1}
            )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.String,
            "actual": pl.Int64,
            "forecast": pl.Float64,
            "error": pl.Float64,
        },
    )


def forecast_month(
    monthly: pl.DataFrame, *, month: str, goal_mqls: int | None, level: float
) -> Forecast:
    """Forecast ``month`` from ``monthly`` (month, mqls: every month before it), with its backtest."""
    counts = dict(monthly.select("month", "mqls").iter_rows())
    model, f = predict(counts, month)
    seasonal = None
    a, b = counts.get(shift_month(month, -12)), counts.get(shift_month(month, -13))
    if a is not None and b:
        seasonal = a / b - 1
    empty = Forecast(
        month, model, f, None, None, level, goal_mqls, None, backtest({}, model="seasonal"),
        None, None, seasonal,
    )  # fmt: skip
    if model is None or not f:
        msg = (
            f"Fewer than three months of MQL volume before {month}: the month's volume cannot be "
            "forecast, so the chance of reaching the goal is not stated."
        )
        return replace(empty, forecast=None, messages=(msg,))
    past = backtest(counts, model=model)
    kept = past.filter(pl.col("actual") > 0)
    if kept.height < MIN_BACKTEST:
        msg = (
            f"Only {kept.height} earlier month(s) to test the forecast on (at least "
            f"{MIN_BACKTEST} needed): its error is unknown, so the chance of reaching the goal "
            "is not stated."
        )
        return replace(empty, backtest=past, messages=(msg,))
    logs = [math.log(1 + e) for e in kept["error"].to_list()]
    sigma = math.sqrt(sum(x * x for x in logs) / len(logs))
    mae = float(past["error"].abs().mean())  # type: ignore[arg-type]
    half = z_value(level) * sigma
    probability = None
    if goal_mqls is not None:
        if sigma == 0:
            probability = 1.0 if f >= goal_mqls else 0.0
        else:
            probability = 1 - NormalDist().cdf(math.log(goal_mqls / f) / sigma)
    return Forecast(
        month=month,
        model=model,
        forecast=f,
        low=f * math.exp(-half),
        high=f * math.exp(half),
        level=level,
        goal_mqls=goal_mqls,
        probability=probability,
        backtest=past,
        mean_abs_error=mae,
        sigma=sigma,
        seasonal_change=seasonal,
    )
