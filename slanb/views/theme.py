"""The one look of slanb: palette, verdict words and colours, table styles, the Altair theme.

Every surface takes its colours from here: the chart theme, the notebook tables, the report's
index page and the e-mail (which never imports Altair: :func:`use_altair` imports it only when a
chart is drawn).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

THEME = "slanb"
FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#7b8794"
SLATE = "#52606d"
BLUE = "#2f6fbd"
ORANGE = "#d9822b"
RED = "#c23030"
GREEN = "#2b8a3e"
SHADE = "#e4e7eb"
LINE = "#cbd2d9"
PALE_BLUE = "#9fb8d8"  # a bar beside the blue one (the goal split)
PALE_GREY = "#9aa5b1"  # months left out of the sample
PAPER = "#f5f7fa"  # behind the e-mail
CALLOUT = "#fff8ed"  # behind a "read this first" note
WIDTH = 620
HEIGHT = 260

VERDICT_WORDS = {
    "realistic": "Realistic",
    "stretch": "A stretch",
    "unrealistic": "Unrealistic",
}


VERDICT_COLORS = {"realistic": "#2b8a3e", "stretch": "#d9822b", "unrealistic": "#c23030"}


TABLE_CSS = """<style>
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


TRACKING_CSS = """<style>
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


def _altair_theme() -> dict[str, Any]:
    """The one look of every slanb chart: quiet axes, readable type, one blue for MQLs."""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None},
            "title": {
                "fontSize": 15,
                "fontWeight": 600,
                "anchor": "start",
                "color": INK,
                "subtitleColor": MUTED,
                "subtitleFontSize": 12,
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 500,
                "titleColor": MUTED,
                "labelColor": INK,
                "gridColor": "#eef0f2",
                "domainColor": "#cbd2d9",
                "tickColor": "#cbd2d9",
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "top",
                "labelLimit": 400,
            },
            "bar": {"color": BLUE},
            "line": {"color": BLUE, "strokeWidth": 2.5},
            "point": {"color": BLUE, "filled": True, "size": 50},
            "text": {"fontSize": 12, "color": INK},
            "range": {"category": [BLUE, ORANGE, "#3e9e6f", "#8e5cb5", MUTED]},
        },
    }


class _ScriptSafeJSON(json.JSONEncoder):
    r"""JSON that cannot close the ``<script>`` it is embedded in.

    Altair writes each chart's spec, data included, into a ``<script>`` block; a rep named
    ``</script><script>alert(1)</script>`` would end that block and run. ``<``, ``>`` and ``&`` only
    occur inside JSON strings, so writing them as ``\u003c`` … is exact and reads back the same.

    >>> print(json.dumps({"name": "</script>"}, cls=_ScriptSafeJSON))
    {"name": "\u003c/script\u003e"}
    """

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:  # noqa: D102
        for chunk in super().iterencode(o, _one_shot):
            yield chunk.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def use_altair() -> None:
    """Register and enable the slanb theme and the script-safe renderer (once per process)."""
    import altair as alt

    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=True)(_altair_theme)
    alt.theme.enable(THEME)
    # Readers get the chart, not Vega-Embed's "…" menu of export and editor links; data from the CRM
    # (rep names) goes into the page as script-safe JSON.
    alt.renderers.enable(None, embed_options={"actions": False}, json_kwds={"cls": _ScriptSafeJSON})
