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

from journey.periods import FIRST_YEAR, last_year, month_end, year_start
from journey.registry import Measure
from journey.symbols import known_symbols, normalise_symbol

#: Text that means "no figure": the canonical symbols of data/symbols.csv (see ``normalise_symbol``).
SYMBOLS = known_symbols()
FORMULA_ERRORS = {"#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
MAX_VALUE = 1e9  # larger than any count of children in England: a unit or typing error
MAX_TEXT = 100  # no value or period is longer; longer text is refused before any pattern is tried

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?", re.ASCII | re.IGNORECASE)
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_SPACE_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:\.\d+)?", re.ASCII)
_NUMERIC = re.compile(r"[+\-0-9., eE]*[0-9][+\-0-9., eE]*", re.ASCII)  # only what a number is written with
_DECIMAL_COMMA = re.compile(r"[+-]?[\d. ]*\d,\d+", re.ASCII)


class CellError(ValueError):
    """A cell that cannot be read; the message says what was found and what to do."""


@dataclass(frozen=True)
class CellValue:
    value: float | None
    symbol: str | None


def _shown(text: str) -> str:
    """Text quoted for a message, cut to a readable length."""
    return repr(text[:40] + "..." if len(text) > 40 else text)


def parse_value(raw: object, measure: Measure, *, percent_format: bool = False) -> CellValue | None:
    """A figure from a cell. None for an empty cell (no figure: nothing is stored).

    - numbers stored as text ("4,805", "17.8%", " 302.9 ") are read as numbers;
    - a percentage stored as a fraction with a % number format (0.178) becomes 17.8 for a
      percentage measure;
    - a suppression symbol of ``data/symbols.csv`` (c, x, z, low, u, -, n/a, [c] ...) becomes no
      value plus the canonical symbol, never 0; any other text is refused;
    - a figure must be a finite number written with the digits 0-9: a comma is a thousands separator
      only before groups of three digits ("345,6" is refused as a decimal comma, not read as 3456).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"found {raw!r}, expected a number")
    if isinstance(raw, str) and _NUMBER.fullmatch(stripped := raw.strip()) and math.isfinite(number := float(stripped)):
        raw = number  # the usual case, "402": no cleaning needed
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:
            raise CellError("found a number far larger than any real figure; check the units") from None
        if not math.isfinite(number):
            raise CellError(f"found {number!r}, which is not a finite number: a figure must be an ordinary number")
        if percent_format and measure.is_percent:
            number *= 100
    else:
        text = str(raw).strip()
        if not text:
            return None
        if len(text) > MAX_TEXT:
            raise CellError(f"found a text of {len(text):,} characters, expected a number or a symbol such as c, x or n/a")
        if text.upper() in FORMULA_ERRORS:
            raise CellError(f"the cell holds the spreadsheet error {text}; fix the formula or type the value")
        if (symbol := normalise_symbol(text)) is not None:
            return CellValue(None, symbol)
        number, is_pct = _number_text(text)
        if is_pct and not measure.is_percent:
            raise CellError(f"found a percentage ({text}) for {measure.label}, which is not a percentage")
    if abs(number) > MAX_VALUE:
        raise CellError(f"found {number:,.0f}, far larger than any real figure; check the units")
    return CellValue(number, None)


def may_be_negative(measure: Measure) -> bool:
    """True for the measures whose figures can be below zero: DfE's progress scores (Progress 8,
    KS2 progress), which are measured against the national average of 0. Every other figure
    (counts, rates, percentages, FTE, caseloads, attainment scores) is refused when negative."""
    return measure.kind == "number" and "progress" in f"{measure.label} {measure.unit} {measure.lait_code or ''}".lower()


def _number_text(text: str) -> tuple[float, bool]:
    """(number, written as a percentage) for a figure typed as text: "4,805", "1 234", "£5", "17.8 %".

    The one rule for numbers in text: ASCII digits, an optional sign, decimal point and exponent;
    commas (or spaces) only between groups of three digits; the result must be finite."""
    body = text.replace("£", "").replace("\u00a0", " ").replace("\u202f", " ").strip()
    is_pct = body.endswith("%")
    body = body.rstrip("%").strip()
    if not _NUMERIC.fullmatch(body):
        if body.lower().lstrip("+-") in {"inf", "infinity", "nan"}:
            raise CellError(f"found {_shown(text)}, which is not a finite number: a figure must be an ordinary number")
        if any(ch.isdigit() and not ch.isascii() for ch in body):
            raise CellError(f"found {_shown(text)}: write figures with the digits 0 to 9")
        raise CellError(f"found {_shown(text)}, expected a number (4805, 4,805 or 17.8%) or a symbol such as c, x or n/a")
    if "," in body:
        if _COMMA_THOUSANDS.fullmatch(body):
            body = body.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(body):
            example = body.replace(",", ".") if body.count(",") == 1 and "." not in body and " " not in body else "345.6"
            raise CellError(
                f"found {_shown(text)}, which looks like a decimal comma (a thousands comma is followed by exactly "
                f"three digits); write the number with a decimal point, e.g. {example}"
            )
        else:
            raise CellError(f"found {_shown(text)}: commas must separate groups of three digits, as in 4,805 or 1,234,567")
    if " " in body:
        if not _SPACE_THOUSANDS.fullmatch(body):
            raise CellError(
                f"found {_shown(text)}, expected one number (spaces only between groups of three digits, as in 1 234)"
            )
        body = body.replace(" ", "")
    if not _NUMBER.fullmatch(body):
        raise CellError(f"found {_shown(text)}, expected a number (4805, 4,805 or 17.8%) or a symbol such as c, x or n/a")
    number = float(body)
    if not math.isfinite(number):
        raise CellError(f"found {_shown(text)}, which is not a finite number: a figure must be an ordinary number")
    return number, is_pct


# ---- periods -----------------------------------------------------------------------------

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_EXPECTED = "use a year (2024-25 or 2025 for the year ending 31 March 2025), a month (Apr-24) or a quarter (Q1 2024-25)"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    reporting_year: int | None
    kind: str  # year, month, quarter, date, mid-year, span


def _year(digits: str, found: str) -> int:
    """A year written with four digits, or two (``24`` is 2024)."""
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        return 2000 + int(digits)
    raise CellError(f"found {found}: write the year with four digits (2024) or two (24)")


def _next_year(digits: str, first: int) -> int:
    """The second year of ``2024/25`` or ``2024/2025``: two digits are read in the first year's century."""
    if len(digits) == 2:
        year = first // 100 * 100 + int(digits)
        return year + 100 if year < first else year
    return int(digits)


