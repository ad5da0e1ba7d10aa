"""What a team's pages and the company page say (tests/fixtures/teams_example.py, by hand).

The teams example: mid_market and smb have revenue goals; ``unassigned`` (U1, no owner, one
September MQL, nothing won) has none, since ``revenue_goal`` does not name it.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import slanb
from slanb.params import Params
from slanb.views import sentences
from tests.fixtures import teams_example


@pytest.fixture
def teams(history):
    db = history(teams_example.tables(), exported_at="2026-11-01T00:00:00")
    return Params.from_mapping({**teams_example.PARAMS, "db": str(db)})


def _with_year(params: Params, **year) -> SimpleNamespace:
    base = {
        "first_month": "2026-01",
        "last_month": "2026-11",
        "months": 11,
        "goal_mqls": 4672,
        "mqls": 5437,
        "attainment": 1.1637,
        "lead_value_goal": 330_000.0,
        "lead_value": 373_786.4,
        "lead_value_attainment": 1.1327,
        "touch_share": 0.9204,
        "cadence_share": 0.7731,
    }
    return SimpleNamespace(params=params, record=SimpleNamespace(year_to_date=base | year))


def test_the_year_to_date_of_a_segment_without_a_goal_says_so_instead_of_dashes(teams):
    """unassigned: U1 in September, none in October: 1 MQL in 2026 so far; no goal; its one
    first touch and one cadence were judged and not met (no one owns the lead): 0% each."""
    sla = slanb.compute(teams.replace(segment="unassigned"))
    text = sentences.record_year_to_date(sla)
    assert text == (
        "Year to date (September 2026 to October 2026): 1 MQL delivered; no goal was set for the "
        "unassigned leads, so there is nothing to attain; first touch on time 0%, cadence kept 0%."
    )
    assert "–" not in text and "n/a" not in text


def test_the_year_to_date_with_goals_gives_both_attainments():
    """The demo's smb team: 5,437 of 4,672 MQLs = 116%; $373,786 of $330,000 = 113%."""
    text = sentences.record_year_to_date(_with_year(Params()))
    assert text == (
        "Year to date (January 2026 to November 2026): 5,437 of 4,672 MQLs (116%), $373,786 of "
        "$330,000 lead value (113%); first touch on time 92%, cadence kept 77%."
    )


def test_the_year_to_date_names_the_company_and_a_rule_with_nothing_judged():
    """No goal for the company in these months, and no cadence deadline judged."""
    sla = _with_year(Params(), goal_mqls=None, attainment=None, cadence_share=None,
                     first_month="2026-11", mqls=107)  # fmt: skip
    assert sentences.record_year_to_date(sla) == (
        "Year to date (November 2026): 107 MQLs delivered; no goal was set for the company, so "
        "there is nothing to attain; first touch on time 92%, no cadence deadline was judged."
    )
    assert sentences.record_year_to_date(_with_year(Params(), months=0)) is None


def test_the_unassigned_note_by_segment_says_to_fill_leads_segment():
    """The demo's shape: 5 MQLs in November 2026, 115 in the sample, segment_by: segment."""
    roll = SimpleNamespace(segment_by="segment", month_label="November 2026")
    seg = SimpleNamespace(
        line={"mqls": 5},
        sla=SimpleNamespace(plan=SimpleNamespace(revenue_per_mql=SimpleNamespace(mqls=115))),
    )
    assert sentences.unassigned_note(roll, seg) == (
        "MQLs in no segment (leads.segment is empty): 5 in November 2026, 115 in the sample. "
        "They count in what was delivered, but have no goal, revenue per MQL or reps of their "
        "own; to count them for a segment, fill the column the mapping's segment: names for "
        "those leads in the CRM, then import the export again."
    )


def test_a_teams_pages_say_the_teams_revenue_goal_and_the_companys_the_companys():
    team = Params(segment_by="team", segment="smb")
    assert sentences.page_intro(team, "target") == (
        "How much revenue must marketing source this month? The smb team's revenue goal for the "
        "month, times the share of it that marketing is expected to source."
    )
    summary = sentences.page_intro(team, "summary")
    assert "backed out of the smb team's revenue goal" in summary
    assert summary.endswith(
        "Every number here is the smb team's own: its MQLs (the leads its reps owned when each "
        "became an MQL), what they are worth, its goal and its reps."
    )
    assert "company" not in summary
    company = sentences.page_intro(Params(), "summary")
    assert "backed out of the company's revenue goal" in company
    assert "step 6, the scorecard, tracks the month, and step 7 keeps the record" in company
    assert "Every number here" not in company
    europe = Params(segment_by="segment", segment="europe")
    assert "(the leads whose segment is europe)" in sentences.page_intro(europe, "summary")


def test_the_unassigned_pages_say_whose_leads_they_are():
    p = Params(segment_by="team", segment="unassigned")
    assert sentences.page_intro(p, "target").startswith(
        "How much revenue must marketing source this month? The unassigned leads' revenue goal"
    )
    assert sentences.page_intro(p, "summary").endswith(
        "Every number here is that of the leads with no owner, or an owner with no team, which "
        "no rule places in a team."
    )


def test_the_revenue_split_chart_is_titled_with_whose_goal_it_is():
    from slanb.views import charts

    team = charts.revenue_split(40_000, 30_000, params=Params(segment_by="team", segment="smb"))
    assert team.to_dict()["title"] == "The smb team's goal and marketing's part"
    assert charts.revenue_split(100_000, 75_000).to_dict()["title"] == (
        "The company's goal and marketing's part"
    )
    assert "The rest of the goal" in str(team.to_dict())
