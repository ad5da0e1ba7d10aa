"""The words and tables of the report's summary page and steps 1-5, as notebook display objects.

Every function takes the month (:class:`~slanb.engine.month.SlaMonth`, from ``slanb.compute``) and
returns an IPython display object (Markdown or HTML), so a notebook cell is one call and holds no
arithmetic. Sentences come from :mod:`slanb.views.sentences`, formats from
:mod:`slanb.views.format`; the scorecard (step 6) is :mod:`slanb.views.scorecard`.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from IPython.display import HTML, Markdown

from slanb.engine.intervals import THIN_WON_LEADS
from slanb.engine.month import SlaMonth
from slanb.engine.volume import december_dip
from slanb.months import month_label
from slanb.params import Params, by_segment_keys
from slanb.views.format import (
    FIT_LABELS,
    INTENT_LABELS,
    capital,
    count,
    dollars,
    months_span,
    percent,
    segment,
    segment_label,
    sentence,
    usd,
    whole,
)
from slanb.views.sentences import (
    backtest_sentence,
    chance_sentence,
    cross_check_sentence,
    goal_headline,
    goal_owner,
    goal_range_sentence,
    maturity_sentence,
    page_intro,
    possessive,
    sample_maturity_sentence,
    unit_name,
    value_range_sentence,
    waterfall_rows,
)
from slanb.views.tables import Column, esc, html_block, integer, markdown, rate, table
from slanb.views.theme import VERDICT_COLORS, VERDICT_WORDS


def headline(sla: SlaMonth) -> HTML:
    """The one sentence leadership reads first, large, with the verdict beside it."""
    return html_block(
        f'<div class="slanb-headline">{esc(sentence(goal_headline(sla.plan)))}</div>'
        f"<p>{_verdict_badge(sla)} {esc(cross_check_sentence(sla.plan.cross_check))}</p>"
    )


def _verdict_badge(sla: SlaMonth) -> str:
    v = sla.plan.cross_check.verdict
    if v is None:
        return ""
    return (
        f'<span class="slanb-verdict" style="background:{VERDICT_COLORS[v]}">'
        f"{VERDICT_WORDS[v]}</span>"
    )


def messages(sla: SlaMonth) -> HTML:
    """The plan's warnings (degenerate history, missing goal) in a callout; empty when there are none."""
    if not sla.plan.messages:
        return HTML("")
    items = "".join(f"<li>{esc(m)}</li>" for m in sla.plan.messages)
    return html_block(
        f'<div class="slanb-callout"><strong>Read this first: the history is not enough for '
        f"every number below.</strong><ul>{items}</ul></div>"
    )


def sla_statement(sla: SlaMonth) -> Markdown:
    """The SLA both teams sign, in the seed's words: marketing's number and sales' promise.

    The month's commitment when it has one (``sla.basis``), else the goal computed now.
    """
    p = sla.basis.params
    kinds = " or ".join(p.first_touch_kinds)
    cadence = " or ".join(p.cadence_kinds)
    if sla.basis.goal.mqls is None:
        marketing = "Marketing's number cannot be set this month (see the messages above)"
    else:
        marketing = (
            f"Every month, marketing will deliver **{usd(sla.basis.goal.lead_value)} in lead value** "
            f"(**{count(sla.basis.goal.mqls)} MQLs** at {usd(sla.basis.revenue_per_mql.value)} each) to sales"
        )
    return markdown(
        f"> {marketing}, and sales will make a first {kinds} to every MQL within "
        f"**{count(p.first_touch_hours)} hours** of receiving it, and {count(p.cadence_calls)} "
        f"{cadence}s within {count(p.cadence_days)} days."
    )


def waterfall(sla: SlaMonth) -> HTML:
    """How the goal was derived, one row per step of the method."""
    return table(
        waterfall_rows(sla),
        [
            Column("step", "Step", esc),
            Column("question", "Question", esc),
            Column("number", "Answer", lambda x: f"<strong>{esc(x)}</strong>"),
            Column("how", "How", esc),
        ],
    )


