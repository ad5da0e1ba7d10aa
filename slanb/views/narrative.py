"""The words and tables a reader sees: this run's numbers, stated in sentences and formatted tables.

Every function takes a :class:`~slanb.engine.plan.Plan` and returns an IPython display object (Markdown or
HTML), so a notebook cell is one call and holds no arithmetic. The plain-text helpers
(:func:`step_headlines`, :func:`waterfall_rows`) feed the report's index page too.

>>> from slanb.views.narrative import count
>>> count(1234), count(2.5, "rep")
('1,234', '2.5 reps')
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from IPython.display import HTML, Markdown

from slanb.engine.plan import Plan
from slanb.money import dec, dollars, usd
from slanb.months import month_label
from slanb.params import Params
from slanb.views.charts import FIT_LABELS, INTENT_LABELS

VERDICT_WORDS = {
    "realistic": "Realistic",
    "stretch": "A stretch",
    "unrealistic": "Unrealistic",
}
_VERDICT_COLORS = {"realistic": "#2b8a3e", "stretch": "#d9822b", "unrealistic": "#c23030"}
_CSS = """<style>
.slanb .slanb-table {border-collapse: collapse; margin: 0.4em 0 1em; font-size: 14px;
  font-variant-numeric: tabular-nums; table-layout: auto;}
