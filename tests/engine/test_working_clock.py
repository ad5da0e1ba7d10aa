"""The working clock's worked examples (docs/metrics.md, "The working clock"), computed by hand.

Calendar: Monday to Friday 09:00-17:00, 24 working hours (three working days of 8 h) to the first
touch; Monday 2026-03-16 is a company holiday. R1 works in UTC, R2 in New York (DST began Sunday
2026-03-08: 09:00 local is 14:00 UTC before, 13:00 UTC after), R3 in UTC and on leave from Monday
2026-03-02 00:00 to Monday 2026-03-09 00:00.

- L1, R1: MQL Friday 03-06 16:00 → 1 h Friday, 8 Monday, 8 Tuesday, 7 Wednesday: due Wednesday
  03-11 16:00; touched at exactly 16:00 → met.
- L2, R1: the same MQL, touched Wednesday 16:01 → breached.
- L3, R1: MQL Friday 03-13 16:00, Monday 03-16 a holiday → due Thursday 03-19 16:00; touched
  Thursday 15:00 → met (on the calendar clock, due Saturday 16:00: breached).
- L4, R2: MQL Friday 03-06 20:00 UTC = 15:00 EST → 2 h Friday, 8 Monday, 8 Tuesday, 6 Wednesday
  from 09:00 EDT: due 15:00 EDT = 19:00 UTC (20:00 if DST were ignored); touched 19:30 → breached.
- L5, R3: MQL Tuesday 03-03 10:00 while R3 is on leave, never touched → away: not R3's breach.
- L6, R1: MQL Monday 03-02 09:00, assigned six hours later at 15:00, touched Thursday 03-05
  15:00. From mql_at: 8 + 8 + 8 h → due Thursday 09:00, breached. From assigned_at: 2 + 8 + 8 + 6
  h → due Thursday 15:00, touched at exactly the deadline → met; routing delay 6 h.
"""

from __future__ import annotations

import polars as pl
import pytest

from slanb.errors import SlanbError
from slanb.params import Params, load_params
from slanb.store import db
from tests.fixtures import tracking_example as ex

MQLS = {
    "L1": ("R1", "2026-03-06 16:00", None, "2026-03-11 16:00"),
    "L2": ("R1", "2026-03-06 16:00", None, "2026-03-11 16:01"),
    "L3": ("R1", "2026-03-13 16:00", None, "2026-03-19 15:00"),
    "L4": ("R2", "2026-03-06 20:00", None, "2026-03-11 19:30"),
    "L5": ("R3", "2026-03-03 10:00", None, None),
    "L6": ("R1", "2026-03-02 09:00", "2026-03-02 15:00", "2026-03-05 15:00"),
}


@pytest.fixture
def clock_history(history):
    leads = [
        {"lead_id": k, "created_at": "2026-02-01 00:00", "mql_at": m, "owner_id": r,
         "assigned_at": a, "intent": "hand_raiser", "fit": "A"}
        for k, (r, m, a, _) in MQLS.items()
    ]  # fmt: skip
    activities = [
        {"activity_id": f"A{k}", "lead_id": k, "rep_id": r, "kind": "call", "occurred_at": t}
        for k, (r, _, _, t) in MQLS.items()
        if t
    ]
    reps = [
        {"rep_id": "R1", "name": "Ada", "timezone": "UTC"},
        {"rep_id": "R2", "name": "Ben", "timezone": "America/New_York"},
        {"rep_id": "R3", "name": "Cy"},
    ]
    time_off = [
        {"time_off_id": "T1", "rep_id": "R3", "starts_at": "2026-03-02 00:00",
         "ends_at": "2026-03-09 00:00"},
    ]  # fmt: skip
    tables = {"leads": leads, "activities": activities, "reps": reps, "time_off": time_off}
    return history(tables, exported_at="2026-04-01 00:00:00")


def _month(path, **changes):
    params = Params(
        db=str(path),
        month="2026-03",
        lookback_months=1,
        maturity_months=0,
        company_holidays=("2026-03-16",),
        cadence_calls=1,  # one call makes the cadence: the dashboard shows first touches only
        **changes,
    )
    with db.connect(path) as con:
        return ex.judged(con, params)


def _track(path, **changes):
    t = _month(path, **changes).tracking
    assert t is not None
    return t


