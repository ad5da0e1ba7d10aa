"""The words and tables a reader sees: this run's numbers, stated in sentences and formatted tables.

Every function takes a :class:`~slanb.plan.Plan` and returns an IPython display object (Markdown or
HTML), so a notebook cell is one call and holds no arithmetic. The plain-text helpers
(:func:`step_headlines`, :func:`waterfall_rows`) feed the report's index page too.

>>> from slanb.narrative import count
>>> count(1234), count(2.5, "rep")
('1,234', '2.5 reps')
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from IPython.display import HTML, Markdown

from slanb.charts import FIT_LABELS, INTENT_LABELS
from slanb.money import usd
from slanb.months import month_label
from slanb.params import Params
from slanb.plan import Plan

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


def dollars(x: float | None) -> str:
    """``$738,439`` for 738439.25: totals in tables read better without cents."""
    return "n/a" if x is None else f"${x:,.0f}"


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
    for key, value in params.to_dict().items():
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