.slanb .slanb-table th {text-align: left; font-weight: 600; color: #52606d;
  padding: 6px 16px 6px 0; border: none; border-bottom: 2px solid #cbd2d9; vertical-align: bottom;}
.slanb .slanb-table td {text-align: left; padding: 6px 16px 6px 0; border: none;
  border-bottom: 1px solid #e4e7eb; vertical-align: top; line-height: 1.4;}
.slanb .slanb-table tbody tr, .slanb .slanb-table tbody tr:nth-child(odd),
.slanb .slanb-table tbody tr:hover {background: transparent;}
.slanb .slanb-table td.num, .slanb .slanb-table th.num {text-align: right;}
.slanb .slanb-table .sub {color: #7b8794; font-size: 12px;}
.slanb-callout {border-left: 4px solid #d9822b; background: #fff8ed; padding: 8px 14px;
  margin: 0.5em 0 1em;}
.slanb-headline {font-size: 1.6em; font-weight: 700; line-height: 1.3; margin: 0.2em 0 0.4em;}
.slanb-verdict {display: inline-block; color: white; padding: 2px 10px; border-radius: 4px;
  font-weight: 600;}
</style>"""


def _md(text: str) -> Markdown:
    """Markdown with every ``$`` escaped, so JupyterLab and nbconvert never read money as LaTeX."""
    return Markdown(text.replace("$", "\\$"))


def _html(body: str) -> HTML:
    """HTML in a block MathJax leaves alone (JupyterLab typesets ``$…$`` in trusted HTML too)."""
    return HTML(f'{_CSS}<div class="slanb tex2jax_ignore mathjax_ignore">{body}</div>')


# ---- formatting ---------------------------------------------------------------------------------
def count(x: float | None, noun: str | None = None) -> str:
    """``1,234`` (whole numbers) or ``2.5``; with ``noun`` pluralised when ``x`` is not 1."""
    if x is None:
        return "n/a"
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
    if noun is None:
        return text
    return f"{text} {noun if x == 1 else noun + 's'}"


def whole(x: float | None) -> str:
    """``1,018`` for 1017.7: averages of MQLs are read as whole leads."""
    return "n/a" if x is None else f"{x:,.0f}"


def percent(x: float | None, places: int = 0) -> str:
    """``75%`` for 0.75; ``n/a`` for None."""
    return "n/a" if x is None else f"{x:.{places}%}"


def money(x: float | None) -> str:
    """``$75,000``, or ``$100.13`` when there are cents; ``n/a`` for None."""
    return usd(x)


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop."""
    return text.rstrip(".") + "."


def months_span(first: str, last: str) -> str:
    """``July 2025 to June 2026``."""
    return f"{month_label(first)} to {month_label(last)}"


def segment(intent: str, fit: str) -> str:
    """``Hand-raiser, fit A``."""
    if intent == "unknown":
        return "Unknown intent or fit"
    return f"{INTENT_LABELS.get(intent, intent)}, fit {fit}"


# ---- tables -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a displayed table: the frame's ``key``, its heading and its formatter."""

    key: str
    label: str
    fmt: Callable[[Any], str] = str
    numeric: bool = False


def table(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, header: bool = True
) -> HTML:
    """An HTML table with readable headings (unless ``header`` is false) and formatted cells."""
    head = "".join(
        f'<th class="{"num" if c.numeric else ""}">{html.escape(c.label)}</th>' for c in columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if c.numeric else ""}">{c.fmt(row.get(c.key))}</td>'
            for c in columns
        )
        + "</tr>"
        for row in rows
    )
    thead = f"<thead><tr>{head}</tr></thead>" if header else ""
    return _html(f'<table class="slanb-table">{thead}<tbody>{body}</tbody></table>')


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _int(x: Any) -> str:
    return count(x)


def _rate(x: Any) -> str:
    return percent(x, 1)


# ---- the headline and the messages --------------------------------------------------------------
def headline(plan: Plan) -> HTML:
    """The one sentence leadership reads first, large, with the verdict beside it."""
    return _html(
        f'<div class="slanb-headline">{_esc(sentence(plan.headline))}</div>'
        f"<p>{_verdict_badge(plan)} {_esc(plan.cross_check.sentence)}</p>"
    )


def _verdict_badge(plan: Plan) -> str:
    v = plan.cross_check.verdict
    if v is None:
        return ""
    return (
        f'<span class="slanb-verdict" style="background:{_VERDICT_COLORS[v]}">'
        f"{VERDICT_WORDS[v]}</span>"
    )


def messages(plan: Plan) -> HTML:
    """The plan's warnings (degenerate history, missing goal) in a callout; empty when there are none."""
    if not plan.messages:
        return HTML("")
    items = "".join(f"<li>{_esc(m)}</li>" for m in plan.messages)
    return _html(
        f'<div class="slanb-callout"><strong>Read this first: the history is not enough for '
        f"every number below.</strong><ul>{items}</ul></div>"
    )


def sla_statement(plan: Plan) -> Markdown:
    """The SLA both teams sign, in the seed's words: marketing's number and sales' promise."""
    p = plan.params
    kinds = " or ".join(p.first_touch_kinds)
    cadence = " or ".join(p.cadence_kinds)
    if plan.goal.mqls is None:
        marketing = "Marketing's number cannot be set this month (see the messages above)"
    else:
        marketing = (
            f"Every month, marketing will deliver **{money(plan.goal.lead_value)} in lead value** "
            f"(**{count(plan.goal.mqls)} MQLs** at {money(plan.revenue_per_mql.value)} each) to sales"
        )
    return _md(
        f"> {marketing}, and sales will make a first {kinds} to every MQL within "
        f"**{count(p.first_touch_hours)} hours** of receiving it, and {count(p.cadence_calls)} "
        f"{cadence}s within {count(p.cadence_days)} days."
    )


# ---- the waterfall: steps 1 to 5 ----------------------------------------------------------------
def _or_na(value: object, text: str) -> str:
    """``text``, or ``n/a`` when the number it states is undefined."""
    return "n/a" if value is None else text


def waterfall_rows(plan: Plan) -> list[dict[str, str]]:
    """Steps 1–5 as rows: step, question, number, how it was found (plain text, for any display)."""
    v, rpm, t, g, c = plan.volume, plan.revenue_per_mql, plan.target, plan.goal, plan.cross_check
    trend = (
        "no trend (too few months)"
        if v.trend_per_month is None
        else f"trend {v.trend_per_month:+,.1f} MQLs a month over the last {v.months.height} months"
    )
    how_goal = (
        f"{money(t.revenue_target)} ÷ {money(rpm.value)} per MQL, rounded up"
        if g.mqls is not None
        else "undefined: see the messages"
    )
    per_rep = (
        f"; {count(g.mqls_per_rep)} per rep ({count(g.active_reps, 'active rep')})"
        if g.mqls_per_rep is not None
        else ""
    )
    check = (
        f"goal ÷ last 3 months' average: {count(g.mqls)} ÷ {whole(v.trailing_3_avg)} = "
        f"{c.ratio:.2f}; realistic up to {plan.params.realistic_ratio:.2f}, "
        f"a stretch up to {plan.params.stretch_ratio:.2f}"
        if c.ratio is not None
        else c.sentence
    )
    return [
        {
            "step": "1",
            "question": "How many MQLs do we make now?",
            "number": _or_na(v.trailing_3_avg, f"{whole(v.trailing_3_avg)} MQLs a month"),
            "how": f"average of the last 3 months; {trend}",
        },
        {
            "step": "2",
            "question": "What is an MQL worth?",
            "number": _or_na(rpm.value, f"{money(rpm.value)} per MQL"),
            "how": f"{dollars(rpm.revenue)} won from {count(rpm.mqls)} MQLs of "
            f"{months_span(rpm.window_start, rpm.window_end)}",
        },
        {
            "step": "3",
            "question": "What must marketing bring in?",
            "number": _or_na(t.revenue_target, f"{money(t.revenue_target)} revenue target"),
            "how": f"company goal {money(t.revenue_goal)} × marketing's share "
            f"{percent(t.marketing_share)}",
        },
        {
            "step": "4",
            "question": "So how many MQLs?",
            "number": _or_na(g.mqls, f"{count(g.mqls)} MQLs ({money(g.lead_value)} of lead value)"),
            "how": how_goal + per_rep,
        },
        {
            "step": "5",
            "question": "Is that realistic?",
            "number": VERDICT_WORDS.get(c.verdict or "", "Cannot tell"),
            "how": check,
        },
    ]


def waterfall(plan: Plan) -> HTML:
    """How the goal was derived, one row per step of the method."""
    return table(
        waterfall_rows(plan),
        [
            Column("step", "Step", _esc),
            Column("question", "Question", _esc),
            Column("number", "Answer", lambda x: f"<strong>{_esc(x)}</strong>"),
            Column("how", "How", _esc),
        ],
    )


def _goal_line(plan: Plan) -> str:
    """``1,121 MQLs · $75,000 of lead value · realistic``: the summary's numbers on one line."""
    g = plan.goal
    if g.mqls is None:
        return "No MQL goal this month"
    verdict = VERDICT_WORDS.get(plan.cross_check.verdict or "", "not cross-checked").lower()
    return f"{count(g.mqls)} MQLs · {money(g.lead_value)} of lead value · {verdict}"


def step_headlines(plan: Plan) -> dict[str, str]:
    """The number each notebook leads with, keyed by notebook name (for the report's index)."""
    rows = waterfall_rows(plan)
    return {
        "00_sla_summary": _goal_line(plan),
        "01_historical_volume": rows[0]["number"],
        "02_revenue_per_mql": rows[1]["number"],
        "03_revenue_target": rows[2]["number"],
        "04_goal_backsolve": rows[3]["number"],
        "05_cross_check": rows[4]["number"]
        + (f" (ratio {plan.cross_check.ratio:.2f})" if plan.cross_check.ratio is not None else ""),
        "06_sla_scorecard": scorecard_line(plan),
    }


# ---- step 1: volume -----------------------------------------------------------------------------
def december_dip(plan: Plan) -> float | None:
    """December's MQLs relative to the other lookback months' average (−0.3 = 30% fewer)."""
    months = plan.volume.months
    dec = months.filter(pl.col("month").str.ends_with("-12"))["mqls"]
    rest = months.filter(~pl.col("month").str.ends_with("-12"))["mqls"]
    if dec.len() == 0 or rest.len() == 0 or not rest.mean():
        return None
    return float(dec.mean()) / float(rest.mean()) - 1  # type: ignore[arg-type]


def volume_summary(plan: Plan) -> Markdown:
    """Step 1 in sentences: the recent run rate, the trend, December."""
    v = plan.volume
    if v.months.height == 0:
        return _md("**No MQLs in the lookback.** Step 1 has nothing to show.")
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
    dip = december_dip(plan)
    if dip is not None:
        lines.append(
            f"December ran {percent(abs(dip))} {'below' if dip < 0 else 'above'} the other months' "
            "average: plan for the season."
        )
    return _md(" ".join(lines))


_UNIT_LABELS = {
    "leads": "Leads (new people in the funnel)",
    "mqls": "MQLs (marketing-qualified, sent to sales)",
    "sqls": "SQLs (sales has decided to pursue)",
}


def units_table(plan: Plan) -> HTML:
    """Leads, MQLs and SQLs side by side: the candidate units of measurement for the SLA."""
    rows = [
        {**r, "unit": _UNIT_LABELS.get(r["unit"], r["unit"])} for r in plan.volume.units.to_dicts()
    ]
    return table(
        rows,
        [
            Column("unit", "Unit", _esc),
            Column("per_month", "Per month", _int, numeric=True),
            Column("sample", "In the sample", _int, numeric=True),
            Column("won_leads", "Became customers", _int, numeric=True),
            Column("won_rate", "Won rate", _rate, numeric=True),
            Column("revenue", "Won revenue", dollars, numeric=True),
            Column("revenue_per_unit", "Revenue per unit", money, numeric=True),
        ],
    )


# ---- step 2: revenue per MQL --------------------------------------------------------------------
def value_summary(plan: Plan) -> Markdown:
    """Step 2 as the seed's three lines: MQLs in the sample, revenue they led to, the division."""
    r = plan.revenue_per_mql
    excluded = ", ".join(month_label(m) for m in r.excluded_months) or "none"
    return _md(
        "\n".join(
            [
                f"1. **{count(r.mqls)} MQLs** in the sample, {months_span(r.window_start, r.window_end)}.",
                f"2. They led to **{money(r.revenue)}** of won revenue "
                f"({count(r.won_deals, 'won deal')} from {count(r.won_leads, 'customer')}) "
                f"closed before {plan.month_label}.",
                f"3. {money(r.revenue)} ÷ {count(r.mqls)} MQLs = **{money(r.value)} per MQL**.",
                "",
                f"Left out as too recent to have closed: {excluded} "
                f"(the {count(plan.params.maturity_months, 'most recent month')}).",
            ]
        )
    )


def matrix_summary(plan: Plan) -> Markdown:
    """Which buckets are worth most, and by how much (the seed's 'three times as valuable')."""
    m = plan.matrix.filter(~pl.col("flagged") & pl.col("lead_value").is_not_null())
    if m.height == 0:
        return _md("No bucket has MQLs in the sample: the matrix cannot be valued.")
    top = m.sort("lead_value", descending=True).row(0, named=True)
    low = m.sort("lead_value").row(0, named=True)
    text = (
        f"An MQL from **{segment(top['intent'], top['fit'])}** is worth the most: "
        f"**{money(top['lead_value'])}**"
    )
    if low["lead_value"] and (top["intent"], top["fit"]) != (low["intent"], low["fit"]):
        text += (
            f", {top['lead_value'] / low['lead_value']:.1f}× one from "
            f"{segment(low['intent'], low['fit'])} ({money(low['lead_value'])})"
        )
    text += (
        ". Counting lead value instead of MQLs gives marketing credit for the leads that close: "
        f"the goal is **{money(plan.goal.lead_value)} of lead value**, however it is made up."
    )
    flagged = plan.matrix.filter(pl.col("flagged")).height
    if flagged:
        text += (
            f" {count(flagged, 'bucket')} had no MQLs in the sample and "
            f"{'is' if flagged == 1 else 'are'} valued at the overall {money(plan.revenue_per_mql.value)} "
            "(marked *)."
        )
    return _md(text)


def matrix_table(plan: Plan) -> HTML:
    """The 2×3 grid as a table: lead value per cell, with MQLs and close rate beneath it."""
    m = plan.matrix
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
            f"<strong>{money(c['lead_value'])}{star}</strong><br>"
            f'<span class="sub">{count(c["mqls"], "MQL")} · {percent(c["close_rate"], 1)} close</span>'
        )

    return table(
        rows,
        [Column("intent", "Intent", lambda x: f"<strong>{_esc(x)}</strong>")]
        + [Column(f, FIT_LABELS[f], cell, numeric=True) for f in fits],
    )


