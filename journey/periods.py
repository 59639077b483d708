"""Periods: DfE reporting years, snapshots, months, and how to name them.

A *reporting year* Y is the year ending 31 March Y. Flows (referrals, plans started) cover
1 April Y-1 to 31 March Y; stocks (children in need, on a plan, looked after) are a snapshot
at 31 March Y. Population estimates are at 30 June (mid-year).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

#: The first year a period may end in: the store holds figures from the 2000s on.
FIRST_YEAR = 2000


def last_year(today: dt.date | None = None) -> int:
    """The last year a period may end in: next year (a year ending 31 March next year is current)."""
    return (today or dt.date.today()).year + 1


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month (29 February in a leap year)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` years later (earlier if negative), clamped to the month's end:
    29 February 2024 one year back is 28 February 2023. The one rule for year arithmetic on dates."""
    year = day.year + years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def year_start(end: dt.date) -> dt.date:
    """The first day of the 12 months that end on ``end``.

    A year to a month's end starts on the first of the next month a year earlier (the year to
    29 February 2024 starts 1 March 2023, the year to 31 March 2025 on 1 April 2024); any other
    year starts the day after the same day a year earlier (the year to 28 February 2024 starts
    1 March 2023)."""
    next_day = end + dt.timedelta(days=1)
    if next_day.day == 1:
        return shift_years(next_day, -1)
    return shift_years(end, -1) + dt.timedelta(days=1)


def as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def reporting_year(start: dt.date | str, end: dt.date | str) -> int | None:
    """Y when the period is the year ending 31 March Y or the snapshot at 31 March Y, else None."""
    s, e = as_date(start), as_date(end)
    if (e.month, e.day) != (3, 31):
        return None
    if s == e or s == year_start(e):
        return e.year
    return None


@functools.lru_cache(maxsize=32_768)
def period_label(start: dt.date | str, end: dt.date | str) -> str:
    """Short label a board reads: ``2024-25``, ``31 Mar 2025``, ``Mar 2014``, ``mid-2024``.

    Remembered: the same few hundred periods are labelled for every LA's series."""
    s, e = as_date(start), as_date(end)
    if s == e:
        if (e.month, e.day) == (6, 30):
            return f"mid-{e.year}"
        return f"{e.day} {e:%b %Y}"
    if s == year_start(e):
        return f"{s.year}-{str(e.year)[2:]}" if (e.month, e.day) == (3, 31) else f"year to {e.day} {e:%b %Y}"
    if s.day == 1 and (e + dt.timedelta(days=1)).day == 1 and s.year == e.year and s.month == e.month:
        return f"{e:%b %Y}"
    if s.day == 1 and (e + dt.timedelta(days=1)).day == 1 and (e.month - s.month) % 12 == 2:
        return f"{s:%b}-{e:%b %Y}"
    return f"{s.isoformat()} to {e.isoformat()}"


PERIOD_KINDS = ("year", "quarter", "month", "snapshot", "other")


def period_kind(start: dt.date | str, end: dt.date | str) -> str:
    """What a period is: ``year`` (12 months, e.g. a reporting year), ``quarter`` (3 calendar
    months), ``month`` (one calendar month), ``snapshot`` (a single day, e.g. 31 March) or
    ``other``."""
    s, e = as_date(start), as_date(end)
    if s == e:
        return "snapshot"
    whole_months = s.day == 1 and (e + dt.timedelta(days=1)).day == 1
    if not whole_months:
        return "year" if s == year_start(e) else "other"
    months = (e.year - s.year) * 12 + e.month - s.month + 1
    return {1: "month", 3: "quarter", 12: "year"}.get(months, "other")
