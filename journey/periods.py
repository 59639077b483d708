"""Periods: DfE reporting years, snapshots, months, and how to name them.

A *reporting year* Y is the year ending 31 March Y. Flows (referrals, plans started) cover
1 April Y-1 to 31 March Y; stocks (children in need, on a plan, looked after) are a snapshot
at 31 March Y. Population estimates are at 30 June (mid-year).
"""

from __future__ import annotations

import datetime as dt
import functools

#: The first year a period may end in: the store holds figures from the 2000s on.
FIRST_YEAR = 2000


def last_year(today: dt.date | None = None) -> int:
    """The last year a period may end in: next year (a year ending 31 March next year is current)."""
    return (today or dt.date.today()).year + 1


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
    if s == e or s == dt.date(e.year - 1, 4, 1):
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
    if s == dt.date(e.year - 1, e.month, e.day) + dt.timedelta(days=1):
        return f"{s.year}-{str(e.year)[2:]}" if (e.month, e.day) == (3, 31) else f"year to {e.day} {e:%b %Y}"
    if s.day == 1 and (e + dt.timedelta(days=1)).day == 1 and s.year == e.year and s.month == e.month:
        return f"{e:%b %Y}"
    if s.day == 1 and (e + dt.timedelta(days=1)).day == 1 and (e.month - s.month) % 12 == 2:
        return f"{s:%b}-{e:%b %Y}"
    return f"{s.isoformat()} to {e.isoformat()}"