def _check_end_year(year: int, found: str, *, date: bool = False) -> None:
    """The one rule for the years of a period: it must end in FIRST_YEAR to last_year()."""
    last = last_year()
    if year > last:
        raise CellError(
            f"found {found}, which ends in {year}: that is in the future; a period must end in {FIRST_YEAR} to {last}"
        )
    if year < FIRST_YEAR:
        hint = (
            "; a date in 1900 is usually a small number formatted as a date in Excel: type the period as text"
            if date and year in (1899, 1900)
            else ""
        )
        raise CellError(
            f"found {found}, which ends in {year}: the dashboard holds periods ending in {FIRST_YEAR} to {last}{hint}"
        )


def for_measure(period: Period, measure: Measure) -> Period:
    """The period a figure of ``measure`` covers, from the period read from its cell: the one rule
    every format uses. A year Y (``2025``, ``2024/25``, ``2024-25 (OT)``, ``202425``: read as the
    year ending 31 March Y) follows the measure's ``year_type``, with reporting year Y in every case:

    - ``financial_year``: 1 April Y-1 to 31 March Y (flows: referrals, plans started);
    - ``at_31_march``: the snapshot at 31 March Y (stocks: children in need, on a plan);
    - ``at_30_september``: the snapshot at 30 September Y (the social work workforce census);
    - ``academic_year``: 1 September Y-1 to 31 August Y (school outcomes, absence);
    - ``inspection``: a dated event (Ofsted); a date's reporting year is the year ending 31 March
      that contains it, a year read as the position at 31 March Y.

    Measures with no year type (local ones) keep the period as read, made a snapshot at its end
    for stock measures (children on a plan at 31 March, at month end). A month or quarter of a
    snapshot measure is its end too."""
    kind = measure.year_type
    if period.kind == "year" and kind:
        y = period.reporting_year or period.end.year
        if kind == "financial_year":
            return Period(dt.date(y - 1, 4, 1), dt.date(y, 3, 31), y, "year")
        if kind == "academic_year":
            return Period(dt.date(y - 1, 9, 1), dt.date(y, 8, 31), y, "year")
        day = dt.date(y, 9, 30) if kind == "at_30_september" else dt.date(y, 3, 31)
        return Period(day, day, y, "year")
    if kind == "inspection" and period.start == period.end:
        day = period.end
        return Period(day, day, day.year if (day.month, day.day) <= (3, 31) else day.year + 1, period.kind)
    snapshot = measure.snapshot or kind in ("at_31_march", "at_30_september")
    return at_end(period) if snapshot else period