def _breached(t) -> dict[str, list[str]]:
    return {r["rep_id"]: r["lead_ids"] for r in t.dashboard.to_dicts()}


def test_working_clock_from_mql_at(clock_history):
    t = _track(clock_history, sla_clock="working", cadence_clock="working")
    assert (t.first_touch.judged, t.first_touch.met, t.first_touch.breached) == (5, 2, 3)
    assert _breached(t) == {"R1": ["L2", "L6"], "R2": ["L4"]}
    assert t.clock is not None
    assert t.clock.away == 1  # L5: R3 was on leave when it arrived
    # the calendar clock on the same leads: every deadline 24 h after mql_at, all missed
    assert (t.clock.calendar_judged, t.clock.calendar_met) == (6, 0)
    assert (t.clock.working_judged, t.clock.working_met) == (5, 2)


def test_working_clock_from_assigned_at(clock_history):
    t = _track(
        clock_history, sla_clock="working", cadence_clock="working", clock_start="assigned_at"
    )
    assert (t.first_touch.judged, t.first_touch.met) == (5, 3)
    assert _breached(t) == {"R1": ["L2"], "R2": ["L4"]}
    assert t.clock is not None
    assert t.clock.routing_median_hours == 6.0  # L6 only: the one lead with assigned_at
    by_rep = {r["rep_id"]: r for r in t.clock.by_rep.to_dicts()}
    # R1 from assignment (or mql_at): L6 72 h, L1 120 h, L2 120 h 1 min, L3 143 h → median 120.01
    assert by_rep["R1"]["rep_median_hours"] == 120.01
    assert by_rep["R1"]["routing_median_hours"] == 6.0


def test_calendar_clock_is_the_default_and_judges_the_leave_too(clock_history):
    t = _track(clock_history)
    assert (t.first_touch.judged, t.first_touch.met, t.first_touch.breached) == (6, 0, 6)
    assert _breached(t)["R3"] == ["L5"]
    assert t.clock is not None and t.clock.sla_clock == "calendar"
    assert t.clock.working_away == 1  # L5 would be away on the working clock
    # both rules on the calendar clock: the working calendar is not built, the working side unknown
    assert not t.clock.compared
    assert (t.clock.working_judged, t.clock.working_met, t.clock.working_median_hours) == (
        None,
        None,
        None,
    )


def test_a_bad_holidays_country_names_the_parameter():
    with pytest.raises(SlanbError, match=r"^command line: parameter holidays_country must be a "
                       r"country code the holidays package knows \(US, DE, GB, FR, …\), got 'XX'$"):  # fmt: skip
        load_params(holidays_country="XX")


def test_a_bad_holidays_subdivision_names_the_parameter(clock_history):
    with pytest.raises(
        SlanbError,
        match=r"parameter holidays_subdivision 'ZZ' is not a subdivision of US the holidays "
        r"package knows .*; leave it empty for the country's national holidays\.$",
    ):
        _track(clock_history, holidays_country="US", holidays_subdivision="ZZ")


def test_us_holidays_move_the_working_deadline(clock_history):
    """holidays_country US: no US public holiday from 03-02 to 03-19, so the verdicts stand."""
    t = _track(clock_history, sla_clock="working", holidays_country="US")
    assert (t.first_touch.judged, t.first_touch.met) == (5, 2)


def test_the_record_judges_every_month_on_the_calendar_clock(clock_history):
    """The record (page 07) keeps the calendar clock whatever ``sla_clock`` says (docs/metrics.md).

    March on the calendar clock: the six first touches judged, none met (every deadline 24 h after
    mql_at); the working clock's tracking judges five (L5 away) and meets two, the record still
    reads 6 judged, 0 met.
    """
    from slanb.engine.month import compute

    base = Params(
        db=str(clock_history),
        month="2026-03",
        lookback_months=1,
        maturity_months=0,
        company_holidays=("2026-03-16",),
        cadence_calls=1,
    )
    for clock in ("calendar", "working"):
        sla = compute(base.replace(sla_clock=clock))
        assert sla.record is not None
        march = sla.record.months.filter(pl.col("month") == "2026-03").row(0, named=True)
        assert (march["touch_judged"], march["touch_met"]) == (6, 0), clock
    assert sla.tracking is not None
    assert (sla.tracking.first_touch.judged, sla.tracking.first_touch.met) == (5, 2)