def matrix_detail(plan: Plan) -> HTML:
    """Every bucket's numbers: MQLs, customers, close rate, average won deal, lead value."""
    rows = [
        {**r, "segment": segment(r["intent"], r["fit"]) + (" *" if r["flagged"] else "")}
        for r in plan.matrix.to_dicts()
    ]
    return table(
        rows,
        [
            Column("segment", "Bucket", _esc),
            Column("mqls", "MQLs", _int, numeric=True),
            Column("won_leads", "Customers", _int, numeric=True),
            Column("close_rate", "Close rate", _rate, numeric=True),
            Column("avg_won_amount", "Average won deal", dollars, numeric=True),
            Column("revenue", "Won revenue", dollars, numeric=True),
            Column("lead_value", "Lead value", money, numeric=True),
        ],
    )


def funnel_table(plan: Plan) -> HTML:
    """The sample's funnel: how many MQLs reached each stage, and what share."""
    rows = [
        {**r, "label": r["label"][:1].upper() + r["label"][1:]}
        for r in plan.funnel.stages.to_dicts()
    ]
    return table(
        rows,
        [
            Column("label", "Stage", _esc),
            Column("count", "MQLs in the sample", _int, numeric=True),
            Column("rate", "Share of MQLs", _rate, numeric=True),
        ],
    )


# ---- step 3: target -----------------------------------------------------------------------------
def target_summary(plan: Plan) -> Markdown:
    """Step 3: company goal × marketing's share = the revenue target."""
    t = plan.target
    if t.revenue_target is None:
        return _md(f"**No revenue goal is set for {plan.month_label}**, so there is no target.")
    return _md(
        f"The company's revenue goal for {plan.month_label} is **{money(t.revenue_goal)}**; "
        f"marketing sources **{percent(t.marketing_share)}** of it.\n\n"
        f"{money(t.revenue_goal)} × {percent(t.marketing_share)} = "
        f"**{money(t.revenue_target)} marketing revenue target**."
    )


def goal_schedule(params: Params) -> HTML:
    """The company goal per month when ``revenue_goal`` is a mapping; one row otherwise."""
    goal = params.revenue_goal
    rows = (
        [{"month": month_label(k), "goal": v} for k, v in sorted(goal.items())]
        if isinstance(goal, dict)
        else [{"month": "Every month", "goal": goal}]
    )
    return table(
        rows, [Column("month", "Month", _esc), Column("goal", "Company goal", money, numeric=True)]
    )


