"""Reading one cell: a value, a period or an area, as people type them in spreadsheets.

Each parser returns a result or raises ``CellError`` with a message that says what was found
and what was expected; the caller adds the file, sheet, row and column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from journey.registry import Measure
from journey.symbols import known_symbols, normalise_symbol

#: Text that means "no figure": the canonical symbols of data/symbols.csv (see ``normalise_symbol``).
SYMBOLS = known_symbols()
FORMULA_ERRORS = {"#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
MAX_VALUE = 1e9  # larger than any count of children in England: a unit or typing error


class CellError(ValueError):
    """A cell that cannot be read; the message says what was found and what to do."""


@dataclass(frozen=True)
class CellValue:
    value: float | None
    symbol: str | None


def parse_value(raw: object, measure: Measure, *, percent_format: bool = False) -> CellValue | None:
    """A figure from a cell. None for an empty cell (no figure: nothing is stored).

    - numbers stored as text ("4,805", "17.8%", " 302.9 ") are read as numbers;
    - a percentage stored as a fraction with a % number format (0.178) becomes 17.8 for a
      percentage measure;
    - a suppression symbol (c, x, z, low, u, -, n/a ...) becomes no value plus the symbol,
      never 0.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"found {raw!r}, expected a number")
    if isinstance(raw, str):
        try:
            raw = float(raw)  # the usual case, "402": no cleaning needed
        except ValueError:
            pass
    if isinstance(raw, (int, float)):
        number = float(raw)
        if percent_format and measure.is_percent:
            number *= 100
    else:
        text = str(raw).strip()
        if not text:
            return None
        if text.upper() in FORMULA_ERRORS:
            raise CellError(f"the cell holds the spreadsheet error {text}; fix the formula or type the value")
        if (symbol := normalise_symbol(text)) is not None:
            return CellValue(None, symbol)
        cleaned = text.replace(",", "").replace("£", "").replace("\u00a0", "").replace(" ", "")
        is_pct = cleaned.endswith("%")
        cleaned = cleaned.rstrip("%")
        try:
            number = float(cleaned)
        except ValueError:
            raise CellError(f"found {text[:40]!r}, expected a number or a symbol such as c, x or n/a") from None
        if is_pct and not measure.is_percent:
            raise CellError(f"found a percentage ({text}) for {measure.label}, which is not a percentage")
    if math.isnan(number) or math.isinf(number):
        raise CellError("found a value that is not a finite number")
    if abs(number) > MAX_VALUE:
        raise CellError(f"found {number:,.0f}, far larger than any real figure; check the units")
    return CellValue(number, None)


# ---- periods -----------------------------------------------------------------------------

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    reporting_year: int | None
    kind: str  # year, month, quarter, date, mid-year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    y = int(text)
    if y < 100:
        y += 2000
    if not 1990 <= y <= 2100:
        raise CellError(f"year {text} is out of range")
    return y


def for_measure(period: Period, measure: Measure) -> Period:
    """A year or month read as a span, made a snapshot at its end for stock measures
    (children on a plan at 31 March, at month end)."""
    return at_end(period) if measure.snapshot else period


def at_end(period: Period) -> Period:
    """The snapshot at the end of a year, quarter or month (other periods unchanged)."""
    if period.kind in ("year", "month", "quarter"):
        return Period(period.end, period.end, period.reporting_year if period.end.month == 3 else None, period.kind)
    return period


def parse_period(raw: object) -> Period:
    """See ``_parse_period``; text is remembered, as a file repeats the same few periods."""
    if isinstance(raw, str):
        return _parse_period_text(raw)
    return _parse_period(raw)


@lru_cache(maxsize=4096)
def _parse_period_text(raw: str) -> Period:
    return _parse_period(raw)


def _parse_period(raw: object) -> Period:
    """A period from a header or cell.

    Reporting years: ``2025``, ``2024/25``, ``2024-25``, ``2023/24 (OT)``, ``2025 (prov)``,
    ``2024 (Rev)``, EES 6-digit ``202425``; all mean the year ending 31 March 2025.
    Months: a date cell, ``Apr-24``, ``April 2024``, ``2024-04``. Quarters: ``Q1 2024/25``,
    ``Q1 24-25`` (financial quarters, Q1 = April to June). Dates: ``31/03/2025``, ``2025-03-31``.
    """
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        if raw.day == 1:  # a month typed as a date: 01/04/2024 in a header means April 2024
            return Period(raw, _month_end(raw.year, raw.month), None, "month")
        return Period(raw, raw, raw.year if (raw.month, raw.day) == (3, 31) else None, "date")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        raw = str(int(raw))
    text = str(raw or "").strip()
    low = re.sub(r"\s*\((ot|rev|prov|provisional|p|r|revised|final)\)\s*$", "", text.lower()).strip()
    low = re.sub(r"\s+", " ", low)
    if not low:
        raise CellError("the period is empty")
    if m := re.fullmatch(r"(?:fy\s*)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})", low):
        a, b = int(m.group(1)), _year(m.group(2))
        if b != a + 1 and len(m.group(2)) == 2 and 1 <= int(m.group(2)) <= 12 and "-" in low:
            return Period(dt.date(a, int(m.group(2)), 1), _month_end(a, int(m.group(2))), None, "month")
        if b != a + 1:
            raise CellError(f"{text!r} is not a year: the second year should follow the first")
        return Period(dt.date(a, 4, 1), dt.date(b, 3, 31), b, "year")
    if m := re.fullmatch(r"(\d{4})(\d{2})", low):
        a, b = int(m.group(1)), int(m.group(2))
        if (a + 1) % 100 == b:
            return Period(dt.date(a, 4, 1), dt.date(a + 1, 3, 31), a + 1, "year")
    if re.fullmatch(r"\d{4}", low):
        y = _year(low)
        return Period(dt.date(y - 1, 4, 1), dt.date(y, 3, 31), y, "year")
    if m := re.fullmatch(r"q([1-4])\s*(?:fy)?\s*(\d{2,4})\s*[/\-–]\s*(\d{2,4})", low):
        q, a = int(m.group(1)), _year(m.group(2))
        first_month = 4 + 3 * (q - 1)
        year = a if first_month <= 12 else a + 1
        first_month = (first_month - 1) % 12 + 1
        start = dt.date(year, first_month, 1)
        end = _month_end(year, first_month + 2)
        return Period(start, end, None, "quarter")
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", low) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", low):
        parts = [int(g) for g in m.groups()]
        y, mo, d = parts if parts[0] > 31 else (parts[2], parts[1], parts[0])
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            raise CellError(f"{text!r} is not a real date") from None
        return _parse_period(day) if day.day != 1 else Period(day, day, None, "date")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", low):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            raise CellError(f"{text!r} holds a date that does not exist") from None
        if start > end:
            raise CellError(f"{text!r} ends before it starts")
        year = end.year if (end.month, end.day) == (3, 31) and start == dt.date(end.year - 1, 4, 1) else None
        return Period(start, end, year, "year" if year else "span")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", low):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return Period(dt.date(y, mo, 1), _month_end(y, mo), None, "month")
    if m := re.fullmatch(r"([a-z]+)[\s\-'’]*(\d{2,4})", low):
        name, year = m.group(1), m.group(2)
        if name in MONTHS:
            y, mo = _year(year), MONTHS[name]
            return Period(dt.date(y, mo, 1), _month_end(y, mo), None, "month")
    raise CellError(
        f"{text[:40]!r} is not a period this importer reads; use a year (2024-25 or 2025 for the year "
        "ending 31 March 2025), a month (Apr-24) or a quarter (Q1 2024-25)"
    )
