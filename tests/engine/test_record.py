"""The SLA as a record: commitments judge their month; the record's worked example (docs/metrics.md).

The history is tests/fixtures/record_example.py, whose goals are computed by hand in its docstring.
January is committed by ana, February committed by ana and amended by bo (the revenue goal rose
from $1,000 to $2,000), March has no commitment.

Record, judged over each whole month (exported 2026-04-01):
  month  basis      goal  MQLs  attained  lead-value goal  delivered          first touch  cadence  reps
  Jan    committed  2     2     100%      $1,000           2 x $500 = $1,000  2/2          2/2      0
  Feb    amended    2     2     100%      $2,000           2 x $1,000 = $2,000 1/2 (F2)    1/2      1
  Mar    computed   2     1     50%       $1,000           1 x $1,000         1/1          1/1      0
  year to date: 5 of 6 MQLs (83.33%), $4,000 of $4,000 (100%); first touch 4/5 = 80%
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from slanb.engine.month import compute
from slanb.errors import SlanbError
from slanb.params import Params
from slanb.publish.commit import commit
from slanb.store.ledger import read_ledger
from tests.conftest import write_history
from tests.fixtures import record_example as ex


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def setup(tmp_path):
    db = write_history(tmp_path / "h.duckdb", ex.tables(), exported_at=ex.EXPORTED_AT)
    jan_params = {**ex.PARAMS, "revenue_goal": {**ex.PARAMS["revenue_goal"], "2026-02": 1000}}
    base = Params.from_mapping(
        {**jan_params, "db": str(db), "ledger": str(tmp_path / "sla.ledger.jsonl")}
    )
    commit(base, month="2026-01", by="ana", now=_at("2026-01-01T08:00:00"))
    commit(base, month="2026-02", by="ana", now=_at("2026-02-01T08:00:00"))
    params = base.replace(revenue_goal=ex.PARAMS["revenue_goal"])
    commit(
        params,
        month="2026-02",
        by="bo",
        amend=True,
        reason="revenue goal raised to $2,000",
        now=_at("2026-02-04T09:00:00"),
    )
    return tmp_path, params


def test_the_worked_example_record(setup):
    _, params = setup
    sla = compute(params.replace(month="2026-03"))
    rows = {r["month"]: r for r in sla.record.months.to_dicts()}
    assert [(m, r["basis"], r["committed_by"]) for m, r in rows.items()] == [
        ("2026-01", "committed", "ana"),
        ("2026-02", "amended", "ana"),
        ("2026-03", "computed", None),
    ]
    got = [
        (r["goal_mqls"], r["mqls"], r["attainment"], r["lead_value_goal"], r["lead_value"])
        for r in rows.values()
    ]
    assert got == [
        (2, 2, 1.0, 1000.0, 1000.0),
        (2, 2, 1.0, 2000.0, 2000.0),
        (2, 1, 0.5, 1000.0, 1000.0),
    ]
    rules = [
        (
            r["touch_judged"],
            r["touch_met"],
            r["cadence_judged"],
            r["cadence_met"],
            r["reps_on_dashboard"],
        )
        for r in rows.values()
    ]
    assert rules == [(2, 2, 2, 2, 0), (2, 1, 2, 1, 1), (1, 1, 1, 1, 0)]
    y = sla.record.year_to_date
    assert (y["goal_mqls"], y["mqls"], y["attainment"]) == (6, 5, 0.8333)
    assert (y["lead_value_goal"], y["lead_value"], y["touch_share"]) == (4000.0, 4000.0, 0.8)
    assert sla.record.met() == (2, 3)


def test_an_amendment_keeps_both_versions(setup):
    tmp_path, params = setup
    versions = read_ledger(params.ledger_path).versions("2026-02")
    assert [(v.version, v.by, v.goal_mqls, v.lead_value_goal, v.reason) for v in versions] == [
        (1, "ana", 1, 1000.0, None),
        (2, "bo", 2, 2000.0, "revenue goal raised to $2,000"),
    ]
    feb = compute(params.replace(month="2026-02"))
    assert feb.commitment.version == 2 and feb.commitment.first.by == "ana"
    from slanb.views.sentences import basis_sentence

    assert basis_sentence(feb) == (
        "February 2026 is judged against its commitment (2 MQLs, $2,000 of lead value): "
        "committed 2026-02-01 by ana; amended 2026-02-04 by bo: revenue goal raised to $2,000."
    )
    with pytest.raises(SlanbError, match="2026-02 is committed already"):
        commit(params, month="2026-02", by="ana")


def test_a_reimport_and_new_params_leave_the_committed_month_as_agreed(setup, tmp_path):
    """Re-import: W1 is now $4,000 and J2 re-scored to other C; January's revenue goal raised to $3,000.

    January is still judged against its commitment (goal 2; J2 valued at the committed other C
    value, $500), while the plan shows what the method gives today ($4,000 / 4 = $1,000 per MQL,
    so $3,000 / $1,000 = 3 MQLs).
    """
    _, params = setup
    (tmp_path / "h.duckdb").unlink()  # the history rebuilt from a new export
    write_history(
        tmp_path / "h.duckdb",
        ex.tables(d1_amount=4000.0, j2_bucket=("other", "C")),
        exported_at=ex.EXPORTED_AT,
    )
    changed = params.replace(revenue_goal={**ex.PARAMS["revenue_goal"], "2026-01": 3000})
    jan = compute(changed.replace(month="2026-01"))
    assert (jan.plan.revenue_per_mql.value, jan.plan.goal.mqls) == (1000.0, 3)
    d = jan.tracking.delivery
    assert (d.goal_mqls, d.mqls, d.lead_value, d.lead_value_goal) == (2, 2, 1000.0, 1000.0)
    row = jan.record.months.row(-1, named=True)
    assert (row["goal_mqls"], row["lead_value"], row["basis"]) == (2, 1000.0, "committed")
    from slanb.views.sentences import plan_against_commitment

    assert "  MQL goal: 2 -> 3" in plan_against_commitment(jan)


def test_a_term_changed_from_a_month_on_judges_earlier_months_by_the_old_one(tmp_path):
    """first_touch_hours {2026-01: 24, 2026-03: 1}: F1's call at 1.5 h is met in February (24 h);
    M1's at 2 h is breached in March (1 h). No ledger: every month judged by its own terms."""
    db = write_history(tmp_path / "h.duckdb", ex.tables(), exported_at=ex.EXPORTED_AT)
    p = Params.from_mapping(
        {**ex.PARAMS, "db": str(db), "first_touch_hours": {"2026-01": 24, "2026-03": 1}}
    )
    feb, mar = compute(p.replace(month="2026-02")), compute(p.replace(month="2026-03"))
    assert (feb.tracking.first_touch.hours, feb.tracking.first_touch.met) == (24.0, 1)
    assert (mar.tracking.first_touch.hours, mar.tracking.first_touch.met) == (1.0, 0)
    rows = mar.record.months.select("month", "first_touch_hours", "touch_met").rows()
    assert rows == [("2026-01", 24.0, 2), ("2026-02", 24.0, 1), ("2026-03", 1.0, 0)]