# ---- step 4: goal -------------------------------------------------------------------------------
def goal_summary(plan: Plan) -> Markdown:
    """Step 4: target ÷ value per MQL = the MQL goal; the lead-value goal; the share per rep."""
    g, t, r = plan.goal, plan.target, plan.revenue_per_mql
    if g.mqls is None:
        return _md(f"**No MQL goal can be set for {plan.month_label}** (see the messages).")
    lines = [
        f"MQL goal = revenue target ÷ revenue per MQL = {money(t.revenue_target)} ÷ "
        f"{money(r.value)} = **{count(g.mqls)} MQLs** (rounded up).",
        "",
        f"Lead-value goal = the revenue target: **{money(g.lead_value)} of lead value**, "
        "made up of any mix of buckets at their lead values.",
    ]
    if g.mqls_per_rep is not None:
        lines += [
            "",
            f"Shared across **{count(g.active_reps, 'active rep')}** in {plan.month_label}: "
            f"**{count(g.mqls_per_rep)} MQLs per rep**.",
        ]
    return _md("\n".join(lines))


def reps_table(plan: Plan) -> HTML:
    """The reps active in the SLA month and the MQLs each should receive."""
    rows = [{"rep": name, "mqls": plan.goal.mqls_per_rep} for name in plan.goal.reps]
    return table(
        rows, [Column("rep", "Rep", _esc), Column("mqls", "MQLs this month", _int, numeric=True)]
    )


def funnel_per_rep(plan: Plan) -> Markdown:
    """The seed's '100 → 50 → 30 → 15 → 5' line for this month, per rep."""
    per_rep = plan.funnel.per_rep
    if per_rep["count"].null_count():
        return _md("The per-rep funnel needs an MQL goal and active reps.")
    chain = " → ".join(
        f"{count(round(c))} {label}" for label, c in per_rep.select("label", "count").iter_rows()
    )
    return _md(f"Each rep, in a month, at the sample's rates: **{chain}**.")


# ---- step 5: cross-check ------------------------------------------------------------------------
def cross_check_summary(plan: Plan) -> HTML:
    """Step 5: the verdict badge, the sentence and the thresholds it was judged against."""
    c, p = plan.cross_check, plan.params
    rule = (
        f"Realistic when the goal is at most {p.realistic_ratio:.2f}× the last three months' "
        f"average, a stretch up to {p.stretch_ratio:.2f}×, unrealistic above."
    )
    return _html(f"<p>{_verdict_badge(plan)} {_esc(c.sentence)}</p><p>{_esc(rule)}</p>")


def cross_check_table(plan: Plan) -> HTML:
    """The numbers behind the verdict."""
    c = plan.cross_check
    rows = [
        {"what": "MQL goal", "value": count(plan.goal.mqls)},
        {"what": "Last three months' average", "value": whole(c.trailing_3_avg)},
        {"what": "Goal ÷ average", "value": "n/a" if c.ratio is None else f"{c.ratio:.2f}"},
        {"what": "Best month in the lookback", "value": count(c.historical_max)},
        {
            "what": "Months at or above the goal",
            "value": "n/a"
            if c.months_at_goal is None
            else f"{c.months_at_goal} of {plan.volume.months.height}",
        },
        {"what": "Verdict", "value": VERDICT_WORDS.get(c.verdict or "", "n/a")},
    ]
    return table(
        rows,
        [
            Column("what", "", _esc),
            Column("value", "", lambda x: f"<strong>{_esc(x)}</strong>", numeric=True),
        ],
        header=False,
    )


# ---- run parameters -----------------------------------------------------------------------------
PARAM_LABELS = {
    "db": "History file",
    "month": "SLA month",
    "revenue_goal": "Company revenue goal",
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
}


def parameter_rows(params: Params) -> list[dict[str, str]]:
    """Each parameter with a readable name and value (for the report header and the notebooks)."""
    out = []
    for key, value in params.notebook_parameters().items():  # no delivery settings on a page
        if key == "revenue_goal":
            shown = (
                ", ".join(f"{k}: {money(v)}" for k, v in sorted(value.items()))
                if isinstance(value, dict)
                else money(value)
            )
        elif key == "marketing_share":
            shown = percent(value)
        elif key == "month":
            shown = month_label(value) if value else "last complete month"
        elif isinstance(value, list):
            shown = ", ".join(value)
        elif key in ("realistic_ratio", "stretch_ratio"):
            shown = f"{value:.2f}"
        elif isinstance(value, float):
            shown = f"{value:g}"
        elif value is None:
            shown = "default" if key == "db" else "end of month"
        else:
            shown = str(value)
        out.append({"name": PARAM_LABELS.get(key, key), "key": key, "value": shown})
    return out


def parameters(params: Params) -> HTML:
    """The run's parameters as a two-column table."""
    return table(
        parameter_rows(params),
        [Column("name", "Parameter", _esc), Column("value", "Value", _esc)],
    )


# ---- step 6: tracking the month -----------------------------------------------------------------
_LEAD_IDS_SHOWN = 5  # lead ids written out per rep; the rest fold into "and N more"
_DASHBOARD_TOP = 5  # reps in the summary page's compact dashboard
SCORECARD_PAGE = "06_sla_scorecard.html"
_TRACKING_CSS = """<style>
.slanb-subhead {font-size: 1.25em; font-weight: 600; line-height: 1.35; margin: 0.1em 0 0.3em;}
.slanb-when {color: #7b8794; font-size: 13px; margin: 0 0 0.8em;}
.slanb-label {color: #7b8794; font-size: 12px; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.04em; margin-top: 0.8em;}
.slanb-tiles {display: flex; flex-wrap: wrap; gap: 10px; margin: 0.4em 0 1em;}
.slanb-tile {flex: 1 1 150px; border: 1px solid #e4e7eb; border-radius: 6px; padding: 8px 12px;}
.slanb-tile .side {color: #7b8794; font-size: 11px; text-transform: uppercase;
  letter-spacing: 0.04em;}
.slanb-tile .big {font-size: 1.7em; font-weight: 700; line-height: 1.2; margin: 2px 0;
  font-variant-numeric: tabular-nums;}
.slanb-tile .what {font-size: 13px; color: #1f2933;}
.slanb-tile .sub {color: #7b8794; font-size: 12px;}
.slanb .slanb-table tr.total td {font-weight: 600; border-top: 2px solid #cbd2d9;}
.slanb .slanb-table td.ids {font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; max-width: 360px;}
.slanb .slanb-table td.ids summary {cursor: pointer;}
.slanb-note {border-left: 4px solid #2f6fbd; background: #f0f5fb; padding: 8px 14px;
  margin: 0.5em 0 1em;}
</style>"""


