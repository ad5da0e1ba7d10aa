"""Every number-to-text rule, written once: counts, money, shares, hours, activity kinds, buckets.

A notebook page, the report's index, the terminal and the e-mail all format through these, so a
share reads the same everywhere. Money's own rounding lives in :mod:`slanb.money` (``usd`` and
``dollars`` are re-exported here).

>>> count(1234), count(2.5, "rep"), share(0.9839), usd(100.125), dollars(738439.5)
('1,234', '2.5 reps', '98%', '$100.13', '$738,440')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from slanb.money import dollars, usd
from slanb.months import month_label

__all__ = [
    "FIT_LABELS",
    "INTENT_LABELS",
    "capital",
    "count",
    "count_or_dash",
    "day",
    "dollars",
    "hours",
    "in_words",
    "kind_list",
    "months_span",
    "percent",
    "plural",
    "segment",
    "segment_label",
    "sentence",
    "share",
    "touches",
    "usd",
    "weekdays",
    "whole",
]

INTENT_LABELS = {"hand_raiser": "Hand-raiser", "other": "Other", "unknown": "Unknown"}
FIT_LABELS = {"A": "Fit A", "B": "Fit B", "C": "Fit C", "unknown": "Unknown"}


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


def segment_label(name: str, labels: Mapping[str, str]) -> str:
    """How the pages name a segment (team): its label from ``segment_labels``, else its id as written.

    >>> segment_label("smb", {"smb": "SMB"}), segment_label("mid_market", {"smb": "SMB"})
    ('SMB', 'mid_market')
    """
    return labels.get(name) or name


def capital(text: str) -> str:
    """``text`` with its first letter upper-cased (the rest left as written).

    >>> capital("5 calls in 14 days")
    '5 calls in 14 days'
    >>> capital("no rep")
    'No rep'
    """
    return text[:1].upper() + text[1:]


def count_or_dash(x: float | None) -> str:
    """A table cell's count, or ``—`` where the count does not apply (None)."""
    return "—" if x is None else count(x)


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``touch`` for 1, ``touches`` otherwise (``many`` defaults to ``singular + "s"``)."""
    return singular if n == 1 else (many or singular + "s")


def kind_list(kinds: Sequence[str]) -> str:
    """``call or email``; ``call, email or meeting``."""
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


def touches(n: int, kinds: Sequence[str]) -> str:
    """``5 calls``; ``5 touches (call or email)``.

    >>> touches(5, ["call"]), touches(1, ["call", "email"])
    ('5 calls', '1 touch (call or email)')
    """
    if len(kinds) == 1:
        return count(n, kinds[0])
    return f"{count(n)} {plural(n, 'touch', 'touches')} ({kind_list(kinds)})"


def day(d: datetime) -> str:
    """``October 1, 2026``."""
    return f"{d:%B} {d.day}, {d:%Y}"


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def in_words(x: float) -> str:
    """A small whole number in words, anything else in figures: ``three``, ``12``, ``2.5``.

    >>> in_words(3), in_words(12), in_words(2.5)
    ('three', '12', '2.5')
    """
    if x == int(x) and 0 <= x < len(_WORDS):
        return _WORDS[int(x)]
    return f"{x:,g}"


def weekdays(days: Sequence[str]) -> str:
    """Working weekdays, runs joined by a dash: ``Mon–Fri``, ``Mon–Wed, Fri``, ``Sun``.

    >>> weekdays(["mon", "tue", "wed", "thu", "fri"]), weekdays(["fri", "mon", "tue", "wed"])
    ('Mon–Fri', 'Mon–Wed, Fri')
    """
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    picked = sorted({order.index(d) for d in days})
    runs: list[list[int]] = []
    for i in picked:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    name = [d.capitalize() for d in order]
    return ", ".join(
        name[r[0]] if len(r) == 1 else f"{name[r[0]]}{'–' if len(r) > 2 else ', '}{name[r[-1]]}"
        for r in runs
    )
