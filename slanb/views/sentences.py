"""Every plain-text sentence a reader sees, written once: on a page, the index, the terminal, the e-mail.

Each takes the month (:class:`~slanb.engine.month.SlaMonth`) or one of its parts and returns text;
:func:`summary` writes the words into ``summary.json`` so the e-mail quotes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from slanb.engine.commitment import differences
from slanb.engine.goals import CrossCheck
from slanb.engine.month import SlaMonth
from slanb.engine.plan import Plan
from slanb.engine.segments import UNASSIGNED
from slanb.months import month_label, shift_month
from slanb.params import Params
from slanb.store.ledger import Commitment
from slanb.views import pages
from slanb.views.format import (
    capital,
    count,
    day,
    dollars,
    hours,
    in_words,
    kind_list,
    months_span,
    percent,
    plural,
    segment_label,
    sentence,
    share,
    touches,
    usd,
    weekdays,
    whole,
)
from slanb.views.theme import VERDICT_WORDS


def or_na(value: object, text: str) -> str:
    """``text``, or ``n/a`` when the number it states is undefined."""
    return "n/a" if value is None else text


def waterfall_rows(sla: SlaMonth) -> list[dict[str, str]]:
    """Steps 1–5 as rows: step, question, number, how it was found (plain text, for any display)."""
    v, rpm, t, g, c = (
        sla.plan.volume,
        sla.plan.revenue_per_mql,
        sla.plan.target,
        sla.plan.goal,
        sla.plan.cross_check,
    )
    trend = (
        "no trend (too few months)"
        if v.trend_per_month is None
        else f"trend {v.trend_per_month:+,.1f} MQLs a month over the last {v.months.height} months"
    )
    how_goal = (
        f"{usd(t.revenue_target)} ÷ {usd(rpm.value)} per MQL, rounded up"
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
        f"{c.ratio:.2f}; realistic up to {sla.plan.params.realistic_ratio:.2f}, "
        f"a stretch up to {sla.plan.params.stretch_ratio:.2f}"
        if c.ratio is not None
        else cross_check_sentence(c)
    )
    return [
        {
            "step": "1",
            "question": "How many MQLs do we make now?",
            "number": or_na(v.trailing_3_avg, f"{whole(v.trailing_3_avg)} MQLs a month"),
            "how": f"average of the last 3 months; {trend}",
        },
        {
            "step": "2",
            "question": "What is an MQL worth?",
            "number": or_na(rpm.value, f"{usd(rpm.value)} per MQL"),
            "how": f"{dollars(rpm.revenue)} won from {count(rpm.mqls)} MQLs of "
            f"{months_span(rpm.window_start, rpm.window_end)}",
        },
        {
            "step": "3",
            "question": "What must marketing bring in?",
            "number": or_na(t.revenue_target, f"{usd(t.revenue_target)} revenue target"),
            "how": f"{unit_name(sla.params).removeprefix('the ')} goal "
            f"{usd(t.revenue_goal)} × marketing's share {percent(t.marketing_share)}"
            if t.revenue_goal is not None
            else f"no revenue goal is set for {goal_owner(sla.params)} this month",
        },
        {
            "step": "4",
            "question": "So how many MQLs?",
            "number": or_na(g.mqls, f"{count(g.mqls)} MQLs ({usd(g.lead_value)} of lead value)"),
            "how": how_goal + per_rep,
        },
        {
            "step": "5",
            "question": "Is that realistic?",
            "number": VERDICT_WORDS.get(c.verdict or "", "Cannot tell"),
            "how": check,
        },
    ]


def goal_line(sla: SlaMonth) -> str:
    """``1,121 MQLs · $75,000 of lead value · realistic``: the summary's numbers on one line."""
    g = sla.plan.goal
    if g.mqls is None:
        return "No MQL goal this month"
    verdict = VERDICT_WORDS.get(sla.plan.cross_check.verdict or "", "not cross-checked").lower()
    return f"{count(g.mqls)} MQLs · {usd(g.lead_value)} of lead value · {verdict}"


def step_headlines(sla: SlaMonth) -> dict[str, str]:
    """The number each page leads with, keyed by notebook name (for the report's index)."""
    rows = waterfall_rows(sla)
    ratio = sla.plan.cross_check.ratio
    lines = [goal_line(sla), *(r["number"] for r in rows), scorecard_line(sla), record_line(sla)]
    lines[5] += "" if ratio is None else f" (ratio {ratio:.2f})"
    return dict(zip(pages.NAMES, lines, strict=True))


def judged_when(sla: SlaMonth) -> str:
    """``Judged over the whole of October 2026.``, or as of when, for a month judged part-way."""
    t = sla.tracking
    assert t is not None
    if not t.in_progress:
        return f"Judged over the whole of {t.month_label}."
    return (
        f"Judged as of {day(t.as_of)}, {t.as_of:%H:%M} UTC: deadlines after that are pending, "
        "and the month's numbers will grow."
    )


def not_begun(sla: SlaMonth) -> str:
    """Why there is no tracking: the month is still ahead, or the history does not reach it."""
    start = day(sla.plan.params.cutoff)
    if sla.plan.params.as_of_instant < sla.plan.params.cutoff:
        return (
            f"{sla.plan.month_label} has not begun yet, so there is nothing to track: marketing's "
            f"delivery and sales' first touches are judged from {start}."
        )
    return (
        f"The history does not reach {sla.plan.month_label} yet, so there is nothing to track: "
        f"import an export made after {start} to judge the month."
    )


def dashboard_reps(sla: SlaMonth) -> tuple[int, bool]:
    """Reps on the dashboard (owners only) and whether unassigned leads breached too."""
    assert sla.tracking is not None
    ids = sla.tracking.dashboard["rep_id"].to_list()
    return sum(1 for r in ids if r != "unassigned"), "unassigned" in ids


