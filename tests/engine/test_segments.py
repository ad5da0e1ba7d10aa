"""One SLA per team or segment, and the company roll-up (tests/fixtures/teams_example.py).

The worked example of docs/metrics.md ("Segments"), by hand:

- mid_market: 10 sample MQLs (Ada 8, Cy's 2 September ones), won $10,000 + $6,000 + $4,000 =
  $20,000 → $2,000 per MQL; target $40,000 × 75% = $30,000 → ⌈30,000 ÷ 2,000⌉ = 15 MQLs; Ada and
  Cy active in October (Cy is mid_market from 2026-09-01) → 7.5 per rep. October: 3 MQLs delivered
  (Ada 2, Cy 1) × $2,000 = $6,000 of lead value.
- smb: 25 sample MQLs (Ben 20, Cy's 5 August ones), won $1,000 + $1,500 + $500 = $3,000 → $120
  per MQL; target $6,000 × 75% = $4,500 → ⌈4,500 ÷ 120⌉ = ⌈37.5⌉ = 38 MQLs; Ben alone → 38 per
  rep. October: 4 MQLs × $120 = $480.
- unassigned: U1 (no owner), 1 sample MQL, $0; no goal (revenue_goal does not name it).
- Roll-up: goals 15 + 38 = 53 MQLs, lead value $30,000 + $4,500 = $34,500; delivered 3 + 4 + 0 =
  7 MQLs and $6,000 + $480 = $6,480 (18.78% of the lead-value goal).
- The company as one SLA (segment ""): 36 sample MQLs, $23,000 → $638.89; its goal, ⌈34,500 ÷
  638.89⌉ = 54, is not the sum of the teams' 53: the roll-up adds the teams' own goals.
"""

from __future__ import annotations

import pytest

import slanb
from slanb.engine.rollup import compute_rollup, totals
from slanb.errors import SlanbError
from slanb.params import Params
from tests.fixtures import teams_example


@pytest.fixture
def teams(history):
    db = history(teams_example.tables(), exported_at="2026-11-01T00:00:00")
    return Params.from_mapping({**teams_example.PARAMS, "db": str(db)})


def test_each_team_has_its_own_sample_value_goal_reps_and_delivery(teams):
    mid = slanb.compute(teams.replace(segment="mid_market"))
    smb = slanb.compute(teams.replace(segment="smb"))
    got = [
        (
            s.plan.revenue_per_mql.mqls,
            s.plan.revenue_per_mql.revenue,
            s.plan.revenue_per_mql.value,
            s.plan.target.revenue_goal,
            s.plan.target.revenue_target,
            s.plan.goal.mqls,
            s.plan.goal.reps,
            s.plan.goal.mqls_per_rep,
            s.tracking.delivery.mqls,
            s.tracking.delivery.lead_value,
        )
        for s in (mid, smb)
    ]
    assert got == [
        (10, 20_000.0, 2_000.0, 40_000.0, 30_000.0, 15, ("Ada Park", "Cy Lee"), 7.5, 3, 6_000.0),
        (25, 3_000.0, 120.0, 6_000.0, 4_500.0, 38, ("Ben Ortiz",), 38.0, 4, 480.0),
    ]


def test_a_rep_who_moves_team_counts_for_the_team_he_was_in_at_each_mql(teams):
    """Cy (R3) was smb until 2026-08-31: his August MQLs are smb's, September's mid_market's."""
    mid = slanb.compute(teams.replace(segment="mid_market")).plan.revenue_per_mql.by_month
    smb = slanb.compute(teams.replace(segment="smb")).plan.revenue_per_mql.by_month
    assert mid.select("month", "mqls").rows() == [("2026-08", 4), ("2026-09", 6)]
    assert smb.select("month", "mqls").rows() == [("2026-08", 15), ("2026-09", 10)]


def test_unassigned_mqls_are_a_segment_of_their_own_never_dropped(teams):
    roll = compute_rollup(teams)
    assert [s.segment for s in roll.segments] == ["mid_market", "smb", "unassigned"]
    unassigned = roll.segments[-1].sla
    assert unassigned.plan.revenue_per_mql.mqls == 1
    assert unassigned.plan.target.revenue_target is None
    assert "revenue_goal has no entry for segment 'unassigned'" in " ".join(
        unassigned.plan.messages
    )
    company = slanb.compute(teams)  # segment "": the whole company, every lead
    parts = sum(s.sla.plan.revenue_per_mql.mqls for s in roll.segments)
    assert company.plan.revenue_per_mql.mqls == parts == 36


def test_the_roll_up_is_the_sum_of_its_parts(teams):
    roll = compute_rollup(teams)
    t = roll.total
    assert (t["goal_mqls"], t["revenue_goal"], t["revenue_target"], t["lead_value_goal"]) == (
        53,
        46_000.0,
        34_500.0,
        34_500.0,
    )
    assert (t["mqls"], t["lead_value"], t["lead_value_attainment"]) == (7, 6_480.0, 0.1878)
    lines = [s.line for s in roll.segments]
    for key in ("mqls", "first_touch_judged", "first_touch_met", "cadence_judged", "cadence_met"):
        assert t[key] == sum(line[key] for line in lines), key
    assert t["active_reps"] == 3


