"""The worked example of docs/metrics.md, end to end through slanb.plan, decoys included."""

from __future__ import annotations

import json

import pytest

from slanb.cli import main
from slanb.engine.month import compute
from slanb.params import Params
from slanb.views.sentences import cross_check_sentence, goal_headline
from tests.conftest import plan
from tests.fixtures import worked_example

EXPORTED = "2026-11-01 00:00:00"


@pytest.fixture
def worked(history):
    return history(worked_example.tables(), exported_at=EXPORTED)


def test_worked_example_to_the_cent(worked):
    p = plan(Params(db=str(worked)))
    assert p.month == "2026-10"  # the last complete month before exported_at
    rpm = p.revenue_per_mql
    assert (rpm.window_start, rpm.window_end) == ("2025-07", "2026-06")
    assert rpm.excluded_months == ("2026-07", "2026-08", "2026-09")
    assert (
        rpm.mqls == 800
    )  # the offset lead 2025-06-30T23:00-02:00 is in, 2025-07-01T01:30+02:00 out
    assert rpm.revenue == 80_000.00  # no decoy counts
    assert rpm.won_leads == 39
    assert rpm.won_deals == 40  # the lead with two won deals counts both
    assert rpm.value == 100.00
    assert p.target.revenue_target == 75_000.00
    assert p.goal.mqls == 750
    assert p.goal.lead_value == 75_000.00
    assert p.goal.active_reps == 3
    assert p.goal.reps == ("Ada Park", "Ben Ortiz", "Cy Lee")
    assert p.goal.mqls_per_rep == 250.0
    c = p.cross_check
    assert c.trailing_3_avg == 720.0
    assert c.ratio == 1.04
    assert c.verdict == "realistic"
    assert c.historical_max == 740
    assert c.months_at_goal == 0
    assert "4% more MQLs than the last three months' average of 720" in cross_check_sentence(c)
    assert p.messages == ()
    assert (
        goal_headline(p)
        == "Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026"
    )


def test_worked_example_volume(worked):
    v = plan(Params(db=str(worked))).volume
    assert v.months["month"].to_list()[0] == "2025-10"
    assert v.months["mqls"].to_list() == [67] * 5 + [66] * 4 + [700, 720, 740]
    assert v.trailing_12_avg == pytest.approx((67 * 5 + 66 * 4 + 2160) / 12)
    units = {r["unit"]: r for r in v.units.to_dicts()}
    assert units["mqls"]["sample"] == 800
    assert units["mqls"]["revenue"] == 80_000.00
    # the lead that never became an MQL adds its $11,000 to the leads unit, and the lead created
    # in the window but an MQL after it (OFFSET_OUT, created 2025-06-28) does not
    assert units["leads"]["revenue"] == 91_000.00
    assert units["sqls"]["sample"] == 0 and units["sqls"]["revenue_per_unit"] is None


def test_raising_the_goal_by_a_cent_adds_an_mql(worked):
    p = plan(Params(db=str(worked), revenue_goal=100_000.02))  # target 75,000.015 → 75,000.02
    assert p.target.revenue_target == 75_000.02
    assert p.goal.mqls == 751


def test_json_output_contract(worked, capsys):
    assert main(["plan", "--db", str(worked), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["month"] == "2026-10"
    assert d["revenue_per_mql"] == {
        "window_start": "2025-07",
        "window_end": "2026-06",
        "excluded_months": ["2026-07", "2026-08", "2026-09"],
        "mqls": 800,
        "won_leads": 39,
        "won_deals": 40,
        "revenue": 80000.0,
        "value": 100.0,
        "by_month": d["revenue_per_mql"]["by_month"],
    }
    assert d["target"] == {
        "revenue_goal": 100000.0,
        "marketing_share": 0.75,
        "revenue_target": 75000.0,
    }
    assert d["goal"]["mqls"] == 750 and d["goal"]["mqls_per_rep"] == 250.0
    assert d["cross_check"]["ratio"] == 1.04 and d["cross_check"]["verdict"] == "realistic"
    assert {
        "month",
        "volume",
        "revenue_per_mql",
        "target",
        "goal",
        "cross_check",
        "matrix",
        "funnel",
        "messages",
    } <= set(d)
    assert set(d["volume"]) >= {"months", "trailing_3_avg", "trailing_12_avg", "trend_per_month"}
    assert d["volume"]["months"][-1] == {"month": "2026-09", "mqls": 740}
    assert d["messages"] == []


def test_text_output_shows_each_step(worked, capsys):
    assert main(["plan", "--db", str(worked), "--month", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "$80,000 won / 800 MQLs = $100 per MQL" in out
    assert "$100,000 x 75% = $75,000" in out
    assert "$75,000 / $100 = 750 MQLs" in out


def test_cli_errors_are_one_line(worked, capsys, tmp_path):
    assert main(["plan", "--db", str(tmp_path / "missing.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "No history database at" in err and "slanb demo --db" in err
    assert main(["plan", "--db", str(worked), "--month", "../../etc"]) == 1
    err = capsys.readouterr().err
    assert "command line: parameter month must be a month written YYYY-MM" in err
    assert "Traceback" not in err


def test_tracking_never_judges_past_the_export(history):
    path = history(worked_example.tables(), exported_at="2026-09-15 12:00:00")
    t = compute(Params(db=str(path), month="2026-09")).tracking
    assert t is not None and t.as_of.isoformat() == "2026-09-15T12:00:00"
    assert any(
        m.startswith("The history is complete up to 2026-09-15 12:00 UTC") for m in t.messages
    )
    assert t.delivery.mqls == 740  # every September MQL was on the 15th, before noon
    later = compute(Params(db=str(path), month="2026-10"))
    assert later.tracking is None  # October has not begun as far as the history knows
    assert later.to_dict()["tracking_messages"] == [] and "delivery" not in later.to_dict()


def test_plan_dict_carries_both_halves(worked):
    d = compute(Params(db=str(worked))).to_dict()
    assert {"delivery", "pacing", "first_touch", "cadence", "dashboard", "speed_to_lead"} <= set(d)
    assert d["delivery"]["mqls"] == 0 and d["delivery"]["attainment"] == 0.0  # no October MQLs