def reps_on(n: int) -> str:
    """``no rep``, ``1 rep``, ``10 reps``."""
    return "no rep" if n == 0 else count(n, "rep")


def tracking_sentence(sla: SlaMonth) -> str | None:
    """Both halves of the SLA in one sentence, or None before the month (money in whole dollars).

    ``Marketing delivered 712 of 750 MQLs (95%, $71,300 of $75,000 lead value); sales touched 98%
    of MQLs within 24 h; 3 reps are on the dashboard.``
    """
    text = tracking_headline(sla)
    return None if text is None else sentence(text)


def tracking_headline(sla: SlaMonth) -> str | None:
    """:func:`tracking_sentence` without its full stop (``summary.json``'s ``tracking_headline``)."""
    t = sla.tracking
    if t is None:
        return None
    d, ft = t.delivery, t.first_touch
    so_far = " so far" if t.in_progress else ""
    value = "lead value undefined" if d.lead_value is None else dollars(d.lead_value)
    if d.lead_value is not None:
        value += (
            " lead value"
            if d.lead_value_goal is None
            else f" of {dollars(d.lead_value_goal)} lead value"
        )
    if d.goal_mqls is None:
        market = f"Marketing delivered {d.mqls:,} MQLs{so_far} ({value})"
    else:
        market = (
            f"Marketing delivered {d.mqls:,} of {d.goal_mqls:,} MQLs{so_far} "
            f"({share(d.attainment)}, {value})"
        )
    hours = touch_allowance(sla.plan.params)
    if ft.met_share is None:
        sales = f"no MQL has reached its {hours} first-touch deadline yet"
    else:
        sales = f"sales touched {share(ft.met_share)} of MQLs within {hours}"
    return f"{market}; {sales}; {dashboard_count(t.dashboard['rep_id'].to_list())}"


def dashboard_count(rep_ids: Sequence[str]) -> str:
    """``3 reps are on the dashboard``, ``…, plus unassigned leads``; ``no rep is …``.

    >>> dashboard_count(["R1", "unassigned"]), dashboard_count([])
    ('1 rep is on the dashboard, plus unassigned leads', 'no rep is on the dashboard')
    """
    reps = sum(1 for r in rep_ids if r != "unassigned")
    if not rep_ids:
        return "no rep is on the dashboard"
    text = ("no rep is" if reps == 0 else "1 rep is" if reps == 1 else f"{reps} reps are") + (
        " on the dashboard"
    )
    if "unassigned" in rep_ids:
        text += ", plus unassigned leads" if reps else " but unassigned leads are"
    return text


def tracking_label(sla: SlaMonth) -> str:
    """``How October 2026 went``, or ``October 2026 so far`` for a month judged part-way."""
    if sla.tracking is not None and sla.tracking.in_progress:
        return f"{sla.plan.month_label} so far"
    return f"How {sla.plan.month_label} went"


def scorecard_line(sla: SlaMonth) -> str:
    """``98% of the MQL goal delivered · 10 reps on the dashboard`` (the report index's line)."""
    t = sla.tracking
    if t is None:
        return (
            "Not begun yet"
            if sla.plan.params.as_of_instant < sla.plan.params.cutoff
            else "No data yet"
        )
    d = t.delivery
    so_far = " so far" if t.in_progress else ""
    market = (
        f"{count(d.mqls, 'MQL')} delivered{so_far} (no goal)"
        if d.attainment is None
        else f"{share(d.attainment)} of the MQL goal delivered{so_far}"
    )
    reps, _ = dashboard_reps(sla)
    return f"{market} · {reps_on(reps)} on the dashboard"


def short_or_over(missing: float, fmt: Callable[[Any], str], in_progress: bool) -> str:
    """``18 short`` (``18 to go`` part-way through the month), ``5 over``, ``exactly on it``."""
    if round(missing, 2) == 0:
        return "exactly on it"
    if missing < 0:
        return f"{fmt(-missing)} over"
    return f"{fmt(missing)} {'to go' if in_progress else 'short'}"


def gap_phrase(gap: float, unit: str) -> tuple[str, str]:
    """A gap (goal minus delivered) as an amount and a side: ``("3 MQLs", "behind")``.

    >>> gap_phrase(3, "MQLs"), gap_phrase(-0.4, "MQLs"), gap_phrase(3398.47, "lead value")
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


def dashboard_rules(sla: SlaMonth) -> str:
    """The rule that puts a rep on the dashboard, as the page, the terminal and the e-mail state it."""
    p = sla.basis.params
    return (
        f"A rep is listed for every MQL of theirs not touched by a {kind_list(p.first_touch_kinds)} "
        f"within {touch_allowance(p)} (late first touch), or not given "
        f"{touches(p.cadence_calls, p.cadence_kinds)} in its first "
        f"{cadence_window(p)} (short cadence; an MQL with a deal created in that "
        "window is not judged)."
        + (
            " A lead whose owner was out of office when its clock started is not the rep's breach."
            if p.sla_clock == "working"
            else ""
        )
    )


def empty_dashboard(sla: SlaMonth) -> str:
    """Why nobody is on the dashboard: no deadline passed yet, or every MQL judged was worked."""
    t, p = sla.tracking, sla.basis.params
    assert t is not None
    ft, c = t.first_touch, t.cadence
    if ft.judged == 0 and c.judged == 0:
        return (
            f"No rep is on the dashboard for {t.month_label}: no first-touch or cadence "
            "deadline has passed yet."
        )
    return (
        f"No rep is on the dashboard for {t.month_label}: every MQL judged was touched "
        f"within {touch_allowance(p)} ({count(ft.judged, 'MQL')} judged) and worked with "
        f"at least {touches(p.cadence_calls, p.cadence_kinds)} in its first "
        f"{cadence_window(p)} ({count(c.judged, 'MQL')} judged)."
    )


def dashboard_title(sla: SlaMonth) -> str:
    """``Don't be on the dashboard: October 2026 (the whole month)`` (or as of when)."""
    t = sla.tracking
    assert t is not None
    when = f"as of {t.as_of:%Y-%m-%d %H:%M} UTC" if t.in_progress else "the whole month"
    return f"Don't be on the dashboard: {t.month_label} ({when})"


