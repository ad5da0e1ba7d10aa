"""The SLA as a record: both promises, month by month, for the months up to the SLA month.

For each month X of the record (the last ``lookback_months`` up to M, and January of M's year
onward for the year to date): the goals X is judged against (its commitment's when the ledger has
one, else the method's goal computed now, from the same sample a plan of X would use), what
marketing delivered (MQLs, and lead value at X's bucket values), and the sales rules judged by X's
own terms. Three grouped queries answer every month at once (``track/record_*_by_month``); no plan
is computed per month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from slanb.engine.goals import revenue_target
from slanb.engine.tracking import calendar_rules
from slanb.engine.value import FITS, INTENTS
from slanb.money import ceil_div, cents, dec, ratio
from slanb.months import MonthSpan, month_range, month_start, shift_month
from slanb.params import Params, Terms
from slanb.store.db import load_sql
from slanb.store.ledger import Commitment, Ledger

UNKNOWN = "unknown"
COLUMNS = (
    "month",
    "basis",  # committed, amended, or computed (no commitment: the goal computed now)
    "committed_at",
    "committed_by",
    "in_progress",
    "goal_mqls",
    "mqls",
    "attainment",
    "lead_value_goal",
    "lead_value",
    "lead_value_attainment",
    "first_touch_hours",
    "touch_judged",
    "touch_met",
    "touch_share",
    "cadence_judged",
    "cadence_met",
    "cadence_share",
    "reps_on_dashboard",
)


@dataclass(frozen=True)
class Record:
    """Both promises month by month: ``months`` (oldest first; :data:`COLUMNS`), the year to date.

    ``months`` holds the last ``lookback_months`` months up to M that the history reaches;
    ``year_to_date`` sums January of M's year to M (attainments of the sums, compliance of the
    counts). ``met`` counts complete months whose MQL (lead-value) attainment is at least 100%.
    """

    month: str
    months: pl.DataFrame
    year_to_date: dict[str, Any]
    messages: tuple[str, ...] = ()

    @property
    def complete(self) -> pl.DataFrame:
        """The months judged over their whole length."""
        return self.months.filter(~pl.col("in_progress"))

    def met(self, column: str = "attainment") -> tuple[int, int]:
        """(complete months at or above 100% of ``column``, complete months with a goal)."""
        values = [v for v in self.complete[column].to_list() if v is not None]
        return sum(1 for v in values if v >= 1), len(values)

    def compliance(self, rule: str = "touch") -> float | None:
        """Share of the ``rule`` deadlines met over every month shown (None when none was judged)."""
        judged = int(self.months[f"{rule}_judged"].sum())
        return ratio(int(self.months[f"{rule}_met"].sum()), judged, 4) if judged else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``record`` key of ``summary.json``)."""
        met, with_goal = self.met()
        lv_met, lv_with_goal = self.met("lead_value_attainment")
        return {
            "months": self.months.to_dicts(),
            "year_to_date": self.year_to_date,
            "mql_goal_met": met,
            "lead_value_goal_met": lv_met,
            "months_with_goal": with_goal,
            "lead_value_months_with_goal": lv_with_goal,
            "first_touch_share": self.compliance("touch"),
            "cadence_share": self.compliance("cadence"),
            "messages": list(self.messages),
        }


@dataclass(frozen=True)
class RecordSpan:
    """The months of a record and how each is judged.

    ``as_ofs[i]``: its end, or M's as_of, never past the history; ``terms[m]``: its
    commitment's, else its own; ``commitments[m]``: the ledger's latest version, or None.
    """

    month: str
    months: list[str]
    as_ofs: list[datetime]
    terms: dict[str, Terms]
    commitments: dict[str, Commitment | None]


def record_span(
    params: Params,
    *,
    as_of: datetime | None,
    known_until: datetime | None,
    history_start: str | None,
    ledger: Ledger,
) -> RecordSpan:
    """The record's months up to ``params.month``: the last ``lookback_months`` and January on.

    ``as_of`` is the instant M is judged at (None before M begins: M is left out); earlier months
    are judged over their whole length, never past ``known_until``; a month the history does not
    reach is left out.
    """
    month = params.month or ""
    first = min(shift_month(month, -(params.lookback_months - 1)), f"{month[:4]}-01")
    if history_start is not None:
        first = max(first, history_start)
    last = month if as_of is not None else shift_month(month, -1)
    months = month_range(first, last) if first <= last else []
    cap = min(x for x in (as_of, known_until) if x is not None) if (as_of or known_until) else None
    ends = [month_start(shift_month(m, 1)) for m in months]
    as_ofs = [e if cap is None else min(e, cap) for e in ends]
    keep = [i for i, m in enumerate(months) if as_ofs[i] >= month_start(m)]
    months, as_ofs = [months[i] for i in keep], [as_ofs[i] for i in keep]
    commitments = {m: ledger.current(m) for m in months}
    terms = {m: params.terms_for(m) for m in months}
    for m, c in commitments.items():
        if c is not None:
            terms[m] = Terms(
                marketing_share=c.marketing_share,
                **{k: tuple(v) if isinstance(v, list) else v for k, v in c.terms.items()},
            )
    return RecordSpan(month, months, as_ofs, terms, commitments)


