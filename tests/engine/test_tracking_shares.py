"""The rules' shares met come from the engine's dataclasses; the scorecard only formats them."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from slanb.engine.tracking import Cadence, Clock, FirstTouch


def _cadence(judged: int, met: int) -> Cadence:
    return Cadence(
        judged=judged, met=met, breached=judged - met, excluded=2, pending=1, by_rep=pl.DataFrame()
    )


def _clock(calendar: tuple[int, int], working: tuple[int, int] | None) -> Clock:
    return Clock(
        sla_clock="working" if working else "calendar",
        cadence_clock="calendar",
        clock_start="mql_at",
        working_day_hours=8.0,
        calendar_judged=calendar[0],
        calendar_met=calendar[1],
        working_judged=None if working is None else working[0],
        working_met=None if working is None else working[1],
        working_away=0,
        raw_median_hours=None,
        working_median_hours=None,
        routing_median_hours=None,
        rep_median_hours=None,
        away=0,
        cadence_away=0,
        by_rep=pl.DataFrame(),
    )


def test_cadence_share_is_met_over_judged_and_none_when_nothing_was_judged():
    """417 judged, 392 met: 392 / 417 = 0.94005 (the demo's mid_market cadence, 94%)."""
    assert _cadence(417, 392).met_share == 392 / 417
    assert round(_cadence(417, 392).met_share, 4) == 0.9400
    assert _cadence(0, 0).met_share is None


def test_first_touch_share_matches_the_cadences_rule():
    """The same rule for both promises: 510 judged, 469 met -> 0.9196 (smb's 92%)."""
    ft = FirstTouch(
        hours=24.0,
        judged=510,
        met=469,
        breached=41,
        pending=0,
        never_touched=3,
        median_hours=None,
        p90_hours=None,
        by_rep=pl.DataFrame(),
    )
    assert round(ft.met_share, 4) == 0.9196
    assert ft.met_share == _cadence(510, 469).met_share


def test_clock_shares_and_breaches_on_both_clocks():
    """Calendar 40 judged, 30 met: 10 breached, 0.75; working 36 judged, 33 met: 3, 0.9167."""
    k = _clock((40, 30), (36, 33))
    assert (k.calendar_breached, k.calendar_share) == (10, 0.75)
    assert (k.working_breached, round(k.working_share, 4)) == (3, 0.9167)


def test_clock_working_side_is_none_when_not_computed_or_nothing_judged():
    """On the calendar clock the working side is not built; 0 judged is no share, not 0%."""
    k = _clock((0, 0), None)
    assert (k.calendar_share, k.working_share, k.working_breached) == (None, None, None)
    assert _clock((5, 5), (0, 0)).working_share is None


@given(st.integers(0, 10_000).flatmap(lambda j: st.tuples(st.just(j), st.integers(0, j))))
def test_every_share_lies_between_0_and_1(counts):
    judged, met = counts
    share = _cadence(judged, met).met_share
    assert share is None if judged == 0 else 0 <= share <= 1
