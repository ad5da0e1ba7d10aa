"""The report's pages in reading order: one notebook each, its short title in the navigation.

The one list of pages: the report builds these notebooks, the index links them, the e-mail attaches
the summary page, and the summary page links the scorecard.
"""

from __future__ import annotations

PAGES = (
    ("00_sla_summary", "Summary"),
    ("01_historical_volume", "1 Volume"),
    ("02_revenue_per_mql", "2 MQL value"),
    ("03_revenue_target", "3 Target"),
    ("04_goal_backsolve", "4 Goal"),
    ("05_cross_check", "5 Cross-check"),
    ("06_sla_scorecard", "6 Scorecard"),
    ("07_sla_record", "7 Record"),
)
NAMES = tuple(name for name, _ in PAGES)
SHORT = dict(PAGES)
SUMMARY, SCORECARD, RECORD = NAMES[0], "06_sla_scorecard", "07_sla_record"


def html(name: str) -> str:
    """``06_sla_scorecard.html``: the page file of notebook ``name`` in a built report."""
    return f"{name}.html"
