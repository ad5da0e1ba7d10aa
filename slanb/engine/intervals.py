"""How sure the value of an MQL is: ranges for revenue per MQL, the MQL goal and the matrix.

Per bucket of the 2×3 matrix, thin buckets are pulled toward the overall value.

Revenue per MQL is the mean of each sample lead's won revenue (most leads $0). Its spread comes from
three sums the sample query returns per month and bucket (``mqls``, ``revenue``, ``revenue_sq``):

    sd² = (Σx² − (Σx)²/n) ÷ (n − 1),   se = sd ÷ √n,   range = value ± z·se

with ``z`` the normal quantile for ``interval_level`` (1.2816 for 80%): in about 80% of histories
like this one, the range holds the value the company's MQLs are really worth. The low end is never
below $0.

**Thin buckets.** A bucket with fewer than :data:`THIN_WON_LEADS` won leads keeps the share
``w = won leads ÷ 10`` of its own value and takes the rest from the overall revenue per MQL:
``shrunk = w·bucket + (1 − w)·overall``, its standard error ``√(w²·se_b² + (1 − w)²·se²)``. A bucket
with no MQLs is the overall value (``w = 0``); one with 10 or more won leads stands on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

from slanb.money import ceil_div, cents

THIN_WON_LEADS = 10


@dataclass(frozen=True)
class Range:
    """A value with its range at ``level`` (``low``/``high`` None when undefined)."""

    value: float | None
    low: float | None
    high: float | None
    se: float | None

    def to_dict(self) -> dict[str, float | None]:
        """JSON-ready form."""
        return {"value": self.value, "low": self.low, "high": self.high, "se": self.se}


@dataclass(frozen=True)
class Uncertainty:
    """The ranges of step 2 and step 4 at ``level``, and the matrix's (``matrix``, one row a bucket).

    ``matrix``: intent, fit, mqls, won_leads, weight (the share of its own value a bucket keeps),
    thin, lead_value (after shrinkage), low, high.
    """

    level: float
    z: float
    revenue_per_mql: Range
    goal_low: int | None  # the MQL goal if an MQL is worth the high end
    goal_high: int | None  # … the low end (None when the low end is $0: no number is enough)
    matrix: pl.DataFrame

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``uncertainty`` key of ``Plan.to_dict()``)."""
        return {
            "level": self.level,
            "z": round(self.z, 4),
            "revenue_per_mql": self.revenue_per_mql.to_dict(),
            "goal_mqls_low": self.goal_low,
            "goal_mqls_high": self.goal_high,
            "thin_won_leads": THIN_WON_LEADS,
            "matrix": self.matrix.to_dicts(),
        }


def z_value(level: float) -> float:
    """The two-sided normal quantile for ``level``.

    >>> round(z_value(0.8), 4), round(z_value(0.95), 4)
    (1.2816, 1.96)
    """
    return NormalDist().inv_cdf((1 + level) / 2)


def mean_range(n: int, total: float, total_sq: float, *, level: float) -> Range:
    """Mean of ``n`` per-lead values from their sum and sum of squares, with its range at ``level``.

    >>> mean_range(4, 200.0, 20_000.0, level=0.8)  # leads worth 0, 0, 100, 100: sd 57.735, se 28.87
    Range(value=50.0, low=13.0, high=87.0, se=28.8675)
    """
    if n == 0:
        return Range(None, None, None, None)
    mean = total / n
    var = max(0.0, (total_sq - total * total / n) / (n - 1)) if n > 1 else 0.0
    se = math.sqrt(var / n)
    return _range(mean, se, level)


def _range(value: float, se: float, level: float) -> Range:
    half = z_value(level) * se
    return Range(cents(value), cents(max(0.0, value - half)), cents(value + half), round(se, 4))


def goal_range(revenue_target: float | None, r: Range) -> tuple[int | None, int | None]:
    """The MQL goal at each end of the range: ⌈target ÷ high⌉ to ⌈target ÷ low⌉.

    >>> goal_range(75_000, Range(100.0, 90.0, 110.0, 7.8))
    (682, 834)
    """
    if revenue_target is None or not r.high:
        return None, None
    return ceil_div(revenue_target, r.high), (ceil_div(revenue_target, r.low) if r.low else None)


def uncertainty(
    sample_rows: pl.DataFrame,
    matrix: pl.DataFrame,
    *,
    revenue_target: float | None,
    level: float,
) -> Uncertainty:
    """The ranges from the :func:`slanb.engine.value.sample` aggregate and the lead-value matrix."""
    inside = sample_rows.filter(pl.col("in_sample"))
    overall = mean_range(
        int(inside["mqls"].sum()),
        float(inside["revenue"].sum()),
        float(inside["revenue_sq"].sum()),
        level=level,
    )
    low, high = goal_range(revenue_target, overall)
    sums = inside.group_by("intent", "fit").agg(pl.col("revenue", "revenue_sq").sum())
    rows = []
    cells = matrix.join(sums, on=["intent", "fit"], how="left").with_columns(
        pl.col("revenue", "revenue_sq").fill_null(0.0)
    )
    for c in cells.iter_rows(named=True):
        own = mean_range(c["mqls"], c["revenue"], c["revenue_sq"], level=level)
        rows.append(_bucket(c, own, overall, level))
    return Uncertainty(
        level=level,
        z=z_value(level),
        revenue_per_mql=overall,
        goal_low=low,
        goal_high=high,
        matrix=pl.DataFrame(
            rows,
            schema={
                "intent": pl.String,
                "fit": pl.String,
                "mqls": pl.Int64,
                "won_leads": pl.Int64,
                "weight": pl.Float64,
                "thin": pl.Boolean,
                "lead_value": pl.Float64,
                "low": pl.Float64,
                "high": pl.Float64,
            },
        ),
    )


def shrink(
    own: Range, overall: Range, *, won_leads: int, level: float
) -> tuple[float, Range | None]:
    """The thin-bucket rule: keep ``w = min(1, won_leads ÷ 10)`` of the bucket's own value.

    >>> w, r = shrink(Range(1500.0, 0.0, 3000.0, 1000.0), Range(100.0, 90.0, 110.0, 8.0),
    ...               won_leads=2, level=0.8)
    >>> w, r.value  # 0.2 × $1,500 + 0.8 × $100
    (0.2, 380.0)
    """
    w = min(1.0, won_leads / THIN_WON_LEADS)
    if overall.value is None or overall.se is None:
        return w, None if own.value is None else own
    if own.value is None or own.se is None:
        return 0.0, overall
    if w == 1.0:
        return w, own
    value = w * own.value + (1 - w) * overall.value
    se = math.sqrt((w * own.se) ** 2 + ((1 - w) * overall.se) ** 2)
    return w, _range(value, se, level)


def _bucket(c: dict, own: Range, overall: Range, level: float) -> dict[str, object]:
    w, r = shrink(own, overall, won_leads=c["won_leads"], level=level)
    return {
        "intent": c["intent"],
        "fit": c["fit"],
        "mqls": c["mqls"],
        "won_leads": c["won_leads"],
        "weight": round(w, 4),
        "thin": w < 1.0,
        "lead_value": None if r is None else r.value,
        "low": None if r is None else r.low,
        "high": None if r is None else r.high,
    }
