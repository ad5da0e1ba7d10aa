"""Display building blocks for the notebooks: tables, Markdown and HTML blocks, escaping.

>>> table([{"n": 1234}], [Column("n", "MQLs", integer, numeric=True)]).data.count("1,234")
1
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from IPython.display import HTML, Markdown

from slanb.views.format import count, percent
from slanb.views.theme import TABLE_CSS, TRACKING_CSS


def markdown(text: str) -> Markdown:
    """Markdown with every ``$`` escaped, so JupyterLab and nbconvert never read money as LaTeX."""
    return Markdown(text.replace("$", "\\$"))


def html_block(body: str) -> HTML:
    """HTML in a block MathJax leaves alone (JupyterLab typesets ``$…$`` in trusted HTML too)."""
    return HTML(f'{TABLE_CSS}<div class="slanb tex2jax_ignore mathjax_ignore">{body}</div>')


def tracking_block(body: str) -> HTML:
    """:func:`html_block` with the tracking styles (tiles, total rows, lead ids)."""
    return html_block(TRACKING_CSS + body)


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
    return html_block(f'<table class="slanb-table">{thead}<tbody>{body}</tbody></table>')


def esc(x: Any) -> str:
    """``x`` as HTML text (None as nothing): CRM text reaches a page only through here."""
    return html.escape("" if x is None else str(x))


def integer(x: Any) -> str:
    """A table cell's count: ``1,234``."""
    return count(x)


def rate(x: Any) -> str:
    """A table cell's rate: ``4.9%``."""
    return percent(x, 1)