def test_the_company_as_one_sla_has_the_summed_goal_and_its_own_value(teams):
    company = slanb.compute(teams)
    assert company.plan.target.revenue_goal == 46_000.0
    assert company.plan.revenue_per_mql.value == 638.89
    assert company.plan.goal.mqls == 54  # ⌈34,500 ÷ 638.89⌉, not the teams' 15 + 38


def test_segments_from_the_lead_column(history):
    """segment_by: segment reads leads.segment; an empty one is unassigned; reps own its leads."""
    tables = teams_example.tables()
    for lead in tables["leads"]:
        first = lead["lead_id"].lstrip("O")[0]  # OM1 is an M lead of October
        lead["segment"] = {"M": "emea", "S": "amer", "C": "amer"}.get(first)
    tables["leads"][0]["segment"] = "  "  # blank: unassigned
    db = history(tables, exported_at="2026-11-01T00:00:00")
    params = Params.from_mapping(
        {**teams_example.PARAMS, "db": str(db), "segment_by": "segment", "revenue_goal": 10_000}
    )
    roll = compute_rollup(params)
    sample = {s.segment: s.sla.plan.revenue_per_mql.mqls for s in roll.segments}
    assert sample == {"amer": 27, "emea": 7, "unassigned": 2}
    reps = {s.segment: s.sla.plan.goal.reps for s in roll.segments}
    assert reps["emea"] == ("Ada Park",) and reps["amer"] == ("Ben Ortiz", "Cy Lee")


def test_terms_per_segment_with_a_default(teams):
    p = teams.replace(first_touch_hours={"smb": 4, "default": 24})
    assert p.replace(segment="smb").for_segment().first_touch_hours == 4.0
    assert p.replace(segment="mid_market").for_segment().first_touch_hours == 24.0
    assert p.for_segment().first_touch_hours == 24.0  # the company pages
    sla = slanb.compute(p.replace(segment="smb"))
    assert sla.params.first_touch_hours == 4.0


def test_a_term_per_segment_without_an_entry_or_default_is_refused(teams):
    p = teams.replace(segment="unassigned", cadence_days={"smb": 7, "mid_market": 14})
    with pytest.raises(
        SlanbError,
        match="parameter cadence_days is given per segment .* no entry "
        "for segment 'unassigned'; add `unassigned: value`",
    ):
        p.for_segment()


def test_segment_needs_segment_by():
    with pytest.raises(SlanbError, match="segment is 'smb' but segment_by is empty"):
        Params.from_mapping({"segment": "smb"})
    with pytest.raises(SlanbError, match="revenue_goal is given per segment"):
        Params.from_mapping({"revenue_goal": {"smb": 1000}})


def test_each_segment_keeps_its_own_ledger(teams):
    p = teams.replace(ledger="params/acme.ledger.jsonl")
    assert p.ledger_path.name == "acme.ledger.jsonl"
    assert p.replace(segment="mid_market").ledger_path.name == "acme.ledger.mid_market.jsonl"
    assert p.replace(segment="a/b c").ledger_path.name == "acme.ledger.a_b_c.jsonl"


def test_totals_leave_a_segment_without_a_goal_out_of_the_goal_only():
    t = totals(
        [
            {"goal_mqls": 15, "mqls": 3, "lead_value": 6000.0, "lead_value_goal": 30000.0},
            {"goal_mqls": None, "mqls": 2, "lead_value": 0.0, "lead_value_goal": None},
        ]
    )
    assert (t["goal_mqls"], t["mqls"], t["attainment"], t["lead_value_attainment"]) == (
        15,
        5,
        0.3333,
        0.2,
    )


def test_a_segments_commitment_is_planned_on_its_own_leads_into_its_own_ledger(teams, tmp_path):
    from slanb.publish.commit import commit

    p = teams.replace(ledger=str(tmp_path / "acme.ledger.jsonl"), segment="smb")
    c = commit(p, month="2026-10", by="ana")
    assert (c.goal_mqls, c.revenue_target) == (38, 4_500.0)
    assert (tmp_path / "acme.ledger.smb.jsonl").is_file()
    assert not (tmp_path / "acme.ledger.jsonl").exists()
    sla = slanb.compute(p)
    assert sla.commitment is not None and sla.judged is not None


def test_run_monthly_commits_the_company_and_each_segment_once(teams, tmp_path):
    from slanb.publish.monthly import _commit_begun

    p = teams.replace(ledger=str(tmp_path / "acme.ledger.jsonl"))
    said: list[str] = []
    _commit_begun(p, "2026-11", said.append, None)
    _commit_begun(p, "2026-11", said.append, None)  # again: nothing new
    names = sorted(f.name for f in tmp_path.glob("*.jsonl"))
    assert names == [
        "acme.ledger.jsonl",
        "acme.ledger.mid_market.jsonl",
        "acme.ledger.smb.jsonl",
        "acme.ledger.unassigned.jsonl",
    ]
    assert sum("committed November 2026" in s for s in said) == 4
    assert sum("committed already" in s for s in said) == 4
