"""Page 07, the SLA as a record: both promises month by month, the year to date, the headline.

Each function takes the month (:class:`~slanb.engine.month.SlaMonth`) and returns what a notebook
cell displays; every sentence comes from :mod:`slanb.views.sentences`.
"""

from __future__ import annotations

from typing import Any

from IPython.display import HTML, Markdown

from slanb.engine.month import SlaMonth
from slanb.months import month_label
from slanb.views.format import count, dollars, share
from slanb.views.sentences import (
    basis_sentence,
    record_headline,
    record_uncommitted,
    record_year_to_date,
)
from slanb.views.tables import Column, esc, markdown, table, tracking_block
from slanb.views.theme import MUTED

_MARKS = {"committed": "", "amended": "amended", "computed": "no commitment"}


def headline(sla: SlaMonth) -> HTML:
    """The record in one sentence, and what this month is judged against."""
    text = record_headline(sla) or "The record holds no complete month yet."
    return tracking_block(
        f'<p class="slanb-headline">{esc(text)}</p><p>{esc(basis_sentence(sla))}</p>'
    )


def _pct(x: Any) -> str:
    return "n/a" if x is None else esc(share(x))


def _money(x: Any) -> str:
    return "n/a" if x is None else esc(dollars(x))


def _n(x: Any) -> str:
    return "–" if x is None else esc(count(x))


def _month(row: dict[str, Any], *, marked: bool = True) -> str:
    mark = _MARKS.get(row["basis"], "") if marked else ""
    if row.get("in_progress"):
        mark = ", ".join(m for m in (mark, "so far") if m)
    label = esc(month_label(row["month"])) if row["month"] else "<strong>Year to date</strong>"
    label = f'<span style="white-space: nowrap">{label}</span>'
    return label + (f' <span style="color: {MUTED}">({esc(mark)})</span>' if mark else "")


def _met(x: Any) -> str:
    if x is None:
        return "n/a"
    mark = "✔" if x >= 1 else "✘"
    return f"{_pct(x)} {mark}"


def months_table(sla: SlaMonth) -> HTML:
    """Month by month, side by side: each goal and its delivery, both rules, the dashboard.

    Then the year to date. Months with no commitment, amended, or still in progress are marked.
    """
    r = sla.record
    if r is None or r.months.is_empty():
        return tracking_block("<p>The record holds no month yet.</p>")
    rows = r.months.to_dicts()
    y = r.year_to_date
    rows.append(
        {
            **y,
            "month": None,
            "basis": "",
            "in_progress": False,
            "reps_on_dashboard": None,
            "first_touch_hours": None,
        }
    )
    columns = [
        Column("month", "Month", lambda v: v),
        Column("goal_mqls", "MQL goal", _n, numeric=True),
        Column("mqls", "MQLs delivered", _n, numeric=True),
        Column("attainment", "Attained", _met, numeric=True),
        Column("lead_value_goal", "Lead-value goal", _money, numeric=True),
        Column("lead_value", "Lead value delivered", _money, numeric=True),
        Column("lead_value_attainment", "Attained", _met, numeric=True),
        Column("touch_share", "First touch on time", _pct, numeric=True),
        Column("cadence_share", "Cadence kept", _pct, numeric=True),
        Column("reps_on_dashboard", "Reps on the dashboard", _n, numeric=True),
    ]
    # every month without a commitment: said once under the table, not on every row
    uncommitted = r.months["basis"].to_list().count("computed") == r.months.height
    for row in rows:
        row["month"] = _month(row, marked=not uncommitted)
    shown = table(rows, columns)
    if not uncommitted:
        return shown
    note = f'<p style="color: {MUTED}">{esc(record_uncommitted())}</p>'
    return HTML(shown.data + note)


def reading_notes(sla: SlaMonth) -> Markdown:
    """How to read the table: what each month is judged against."""
    return markdown(
        "Each month is judged against its **commitment** (the goals, lead values and sales terms "
        "recorded by `slanb commit` when the month began), so a later re-import or a change of "
        "parameters does not move a target already agreed. A month marked *no commitment* is "
        "judged against the goal the method computes for it **now**; *amended* means its "
        "commitment was changed, with a reason, after it was first recorded (both versions are "
        "kept in the ledger). ✔ marks a goal met; the year to date sums January to this month."
    )


def summary_section(sla: SlaMonth) -> HTML:
    """The summary page's record: the headline, the year to date, a link to page 07."""
    from slanb.views import pages

    text = record_headline(sla) or "The record holds no complete month yet."
    ytd = record_year_to_date(sla)
    ytd = f"<p>{esc(ytd)}</p>" if ytd else ""
    link = f'<a href="{pages.html(pages.RECORD)}">the record, month by month (step 7)</a>'
    return tracking_block(
        f'<p class="slanb-headline">{esc(text)}</p>{ytd}<p>{esc(basis_sentence(sla))} '
        f"See {link}.</p>"
    )