@pytest.mark.parametrize("as_of", [None, "2026-04-20T12:00:00"])
def test_the_month_judged_in_the_records_one_pass_is_the_month_judged_alone(tmp_path, as_of):
    """``compute`` judges M's rules in the record's pass (track/rules_by_month.sql, every month at
    once) and hands M's rows to ``track``; ``track`` alone judges M on its own. On the tracking
    example (docs/metrics.md: April, first touch judged 9, 6 met; cadence judged 8, 3 met, 1
    excluded; Ben Cole, Ada Park and Unassigned on the dashboard), whole or in progress, the two
    agree on every rule, per rep, the dashboard's lead ids and the clock; the record's April row
    holds the same counts."""
    from slanb.engine.plan import plan_month
    from slanb.engine.tracking import track
    from slanb.store import db, history
    from tests.fixtures import tracking_example

    path = write_history(
        tmp_path / "h.duckdb", tracking_example.tables(), exported_at="2026-06-01 00:00:00"
    )
    params = Params(
        db=str(path), month="2026-04", lookback_months=2, maturity_months=1, as_of=as_of
    )
    shared = compute(params)
    with db.connect(path) as con:
        known = history.recorded_export(con)
        plan = plan_month(con, params, known_until=known, history_start=history.first_month(con))
        alone = track(con, plan, as_of=params.as_of_instant, known_until=known)
    t = shared.tracking
    assert t.first_touch.to_dict() == alone.first_touch.to_dict()
    assert t.first_touch.by_rep.equals(alone.first_touch.by_rep)
    assert t.cadence.by_rep.equals(alone.cadence.by_rep)
    assert t.dashboard.equals(alone.dashboard)
    assert t.clock.to_dict() == alone.clock.to_dict()
    assert t.clock.by_rep.equals(alone.clock.by_rep)
    if as_of is None:
        assert (t.first_touch.judged, t.first_touch.met, t.cadence.judged) == (9, 6, 8)
        assert t.dashboard["name"].to_list() == ["Ben Cole", "Ada Park", "Unassigned"]
    april = shared.record.months.row(-1, named=True)
    assert (april["month"], april["touch_judged"], april["touch_met"]) == (
        "2026-04",
        t.first_touch.judged,
        t.first_touch.met,
    )
    assert (april["cadence_judged"], april["cadence_met"]) == (t.cadence.judged, t.cadence.met)
    assert april["reps_on_dashboard"] == t.dashboard.filter(pl.col("rep_id") != "unassigned").height
