"""The demo history: reproducible, complete up to its export instant, and calibrated for the method.

The calibration tests read the default demo (seed 7, about 95,000 leads, ending October 2026) with
plain SQL, the way a reviewer would check it by hand; the rest use 20,000-lead demos.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from slanb.cli import main
from slanb.errors import SlanbError
from slanb.months import month_of, shift_month
from slanb.store.db import TABLES, connect
from slanb.store.demo import build_demo

END = "2026-10"
EXPORTED = datetime(2026, 11, 1)
SMALL = 20_000

# Revenue per MQL as the planning defaults compute it for October 2026: MQLs of the 12 months that
# end 3 months before it (2025-07..2026-06), won revenue closed before 2026-10-01.
SAMPLE = """
    with sample as (
        select
            lead_id,
            case when intent is null or fit is null then 'unknown' else intent end as intent,
            case when intent is null or fit is null then 'unknown' else fit end as fit
        from leads
        where mql_at >= timestamp '2025-07-01' and mql_at < timestamp '2026-07-01'
    ),

    won as (
        select lead_id, count(*) as won_deals, sum(amount) as revenue
        from deals
        where stage = 'won' and closed_at < timestamp '2026-10-01'
        group by lead_id
    )

    select s.*, coalesce(w.won_deals, 0) as won_deals, coalesce(w.revenue, 0) as revenue
    from sample as s
    left join won as w on w.lead_id = s.lead_id
"""


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    return con


def _one(con: duckdb.DuckDBPyConnection, query: str) -> tuple:
    return con.sql(query).fetchall()[0]


def _fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent digest of every table's contents."""
    with _open(path) as con:
        return {
            t: _one(
                con,
                f"select count(*), md5(string_agg(t::varchar, '|' order by t::varchar)) from {t} t",
            )
            for t in (*TABLES, "slanb_meta")
        }


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("default") / "demo.duckdb"
    build_demo(path, end=END)
    return path


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "demo.duckdb"
    build_demo(path, end=END, leads=SMALL)
    return path


@pytest.fixture
def con(default_demo: Path):
    with _open(default_demo) as c:
        yield c