def speed_to_lead_note(sla: SlaMonth) -> str:
    """The warning that goes with the speed-to-lead table: hand-raisers are called faster.

    Names the hand-raiser share of the fastest and the slowest timed band with MQLs, and says
    whether the mix favours the faster band in this history.
    """
    base = (
        "Hand-raisers tend to be called faster, so the bands can mix intent with speed: read "
        "the hand-raiser share per band before crediting speed for a band's higher rates."
    )
    assert sla.tracking is not None
    rows = [r for r in sla.tracking.speed_to_lead.to_dicts() if r["band"] != "never" and r["mqls"]]
    if len(rows) < 2:
        return base
    fast, slow = rows[0], rows[-1]
    mix = (
        "so part of the faster band's lead is intent, not speed"
        if fast["hand_raiser_share"] > slow["hand_raiser_share"]
        else "so here the mix does not favour the faster band"
    )
    return (
        f"{base} Here hand-raisers are {share(fast['hand_raiser_share'])} of the MQLs first "
        f"touched in {fast['band']} and {share(slow['hand_raiser_share'])} of those touched in "
        f"{slow['band']}, {mix}."
    )


def goal_headline(plan: Plan) -> str:
    """``Marketing must deliver 750 MQLs ($75,000 of lead value) in October 2026``."""
    goal = plan.goal
    if goal.mqls is None:
        return f"No MQL goal can be set for {plan.month_label}: see the messages below"
    return (
        f"Marketing must deliver {goal.mqls:,} MQLs ({usd(goal.lead_value)} of lead value) "
        f"in {plan.month_label}"
    )


def cross_check_sentence(c: CrossCheck) -> str:
    """Step 5 in one sentence: how much more (or fewer) MQLs the goal asks for than recently."""
    if c.ratio is None or c.goal_mqls is None or c.trailing_3_avg is None:
        return "The goal cannot be cross-checked: " + (
            "there is no MQL goal." if c.goal_mqls is None else "there is no trailing volume."
        )
    change = c.ratio - 1
    if abs(change) < 0.005:
        ask = "the same volume as"
    elif change > 0:
        ask = f"{change:.0%} more MQLs than"
    else:
        ask = f"{-change:.0%} fewer MQLs than"
    return (
        f"The goal of {c.goal_mqls:,} MQLs asks for {ask} the last three months' average of "
        f"{c.trailing_3_avg:,.0f} (ratio {c.ratio:.2f}: {c.verdict}); {c.months_at_goal} of the "
        f"last {c.months} months reached it, and the best month delivered {c.historical_max:,}."
    )


def gap_text(gap: float | None, measure: str) -> str:
    """A day's gap in words, for a chart: ``18 MQLs behind the goal line``, ``$1,602 ahead of …``.

    >>> gap_text(3, "mqls"), gap_text(-0.4, "mqls"), gap_text(3398.47, "lead_value")
    ('3 MQLs behind the goal line', 'less than 1 MQL ahead of the goal line', '$3,398 behind the goal line')
    """
    if gap is None:
        return "no goal"
    amount, side = gap_phrase(gap, "lead value" if measure == "lead_value" else "MQLs")
    amount = amount.removesuffix(" of lead value")
    return "on the goal line" if side == "on" else f"{amount} {side} the goal line"


def summary(sla: SlaMonth) -> dict[str, Any]:
    """``summary.json`` less the run's facts: every number (``sla.to_dict()``) and its words.

    The words every surface states, so the e-mail quotes them instead of writing them again:
    ``headline``, ``cross_check.sentence`` and ``tracking_headline`` (kept where readers of
    summary.json have found them), and ``sentences`` (the e-mail's and the index's lines).
    """
    d = sla.to_dict()
    d["headline"] = goal_headline(sla.plan)
    d["cross_check"]["sentence"] = cross_check_sentence(sla.plan.cross_check)
    d["tracking_headline"] = tracking_headline(sla)
    d["sentences"] = {
        "headline": sentence(goal_headline(sla.plan)),
        "tracking": tracking_sentence(sla),
        "tracking_label": tracking_label(sla),
        "dashboard_count": None
        if sla.tracking is None
        else dashboard_count(sla.tracking.dashboard["rep_id"].to_list()),
        "dashboard_rules": None if sla.tracking is None else dashboard_rules(sla),
        "scorecard": scorecard_line(sla),
        "commitment": basis_sentence(sla),
        "record": record_headline(sla),
        "maturity": maturity_sentence(sla.plan),
        "value_range": value_range_sentence(sla.plan),
        "goal_range": goal_range_sentence(sla.plan),
        "chance": chance_sentence(sla.plan),
        "backtest": backtest_sentence(sla.plan),
        "clock": clock_sentence(sla),
    }
    if sla.params.segment_by and sla.params.segment:  # a team's report says whose it is
        d["sentences"]["unit"] = unit_title(sla.params)
    d["terms"] = sla.basis.params.terms_for(sla.month).to_dict()
    return d


# ---- the commitment and the record -------------------------------------------------------------
def commitment_story(c: Commitment) -> str:
    """``committed 2026-11-01 by ana; amended 2026-11-04 by bo: the deal was re-scored``."""
    versions = (*c.earlier, c)
    text = f"committed {c.first.committed_at[:10]} by {c.first.by}"
    for v in versions[1:]:
        text += f"; amended {v.committed_at[:10]} by {v.by}: {v.reason}"
    return text


