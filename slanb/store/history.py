"""Facts about a history as a whole: its span, its size, its last complete month."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from slanb.errors import SlanbError
from slanb.months import month_of, shift_month
from slanb.store.db import load_sql


@dataclass(frozen=True)
class HistorySummary:
    """How much history there is: what ``slanb demo`` and ``make report`` print."""

    first_month: str | None
    last_month: str | None
    months: int
    leads: int
    mqls: int
    deals: int
    won_deals: int
    won_revenue: float
    reps: int
    activities: int
    exported_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (timestamps as ISO strings)."""
        d = asdict(self)
        d["exported_at"] = self.exported_at.isoformat() if self.exported_at else None
        return d

    def format(self) -> str:
        """A few readable lines."""
        span = f"{self.first_month} to {self.last_month}" if self.first_month else "no leads"
        return "\n".join(
            [
                f"History: {span} ({self.months} months)",
                f"  leads       {self.leads:>12,}",
                f"  MQLs        {self.mqls:>12,}",
                f"  deals       {self.deals:>12,}  ({self.won_deals:,} won)",
                f"  won revenue {self.won_revenue:>12,.2f}",
                f"  reps        {self.reps:>12,}",
                f"  activities  {self.activities:>12,}",
            ]
        )


def summary(con: duckdb.DuckDBPyConnection) -> HistorySummary:
    """Count what the history holds, in one query."""
    (row,) = con.sql(
        load_sql("contract/history_summary")
    ).fetchall()  # an aggregate: exactly one row
    first, last, leads, mqls, deals, won, revenue, reps, acts, exported = row
    months = 0
    if first is not None:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
    return HistorySummary(
        first_month=month_of(first) if first else None,
        last_month=month_of(last) if last else None,
        months=months,
        leads=leads,
        mqls=mqls,
        deals=deals,
        won_deals=won,
        won_revenue=round(float(revenue), 2),
        reps=reps,
        activities=acts,
        exported_at=exported,
    )


def recorded_export(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """``slanb_meta.exported_at`` as recorded by ``slanb ingest`` or ``slanb demo`` (None if absent).

    Tracking never judges past it: touches after it are not in the history yet.
    """
    rows = con.sql(
        "select max(try_cast(value as timestamp)) from slanb_meta where key = 'exported_at'"
    ).fetchall()
    return rows[0][0] if rows else None


def exported_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The instant the history is complete up to (``slanb_meta.exported_at``, else newest timestamp)."""
    return recorded_export(con) or summary(con).exported_at


def first_month(con: duckdb.DuckDBPyConnection) -> str | None:
    """The month of the first lead's ``created_at`` (None for an empty history)."""
    ((first,),) = con.sql("select min(created_at) from leads").fetchall()
    return None if first is None else month_of(first)


def last_complete_month(con: duckdb.DuckDBPyConnection) -> str:
    """The month before the one holding :func:`exported_at`, as ``YYYY-MM``.

    A demo ending with October 2026 is exported at 2026-11-01 00:00, so October is complete;
    an export whose newest record is from 2026-11-23 also gives October.
    """
    at = exported_at(con)
    if at is None:
        msg = "The history has no leads, so it has no complete month. Import an export with `slanb ingest`."
        raise SlanbError(msg)
    return shift_month(month_of(at), -1)


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """The history's fingerprint: rows per table and a sha256 of every row's hash.

    Any edit, addition or removal of a row changes ``digest`` (``contract/history_fingerprint``).
    """
    rows = con.sql(load_sql("contract/history_fingerprint")).fetchall()
    text = ";".join(f"{name}:{n}:{digest}" for name, n, digest in rows)
    return {
        "digest": hashlib.sha256(text.encode()).hexdigest()[:16],
        **{f"{name}_rows": n for name, n, _ in rows},
    }