def _html6(body: str) -> HTML:
    """:func:`_html` with the tracking styles (tiles, total rows, lead ids)."""
    return _html(_TRACKING_CSS + body)


def share(x: float | None) -> str:
    """``98%``; a share short of 100% never reads as 100%, nor one above 0% as 0%.

    >>> share(0.9839), share(0.996), share(0.001), share(None)
    ('98%', '99.6%', '0.1%', 'n/a')
    """
    if x is None:
        return "n/a"
    text = f"{x:.0%}"
    if (text == "100%" and x < 1) or (text == "0%" and x > 0):
        text = f"{x:.1%}"
    return text


def hours(x: float | None) -> str:
    """``42 min`` under an hour, ``9.0 h`` from an hour on.

    >>> hours(0.7), hours(8.98), hours(None)
    ('42 min', '9.0 h', 'n/a')
    """
    if x is None:
        return "n/a"
    return f"{round(x * 60)} min" if x < 1 else f"{x:,.1f} h"


def _kinds(kinds: Sequence[str]) -> str:
    """``call or email``; ``call, email or meeting``."""
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


def _touches(params: Params) -> str:
    """``5 calls``; ``5 touches (call or email)``."""
    n, kinds = params.cadence_calls, params.cadence_kinds
    if len(kinds) == 1:
        return count(n, kinds[0])
    return f"{count(n)} {'touch' if n == 1 else 'touches'} ({_kinds(kinds)})"


def _day(d: datetime) -> str:
    """``October 1, 2026``."""
    return f"{d:%B} {d.day}, {d:%Y}"


def _judged_when(plan: Plan) -> str:
    t = plan.tracking
    assert t is not None
    if not t.in_progress:
        return f"Judged over the whole of {t.month_label}."
    return (
        f"Judged as of {_day(t.as_of)}, {t.as_of:%H:%M} UTC: deadlines after that are pending, "
        "and the month's numbers will grow."
    )


def _not_begun(plan: Plan) -> str:
    """Why there is no tracking: the month is still ahead, or the history does not reach it."""
    start = _day(plan.params.cutoff)
    if plan.params.as_of_instant < plan.params.cutoff:
        return (
            f"{plan.month_label} has not begun yet, so there is nothing to track: marketing's "
            f"delivery and sales' first touches are judged from {start}."
        )
    return (
        f"The history does not reach {plan.month_label} yet, so there is nothing to track: "
        f"import an export made after {start} to judge the month."
    )


def _dashboard_reps(plan: Plan) -> tuple[int, bool]:
    """Reps on the dashboard (owners only) and whether unassigned leads breached too."""
    assert plan.tracking is not None
    ids = plan.tracking.dashboard["rep_id"].to_list()
    return sum(1 for r in ids if r != "unassigned"), "unassigned" in ids


def _reps_on(n: int) -> str:
    """``no rep``, ``1 rep``, ``10 reps``."""
    return "no rep" if n == 0 else count(n, "rep")


def tracking_sentence(plan: Plan) -> str | None:
    """Both halves of the SLA in one plain sentence (whole dollars), or None before the month.

    The engine's :meth:`~slanb.engine.tracking.Tracking.headline`, with money as the rest of the page
    states it.
    """
    t = plan.tracking
    return None if t is None else sentence(t.headline())


def tracking_label(plan: Plan) -> str:
    """``How October 2026 went``, or ``October 2026 so far`` for a month judged part-way."""
    if plan.tracking is not None and plan.tracking.in_progress:
        return f"{plan.month_label} so far"
    return f"How {plan.month_label} went"


def tracking_headline(plan: Plan) -> HTML:
    """How both sides kept the SLA this month, in one sentence, and when it was judged."""
    text = tracking_sentence(plan)
    if text is None:
        return _html6(f'<div class="slanb-subhead">{_esc(_not_begun(plan))}</div>')
    return _html6(
        f'<div class="slanb-label">{_esc(tracking_label(plan))}</div>'
        f'<div class="slanb-subhead">{_esc(text)}</div>'
        f'<p class="slanb-when">{_esc(_judged_when(plan))}</p>'
    )


def scorecard_line(plan: Plan) -> str:
    """``98% of the MQL goal delivered · 10 reps on the dashboard`` (the report index's line)."""
    t = plan.tracking
    if t is None:
        return "Not begun yet" if plan.params.as_of_instant < plan.params.cutoff else "No data yet"
    d = t.delivery
    so_far = " so far" if t.in_progress else ""
    market = (
        f"{count(d.mqls, 'MQL')} delivered{so_far} (no goal)"
        if d.attainment is None
        else f"{share(d.attainment)} of the MQL goal delivered{so_far}"
    )
    reps, _ = _dashboard_reps(plan)
    return f"{market} · {_reps_on(reps)} on the dashboard"


def _tile(side: str, big: str, what: str, sub: str) -> str:
    return (
        f'<div class="slanb-tile"><div class="side">{_esc(side)}</div>'
        f'<div class="big">{_esc(big)}</div><div class="what">{_esc(what)}</div>'
        f'<div class="sub">{_esc(sub)}</div></div>'
    )


