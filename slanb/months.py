"""Calendar months as ``YYYY-MM`` strings and their UTC bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from slanb.errors import SlanbError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# The months slanb computes with: the month after the last, and 20 years before the first, are
# still four-digit years. Parameters are held to a narrower range (slanb.params.LATEST_MONTH).
EARLIEST_MONTH, LATEST_MONTH = "1900-01", "9998-12"


def parse_month(
    value: str, *, name: str = "month", earliest: str = EARLIEST_MONTH, latest: str = LATEST_MONTH
) -> str:
    """Check that ``value`` is a real ``YYYY-MM`` month from ``earliest`` to ``latest``; return it.

    >>> parse_month("2026-10")
    '2026-10'
    """
    _year_month(value, name)
    if not earliest <= value <= latest:
        msg = f"{name} must be a month from {earliest} to {latest}, got {value!r}"
        raise SlanbError(msg)
    return value


def _year_month(value: str, name: str = "month") -> tuple[int, int]:
    """The year and month of a ``YYYY-MM`` string, any four-digit year (months slanb derives)."""
    m = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        msg = f"{name} must be a month written YYYY-MM (e.g. 2026-10), got {value!r}"
        raise SlanbError(msg)
    return int(m.group(1)), int(m.group(2))


def month_start(month: str) -> datetime:
    """The first instant of ``month`` (naive UTC).

    >>> month_start("2026-10")
    datetime.datetime(2026, 10, 1, 0, 0)
    """
    y, m = _year_month(month)
    return datetime(y, m, 1)


def shift_month(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (before, if ``n`` is negative).

    >>> shift_month("2026-01", -1)
    '2025-12'
    """
    y, m = _year_month(month)
    total = y * 12 + (m - 1) + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def month_of(value: date | datetime) -> str:
    """The ``YYYY-MM`` month holding a date or timestamp."""
    return f"{value.year:04d}-{value.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive.

    >>> month_range("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    out, m = [], first
    while m <= last:
        out.append(m)
        m = shift_month(m, 1)
    return out


def month_label(month: str) -> str:
    """``October 2026`` for ``2026-10``."""
    return month_start(month).strftime("%B %Y")


@dataclass(frozen=True)
class MonthSpan:
    """The calendar months ``first`` to ``last`` (``YYYY-MM``, both inside), and their UTC instants.

    >>> w = MonthSpan("2025-07", "2026-06")
    >>> w.start, w.end, len(w.months)
    (datetime.datetime(2025, 7, 1, 0, 0), datetime.datetime(2026, 7, 1, 0, 0), 12)
    """

    first: str
    last: str

    @property
    def start(self) -> datetime:
        """The first instant of ``first``."""
        return month_start(self.first)

    @property
    def end(self) -> datetime:
        """The first instant after ``last`` (the span is ``[start, end)``)."""
        return month_start(shift_month(self.last, 1))

    @property
    def months(self) -> list[str]:
        """Every month of the span, oldest first (empty when ``last`` is before ``first``)."""
        return month_range(self.first, self.last)