def at_end(period: Period) -> Period:
    """The snapshot at the end of a year, quarter or month (other periods unchanged)."""
    if period.kind in ("year", "month", "quarter"):
        return Period(period.end, period.end, period.reporting_year if period.end.month == 3 else None, period.kind)
    return period


def parse_period(raw: object) -> Period:
    """See ``_parse_period``; text is remembered, as a file repeats the same few periods.

    Raises only ``CellError`` (never ValueError, IndexError or OverflowError from the dates)."""
    if isinstance(raw, str):
        return _parse_period_text(raw)
    return _guarded(raw)


def population_mid_year(raw: object) -> Period:
    """The mid-year (30 June) of an ONS population estimate from DfE's ``time_period``: the first
    year written, so ``2024``, ``202425`` and ``2024/25`` are all the mid-2024 estimate.

    A month, quarter or date is refused: the estimates are published for mid-years only."""
    period = parse_period(raw)
    text = str(int(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw).strip()
    if period.kind != "year":
        raise CellError(f"found {_shown(text)} for a population estimate, expected a year such as 2024 (the mid-2024 estimate)")
    year = int(text[:4]) if text[:4].isascii() and text[:4].isdigit() else period.end.year
    _check_end_year(year, _shown(text))
    mid = dt.date(year, 6, 30)
    return Period(mid, mid, None, "mid-year")


@lru_cache(maxsize=4096)
def _parse_period_text(raw: str) -> Period:
    return _guarded(raw)


def _found(raw: object) -> str:
    """What a period cell held, as a message shows it."""
    if isinstance(raw, dt.date):
        return f"the date {raw.day} {raw:%B} {raw.year}"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return f"the number {_shown(repr(raw))[1:-1]}"
    return _shown(str(raw).strip())


def _guarded(raw: object) -> Period:
    """``_parse_period`` with its dates checked: a slip the patterns let through (a year 0, a month 13)
    is still a CellError that says what was found, never a traceback."""
    try:
        period = _parse_period(raw)
    except CellError:
        raise
    except (ValueError, OverflowError, IndexError, TypeError):
        raise CellError(f"found {_found(raw)}, which is not a real period; {_EXPECTED}") from None
    _check_end_year(period.end.year, _found(raw), date=isinstance(raw, dt.date))
    if period.start.year < FIRST_YEAR - 1:
        raise CellError(
            f"found {_found(raw)}, which starts in {period.start.year}: the dashboard holds periods from {FIRST_YEAR - 1} on"
        )
    return period


def _parse_period(raw: object) -> Period:
    """A period from a header or cell.

    Reporting years: ``2025``, ``2024/25``, ``2024-25``, ``2023/24 (OT)``, ``2025 (prov)``,
    ``2024 (Rev)``, EES 6-digit ``202425``; all mean the year ending 31 March 2025.
    Months: a date cell, ``Apr-24``, ``April 2024``, ``2024-04``. Quarters: ``Q1 2024/25``,
    ``Q1 24-25`` (financial quarters, Q1 = April to June). Dates: ``31/03/2025``, ``2025-03-31``.
    Spans: ``2024-04-01 to 2024-09-30``. The end year must be FIRST_YEAR to last_year().
    """
    if isinstance(raw, bool):
        raise CellError(f"found {raw!r}, which is not a period; {_EXPECTED}")
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        if raw.day == 1:  # a month typed as a date: 01/04/2024 in a header means April 2024
            return Period(raw, month_end(raw.year, raw.month), None, "month")
        return Period(raw, raw, raw.year if (raw.month, raw.day) == (3, 31) else None, "date")
    if isinstance(raw, (int, float)):
        if not (math.isfinite(raw) and float(raw).is_integer() and len(str(abs(int(raw)))) in (4, 6) and raw > 0):
            raise CellError(
                f"found {_found(raw)}, which is not a period: a number must be a year (2025) or a DfE year code (202425); "
                "if Excel shows it as a date, type the period as text"
            )
        raw = str(int(raw))
    text = str(raw or "").strip()
    if len(text) > MAX_TEXT:
        raise CellError(f"found a text of {len(text):,} characters, which is not a period; {_EXPECTED}")
    found = _shown(text)
    low = re.sub(r"\s*\((ot|rev|prov|provisional|p|r|revised|final)\)\s*$", "", text.lower()).strip()
    low = re.sub(r"\s+", " ", low)
    if not low:
        raise CellError(f"found {found}, which has no period; {_EXPECTED}" if text else "the period is empty")
    if m := re.fullmatch(r"(?:fy\s*)?(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})", low, re.ASCII):
        a, b = int(m.group(1)), _next_year(m.group(2), int(m.group(1)))
        if b != a + 1 and len(m.group(2)) == 2 and 1 <= int(m.group(2)) <= 12 and "-" in low:
            _check_end_year(a, found)
            return Period(dt.date(a, int(m.group(2)), 1), month_end(a, int(m.group(2))), None, "month")
        if b != a + 1 and "-" in low and len(m.group(2)) == 2:
            raise CellError(f"found {found}: neither a year (2024-25, the second year following the first) nor a month (2024-04)")
        if b != a + 1:
            raise CellError(f"{found} is not a year: the second year should follow the first (2024/25)")
        _check_end_year(b, found)
        return Period(dt.date(a, 4, 1), dt.date(b, 3, 31), b, "year")
    if m := re.fullmatch(r"(\d{4})(\d{2})", low, re.ASCII):
        a, b = int(m.group(1)), int(m.group(2))
        if (a + 1) % 100 != b:
            raise CellError(
                f"found {found}: a six-digit period is a DfE year code, two years in a row such as 202425 "
                "(the year ending 31 March 2025); write a month as 2024-04 or Apr-24"
            )
        _check_end_year(a + 1, found)
        return Period(dt.date(a, 4, 1), dt.date(a + 1, 3, 31), a + 1, "year")
    if re.fullmatch(r"\d{4}", low, re.ASCII):
        y = int(low)
        _check_end_year(y, found)
        return Period(dt.date(y - 1, 4, 1), dt.date(y, 3, 31), y, "year")
    if m := re.fullmatch(r"q(\d)\s*(?:fy)?\s*(\d{2,4})\s*[/\-–]\s*(\d{2,4})", low, re.ASCII):
        q, a = int(m.group(1)), _year(m.group(2), found)
        if not 1 <= q <= 4:
            raise CellError(f"found {found}: a financial year has quarters Q1 (April to June) to Q4 (January to March)")
        if _next_year(m.group(3), a) != a + 1:
            raise CellError(f"{text!r} is not a quarter of a year: the second year should follow the first (Q1 2024/25)")
        first_month = 4 + 3 * (q - 1)
        year = a if first_month <= 12 else a + 1
        first_month = (first_month - 1) % 12 + 1
        _check_end_year(year, found)
        return Period(dt.date(year, first_month, 1), month_end(year, first_month + 2), None, "quarter")
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", low, re.ASCII)
    if m := iso or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", low, re.ASCII):
        parts = [int(g) for g in m.groups()]
        y, mo, d = parts if iso else (parts[2], parts[1], parts[0])
        _check_end_year(y, found)
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            raise CellError(f"{text!r} is not a real date") from None
        return _parse_period(day) if day.day != 1 else Period(day, day, None, "date")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})", low, re.ASCII):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            raise CellError(f"{text!r} holds a date that does not exist") from None
        if start > end:
            raise CellError(f"{text!r} ends before it starts")
        _check_end_year(end.year, found)
        year = end.year if (end.month, end.day) == (3, 31) and start == year_start(end) else None
        return Period(start, end, year, "year" if year else "span")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", low, re.ASCII):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise CellError(f"found {found}: a month is written 2024-04 (months 01 to 12) or Apr-24")
        _check_end_year(y, found)
        return Period(dt.date(y, mo, 1), month_end(y, mo), None, "month")
    if m := re.fullmatch(r"([a-z]+)[\s\-'’]*(\d{2,4})", low, re.ASCII):
        name, digits = m.group(1), m.group(2)
        if name in MONTHS:
            y, mo = _year(digits, found), MONTHS[name]
            _check_end_year(y, found)
            return Period(dt.date(y, mo, 1), month_end(y, mo), None, "month")
    raise CellError(f"{found} is not a period this importer reads; {_EXPECTED}")