def scorecard(plan: Plan) -> HTML:
    """Five tiles: MQLs and lead value against the goals; first touch, cadence, the dashboard."""
    t = plan.tracking
    if t is None:
        return HTML("")
    d, ft, c, p = t.delivery, t.first_touch, t.cadence, plan.params
    cadence_share = c.met / c.judged if c.judged else None
    reps, unassigned = _dashboard_reps(plan)
    tiles = [
        _tile(
            "Marketing",
            share(d.attainment) if d.attainment is not None else count(d.mqls),
            "of the MQL goal" if d.attainment is not None else "MQLs delivered (no goal)",
            _mql_tile_note(plan),
        ),
        _tile(
            "Marketing",
            share(d.lead_value_attainment)
            if d.lead_value_attainment is not None
            else dollars(d.lead_value),
            "of the lead-value goal"
            if d.lead_value_attainment is not None
            else "lead value delivered",
            f"{dollars(d.lead_value)} of {dollars(d.lead_value_goal)}"
            if d.lead_value_goal is not None
            else "",
        ),
        _tile(
            "Sales",
            share(ft.met_share),
            f"touched within {count(p.first_touch_hours)} h",
            f"{count(ft.met)} of {count(ft.judged, 'MQL')} judged",
        ),
        _tile(
            "Sales",
            share(cadence_share),
            f"got {_touches(p)} in {count(p.cadence_days)} days",
            f"{count(c.met)} of {count(c.judged, 'MQL')} judged",
        ),
        _tile(
            "Sales",
            count(reps),
            f"{'rep' if reps == 1 else 'reps'} on the dashboard",
            "plus unassigned leads" if unassigned else "",
        ),
    ]
    return _html6(f'<div class="slanb-tiles">{"".join(tiles)}</div>')


