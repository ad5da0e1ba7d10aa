"""What a team's pages and the company page say (tests/fixtures/teams_example.py, by hand).

The teams example: mid_market and smb have revenue goals; ``unassigned`` (U1, no owner, one
September MQL, nothing won) has none, since ``revenue_goal`` does not name it.
"""

from __future__ import annotations

from html import unescape
from types import SimpleNamespace

import pytest

import slanb
from slanb.params import Params
from slanb.views import narrative, sentences
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
        "goal_months": 11,
        "mqls_with_goal": 5437,
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


def test_the_year_to_date_attains_only_the_months_that_had_a_goal(teams):
    """smb, 2026: August 15 MQLs (Ben 10, Cy 5), September 10, October 4 = 29. With lookback 2
    and maturity 0, August's sample (June-July) is empty and September's (July-August) has won
    nothing by September 1st, so neither has an MQL goal; October's is 38. So the attainment is
    October's, 4 of 38 = 10.53%, not 29 of 38: the year's MQLs are named beside it."""
    sla = slanb.compute(teams.replace(segment="smb"))
    y = sla.record.year_to_date
    assert (y["months"], y["mqls"], y["goal_months"], y["mqls_with_goal"]) == (3, 29, 1, 4)
    assert (y["goal_mqls"], y["attainment"]) == (38, 0.1053)
    assert sentences.record_year_to_date(sla).startswith(
        "Year to date (August 2026 to October 2026): 4 of 38 MQLs (11%) in the 1 month with a "
        "goal (29 MQLs in all 3 months), $480 of $9,000 lead value (5%); "
    )


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


LABELS = {"mid_market": "Mid-market", "smb": "SMB"}


@pytest.fixture
def labelled(teams):
    return teams.replace(segment_labels=LABELS)


def test_a_segment_is_named_by_its_label_and_without_one_by_its_id():
    p = Params(segment_by="team", segment="smb", segment_labels=LABELS)
    assert (sentences.unit_name(p), sentences.unit_title(p)) == ("the SMB team", "Team SMB")
    assert sentences.report_title(p) == "Marketing-to-Sales SLA · Team SMB"
    other = p.replace(segment="enterprise")
    assert (sentences.unit_name(other), sentences.unit_title(other)) == (
        "the enterprise team",
        "Team enterprise",
    )
    none = p.replace(segment="unassigned")
    assert sentences.unit_title(none) == "Unassigned (no team)"
    named = none.replace(segment_labels={"unassigned": "No team yet"})
    assert sentences.unit_title(named) == "Team No team yet"


def test_segment_labels_are_checked_and_trimmed():
    from slanb.errors import SlanbError

    p = Params.from_mapping({"segment_labels": {" smb ": " SMB "}, "segment_by": "team"})
    assert p.segment_labels == {"smb": "SMB"}
    assert Params.from_mapping({"segment_labels": None}).segment_labels == {}
    with pytest.raises(SlanbError, match=r"parameter segment_labels must be a mapping"):
        Params.from_mapping({"segment_labels": "SMB"})
    with pytest.raises(SlanbError, match=r"the label of 'smb' must be a non-empty text"):
        Params.from_mapping({"segment_labels": {"smb": ""}})


def test_the_company_page_and_the_index_name_the_teams_by_their_labels(labelled):
    """Same numbers as tests/views/test_rollup.py; only the names change."""
    from slanb.engine.rollup import compute_rollup
    from slanb.publish.segments import segment_href
    from slanb.views import rollup as views

    roll = compute_rollup(labelled)
    table = views.goals_table(roll, segment_href)
    assert 'href="mid_market/index.html">Mid-market</a>' in table
    assert 'href="smb/index.html">SMB</a>' in table
    assert 'href="unassigned/index.html">unassigned</a>' in table  # no label: the id
    assert ">mid_market<" not in table and ">smb<" not in table
    board = views.dashboard_by_segment(roll, segment_href)
    assert 'href="smb/06_sla_scorecard.html">SMB</a>' in board
    links = views.segment_links(roll, segment_href, "company.html")
    assert ">Mid-market</a>: 15 MQL goal, 3 delivered" in links
    assert ">SMB</a>: 38 MQL goal, 4 delivered" in links
    assert "Team SMB of the company" in views.back_links(roll, "smb", "company.html")
    notes = views.company_messages(roll)
    assert notes[0].startswith("Mid-market: Only 2 month(s)") and notes[1].startswith("SMB: ")