def record_rules(con: duckdb.DuckDBPyConnection, span: RecordSpan) -> pl.DataFrame:
    """Both sales rules of every month of ``span``, each by its own terms, in one pass.

    On the calendar clock (``tracking.calendar_rules``), with the detail of M's own scorecard:
    M's rows are what ``track`` shows for M on the calendar clock, so the composer hands them to
    it instead of judging M a second time.
    """
    return calendar_rules(
        con,
        months=span.months,
        as_ofs=span.as_ofs,
        terms=[span.terms[m] for m in span.months],
        detail_month=span.month,
    )


def _rules_by_month(rules: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Per month: first touches and cadences judged and met, and the reps with a breach.

    The reps on the dashboard are owners: ``unassigned`` is not counted.
    """
    totals = rules.filter(pl.col("is_total"))
    reps = (
        rules.filter(
            ~pl.col("is_total")
            & (pl.col("rep_id") != "unassigned")
            & (pl.col("touch_breached") + pl.col("cadence_breached") > 0)
        )
        .group_by("month")
        .len("reps_on_dashboard")
    )
    joined = totals.join(reps, on="month", how="left")
    return {r["month"]: r for r in joined.to_dicts()}


def record(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    as_of: datetime | None,
    known_until: datetime | None,
    history_start: str | None,
    ledger: Ledger,
    rules: pl.DataFrame | None = None,
) -> Record:
    """The record of ``params.month`` (resolved): every month by its commitment or the goal now.

    ``as_of`` is the instant M is judged at (None before M begins: M is left out); earlier months
    are judged over their whole length, never past ``known_until``. ``rules``: the months' rows
    of :func:`record_rules`, when the caller computed them already (to share them with M's
    tracking); else they are computed here.
    """
    month = params.month or ""
    span = record_span(
        params, as_of=as_of, known_until=known_until, history_start=history_start, ledger=ledger
    )
    if not span.months:
        return Record(month, pl.DataFrame(schema=_schema()), _year([], month))
    months, as_ofs, terms, commitments = span.months, span.as_ofs, span.terms, span.commitments
    ends = [month_start(shift_month(m, 1)) for m in months]
    cutoffs = [month_start(m) for m in months]
    computed = _values_now(con, params, months)
    delivered = con.sql(
        load_sql("track/record_delivery_by_month"),
        params={
            "months": months,
            "cutoffs": cutoffs,
            "as_ofs": as_ofs,
            "first_cutoff": min(cutoffs),
            "last_as_of": max(as_ofs),
        },
    ).pl()
    if rules is None:
        rules = record_rules(con, span)
    by_month_rules = _rules_by_month(rules)
    rows = []
    for m, at, end in zip(months, as_ofs, ends, strict=True):
        c = commitments[m]
        goal = _goal_of(c) if c is not None else computed[m]
        counts = {
            (r["intent"], r["fit"]): r["mqls"]
            for r in delivered.filter(pl.col("month") == m).to_dicts()
        }
        mqls = sum(counts.values())
        lead_value = _valued(counts, goal["buckets"], goal["revenue_per_mql"])
        r = by_month_rules.get(m, {})
        tj, tm = int(r.get("touch_judged") or 0), int(r.get("touch_met") or 0)
        cj, cm = int(r.get("cadence_judged") or 0), int(r.get("cadence_met") or 0)
        rows.append(
            {
                "month": m,
                "basis": "computed" if c is None else "amended" if c.amended else "committed",
                "committed_at": None if c is None else c.first.committed_at,
                "committed_by": None if c is None else c.first.by,
                "in_progress": at < end,
                "goal_mqls": goal["goal_mqls"],
                "mqls": mqls,
                "attainment": ratio(mqls, goal["goal_mqls"], 4) if goal["goal_mqls"] else None,
                "lead_value_goal": goal["lead_value_goal"],
                "lead_value": lead_value,
                "lead_value_attainment": (
                    ratio(lead_value, goal["lead_value_goal"], 4)
                    if lead_value is not None and goal["lead_value_goal"]
                    else None
                ),
                "first_touch_hours": float(terms[m].first_touch_hours),
                "touch_judged": tj,
                "touch_met": tm,
                "touch_share": ratio(tm, tj, 4) if tj else None,
                "cadence_judged": cj,
                "cadence_met": cm,
                "cadence_share": ratio(cm, cj, 4) if cj else None,
                "reps_on_dashboard": int(r.get("reps_on_dashboard") or 0),
            }
        )
    frame = pl.DataFrame(rows, schema=_schema(), orient="row")
    shown = frame.filter(pl.col("month") >= shift_month(month, -(params.lookback_months - 1)))
    return Record(month, shown, _year(rows, month))


def _schema() -> dict[str, Any]:
    types: dict[str, Any] = {c: pl.Int64 for c in COLUMNS}
    for c in ("month", "basis", "committed_at", "committed_by"):
        types[c] = pl.String
    types["in_progress"] = pl.Boolean
    for c in (
        "attainment",
        "lead_value_goal",
        "lead_value",
        "lead_value_attainment",
        "first_touch_hours",
        "touch_share",
        "cadence_share",
    ):
        types[c] = pl.Float64
    return types


def _year(rows: list[dict[str, Any]], month: str) -> dict[str, Any]:
    """January of M's year to M: sums, the attainment of the sums, compliance of the counts.

    ``mqls`` counts every month; the attainment compares the goal with ``mqls_with_goal``, the
    MQLs of the ``goal_months`` that had an MQL goal (a segment's first months may have none).
    """
    ytd = [r for r in rows if r["month"][:4] == month[:4]]
    with_goal = [r for r in ytd if r["goal_mqls"] is not None]
    with_value = [
        r for r in ytd if r["lead_value_goal"] is not None and r["lead_value"] is not None
    ]
    goal = sum(r["goal_mqls"] for r in with_goal)
    mqls = sum(r["mqls"] for r in with_goal)
    lv_goal = cents(sum((dec(r["lead_value_goal"]) for r in with_value), Decimal(0)))
    lv = cents(sum((dec(r["lead_value"]) for r in with_value), Decimal(0)))
    tj, tm = sum(r["touch_judged"] for r in ytd), sum(r["touch_met"] for r in ytd)
    cj, cm = sum(r["cadence_judged"] for r in ytd), sum(r["cadence_met"] for r in ytd)
    return {
        "first_month": ytd[0]["month"] if ytd else None,
        "last_month": ytd[-1]["month"] if ytd else None,
        "months": len(ytd),
        "goal_mqls": goal if with_goal else None,
        "mqls": sum(r["mqls"] for r in ytd),
        "goal_months": len(with_goal),
        "mqls_with_goal": mqls,
        "attainment": ratio(mqls, goal, 4) if goal else None,
        "lead_value_goal": lv_goal if with_value else None,
        "lead_value": lv if with_value else None,
        "lead_value_attainment": ratio(lv, lv_goal, 4) if lv_goal else None,
        "touch_share": ratio(tm, tj, 4) if tj else None,
        "cadence_share": ratio(cm, cj, 4) if cj else None,
    }


def _goal_of(c: Commitment) -> dict[str, Any]:
    return {
        "goal_mqls": c.goal_mqls,
        "lead_value_goal": c.lead_value_goal,
        "revenue_per_mql": c.revenue_per_mql,
        "buckets": {(i, f): v for i, f, v in c.buckets},
    }


def _values_now(
    con: duckdb.DuckDBPyConnection, params: Params, months: list[str]
) -> dict[str, dict[str, Any]]:
    """Each month's goal as the method computes it now (steps 2-4 on its own sample)."""
    spans = [
        MonthSpan(
            shift_month(m, -params.maturity_months - params.lookback_months),
            shift_month(m, -params.maturity_months - 1),
        )
        for m in months
    ]
    rows = con.sql(
        load_sql("track/record_value_by_month"),
        params={
            "months": months,
            "cutoffs": [month_start(m) for m in months],
            "window_starts": [s.start for s in spans],
            "window_ends": [s.end for s in spans],
            "first_start": min(s.start for s in spans),
            "last_end": max(s.end for s in spans),
        },
    ).pl()
    out = {}
    for m in months:
        mine = rows.filter(pl.col("month") == m)
        n = int(mine["mqls"].sum())
        revenue = cents(mine["revenue"].sum())
        value = cents(revenue / n) if n else None
        buckets: dict[tuple[str, str], float | None] = {}
        per = {(r["intent"], r["fit"]): r for r in mine.to_dicts()}
        grid = [(i, f) for i in INTENTS for f in FITS]
        if (UNKNOWN, UNKNOWN) in per:
            grid.append((UNKNOWN, UNKNOWN))
        for key in grid:
            r = per.get(key)
            buckets[key] = cents(r["revenue"] / r["mqls"]) if r and r["mqls"] else value
        target = revenue_target(
            params.goal_for(m), month=m, marketing_share=params.terms_for(m).marketing_share
        )
        goal = (
            ceil_div(target.revenue_target, value)
            if target.revenue_target is not None and value
            else None
        )
        out[m] = {
            "goal_mqls": goal,
            "lead_value_goal": target.revenue_target,
            "revenue_per_mql": value,
            "buckets": buckets,
        }
    return out


def _valued(
    counts: dict[tuple[str, str], int],
    buckets: dict[tuple[str, str], float | None],
    overall: float | None,
) -> float | None:
    """The lead value of ``counts`` at ``buckets``' values; None when a bucket has no value.

    ``unknown`` MQLs are valued at the overall value when the buckets have no ``unknown`` entry.
    """
    total = Decimal(0)
    for key, n in counts.items():
        if not n:
            continue
        value = buckets.get(key, overall if key == (UNKNOWN, UNKNOWN) else None)
        if value is None:
            return None
        total += dec(value) * n
    return cents(total)