# ---- reproducibility ----------------------------------------------------------------------------
def test_same_inputs_give_identical_rows(small_demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build_demo(again, seed=7, end=END, leads=SMALL)
    first, second = _fingerprint(small_demo), _fingerprint(again)
    assert first == second
    assert first["leads"][0] == SMALL
    assert first["activities"][0] > 2 * SMALL * 0.31  # several touches per MQL


def test_another_seed_gives_other_rows(small_demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    summary = build_demo(other, seed=8, end=END, leads=SMALL)
    a, b = _fingerprint(small_demo), _fingerprint(other)
    assert summary.leads == SMALL
    assert a["reps"] == b["reps"]  # the team is the same; what happens to the leads is not
    for table in ("leads", "activities", "deals"):
        assert a[table][1] != b[table][1]
    with _open(other) as c:
        assert _one(c, "select value from slanb_meta where key = 'demo_seed'") == ("8",)


# ---- span and cut-off ---------------------------------------------------------------------------
def test_36_months_and_nothing_at_or_after_the_export(default_demo: Path, con) -> None:
    with connect(default_demo) as c:  # the read path the notebooks use accepts it
        assert c.sql("select count(*) from leads").fetchall() == [(95_000,)]
    meta = dict(con.sql("select key, value from slanb_meta").fetchall())
    assert meta == {"schema_version": "3", "exported_at": "2026-11-01 00:00:00", "demo_seed": "7"}
    first, last, months = _one(
        con,
        "select min(created_at), max(created_at), "
        "count(distinct date_trunc('month', created_at)) from leads",
    )
    assert (first.strftime("%Y-%m"), last.strftime("%Y-%m"), months) == ("2023-11", END, 36)
    newest = _one(
        con,
        """
        select greatest(
            (select max(greatest(created_at, mql_at, sql_at)) from leads),
            (select max(occurred_at) from activities),
            (select max(greatest(created_at, closed_at)) from deals)
        )
        """,
    )[0]
    assert datetime(2026, 10, 31) < newest < EXPORTED


def test_summary_returned(tmp_path: Path) -> None:
    s = build_demo(tmp_path / "s.duckdb", end=END, leads=1_000)
    assert (s.first_month, s.last_month, s.months, s.leads, s.reps) == (
        "2023-11",
        END,
        36,
        1000,
        11,
    )
    assert s.exported_at == EXPORTED
    assert 250 < s.mqls < 370 and s.deals > 0 and s.activities > 5 * s.mqls


def test_end_defaults_to_the_last_complete_month(tmp_path: Path) -> None:
    s = build_demo(tmp_path / "d.duckdb", leads=1_000)
    assert s.last_month == shift_month(month_of(datetime.now(UTC)), -1)


# ---- the contract's checks and the demo's own invariants ----------------------------------------
def test_contract_checks_and_invariants_hold(con) -> None:
    violations = {
        "mql before created": "select count(*) from leads where mql_at < created_at",
        "sql before mql": """
            select count(*) from leads
            where sql_at < mql_at or (sql_at is not null and mql_at is null)""",
        "bad intent": "select count(*) from leads where intent not in ('hand_raiser', 'other')",
        "bad fit": "select count(*) from leads where fit not in ('A', 'B', 'C')",
        "bad stage": "select count(*) from deals where stage not in ('open', 'won', 'lost')",
        "won/lost undated": "select count(*) from deals where stage <> 'open' and closed_at is null",
        "open but closed": "select count(*) from deals where stage = 'open' and closed_at is not null",
        "bad amount": "select count(*) from deals where amount < 0 or amount <> round(amount, 2)",
        "close before create": "select count(*) from deals where closed_at <= created_at",
        "deal without MQL": """
            select count(*) from deals d left join leads l using (lead_id)
            where l.mql_at is null or d.created_at < l.mql_at""",
        "activity before MQL": """
            select count(*) from activities a left join leads l using (lead_id)
            where l.mql_at is null or a.occurred_at < l.mql_at""",
        "activity by someone else": """
            select count(*) from activities a join leads l using (lead_id)
            where a.rep_id is distinct from l.owner_id""",
        "owner not active at mql_at": """
            select count(*) from leads l join reps r on r.rep_id = l.owner_id
            where l.mql_at is not null
              and (l.mql_at::date < r.start_date or l.mql_at::date > r.end_date)""",
        "activity after the rep left": """
            select count(*) from activities a join reps r using (rep_id)
            where a.occurred_at >= r.end_date + 1""",
    }
    found = {name: _one(con, q)[0] for name, q in violations.items()}
    assert found == dict.fromkeys(violations, 0)
    ids = _one(
        con,
        """
        select
            (select min(lead_id) || ' ' || max(lead_id) from leads),
            (select count(*) from deals where deal_id not like 'D%'),
            (select count(*) from activities where activity_id not like 'A%')
        """,
    )
    assert ids == ("L0000001 L0095000", 0, 0)


# ---- volume -------------------------------------------------------------------------------------
def _mqls_by_month(con) -> dict[str, int]:
    rows = con.sql(
        "select strftime(mql_at, '%Y-%m'), count(*) from leads where mql_at is not null group by 1"
    ).fetchall()
    return dict(rows)


def test_volume_grows_with_a_december_dip(con) -> None:
    m = _mqls_by_month(con)
    recent = (m["2026-07"] + m["2026-08"] + m["2026-09"]) / 3
    assert 900 < recent < 1_150  # about 1,000 MQLs a month at the end
    first_year = sum(m[shift_month("2023-11", k)] for k in range(1, 13)) / 12
    last_year = sum(m[shift_month("2025-10", k)] for k in range(1, 13)) / 12
    assert 1.25 < last_year / first_year < 1.60  # about 1.5% a month for two years
    for december in ("2024-12", "2025-12"):
        neighbours = (m[shift_month(december, -1)] + m[shift_month(december, 1)]) / 2
        assert m[december] < 0.93 * neighbours
    share = _one(con, "select count(mql_at) / count(*) from leads")[0]
    assert 0.28 < share < 0.34


# ---- revenue per MQL and the 2x3 matrix ---------------------------------------------------------
def test_goal_from_the_planning_defaults_is_slightly_above_recent_volume(con) -> None:
    mqls, revenue = _one(con, f"select count(*), sum(revenue) from ({SAMPLE})")
    per_mql = revenue / mqls
    goal = math.ceil(75_000 / per_mql)
    recent = _mqls_by_month(con)
    trailing = (recent["2026-07"] + recent["2026-08"] + recent["2026-09"]) / 3
    assert 55 < per_mql < 85
    assert 1.0 <= goal / trailing <= 1.25


def test_hand_raisers_close_about_three_times_as_often(con) -> None:
    rates = dict(
        con.sql(
            "select intent, count(*) filter (where won_deals > 0) / count(*) "
            f"from ({SAMPLE}) group by 1"
        ).fetchall()
    )
    assert 0.02 < rates["other"] < 0.035
    assert 2.3 <= rates["hand_raiser"] / rates["other"] <= 3.7


def test_fit_a_beats_b_beats_c(con) -> None:
    rows = con.sql(
        f"""
        select
            fit,
            count(*) filter (where won_deals > 0) / count(*) as close_rate,
            sum(revenue) / sum(won_deals) as avg_won
        from ({SAMPLE})
        where fit <> 'unknown'
        group by fit
        order by fit
        """
    ).fetchall()
    (_, close_a, avg_a), (_, close_b, avg_b), (_, close_c, avg_c) = rows
    assert close_a > 1.1 * close_b > 1.1 * 1.1 * close_c
    assert 1_900 < avg_a < 2_600 and 1_250 < avg_b < 1_750 and 800 < avg_c < 1_100


def test_last_months_are_immature(con) -> None:
    value = dict(
        con.sql(
            """
            select
                strftime(l.mql_at, '%Y-%m'),
                coalesce(sum(d.amount), 0) / count(distinct l.lead_id)
            from leads l
            left join deals d
                on d.lead_id = l.lead_id and d.stage = 'won' and d.closed_at < '2026-10-01'
            where l.mql_at >= '2025-07-01' and l.mql_at < '2026-10-01'
            group by 1
            """
        ).fetchall()
    )
    mature = sum(value[shift_month("2025-07", k)] for k in range(12)) / 12
    assert value["2026-09"] < 0.2 * mature  # MQLs of the last month have barely started to close
    assert value["2026-08"] < 0.6 * mature and value["2026-07"] < 0.8 * mature


def test_deal_outcomes(con) -> None:
    mqls, deal_leads, won_leads, lost, open_, add_ons = _one(
        con,
        """
        select
            (select count(mql_at) from leads),
            count(distinct lead_id),
            count(distinct lead_id) filter (where stage = 'won'),
            count(*) filter (where stage = 'lost'),
            count(*) filter (where stage = 'open'),
            count(*) - count(distinct lead_id)
        from deals
        """,
    )
    assert 0.14 < deal_leads / mqls < 0.20
    assert 0.035 < won_leads / mqls < 0.05  # the newest MQLs have not closed yet
    assert 0.06 < lost / mqls < 0.11
    assert open_ > 300 and add_ons > 20
    recent_open = _one(
        con, "select count(*) from deals where stage = 'open' and created_at >= '2026-06-01'"
    )
    assert recent_open[0] > 0.6 * open_


# ---- the reps -----------------------------------------------------------------------------------
def test_team_changes_and_unassigned_mqls(con) -> None:
    active = lambda day: _one(  # noqa: E731
        con,
        f"select count(*) from reps "
        f"where start_date <= '{day}' and (end_date is null or end_date >= '{day}')",
    )[0]
    assert (active("2024-01-15"), active("2025-07-15"), active("2026-10-15")) == (10, 9, 10)
    left, joined = _one(
        con,
        "select max(end_date), max(start_date) from reps",
    )
    assert (left.strftime("%Y-%m"), joined.strftime("%Y-%m")) == ("2025-06", "2025-08")
    unassigned, mqls, touches = _one(
        con,
        """
        select
            count(*) filter (where owner_id is null),
            count(*),
            (select count(*) from activities a join leads l using (lead_id)
             where l.owner_id is null and l.mql_at is not null)
        from leads
        where mql_at is not null
        """,
    )
    assert 0.005 < unassigned / mqls < 0.02
    assert touches < 0.5 * unassigned


def test_one_rep_is_late_and_another_skips_the_cadence(con) -> None:
    rows = con.sql(
        """
        with mqls as (
            select lead_id, owner_id, mql_at
            from leads
            where owner_id is not null and mql_at < timestamp '2026-10-01' - interval 14 day
        ),

        touches as (
            select
                m.lead_id,
                min(a.occurred_at) filter (where a.kind in ('call', 'email')) as first_touch,
                count(*) filter (
                    where a.kind = 'call' and a.occurred_at < m.mql_at + interval 14 day
                ) as calls
            from mqls as m
            inner join activities as a on a.lead_id = m.lead_id
            group by m.lead_id
        )

        select
            m.owner_id,
            avg(case when t.first_touch <= m.mql_at + interval 24 hour then 0 else 1 end) as late,
            avg(case when t.calls >= 5 then 1 else 0 end) as cadence
        from mqls as m
        left join touches as t on t.lead_id = m.lead_id
        group by m.owner_id
        """
    ).fetchall()
    late = {rep: share for rep, share, _ in rows}
    cadence = {rep: share for rep, _, share in rows}
    assert 0.28 < late.pop("R03") < 0.42
    assert max(late.values()) < 0.07
    assert cadence.pop("R07") < 0.15
    assert min(cadence.values()) > 0.7


def test_late_first_touch_converts_worse(con) -> None:
    rates = dict(
        con.sql(
            """
            with firsts as (
                select l.lead_id, l.mql_at, min(a.occurred_at) as first_touch
                from leads l
                join activities a on a.lead_id = l.lead_id and a.kind in ('call', 'email')
                where l.mql_at < '2026-04-01' and l.owner_id is not null
                group by all
            )

            select
                f.first_touch > f.mql_at + interval 24 hour as late,
                count(distinct d.lead_id) / count(distinct f.lead_id)
            from firsts f
            left join deals d on d.lead_id = f.lead_id and d.stage = 'won'
            group by 1
            """
        ).fetchall()
    )
    assert rates[True] < 0.75 * rates[False]


# ---- inputs, files and the CLI ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": "2026-13"}, "end must be a month written YYYY-MM"),
        ({"end": "Oct 2026"}, "end must be a month written YYYY-MM"),
        ({"end": "2999-01"}, "end must be a complete month"),
        ({"end": "1971-06"}, "end must be 1972-12 or later"),
        ({"leads": 999}, "leads must be between 1,000 and"),
        ({"leads": 2.5}, "leads must be a whole number"),
        ({"seed": 2**64}, "seed must be a whole number that fits in 64 bits"),
    ],
)
def test_bad_inputs_are_refused_before_writing(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(SlanbError, match=message):
        build_demo(tmp_path / "bad.duckdb", **{"end": END, **kwargs})
    assert list(tmp_path.iterdir()) == []


def test_cli_replaces_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "data" / "demo.duckdb"
    db.parent.mkdir()
    db.write_text("not a database")
    assert main(["demo", "--db", str(db), "--end", END, "--leads", str(SMALL), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert f"Wrote the demo history to {db}" in out
    assert "History: 2023-11 to 2026-10 (36 months)" in out
    assert "leads             20,000" in out
    assert sorted(p.name for p in db.parent.iterdir()) == ["demo.duckdb"]  # no temporary left

    assert main(["demo", "--db", str(db), "--leads", "10"]) == 1
    assert "leads must be between 1,000" in capsys.readouterr().err
