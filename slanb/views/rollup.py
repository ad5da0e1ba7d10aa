"""The company page of a report with segments: goals and delivery per team and in total.

Each function takes the :class:`~slanb.engine.rollup.Rollup` and returns HTML text (the company
page is one template, not a notebook: it reads every segment's SLA at once). ``href`` maps a
segment to the folder of its own pages, ending in ``/`` (``smb/``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slanb.engine.rollup import Rollup
from slanb.engine.segments import UNASSIGNED
from slanb.views.format import count, count_or_dash, percent, usd
from slanb.views.sentences import (
    dashboard_reasons,
    rollup_headline,
    rollup_label,
    rollup_note,
    rollup_versus_company,
    segments_word,
    unassigned_note,
)
from slanb.views.tables import esc
from slanb.views.theme import SLATE, VERDICT_COLORS, VERDICT_WORDS


def _share(met: Any, judged: Any) -> str:
    if not judged:
        return "—"
    return f"{percent(met / judged)} <span class='of'>of {count(judged)}</span>"


def _money(x: Any) -> str:
    return "—" if x is None else usd(x)


def _verdict(verdict: str | None) -> str:
    if not verdict:
        return "—"
    color = VERDICT_COLORS.get(verdict, SLATE)
    word = VERDICT_WORDS.get(verdict, verdict)
    return f'<span class="verdict" style="background: {color}">{esc(word)}</span>'


def _attained(x: Any) -> str:
    return "—" if x is None else percent(x)


_COLUMNS: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
    ("Revenue goal", "num", lambda r: _money(r["revenue_goal"])),
    ("Revenue per MQL", "num", lambda r: _money(r.get("revenue_per_mql"))),
    ("MQL goal", "num", lambda r: count_or_dash(r["goal_mqls"])),
    ("Lead-value goal", "num", lambda r: _money(r["lead_value_goal"])),
    ("Verdict", "", lambda r: _verdict(r.get("verdict"))),
    ("MQLs delivered", "num", lambda r: count_or_dash(r["mqls"])),
    ("Lead value delivered", "num", lambda r: _money(r["lead_value"])),
    ("of its goal", "num", lambda r: _attained(r["lead_value_attainment"])),
    ("First touch on time", "num", lambda r: _share(r["first_touch_met"], r["first_touch_judged"])),
    ("Cadence kept", "num", lambda r: _share(r["cadence_met"], r["cadence_judged"])),
    ("Reps on the dashboard", "num", lambda r: count_or_dash(r["on_dashboard"])),
)


def goals_table(roll: Rollup, href: Callable[[str], str]) -> str:
    """One row per segment (its name links its pages), then the company's total."""
    word = segments_word(roll.segment_by, 1).capitalize()
    head = f"<th>{word}</th>" + "".join(
        f'<th class="{cls}">{esc(label)}</th>' for label, cls, _ in _COLUMNS
    )
    rows = []
    for s in roll.segments:
        line = s.line
        cells = "".join(f'<td class="{cls}">{fmt(line)}</td>' for _, cls, fmt in _COLUMNS)
        name = (
            f'<a href="{esc(href(s.segment))}index.html">{esc(rollup_label(roll, s.segment))}</a>'
        )
        rows.append(f"<tr><td>{name}</td>{cells}</tr>")
    total = {**roll.total, "revenue_per_mql": None, "verdict": None}
    cells = "".join(f'<td class="{cls}">{fmt(total)}</td>' for _, cls, fmt in _COLUMNS)
    rows.append(f'<tr class="total"><td>Company</td>{cells}</tr>')
    return (
        f'<table class="rollup"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def dashboard_by_segment(roll: Rollup, href: Callable[[str], str]) -> str:
    """The "don't be on the dashboard" list grouped by team: each rep on it, and for what."""
    if not roll.tracked:
        return "<p>The month has not begun, so no one is on the dashboard yet.</p>"
    parts = []
    for s in roll.segments:
        t = s.sla.tracking
        if t is None:
            continue
        rows = t.dashboard.to_dicts()
        label = esc(rollup_label(roll, s.segment))
        link = f'<a href="{esc(href(s.segment))}06_sla_scorecard.html">{label}</a>'
        if not rows:
            parts.append(f"<h3>{link}</h3><p>No rep is on the dashboard.</p>")
            continue
        items = "".join(
            f"<li><strong>{esc(r['name'] or 'No owner')}</strong>: "
            f"{esc(dashboard_reasons(r['late_first_touch'], r['short_cadence']))}</li>"
            for r in rows
        )
        parts.append(f"<h3>{link}</h3><ul>{items}</ul>")
    return "".join(parts)


def company_messages(roll: Rollup) -> list[str]:
    """The company page's notes: each segment's, ``unassigned``'s as one note on what to do.

    Without a goal of its own, the unassigned segment's notes (no won revenue, no revenue goal, no
    reps) all follow from its leads being in no team; its own pages keep each one.
    """
    out = []
    for s in roll.segments:
        if s.segment == UNASSIGNED and s.line["revenue_goal"] is None:
            out.append(f"{rollup_label(roll, s.segment)}: {unassigned_note(roll, s)}")
            continue
        out.extend(f"{rollup_label(roll, s.segment)}: {m}" for m in s.sla.basis.messages)
    return out


def company_body(roll: Rollup, href: Callable[[str], str]) -> dict[str, str]:
    """Everything the company page states, as HTML and text pieces for its template."""
    return {
        "headline": rollup_headline(roll),
        "note": rollup_note(roll),
        "goals": goals_table(roll, href),
        "dashboard": dashboard_by_segment(roll, href),
        "word": segments_word(roll.segment_by, 1),
        "messages": company_messages(roll),
    }


def segment_links(roll: Rollup, href: Callable[[str], str], company: str) -> str:
    """The index's block linking the company page and each segment's pages."""
    word = segments_word(roll.segment_by, 1)
    items = "".join(
        f'<li><a href="{esc(href(s.segment))}index.html">{esc(rollup_label(roll, s.segment))}</a>: '
        + (
            f"{count(s.line['goal_mqls'])} MQL goal, "
            if s.line["goal_mqls"] is not None
            else "no goal, "
        )
        + f"{count_or_dash(s.line['mqls'])} delivered</li>"
        for s in roll.segments
    )
    return (
        "<style>.segments a { color: #2f6fbd; text-decoration: none; font-weight: 600; }"
        " .segments ul { margin: 4px 0 8px; }</style>"
        f'<div class="segments"><p class="tracking"><span class="label">By {esc(word)}</span><br>'
        f"{esc(rollup_headline(roll))} "
        f'<a href="{esc(company)}">The company page&nbsp;→</a></p><ul>{items}</ul>'
        f"<p class='run'>{esc(rollup_versus_company(roll))}</p></div>"
    )


def back_links(roll: Rollup, segment: str, company: str) -> str:
    """A segment's index: where it sits in the company's report."""
    word = segments_word(roll.segment_by, 1)
    return (
        "<style>.back a { color: #2f6fbd; text-decoration: none; }</style>"
        f'<p class="run back">{esc(word.capitalize())} {esc(rollup_label(roll, segment))} of the '
        "company's report: "
        f'<a href="../{esc(company)}">the company page</a> · '
        '<a href="../index.html">the company as one SLA</a></p>'
    )
