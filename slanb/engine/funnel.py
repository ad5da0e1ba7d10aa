"""The reverse funnel (per rep, the seed's 100 → 50 → 30 → 15 → 5) on the mature sample."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

STAGES = (
    ("mqls", "MQLs"),
    ("contacted", "contacted"),
    ("reached_sql", "reached SQL"),
    ("got_deal", "got a deal"),
    ("won_leads", "won"),
)


@dataclass(frozen=True)
class Funnel:
    """``stages``: stage, label, count, rate (share of MQLs); ``per_rep``: stage, label, count."""

    stages: pl.DataFrame
    per_rep: pl.DataFrame

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``funnel`` key of ``Plan.to_dict()``)."""
        return {"stages": self.stages.to_dicts(), "per_rep": self.per_rep.to_dicts()}


def reverse_funnel(sample_rows: pl.DataFrame, mqls_per_rep: float | None) -> Funnel:
    """Share of sample MQLs reaching each stage, and what the goal per rep implies at each.

    Contacted: a first-touch kind of activity at/after ``mql_at`` (before M); reached SQL:
    ``sql_at`` before M; got a deal: a deal created before M; won: a won deal closed before M.
    """
    inside = sample_rows.filter(pl.col("in_sample"))
    total = int(inside["mqls"].sum())
    counts = [int(inside[col].sum()) for col, _ in STAGES]
    rates = [round(c / total, 4) if total else None for c in counts]
    stages = pl.DataFrame(
        {
            "stage": [s for s, _ in STAGES],
            "label": [label for _, label in STAGES],
            "count": counts,
            "rate": rates,
        },
        schema={"stage": pl.String, "label": pl.String, "count": pl.Int64, "rate": pl.Float64},
    )
    per_rep = pl.DataFrame(
        {
            "stage": [s for s, _ in STAGES],
            "label": [label for _, label in STAGES],
            "count": [
                round(mqls_per_rep * c / total, 1) if mqls_per_rep is not None and total else None
                for c in counts
            ],
        },
        schema={"stage": pl.String, "label": pl.String, "count": pl.Float64},
    )
    return Funnel(stages=stages, per_rep=per_rep)