def basis_sentence(sla: SlaMonth) -> str:
    """What the month is judged against: its commitment (when and by whom), or the goal now."""
    c, label = sla.commitment, sla.plan.month_label
    if c is None and sla.plan.goal.mqls is None:
        return (
            f"{label} has no commitment in the ledger and no MQL goal could be computed for it "
            "(see the notes above), so only what was delivered is shown."
        )
    if c is None:
        return (
            f"{label} has no commitment in the ledger, so it is judged against the goal computed "
            f"now ({goal_line(sla)}), which changes when the history or the parameters change."
        )
    goal = "no MQL goal" if c.goal_mqls is None else f"{count(c.goal_mqls)} MQLs"
    return sentence(
        f"{label} is judged against its commitment ({goal}, {usd(c.lead_value_goal)} of lead "
        f"value): {commitment_story(c)}"
    )


def commitment_receipt(c: Commitment, path: object) -> str:
    """What ``slanb commit`` prints: the month's agreement as recorded."""
    t = c.terms
    what = "Amended" if c.amended else "Committed"
    goal = "no MQL goal" if c.goal_mqls is None else f"{count(c.goal_mqls)} MQLs"
    return "\n".join(
        [
            f"{what} {month_label(c.month)} (version {c.version}) at {c.committed_at} by {c.by}"
            + (f": {c.reason}" if c.reason else ""),
            f"  marketing: {goal}, {usd(c.lead_value_goal)} of lead value "
            f"({usd(c.revenue_per_mql)} per MQL; target {usd(c.revenue_target)} = "
            f"{usd(c.revenue_goal)} x {percent(c.marketing_share)})",
            f"  sales: first touch by a {kind_list(t['first_touch_kinds'])} within "
            f"{count(t['first_touch_hours'])} h; {touches(t['cadence_calls'], t['cadence_kinds'])} "
            f"in {count(t['cadence_days'], 'day')}",
            f"  history: {c.history.get('digest', '?')} ({count(c.history.get('leads_rows', 0), 'lead')})",
            f"Ledger: {path}",
        ]
    )


def plan_against_commitment(sla: SlaMonth) -> list[str]:
    """``slanb plan``'s lines on the commitment: what was agreed and, where today differs, both."""
    c = sla.commitment
    if c is None:
        return [basis_sentence(sla)]
    lines = [basis_sentence(sla)]
    changed = differences(sla.plan, c)
    if not changed:
        lines.append("The method gives the same goals and terms today.")
        return lines
    lines.append("Where the method gives something else today (committed -> today):")
    for name, (agreed, today) in changed.items():
        lines.append(f"  {COMMITTED_LABELS.get(name, name)}: {_term(agreed)} -> {_term(today)}")
    return lines


COMMITTED_LABELS = {
    "goal_mqls": "MQL goal",
    "lead_value_goal": "lead-value goal",
    "revenue_per_mql": "revenue per MQL",
    "revenue_target": "revenue target",
    "first_touch_hours": "first touch within (hours)",
    "first_touch_kinds": "first touch counts",
    "cadence_days": "follow-up window (days)",
    "cadence_calls": "touches in the window",
    "cadence_kinds": "touches count",
}


