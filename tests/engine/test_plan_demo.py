"""slanb.plan on the demo history agrees with an independent, plain-SQL computation."""

from __future__ import annotations

import math

import duckdb
import pytest

from slanb.params import Params
from slanb.store.demo import build_demo
from tests.conftest import plan

INDEPENDENT = """
with sample as (
    select lead_id, intent, fit from leads
    where mql_at >= timestamp '2025-07-01' and mql_at < timestamp '2026-07-01'
),
won as (
    select lead_id, sum(amount) as revenue, count(*) as n from deals
    where stage = 'won' and closed_at < timestamp '2026-10-01' group by lead_id
)
select
    count(*) as mqls,
    round(coalesce(sum(w.revenue), 0), 2) as revenue,
    count(w.lead_id) as won_leads,
    coalesce(sum(w.n), 0) as won_deals
from sample s left join won w using (lead_id)
"""

TRAILING = """
select count(*) / 3.0 from leads
where mql_at >= timestamp '2026-07-01' and mql_at < timestamp '2026-10-01'
"""

BUCKETS = """
with won as (
    select lead_id, sum(amount) as revenue from deals
    where stage = 'won' and closed_at < timestamp '2026-10-01' group by lead_id
)
select
    case when l.intent is null or l.fit is null then 'unknown' else l.intent end,
    case when l.intent is null or l.fit is null then 'unknown' else l.fit end,
    count(*),
    round(coalesce(sum(w.revenue), 0) / count(*), 2)
from leads l left join won w using (lead_id)
where l.mql_at >= timestamp '2025-07-01' and l.mql_at < timestamp '2026-07-01'
group by all
"""

ACTIVE_REPS = """
select count(*) from reps
where (start_date is null or start_date <= date '2026-10-31')
  and (end_date is null or end_date >= date '2026-10-01')
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, seed=11, end="2026-10")  # the default size: about 1,000 MQLs a month
    return path


def test_plan_matches_plain_sql(demo):
    p = plan(Params(db=str(demo)))
    con = duckdb.connect(str(demo), read_only=True)
    try:
        ((mqls, revenue, won_leads, won_deals),) = con.sql(INDEPENDENT).fetchall()
        ((trailing,),) = con.sql(TRAILING).fetchall()
        buckets = {(i, f): (n, v) for i, f, n, v in con.sql(BUCKETS).fetchall()}
        ((reps,),) = con.sql(ACTIVE_REPS).fetchall()
    finally:
        con.close()
    assert p.month == "2026-10"
    r = p.revenue_per_mql
    assert (r.mqls, r.won_leads, r.won_deals) == (mqls, won_leads, won_deals)
    assert r.revenue == pytest.approx(float(revenue), abs=0.005)
    assert r.value == round(float(revenue) / mqls + 1e-9, 2)
    assert p.goal.mqls == math.ceil(75_000 / r.value)
    assert p.goal.active_reps == reps
    assert p.volume.trailing_3_avg == pytest.approx(float(trailing))
    assert p.cross_check.ratio == round(p.goal.mqls / float(trailing) + 1e-9, 2)
    got = {
        (row["intent"], row["fit"]): (row["mqls"], row["lead_value"]) for row in p.matrix.to_dicts()
    }
    assert {k: v for k, v in got.items() if v[0]} == {
        k: (n, float(v)) for k, (n, v) in buckets.items()
    }


def test_plan_on_demo_is_sane(demo):
    p = plan(Params(db=str(demo)))
    assert p.messages == ()
    assert p.cross_check.verdict in {"realistic", "stretch"}
    assert 0 < p.goal.mqls_per_rep < 200