def _mql_tile_note(plan: Plan) -> str:
    """``1,103 of 1,121 MQLs``; part-way, with where the goal line stands: ``542 due by Oct 15``."""
    t = plan.tracking
    assert t is not None
    d = t.delivery
    if not d.goal_mqls:
        return ""
    text = f"{count(d.mqls)} of {count(d.goal_mqls)} MQLs"
    if t.in_progress and not t.pacing.is_empty():
        last = t.pacing.row(-1, named=True)
        due = dec(last["goal_to_date"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        text += f"; {due:,} due by {last['day']:%b} {last['day'].day}"
    return text


def tracking_notes(plan: Plan) -> HTML:
    """The tracking's notes (judged as of, no goal, unvalued MQLs) in a callout; empty when none."""
    t = plan.tracking
    if t is None or not t.messages:
        return HTML("")
    items = "".join(f"<li>{_esc(m)}</li>" for m in t.messages)
    return _html6(
        f'<div class="slanb-note"><strong>About these numbers</strong><ul>{items}</ul></div>'
    )


def _nothing_yet(plan: Plan) -> Markdown:
    return _md("*Nothing to show yet (see above).*")


def delivery_summary(plan: Plan) -> Markdown:
    """Marketing's side in sentences: MQLs and lead value against the goals, and the mix."""
    t = plan.tracking
    if t is None:
        return _nothing_yet(plan)
    d = t.delivery
    so_far = " so far" if t.in_progress else ""
    if d.goal_mqls is None:
        lines = [f"Marketing delivered **{count(d.mqls, 'MQL')}**{so_far}; there is no MQL goal."]
    else:
        lines = [
            f"Marketing delivered **{count(d.mqls, 'MQL')}**{so_far} against a goal of "
            f"{count(d.goal_mqls)}: **{share(d.attainment)}** of it, "
            + _short_or_over(d.goal_mqls - d.mqls, count, t.in_progress)
            + "."
        ]
    if d.lead_value is None:
        lines.append(
            "The lead value delivered is undefined: some MQLs are in buckets with no value."
        )
    elif d.lead_value_goal is None:
        lines.append(f"They bring **{dollars(d.lead_value)} of lead value**; there is no goal.")
    else:
        lines.append(
            f"They bring **{dollars(d.lead_value)} of lead value** against "
            f"{dollars(d.lead_value_goal)}: **{share(d.lead_value_attainment)}**, "
            + _short_or_over(d.lead_value_goal - d.lead_value, dollars, t.in_progress)
            + "."
        )
    hr = d.by_bucket.filter(pl.col("intent") == "hand_raiser")
    if d.mqls and d.lead_value:
        hr_mqls, hr_value = int(hr["mqls"].sum()), float(hr["lead_value"].sum())
        lines.append(
            f"Hand-raisers were {share(hr_mqls / d.mqls)} of the MQLs and brought "
            f"{share(hr_value / d.lead_value)} of the lead value: that is why the goal counts "
            "lead value, not only MQLs."
        )
    return _md(" ".join(lines))


def _short_or_over(missing: float, fmt: Callable[[Any], str], in_progress: bool) -> str:
    """``18 short`` (``18 to go`` part-way through the month), ``5 over``, ``exactly on it``."""
    if round(missing, 2) == 0:
        return "exactly on it"
    if missing < 0:
        return f"{fmt(-missing)} over"
    return f"{fmt(missing)} {'to go' if in_progress else 'short'}"


def delivery_table(plan: Plan) -> HTML:
    """MQLs and lead value delivered per bucket, their shares, the total and the goal."""
    t = plan.tracking
    if t is None:
        return HTML("")
    d = t.delivery
    rows = [
        (
            "",
            segment(r["intent"], r["fit"]),
            count(r["mqls"]),
            share(r["mqls"] / d.mqls) if d.mqls else "n/a",
            money(r["lead_value_per_mql"]),
            dollars(r["lead_value"]),
            "n/a"
            if not d.lead_value or r["lead_value"] is None
            else share(r["lead_value"] / d.lead_value),
        )
        for r in d.by_bucket.to_dicts()
    ]
    rows.append(("total", "Delivered", count(d.mqls), "", "", dollars(d.lead_value), ""))
    if d.goal_mqls is not None or d.lead_value_goal is not None:
        rows.append(("", "Goal", count(d.goal_mqls), "", "", dollars(d.lead_value_goal), ""))
    heads = ("Bucket", "MQLs", "Share of MQLs", "Lead value per MQL", "Lead value",
             "Share of lead value")  # fmt: skip
    head = "".join(f'<th class="{"num" if i else ""}">{_esc(h)}</th>' for i, h in enumerate(heads))
    body = "".join(
        f'<tr class="{css}">'
        + "".join(f'<td class="{"num" if i else ""}">{_esc(v)}</td>' for i, v in enumerate(cells))
        + "</tr>"
        for css, *cells in rows
    )
    return _html6(
        f'<table class="slanb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def pacing_summary(plan: Plan) -> Markdown:
    """Where delivery stood against the goal line on the last day judged, and how often behind."""
    t = plan.tracking
    if t is None:
        return _nothing_yet(plan)
    p = t.pacing
    if p.is_empty() or p["goal_to_date"].null_count() == p.height:
        return _md("There is no MQL goal this month, so delivery has no goal line to pace against.")
    last = p.row(-1, named=True)
    parts = [_gap_phrase(last["gap"], "MQLs")]
    if last["lead_value_gap"] is not None:
        parts.append(_gap_phrase(last["lead_value_gap"], "lead value"))
    if len({side for _, side in parts}) == 1:
        side = parts[0][1]
        where = (
            "**on the goal line**"
            if side == "on"
            else f"**{' and '.join(a for a, _ in parts)} {side} the goal line**"
        )
    else:
        where = " and ".join(f"**{a} {side}**" for a, side in parts) + " the goal line"
    day = f"{last['day']:%B} {last['day'].day}"
    when = "so far" if t.in_progress else "of the month"
    behind = int((p["gap"] > 0).sum())
    days = (
        f"all {count(p.height, 'day')} {when}"
        if behind == p.height
        else f"none of the {count(p.height, 'day')} {when}"
        if behind == 0
        else f"{count(behind)} of the {count(p.height, 'day')} {when}"
    )
    last_day = "the last day judged" if t.in_progress else "the month's last day"
    return _md(
        f"On {day}, {last_day}, marketing was {where}. It was behind the goal line (in MQLs) "
        f"on {days}."
    )


def _gap_phrase(gap: float, unit: str) -> tuple[str, str]:
    """A gap (goal minus delivered) as an amount and a side: ``("3 MQLs", "behind")``.

    >>> _gap_phrase(3, "MQLs"), _gap_phrase(-0.4, "MQLs"), _gap_phrase(3398.47, "lead value")
    (('3 MQLs', 'behind'), ('less than 1 MQL', 'ahead of'), ('$3,398 of lead value', 'behind'))
    """
    side = "on" if gap == 0 else "behind" if gap > 0 else "ahead of"
    money = unit == "lead value"
    whole = dollars(abs(gap))
    if side == "on":
        return f"level in {unit}", side
    if whole == "$0":
        return ("less than $1 of lead value" if money else "less than 1 MQL"), side
    if money:
        return f"{whole} of lead value", side
    n = int(whole[1:].replace(",", ""))
    return count(n, "MQL"), side


def waterfall_summary(plan: Plan) -> Markdown:
    """The waterfall in words: the bucket that brought the most, and the gap or surplus."""
    t = plan.tracking
    if t is None:
        return _nothing_yet(plan)
    d = t.delivery
    if d.lead_value is None:
        return _md(
            "No waterfall: the lead value delivered is undefined, because some MQLs are in "
            "buckets with no value (see the notes above)."
        )
    if not d.lead_value:
        return _md("No lead value delivered yet, so no bucket has contributed.")
    top = d.by_bucket.sort("lead_value", descending=True).row(0, named=True)
    text = (
        f"The most lead value came from **{segment(top['intent'], top['fit'])}**: "
        f"{dollars(top['lead_value'])}, {share(top['lead_value'] / d.lead_value)} of the "
        f"{dollars(d.lead_value)} delivered."
    )
    goal = d.lead_value_goal
    if goal is None:
        return _md(text + " There is no lead-value goal to build up to.")
    missing = goal - d.lead_value
    if missing > 0:
        what = "Still to deliver" if t.in_progress else "The gap to the goal"
        text += f" {what}: **{dollars(missing)}**, {share(missing / goal)} of the goal."
    elif missing < 0:
        text += f" The surplus over the goal: **{dollars(-missing)}**, {share(-missing / goal)}."
    else:
        text += " The goal is met exactly."
    return _md(text)


def compliance_summary(plan: Plan) -> Markdown:
    """Sales' two promises: the rules, then how many MQLs met each, and how fast they were touched."""
    t = plan.tracking
    if t is None:
        return _nothing_yet(plan)
    ft, c, p = t.first_touch, t.cadence, plan.params
    rules = (
        f"**First touch**: a {_kinds(p.first_touch_kinds)} within {count(p.first_touch_hours)} h "
        f"of becoming an MQL. **Cadence**: at least {_touches(p)} in the first "
        f"{count(p.cadence_days, 'day')} (an MQL with a deal created in that window is excluded). "
        f"Each MQL is judged once per rule, in the month its deadline falls in."
    )
    if ft.judged:
        never = f", {count(ft.never_touched)} of them never touched" if ft.never_touched else ""
        first = (
            f"**{share(ft.met_share)}** of the {count(ft.judged, 'MQL')} judged were touched in "
            f"time ({count(ft.met)} met, {count(ft.breached)} breached{never}). Half were touched "
            f"within **{hours(ft.median_hours)}**, nine in ten within **{hours(ft.p90_hours)}**."
        )
    else:
        first = f"No first-touch deadline fell in {t.month_label}{' yet' if t.in_progress else ''}."
    if c.judged:
        excluded = f"; {count(c.excluded)} excluded for a deal" if c.excluded else ""
        cadence = (
            f"**{share(c.met / c.judged)}** of the {count(c.judged, 'MQL')} judged on the cadence "
            f"got their {_touches(p)} ({count(c.met)} met, {count(c.breached)} breached{excluded})."
        )
    else:
        cadence = f"No cadence deadline fell in {t.month_label}{' yet' if t.in_progress else ''}."
    pending = ""
    if ft.pending or c.pending:
        pending = (
            f" Pending (deadline later in the month): {count(ft.pending)} first touches, "
            f"{count(c.pending)} cadences."
        )
    return _md(f"{rules}\n\n{first} {cadence}{pending}")


def compliance_table(plan: Plan) -> HTML:
    """Both rules side by side: judged, met, breached, share met, pending, excluded."""
    t = plan.tracking
    if t is None:
        return HTML("")
    ft, c, p = t.first_touch, t.cadence, plan.params
    rows = [
        {
            "rule": f"First touch within {count(p.first_touch_hours)} h",
            "judged": ft.judged,
            "met": ft.met,
            "breached": ft.breached,
            "share": ft.met_share,
            "pending": ft.pending,
            "excluded": None,
        },
        {
            "rule": f"{_touches(p)[:1].upper()}{_touches(p)[1:]} in {count(p.cadence_days)} days",
            "judged": c.judged,
            "met": c.met,
            "breached": c.breached,
            "share": c.met / c.judged if c.judged else None,
            "pending": c.pending,
            "excluded": c.excluded,
        },
    ]
    return table(
        rows,
        [
            Column("rule", "Promise", _esc),
            Column("judged", "MQLs judged", _int, numeric=True),
            Column("met", "Met", _int, numeric=True),
            Column("breached", "Breached", _int, numeric=True),
            Column("share", "Share met", share, numeric=True),
            Column("pending", "Pending", _int, numeric=True),
            Column("excluded", "Excluded (deal)", lambda x: "—" if x is None else count(x), True),
        ],
    )


def _lead_ids(ids: Sequence[str]) -> str:
    """The first few lead ids, the rest folded into ``and N more`` that opens to the full list."""
    shown = ", ".join(_esc(i) for i in ids[:_LEAD_IDS_SHOWN])
    more = len(ids) - _LEAD_IDS_SHOWN
    if more <= 0:
        return shown
    return (
        f"<details><summary>{shown} and {count(more)} more</summary>"
        f"{', '.join(_esc(i) for i in ids[_LEAD_IDS_SHOWN:])}</details>"
    )


def _rep_name(row: dict[str, Any]) -> str:
    if row["rep_id"] == "unassigned":
        return "<em>Unassigned (no owner)</em>"
    return _esc(row["name"])


def _dashboard_rules(plan: Plan) -> str:
    p = plan.params
    return (
        f"A rep is listed for every MQL of theirs not touched by a {_kinds(p.first_touch_kinds)} "
        f"within {count(p.first_touch_hours)} h (late first touch), or not given {_touches(p)} in "
        f"its first {count(p.cadence_days, 'day')} (short cadence)."
    )


def dashboard_table(plan: Plan) -> HTML:
    """The "don't be on the dashboard" table: each rep with a breach, and the leads concerned."""
    t = plan.tracking
    if t is None:
        return _html6("<p><em>Nothing to show yet (see above).</em></p>")
    if t.dashboard.is_empty():
        return _html6(f"<p>{_esc(t.format_dashboard().splitlines()[-1])}</p>")
    rows = "".join(
        f'<tr><td>{_rep_name(r)}</td><td class="num">{count(r["late_first_touch"])}</td>'
        f'<td class="num">{count(r["short_cadence"])}</td>'
        f'<td class="num">{count(len(r["lead_ids"]))}</td>'
        f'<td class="ids">{_lead_ids(r["lead_ids"])}</td></tr>'
        for r in t.dashboard.to_dicts()
    )
    head = (
        '<tr><th>Rep</th><th class="num">Late first touches</th>'
        '<th class="num">Short cadences</th><th class="num">Leads concerned</th>'
        "<th>Lead ids</th></tr>"
    )
    return _html6(
        f"<p>{_esc(_dashboard_rules(plan))}</p>"
        f'<table class="slanb-table"><thead>{head}</thead><tbody>{rows}</tbody></table>'
    )


def dashboard_summary(plan: Plan) -> HTML:
    """The dashboard in brief for the summary page: the top reps, and where the rest are."""
    t = plan.tracking
    link = f'<a href="{SCORECARD_PAGE}">the SLA scorecard (step 6)</a>'
    if t is None:
        return _html6(f"<p>{_esc(_not_begun(plan))}</p>")
    if t.dashboard.is_empty():
        return _html6(
            f"<p>{_esc(t.format_dashboard().splitlines()[-1])} Delivery, pacing and the rules "
            f"are on {link}.</p>"
        )
    reps, unassigned = _dashboard_reps(plan)
    lead = (
        f"<p><strong>{_esc(_reps_on(reps)[:1].upper() + _reps_on(reps)[1:])} "
        f"{'is' if reps == 1 else 'are'} on the dashboard</strong>"
        f"{', plus unassigned leads' if unassigned and reps else ''} for {_esc(t.month_label)}. "
        f"{_esc(_dashboard_rules(plan))}</p>"
    )
    top = t.dashboard.head(_DASHBOARD_TOP).to_dicts()
    rows = "".join(
        f'<tr><td>{_rep_name(r)}</td><td class="num">{count(r["late_first_touch"])}</td>'
        f'<td class="num">{count(r["short_cadence"])}</td></tr>'
        for r in top
    )
    head = '<tr><th>Rep</th><th class="num">Late first touches</th><th class="num">Short cadences</th></tr>'
    rest = t.dashboard.height - len(top)
    more = f"The {count(rest)} more on the dashboard, the" if rest > 0 else "The"
    return _html6(
        f'{lead}<table class="slanb-table"><thead>{head}</thead><tbody>{rows}</tbody></table>'
        f"<p>{more} leads concerned for each rep, and marketing's delivery day by day are on "
        f"{link}.</p>"
    )


def speed_to_lead_table(plan: Plan) -> HTML:
    """The sample's MQLs by time to first touch: how many, SQL rate, won rate, hand-raiser share."""
    t = plan.tracking
    if t is None:
        return HTML("")
    rows = [
        {**r, "band": "Never touched" if r["band"] == "never" else r["band"]}
        for r in t.speed_to_lead.to_dicts()
    ]
    return table(
        rows,
        [
            Column("band", "First touched within", _esc),
            Column("mqls", "MQLs", _int, numeric=True),
            Column("sql_rate", "SQL rate", _rate, numeric=True),
            Column("won_rate", "Won rate", _rate, numeric=True),
            Column("hand_raiser_share", "Hand-raisers", share, numeric=True),
        ],
    )


def speed_to_lead_note(plan: Plan) -> HTML:
    """The sample the bands come from, and the engine's warning: hand-raisers are called faster."""
    t = plan.tracking
    if t is None:
        return _html6("<p><em>Nothing to show yet (see above).</em></p>")
    r = plan.revenue_per_mql
    sample = (
        f"The sample is the MQLs of {months_span(r.window_start, r.window_end)}, "
        f"the same months that value an MQL (step 2)."
    )
    return _html6(
        f"<p>{_esc(sample)}</p>"
        f'<div class="slanb-callout"><strong>Read with care.</strong> '
        f"{_esc(t.speed_to_lead_note())}</div>"
    )
