"""The company page and the mail of a report with segments, on tests/fixtures/teams_example.py.

The numbers are those of tests/engine/test_segments.py (worked by hand there): mid_market 15 MQLs
($30,000), smb 38 ($4,500), unassigned no goal; 7 MQLs and $6,480 delivered in October.
"""

from __future__ import annotations

import html
import json

import pytest

import slanb
from slanb.engine.rollup import compute_rollup
from slanb.params import Params
from slanb.publish import email
from slanb.publish.deliver import _Report, audiences
from slanb.publish.layout import segment_folder
from slanb.publish.segments import company_html, segment_href
from slanb.views import rollup as views
from slanb.views.sentences import dashboard_reasons, rollup_headline, summary
from tests.fixtures import teams_example


@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    from tests.conftest import write_history

    db = write_history(
        tmp_path_factory.mktemp("teams") / "h.duckdb",
        teams_example.tables(),
        exported_at="2026-11-01T00:00:00",
    )
    return Params.from_mapping({**teams_example.PARAMS, "db": str(db)})


@pytest.fixture(scope="module")
def roll(teams):
    return compute_rollup(teams)


def test_the_headline_sums_the_teams_that_have_a_goal(roll):
    assert rollup_headline(roll) == (
        "October 2026: the company's goal is 53 MQLs ($34,500 of lead value), the sum of its 2 "
        "teams' goals; 7 MQLs delivered ($6,480, 19% of the lead-value goal)."
    )


def test_the_goals_table_has_a_row_per_team_linked_and_the_company_total(roll):
    table = views.goals_table(roll, segment_href)
    rows = table.split("<tr")[2:]  # after the header row
    assert len(rows) == 4
    assert 'href="mid_market/index.html"' in rows[0] and "$2,000" in rows[0] and ">15<" in rows[0]
    assert 'href="smb/index.html"' in rows[1] and "$120" in rows[1] and ">38<" in rows[1]
    total = rows[3]
    assert total.startswith(' class="total"><td>Company</td>')
    for cell in ("$46,000", ">53<", "$34,500", ">7<", "$6,480", "19%"):
        assert cell in total, cell


def test_the_dashboard_is_grouped_by_team_and_names_only_what_is_wrong(roll):
    page = views.dashboard_by_segment(roll, segment_href)
    assert page.index("mid_market") < page.index("smb") < page.index("unassigned")
    assert dashboard_reasons(0, 9) == "9 short cadences"
    assert dashboard_reasons(1, 1) == "1 late first touch, 1 short cadence"
    assert dashboard_reasons(2, 0) == "2 late first touches"


def test_the_company_page_states_the_rollup_and_its_messages(roll):
    from datetime import datetime

    page = company_html(roll, run_at=datetime(2026, 11, 2, 8, 0))
    assert html.unescape(page).count(rollup_headline(roll)) == 1
    assert "Goals and delivery by team" in page
    text = html.unescape(page)
    # unassigned (U1, no owner, 1 sample MQL, none in October): one note saying what to do, not
    # its plan's three (no won revenue, no revenue_goal entry, no reps); the teams' notes stay
    assert text.count("unassigned: ") == 1
    assert (
        "unassigned: MQLs in no team (no owner, or an owner with no team): 0 in October 2026, 1 "
        "in the sample. They count in what was delivered, but have no goal, revenue per MQL or "
        "reps of their own; to count them for a team, assign those leads to reps, and every rep "
        "to a team (reps.team, or rep_teams for a move), in the CRM, then import the export "
        "again." in text
    )
    assert "revenue_goal has no entry" not in text and "No reps are active" not in text
    assert "smb: Only 2 month(s) of MQL volume before 2026-10" in text
    # "read this first" is read first: above the table, not under the dashboard
    assert text.index("Read this first") < text.index("Goals and delivery by team")


def test_a_teams_mail_names_the_team_and_the_company(teams, roll):
    s = summary(slanb.compute(teams.replace(segment="smb")))
    s |= {"params": teams.replace(segment="smb").to_dict(), "rollup": {"headline": "X."}}
    body = email.render(json.loads(json.dumps(s)), attachments=[])
    assert body.title == "Marketing-to-Sales SLA · Team smb · October 2026"
    message = email.message(body, to="ana@example.com", groups=("smb",), mail_from="a@b.c")
    assert message["Subject"] == "SLA report — Team smb, October 2026"
    assert "The company\nX.\n" in body.text(("smb",))


def test_a_teams_managers_get_their_teams_part_and_everyone_else_the_companys(tmp_path, roll):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    (folder / "company.json").write_text(json.dumps(roll.to_dict()))
    report = _Report(month="2026-10", folder=folder, summary={}, page=folder / "x.html")
    groups = {
        "ana@example.com": ("smb",),
        "bo@example.com": ("leadership",),
        "cy@example.com": ("smb", "mid_market"),  # two teams: the company's, once
        "di@example.com": ("leadership", "mid_market"),
    }
    addresses = [*groups, "ed@example.com"]
    assert audiences(report, groups, addresses) == {
        "ana@example.com": "smb",
        "bo@example.com": "",
        "cy@example.com": "",
        "di@example.com": "mid_market",
        "ed@example.com": "",
    }
    (folder / "company.json").unlink()  # a report without segments: everyone the company's
    assert set(audiences(report, groups, addresses).values()) == {""}
    assert segment_folder("a/b c") == "a_b_c"
