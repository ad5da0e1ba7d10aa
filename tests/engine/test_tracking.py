"""Tracking the SLA on tests/fixtures/tracking_example (checked by hand there), plus invariants."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slanb import SlanbError
from slanb.cli import main
from slanb.engine.month import SlaMonth
from slanb.engine.tracking import BANDS, Tracking
from slanb.months import month_of, month_range, month_start
from slanb.params import Params
from slanb.store import db
from slanb.store.db import create_schema
from slanb.views.sentences import empty_dashboard, speed_to_lead_note, tracking_headline
from slanb.views.terminal import dashboard_text
from tests.fixtures import tracking_example as ex


@pytest.fixture
def example(history):
    return history(ex.tables(), exported_at="2026-06-01 00:00:00")


def _sla(path, month: str = ex.MONTH, goals: dict | None = None, **changes) -> SlaMonth:
    params = Params(db=str(path), month=month, lookback_months=2, maturity_months=1, **changes)
    with db.connect(path) as con:
        return ex.judged(con, params, **(goals or {}))


def _track(path, month: str = ex.MONTH, goals: dict | None = None, **changes) -> Tracking:
    t = _sla(path, month, goals, **changes).tracking
    assert t is not None
    return t


@pytest.fixture
def april(example) -> Tracking:
    return _track(example)


@pytest.fixture
def april_sla(example) -> SlaMonth:
    return _sla(example)


def _by_rep(frame) -> dict[str, dict]:
    return {r["rep_id"]: r for r in frame.to_dicts()}


# ---- marketing's delivery ------------------------------------------------------------------------
def test_delivery_by_bucket_to_the_cent(april):
    d = april.delivery
    assert (d.mqls, d.attainment) == (9, 0.75)  # L08 of the last evening counts; L07, L11 are March
    assert (d.lead_value, d.lead_value_attainment) == (11_601.53, 0.7734)
    buckets = {
        (r["intent"], r["fit"]): (r["mqls"], r["lead_value"]) for r in d.to_dict()["by_bucket"]
    }
    assert buckets == {
        ("hand_raiser", "A"): (2, 6000.00),
        ("hand_raiser", "B"): (1, 1800.50),
        ("hand_raiser", "C"): (0, 0.00),
        ("other", "A"): (2, 2000.50),
        ("other", "B"): (1, 600.10),
        ("other", "C"): (2, 500.10),
        ("unknown", "unknown"): (1, 700.33),  # no unknown row in the matrix: the overall value
    }
    assert any("no intent or fit" in m and "$700.33" in m for m in april.messages)


def test_pacing_pro_rates_the_goal_by_day(april):
    rows = april.to_dict()["pacing"]
    assert len(rows) == 30
    assert rows[0] == {
        "day": "2026-04-01",
        "mqls": 0,
        "lead_value": 0.0,
        "goal_to_date": 0.4,  # 12 × 1/30
        "lead_value_goal_to_date": 500.0,  # 15,000 × 1/30
    }
    assert rows[9]["day"] == "2026-04-10" and rows[9]["mqls"] == 7  # L01-L06 and L09
    assert rows[9]["lead_value"] == 3000 + 1000.25 + 1800.50 + 600.10 + 3000 + 250.05 + 700.33
    assert rows[-1] == {
        "day": "2026-04-30",
        "mqls": 9,
        "lead_value": 11_601.53,
        "goal_to_date": 12.0,
        "lead_value_goal_to_date": 15_000.0,
    }
    last = april.pacing.row(-1, named=True)
    assert (last["gap"], last["lead_value_gap"]) == (3.0, 3398.47)


def test_pacing_goal_in_a_31_day_month(example):
    rows = _track(example, month="2026-05").to_dict()["pacing"]
    assert [r["goal_to_date"] for r in (rows[0], rows[-1])] == [0.39, 12.0]  # 12/31 = 0.387
    assert [r["lead_value_goal_to_date"] for r in (rows[0], rows[-1])] == [483.87, 15_000.0]


def test_waterfall_builds_the_goal_from_the_buckets(april):
    w = april.waterfall.to_dicts()
    assert [r["step"] for r in w] == [
        "hand_raiser A", "hand_raiser B", "hand_raiser C", "other A", "other B", "other C",
        "unknown", "gap", "goal",
    ]  # fmt: skip
    assert w[1] == {
        "step": "hand_raiser B",
        "kind": "bucket",
        "amount": 1800.5,
        "start": 6000.0,
        "end": 7800.5,
    }
    assert w[-2] == {
        "step": "gap",
        "kind": "gap",
        "amount": 3398.47,
        "start": 11_601.53,
        "end": 15_000.0,
    }
    assert w[-1] == {
        "step": "goal",
        "kind": "total",
        "amount": 15_000.0,
        "start": 0.0,
        "end": 15_000.0,
    }


def test_waterfall_shows_a_surplus(example):
    t = _track(example, goals={"goal_mqls": 5, "lead_value_goal": 10_000.0})
    assert t.waterfall.row(-2) == ("surplus", "surplus", -1601.53, 11_601.53, 10_000.0)
    assert (t.delivery.attainment, t.delivery.lead_value_attainment) == (1.8, 1.1602)


def test_no_goal_leaves_attainment_undefined(example):
    sla = _sla(example, goals={"goal_mqls": None, "lead_value_goal": None})
    t = sla.tracking
    assert (t.delivery.attainment, t.delivery.lead_value_attainment) == (None, None)
    assert t.pacing["goal_to_date"].null_count() == 30
    assert t.waterfall.row(-1) == ("delivered", "total", 11_601.53, 0.0, 11_601.53)
    assert tracking_headline(sla).startswith("Marketing delivered 9 MQLs ($11,602 lead value); ")


def test_unknown_mqls_without_any_value_leave_lead_value_undefined(example):
    sla = _sla(example, goals={"overall_value": None})
    t = sla.tracking
    assert (t.delivery.mqls, t.delivery.lead_value, t.delivery.lead_value_attainment) == (
        9,
        None,
        None,
    )
    # through Apr 9: L01-L06 = 3,000 + 1,000.25 + 1,800.50 + 600.10 + 3,000 + 250.05; L09 on Apr 10
    assert t.pacing["lead_value"].to_list()[8:10] == [9650.90, None]
    assert t.waterfall.is_empty()
    assert tracking_headline(sla).startswith(
        "Marketing delivered 9 of 12 MQLs (75%, lead value undefined); "
    )
    assert any("lead value delivered is undefined" in m for m in t.messages)


# ---- sales: first touch ------------------------------------------------------------------------
def test_first_touch_in_april(april):
    ft = april.first_touch
    # met L01 (exactly 24 h) L03 (email) L05 L07 (March MQL, deadline Apr 1) L09 L10;
    # breached L02 (24 h 1 min) L04 (only a call before mql_at, then 48 h) L06 (never touched)
    assert ft.to_dict() == {
        "judged": 9,
        "met": 6,
        "breached": 3,
        "pending": 0,  # L08's deadline is May 1 20:00: not April's
        "median_hours": 14.0,  # of 0.5, 1, 2, 5, 23, 24, 24.02, 48: L06 left out
        "p90_hours": 31.21,
    }
    assert ft.never_touched == 1
    reps = _by_rep(ft.by_rep)
    assert (reps["R1"]["judged"], reps["R1"]["met"], reps["R1"]["breached"]) == (4, 3, 1)
    assert (reps["R2"]["median_hours"], reps["R3"]["median_hours"]) == (25.0, 14.0)
    assert reps["unassigned"]["never_touched"] == 1 and reps["unassigned"]["median_hours"] is None


def test_a_touch_exactly_at_the_deadline_is_met(example):
    ft = _by_rep(_track(example, first_touch_hours=24 + 1 / 60).first_touch.by_rep)
    assert (ft["R1"]["met"], ft["R1"]["breached"]) == (4, 0)  # L02's call at 24 h 1 min is now met


def test_the_email_counts_for_the_first_touch_not_the_cadence(example):
    calls_only = _by_rep(_track(example, first_touch_kinds=("call",)).first_touch.by_rep)
    # without the email L03's first touch is the call at exactly 24 h: still met, but 22 h later
    assert (calls_only["R2"]["met"], calls_only["R2"]["median_hours"]) == (1, 36.0)
    with_email = _by_rep(_track(example, cadence_kinds=("call", "email")).dashboard)
    assert with_email["R2"]["short_cadence"] == 2  # L03's 4 calls + email now make five


# ---- sales: cadence ----------------------------------------------------------------------------
def test_cadence_in_april(april):
    # met L01 L07 L09; breached L02 (fifth call an hour after the window) L03 (email) L04 (the call
    # before mql_at does not count) L06 L11 (March MQL, window ends Apr 8); excluded L05 (deal)
    assert april.cadence.to_dict() == {
        "judged": 8,
        "met": 3,
        "breached": 5,
        "excluded": 1,
        "pending": 0,
    }
    r1 = _by_rep(april.cadence.by_rep)["R1"]
    assert (r1["judged"], r1["met"], r1["breached"], r1["excluded"]) == (3, 2, 1, 1)


def test_the_fifth_call_counts_once_the_window_holds_it(example):
    r1 = _by_rep(_track(example, cadence_days=15, cadence_calls=5).cadence.by_rep)["R1"]
    assert r1["breached"] == 0  # L02's fifth call (14 days + 1 h) is inside a 15-day window


# ---- the dashboard -----------------------------------------------------------------------------
def test_dashboard_in_april(april, april_sla):
    assert april.to_dict()["dashboard"] == [
        {"rep_id": "R2", "name": "Ben Cole", "late_first_touch": 1, "short_cadence": 3,
         "lead_ids": ["L03", "L04", "L11"]},
        {"rep_id": "R1", "name": "Ada Park", "late_first_touch": 1, "short_cadence": 1,
         "lead_ids": ["L02"]},
        {"rep_id": "unassigned", "name": "Unassigned", "late_first_touch": 1, "short_cadence": 1,
         "lead_ids": ["L06"]},
    ]  # fmt: skip
    text = dashboard_text(april_sla)
    assert text.splitlines()[2] == "Don't be on the dashboard: April 2026 (the whole month)"
    assert "  Ben Cole                   1              3  L03, L04, L11" in text
    assert "Cleo Diaz" not in text


def test_the_last_evening_mql_is_judged_next_month(example):
    may = _track(example, month="2026-05")
    assert may.delivery.mqls == 0
    assert may.first_touch.to_dict()["judged"] == 1  # L08, first call at 25 h
    assert (may.cadence.met, may.cadence.breached) == (1, 1)  # L10 met, L08 breached
    assert may.to_dict()["dashboard"] == [
        {"rep_id": "R1", "name": "Ada Park", "late_first_touch": 1, "short_cadence": 1,
         "lead_ids": ["L08"]},
    ]  # fmt: skip


def test_a_month_without_breaches(example):
    sla = _sla(example, month="2026-03", cadence_calls=1)  # L11 and S8 touched in time
    march = sla.tracking
    assert march.dashboard.is_empty() and march.to_dict()["dashboard"] == []
    assert (
        dashboard_text(sla).splitlines()[-1]
        == empty_dashboard(sla)
        == (
            "No rep is on the dashboard for March 2026: every MQL judged was touched within 24 h "
            "(2 MQLs judged) and worked with at least 1 call in its first 14 days (1 MQL judged)."
        )
    )
    assert tracking_headline(sla).endswith("; no rep is on the dashboard")


# ---- a month in progress -----------------------------------------------------------------------
def test_as_of_mid_month_makes_later_deadlines_pending(example):
    sla = _sla(example, as_of="2026-04-06T10:00:00")
    t = sla.tracking
    assert t.in_progress and t.as_of == datetime(2026, 4, 6, 10)
    assert t.delivery.mqls == 3  # L01-L03; L04's mql_at is the as_of instant itself
    assert t.delivery.lead_value == 5800.75
    assert [r["day"] for r in t.to_dict()["pacing"]][-1] == "2026-04-06"
    assert t.pacing.height == 6 and t.pacing["goal_to_date"].to_list()[-1] == 2.4
    # judged L07 L01 L02 L03 (its deadline is exactly as_of); pending L04 L05 L06 L09 L10
    assert t.first_touch.to_dict() == {
        "judged": 4,
        "met": 3,
        "breached": 1,
        "pending": 5,
        "median_hours": 23.5,
        "p90_hours": 24.01,
    }
    assert t.cadence.to_dict() == {
        "judged": 0,
        "met": 0,
        "breached": 0,
        "excluded": 0,
        "pending": 9,
    }
    assert t.dashboard["rep_id"].to_list() == ["R1"]
    assert tracking_headline(sla) == (
        "Marketing delivered 3 of 12 MQLs so far (25%, $5,801 of $15,000 lead value); sales "
        "touched 75% of MQLs within 24 h; 1 rep is on the dashboard"
    )
    assert any("5 first-touch and 9 cadence deadlines" in m for m in t.messages)


def test_as_of_before_the_month_is_an_error(example):
    with pytest.raises(SlanbError, match="before the SLA month 2026-04 begins"):
        _track(example, as_of="2026-03-31T23:59:59")


# ---- headline and contract ----------------------------------------------------------------------
def test_headline(april_sla):
    assert tracking_headline(april_sla) == (
        "Marketing delivered 9 of 12 MQLs (75%, $11,602 of $15,000 lead value); sales touched "
        "67% of MQLs within 24 h; 2 reps are on the dashboard, plus unassigned leads"
    )


def test_to_dict_keys(april):
    d = april.to_dict()
    assert list(d) == [
        "delivery",
        "pacing",
        "first_touch",
        "cadence",
        "dashboard",
        "speed_to_lead",
        "tracking_messages",
        "as_of",
        "in_progress",
        "clock",
    ]
    assert list(d["delivery"]) == [
        "mqls",
        "attainment",
        "lead_value",
        "lead_value_attainment",
        "by_bucket",
    ]
    assert list(d["pacing"][0]) == [
        "day",
        "mqls",
        "lead_value",
        "goal_to_date",
        "lead_value_goal_to_date",
    ]
    assert list(d["first_touch"]) == [
        "judged",
        "met",
        "breached",
        "pending",
        "median_hours",
        "p90_hours",
    ]
    assert list(d["cadence"]) == ["judged", "met", "breached", "excluded", "pending"]
    assert list(d["dashboard"][0]) == [
        "rep_id",
        "name",
        "late_first_touch",
        "short_cadence",
        "lead_ids",
    ]
    assert list(d["speed_to_lead"][0]) == ["band", "mqls", "sql_rate", "won_rate"]


# ---- speed-to-lead -----------------------------------------------------------------------------
def test_speed_to_lead_band_edges(april, april_sla):
    rows = {r["band"]: r for r in april.speed_to_lead.to_dicts()}
    assert tuple(rows) == BANDS
    # S1 59 min; S2 exactly 1 h and S7 3 h (its meeting at 10 min is not a touch); S3 exactly 4 h
    # and S4 exactly 24 h; S5 24 h 1 min; S6 never. S8 is March: not in the mature sample.
    assert {b: rows[b]["mqls"] for b in BANDS} == {
        "<1 h": 1, "1–4 h": 2, "4–24 h": 2, ">24 h": 1, "never": 1,
    }  # fmt: skip
    assert (rows["1–4 h"]["sql_rate"], rows["1–4 h"]["won_rate"]) == (1.0, 0.5)  # S7 won in April
    assert (rows["4–24 h"]["sql_rate"], rows["4–24 h"]["won_rate"]) == (0.5, 0.0)
    assert rows["never"]["sql_rate"] == 0.0  # S6's sql_at is after the cutoff
    assert [rows[b]["hand_raiser_share"] for b in BANDS] == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert speed_to_lead_note(april_sla).endswith(
        "Here hand-raisers are 100% of the MQLs first touched in <1 h and 0% of those touched in "
        ">24 h, so part of the faster band's lead is intent, not speed."
    )


# ---- the command -------------------------------------------------------------------------------
def test_dashboard_cli_on_the_month_holding_as_of(example, tmp_path, capsys):
    params_file = tmp_path / "params.yaml"
    params_file.write_text(
        "revenue_goal: 15000\nmarketing_share: 1.0\nlookback_months: 2\nmaturity_months: 1\n",
        encoding="utf-8",
    )
    args = ["dashboard", "--params", str(params_file), "--as-of", "2026-04-06T10:00:00Z"]
    assert main([*args, "--db", str(example)]) == 0
    out = capsys.readouterr().out
    # the plan: $2,000 won / 7 sample MQLs = $285.71 per MQL, goal ⌈15,000 / 285.71⌉ = 53 MQLs;
    # L01 (hand_raiser A: $1,000 / 2 = $500) + L02 (other A: $0) + L03 (hand_raiser B: $1,000)
    assert out.splitlines()[0] == (
        "Marketing delivered 3 of 53 MQLs so far (6%, $1,500 of $15,000 lead value); sales "
        "touched 75% of MQLs within 24 h; 1 rep is on the dashboard."
    )
    assert "Don't be on the dashboard: April 2026 (as of 2026-04-06 10:00 UTC)" in out
    assert "  Ada Park                 1              0  L02" in out


# ---- invariants ---------------------------------------------------------------------------------
_FIRST, _LAST = datetime(2024, 1, 1), datetime(2024, 3, 31, 23, 59, 59, 999_999)
_EDGES = [  # instants whose deadlines land on a month boundary, or just either side of it
    month_start(m) - delta + nudge
    for m in ("2024-02", "2024-03", "2024-04")
    for delta in (timedelta(hours=24), timedelta(days=14), timedelta(hours=0.5), timedelta(0))
    for nudge in (timedelta(0), timedelta(microseconds=-1), timedelta(microseconds=1))
    if _FIRST <= month_start(m) - delta + nudge <= _LAST
]
_instants = st.one_of(st.datetimes(min_value=_FIRST, max_value=_LAST), st.sampled_from(_EDGES))
_leads = st.lists(
    st.tuples(
        _instants,
        st.none() | st.integers(min_value=0, max_value=3000),  # first call, minutes after mql_at
        st.integers(min_value=0, max_value=6),  # calls, a day apart, from the first one
        st.booleans(),  # a deal created three days after mql_at
    ),
    min_size=1,
    max_size=25,
)
_MONTHS = month_range("2024-01", "2024-06")


def _memory_history(leads) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    create_schema(con)
    for i, (mql_at, first, calls, deal) in enumerate(leads):
        con.execute(
            "insert into leads (lead_id, created_at, mql_at, owner_id) values (?, ?, ?, ?)",
            [f"L{i}", mql_at, mql_at, f"R{i % 3}"],
        )
        if first is not None:
            for k in range(max(calls, 1)):
                at = mql_at + timedelta(minutes=first, days=k)
                con.execute(
                    "insert into activities values (?, ?, null, 'call', ?)",
                    [f"A{i}_{k}", f"L{i}", at],
                )
        if deal:
            con.execute(
                "insert into deals values (?, ?, ?, null, 'open', 0)",
                [f"D{i}", f"L{i}", mql_at + timedelta(days=3)],
            )
    return con


GOALS = {"goal_mqls": 10, "lead_value_goal": 1000.0, "overall_value": 100.0}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    leads=_leads,
    hours=st.sampled_from([24.0, 0.5, 36.5]),
    days=st.sampled_from([1, 14, 31]),
    as_of=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 6, 30)),
)
def test_every_mql_is_judged_in_exactly_one_month(leads, hours, days, as_of):
    con = _memory_history(leads)
    try:
        results = {}
        for m in _MONTHS:
            p = Params(month=m, first_touch_hours=hours, cadence_days=days, as_of="2100-01-01")
            results[m] = ex.judged(con, p, **GOALS).tracking
        in_progress_month = month_of(as_of)
        p = Params(
            month=in_progress_month,
            first_touch_hours=hours,
            cadence_days=days,
            as_of=as_of.isoformat(),
        )
        in_progress = ex.judged(con, p, **GOALS).tracking
    finally:
        con.close()

    touch_due = [mql_at + timedelta(hours=hours) for mql_at, *_ in leads]
    cadence_due = [mql_at + timedelta(days=days) for mql_at, *_ in leads]
    for m, t in results.items():
        assert t.first_touch.pending == 0 and t.cadence.pending == 0
        assert t.first_touch.judged == sum(month_of(d) == m for d in touch_due)
        assert t.cadence.judged + t.cadence.excluded == sum(month_of(d) == m for d in cadence_due)
        assert t.first_touch.met + t.first_touch.breached == t.first_touch.judged
    assert sum(t.first_touch.judged for t in results.values()) == len(leads)
    assert sum(t.cadence.judged + t.cadence.excluded for t in results.values()) == len(leads)
    assert sum(t.delivery.mqls for t in results.values()) == len(leads)

    # judged at as_of: a deadline in the month is judged when it is not after as_of, else pending
    m = in_progress_month
    ft, cad = in_progress.first_touch, in_progress.cadence
    assert ft.judged == sum(month_of(d) == m and d <= as_of for d in touch_due)
    assert ft.pending == sum(month_of(d) == m and d > as_of for d in touch_due)
    assert cad.judged + cad.excluded == sum(month_of(d) == m and d <= as_of for d in cadence_due)
    assert cad.pending == sum(month_of(d) == m and d > as_of for d in cadence_due)
    assert in_progress.delivery.mqls == sum(
        month_start(m) <= mql_at < as_of for mql_at, *_ in leads
    )
