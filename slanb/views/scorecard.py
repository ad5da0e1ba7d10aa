"""The SLA scorecard (step 6) as notebook display objects: both promises judged through the month.

Marketing's delivery and pacing against the goal, sales' first touch and cadence, "don't be on
the dashboard", and speed-to-lead. Every function takes the month
(:class:`~slanb.engine.month.SlaMonth`) and shows a sentence from :mod:`slanb.views.sentences`
when the month has nothing to judge yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from IPython.display import HTML, Markdown

from slanb.engine.month import SlaMonth
from slanb.money import dec
from slanb.views import pages
from slanb.views.format import (
    capital,
    count,
    count_or_dash,
    dollars,
    hours,
    kind_list,
    months_span,
    segment,
    share,
    touches,
    usd,
)
from slanb.views.sentences import (
    away_rule,
    cadence_window,
    clock_comparison,
    clock_sentence,
    dashboard_reps,
    dashboard_rules,
    delays_sentence,
    empty_dashboard,
    first_touch_rule,
    gap_phrase,
    judged_when,
    not_begun,
    reps_on,
    short_or_over,
    speed_to_lead_clock,
    touch_allowance,
    tracking_label,
    tracking_sentence,
)
from slanb.views.sentences import (
    speed_to_lead_note as speed_note,
)
from slanb.views.tables import Column, esc, integer, markdown, rate, table, tracking_block

_LEAD_IDS_SHOWN = 5  # lead ids written out per rep; the rest fold into "and N more"


_DASHBOARD_TOP = 5  # reps in the summary page's compact dashboard


def tracking_headline(sla: SlaMonth) -> HTML:
    """How both sides kept the SLA this month, in one sentence, and when it was judged."""
    text = tracking_sentence(sla)
    if text is None:
        return tracking_block(f'<div class="slanb-subhead">{esc(not_begun(sla))}</div>')
    return tracking_block(
        f'<div class="slanb-label">{esc(tracking_label(sla))}</div>'
        f'<div class="slanb-subhead">{esc(text)}</div>'
        f'<p class="slanb-when">{esc(judged_when(sla))}</p>'
    )


def _tile(side: str, big: str, what: str, sub: str) -> str:
    return (
        f'<div class="slanb-tile"><div class="side">{esc(side)}</div>'
        f'<div class="big">{esc(big)}</div><div class="what">{esc(what)}</div>'
        f'<div class="sub">{esc(sub)}</div></div>'
    )


def scorecard(sla: SlaMonth) -> HTML:
    """Five tiles: MQLs and lead value against the goals; first touch, cadence, the dashboard."""
    t = sla.tracking
    if t is None:
        return HTML("")
    d, ft, c, p = t.delivery, t.first_touch, t.cadence, sla.basis.params
    reps, unassigned = dashboard_reps(sla)
    tiles = [
        _tile(
            "Marketing",
            share(d.attainment) if d.attainment is not None else count(d.mqls),
            "of the MQL goal" if d.attainment is not None else "MQLs delivered (no goal)",
            _mql_tile_note(sla),
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
            f"touched within {touch_allowance(p)}",
            f"{count(ft.met)} of {count(ft.judged, 'MQL')} judged" + _other_clock(sla),
        ),
        _tile(
            "Sales",
            share(c.met_share),
            f"got {touches(p.cadence_calls, p.cadence_kinds)} in {cadence_window(p)}",
            f"{count(c.met)} of {count(c.judged, 'MQL')} judged",
        ),
        _tile(
            "Sales",
            count(reps),
            f"{'rep' if reps == 1 else 'reps'} on the dashboard",
            "plus unassigned leads" if unassigned else "",
        ),
    ]
    return tracking_block(f'<div class="slanb-tiles">{"".join(tiles)}</div>')


def _other_clock(sla: SlaMonth) -> str:
    """`` (88% on working hours)`` (or on the calendar clock): the other clock, for a tile."""
    t = sla.tracking
    assert t is not None
    k = t.clock
    if k is None or not k.compared:
        return ""
    if k.sla_clock == "working":
        other, name = k.calendar_share, "on the calendar clock"
    else:
        other, name = k.working_share, "on working hours"
    return f" ({share(other)} {name})" if other is not None else ""


def _mql_tile_note(sla: SlaMonth) -> str:
    """``1,103 of 1,121 MQLs``; part-way, with where the goal line stands: ``542 due by Oct 15``."""
    t = sla.tracking
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


def tracking_notes(sla: SlaMonth) -> HTML:
    """The tracking's notes (judged as of, no goal, unvalued MQLs) in a callout; empty when none."""
    t = sla.tracking
    if t is None or not t.messages:
        return HTML("")
    items = "".join(f"<li>{esc(m)}</li>" for m in t.messages)
    return tracking_block(
        f'<div class="slanb-note"><strong>About these numbers</strong><ul>{items}</ul></div>'
    )


