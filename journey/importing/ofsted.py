"""Ofsted's local authority inspection outcomes: the judgements of each LA's children's services.

Ofsted publishes them as an OpenDocument workbook (``LA_Inspection_Outcomes_as_at_31_March_2025.ods``):
a ``Cover`` sheet ("Published on: 25 September 2025"), the latest judgements of every LA
(``Inspections_as_at_31_March``), the year's inspections and visits (``In-year_inspections``)
and every inspection since ILACS began in 2018 (``ILACS_inspection_history``, with LAs that no
longer exist). Each table has a title, a line of notes and its headings in row 3.

Every inspection becomes up to five figures, one per judgement measure of the registry
(``kind`` judgement): the value is Ofsted's grade (``journey.registry.JUDGEMENTS``: 1
Outstanding, 2 Good, 3 Requires improvement to be good, 4 Inadequate), the period is the
inspection date (start = end), the reporting year is the year to 31 March that contains it,
the source is the publication's title and the vintage the month it was published. A blank
judgement is no figure (the care leavers sub-judgement began on 1 January 2023; focused and
monitoring visits give none) and is skipped with the reason. An inspection that two sheets of
one workbook both list (the latest inspection is in all three tables) is read once.

Sheets are read one at a time (``formats.PARSERS``), but the cover's date and the inspections
already read belong to the workbook: they are kept per file for the one ``prepare`` that reads
it (``_context``), never beyond it.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from journey.importing.cells import Period, for_measure
from journey.importing.formats import AreaIndex, Candidate, Options, Parsed, checked_vintage
from journey.importing.problems import Problem, Problems, quote
from journey.importing.sheets import Sheet
from journey.registry import JUDGEMENTS, normalise_label, registry

OVERALL = "ofsted_overall_effectiveness"
SOURCE_PREFIX = "Ofsted, "
DEFAULT_TITLE = "Local authority inspection outcomes"
HEADER_LOOK = 10  # rows searched for the table's headings (Ofsted's are in row 3)

#: Ofsted's headings (normalised) -> judgement measure. Before 2023 the children in care
#: sub-judgement also covered care leavers; its older wording is read as children in care.
JUDGEMENT_COLUMNS: dict[str, str] = {
    "overall effectiveness": "ofsted_overall_effectiveness",
    "the impact of leaders on social work practice with children and families": "ofsted_leadership",
    "the experiences and progress of children who need help and protection": "ofsted_help_and_protection",
    "the experiences and progress of children in care": "ofsted_children_in_care",
    "the experiences and progress of children in care and care leavers": "ofsted_children_in_care",
    "the experiences and progress of care leavers": "ofsted_care_leavers",
}
CODE_HEADINGS = ("local authority area code", "la code", "area code")
NAME_HEADINGS = ("local authority name", "local authority", "la name")
DATE_HEADINGS = ("inspection date", "inspection visit date")
TYPE_HEADINGS = ("inspection type", "inspection visit type")
PUBLISHED_HEADINGS = ("publication date",)
#: The grade of each of Ofsted's words (and the short form "Requires improvement").
GRADES: dict[str, int] = {normalise_label(words): grade for grade, words in JUDGEMENTS.items()} | {"requires improvement": 3}


@dataclass
class _Workbook:
    """What the sheets of one Ofsted workbook share while one ``prepare`` reads it."""

    owner: weakref.ref  # the prepare's Problems: the context is valid while it is the one reading
    published: str | None = None  # YYYY-MM from the cover
    title: str | None = None  # the cover's title, for the source
    seen: dict[tuple[str, str, dt.date], tuple[int, str, int]] = field(default_factory=dict)  # -> grade, sheet, row


_CONTEXTS: dict[tuple[str, int], _Workbook] = {}
_LOCK = threading.Lock()


def _context(sheet: Sheet, problems: Problems) -> _Workbook:
    """The shared state of ``sheet``'s workbook for the prepare whose problems are ``problems``
    (one ``Problems`` per prepare); contexts of finished prepares are dropped."""
    key = (sheet.file, id(problems))
    with _LOCK:
        for k in [k for k, c in _CONTEXTS.items() if c.owner() is None]:
            del _CONTEXTS[k]
        found = _CONTEXTS.get(key)
        if found is None or found.owner() is not problems:
            found = _CONTEXTS[key] = _Workbook(weakref.ref(problems))
        return found


def _text(v: object) -> str:
    return str(v).strip() if v is not None else ""


def _cell(row: list[object], j: int | None) -> object:
    return row[j] if j is not None and j < len(row) else None


def _heading(v: object) -> str:
    return normalise_label(_text(v))


def _header_row(sheet: Sheet) -> int | None:
    """The row (0-based) of an Ofsted table's headings: an area code, an inspection date and
    the overall effectiveness judgement among them."""
    for i, row in enumerate(sheet.rows[:HEADER_LOOK]):
        names = {_heading(v) for v in row}
        if names & set(CODE_HEADINGS) and names & set(DATE_HEADINGS) and "overall effectiveness" in names:
            return i
    return None


def _is_cover(sheet: Sheet) -> bool:
    first = _text(sheet.rows[0][0]) if sheet.rows and sheet.rows[0] else ""
    return first.lower().startswith("local authority inspection outcomes") and any(
        row and _text(row[0]).lower().startswith("published on") for row in sheet.rows[:40]
    )


def is_ofsted(sheet: Sheet) -> bool:
    """True for a sheet of Ofsted's inspection outcomes: a table of judgements (headings within
    the first rows), its cover, or the contents and notes sheets that come with them."""
    if not sheet.rows:
        return False
    if _header_row(sheet) is not None or _is_cover(sheet):
        return True
    if sheet.name in ("Contents", "Notes") and len(sheet.rows) < 200:
        text = " ".join(_text(v) for row in sheet.rows[:40] for v in row[:3]).lower()
        return "ilacs" in text and "ofsted" in text or "inspection" in text and "local authorit" in text
    return False


def _date(v: object) -> dt.date | None:
    """A date cell (as calamine or openpyxl give it) or a date written as text."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _text(v)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date()
        except ValueError:
            continue
    return None