def volume_summary(sla: SlaMonth) -> Markdown:
    """Step 1 in sentences: the recent run rate, the trend, December."""
    v = sla.plan.volume
    if v.months.height == 0:
        return markdown("**No MQLs in the lookback.** Step 1 has nothing to show.")
    first, last = v.months["month"][0], v.months["month"][-1]
    lines = [
        f"Over **{months_span(first, last)}** marketing delivered between "
        f"{count(v.months['mqls'].min())} and {count(v.historical_max)} MQLs a month.",
        f"The last three months averaged **{whole(v.trailing_3_avg)} MQLs**"
        + (
            f", the last twelve {whole(v.trailing_12_avg)}."
            if v.trailing_12_avg is not None
            else "."
        ),
    ]
    if v.trend_per_month is not None:
        direction = "growing" if v.trend_per_month > 0 else "shrinking"
        lines.append(
            f"The linear trend is **{v.trend_per_month:+,.1f} MQLs a month** ({direction})."
        )
    dip = december_dip(sla.plan.volume.months)
    if dip is not None:
        lines.append(
            f"December ran {percent(abs(dip))} {'below' if dip < 0 else 'above'} the other months' "
            "average: plan for the season."
        )
    return markdown(" ".join(lines))


_UNIT_LABELS = {
    "leads": "Leads (new people in the funnel)",
    "mqls": "MQLs (marketing-qualified, sent to sales)",
    "sqls": "SQLs (sales has decided to pursue)",
}


def units_table(sla: SlaMonth) -> HTML:
    """Leads, MQLs and SQLs side by side: the candidate units of measurement for the SLA."""
    rows = [
        {**r, "unit": _UNIT_LABELS.get(r["unit"], r["unit"])}
        for r in sla.plan.volume.units.to_dicts()
    ]
    return table(
        rows,
        [
            Column("unit", "Unit", esc),
            Column("per_month", "Per month", integer, numeric=True),
            Column("sample", "In the sample", integer, numeric=True),
            Column("won_leads", "Became customers", integer, numeric=True),
            Column("won_rate", "Won rate", rate, numeric=True),
            Column("revenue", "Won revenue", dollars, numeric=True),
            Column("revenue_per_unit", "Revenue per unit", usd, numeric=True),
        ],
    )


def value_summary(sla: SlaMonth) -> Markdown:
    """Step 2 as the seed's three lines: MQLs in the sample, revenue they led to, the division."""
    r = sla.plan.revenue_per_mql
    excluded = ", ".join(month_label(m) for m in r.excluded_months) or "none"
    return markdown(
        "\n".join(
            [
                f"1. **{count(r.mqls)} MQLs** in the sample, {months_span(r.window_start, r.window_end)}.",
                f"2. They led to **{usd(r.revenue)}** of won revenue "
                f"({count(r.won_deals, 'won deal')} from {count(r.won_leads, 'customer')}) "
                f"closed before {sla.plan.month_label}.",
                f"3. {usd(r.revenue)} ÷ {count(r.mqls)} MQLs = **{usd(r.value)} per MQL**.",
                "",
                f"Left out as too recent to have closed: {excluded} "
                f"(the {count(sla.plan.params.maturity_months, 'most recent month')}).",
            ]
        )
    )


def matrix_summary(sla: SlaMonth) -> Markdown:
    """Which buckets are worth most, and by how much (the seed's 'three times as valuable')."""
    m = sla.plan.matrix.filter(~pl.col("flagged") & pl.col("lead_value").is_not_null())
    if m.height == 0:
        return markdown("No bucket has MQLs in the sample: the matrix cannot be valued.")
    top = m.sort("lead_value", descending=True).row(0, named=True)
    low = m.sort("lead_value").row(0, named=True)
    text = (
        f"An MQL from **{segment(top['intent'], top['fit'])}** is worth the most: "
        f"**{usd(top['lead_value'])}**"
    )
    if low["lead_value"] and (top["intent"], top["fit"]) != (low["intent"], low["fit"]):
        text += (
            f", {top['lead_value'] / low['lead_value']:.1f}× one from "
            f"{segment(low['intent'], low['fit'])} ({usd(low['lead_value'])})"
        )
    text += (
        ". Counting lead value instead of MQLs gives marketing credit for the leads that close: "
        f"the goal is **{usd(sla.plan.goal.lead_value)} of lead value**, however it is made up."
    )
    flagged = sla.plan.matrix.filter(pl.col("flagged")).height
    if flagged:
        text += (
            f" {count(flagged, 'bucket')} had no MQLs in the sample and "
            f"{'is' if flagged == 1 else 'are'} valued at the overall {usd(sla.plan.revenue_per_mql.value)} "
            "(marked *)."
        )
    return markdown(text)


