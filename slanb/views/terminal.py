"""What ``slanb plan`` and ``slanb dashboard`` print: the month as plain terminal text.

Text from the CRM (rep names, lead ids) is printed with its control characters escaped, so a
name cannot retitle, recolour or redraw the reader's terminal.
"""

from __future__ import annotations

import re

from slanb.engine.month import SlaMonth
from slanb.errors import SlanbError
from slanb.views.format import sentence, usd
from slanb.views.sentences import (
    backtest_sentence,
    basis_sentence,
    chance_sentence,
    cross_check_sentence,
    dashboard_rules,
    dashboard_title,
    empty_dashboard,
    goal_headline,
    goal_range_sentence,
    maturity_sentence,
    not_begun,
    plan_against_commitment,
    record_headline,
    tracking_sentence,
    unit_title,
    value_range_sentence,
)

_LEAD_IDS_SHOWN = 4  # lead ids printed per rep; summary.json has them all
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    r"""``text`` with every control character but newline and tab written as an escape.

    >>> clean("Ana\x1b]0;pwned\x07 Silva")
    'Ana\\x1b]0;pwned\\x07 Silva'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def plan_text(sla: SlaMonth) -> str:
    """The plan as readable text for a terminal (``slanb plan``)."""
    plan = sla.plan
    rpm, t, g, c = plan.revenue_per_mql, plan.target, plan.goal, plan.cross_check
    v = plan.volume
    whose = "" if not plan.params.segment else f" · {unit_title(plan.params)}"
    lines = [f"SLA plan for {plan.month_label}{whose}", "", sentence(goal_headline(plan)), ""]
    if plan.messages:
        lines += ["Warnings:", *[f"  - {m}" for m in plan.messages], ""]
    avg3 = "n/a" if v.trailing_3_avg is None else f"{v.trailing_3_avg:,.1f}"
    trend = "n/a" if v.trend_per_month is None else f"{v.trend_per_month:+,.1f} MQLs/month"
    lines += [
        "1. Historical volume (MQLs per month)",
        *[f"     {r['month']}  {r['mqls']:>8,}" for r in v.months.to_dicts()],
        f"   trailing 3-month average {avg3}; trend {trend}",
        "",
        "2. Revenue per MQL",
        f"   sample {rpm.window_start} to {rpm.window_end} "
        f"(left out as immature: {', '.join(rpm.excluded_months) or 'none'})",
        f"   {usd(rpm.revenue)} won / {rpm.mqls:,} MQLs = {usd(rpm.value)} per MQL",
        "",
        "3. Revenue target",
        f"   {usd(t.revenue_goal)} x {t.marketing_share:.0%} = {usd(t.revenue_target)}",
        "",
        "4. Goal",
        f"   {usd(t.revenue_target)} / {usd(rpm.value)} = "
        f"{'n/a' if g.mqls is None else f'{g.mqls:,}'} MQLs "
        f"({usd(g.lead_value)} of lead value); {g.active_reps} active reps, "
        f"{'n/a' if g.mqls_per_rep is None else f'{g.mqls_per_rep:,.1f}'} MQLs per rep",
        "",
        "5. Cross-check",
        f"   {cross_check_sentence(c)}",
        "",
        "Lead value by bucket (intent x fit)",
        "   (won leads / MQLs = close rate; revenue / won deals = avg deal; revenue / MQLs = lead value)",
        f"   {'intent':<12} {'fit':<8} {'MQLs':>8} {'won leads':>10} {'close':>7} {'avg deal':>10} "
        f"{'lead value':>11}",
    ]
    for r in plan.matrix.to_dicts():
        close = "n/a" if r["close_rate"] is None else f"{r['close_rate']:.1%}"
        flag = "  (no MQLs: overall value)" if r["flagged"] else ""
        lines.append(
            f"   {r['intent']:<12} {r['fit']:<8} {r['mqls']:>8,} {r['won_leads']:>10,} {close:>7} "
            f"{usd(r['avg_won_amount']):>10} {usd(r['lead_value']):>11}{flag}"
        )
    lines += ["", "Reverse funnel (share of sample MQLs; per active rep at the goal)"]
    for s, p in zip(plan.funnel.stages.to_dicts(), plan.funnel.per_rep.to_dicts(), strict=True):
        rate = "n/a" if s["rate"] is None else f"{s['rate']:.1%}"
        per = "n/a" if p["count"] is None else f"{p['count']:,.1f}"
        lines.append(f"   {s['label']:<12} {s['count']:>8,} {rate:>7}   per rep {per:>7}")
    lines += ["", "Commitment", *[f"   {line}" for line in plan_against_commitment(sla)]]
    record = record_headline(sla)
    if record:
        lines += ["", "Record", f"   {record}"]
    lines += ["", "How sure (time to close, ranges, the chance of making it)"]
    honest = (
        maturity_sentence(plan),
        value_range_sentence(plan),
        goal_range_sentence(plan),
        chance_sentence(plan),
        backtest_sentence(plan),
        *plan.maturity.messages,
        *plan.forecast.messages,
    )
    lines += [f"   - {text}" for text in honest if text]
    return clean("\n".join(lines))


def dashboard_text(sla: SlaMonth) -> str:
    """``slanb dashboard``: both promises in a sentence, then the reps on the dashboard.

    The headline; the title, with what the month is judged against under it (its commitment, or
    the goal computed now); the table for a terminal, or a sentence when nobody is on it; notes.
    """
    t = sla.tracking
    if t is None:
        raise SlanbError(not_begun(sla))
    # under the title, what the month is judged against: its commitment, or the goal now
    lines = [tracking_sentence(sla) or "", "", dashboard_title(sla), basis_sentence(sla)]
    if t.dashboard.is_empty():
        lines += ["", empty_dashboard(sla)]
    else:
        rows = [
            (
                r["name"],
                str(r["late_first_touch"]),
                str(r["short_cadence"]),
                _lead_list(r["lead_ids"]),
            )
            for r in t.dashboard.to_dicts()
        ]
        width = max(len("Rep"), *(len(r[0]) for r in rows))
        lines += [dashboard_rules(sla), ""]
        lines.append(f"  {'Rep':<{width}}  {'Late first touch':>16}  {'Short cadence':>13}  Leads")
        lines += [f"  {n:<{width}}  {late:>16}  {short:>13}  {ids}" for n, late, short, ids in rows]
    if t.messages:
        lines += ["", "Notes:", *[f"  - {m}" for m in t.messages]]
    return clean("\n".join(lines))


def _lead_list(ids: list[str]) -> str:
    shown = ", ".join(ids[:_LEAD_IDS_SHOWN])
    more = len(ids) - _LEAD_IDS_SHOWN
    return shown + (f" … (+{more:,} more)" if more > 0 else "")