def test_the_headline_of_one_team_with_a_goal_names_its_label(labelled):
    from slanb.engine.rollup import compute_rollup

    one = labelled.replace(revenue_goal={"smb": 6_000})
    assert sentences.rollup_headline(compute_rollup(one)).startswith(
        "October 2026: the company's goal is 38 MQLs ($4,500 of lead value), the sum of the SMB "
        "team's goal"
    )


def test_a_teams_mail_and_pages_name_the_team_by_its_label(labelled):
    import json

    from slanb.publish import email

    p = labelled.replace(segment="smb")
    s = sentences.summary(slanb.compute(p)) | {"params": p.to_dict()}
    body = email.render(json.loads(json.dumps(s)), attachments=[])
    assert body.title == "Marketing-to-Sales SLA · Team SMB · October 2026"
    message = email.message(body, to="ana@example.com", groups=("smb",), mail_from="a@b.c")
    assert message["Subject"] == "SLA report — Team SMB, October 2026"
    assert "backed out of the SMB team's revenue goal" in sentences.page_intro(p, "summary")


def test_the_demos_teams_file_labels_both_teams():
    from slanb.params import load_params

    assert load_params("params/teams.yaml").segment_labels == LABELS
    assert load_params("params/default.yaml").segment_labels == {}


def test_the_unassigned_summary_says_there_is_no_goal_and_what_the_page_shows(teams):
    """unassigned has no revenue goal: its summary and its step-3 row say so, its basis too."""
    sla = slanb.compute(teams.replace(segment="unassigned"))
    shown = narrative.summary_intro(sla).data
    assert (
        "The goal is backed out of a revenue goal, and none is set for the unassigned leads this "
        "month: these pages show what was delivered and how sales worked it." in shown
    )
    step3 = sentences.waterfall_rows(sla)[2]
    assert (step3["number"], step3["how"]) == (
        "n/a",
        "no revenue goal is set for the unassigned leads this month",
    )
    assert sentences.basis_sentence(sla) == (
        "October 2026 has no commitment in the ledger and no MQL goal could be computed for it "
        "(see the notes above), so only what was delivered is shown."
    )


def test_step_3_names_whose_goal_the_table_and_the_rows_show(labelled):
    smb = slanb.compute(labelled.replace(segment="smb"))
    assert "The SMB team's goal</th>" in unescape(narrative.goal_schedule(smb.params).data)
    assert sentences.waterfall_rows(smb)[2]["how"] == "SMB team goal $6,000 × marketing's share 75%"
    company = slanb.compute(Params(db=labelled.db, month="2026-10", lookback_months=2))
    assert "The company's goal</th>" in unescape(narrative.goal_schedule(company.params).data)


def test_the_parameters_block_of_a_teams_page_does_not_call_its_goal_the_companys(labelled):
    rows = {r["key"]: r for r in narrative.parameter_rows(labelled.replace(segment="smb"))}
    assert (rows["revenue_goal"]["name"], rows["revenue_goal"]["value"]) == (
        "Revenue goal",
        "mid_market: $40,000; smb: $6,000",
    )
    assert rows["segment_labels"]["value"] == "mid_market: Mid-market; smb: SMB"


def test_the_mail_lists_a_reps_reasons_as_the_company_page_does_leaving_out_a_zero(labelled):
    """mid_market in October: Ada 2 late first touches and 2 short cadences, Cy 1 and 2; with
    Ada's cadences set to 0 her line names only her late first touches."""
    import json

    from slanb.publish import email

    s = json.loads(
        json.dumps(sentences.summary(slanb.compute(labelled.replace(segment="mid_market"))))
    )
    s["dashboard"][0]["short_cadence"] = 0
    text = email.render(s, attachments=[]).text(())
    assert "  Ada Park: 2 late first touches\n" in text
    assert "  Cy Lee: 1 late first touch, 2 short cadences\n" in text
    assert "Team Mid-market · October 2026" in text


def test_a_record_with_no_commitment_says_so_once_not_on_every_row(teams):
    """The teams example has no ledger: September and October are both 'computed'."""
    from slanb.views import record

    sla = slanb.compute(teams.replace(segment="smb"))
    shown = unescape(record.months_table(sla).data)
    assert "(no commitment)" not in shown
    assert shown.count("No month above has a commitment in the ledger") == 1
    assert '<span style="white-space: nowrap">October 2026</span>' in shown