def matrix_table(sla: SlaMonth) -> HTML:
    """The 2×3 grid as a table: lead value per cell, with MQLs and close rate beneath it."""
    m = sla.plan.matrix
    fits = [f for f in FIT_LABELS if f != "unknown" and f in set(m["fit"].to_list())]
    rows: list[dict[str, Any]] = []
    for intent in INTENT_LABELS:
        cells = {r["fit"]: r for r in m.filter(pl.col("intent") == intent).to_dicts()}
        if cells:
            if intent == "unknown":  # one bucket: shown under the first fit column
                cells = {fits[0]: cells["unknown"]}
            rows.append({"intent": INTENT_LABELS[intent], **cells})

    def cell(c: dict[str, Any] | None) -> str:
        if c is None:
            return ""
        star = "*" if c["flagged"] else ""
        return (
            f"<strong>{usd(c['lead_value'])}{star}</strong><br>"
            f'<span class="sub">{count(c["mqls"], "MQL")} · {percent(c["close_rate"], 1)} close</span>'
        )

    return table(
        rows,
        [Column("intent", "Intent", lambda x: f"<strong>{esc(x)}</strong>")]
        + [Column(f, FIT_LABELS[f], cell, numeric=True) for f in fits],
    )


def matrix_detail(sla: SlaMonth) -> HTML:
    """Every bucket's numbers: MQLs, customers, close rate, average won deal, lead value."""
    rows = [
        {**r, "segment": segment(r["intent"], r["fit"]) + (" *" if r["flagged"] else "")}
        for r in sla.plan.matrix.to_dicts()
    ]
    return table(
        rows,
        [
            Column("segment", "Bucket", esc),
            Column("mqls", "MQLs", integer, numeric=True),
            Column("won_leads", "Customers", integer, numeric=True),
            Column("close_rate", "Close rate", rate, numeric=True),
            Column("avg_won_amount", "Average won deal", dollars, numeric=True),
            Column("revenue", "Won revenue", dollars, numeric=True),
            Column("lead_value", "Lead value", usd, numeric=True),
        ],
    )


def funnel_table(sla: SlaMonth) -> HTML:
    """The sample's funnel: how many MQLs reached each stage, and what share."""
    rows = [{**r, "label": capital(r["label"])} for r in sla.plan.funnel.stages.to_dicts()]
    return table(
        rows,
        [
            Column("label", "Stage", esc),
            Column("count", "MQLs in the sample", integer, numeric=True),
            Column("rate", "Share of MQLs", rate, numeric=True),
        ],
    )


def summary_intro(sla: SlaMonth) -> Markdown:
    """The summary page's paragraph under its title: what it answers, and whose SLA it is."""
    goal_set = sla.plan.target.revenue_goal is not None
    return markdown(page_intro(sla.params, "summary", goal_set=goal_set))


def target_intro(sla: SlaMonth) -> Markdown:
    """Step 3's paragraph under its title: whose revenue goal the target comes from."""
    return markdown(page_intro(sla.params, "target"))


def target_summary(sla: SlaMonth) -> Markdown:
    """Step 3: company goal × marketing's share = the revenue target."""
    t = sla.plan.target
    if t.revenue_target is None:
        return markdown(
            f"**No revenue goal is set for {sla.plan.month_label}**, so there is no target."
        )
    return markdown(
        f"{capital(unit_name(sla.params))}'s revenue goal for {sla.plan.month_label} is "
        f"**{usd(t.revenue_goal)}**; "
        f"marketing sources **{percent(t.marketing_share)}** of it.\n\n"
        f"{usd(t.revenue_goal)} × {percent(t.marketing_share)} = "
        f"**{usd(t.revenue_target)} marketing revenue target**."
    )