def _term(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and not value.is_integer():
        return usd(value)
    if isinstance(value, float | int):
        return f"{value:,g}"
    return "n/a" if value is None else str(value)


def record_headline(sla: SlaMonth) -> str | None:
    """The record in a sentence, or None when it holds no complete month.

    ``Marketing met its MQL goal in 7 of the last 12 months; sales touched 95% of MQLs within
    24 h across them.``
    """
    r = sla.record
    if r is None or r.complete.is_empty():
        return None
    met, with_goal = r.met()
    n = r.complete.height
    span = "the last month" if n == 1 else f"the last {n} months"
    market = (
        f"Marketing had no MQL goal in {span}"
        if not with_goal
        else f"Marketing met its MQL goal in {met} of {span}"
        + ("" if with_goal == n else f" with a goal ({n - with_goal} had none)")
    )
    hours = sorted(set(r.months["first_touch_hours"].to_list()))
    within = f"{hours[0]:g} h" if len(hours) == 1 else "the agreed first-touch time"
    share_ = r.compliance("touch")
    sales = (
        "no first-touch deadline was judged"
        if share_ is None
        else f"sales touched {share(share_)} of MQLs within {within} across them"
    )
    return sentence(f"{market}; {sales}")


def record_uncommitted() -> str:
    """Under the record's table when no month of it has a commitment in the ledger."""
    return (
        "No month above has a commitment in the ledger: each is judged against the goal the "
        "method computes for it now. Run slanb commit as a month begins to record the goal it "
        "will be judged by."
    )


def record_year_to_date(sla: SlaMonth) -> str | None:
    """The record's year to date in a sentence, or None when it holds no month of M's year.

    ``Year to date (January 2026 to November 2026): 5,437 of 4,672 MQLs (116%), $373,786 of
    $330,000 lead value (113%); first touch on time 92%, cadence kept 77%.`` When only some months
    had an MQL goal, the attainment is of those months': ``4 of 38 MQLs (11%) in the 1 month with a
    goal (29 MQLs in all 3 months)``. Months without a goal
    (a segment no ``revenue_goal`` entry names) say so instead of dashes: ``… 107 MQLs delivered;
    no goal was set for the unassigned leads, so there is nothing to attain; …``.
    """
    y = sla.record.year_to_date if sla.record is not None else {}
    if not y.get("months"):
        return None
    first, last = month_label(y["first_month"]), month_label(y["last_month"])
    span = first if first == last else f"{first} to {last}"
    if y["goal_mqls"] is None:
        marketing = (
            f"{count(y['mqls'], 'MQL')} delivered; no goal was set for {goal_owner(sla.params)}, "
            "so there is nothing to attain"
        )
    else:
        against = y["mqls_with_goal"]
        marketing = f"{count(against)} of {count(y['goal_mqls'], 'MQL')}" + (
            f" ({share(y['attainment'])})" if y["attainment"] is not None else ""
        )
        if y["goal_months"] < y["months"]:  # a segment's first months
            marketing += (
                f" in the {count(y['goal_months'], 'month')} with a goal "
                f"({count(y['mqls'], 'MQL')} in all {count(y['months'], 'month')})"
            )
        if y["lead_value_goal"] is not None and y["lead_value"] is not None:
            marketing += (
                f", {dollars(y['lead_value'])} of {dollars(y['lead_value_goal'])} lead value"
                + (
                    f" ({share(y['lead_value_attainment'])})"
                    if y["lead_value_attainment"] is not None
                    else ""
                )
            )
    rules = [
        f"{what} {share(y[key])}" if y[key] is not None else f"no {none} deadline was judged"
        for what, key, none in (
            ("first touch on time", "touch_share", "first-touch"),
            ("cadence kept", "cadence_share", "cadence"),
        )
    ]
    return sentence(f"Year to date ({span}): {marketing}; {', '.join(rules)}")


def goal_owner(params: Params) -> str:
    """Whose goal a sentence names: :func:`unit_name`, and for ``unassigned`` its leads."""
    if params.segment_by and params.segment == UNASSIGNED:
        return "the unassigned leads"
    return unit_name(params)


def record_line(sla: SlaMonth) -> str:
    """``MQL goal met 2 of 12 months · first touch 95%`` (the report index's line for the record)."""
    r = sla.record
    if r is None or r.complete.is_empty():
        return "No complete month yet"
    met, with_goal = r.met()
    touch = r.compliance("touch")
    return f"MQL goal met {met} of {with_goal} months · first touch on time {share(touch)}"


def basis_label(basis: str) -> str:
    """A record row's basis in words: ``committed``, ``amended``, ``no commitment``."""
    return {"computed": "no commitment (goal computed now)"}.get(basis, basis)


# ---- honest numbers: time to close, ranges, the chance of making it ----------------------------
def range_words(level: float) -> str:
    """What a range at ``level`` means, for a reader who has never seen a confidence interval.

    >>> range_words(0.8)
    'an 80% range: in 8 of 10 histories like this one, a range drawn this way holds the true value'
    """
    tenths = round(level * 10, 6)
    odds = f"{tenths:g} of 10" if float(tenths).is_integer() else f"{level:.0%} of"
    return (
        f"{_article(level)} {level:.0%} range: in {odds} histories like this one, a range drawn "
        "this way holds the true value"
    )


def _article(p: float) -> str:
    """``an`` before 8%, 11%, 18%, 80%–89% (read aloud with a vowel), ``a`` otherwise."""
    return "an" if f"{p:.0%}".startswith(("8", "11%", "18%")) else "a"


def lag_phrase(k: int) -> str:
    """``in the month of the MQL`` (0), ``within 1 month of the MQL``, ``within 4 months …``."""
    return "in the month of the MQL" if k == 0 else f"within {count(k, 'month')} of the MQL"


def maturity_sentence(plan: Plan) -> str:
    """Step 2's time to close in one sentence, and what it implies for ``maturity_months``.

    ``90% of won revenue arrives within 4 months of the MQL; with maturity_months 3 the sample's
    last month (June 2026) has had time for 84% of it.``
    """
    m = plan.maturity
    if m.months_to_threshold is None or m.last_month_maturity is None:
        return "The history has no won revenue yet, so the time to close cannot be measured."
    text = (
        f"{share(m.threshold)} of won revenue arrives {lag_phrase(m.months_to_threshold)}; "
        f"with maturity_months {m.maturity_months} the sample's last month "
        f"({month_label(m.last_sample_month)}) has had time for {share(m.last_month_maturity)} "
        "of it"
    )
    if m.last_month_maturity >= m.threshold:
        return sentence(text + ", mature enough")
    return sentence(
        text + f", short of the {share(m.threshold)} threshold; maturity_months "
        f"{m.months_to_threshold} would reach it"
    )


def sample_maturity_sentence(plan: Plan) -> str | None:
    """How much of its eventual revenue the whole sample has seen (None when unknown)."""
    s = plan.maturity.sample_maturity
    if s is None:
        return None
    return (
        f"Weighted by their MQLs, the sample's months have seen about {share(s)} of the won "
        "revenue they will bring, so the revenue per MQL above "
        + ("is close to final." if s >= 0.98 else "is, if anything, on the low side.")
    )


def value_range_sentence(plan: Plan) -> str | None:
    """Step 2's range: ``An MQL is worth $71.77, plausibly anywhere from $66.98 to $76.55 (…)``."""
    u = plan.uncertainty
    r = u.revenue_per_mql
    if r.value is None or r.low is None:
        return None
    return sentence(
        f"An MQL is worth {usd(r.value)}, plausibly anywhere from {usd(r.low)} to {usd(r.high)} "
        f"({range_words(u.level)}). The range is narrow when many MQLs and many wins back the "
        "number, wide when a few large deals carry it"
    )


def goal_range_sentence(plan: Plan) -> str | None:
    """``1,046 MQLs; 80% range 980–1,120: …`` (None without a goal)."""
    u, g = plan.uncertainty, plan.goal
    if g.mqls is None or u.goal_low is None:
        return None
    r = u.revenue_per_mql
    high = (
        f"if as little as {usd(r.low)}, {count(u.goal_high)} are needed"
        if u.goal_high is not None
        else "at the low end of the range an MQL is worth $0, so no number is surely enough"
    )
    span = f"{count(u.goal_low)}–{count(u.goal_high)}" if u.goal_high is not None else "open-ended"
    return sentence(
        f"{count(g.mqls)} MQLs; {u.level:.0%} range {span}: if an MQL is worth as much as "
        f"{usd(r.high)}, {count(u.goal_low)} are enough; {high}"
    )


def chance_sentence(plan: Plan) -> str | None:
    """Step 5's chance: ``A 38% chance of reaching 1,046 MQLs at the recent pace: …`` (or None)."""
    f = plan.forecast
    if f.forecast is None:
        return None
    model = (
        f"{_last_year(plan.month)} scaled by the last three months against the same three "
        "months a year before"
        if f.model == "seasonal"
        else "the last three months' average"
    )
    spread = "" if f.low is None else f" ({f.level:.0%} range {whole(f.low)}–{whole(f.high)})"
    forecast = f"the forecast is {whole(f.forecast)} MQLs{spread}, {model}"
    season = ""
    if f.seasonal_change is not None:
        before = month_label(shift_month(plan.month, -13)).split()[0]
        side = "above" if f.seasonal_change >= 0 else "below"
        change = (
            f"level with {before}"
            if abs(f.seasonal_change) < 0.005
            else f"{share(abs(f.seasonal_change))} {side} {before}"
        )
        season = f"; {_last_year(plan.month)} was {change}"
    if f.probability is None or f.goal_mqls is None:
        return sentence(f"{forecast[0].upper()}{forecast[1:]}{season}")
    return sentence(
        f"{chance(f.probability)} of reaching {count(f.goal_mqls)} MQLs at the recent pace: "
        f"{forecast}{season}"
    )


def chance(p: float) -> str:
    """``A 38% chance``; ``Less than a 1% chance``, ``More than a 99% chance`` at the ends.

    >>> chance(0.3812), chance(0.0004), chance(0.9991), chance(0.8)
    ('A 38% chance', 'Less than a 1% chance', 'More than a 99% chance', 'An 80% chance')
    """
    if p < 0.005:
        return "Less than a 1% chance"
    if p > 0.995:
        return "More than a 99% chance"
    return f"{_article(p).capitalize()} {p:.0%} chance"


def backtest_sentence(plan: Plan) -> str | None:
    """How well the forecast did on the history: ``Tested on the 20 earlier months …``."""
    f = plan.forecast
    if f.mean_abs_error is None:
        return None
    worst = f.backtest.select(pl.col("error").abs().max()).item()
    return sentence(
        f"Tested on the {count(f.backtest.height)} earlier months the history allows, as if each "
        f"were next, the forecast was off by {share(f.mean_abs_error)} on average and "
        f"{share(worst)} at worst"
    )


def _last_year(month: str) -> str:
    """``last year's November`` for 2026-11."""
    return f"last year's {month_label(shift_month(month, -12)).split()[0]}"


# ---- the clock ---------------------------------------------------------------------------------
def touch_allowance(p: Params) -> str:
    """The first-touch allowance as a rule states it: ``24 h``, or ``24 working hours``."""
    if p.sla_clock == "working":
        return f"{count(p.first_touch_hours)} working hours"
    return f"{count(p.first_touch_hours)} h"


def cadence_window(p: Params) -> str:
    """The cadence window: ``14 days``, or ``14 working days`` (``cadence_clock: working``)."""
    return count(p.cadence_days, "working day" if p.cadence_clock == "working" else "day")


def working_calendar(p: Params) -> str:
    """``Mon–Fri 09:00–17:00, each rep's time zone (UTC where none is set), holidays of US-CA``."""
    country = p.holidays_country
    place = country and (
        f"{country}-{p.holidays_subdivision}" if p.holidays_subdivision else country
    )
    days_off = count(len(p.company_holidays), "company day") + " off" if p.company_holidays else ""
    if place:
        off = f"public holidays of {place}" + (f" and {days_off}" if days_off else "")
    else:
        off = days_off or "no holidays set"
    start, end = p.working_hours.split("-")
    return (
        f"{weekdays(p.working_days)} {start}–{end}, each rep's time zone ({p.timezone} where none "
        f"is set), {off}"
    )


def first_touch_rule(p: Params) -> str:
    """The first-touch allowance with its clock, as the scorecard states the rule.

    ``within 24 hours of becoming an MQL, on the calendar clock``; on the working clock
    ``within 24 working hours of becoming an MQL (three working days at 8 h a day, Mon–Fri …)``.
    """
    start = clock_start_phrase(p)
    if p.sla_clock != "working":
        return f"within {count(p.first_touch_hours)} hours {start}, on the calendar clock"
    days = p.first_touch_hours / p.working_day_hours
    return (
        f"within {count(p.first_touch_hours)} working hours {start} ({in_words(days)} "
        f"{'working day' if days == 1 else 'working days'} at {p.working_day_hours:g} h a day, "
        f"{working_calendar(p)})"
    )


def clock_start_phrase(p: Params) -> str:
    """Where the rules' clock starts: ``of becoming an MQL`` or ``of assignment (…)``."""
    if p.clock_start == "assigned_at":
        return "of assignment to the owner (or of becoming an MQL, when that is later or unknown)"
    return "of becoming an MQL"


def clock_sentence(sla: SlaMonth) -> str:
    """The clock the rules run on, in one sentence (the scorecard, ``summary.json``, the e-mail).

    ``First touch within 24 hours on the calendar clock, of becoming an MQL.``
    """
    p = sla.plan.params
    text = f"First touch {first_touch_rule(p)}"
    if p.cadence_clock == "working":
        text += (
            f"; cadence: {touches(p.cadence_calls, p.cadence_kinds)} in the first "
            f"{cadence_window(p)} ({count(p.cadence_days * p.working_day_hours)} working hours)"
        )
        if p.sla_clock != "working":
            text += f", {working_calendar(p)}"
    return sentence(text)


def _met_of(met: int, judged: int) -> str:
    if not judged:
        return "none judged"
    return f"{share(met / judged)} met ({count(met)} of {count(judged)}, {count(judged - met)} breached)"


def clock_comparison(sla: SlaMonth) -> str:
    """Both clocks' first-touch verdicts in one sentence, the rule's clock named.

    ``… on the calendar clock (24 h, the rule), 61% met (…); on working hours (24 working hours),
    88% met (…).``
    """
    t = sla.tracking
    assert t is not None and t.clock is not None
    k, p = t.clock, sla.plan.params
    h = count(p.first_touch_hours)
    if not k.compared or k.working_judged is None or k.working_met is None:
        return sentence(
            f"First touches judged in {t.month_label} on the calendar clock ({h} h, the rule): "
            f"{_met_of(k.calendar_met, k.calendar_judged)}. Working hours are not computed on "
            "the calendar clock (it keeps the run fast); set sla_clock: working to see both "
            "clocks side by side"
        )
    rule = p.sla_clock == "working"
    cal = f"on the calendar clock ({h} h{'' if rule else ', the rule'})"
    work = f"on working hours ({h} working hours{', the rule' if rule else ''})"
    away = f", {count(k.working_away)} more away (owner out of office)" if k.working_away else ""
    text = sentence(
        f"First touches judged in {t.month_label} {cal}: "
        f"{_met_of(k.calendar_met, k.calendar_judged)}; {work}: "
        f"{_met_of(k.working_met, k.working_judged)}{away}"
    )
    text += (
        " Each clock judges a lead in the month its own deadline falls in, so the MQLs judged "
        "differ a little."
    )
    if k.working_median_hours is not None and k.working_median_hours == 0:
        text += (
            " The median working time to a first touch is 0 min: more than half the first "
            "touches came before the owner's working hours had run for a minute (a lead taken "
            "in the evening and touched before the next morning costs no working time)."
        )
    return text


def away_rule(sla: SlaMonth) -> str:
    """The out-of-office rule and how many leads it held back this month."""
    t = sla.tracking
    assert t is not None and t.clock is not None
    k, p = t.clock, sla.plan.params
    if p.sla_clock == "working":
        held = f"{count(k.away)} {plural(k.away, 'first touch', 'first touches')}"
        if p.cadence_clock == "working":
            held += f" and {count(k.cadence_away, 'cadence')}"
        return (
            "A lead whose owner was out of office (time_off) when its clock started is away: it "
            "is not judged for the rep and is not their breach; it is routing's to reassign. "
            f"Away this month: {held}."
        )
    if not k.working_away:
        return (
            "On the calendar clock every lead is judged, even one whose owner was out of office "
            "(the seed's rule); on working hours such a lead would be away, not the rep's breach."
        )
    return (
        "On the calendar clock every lead is judged, even one whose owner was out of office "
        f"(the seed's rule); on working hours those {count(k.working_away)} would be away (the "
        "owner out of office when the clock started), not the rep's breach."
    )


def delays_sentence(sla: SlaMonth) -> str:
    """The routing delay (MQL → assigned) beside the rep's (assigned → first touch), medians."""
    t = sla.tracking
    assert t is not None and t.clock is not None
    k, p = t.clock, sla.plan.params
    if k.routing_median_hours is None:
        return (
            "The history has no assigned_at for the MQLs judged, so the routing delay is unknown: "
            "the rep's delay counts from becoming an MQL."
        )
    text = (
        f"Routing took a median of {hours(k.routing_median_hours)} from becoming an MQL to "
        f"assignment (the system's delay); the reps then took a median of "
        f"{hours(k.rep_median_hours)} from assignment to a first touch (the rep's delay), in "
        "calendar hours over the first touches judged."
    )
    if p.clock_start == "mql_at":
        text += (
            " The rules' clock starts at mql_at, so routing time counts against the rep (the "
            "parameter clock_start: assigned_at would start it at assignment)."
        )
    return text


def speed_to_lead_clock(sla: SlaMonth) -> str:
    """Which hours the speed-to-lead bands count."""
    p = sla.plan.params
    start = "assignment" if p.clock_start == "assigned_at" else "becoming an MQL"
    if p.sla_clock == "working":
        return (
            f"The bands count the owner's working hours ({working_calendar(p)}) from {start}, "
            "as the first-touch rule does."
        )
    return f"The bands count calendar hours from {start}, as the first-touch rule does."


# ---- segments: one SLA per team, and the company's roll-up -------------------------------------
def unit_name(params: Params) -> str:
    """Whose SLA a run is: ``the company``, ``the SMB team``, ``the europe segment`` (labelled)."""
    if not params.segment_by or not params.segment:
        return "the company"
    word = "team" if params.segment_by == "team" else "segment"
    return f"the {segment_label(params.segment, params.segment_labels)} {word}"


def possessive(name: str) -> str:
    """``the smb team's``; ``the unassigned leads'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _members(params: Params) -> str:
    """Which MQLs a segment's pages count, in a reader's words."""
    word = "team" if params.segment_by == "team" else "segment"
    if params.segment == UNASSIGNED:
        return (
            "the leads with no owner, or an owner with no team"
            if word == "team"
            else "the leads with no segment"
        )
    if word == "team":
        return "the leads its reps owned when each became an MQL"
    return f"the leads whose segment is {params.segment}"


def page_intro(params: Params, page: str, *, goal_set: bool = True) -> str:
    """The paragraph under a page's title that names whose SLA it is (``summary``, ``target``).

    The company's pages say "the company's revenue goal"; a team's say the team's, and what
    its numbers are made of.
    """
    whose = possessive(goal_owner(params))
    if page == "target":
        return (
            f"How much revenue must marketing source this month? {capital(whose)} revenue goal "
            "for the month, times the share of it that marketing is expected to source."
        )
    backed = (
        f"The goal is backed out of {whose} revenue goal and what an MQL has been worth in the "
        "past, then checked against recent MQL volume."
        if goal_set
        else f"The goal is backed out of a revenue goal, and none is set for {goal_owner(params)} "
        "this month: these pages show what was delivered and how sales worked it."
    )
    text = (
        f"What must marketing deliver to sales this month, and can it? {backed} Then both sides "
        "are held to the agreement: did marketing deliver, and did sales work every MQL in time? "
        "Each step has its own page in this report; step 6, the scorecard, tracks the month, and "
        "step 7 keeps the record of every month."
    )
    if params.segment == UNASSIGNED and params.segment_by:
        word = segments_word(params.segment_by, 1)
        text += (
            f" Every number here is that of {_members(params)}, which no rule places in a {word}."
        )
    elif params.segment_by and params.segment:
        text += (
            f" Every number here is {possessive(unit_name(params))} own: its MQLs "
            f"({_members(params)}), what they are worth, its goal and its reps."
        )
    return text


def unit_title(params: Params) -> str:
    """The same, capitalised for a title: ``Company``, ``Team smb``, ``Segment europe``."""
    if not params.segment_by or not params.segment:
        return "Company"
    word = "team" if params.segment_by == "team" else "segment"
    if params.segment == UNASSIGNED and UNASSIGNED not in params.segment_labels:
        return f"Unassigned (no {word})"
    return f"{word.capitalize()} {segment_label(params.segment, params.segment_labels)}"


def report_title(params: Params) -> str:
    """The report's title: ``Marketing-to-Sales SLA``, with the team of a team's report."""
    title = "Marketing-to-Sales SLA"
    if params.segment_by and params.segment:
        return f"{title} · {unit_title(params)}"
    return title


def rollup_label(roll: Any, segment: str) -> str:
    """A segment's name on the company page and the index: its label, else its id."""
    labels = roll.segments[0].sla.params.segment_labels if roll.segments else {}
    return segment_label(segment, labels)


def segments_word(segment_by: str, n: int = 2) -> str:
    """``teams`` or ``segments`` (``team``/``segment`` for one)."""
    word = "team" if segment_by == "team" else "segment"
    return word if n == 1 else f"{word}s"


def rollup_headline(roll: Any) -> str:
    """The company page's first line: the summed goal, and what was delivered against it."""
    t = roll.total
    with_goal = [s.segment for s in roll.segments if s.line["goal_mqls"] is not None]
    n = len(with_goal)
    goal = (
        f"{count(t['goal_mqls'])} MQLs ({usd(t['lead_value_goal'])} of lead value)"
        if t["goal_mqls"] is not None
        else "no MQL goal"
    )
    whose = (
        f"its {count(n)} {segments_word(roll.segment_by, n)}' goals"
        if n != 1
        else f"the {rollup_label(roll, with_goal[0])} {segments_word(roll.segment_by, 1)}'s goal"
    )
    head = f"{roll.month_label}: the company's goal is {goal}, the sum of {whose}"
    if not roll.tracked or t["mqls"] is None:
        return sentence(head)
    got = f"{count(t['mqls'])} MQLs delivered"
    if t["lead_value"] is not None:
        got += f" ({dollars(t['lead_value'])}"
        got += (
            f", {percent(t['lead_value_attainment'])} of the lead-value goal)"
            if t["lead_value_attainment"] is not None
            else ")"
        )
    return sentence(f"{head}; {got}")


def rollup_note(roll: Any) -> str:
    """Why the roll-up adds the segments' goals instead of planning the company as one."""
    word = segments_word(roll.segment_by)
    return sentence(
        f"Each of the {word} is planned from its own history: its own sample and revenue per MQL, "
        f"its own reps and terms. Goals, MQLs and lead value add up across {word}; revenue per MQL "
        f"and the verdict do not, so they stay per {segments_word(roll.segment_by, 1)}. MQLs no "
        f"rule places in a {segments_word(roll.segment_by, 1)} are shown as unassigned, never "
        "dropped"
    )


def rollup_versus_company(roll: Any) -> str:
    """Why the company as one SLA (the steps of the index) has its own goal."""
    word = segments_word(roll.segment_by)
    return sentence(
        f"The steps below plan the company as one SLA from every lead: its MQL goal and the lead "
        f"value it was delivered are valued at the company's own revenue per MQL, so they differ "
        f"from the sums of the {word}' when their lead values differ. Each "
        f"{segments_word(roll.segment_by, 1)}'s own steps are on its pages"
    )


def unassigned_note(roll: Any, segment: Any) -> str:
    """The company page's one note for the ``unassigned`` segment: what it is and what to do.

    Replaces the three or four notes its plan raises (no won revenue, no revenue goal, no reps),
    each true of leads no rule places in a team, and each a consequence of that one fact.
    """
    word = segments_word(roll.segment_by, 1)
    line = segment.line
    sample = segment.sla.plan.revenue_per_mql.mqls
    counts = [f"{count(sample)} in the sample"]
    if line["mqls"] is not None:
        counts.insert(0, f"{count(line['mqls'])} in {roll.month_label}")
    if roll.segment_by == "team":
        why = f"no owner, or an owner with no {word}"
        fix = (
            "assign those leads to reps, and every rep to a team (reps.team, or rep_teams for a "
            "move), in the CRM, then import the export again"
        )
    else:
        why = "leads.segment is empty"
        fix = (
            "fill the column the mapping's segment: names for those leads in the CRM, then "
            "import the export again"
        )
    return sentence(
        f"MQLs in no {word} ({why}): {', '.join(counts)}. They count in what was delivered, but "
        f"have no goal, revenue per MQL or reps of their own; to count them for a {word}, {fix}"
    )


def dashboard_reasons(late: int, short: int) -> str:
    """``2 late first touches, 9 short cadences`` (a reason that is 0 is left out)."""
    parts = []
    if late:
        parts.append(f"{count(late)} late first {plural(late, 'touch', 'touches')}")
    if short:
        parts.append(f"{count(short)} short {plural(short, 'cadence')}")
    return ", ".join(parts) or "nothing"
