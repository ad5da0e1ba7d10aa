"""The working calendar the working clock runs on: working hours, time zones, holidays, time off.

:func:`build_calendar` writes the temporary table ``working_calendar`` of the connection: every
working interval of every rep (and of ``''``, the calendar of a lead with no known owner) from
``first_day`` to ``last_day``, in naive UTC, with the working time before it
(``slanb/sql/track/working_calendar.sql``). Public holidays come from the ``holidays`` package
(``holidays_country``, ``holidays_subdivision``), resolved here into a short list of dates, plus
the company's own ``company_holidays``; a holiday is a local date, the same for every rep.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import holidays

from slanb.errors import SlanbError
from slanb.params import Params
from slanb.store.db import load_sql

# How far before the SLA month a clock may start and still have a working deadline in it: 24
# working hours and a 14-working-day cadence take about three calendar weeks, a holiday season or
# a rep's leave a few more. A deadline further than this after its clock start is not looked for.
REACH_DAYS = 62


def holiday_dates(params: Params, *, first_day: date, last_day: date) -> list[date]:
    """The public holidays of ``holidays_country`` (and subdivision) and the company's own days."""
    days = {date.fromisoformat(d) for d in params.company_holidays}
    if params.holidays_country:
        years = range(first_day.year, last_day.year + 1)
        try:
            public = holidays.country_holidays(
                params.holidays_country, subdiv=params.holidays_subdivision, years=years
            )
        except NotImplementedError as exc:
            msg = (
                f"{params.source}: parameter holidays_subdivision {params.holidays_subdivision!r} "
                f"is not a subdivision of {params.holidays_country} the holidays package knows "
                f"({exc}); leave it empty for the country's national holidays."
            )
            raise SlanbError(msg) from exc
        days |= set(public)
    return sorted(d for d in days if first_day <= d <= last_day)


def build_calendar(
    con: duckdb.DuckDBPyConnection,
    params: Params,
    *,
    first_day: date,
    last_day: date,
    empty: bool = False,
) -> None:
    """(Re)create the temporary table ``working_calendar`` for ``first_day`` to ``last_day``.

    ``empty``: the table with its columns and no rows (both rules on the calendar clock).
    """
    start, end = params.working_minutes
    # resolved even for an empty table, so a bad holidays parameter is refused on either clock
    holidays_off = holiday_dates(params, first_day=first_day, last_day=last_day)
    query = load_sql("track/working_calendar")
    con.execute(
        "create or replace temp table working_calendar as "
        + (f"select * from ({query}) where false" if empty else query),
        {
            "timezone": params.timezone,
            "first_day": first_day,
            "last_day": last_day,
            "working_isodows": params.working_isodows,
            "holidays": holidays_off,
            "work_start_minutes": start,
            "work_end_minutes": end,
        },
    )


def calendar_span(earliest: datetime, latest: datetime) -> tuple[date, date]:
    """The local days a calendar must cover for instants from ``earliest`` to ``latest`` (UTC).

    A day either side, for the time zones west and east of UTC, and a week after ``latest`` so a
    deadline past it is found past it (not clamped to the calendar's last interval).
    """
    return (earliest - timedelta(days=1)).date(), (latest + timedelta(days=8)).date()