def goal_schedule(params: Params) -> HTML:
    """The company goal per month when ``revenue_goal`` is a mapping; one row otherwise."""
    goal = params.revenue_goal
    if by_segment_keys(goal):  # the company's: each segment's goal (a segment without one: none)
        own = {params.segment: goal.get(params.segment)} if params.segment else goal
        rows = [
            {"month": f"{segment_label(name, params.segment_labels)}, {label}", "goal": v}
            for name, value in own.items()
            for label, v in _goal_rows(value)
        ]
        header = f"{capital(unit_name(params))}'s goal" if params.segment else "Goal"
        return table(
            rows,
            [Column("month", "Segment and month", esc), Column("goal", header, usd, numeric=True)],
        )
    rows = [{"month": capital(label), "goal": v} for label, v in _goal_rows(goal)]
    header = f"{capital(possessive(goal_owner(params)))} goal"
    return table(rows, [Column("month", "Month", esc), Column("goal", header, usd, numeric=True)])


def _goal_rows(goal: Any) -> list[tuple[str, float | None]]:
    """A revenue goal as (when, amount) rows: one per month of a mapping, else ``every month``."""
    if isinstance(goal, dict):
        return [(month_label(k), v) for k, v in sorted(goal.items())]
    return [("every month", goal)]


def goal_summary(sla: SlaMonth) -> Markdown:
    """Step 4: target ÷ value per MQL = the MQL goal; the lead-value goal; the share per rep."""
    g, t, r = sla.plan.goal, sla.plan.target, sla.plan.revenue_per_mql
    if g.mqls is None:
        return markdown(
            f"**No MQL goal can be set for {sla.plan.month_label}** (see the messages)."
        )
    lines = [
        f"MQL goal = revenue target ÷ revenue per MQL = {usd(t.revenue_target)} ÷ "
        f"{usd(r.value)} = **{count(g.mqls)} MQLs** (rounded up).",
        "",
        f"Lead-value goal = the revenue target: **{usd(g.lead_value)} of lead value**, "
        "made up of any mix of buckets at their lead values.",
    ]
    if g.mqls_per_rep is not None:
        lines += [
            "",
            f"Shared across **{count(g.active_reps, 'active rep')}** in {sla.plan.month_label}: "
            f"**{count(g.mqls_per_rep)} MQLs per rep**.",
        ]
    return markdown("\n".join(lines))


def reps_table(sla: SlaMonth) -> HTML:
    """The reps active in the SLA month and the MQLs each should receive."""
    rows = [{"rep": name, "mqls": sla.plan.goal.mqls_per_rep} for name in sla.plan.goal.reps]
    return table(
        rows, [Column("rep", "Rep", esc), Column("mqls", "MQLs this month", integer, numeric=True)]
    )


def funnel_per_rep(sla: SlaMonth) -> Markdown:
    """The seed's '100 → 50 → 30 → 15 → 5' line for this month, per rep."""
    per_rep = sla.plan.funnel.per_rep
    if per_rep["count"].null_count():
        return markdown("The per-rep funnel needs an MQL goal and active reps.")
    chain = " → ".join(
        f"{count(round(c))} {label}" for label, c in per_rep.select("label", "count").iter_rows()
    )
    return markdown(f"Each rep, in a month, at the sample's rates: **{chain}**.")


def cross_check_summary(sla: SlaMonth) -> HTML:
    """Step 5: the verdict badge, the sentence and the thresholds it was judged against."""
    c, p = sla.plan.cross_check, sla.plan.params
    rule = (
        f"Realistic when the goal is at most {p.realistic_ratio:.2f}× the last three months' "
        f"average, a stretch up to {p.stretch_ratio:.2f}×, unrealistic above."
    )
    return html_block(
        f"<p>{_verdict_badge(sla)} {esc(cross_check_sentence(c))}</p><p>{esc(rule)}</p>"
    )


