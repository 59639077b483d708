"""Vintages: the release a figure comes from, as ``YYYY`` or ``YYYY-MM``.

A vintage says which figure is newest when two releases give the same figure, so it must be a
real month: it is validated as a date when it enters the store (``parse_vintage``) and compared
as a date when figures are read (``vintage_order_sql``). A vintage with no month is taken as
January of its year, so ``2024`` ranks below ``2024-09``.
"""

from __future__ import annotations

import datetime as dt
import re

from journey.periods import FIRST_YEAR, last_year

_FORM = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?")


class VintageError(ValueError):
    """A vintage that is not a real release month; ``str()`` says what was found and why."""


def parse_vintage(raw: object, today: dt.date | None = None) -> str:
    """``raw`` as a vintage ``YYYY`` or ``YYYY-MM`` (zero-padded month).

    Accepts ``2026``, ``2026-11``, ``2026-1`` and an ISO date ``2026-11-05`` (kept to its month).
    Raises VintageError for anything else: text, a month outside 1-12, a year before
    ``periods.FIRST_YEAR`` or after ``periods.last_year`` (the years
    a period may end in: a release cannot come before the figures it holds)."""
    if isinstance(raw, dt.datetime | dt.date):
        raw = raw.strftime("%Y-%m")
    text = str(raw).strip()
    found = _FORM.fullmatch(text)
    if not found:
        raise VintageError(f"{text[:20]!r} is not a vintage: write the release as YYYY or YYYY-MM")
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    if month is not None and not 1 <= month <= 12:
        raise VintageError(f"{text[:20]!r} is not a vintage: the month must be 01 to 12")
    last = last_year(today)
    if not FIRST_YEAR <= year <= last:
        raise VintageError(f"{text[:20]!r} is not a vintage: the year must be {FIRST_YEAR} to {last}")
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"


def vintage_date(vintage: str) -> dt.date:
    """The first day of the vintage's month (January for a bare year), for comparing vintages."""
    year, _, month = str(vintage).partition("-")
    return dt.date(int(year), int(month or 1), 1)


def vintage_order_sql(column: str = "vintage") -> str:
    """SQL that orders rows by a vintage column as a date (the rule of ``vintage_date``). A value
    that is not ``YYYY[-MM]`` (none enters through the importer) sorts as the oldest."""
    return (
        f"COALESCE(TRY_CAST(CASE WHEN regexp_full_match({column}, '\\d{{4}}(-(0[1-9]|1[0-2]))?') "
        f"THEN CASE WHEN length({column}) = 4 THEN {column} || '-01-01' ELSE {column} || '-01' END END AS DATE), "
        "DATE '0001-01-01')"
    )
