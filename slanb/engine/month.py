"""The one composer: resolve the SLA month, plan it from history, then judge it.

``compute(params)`` is what every surface shows (a notebook, the report, ``slanb plan`` and
``slanb dashboard``, the e-mail through ``summary.json``)::

    sla = slanb.compute(slanb.load_params())
    sla.plan.goal.mqls, sla.tracking.delivery.mqls

It opens the history read-only for the duration of the call only, and reads the facts every step
needs about the history (its first month, the instant it is complete up to) once. In a notebook
run by ``slanb report`` it first takes the month the report computed, when that was computed from
the same parameters, history and ledger (``slanb.store.handover``): one plan per report.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb

from slanb.engine.commitment import judged_plan
from slanb.engine.plan import Plan, plan_month
from slanb.engine.record import Record, RecordSpan, record, record_rules, record_span
from slanb.engine.segments import scoped
from slanb.engine.tracking import Tracking, track
from slanb.errors import SlanbError
from slanb.months import month_of, month_start
from slanb.params import Params
from slanb.store import connect, handover, history
from slanb.store.ledger import Commitment, Ledger, read_ledger


@dataclass(frozen=True)
class SlaMonth:
    """Both promises for one month: marketing's goal (``plan``) and how both sides kept it.

    ``tracking`` is None when the month has not begun, or the history does not reach it yet.
    ``plan`` is what the method gives today; the month is judged against ``commitment`` (the
    ledger's latest version for the month, its earlier ones in ``commitment.earlier``) when there
    is one, so ``judged`` is the plan with the committed goals and terms, else ``plan`` itself.
    ``record`` is both promises month by month up to this one.
    """

    plan: Plan
    tracking: Tracking | None
    seconds: float = field(default=0.0, compare=False)
    commitment: Commitment | None = None
    judged: Plan | None = None
    record: Record | None = None

    @property
    def basis(self) -> Plan:
        """The plan the month is judged against: the committed one, else the method's today."""
        return self.judged or self.plan

    @property
    def month(self) -> str:
        """``2026-10``."""
        return self.plan.month

    @property
    def params(self) -> Params:
        """The run's parameters, with the month resolved."""
        return self.plan.params

    def to_dict(self) -> dict[str, Any]:
        """Every number of the month, JSON-ready: the plan's keys, then the tracking's.

        ``slanb.views.sentences.summary`` adds the words every surface states; together they are
        ``summary.json`` (docs/metrics.md).
        """
        tracked = (
            self.tracking.to_dict() if self.tracking else {"tracking_messages": [], "as_of": None}
        )
        c = self.commitment
        commitment = {
            "basis": "computed" if c is None else "amended" if c.amended else "committed",
            "versions": [] if c is None else [v.to_dict() for v in (*c.earlier, c)],
        }
        record_ = None if self.record is None else self.record.to_dict()
        return {**self.plan.to_dict(), **tracked, "commitment": commitment, "record": record_}


def compute(params: Params, *, in_progress: bool = False) -> SlaMonth:
    """Plan ``params.month`` from the history, then judge it at ``params.as_of`` (or its end).

    Without a month: the last complete month of the history, or with ``in_progress`` the month
    holding ``as_of`` (or now), never past the history's last import. Under ``slanb report``,
    the report's own result when it is for exactly these parameters and files (see
    ``slanb.store.handover``); a different or stale one is never used.
    """
    handed = handover.read(params, in_progress=in_progress)
    if handed is not None:
        if not isinstance(handed, SlaMonth):
            msg = f"${handover.ENV} holds a {type(handed).__name__}, not a month; unset it."
            raise SlanbError(msg)
        return handed
    started = time.perf_counter()
    with connect(params.db_path) as con:
        sla = compute_on(con, params, in_progress=in_progress)
    seconds = time.perf_counter() - started
    return dataclasses.replace(sla, seconds=seconds)


def compute_on(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    in_progress: bool = False,
    ledger: Ledger | None = None,
) -> SlaMonth:
    """:func:`compute` on an open connection (for callers that already hold one).

    Reads the commitments ledger (``params.ledger``) once: the month's tracking and its record are
    judged against the commitments it holds. With ``params.segment``, every step reads only that
    segment's leads, reps and terms (:mod:`slanb.engine.segments`).
    """
    with scoped(con, segment_by=params.segment_by, segment=params.segment):
        return _compute_scoped(con, params.for_segment(), in_progress=in_progress, ledger=ledger)


def _compute_scoped(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    in_progress: bool,
    ledger: Ledger | None,
) -> SlaMonth:
    """:func:`compute_on` once ``con`` sees only the run's segment (all of it without one)."""
    known = history.recorded_export(con)
    params = params.replace(month=resolve_month(con, params, in_progress=in_progress, known=known))
    params = params.for_month()
    start = history.first_month(con)
    plan = plan_month(con, params, known_until=known, history_start=start)
    ledger = read_ledger(params.ledger_path) if ledger is None else ledger
    commitment = ledger.current(plan.month)
    judged = None if commitment is None else judged_plan(plan, commitment)
    at = judged_at(params, known_until=known)
    span = record_span(params, as_of=at, known_until=known, history_start=start, ledger=ledger)
    rules = record_rules(con, span) if span.months else None
    basis = judged or plan
    shared = rules if at is not None and _shares_rules(basis, span) else None
    tracking = None if at is None else track(con, basis, as_of=at, known_until=known, rules=shared)
    rec = record(
        con, params, as_of=at, known_until=known, history_start=start, ledger=ledger, rules=rules
    )
    return SlaMonth(plan, tracking, commitment=commitment, judged=judged, record=rec)


def _shares_rules(basis: Plan, span: RecordSpan) -> bool:
    """Whether the month's own rules can be its row of the record's one pass.

    They can when both rules run on the calendar clock from ``mql_at`` (the record's clock) and
    the record judges M by the terms M is tracked by.
    """
    p = basis.params
    if (p.sla_clock, p.cadence_clock, p.clock_start) != ("calendar", "calendar", "mql_at"):
        return False
    terms = span.terms.get(basis.month)
    fields = ("first_touch_hours", "first_touch_kinds", "cadence_days", "cadence_calls")
    return terms is not None and all(
        getattr(terms, f) == getattr(p, f) for f in (*fields, "cadence_kinds")
    )


def resolve_month(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    in_progress: bool = False,
    known: datetime | None = None,
) -> str:
    """``params.month``, else the last complete month, else (``in_progress``) the current one."""
    if params.month is not None:
        return params.month
    if not in_progress:
        return history.last_complete_month(con)
    at = params.as_of_or_now
    if known is not None and known <= at:
        at = known - timedelta(microseconds=1)  # the month in progress, never past the history
    return month_of(at)


def judged_at(params: Params, *, known_until: datetime | None) -> datetime | None:
    """The instant ``params.month`` is judged at, or None when there is nothing to judge yet.

    min(end of month, ``as_of`` or now); None when that, or the history's last import, comes
    before the month begins.
    """
    at = params.as_of_instant
    if min(at, known_until or at) < month_start(params.month or ""):
        return None
    return at