def cross_check_table(sla: SlaMonth) -> HTML:
    """The numbers behind the verdict."""
    c = sla.plan.cross_check
    rows = [
        {"what": "MQL goal", "value": count(sla.plan.goal.mqls)},
        {"what": "Last three months' average", "value": whole(c.trailing_3_avg)},
        {"what": "Goal ÷ average", "value": "n/a" if c.ratio is None else f"{c.ratio:.2f}"},
        {"what": "Best month in the lookback", "value": count(c.historical_max)},
        {
            "what": "Months at or above the goal",
            "value": "n/a"
            if c.months_at_goal is None
            else f"{c.months_at_goal} of {sla.plan.volume.months.height}",
        },
        {"what": "Verdict", "value": VERDICT_WORDS.get(c.verdict or "", "n/a")},
    ]
    return table(
        rows,
        [
            Column("what", "", esc),
            Column("value", "", lambda x: f"<strong>{esc(x)}</strong>", numeric=True),
        ],
        header=False,
    )


PARAM_LABELS = {
    "db": "History file",
    "month": "SLA month",
    "revenue_goal": "Revenue goal",
    "marketing_share": "Marketing's share",
    "lookback_months": "Months in the sample",
    "maturity_months": "Recent months left out",
    "realistic_ratio": "Realistic up to (goal ÷ 3-month average)",
    "stretch_ratio": "Stretch up to",
    "first_touch_hours": "First touch within (hours)",
    "first_touch_kinds": "First touch counts",
    "cadence_days": "Follow-up window (days)",
    "cadence_calls": "Touches in the window",
    "cadence_kinds": "Touches count",
    "as_of": "Judged as of",
    "ledger": "Commitments ledger",
    "interval_level": "How sure the ranges are",
    "maturity_threshold": "A sample month is mature at",
    "sla_clock": "SLA clock",
    "cadence_clock": "Cadence clock",
    "clock_start": "Clock starts at",
    "timezone": "Default time zone",
    "working_hours": "Working hours",
    "working_days": "Working days",
    "holidays_country": "Public holidays of",
    "holidays_subdivision": "Region",
    "company_holidays": "Company days off",
    "segment_by": "One SLA per",
    "segment": "Segment",
    "segment_labels": "Segment labels",
}


def parameter_rows(params: Params) -> list[dict[str, str]]:
    """Each parameter with a readable name and value (for the report header and the notebooks)."""
    out = []
    for key, value in params.notebook_parameters().items():  # no delivery settings on a page
        if by_segment_keys(value):  # a term set per segment, each one value or by month
            shown = "; ".join(f"{k}: {_shown(key, v)}" for k, v in value.items())
        elif key == "revenue_goal":
            shown = _shown(key, value)
        elif isinstance(value, dict):  # a term that changes by month
            shown = "; ".join(f"from {k}: {_one(key, v)}" for k, v in sorted(value.items()))
        elif key == "marketing_share":
            shown = percent(value)
        elif key == "month":
            shown = month_label(value) if value else "last complete month"
        elif key in ("segment_by", "segment"):
            shown = (
                value or {"segment_by": "none (one company SLA)", "segment": "whole company"}[key]
            )
        elif isinstance(value, list):
            shown = ", ".join(value)
        elif key in ("interval_level", "maturity_threshold"):
            shown = percent(value)
        elif key in ("realistic_ratio", "stretch_ratio"):
            shown = f"{value:.2f}"
        elif isinstance(value, float):
            shown = f"{value:g}"
        elif value is None:
            shown = {"db": "default", "ledger": "none"}.get(key, "end of month")
        else:
            shown = str(value)
        out.append({"name": PARAM_LABELS.get(key, key), "key": key, "value": shown})
    return out


def _shown(key: str, value: Any) -> str:
    """One segment's (or the company's) value of a term: one value, or by month."""
    if key == "revenue_goal":
        if isinstance(value, dict):
            return ", ".join(f"{k}: {usd(v)}" for k, v in sorted(value.items()))
        return usd(value)
    if isinstance(value, dict):
        return ", ".join(f"from {k}: {_one(key, v)}" for k, v in sorted(value.items()))
    return _one(key, value)


def _one(key: str, value: object) -> str:
    if key == "marketing_share":
        return percent(value)  # type: ignore[arg-type]
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def parameters(params: Params) -> HTML:
    """The run's parameters as a two-column table."""
    return table(
        parameter_rows(params),
        [Column("name", "Parameter", esc), Column("value", "Value", esc)],
    )