def _nothing_yet(sla: SlaMonth) -> Markdown:
    return markdown("*Nothing to show yet (see above).*")


def delivery_summary(sla: SlaMonth) -> Markdown:
    """Marketing's side in sentences: MQLs and lead value against the goals, and the mix."""
    t = sla.tracking
    if t is None:
        return _nothing_yet(sla)
    d = t.delivery
    so_far = " so far" if t.in_progress else ""
    if d.goal_mqls is None:
        lines = [f"Marketing delivered **{count(d.mqls, 'MQL')}**{so_far}; there is no MQL goal."]
    else:
        lines = [
            f"Marketing delivered **{count(d.mqls, 'MQL')}**{so_far} against a goal of "
            f"{count(d.goal_mqls)}: **{share(d.attainment)}** of it, "
            + short_or_over(d.goal_mqls - d.mqls, count, t.in_progress)
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
            + short_or_over(d.lead_value_goal - d.lead_value, dollars, t.in_progress)
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
    return markdown(" ".join(lines))


def delivery_table(sla: SlaMonth) -> HTML:
    """MQLs and lead value delivered per bucket, their shares, the total and the goal."""
    t = sla.tracking
    if t is None:
        return HTML("")
    d = t.delivery
    rows = [
        (
            "",
            segment(r["intent"], r["fit"]),
            count(r["mqls"]),
            share(r["mqls"] / d.mqls) if d.mqls else "n/a",
            usd(r["lead_value_per_mql"]),
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
    head = "".join(f'<th class="{"num" if i else ""}">{esc(h)}</th>' for i, h in enumerate(heads))
    body = "".join(
        f'<tr class="{css}">'
        + "".join(f'<td class="{"num" if i else ""}">{esc(v)}</td>' for i, v in enumerate(cells))
        + "</tr>"
        for css, *cells in rows
    )
    return tracking_block(
        f'<table class="slanb-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def pacing_summary(sla: SlaMonth) -> Markdown:
    """Where delivery stood against the goal line on the last day judged, and how often behind."""
    t = sla.tracking
    if t is None:
        return _nothing_yet(sla)
    p = t.pacing
    if p.is_empty() or p["goal_to_date"].null_count() == p.height:
        return markdown(
            "There is no MQL goal this month, so delivery has no goal line to pace against."
        )
    last = p.row(-1, named=True)
    parts = [gap_phrase(last["gap"], "MQLs")]
    if last["lead_value_gap"] is not None:
        parts.append(gap_phrase(last["lead_value_gap"], "lead value"))
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
    return markdown(
        f"On {day}, {last_day}, marketing was {where}. It was behind the goal line (in MQLs) "
        f"on {days}."
    )


def waterfall_summary(sla: SlaMonth) -> Markdown:
    """The waterfall in words: the bucket that brought the most, and the gap or surplus."""
    t = sla.tracking
    if t is None:
        return _nothing_yet(sla)
    d = t.delivery
    if d.lead_value is None:
        return markdown(
            "No waterfall: the lead value delivered is undefined, because some MQLs are in "
            "buckets with no value (see the notes above)."
        )
    if not d.lead_value:
        return markdown("No lead value delivered yet, so no bucket has contributed.")
    top = d.by_bucket.sort("lead_value", descending=True).row(0, named=True)
    text = (
        f"The most lead value came from **{segment(top['intent'], top['fit'])}**: "
        f"{dollars(top['lead_value'])}, {share(top['lead_value'] / d.lead_value)} of the "
        f"{dollars(d.lead_value)} delivered."
    )
    goal = d.lead_value_goal
    if goal is None:
        return markdown(text + " There is no lead-value goal to build up to.")
    if goal == 0:
        return markdown(text + " The lead-value goal is $0, so all of it is surplus.")
    missing = goal - d.lead_value
    if missing > 0:
        what = "Still to deliver" if t.in_progress else "The gap to the goal"
        text += f" {what}: **{dollars(missing)}**, {share(missing / goal)} of the goal."
    elif missing < 0:
        text += f" The surplus over the goal: **{dollars(-missing)}**, {share(-missing / goal)}."
    else:
        text += " The goal is met exactly."
    return markdown(text)


def compliance_summary(sla: SlaMonth) -> Markdown:
    """Sales' two promises: the rules, then how many MQLs met each, and how fast they were touched."""
    t = sla.tracking
    if t is None:
        return _nothing_yet(sla)
    ft, c, p = t.first_touch, t.cadence, sla.basis.params
    rules = (
        f"**First touch**: a {kind_list(p.first_touch_kinds)} {first_touch_rule(p)}. "
        f"**Cadence**: at least {touches(p.cadence_calls, p.cadence_kinds)} in the first "
        f"{cadence_window(p)} (an MQL with a deal created in that window is excluded). "
        f"Each MQL is judged once per rule, in the month its deadline falls in."
    )
    if ft.judged:
        never = f", {count(ft.never_touched)} of them never touched" if ft.never_touched else ""
        first = (
            f"**{share(ft.met_share)}** of the {count(ft.judged, 'MQL')} judged were touched in "
            f"time ({count(ft.met)} met, {count(ft.breached)} breached{never}). Half were touched "
            f"within **{hours(ft.median_hours)}**, nine in ten within **{hours(ft.p90_hours)}**"
            f"{' (working hours)' if p.sla_clock == 'working' else ''}."
        )
    else:
        first = f"No first-touch deadline fell in {t.month_label}{' yet' if t.in_progress else ''}."
    if c.judged:
        excluded = f"; {count(c.excluded)} excluded for a deal" if c.excluded else ""
        cadence = (
            f"**{share(c.met_share)}** of the {count(c.judged, 'MQL')} judged on the cadence "
            f"got their {touches(p.cadence_calls, p.cadence_kinds)} ({count(c.met)} met, {count(c.breached)} breached{excluded})."
        )
    else:
        cadence = f"No cadence deadline fell in {t.month_label}{' yet' if t.in_progress else ''}."
    pending = ""
    if ft.pending or c.pending:
        pending = (
            f" Pending (deadline later in the month): {count(ft.pending)} first touches, "
            f"{count(c.pending)} cadences."
        )
    k = t.clock
    if k is not None and (k.away or k.cadence_away):
        pending += (
            f" Away (the owner out of office when the clock started, not judged for the rep): "
            f"{count(k.away)} first touches, {count(k.cadence_away)} cadences."
        )
    return markdown(f"{rules}\n\n{first} {cadence}{pending}")


def compliance_table(sla: SlaMonth) -> HTML:
    """Both rules side by side: judged, met, breached, share met, pending, excluded."""
    t = sla.tracking
    if t is None:
        return HTML("")
    ft, c, p = t.first_touch, t.cadence, sla.basis.params
    rows = [
        {
            "rule": f"First touch within {touch_allowance(p)}",
            "judged": ft.judged,
            "met": ft.met,
            "breached": ft.breached,
            "share": ft.met_share,
            "pending": ft.pending,
            "excluded": None,
        },
        {
            "rule": f"{capital(touches(p.cadence_calls, p.cadence_kinds))} in {cadence_window(p)}",
            "judged": c.judged,
            "met": c.met,
            "breached": c.breached,
            "share": c.met_share,
            "pending": c.pending,
            "excluded": c.excluded,
        },
    ]
    return table(
        rows,
        [
            Column("rule", "Promise", esc),
            Column("judged", "MQLs judged", integer, numeric=True),
            Column("met", "Met", integer, numeric=True),
            Column("breached", "Breached", integer, numeric=True),
            Column("share", "Share met", share, numeric=True),
            Column("pending", "Pending", integer, numeric=True),
            Column("excluded", "Excluded (deal)", count_or_dash, True),
        ],
    )


def _lead_ids(ids: Sequence[str]) -> str:
    """The first few lead ids, the rest folded into ``and N more`` that opens to the full list."""
    shown = ", ".join(esc(i) for i in ids[:_LEAD_IDS_SHOWN])
    more = len(ids) - _LEAD_IDS_SHOWN
    if more <= 0:
        return shown
    return (
        f"<details><summary>{shown} and {count(more)} more</summary>"
        f"{', '.join(esc(i) for i in ids[_LEAD_IDS_SHOWN:])}</details>"
    )


def _rep_name(row: dict[str, Any]) -> str:
    if row["rep_id"] == "unassigned":
        return "<em>Unassigned (no owner)</em>"
    return esc(row["name"])


def dashboard_table(sla: SlaMonth) -> HTML:
    """The "don't be on the dashboard" table: each rep with a breach, and the leads concerned."""
    t = sla.tracking
    if t is None:
        return tracking_block("<p><em>Nothing to show yet (see above).</em></p>")
    if t.dashboard.is_empty():
        return tracking_block(f"<p>{esc(empty_dashboard(sla))}</p>")
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
    return tracking_block(
        f"<p>{esc(dashboard_rules(sla))}</p>"
        f'<table class="slanb-table"><thead>{head}</thead><tbody>{rows}</tbody></table>'
    )


def dashboard_summary(sla: SlaMonth) -> HTML:
    """The dashboard in brief for the summary page: the top reps, and where the rest are."""
    t = sla.tracking
    link = f'<a href="{pages.html(pages.SCORECARD)}">the SLA scorecard (step 6)</a>'
    if t is None:
        return tracking_block(f"<p>{esc(not_begun(sla))}</p>")
    if t.dashboard.is_empty():
        return tracking_block(
            f"<p>{esc(empty_dashboard(sla))} Delivery, pacing and the rules are on {link}.</p>"
        )
    reps, unassigned = dashboard_reps(sla)
    lead = (
        f"<p><strong>{esc(capital(reps_on(reps)))} "
        f"{'is' if reps == 1 else 'are'} on the dashboard</strong> for {esc(t.month_label)}"
        f"{', plus unassigned leads' if unassigned and reps else ''}. "
        f"{esc(dashboard_rules(sla))}</p>"
    )
    top = t.dashboard.head(_DASHBOARD_TOP).to_dicts()
    rows = "".join(
        f'<tr><td>{_rep_name(r)}</td><td class="num">{count(r["late_first_touch"])}</td>'
        f'<td class="num">{count(r["short_cadence"])}</td></tr>'
        for r in top
    )
    head = '<tr><th>Rep</th><th class="num">Late first touches</th><th class="num">Short cadences</th></tr>'
    shown = {r["rep_id"] for r in top}
    rest = [r for r in t.dashboard["rep_id"].to_list() if r not in shown]
    more_reps = sum(1 for r in rest if r != "unassigned")
    others = [count(more_reps, "more rep")] if more_reps else []
    others += ["the unassigned leads"] if "unassigned" in rest else []
    more = f"The {' and '.join(others)} on the dashboard, the" if others else "The"
    return tracking_block(
        f'{lead}<table class="slanb-table"><thead>{head}</thead><tbody>{rows}</tbody></table>'
        f"<p>{more} leads concerned for each rep, and marketing's delivery day by day are on "
        f"{link}.</p>"
    )


def speed_to_lead_table(sla: SlaMonth) -> HTML:
    """The sample's MQLs by time to first touch: how many, SQL rate, won rate, hand-raiser share."""
    t = sla.tracking
    if t is None:
        return HTML("")
    rows = [
        {**r, "band": "Never touched" if r["band"] == "never" else r["band"]}
        for r in t.speed_to_lead.to_dicts()
    ]
    return table(
        rows,
        [
            Column("band", "First touched within", esc),
            Column("mqls", "MQLs", integer, numeric=True),
            Column("sql_rate", "SQL rate", rate, numeric=True),
            Column("won_rate", "Won rate", rate, numeric=True),
            Column("hand_raiser_share", "Hand-raisers", share, numeric=True),
        ],
    )


def speed_to_lead_note(sla: SlaMonth) -> HTML:
    """The sample the bands come from, and the engine's warning: hand-raisers are called faster."""
    t = sla.tracking
    if t is None:
        return tracking_block("<p><em>Nothing to show yet (see above).</em></p>")
    r = sla.plan.revenue_per_mql
    sample = (
        f"The sample is the MQLs of {months_span(r.window_start, r.window_end)}, "
        f"the same months that value an MQL (step 2). {speed_to_lead_clock(sla)}"
    )
    return tracking_block(
        f"<p>{esc(sample)}</p>"
        f'<div class="slanb-callout"><strong>Read with care.</strong> '
        f"{esc(speed_note(sla))}</div>"
    )


# ---- the clock and the delays ------------------------------------------------------------------
def clock_summary(sla: SlaMonth) -> Markdown:
    """Which clock the rules run on, the first touch on both clocks, and the out-of-office rule."""
    t = sla.tracking
    if t is None or t.clock is None:
        return _nothing_yet(sla)
    return markdown(f"**{clock_sentence(sla)}**\n\n{clock_comparison(sla)} {away_rule(sla)}")


def clock_table(sla: SlaMonth) -> HTML:
    """First touch on the calendar clock and on working hours, side by side, the rule marked."""
    t = sla.tracking
    if t is None or t.clock is None:
        return HTML("")
    k, p = t.clock, sla.plan.params
    h = count(p.first_touch_hours)
    rule = " (the rule)"
    rows = [
        {
            "clock": f"Calendar clock: within {h} h{'' if p.sla_clock == 'working' else rule}",
            "judged": k.calendar_judged,
            "met": k.calendar_met,
            "breached": k.calendar_breached,
            "share": k.calendar_share,
            "away": None,
            "median": k.raw_median_hours,
        },
    ]
    if k.compared and k.working_judged is not None and k.working_met is not None:
        # on the calendar clock (both rules) the working side is not computed: one row
        rows.append(
            {
                "clock": f"Working hours: within {h} working hours"
                f"{rule if p.sla_clock == 'working' else ''}",
                "judged": k.working_judged,
                "met": k.working_met,
                "breached": k.working_breached,
                "share": k.working_share,
                "away": k.working_away,
                "median": k.working_median_hours,
            }
        )
    return table(
        rows,
        [
            Column("clock", "First touch", esc),
            Column("judged", "MQLs judged", integer, numeric=True),
            Column("met", "Met", integer, numeric=True),
            Column("breached", "Breached", integer, numeric=True),
            Column("share", "Share met", share, numeric=True),
            Column("away", "Away (out of office)", count_or_dash, True),
            Column("median", "Median to first touch", hours, numeric=True),
        ],
    )


def delays_summary(sla: SlaMonth) -> Markdown:
    """The routing delay (MQL → assigned) beside the rep's delay (assigned → first touch)."""
    t = sla.tracking
    if t is None or t.clock is None:
        return _nothing_yet(sla)
    return markdown(delays_sentence(sla))


def delays_table(sla: SlaMonth) -> HTML:
    """Per rep: first touches judged, median routing delay, median rep's delay, leads away."""
    t = sla.tracking
    if t is None or t.clock is None:
        return HTML("")
    k = t.clock
    judged = dict(zip(t.first_touch.by_rep["rep_id"], t.first_touch.by_rep["judged"], strict=True))
    away_key = "away" if k.sla_clock == "working" else "working_away"
    rows = [
        {
            "name": _rep_name(r),
            "judged": judged.get(r["rep_id"], 0),
            "routing": r["routing_median_hours"],
            "rep": r["rep_median_hours"],
            "away": r[away_key],
        }
        for r in k.by_rep.sort("name").to_dicts()
    ]
    rows.append(
        {
            "name": "<strong>All reps</strong>",
            "judged": t.first_touch.judged,
            "routing": k.routing_median_hours,
            "rep": k.rep_median_hours,
            "away": k.away if k.sla_clock == "working" else k.working_away,
        }
    )
    away = "Away (out of office)" if k.sla_clock == "working" else "Would be away on working hours"
    return table(
        rows,
        [
            Column("name", "Rep", str),
            Column("judged", "First touches judged", integer, numeric=True),
            Column("routing", "Routing: MQL → assigned (median)", hours, numeric=True),
            Column("rep", "Rep: assigned → first touch (median)", hours, numeric=True),
            Column("away", away, integer, numeric=True),
        ],
    )