def _read_cover(sheet: Sheet, book: _Workbook, problems: Problems) -> None:
    book.title = _text(sheet.rows[0][0]) or None
    for i, row in enumerate(sheet.rows[:40]):
        if row and _text(row[0]).lower().startswith("published on") and len(row) > 1:
            day = _date(row[1])
            raw = f"{day:%Y-%m}" if day else row[1]
            book.published = checked_vintage(raw, problems, sheet.file, sheet.name, i + 1, "B", "the cover's Published on date")
            return


def parse_ofsted(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """Judgement figures from one sheet of Ofsted's inspection outcomes (see the module)."""
    out = Parsed("ofsted")
    reg = registry()
    book = _context(sheet, problems)
    if _is_cover(sheet):
        _read_cover(sheet, book, problems)
        return out
    h = _header_row(sheet)
    if h is None:
        return out  # the contents or notes: nothing to read
    head = {_heading(v): j for j, v in enumerate(sheet.rows[h]) if _heading(v)}

    def col(names: tuple[str, ...]) -> int | None:
        return next((head[n] for n in names if n in head), None)

    code_col, name_col, date_col = col(CODE_HEADINGS), col(NAME_HEADINGS), col(DATE_HEADINGS)
    type_col, pub_col = col(TYPE_HEADINGS), col(PUBLISHED_HEADINGS)
    judged = [(j, JUDGEMENT_COLUMNS[n], _text(sheet.rows[h][j])) for n, j in head.items() if n in JUDGEMENT_COLUMNS]
    source = SOURCE_PREFIX + (book.title or DEFAULT_TITLE)
    vintage = opts.vintage or book.published
    if vintage is None:
        published = [d for r in sheet.rows[h + 1 :] if pub_col is not None and pub_col < len(r) and (d := _date(r[pub_col]))]
        if not published:
            problems.refuse(
                sheet.file,
                "the release month of these inspection outcomes cannot be found (no cover with its Published on date, "
                "no publication dates)",
                "upload Ofsted's whole workbook, or give the vintage (YYYY-MM)",
                sheet=sheet.name,
            )
            return out
        vintage = checked_vintage(f"{max(published):%Y-%m}", problems, sheet.file, sheet.name, None, None)
        if vintage is None:
            return out
        problems.warn(
            Problem(
                "note",
                sheet.file,
                sheet.name,
                None,
                None,
                f"no cover with its Published on date: the vintage is {vintage}, the month of the latest report in the sheet",
                "give the vintage if the release is later",
            )
        )
    counts: Counter[str] = Counter()
    for i, row in enumerate(sheet.rows[h + 1 :], start=h + 2):
        cell = partial(_cell, row)
        if all(_text(v) == "" for v in row):
            continue
        code, name = _text(cell(code_col)), _text(cell(name_col))
        day = _date(cell(date_col))
        where = {"sheet": sheet.name, "row": i}
        if day is None:
            problems.refuse(
                sheet.file,
                f"the inspection date {quote(_text(cell(date_col)), 30)} is not a date",
                "give the date of the inspection (31/03/2025)",
                column=_text(sheet.rows[h][date_col]) if date_col is not None else None,
                **where,
            )
            continue
        # The inspection date, in the reporting year (to 31 March) that contains it: the one rule.
        period = for_measure(Period(day, day, None, "date"), reg.get(OVERALL))
        year = period.reporting_year
        area = areas.resolve(code, year) if code else None
        area = area or (areas.resolve(name, year) if name else None)
        if area is None:
            problems.refuse(
                sheet.file,
                f"the local authority {quote(name or code)} ({quote(code, 20)}) is not in the dashboard's area list",
                f"check the code; closest names: {', '.join(areas.suggest(name)) or 'none'}",
                column=_text(sheet.rows[h][code_col]) if code_col is not None else None,
                **where,
            )
            continue
        kind = _text(cell(type_col))
        skips: list[dict] = []  # this row's judgements not read: one entry each, or one for the row
        repeated_from, fresh = None, False
        what = f"{area['name']}, inspected {day:%d %b %Y}"
        for j, measure, heading in judged:
            raw = _text(cell(j))
            skip = {"file": sheet.file, "sheet": sheet.name, "row": i, "column": heading, "what": what}
            if not raw:
                why = (
                    "no judgement given (the care leavers judgement began on 1 January 2023)"
                    if measure == "ofsted_care_leavers" and day < dt.date(2023, 1, 1)
                    else "no judgement given"
                )
                skips.append({**skip, "reason": why})
                continue
            grade = GRADES.get(normalise_label(raw))
            if grade is None:
                problems.refuse(
                    sheet.file,
                    f"{quote(raw, 40)} is not one of Ofsted's judgements",
                    "use Outstanding, Good, Requires improvement to be good or Inadequate",
                    column=heading,
                    **where,
                )
                continue
            key = (area["code"], measure, day)
            if key in book.seen:
                before, other, other_row = book.seen[key]
                if before != grade:
                    problems.refuse(
                        sheet.file,
                        f"{area['name']}'s inspection of {day:%d %B %Y} is {JUDGEMENTS[grade]} here but "
                        f"{JUDGEMENTS[before]} in sheet {other}, row {other_row}",
                        "correct the sheet that is wrong",
                        column=heading,
                        **where,
                    )
                else:
                    repeated_from = f"{other}, row {other_row}"
                    skips.append({**skip, "reason": f"the same judgement is read from sheet {repeated_from}"})
                continue
            book.seen[key] = (grade, sheet.name or "", i)
            fresh = True
            out.candidates.append(
                Candidate(
                    area["code"],
                    measure,
                    period,
                    float(grade),
                    None,
                    source,
                    vintage,
                    None,
                    sheet.file,
                    sheet.name,
                    i,
                    heading,
                    period_column=_text(sheet.rows[h][date_col]),
                )
            )
        row_skip = {"file": sheet.file, "sheet": sheet.name, "row": i, "column": None, "what": what}
        if fresh:
            counts["inspections read"] += 1
            out.skipped.extend(skips)
            counts["judgements not given"] += len(skips)
        elif repeated_from is not None:
            counts["inspections also in another sheet, read once"] += 1
            out.skipped.append({**row_skip, "reason": f"the same inspection is read from sheet {repeated_from}"})
        elif skips and len(skips) == len(judged):
            counts[f"visits without judgements ({kind or 'no type given'})"] += 1
            out.skipped.append({**row_skip, "reason": f"no judgements: {kind or 'a visit'}, not an inspection"})
        else:
            out.skipped.extend(skips)
            counts["judgements not given"] += len(skips)
    if counts:
        said = ", ".join(f"{n:,} {what}" for what, n in counts.items() if n)
        problems.warn(Problem("note", sheet.file, sheet.name, None, None, said, ""))
    return out
