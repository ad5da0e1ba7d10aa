"""The scorecard's clock: which clock it states, both clocks side by side, the delays and ``away``.

On the working-clock examples of ``tests/engine/test_working_clock.py`` (its docstring computes
them by hand): on working hours from mql_at 5 judged, 2 met (L1, L3), 3 breached (L2, L4, L6), L5
away; on the calendar clock all 6 judged and breached. With ``clock_start: assigned_at`` L6 is met
too, and its routing delay is 6 h.
"""

from __future__ import annotations

from slanb.params import Params
from slanb.views import scorecard, sentences
from tests.engine.test_working_clock import _month, clock_history  # noqa: F401

WORKING = {"sla_clock": "working", "cadence_clock": "working"}


def test_the_rule_names_its_clock():
    calendar = Params()
    working = Params(
        sla_clock="working",
        holidays_country="US",
        holidays_subdivision="CA",
        company_holidays=("2026-12-24",),
    )
    assert sentences.first_touch_rule(calendar) == (
        "within 24 hours of becoming an MQL, on the calendar clock"
    )
    assert sentences.first_touch_rule(working) == (
        "within 24 working hours of becoming an MQL (three working days at 8 h a day, Mon–Fri "
        "09:00–17:00, each rep's time zone (UTC where none is set), public holidays of US-CA and "
        "1 company day off)"
    )
    assert sentences.touch_allowance(working) == "24 working hours"
    assert sentences.touch_allowance(calendar) == "24 h"


def test_both_clocks_side_by_side_and_away(clock_history):  # noqa: F811
    sla = _month(clock_history, **WORKING)
    assert sentences.clock_sentence(sla) == (
        "First touch within 24 working hours of becoming an MQL (three working days at 8 h a day, "
        "Mon–Fri 09:00–17:00, each rep's time zone (UTC where none is set), 1 company day off); "
        "cadence: 1 call in the first 14 working days (112 working hours)."
    )
    assert sentences.clock_comparison(sla).startswith(
        "First touches judged in March 2026 on the calendar clock (24 h): 0% met (0 of 6, 6 "
        "breached); on working hours (24 working hours, the rule): 40% met (2 of 5, 3 breached), "
        "1 more away (owner out of office)."
    )
    # L5, on both rules
    assert sentences.away_rule(sla).endswith("Away this month: 1 first touch and 1 cadence.")
    table = scorecard.clock_table(sla).data
    assert "Working hours: within 24 working hours (the rule)" in table
    assert "Calendar clock: within 24 h</td>" in table
    assert "within 24 working hours" in sentences.dashboard_rules(sla)


def test_routing_delay_beside_the_reps_delay(clock_history):  # noqa: F811
    sla = _month(clock_history, clock_start="assigned_at", **WORKING)
    text = sentences.delays_sentence(sla)
    assert text.startswith("Routing took a median of 6.0 h from becoming an MQL to assignment")
    assert "clock_start: assigned_at" not in text  # the rule already starts at assignment
    rows = scorecard.delays_table(sla).data
    # Ada (R1): routing 6.0 h (L6 only), her delay 120.01 h; Cy (R3): 1 lead away
    assert '<td class="num">6.0 h</td><td class="num">120.0 h</td>' in rows
    assert "Cy</td>" in rows


def test_the_calendar_clock_says_what_working_hours_would_do(clock_history):  # noqa: F811
    sla = _month(clock_history)
    assert sentences.clock_sentence(sla) == (
        "First touch within 24 hours of becoming an MQL, on the calendar clock."
    )
    assert "on working hours those 1 would be away" in sentences.away_rule(sla)
    assert "routing time counts against the rep" in sentences.delays_sentence(sla)
    # the working side is not computed on the calendar clock: one row, and the sentence says so
    assert sentences.clock_comparison(sla) == (
        "First touches judged in March 2026 on the calendar clock (24 h, the rule): 0% met (0 of "
        "6, 6 breached). Working hours are not computed on the calendar clock (it keeps the run "
        "fast); set sla_clock: working to see both clocks side by side."
    )
    assert "Working hours: within" not in scorecard.clock_table(sla).data
    assert "Calendar clock: within 24 h (the rule)" in scorecard.clock_table(sla).data
