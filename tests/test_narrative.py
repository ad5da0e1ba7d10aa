"""Narrative: the sentences and tables state this run's numbers, formatted for a reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from slanb import narrative
from slanb.params import Params
from slanb.plan import Plan, plan
from tests.conftest import write_history
from tests.fixtures import matrix_example, worked_example

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def worked(tmp_path_factory) -> Plan:
    path = tmp_path_factory.mktemp("narrative") / "worked.duckdb"
    write_history(path, worked_example.tables(), exported_at="2026-11-01 00:00:00")
    return plan(Params(db=str(path)))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> Plan:
    path = tmp_path_factory.mktemp("narrative") / "matrix.duckdb"
    write_history(path, matrix_example.tables())
    return plan(Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1))


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> Plan:
    """One lead, no MQLs: every step is undefined and says why."""
    path = tmp_path_factory.mktemp("narrative") / "empty.duckdb"
    write_history(
        path,
        {"leads": [{"lead_id": "L1", "created_at": "2026-09-03T10:00:00"}]},
        exported_at="2026-11-01 00:00:00",
    )
    return plan(Params(db=str(path)))


def test_formatting_helpers():
    assert narrative.count(1234) == "1,234"
    assert narrative.count(112.1) == "112.1"
    assert narrative.count(1, "rep") == "1 rep"
    assert narrative.count(3, "rep") == "3 reps"
    assert narrative.whole(1017.7) == "1,018"
    assert narrative.dollars(738_439.25) == "$738,439"
    assert narrative.money(66.95) == "$66.95"
    assert narrative.money(75_000) == "$75,000"
    assert narrative.percent(0.75) == "75%"
    assert narrative.percent(0.0488, 1) == "4.9%"
    assert narrative.count(None) == narrative.money(None) == "n/a"
    assert narrative.segment("hand_raiser", "A") == "Hand-raiser, fit A"


def test_waterfall_walks_the_worked_example_step_by_step(worked):
    rows = narrative.waterfall_rows(worked)
    assert [r["number"] for r in rows] == [
        "720 MQLs a month",
        "$100 per MQL",
        "$75,000 revenue target",
        "750 MQLs ($75,000 of lead value)",
        "Realistic",
    ]
    assert rows[1]["how"] == "$80,000 won from 800 MQLs of July 2025 to June 2026"
    assert rows[2]["how"] == "company goal $100,000 × marketing's share 75%"
    assert rows[3]["how"] == ("$75,000 ÷ $100 per MQL, rounded up; 250 per rep (3 active reps)")
    assert rows[4]["how"].startswith("goal ÷ last 3 months' average: 750 ÷ 720 = 1.04")


def test_step_headlines_name_every_notebook(worked):
    heads = narrative.step_headlines(worked)
    assert sorted(heads) == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert heads["00_sla_summary"] == "750 MQLs · $75,000 of lead value · realistic"
    assert heads["05_cross_check"] == "Realistic (ratio 1.04)"


def test_headline_is_the_engine_sentence_with_its_verdict(worked):
    out = narrative.headline(worked).data
    assert "Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026." in out
    assert ">Realistic</span>" in out
    assert "mathjax_ignore" in out  # JupyterLab must not read $…$ as LaTeX


def test_markdown_escapes_dollars_so_money_is_never_latex(worked):
    text = narrative.value_summary(worked).data
    assert r"\$80,000 ÷ 800 MQLs = **\$100 per MQL**" in text
    assert "$" not in text.replace(r"\$", "")


def test_sla_statement_carries_both_promises(worked):
    text = narrative.sla_statement(worked).data
    assert r"**\$75,000 in lead value**" in text and "**750 MQLs**" in text
    assert "call or email to every MQL within **24 hours**" in text
    assert "5 calls within 14 days" in text


def test_no_messages_show_nothing_and_messages_show_a_callout(worked, empty):
    assert narrative.messages(worked).data == ""
    out = narrative.messages(empty).data
    assert "Read this first" in out
    assert all(m.replace("'", "&#x27;") in out for m in empty.messages)
    assert empty.messages


def test_degenerate_history_still_reads(empty):
    assert [r["number"] for r in narrative.waterfall_rows(empty)] == [
        "n/a",
        "n/a",
        "$75,000 revenue target",
        "n/a",
        "Cannot tell",
    ]
    assert narrative.waterfall_rows(empty)[4]["how"] == empty.cross_check.sentence
    head = narrative.headline(empty).data
    assert "see the messages below.</div>" in head and ".." not in head
    assert narrative.step_headlines(empty)["00_sla_summary"] == "No MQL goal this month"
    assert "No MQL goal can be set" in narrative.goal_summary(empty).data
    assert "n/a" in narrative.cross_check_table(empty).data
    assert "needs an MQL goal" in narrative.funnel_per_rep(empty).data


def test_volume_summary_states_the_run_rate_and_trend(worked):
    text = narrative.volume_summary(worked).data
    assert "**October 2025 to September 2026**" in text
    assert "between 66 and 740 MQLs a month" in text
    assert "averaged **720 MQLs**, the last twelve 230." in text
    assert "**+61.9 MQLs a month** (growing)" in text


def test_units_table_has_readable_headings_and_formatted_money(worked):
    out = narrative.units_table(worked).data
    for heading in ("Unit", "Per month", "Won rate", "Won revenue", "Revenue per unit"):
        assert f">{heading}</th>" in out
    assert "revenue_per_unit" not in out and "won_rate" not in out
    assert "MQLs (marketing-qualified, sent to sales)" in out
    assert ">$80,000</td>" in out and ">$100</td>" in out and ">4.9%</td>" in out


def test_matrix_names_the_best_bucket_and_flags_empty_ones(matrix):
    text = narrative.matrix_summary(matrix).data
    assert r"An MQL from **Hand-raiser, fit A** is worth the most: **\$1,500**" in text
    assert r"3 buckets had no MQLs in the sample and are valued at the overall \$610" in text
    grid = narrative.matrix_table(matrix).data
    assert "<strong>$1,500</strong>" in grid and "3 MQLs · 66.7% close" in grid
    assert "<strong>$610*</strong>" in grid  # hand-raiser B: no MQLs, overall value
    detail = narrative.matrix_detail(matrix).data
    assert "Unknown intent or fit" in detail and "Other, fit B" in detail


def test_goal_and_funnel_per_rep(worked):
    text = narrative.goal_summary(worked).data
    assert r"\$75,000 ÷ \$100 = **750 MQLs** (rounded up)" in text
    assert "**250 MQLs per rep**" in text
    assert "Ada Park" in narrative.reps_table(worked).data
    chain = narrative.funnel_per_rep(worked).data
    assert chain.startswith("Each rep, in a month, at the sample's rates: **250 MQLs → 0 contacted")
    assert chain.endswith("→ 12 won**.")


def test_cross_check_states_thresholds(worked):
    out = narrative.cross_check_summary(worked).data
    assert "at most 1.10× the last three months&#x27; average, a stretch up to 1.30×" in out
    table = narrative.cross_check_table(worked).data
    assert "<thead>" not in table and "0 of 12" in table and ">1.04<" in table


def test_parameter_rows_read_like_a_form():
    rows = {
        r["key"]: r["value"]
        for r in narrative.parameter_rows(
            Params(month="2026-10", revenue_goal={"2026-10": 120_000.0}, marketing_share=0.6)
        )
    }
    assert rows["month"] == "October 2026"
    assert rows["revenue_goal"] == "2026-10: $120,000"
    assert rows["marketing_share"] == "60%"
    assert rows["first_touch_kinds"] == "call, email"
    assert rows["db"] == "default"


def test_docstring_examples():
    import doctest

    result = doctest.testmod(narrative)
    assert result.attempted > 0 and result.failed == 0
