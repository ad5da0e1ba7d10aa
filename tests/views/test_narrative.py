"""Narrative: the sentences and tables state this run's numbers, formatted for a reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from slanb.engine.month import SlaMonth, compute
from slanb.params import Params
from slanb.store import db
from slanb.views import format, narrative, pages, scorecard, sentences
from tests.conftest import write_history
from tests.fixtures import matrix_example, tracking_example, worked_example

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worked(tmp_path_factory) -> SlaMonth:
    path = tmp_path_factory.mktemp("narrative") / "worked.duckdb"
    write_history(path, worked_example.tables(), exported_at="2026-11-01 00:00:00")
    return compute(Params(db=str(path)))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> SlaMonth:
    path = tmp_path_factory.mktemp("narrative") / "matrix.duckdb"
    write_history(path, matrix_example.tables())
    return compute(Params(db=str(path), month="2026-04", lookback_months=2, maturity_months=1))


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> SlaMonth:
    """One lead, no MQLs: every step is undefined and says why."""
    path = tmp_path_factory.mktemp("narrative") / "empty.duckdb"
    write_history(
        path,
        {"leads": [{"lead_id": "L1", "created_at": "2026-09-03T10:00:00"}]},
        exported_at="2026-11-01 00:00:00",
    )
    return compute(Params(db=str(path)))


def test_formatting_helpers():
    assert format.count(1234) == "1,234"
    assert format.count(112.1) == "112.1"
    assert format.count(1, "rep") == "1 rep"
    assert format.count(3, "rep") == "3 reps"
    assert format.whole(1017.7) == "1,018"
    assert format.dollars(738_439.25) == "$738,439"
    assert format.usd(66.95) == "$66.95"
    assert format.usd(75_000) == "$75,000"
    assert format.percent(0.75) == "75%"
    assert format.percent(0.0488, 1) == "4.9%"
    assert format.count(None) == format.usd(None) == "n/a"
    assert format.segment("hand_raiser", "A") == "Hand-raiser, fit A"


def test_waterfall_walks_the_worked_example_step_by_step(worked):
    rows = sentences.waterfall_rows(worked)
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
    heads = sentences.step_headlines(worked)
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
    assert all(m.replace("'", "&#x27;") in out for m in empty.plan.messages)
    assert empty.plan.messages


def test_degenerate_history_still_reads(empty):
    assert [r["number"] for r in sentences.waterfall_rows(empty)] == [
        "n/a",
        "n/a",
        "$75,000 revenue target",
        "n/a",
        "Cannot tell",
    ]
    assert sentences.waterfall_rows(empty)[4]["how"] == sentences.cross_check_sentence(
        empty.plan.cross_check
    )
    head = narrative.headline(empty).data
    assert "see the messages below.</div>" in head and ".." not in head
    assert sentences.step_headlines(empty)["00_sla_summary"] == "No MQL goal this month"
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


# ---- step 6: tracking, on tests/fixtures/tracking_example (April 2026, checked by hand there) ----
@pytest.fixture(scope="module")
def april(tmp_path_factory) -> SlaMonth:
    """The example's plan for April 2026, tracked against the example's goals (12 MQLs, $15,000).

    R1 (Ada Park) is renamed to a script and R2 (Ben Cole) to a name that would break a table.
    """
    ex = tracking_example
    tables = ex.tables()
    tables["reps"][0]["name"] = "<script>alert(1)</script>"
    tables["reps"][1]["name"] = 'Bob | "Smith"'
    path = write_history(
        tmp_path_factory.mktemp("narrative") / "tracking.duckdb",
        tables,
        exported_at="2026-06-01 00:00:00",
    )
    with db.connect(path) as con:
        return ex.judged(
            con, Params(db=str(path), month=ex.MONTH, lookback_months=2, maturity_months=1)
        )


@pytest.fixture(scope="module")
def future(tmp_path_factory) -> SlaMonth:
    """December 2026 planned on the worked example, judged on 2026-11-15: not begun."""
    path = tmp_path_factory.mktemp("narrative") / "future.duckdb"
    write_history(path, worked_example.tables(), exported_at="2026-11-15 00:00:00")
    return compute(Params(db=str(path), month="2026-12", as_of="2026-11-15T00:00:00"))


def test_tracking_formatting_helpers():
    assert format.share(0.9839) == "98%"
    assert format.share(0.996) == "99.6%"  # short of the goal never reads as 100%
    assert format.hours(0.7) == "42 min" and format.hours(31.2133) == "31.2 h"
    assert format.dollars(1800.50) == "$1,801"  # half-up, like every amount of money


def test_tracking_headline_is_the_engine_sentence_in_whole_dollars(april):
    assert sentences.tracking_sentence(april) == (
        "Marketing delivered 9 of 12 MQLs (75%, $11,602 of $15,000 lead value); sales touched "
        "67% of MQLs within 24 h; 2 reps are on the dashboard, plus unassigned leads."
    )
    out = scorecard.tracking_headline(april).data
    assert "How April 2026 went" in out and "Judged over the whole of April 2026." in out
    assert sentences.step_headlines(april)["06_sla_scorecard"] == (
        "75% of the MQL goal delivered · 2 reps on the dashboard"
    )


def test_scorecard_tiles_state_both_sides(april):
    out = scorecard.scorecard(april).data
    for text in (
        '<div class="big">75%</div><div class="what">of the MQL goal</div>'
        '<div class="sub">9 of 12 MQLs</div>',
        '<div class="big">77%</div>',  # $11,601.53 of $15,000 = 77.34%
        '<div class="sub">$11,602 of $15,000</div>',
        # on the calendar clock the working side is not computed, so the tile names no other
        # clock (the working clock's own examples are in tests/engine/test_working_clock.py)
        '<div class="big">67%</div><div class="what">touched within 24 h</div>'
        '<div class="sub">6 of 9 MQLs judged</div>',
        '<div class="big">38%</div>',  # cadence: 3 met of 8 judged
        '<div class="big">2</div><div class="what">reps on the dashboard</div>'
        '<div class="sub">plus unassigned leads</div>',
    ):
        assert text in out


def test_delivery_in_sentences_and_by_bucket(april):
    text = scorecard.delivery_summary(april).data
    assert "delivered **9 MQLs** against a goal of 12: **75%** of it, 3 short." in text
    assert r"**\$11,602 of lead value** against \$15,000: **77%**, \$3,398 short." in text
    # hand-raisers: L01 L03 L05 = 3 of 9 MQLs; 3,000 × 2 + 1,800.50 = 7,800.50 of 11,601.53
    assert "Hand-raisers were 33% of the MQLs and brought 67% of the lead value" in text
    table = scorecard.delivery_table(april).data
    assert (
        '<td class="">Hand-raiser, fit B</td><td class="num">1</td><td class="num">11%</td>'
        '<td class="num">$1,800.50</td><td class="num">$1,801</td><td class="num">16%</td>'
    ) in table
    assert '<tr class="total"><td class="">Delivered</td><td class="num">9</td>' in table
    assert '<td class="">Goal</td><td class="num">12</td>' in table and "$15,000" in table


def test_pacing_summary_reads_the_last_day(april):
    text = scorecard.pacing_summary(april).data
    assert text.startswith(
        r"On April 30, the month's last day, marketing was **3 MQLs and \$3,398 of lead value "
        "behind the goal line**."
    )
    # behind (in MQLs) from Apr 18, when the line passes 7 (7.2), to the end: 13 days
    assert "on 13 of the 30 days of the month." in text


def test_compliance_states_the_rules_and_both_promises(april):
    text = scorecard.compliance_summary(april).data
    assert (
        "**First touch**: a call or email within 24 hours of becoming an MQL, on the calendar "
        "clock." in text
    )
    assert "**Cadence**: at least 5 calls in the first 14 days" in text
    assert (
        "**67%** of the 9 MQLs judged were touched in time (6 met, 3 breached, 1 of them never "
        "touched). Half were touched within **14.0 h**, nine in ten within **31.2 h**."
    ) in text
    assert (
        "**38%** of the 8 MQLs judged on the cadence got their 5 calls (3 met, 5 breached; " in text
    )
    assert "Pending" not in text
    table = scorecard.compliance_table(april).data
    assert ">First touch within 24 h</td>" in table and ">5 calls in 14 days</td>" in table
    assert ">Excluded (deal)</th>" in table and '<td class="num">—</td>' in table


def test_dashboard_escapes_rep_names_and_lists_the_leads(april):
    out = scorecard.dashboard_table(april).data
    assert "<script>alert(1)" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert (
        '<tr><td>Bob | &quot;Smith&quot;</td><td class="num">1</td><td class="num">3</td>'
        '<td class="num">3</td><td class="ids">L03, L04, L11</td></tr>'
    ) in out
    assert out.count("<tr>") == 4  # the heading and three rows: the pipe split nothing
    assert "<em>Unassigned (no owner)</em>" in out
    brief = scorecard.dashboard_summary(april).data
    assert "<script>alert(1)" not in brief and "&lt;script&gt;" in brief
    # the month beside the count, the unassigned leads after it (not "leads for April 2026")
    assert (
        "<strong>2 reps are on the dashboard</strong> for April 2026, plus unassigned leads."
        in brief
    )
    assert f'href="{pages.html(pages.SCORECARD)}"' in brief


def test_long_lead_lists_fold_into_and_n_more():
    ids = [f"L{i:02d}" for i in range(1, 13)]
    out = scorecard._lead_ids(ids)
    assert out.startswith("<details><summary>L01, L02, L03, L04, L05 and 7 more</summary>")
    assert out.endswith("L06, L07, L08, L09, L10, L11, L12</details>")
    assert scorecard._lead_ids(["<b>"]) == "&lt;b&gt;"


def test_speed_to_lead_table_and_its_warning(april):
    table = scorecard.speed_to_lead_table(april).data
    assert (
        '<td class="">1–4 h</td><td class="num">2</td><td class="num">100.0%</td>'
        '<td class="num">50.0%</td><td class="num">100%</td>'
    ) in table
    assert "&lt;1 h" in table and ">Never touched<" in table
    note = scorecard.speed_to_lead_note(april).data
    assert "the MQLs of January 2026 to February 2026" in note
    assert "part of the faster band&#x27;s lead is intent, not speed." in note


def test_a_month_not_begun_says_so_plainly(future):
    assert future.tracking is None
    assert sentences.tracking_sentence(future) is None
    head = scorecard.tracking_headline(future).data
    assert "December 2026 has not begun yet, so there is nothing to track" in head
    assert "judged from December 1, 2026" in head
    assert sentences.step_headlines(future)["06_sla_scorecard"] == "Not begun yet"
    assert "Nothing to show yet" in scorecard.delivery_summary(future).data
    assert "Nothing to show yet" in scorecard.dashboard_table(future).data
    assert scorecard.scorecard(future).data == scorecard.delivery_table(future).data == ""


def test_waterfall_in_words(april):
    assert scorecard.waterfall_summary(april).data == (
        r"The most lead value came from **Hand-raiser, fit A**: \$6,000, 52% of the \$11,602 "
        r"delivered. The gap to the goal: **\$3,398**, 23% of the goal."
    )


def test_a_month_part_way_says_to_go_and_where_the_goal_line_stands(april):
    ex = tracking_example
    params = april.params.replace(as_of="2026-04-06T10:00:00")
    with db.connect(params.db_path) as con:
        mid = ex.judged(con, params)
    assert sentences.tracking_label(mid) == "April 2026 so far"
    assert "Judged as of April 6, 2026, 10:00 UTC" in scorecard.tracking_headline(mid).data
    # L01-L03 delivered; the goal line on Apr 6 is 12 × 6/30 = 2.4 MQLs
    assert '<div class="sub">3 of 12 MQLs; 2 due by Apr 6</div>' in scorecard.scorecard(mid).data
    assert "**25%** of it, 9 to go." in scorecard.delivery_summary(mid).data
    assert sentences.step_headlines(mid)["06_sla_scorecard"] == (
        "25% of the MQL goal delivered so far · 1 rep on the dashboard"
    )
    assert "Pending (deadline later in the month): 5 first touches, 9 cadences." in (
        scorecard.compliance_summary(mid).data
    )


def test_the_summary_dashboard_counts_the_reps_it_leaves_out_apart_from_unassigned(
    april, monkeypatch
):
    monkeypatch.setattr(scorecard, "_DASHBOARD_TOP", 1)  # shows Bob | "Smith" (R2) only
    brief = scorecard.dashboard_summary(april).data
    assert "<p>The 1 more rep and the unassigned leads on the dashboard, the leads" in brief


def test_the_bucket_ranges_mark_thin_buckets_and_say_the_rule(matrix):
    html = narrative.matrix_ranges(matrix).data
    # hand-raiser A: 2 won leads, shrunk to $788 (tests/engine/test_intervals.py)
    assert "Hand-raiser, fit A †" in html and "$788" in html and "$396.74 to $1,179.26" in html
    assert "thin: 2 won leads; keeps 20% of its own value, the rest is the overall $610" in html
    note = narrative.matrix_ranges_note(matrix).data
    assert "fewer than 10 won leads is *thin* (†)" in note and "7 buckets are thin" in note


def test_step_5_states_the_chance_beside_the_verdict(worked):
    """The worked example has one month to backtest on: a forecast, but no chance, and why."""
    html = narrative.chance_summary(worked).data
    assert '<span class="slanb-verdict"' in html and ">Realistic</span>" in html
    assert (
        "<strong>The forecast is 720 MQLs, last year&#x27;s October scaled by the last three "
        "months against the same three months a year before; last year&#x27;s October was level "
        "with September.</strong>"
    ) in html
    assert "Only 1 earlier month(s) to test the forecast on (at least 3 needed)" in html
