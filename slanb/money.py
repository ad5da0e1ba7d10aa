"""Money to the cent: every currency figure slanb shows is rounded half-up to cents."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def dec(x: float | int | str | Decimal) -> Decimal:
    """An exact Decimal for ``x`` (floats via their shortest repr, so 0.1 stays 0.1)."""
    return x if isinstance(x, Decimal) else Decimal(str(x))


def cents(x: float | int | str | Decimal) -> float:
    """``x`` rounded half-up to the cent.

    >>> cents(100.125)
    100.13
    """
    return float(dec(x).quantize(_CENT, rounding=ROUND_HALF_UP))


def ceil_div(numerator: float | Decimal, denominator: float | Decimal) -> int:
    """⌈numerator ÷ denominator⌉ computed exactly (750.0 → 750, 750.2 → 751).

    >>> ceil_div(75000, 100), ceil_div(75020, 100)
    (750, 751)
    """
    q = dec(numerator) / dec(denominator)
    return int(q.to_integral_value(rounding=ROUND_CEILING))


def ratio(numerator: float, denominator: float, places: int = 2) -> float:
    """Return numerator ÷ denominator rounded half-up to ``places`` decimals.

    >>> ratio(750, 720)
    1.04
    """
    q = dec(numerator) / dec(denominator)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def usd(x: float | None) -> str:
    """``$75,000`` (whole dollars) or ``$100.13`` (cents shown when there are any)."""
    if x is None:
        return "n/a"
    v = dec(x).quantize(_CENT, rounding=ROUND_HALF_UP)
    if v == v.to_integral_value():
        return f"${v:,.0f}"
    return f"${v:,.2f}"


def dollars(x: float | None) -> str:
    """``$738,439`` for 738439.25: totals read better without cents (rounded half-up).

    >>> dollars(1800.50), dollars(2000.49)
    ('$1,801', '$2,000')
    """
    if x is None:
        return "n/a"
    return f"${dec(x).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