# ---- honest numbers: time to close (step 2), ranges (steps 2 and 4), the chance (step 5) -------
def maturity_summary(sla: SlaMonth) -> HTML:
    """Step 2: when deals really close, what that says of ``maturity_months``, and its warning."""
    plan = sla.plan
    lines = [f"<p>{esc(maturity_sentence(plan))}</p>"]
    whole_sample = sample_maturity_sentence(plan)
    if whole_sample:
        lines.append(f"<p>{esc(whole_sample)}</p>")
    if plan.maturity.messages:
        items = "".join(f"<li>{esc(m)}</li>" for m in plan.maturity.messages)
        lines.append(f'<div class="slanb-callout"><ul>{items}</ul></div>')
    return html_block("".join(lines))


def value_range(sla: SlaMonth) -> Markdown:
    """Step 2: how sure the revenue per MQL is, in words."""
    text = value_range_sentence(sla.plan)
    return markdown(text or "Revenue per MQL is undefined, so it has no range.")


def matrix_ranges(sla: SlaMonth) -> HTML:
    """Each bucket's lead value with its range; thin buckets (few won leads) pulled toward overall."""
    u = sla.plan.uncertainty
    rows = []
    for r in u.matrix.to_dicts():
        note = ""
        if r["thin"]:
            note = (
                f"thin: {count(r['won_leads'], 'won lead')}; keeps {percent(r['weight'])} of its "
                f"own value, the rest is the overall {usd(u.revenue_per_mql.value)}"
            )
        rows.append(
            {
                "segment": segment(r["intent"], r["fit"]) + (" †" if r["thin"] else ""),
                "mqls": r["mqls"],
                "won_leads": r["won_leads"],
                "lead_value": r["lead_value"],
                "range": "n/a" if r["low"] is None else f"{usd(r['low'])} to {usd(r['high'])}",
                "note": note,
            }
        )
    return table(
        rows,
        [
            Column("segment", "Bucket", esc),
            Column("mqls", "MQLs", integer, numeric=True),
            Column("won_leads", "Won leads", integer, numeric=True),
            Column("lead_value", "Lead value", usd, numeric=True),
            Column("range", f"{percent(u.level)} range", esc, numeric=True),
            Column("note", "", esc),
        ],
    )


def matrix_ranges_note(sla: SlaMonth) -> Markdown:
    """How to read the bucket ranges, and the thin-bucket rule."""
    thin = sla.plan.uncertainty.matrix.filter(pl.col("thin")).height
    rule = (
        f"A bucket with fewer than {THIN_WON_LEADS} won leads is *thin* (†): its value could be "
        "a couple of lucky deals, so it keeps only its share of the way to "
        f"{THIN_WON_LEADS} won leads (2 won leads: 20%) and takes the rest from the overall "
        "revenue per MQL."
    )
    tail = (
        f" {count(thin, 'bucket')} {'is' if thin == 1 else 'are'} thin this month: do not "
        "steer marketing toward a bucket on its value alone."
        if thin
        else " No bucket is thin this month: every value stands on its own wins."
    )
    return markdown(
        "Where two buckets' ranges overlap, the history cannot tell which is worth more. "
        + rule
        + tail
    )


def goal_range(sla: SlaMonth) -> Markdown:
    """Step 4: the MQL goal with its range, carried from revenue per MQL's."""
    text = goal_range_sentence(sla.plan)
    if text is None:
        return markdown("The MQL goal has no range this month (see the messages).")
    return markdown(
        f"**How sure is the goal?** {text} The goal itself stays "
        f"{count(sla.plan.goal.mqls)}: the range says how far it could move if the history had "
        "gone a little differently."
    )


def chance_summary(sla: SlaMonth) -> HTML:
    """Step 5: the chance of reaching the goal beside the verdict, and how well the forecast did."""
    plan = sla.plan
    text = chance_sentence(plan) or "No forecast this month."
    lead, _, rest = text.partition(": ")
    body = f"<strong>{esc(lead)}</strong>" + (f": {esc(rest)}" if rest else "")
    parts = [f"<p>{_verdict_badge(sla)} {body}</p>"]
    tested = backtest_sentence(plan)
    if tested:
        parts.append(f"<p>{esc(tested)}</p>")
    for m in plan.forecast.messages:
        parts.append(f'<div class="slanb-callout">{esc(m)}</div>')
    return html_block("".join(parts))
