"""The kinds of file people upload, each read into candidate figures.

- ``ees``: DfE Explore Education Statistics tidy CSVs (children in need, looked after, care
  leavers, ONS population), columns found by name, renames between releases mapped through
  ``data/dfe_columns.csv``;
- ``lait``: DfE LAIT long format (Short Desc, Years, LA and Regions, Values, LA Number), as CSV,
  workbook or LAIT's whole-dataset parquet (``journey.importing.lait``);
- ``reference``: LAIT's data dictionary and LA code list, recognised: they hold no figures;
- ``template``: the project's tidy template (area, measure, period, value, symbol, source, notes);
- ``sn_model``: DfE statistical neighbour model (wide, SN1..SN10);
- ``board``: a board-report table, areas as rows and years as columns;
- ``scorecard``: a local scorecard, indicators as rows and months/quarters/years as columns.

A parser turns a ``Sheet`` into ``Candidate`` figures, problems it found, and rows it skipped
with the reason. Areas are resolved here; checks that need the store happen in ``plan``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module

from journey.config import DATA_DIR, ENGLAND
from journey.importing.cells import MAX_VALUE, CellError, Period, for_measure, parse_period, parse_value
from journey.importing.problems import MAX_MESSAGE, Problem, Problems, quote
from journey.importing.sheets import Sheet, column_letter
from journey.periods import FIRST_YEAR, last_year
from journey.registry import Measure, normalise_label, registry
from journey.symbols import known_symbols, normalise_symbol
from journey.vintages import VintageError, parse_vintage

FORMATS = {
    "auto": "Detect automatically",
    "template": "The dashboard's template (area, measure, period, value)",
    "ees": "DfE statistics CSV (Explore Education Statistics)",
    "lait": "DfE LAIT download (long format)",
    "sn_model": "DfE statistical neighbour model",
    "board": "Board-report table (areas as rows, years as columns)",
    "scorecard": "Local scorecard (indicators as rows, months or years as columns)",
    "ofsted": "Ofsted's local authority inspection outcomes",
    "reference": "LAIT reference file (its data dictionary or LA code list: no figures)",
}
#: What each format is called in a message ("the sheet does not read as ...").
KIND_NAMES = {
    "template": "the dashboard's template",
    "ees": "a DfE statistics CSV",
    "lait": "a LAIT download",
    "sn_model": "a statistical neighbour model",
    "board": "a board-report table",
    "scorecard": "a local scorecard",
    "ofsted": "Ofsted's inspection outcomes",
    "reference": "one of LAIT's reference files",
}
SN_LABELS = {
    "statistical neighbours",
    "statistical neighbour",
    "statistical neighbours average",
    "sn average",
    "sn",
    "statistical neighbour average",
    "sn mean",
    "statistical neighbours mean",
}
MISSING_WORDS = ("no data available", "not available", "not yet available", "no data")


@dataclass
class Options:
    """What the user told the importer: the format, the LA of a local scorecard, a label
    for the import, the vintage of local figures, and row labels mapped to measures."""

    format: str = "auto"
    area: str | None = None  # area key of the LA a scorecard or board table is about
    label: str | None = None
    vintage: str | None = None
    measure: str | None = None  # the measure of a board-report table, when its title does not say
    mappings: dict[str, str] = field(default_factory=dict)  # normalised label -> measure id or "skip"
    sn_model_year: int | None = None


@dataclass
class Candidate:
    area_code: str
    measure: str
    period: Period
    value: float | None
    symbol: str | None
    source: str
    vintage: str
    note: str | None
    file: str
    sheet: str | None
    row: int
    column: str
    period_row: int | None = None  # where the period was read (the row's own cell, or a header above): None = ``row``
    period_column: str | None = None  # None = ``column``


@dataclass
class Parsed:
    format: str
    candidates: list[Candidate] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    sn_rows: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {file, sheet, row, column, what, reason}
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # row label -> suggested measure ids
    sn_groups: set[str] = field(default_factory=set)  # SN-<code>-PUBLISHED areas to create
    frame: object = None  # candidates already as a DataFrame (the template's bulk path)
    holds_nothing: bool = False  # the parser has said what the sheet is and that it holds no measure


class AreaIndex:
    """Finds an area's GSS code from a code, an old LA code or a name as typed."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.by_code = {r["code"].upper(): r for r in rows}
        self.by_old: dict[str, list[dict]] = {}
        self.by_name: dict[str, list[dict]] = {}
        self._suggested: dict[str, list[str]] = {}
        self._names = sorted({r["name"] for r in rows})
        for r in rows:
            if r["old_la_code"]:
                self.by_old.setdefault(str(r["old_la_code"]), []).append(r)
            for name in _name_forms(r["name"]):
                self.by_name.setdefault(name, []).append(r)

    @staticmethod
    def _pick(rows: list[dict], year: int | None) -> dict:
        if year is not None:
            live = [r for r in rows if (r["first_year"] or 0) <= year <= (r["last_year"] or 9999)]
            if live:
                return live[-1]
        return max(rows, key=lambda r: r["last_year"] or 0)

    def resolve(self, text: object, year: int | None = None) -> dict | None:
        value = str(text or "").strip()
        if not value:
            return None
        if value.upper() in self.by_code:
            return self.by_code[value.upper()]
        digits = whole_code(value)
        if digits is not None and digits in self.by_old:
            return self._pick(self.by_old[digits], year)
        for form in _bracket_forms(value):
            key = normalise_label(form)
            if key in self.by_name:
                return self._pick(self.by_name[key], year)
        return None

    def suggest(self, text: object) -> list[str]:
        """Up to three area names close to the text (worked out once per distinct text); a name
        written "X (Y)" is compared as "Y X" and "X" too."""
        import difflib

        key = str(text)
        if key not in self._suggested:
            found: list[str] = []
            for form in _bracket_forms(key.strip()):
                for name in difflib.get_close_matches(form, self._names, n=3, cutoff=0.6):
                    if name not in found:
                        found.append(name)
            self._suggested[key] = found[:3]
        return self._suggested[key]


def _bracket_forms(name: str) -> list[str]:
    """The ways a name is looked up: as written, then, for "X (Y)", "Y X" and "X". LAIT writes
    "London (Inner)" for Inner London and "Dorset (Pre LG)" for the council before 2019's
    reorganisation (the plain name then resolves by year)."""
    found = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", name)
    if not found:
        return [name]
    outer, inner = found.group(1).strip(), found.group(2).strip()
    return [name, f"{inner} {outer}", outer]


def whole_code(raw: object) -> str | None:
    """A numeric code (an old LA code) as its digits, or None when ``raw`` is not a whole number.

    ``885``, ``"885"`` and ``"885.0"`` (a whole number as Excel writes it to CSV) are ``"885"``;
    ``"885.9"``, ``"-885"``, ``"8 85"`` and text are None: only a whole code matches a code."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw) if raw >= 0 else None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and raw >= 0 else None
    found = re.fullmatch(r"(\d+)(?:\.0+)?", str(raw if raw is not None else "").strip())
    return found.group(1) if found else None


def checked_vintage(
    raw: object, problems: Problems, file: str, sheet: str | None, row: int | None, column: str | None, what: str = "the vintage"
) -> str | None:
    """``raw`` as a vintage (``journey.vintages.parse_vintage``, the one rule), or None after
    recording an error at the file, sheet, row and column it came from."""
    try:
        return parse_vintage(raw)
    except VintageError as exc:
        problems.refuse(
            file,
            f"{what}: {exc}",
            "give the release as YYYY or YYYY-MM (a real month, 2000 to next year)",
            sheet=sheet,
            row=row,
            column=column,
        )
        return None


def _name_forms(name: str) -> set[str]:
    forms = {normalise_label(name)}
    if ", " in name:  # "Herefordshire, County of" -> "herefordshire"; "Bristol, City of" -> "bristol"
        forms.add(normalise_label(name.split(", ")[0]))
    forms.add(normalise_label(name.replace("St. ", "St ")))
    return forms


def _text(v: object) -> str:
    return str(v).strip() if v is not None else ""


def _cell(row: list[object], head: dict[str, int], name: str) -> object:
    """The cell of ``row`` under the column named ``name`` (None when there is none)."""
    return row[head[name]] if name in head and head[name] < len(row) else None


def _field(row: list[object], head: dict[str, int], name: str) -> str:
    return _text(_cell(row, head, name))


def _header_name(v: object) -> str:
    return _text(v).lower().lstrip("\ufeff").strip()


def _header_index(row: list[object]) -> dict[str, int]:
    """{heading in lower case: column index}. A repeated heading maps to its last column: parsers
    refuse repeats of the headings they read (``_refuse_repeated_headings``)."""
    return {name: i for i, v in enumerate(row) if (name := _header_name(v))}


def _refuse_repeated_headings(sheet: Sheet, header_row: int, used: set[str], problems: Problems) -> bool:
    """True (after an error naming both columns) when a heading the parser reads appears twice:
    the file is ambiguous. ``header_row`` is 0-based; ``used`` the headings read, in lower case."""
    seen: dict[str, list[int]] = {}
    for i, v in enumerate(sheet.rows[header_row]):
        name = _header_name(v)
        if name in used:
            seen.setdefault(name, []).append(i)
    repeated = {name: cols for name, cols in seen.items() if len(cols) > 1}
    for name, cols in repeated.items():
        letters = " and ".join(column_letter(c) for c in cols)
        problems.refuse(
            sheet.file,
            f"two columns are headed {quote(name)} (columns {letters}): the file is ambiguous",
            "rename or delete one of them, keeping the column that holds the figures to import",
            sheet=sheet.name,
            row=header_row + 1,
            column=column_letter(cols[1]),
        )
    return bool(repeated)


def _refuse_missing_headings(sheet: Sheet, kind: str, missing: list[str], problems: Problems, header_row: int = 0) -> bool:
    """True (after one error) when headings a format needs are not there: the sheet is another kind."""
    if not missing:
        return False
    names = ", ".join(quote(m) for m in missing)
    problems.refuse(
        sheet.file,
        f"the sheet does not read as {KIND_NAMES[kind]}: no column headed {names}",
        "choose the format the file is in, or let the importer detect it",
        sheet=sheet.name,
        row=header_row + 1,
    )
    return True


TEMPLATE_COLUMNS = {"area", "measure", "period", "value"}
TEMPLATE_OPTIONAL_COLUMNS = {"symbol", "source", "notes", "vintage"}


def template_header_row(sheet: Sheet, look: int = 20) -> int | None:
    """The row (0-based) holding the template's column headings: the first row, or a row below
    a few lines of title and source notes (as the dashboard's own exports write)."""
    for i, row in enumerate(sheet.rows[:look]):
        if TEMPLATE_COLUMNS <= set(_header_index(row)):
            return i
    return None


def detect(sheet: Sheet, areas: AreaIndex) -> str | None:
    """The format a sheet is in, or None when it holds nothing this importer reads."""
    if not sheet.rows:
        return None
    head = _header_index(sheet.rows[0])
    if {"time_period", "geographic_level"} <= set(head):
        return "ees"
    from journey.importing.lait import is_lait_header  # (it builds on this module's Parsed and AreaIndex)

    if is_lait_header(set(head)):
        return "lait"
    if sn_header_row(sheet) is not None:
        return "sn_model"
    if import_module("journey.importing.lait").reference_kind(sheet) is not None:
        return "reference"
    from journey.importing.ofsted import is_ofsted  # (it builds on this module's Candidate and Parsed)

    if is_ofsted(sheet):
        return "ofsted"
    if template_header_row(sheet) is not None:
        return "template"
    header_row, period_cols = _find_period_header(sheet)
    if header_row is None:
        return None
    label_col = _label_column(sheet, header_row, period_cols)
    labels = [_text(r[label_col]) for r in sheet.rows[header_row + 1 :] if label_col < len(r) and _text(r[label_col])]
    area_like = sum(1 for t in labels if areas.resolve(t) or normalise_label(t) in SN_LABELS)
    return "board" if labels and area_like >= max(2, len(labels) // 2) else "scorecard"


# ---- DfE EES ---------------------------------------------------------------------------


def _ees_mappings() -> list[dict]:
    """The rows of ``data/dfe_columns.csv``: publication, filters (``column=value`` joined by
    ``;``; a value ``*`` only asks that the column be there, to tell one publication's generic
    column, such as ``cases``, from another's), the columns a measure has been published under
    (renames between releases joined by ``|``) and the measure."""
    with (DATA_DIR / "dfe_columns.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["columns"] = [c.strip().lower() for c in r["columns"].split("|")]
        r["filters"] = [tuple(part.split("=", 1)) for part in r["filter"].split(";") if "=" in part]
    return rows


EES_PLACE_COLUMNS = {
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "new_la_code",
    "old_la_code",
    "la_name",
    "region_name",
}
#: Columns of every EES file that say where and when, never figures or breakdowns.
EES_META_COLUMNS = EES_PLACE_COLUMNS | {"time_identifier", "country_name"}
EES_NOTE_ITEMS = 12  # breakdowns listed one by one in a "not read" note; the rest are counted
_EES_FIGURE = re.compile(r"-?[\d,]*\.?\d+%?")


def _ees_filter_columns(sheet: Sheet, head: dict[str, int], known: set[str]) -> list[str]:
    """The file's filter columns (the breakdowns of its figures, e.g. ``care_leaver_age``,
    ``breakdown``), in file order: a column some mapping filters on, or a column none of whose
    cells (the first 500 rows) is a figure or a suppression symbol."""
    out = []
    sample = sheet.rows[1:501]
    for name, i in sorted(head.items(), key=lambda kv: kv[1]):
        if name in EES_META_COLUMNS:
            continue
        cells = [_text(r[i]) for r in sample if i < len(r) and _text(r[i])]
        if name in known or (
            cells and not any(_EES_FIGURE.fullmatch(c) or c.lower() in known_symbols() or normalise_symbol(c) for c in cells)
        ):
            out.append(name)
    return out


def _ees_areas(get, level: str, year: int | None, areas: AreaIndex) -> tuple[list[dict] | None, str | None]:
    """The areas an EES row is about and a note: one area, or, for a row two LAs report
    together (``940 / 941``, ``E06000061 / E06000062``: a children's trust serving both), each
    of the LAs, with a note saying the figure is their joint one (as LAIT shows it for each).
    None when an area is not in the dashboard's list."""
    if level == "National":
        area = areas.resolve(get("country_code") or ENGLAND)
        return ([area] if area else None), None
    if level == "Regional":
        area = areas.resolve(get("region_code"))
        return ([area] if area else None), None
    new, old = get("new_la_code").split("/"), get("old_la_code").split("/")
    if len(new) > 1 or len(old) > 1:
        found = [areas.resolve(n.strip(), year) or (areas.resolve(o.strip(), year) if len(old) == len(new) else None)
                 for n, o in zip(new, old if len(old) == len(new) else new)]  # fmt: skip
        if not found or any(a is None for a in found):
            return None, None
        names = " and ".join(a["name"] for a in found)
        return found, f"the joint figure of {names}, which report it together"
    area = areas.resolve(get("new_la_code"), year) or areas.resolve(get("old_la_code"), year)
    return ([area] if area else None), None


def _ees_list(counts: dict[str, int], limit: int = EES_NOTE_ITEMS) -> str:
    """'a (835), b (835) and 3 more (2,505)': the largest first."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} ({n:,})" for k, n in items[:limit])
    if len(items) > limit:
        text += f" and {len(items) - limit:,} more ({sum(n for _, n in items[limit:]):,})"
    return text


def _ees_breakdowns(unread: dict[tuple[tuple[str, str], ...], int], read: set[tuple[tuple[str, str], ...]]) -> dict[str, int]:
    """The breakdowns not read, in as few items as says it exactly: each unread row is counted
    under its filter values up to the first value no row read has (``care_leaver_age=17 to 18
    years`` for every 17-18 row; ``care_leaver_age=19 to 21 years; breakdown=Total``), so an
    item covers every row of the file that has those values."""
    read_values = {pair for combo in read for pair in combo}
    out: dict[str, int] = {}
    for combo, n in unread.items():
        cut = next((i + 1 for i, pair in enumerate(combo) if pair not in read_values), len(combo))
        key = "; ".join(f"{k}={v}" for k, v in combo[:cut]) or "(no breakdown)"
        out[key] = out.get(key, 0) + n
    return out


def _ees_notes(sheet: Sheet, problems: Problems, pieces: list[str]) -> None:
    """``pieces`` as notes on the file (problems of level "note": neither errors nor warnings),
    a long one continued over several notes, each within a problem's length."""
    room = MAX_MESSAGE - 20
    for text in pieces:
        while len(text) > room and (cut := text.rfind(", ", 0, room)) > 4:
            problems.warn(Problem("note", sheet.file, sheet.name, None, None, text[: cut + 1] + " ...", ""))
            text = "... " + text[cut + 2 :]
        problems.warn(Problem("note", sheet.file, sheet.name, None, None, text, ""))


def parse_ees(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """Periods are EES ``time_period`` values, as each measure counts its year
    (``cells.for_measure``); the vintage is the latest year in the file unless given.

    Every row and column is accounted for: rows for breakdowns or geographic levels the
    dashboard does not hold are skipped with the reason, and notes (problems of level "note")
    say per file which columns and which breakdowns were not read, with their row counts. A
    file none of whose figures the dashboard holds is one warning saying what it is."""
    out = Parsed("ees")
    head = _header_index(sheet.rows[0])
    if _refuse_missing_headings(sheet, "ees", [c for c in ("time_period", "geographic_level") if c not in head], problems):
        return out
    reg = registry()
    mappings = _ees_mappings()
    wanted = []
    used = set(EES_PLACE_COLUMNS)
    for m in mappings:
        col = next((head[c] for c in m["columns"] if c in head), None)
        if col is None or any(f[0].lower() not in head for f in m["filters"]):
            continue
        filters = [(head[f[0].lower()], f[1]) for f in m["filters"] if f[1] != "*"]
        wanted.append((m, col, filters))
        used |= {_header_name(sheet.rows[0][col])} | {f[0].lower() for f in m["filters"]}
    if _refuse_repeated_headings(sheet, 0, used, problems):
        return out
    filter_names = _ees_filter_columns(sheet, head, {f[0].lower() for m in mappings for f in m["filters"] if f[1] != "*"})
    figure_names = [
        n for n, _ in sorted(head.items(), key=lambda kv: kv[1]) if n not in EES_META_COLUMNS and n not in filter_names
    ]
    rows_total = sum(1 for r in sheet.rows[1:] if any(v is not None and v != "" for v in r))
    if not wanted:
        combos: dict[tuple[tuple[str, str], ...], int] = {}
        for i, r in enumerate(sheet.rows[1:], start=2):
            if any(v is not None and v != "" for v in r):
                combo = tuple((n, _text(r[head[n]]) if head[n] < len(r) else "") for n in filter_names)
                combos[combo] = combos.get(combo, 0) + 1
                what = "; ".join(f"{k}={v}" for k, v in combo)
                reason = "no figure of the file is a measure the dashboard holds"
                out.skipped.append(
                    {"file": sheet.file, "sheet": sheet.name, "row": i, "column": None, "what": what, "reason": reason}
                )
        problems.caution(
            sheet.file,
            f"a DfE statistics file of {rows_total:,} row{'s' if rows_total != 1 else ''}, none of whose figures is a measure this dashboard holds, "
            "so nothing was read from it (the notes below say what it holds)",
            "nothing to do for this file; data/dfe_columns.csv lists the DfE columns the dashboard reads",
            sheet=sheet.name,
        )
        notes = [f"breakdowns in the file: {_ees_list(_ees_breakdowns(combos, set()))}"] if filter_names else []
        _ees_notes(sheet, problems, [*notes, f"columns not read: {', '.join(figure_names)}"] if figure_names else notes)
        out.holds_nothing = True
        return out
    period_col = head["time_period"]
    years = [(_text(r[period_col])[:4], i) for i, r in enumerate(sheet.rows[1:], start=2) if period_col < len(r)]
    latest, latest_row = max(((y, i) for y, i in years if y.isdigit()), default=("", None))
    vintage = opts.vintage
    if vintage is None and latest:
        vintage = checked_vintage(
            latest,
            problems,
            sheet.file,
            sheet.name,
            latest_row,
            "time_period",
            "the release year, taken from the latest time_period",
        )
        if vintage is None:
            return out
    level_col = head["geographic_level"]
    filter_cols = [(n, head[n]) for n in filter_names]
    unread: dict[tuple[tuple[str, str], ...], int] = {}
    read_combos: set[tuple[tuple[str, str], ...]] = set()
    levels: dict[str, int] = {}
    read_columns: set[int] = set()
    for i, row in enumerate(sheet.rows[1:], start=2):
        if all(v is None or v == "" for v in row):
            continue
        level = _text(row[level_col]) if level_col < len(row) else ""
        get = partial(_field, row, head)
        if level not in ("National", "Regional", "Local authority"):
            out.skipped.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.name,
                    "row": i,
                    "column": "geographic_level",
                    "what": level,
                    "reason": "geographic level not held by the dashboard",
                }
            )
            levels[level or "(blank)"] = levels.get(level or "(blank)", 0) + 1
            continue
        combo = tuple((n, _text(row[c]) if c < len(row) else "") for n, c in filter_cols)
        matched = [(m, col) for m, col, filters in wanted if all(c < len(row) and _text(row[c]) == v for c, v in filters)]
        if not matched:
            unread[combo] = unread.get(combo, 0) + 1
            out.skipped.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.name,
                    "row": i,
                    "column": ", ".join(filter_names),
                    "what": "; ".join(f"{k}={v}" for k, v in combo),
                    "reason": "a breakdown the dashboard does not hold",
                }
            )
            continue
        read_combos.add(combo)
        try:
            period = parse_period(get("time_period"))
        except CellError as exc:
            problems.error(
                Problem("error", sheet.file, sheet.name, i, "time_period", str(exc), "use the file as DfE published it")
            )
            continue
        if vintage is None:  # periods read, but none starts with a year to date the release by
            problems.refuse(
                sheet.file,
                f"no release year can be taken from time_period {quote(get('time_period'), 20)}",
                "give the vintage (the release as YYYY or YYYY-MM)",
                sheet=sheet.name,
                row=i,
                column="time_period",
            )
            return out
        found, note = _ees_areas(get, level, period.reporting_year, areas)
        if found is None:
            who = get("la_name") or get("region_name") or get("new_la_code") or level
            problems.error(
                Problem(
                    "error",
                    sheet.file,
                    sheet.name,
                    i,
                    "new_la_code",
                    f"the area {quote(who)} ({quote(get('new_la_code') or get('region_code'), 20)}) is not in the "
                    "dashboard's area list",
                    "check the code; new LAs are added to data/areas.csv",
                )
            )
            continue
        for m, col in matched:
            read_columns.add(col)
            measure = reg.get(m["measure"])
            raw = row[col] if col < len(row) else None
            try:
                cell = parse_value(raw, measure)
            except CellError as exc:
                problems.error(
                    Problem("error", sheet.file, sheet.name, i, sheet.rows[0][col], str(exc), "use the file as DfE published it")
                )
                continue
            if cell is None:
                continue
            if measure.id == "population_0_17":  # the ONS estimate for mid-year Y
                p = _mid_year(get("time_period"), period)
                if p is None:
                    problems.error(
                        Problem(
                            "error",
                            sheet.file,
                            sheet.name,
                            i,
                            "time_period",
                            f"{quote(get('time_period'), 20)} is not a year: an ONS population estimate is for "
                            "the middle of a calendar year",
                            "give the year of the estimate (2024 for mid-2024)",
                        )
                    )
                    continue
            else:
                p = for_measure(period, measure)
            source = f"DfE, {m['publication']} {latest} (Explore education statistics)"
            if m["publication"].startswith("ONS"):
                source = "ONS mid-year population estimates, children aged 0 to 17 (as republished by DfE)"
            for area in found:
                out.candidates.append(
                    Candidate(
                        area["code"],
                        measure.id,
                        p,
                        cell.value,
                        cell.symbol,
                        source,
                        vintage,
                        note,
                        sheet.file,
                        sheet.name,
                        i,
                        str(sheet.rows[0][col]),
                        period_column="time_period",
                    )
                )
    notes = []
    if unread:
        n = sum(unread.values())
        notes.append(
            f"{n:,} of {rows_total:,} rows not read, for breakdowns the dashboard does not hold: "
            + _ees_list(_ees_breakdowns(unread, read_combos))
        )
    if levels:
        notes.append(
            f"{sum(levels.values()):,} rows not read, for geographic levels the dashboard does not hold: {_ees_list(levels)}"
        )
    idle = [n for n in figure_names if head[n] not in read_columns]
    if idle:
        notes.append(f"columns not read (no measure of the dashboard): {', '.join(idle)}")
    _ees_notes(sheet, problems, notes)
    return out


def _mid_year(text: str, period: Period) -> Period | None:
    """The mid-year (30 June Y) of an ONS estimate whose EES ``time_period`` is the year ``Y``
    (read by ``parse_period`` as a reporting year); None for a month, quarter or date."""
    if period.kind != "year" or not re.fullmatch(r"\d{4}", text.strip()):
        return None
    mid = dt.date(int(text.strip()), 6, 30)
    return Period(mid, mid, None, "mid-year")


# ---- template --------------------------------------------------------------------------


def parse_template(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """The tidy template, column by column: each distinct measure, period and area text is
    read once, values are converted in bulk, and only unusual cells go through ``parse_value``."""
    import numpy as np
    import pandas as pd

    out = Parsed("template")
    top = template_header_row(sheet)  # rows above it are a title and notes
    if top is None:
        head = _header_index(sheet.rows[0])
        _refuse_missing_headings(sheet, "template", sorted(TEMPLATE_COLUMNS - set(head)), problems)
        return out
    if _refuse_repeated_headings(sheet, top, TEMPLATE_COLUMNS | TEMPLATE_OPTIONAL_COLUMNS, problems):
        return out
    head = _header_index(sheet.rows[top])
    reg = registry()
    width = max(head.values()) + 1
    if sheet.frame is not None:
        frame = sheet.frame.iloc[top + 1 :, :width].copy()
        frame.columns = range(frame.shape[1])
    else:
        body = [(r[:width] + [None] * (width - len(r[:width]))) for r in sheet.rows[top + 1 :]]
        frame = (
            pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width), dtype=object)
        )
    frame.index = range(top + 2, len(frame) + top + 2)  # spreadsheet row numbers

    def text(name: str) -> pd.Series:
        col = frame[head[name]] if name in head else pd.Series(None, index=frame.index, dtype=object)
        return col.where(col.notna(), "").astype(str).str.strip()

    labels, period_text, area_text = text("measure"), text("period"), text("area")
    symbol_text, source_text, notes_text = text("symbol"), text("source"), text("notes")
    vintage_text = text("vintage")
    frame = frame[(labels != "") | (period_text != "") | (area_text != "") | frame[head["value"]].notna()]
    labels, period_text, area_text = labels[frame.index], period_text[frame.index], area_text[frame.index]
    symbol_text, source_text, notes_text = symbol_text[frame.index], source_text[frame.index], notes_text[frame.index]
    vintage_text = vintage_text[frame.index]

    def error(row: int, col: str, message: str, hint: str = "") -> None:
        problems.error(Problem("error", sheet.file, sheet.name, int(row), col, message, hint))

    measure_of = {t: reg.match_label(t, opts.mappings) for t in labels.unique()}
    rows_of = labels.groupby(labels, sort=False).groups if any(m is None for m in measure_of.values()) else {}
    for label, m in measure_of.items():
        if problems.full:
            break
        if m is None and opts.mappings.get(normalise_label(label)) != "skip":
            out.unmapped[label] = [x.id for x in reg.suggest(label)]
            for row in rows_of[label]:
                if problems.full:
                    break
                error(
                    row,
                    "measure",
                    f"unknown measure {quote(label)}",
                    "closest: " + (", ".join(out.unmapped[label]) or "none") + "; map it to a measure",
                )
    measure = labels.map({t: m.id if m else None for t, m in measure_of.items()})
    ok = measure.notna()
    measure_id = labels.map({t: (m.id if m else "") for t, m in measure_of.items()})
    raw_period = frame[head["period"]] if "period" in head else pd.Series(None, index=frame.index, dtype=object)
    # Dates and numbers from a workbook are read as they are; text by its stripped form.
    period_key = raw_period.where(raw_period.map(type).isin([str, type(None)]).pipe(lambda x: ~x), period_text)
    pairs = pd.Series(list(zip(period_key.tolist(), measure_id.tolist())), index=frame.index)
    periods: dict[tuple[object, str], Period | CellError] = {}
    failed = 0
    for key in pairs.unique():
        if failed > problems.limit:  # only the first problems are listed: the rest need not be read
            periods[key] = CellError("not read: the file has too many problems")
            continue
        try:
            p = parse_period(key[0])
            periods[key] = for_measure(p, reg.get(key[1])) if key[1] else p
        except CellError as exc:
            failed += 1
            periods[key] = CellError(str(exc))  # no traceback: it would keep the caller's frames (and store) alive
    period = pairs.map(periods)
    bad = ok & period.map(lambda p: isinstance(p, CellError))
    for row in bad.index[bad]:
        if problems.full:
            break
        error(row, "period", str(period[row]))
    ok &= ~bad
    years = {k: (p.reporting_year if isinstance(p, Period) else None) for k, p in periods.items()}
    area_keys = pd.Series(list(zip(area_text.tolist(), pairs.map(years).tolist())), index=frame.index)
    found = {k: areas.resolve(k[0], k[1]) for k in area_keys.unique()}
    code = area_keys.map({k: (a["code"] if a else None) for k, a in found.items()})
    bad = ok & code.isna()
    for row in bad.index[bad]:
        if problems.full:
            break
        t = area_text[row]
        error(
            row,
            "area",
            f"unknown area {quote(t)}",
            f"closest: {', '.join(areas.suggest(t)) or 'none'}; use a name, GSS code or old LA code",
        )
    ok &= ~bad
    if problems.full:  # the file is clearly not what was meant: no need to read its values
        return out
    # Only the symbols of data/symbols.csv: free text or markup in the symbol column is refused.
    symbol_of = {t: normalise_symbol(t) for t in symbol_text[ok].unique() if t}
    bad = ok & symbol_text.map(lambda t: bool(t) and symbol_of.get(t) is None).astype(bool)
    for row in bad.index[bad]:
        if problems.full:
            return out
        error(
            row,
            "symbol",
            f"{quote(symbol_text[row], 20)} is not a suppression symbol",
            "use one of " + ", ".join(sorted(known_symbols())) + " (data/symbols.csv), or leave it blank",
        )
    ok &= ~bad
    raw_value = frame[head["value"]]
    value = pd.to_numeric(raw_value, errors="coerce").astype("float64")
    symbol = symbol_text.map(symbol_of).where(symbol_text != "", None).astype(object)
    value_col = head["value"]
    unusual = ok & (value.isna() | ~np.isfinite(value.fillna(0)) | (value.abs() > MAX_VALUE))
    if sheet.percent_cells:
        unusual |= ok & pd.Series([(r - 1, value_col) in sheet.percent_cells for r in frame.index], index=frame.index)
    for row in unusual.index[unusual]:
        if problems.full:
            return out
        m = reg.get(measure[row])
        try:
            cell = parse_value(raw_value[row], m, percent_format=(row - 1, value_col) in sheet.percent_cells)
        except CellError as exc:
            error(row, "value", str(exc))
            ok[row] = False
            continue
        if cell is None and not isinstance(symbol[row], str):
            value[row] = float("nan")  # no figure: plan._drop_empty skips it with a warning, as for every format
            continue
        value[row] = cell.value if cell and cell.value is not None else float("nan")
        if cell and cell.symbol:
            symbol[row] = cell.symbol
    good = ok[ok].index
    if len(good) == 0:
        return out
    vintage = opts.vintage or checked_vintage(
        _local_vintage([p for p in periods.values() if isinstance(p, Period)]),
        problems,
        sheet.file,
        sheet.name,
        None,
        "period",
        "the vintage, taken from the month after the last period",
    )
    if vintage is None:
        return out
    # A vintage column (the dashboard's own exports have one) keeps each figure's release date.
    given = vintage_text[good]
    vintage_of: dict[str, str | None] = {}
    for t in given[given != ""].unique():
        try:
            vintage_of[t] = parse_vintage(t)
        except VintageError as exc:
            vintage_of[t] = None
            for row in given.index[given == t]:
                if problems.full:
                    return out
                error(
                    row,
                    "vintage",
                    str(exc),
                    "write the release as YYYY or YYYY-MM (a real month, 2000 to next year), or leave it blank",
                )
    if any(v is None for v in vintage_of.values()):
        return out
    given = given.map(lambda t: vintage_of.get(t, ""))
    chosen = pairs[good]
    out.frame = pd.DataFrame(
        {
            "area_code": code[good],
            "measure": measure[good],
            "period_start": chosen.map({k: p.start for k, p in periods.items() if isinstance(p, Period)}),
            "period_end": chosen.map({k: p.end for k, p in periods.items() if isinstance(p, Period)}),
            "reporting_year": chosen.map(years),
            "value": value[good],
            "symbol": symbol[good],
            "source": source_text[good].where(source_text[good] != "", opts.label or f"Uploaded file {sheet.file}"),
            "vintage": vintage if opts.vintage else given.where(given != "", vintage),
            "note": notes_text[good].where(notes_text[good] != "", None),
            "file": sheet.file,
            "sheet": sheet.name,
            "row": good,
            "column": "value",
            "period_row": good,
            "period_column": "period",
        }
    ).reset_index(drop=True)
    return out


def _local_vintage(periods: list[Period]) -> str:
    """Local figures are dated by the month after the last period they cover (or today)."""
    end = max(p.end for p in periods)
    after = end + dt.timedelta(days=1)
    return min(after, dt.date.today()).strftime("%Y-%m")


# ---- SN model --------------------------------------------------------------------------

SN_NEIGHBOURS = 10  # DfE's models (2021, 2025) give every LA exactly ten neighbours, SN1 to SN10
SN_LA_COLUMNS = ("old_la_code", "la num", "la number")


def sn_header_row(sheet: Sheet, look: int = 10) -> int | None:
    """The row (0-based) of a statistical neighbour model's headings (an LA code column and SN1):
    the first row of DfE's CSV, or the third of LAIT's workbooks (two rows of column letters and
    numbers above it)."""
    for i, row in enumerate(sheet.rows[:look]):
        head = _header_index(row)
        if ("sn1" in head or "sn_1" in head) and any(k in head for k in SN_LA_COLUMNS):
            return i
    return None


def parse_sn_model(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """A DfE statistical neighbour model, one LA a row: its old LA code, then SN1 to SN10 (old LA
    codes), each followed by its closeness. Every code must be an LA the dashboard knows, and
    every LA must have ten different neighbours, none of them itself. An LA whose neighbours are
    all ``-`` (it did not exist when the model was made) is skipped with that reason."""
    out = Parsed("sn_model")
    if not sheet.rows:
        return out
    top = sn_header_row(sheet) or 0
    head = _header_index(sheet.rows[top])
    la_name = next((k for k in SN_LA_COLUMNS if k in head), None)
    sn_cols = []
    for k in range(1, SN_NEIGHBOURS + 1):
        for name in (f"sn{k}", f"sn_{k}"):
            if name in head:
                closeness = head[name] + 1 if head[name] + 1 < len(sheet.rows[top]) else None
                sn_cols.append((k, head[name], closeness))
                break
    missing = [] if la_name else ["old_la_code"]
    missing += [f"SN{k}" for k in range(1, SN_NEIGHBOURS + 1) if k not in {c[0] for c in sn_cols}]
    if _refuse_missing_headings(sheet, "sn_model", missing, problems, header_row=top):
        return out
    used = {la_name} | {n for k in range(1, SN_NEIGHBOURS + 1) for n in (f"sn{k}", f"sn_{k}")}
    if _refuse_repeated_headings(sheet, top, used, problems):
        return out
    year = opts.sn_model_year
    if year is None:
        found = re.findall(r"20\d\d", f"{sheet.file} {sheet.name or ''}")
        year = int(found[0]) if found else None
    if year is None:
        problems.refuse(
            sheet.file, "the file does not say which model year it is", "give the model year (2021 or 2025)", sheet=sheet.name
        )
        return out
    if not FIRST_YEAR <= year <= last_year():
        problems.refuse(
            sheet.file,
            f"the model year {year} is not a year of a model",
            f"give the model year ({FIRST_YEAR} to {last_year()}; DfE's are 2021 and 2025)",
            sheet=sheet.name,
        )
        return out
    la_col = head[la_name]
    seen: dict[str, int] = {}
    for i, row in enumerate(sheet.rows[top + 1 :], start=top + 2):
        if problems.full:
            break
        raw = row[la_col] if la_col < len(row) else None
        given = [(rank, col, ccol, row[col] if col < len(row) else None) for rank, col, ccol in sn_cols]
        given = [(rank, col, ccol, v) for rank, col, ccol, v in given if _text(v)]
        if not _text(raw):
            if given:  # neighbours under no LA: a row cut short, not a note
                problems.refuse(
                    sheet.file,
                    "neighbours are given but the LA code is empty",
                    "give the LA's old LA code",
                    sheet=sheet.name,
                    row=i,
                    column=column_letter(la_col),
                )
            continue  # a blank row or a note beside the table
        la = whole_code(raw)
        if la is None or la not in areas.by_old:
            problems.refuse(
                sheet.file,
                f"unknown LA code {quote(raw, 20)}",
                "use the 3-digit old LA code of an English local authority",
                sheet=sheet.name,
                row=i,
                column=column_letter(la_col),
            )
            continue
        if la in seen:
            problems.refuse(
                sheet.file,
                f"LA {la} is listed twice (rows {seen[la]} and {i})",
                "keep one row for each LA",
                sheet=sheet.name,
                row=i,
                column=column_letter(la_col),
            )
            continue
        seen[la] = i
        if given and all(normalise_symbol(_text(v)) is not None for _, _, _, v in given):
            out.skipped.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.name,
                    "row": i,
                    "column": column_letter(given[0][1]),
                    "what": f"LA {la}",
                    "reason": f"no neighbours in the {year} model (given as {quote(_text(given[0][3]), 10)})",
                }
            )
            continue
        rows, ok, codes = [], True, set()
        for rank, col, ccol, v in given:
            nb = whole_code(v)
            where = (sheet.file, sheet.name, i, column_letter(col))
            if nb is None or nb not in areas.by_old:
                problems.error(
                    Problem(
                        "error",
                        *where,
                        f"SN{rank} of LA {la}: unknown LA code {quote(v, 20)}",
                        "use the 3-digit old LA code of an English local authority",
                    )
                )
                ok = False
            elif nb == la:
                problems.error(
                    Problem(
                        "error",
                        *where,
                        f"LA {la} is listed as its own neighbour (SN{rank})",
                        "an LA cannot be its own statistical neighbour; check the model file",
                    )
                )
                ok = False
            elif nb in codes:
                problems.error(
                    Problem(
                        "error",
                        *where,
                        f"SN{rank} of LA {la}: {nb} is already one of its neighbours",
                        "each of the ten neighbours must be a different LA",
                    )
                )
                ok = False
            codes.add(nb or "")
            closeness = _text(row[ccol]) if ccol is not None and ccol < len(row) else ""
            if closeness and not re.fullmatch(r"[A-Za-z][A-Za-z \-]{0,39}", closeness):
                problems.refuse(
                    sheet.file,
                    f"SN{rank} of LA {la}: {quote(closeness, 40)} is not a closeness",
                    "use the model's words (Extremely close, Very close, Close, Somewhat close, Not close)",
                    sheet=sheet.name,
                    row=i,
                    column=column_letter(ccol),
                )
                ok = False
            rows.append(
                {"model": year, "old_la_code": la, "rank": rank, "neighbour_old_la_code": nb, "closeness": closeness or None}
            )
        if len(given) != SN_NEIGHBOURS:
            problems.refuse(
                sheet.file,
                f"LA {la} has {len(given)} neighbours; DfE's models give every LA {SN_NEIGHBOURS}",
                f"fill SN1 to SN{SN_NEIGHBOURS} for this LA",
                sheet=sheet.name,
                row=i,
                column=column_letter(la_col),
            )
            ok = False
        if ok:
            out.sn_rows.extend(rows)
    return out


# ---- wide tables: board reports and scorecards --------------------------------------------


def _period_or_none(v: object) -> Period | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not (1990 <= v <= 2100 or 199000 <= v <= 210099):
        return None
    try:
        return parse_period(v)
    except CellError:
        return None


def _find_period_header(sheet: Sheet) -> tuple[int | None, dict[int, Period]]:
    for r, row in enumerate(sheet.rows[:40]):
        periods = {c: p for c, v in enumerate(row) if c > 0 and (p := _period_or_none(v)) is not None}
        if len(periods) >= 2:
            return r, periods
    return None, {}


def _label_column(sheet: Sheet, header_row: int, period_cols: dict[int, Period]) -> int:
    first = min(period_cols)
    best, best_count = 0, -1
    for c in range(first):
        count = sum(1 for r in sheet.rows[header_row + 1 :] if c < len(r) and isinstance(r[c], str) and r[c].strip())
        if count > best_count:
            best, best_count = c, count
    return best


def _title_text(sheet: Sheet, header_row: int) -> list[str]:
    texts = [sheet.name or ""]
    for row in sheet.rows[:header_row]:
        texts.extend(_text(v) for v in row if isinstance(v, str) and _text(v))
    return [t for t in texts if t]


def _measure_in_title(texts: list[str]) -> Measure | None:
    reg = registry()
    best: tuple[int, Measure] | None = None
    for text in texts:
        key = normalise_label(text)
        direct = reg.match_label(text)
        if direct:
            return direct
        for m in reg:
            for form in (m.label, *m.aliases):
                f = normalise_label(form)
                if len(f) > 6 and (key.startswith(f + " ") or key == f) and (best is None or len(f) > best[0]):
                    best = (len(f), m)
    if best is None:
        return None
    found = best[1]
    said_rate = any(("per 10000" in normalise_label(t) or " rate" in f" {normalise_label(t)}") for t in texts)
    if said_rate and found.kind == "count" and reg.rate_for_count(found.id):
        return reg.rate_for_count(found.id)  # "Children subject to a CP plan per 10,000" is the rate
    return found


def _clean_board_cell(raw: object) -> tuple[object, str | None]:
    """'56.2 provisional' -> (56.2, 'provisional'); 'No Data available' -> (None, None)."""
    if not isinstance(raw, str):
        return raw, None
    text = raw.strip()
    if normalise_label(text) in MISSING_WORDS:
        return None, None
    m = re.fullmatch(r"([-\d.,%]+)\s+\(?([a-zA-Z ]+)\)?", text)
    if m:
        return m.group(1), m.group(2).strip().lower()
    return raw, None


def parse_wide(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems, kind: str) -> Parsed:
    out = Parsed(kind)
    header_row, period_cols = _find_period_header(sheet)
    if header_row is None:
        problems.refuse(
            sheet.file,
            "no header row of periods found (months, quarters or years across the top)",
            "put periods such as Apr-24 or 2024-25 in one header row, or use the template",
            sheet=sheet.name,
        )
        return out
    label_col = _label_column(sheet, header_row, period_cols)
    # A column's title may sit in the header row or in a (merged) row just above it.
    width = max(len(r) for r in sheet.rows[max(0, header_row - 2) : header_row + 1])
    titles_by_col = {
        c: " ".join(_text(r[c]) for r in sheet.rows[max(0, header_row - 2) : header_row + 1] if c < len(r)).lower()
        for c in range(width)
    }
    target_col = next((c for c, t in titles_by_col.items() if "target" in t and c not in period_cols and c != label_col), None)
    titles = _title_text(sheet, header_row)
    reg = registry()
    source = opts.label or f"Uploaded file {sheet.file}" + (f", sheet {sheet.name}" if sheet.name else "")
    vintage = opts.vintage or checked_vintage(
        _local_vintage(list(period_cols.values())),
        problems,
        sheet.file,
        sheet.name,
        header_row + 1,
        None,
        "the vintage, taken from the month after the last period",
    )
    if vintage is None:
        return out
    if kind == "board":
        measure = reg.get(opts.measure) if opts.measure else _measure_in_title(titles)
        if measure is None:
            problems.refuse(
                sheet.file,
                "the table's title does not say which measure it shows",
                "choose the measure for this table",
                sheet=sheet.name,
                row=header_row or None,
            )
            return out
        la_area = None
        for row in sheet.rows[header_row + 1 :]:
            a = areas.resolve(row[label_col] if label_col < len(row) else None)
            if a and a["type"] == "LA":
                la_area = a
                break
    else:
        la_area = None
        if opts.area:
            la_area = areas.resolve(opts.area)
        else:
            for t in titles:
                words = normalise_label(t)
                hits = [
                    r
                    for r in areas.rows
                    if r["type"] == "LA" and any(re.search(rf"\b{re.escape(f)}\b", words) for f in _name_forms(r["name"]))
                ]
                if hits:
                    la_area = max(hits, key=lambda r: len(r["name"]))
                    break
        if la_area is None:
            problems.refuse(
                sheet.file,
                "the scorecard does not say which local authority it is for",
                "choose the local authority for this file",
                sheet=sheet.name,
            )
            return out
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        label = _text(row[label_col]) if label_col < len(row) else ""
        values = {c: row[c] for c in period_cols if c < len(row) and row[c] is not None and _text(row[c]) != ""}
        if not label and not values:
            continue  # blank separator row
        if not values or (label and all(_text(v) == label for v in values.values())):
            # No figures, or one text merged across the row: a heading, note or footnote.
            out.skipped.append(
                {
                    "file": sheet.file,
                    "sheet": sheet.name,
                    "row": r + 1,
                    "column": column_letter(label_col),
                    "what": label[:80],
                    "reason": "no figures in this row (heading, note or footnote)",
                }
            )
            continue
        if kind == "board":
            if normalise_label(label) in SN_LABELS:
                if la_area is None:
                    problems.refuse(
                        sheet.file,
                        "a statistical neighbours row without the LA it belongs to",
                        "add the LA's row",
                        sheet=sheet.name,
                        row=r + 1,
                        column=column_letter(label_col),
                    )
                    continue
                area_code = f"SN-{la_area['code']}-PUBLISHED"
                out.sn_groups.add(area_code)
            else:
                a = areas.resolve(label)
                if a is None:
                    problems.refuse(
                        sheet.file,
                        f"unknown area {quote(label)}",
                        f"closest: {', '.join(areas.suggest(label)) or 'none'}",
                        sheet=sheet.name,
                        row=r + 1,
                        column=column_letter(label_col),
                    )
                    continue
                area_code = a["code"]
            row_measure = measure
        else:
            if opts.mappings.get(normalise_label(label)) == "skip":
                out.skipped.append(
                    {
                        "file": sheet.file,
                        "sheet": sheet.name,
                        "row": r + 1,
                        "column": column_letter(label_col),
                        "what": label[:80],
                        "reason": "you chose to skip this row",
                    }
                )
                continue
            row_measure = reg.match_label(label, opts.mappings)
            if row_measure is None:
                if label:
                    out.unmapped.setdefault(label, [m.id for m in reg.suggest(label)])
                problems.error(
                    Problem(
                        "error",
                        sheet.file,
                        sheet.name,
                        r + 1,
                        column_letter(label_col),
                        f"row label {quote(label)} is not a measure the dashboard knows",
                        "map it to a measure (closest: "
                        + (", ".join(out.unmapped.get(label, [])) or "none")
                        + ") or choose to skip it",
                    )
                )
                continue
            area_code = la_area["code"]
        for c, raw in values.items():
            cleaned, note = _clean_board_cell(raw) if kind == "board" else (raw, None)
            try:
                cell = parse_value(cleaned, row_measure, percent_format=(r, c) in sheet.percent_cells)
            except CellError as exc:
                problems.refuse(
                    sheet.file,
                    str(exc),
                    "correct the cell, or leave it blank for no figure",
                    sheet=sheet.name,
                    row=r + 1,
                    column=column_letter(c),
                )
                continue
            if cell is None:
                continue
            out.candidates.append(
                Candidate(
                    area_code,
                    row_measure.id,
                    for_measure(period_cols[c], row_measure),
                    cell.value,
                    cell.symbol,
                    source,
                    vintage,
                    note,
                    sheet.file,
                    sheet.name,
                    r + 1,
                    column_letter(c),
                    period_row=header_row + 1,
                )
            )
        if kind == "scorecard" and target_col is not None and target_col < len(row) and _text(row[target_col]):
            try:
                target = parse_value(row[target_col], row_measure, percent_format=(r, target_col) in sheet.percent_cells)
            except CellError:
                target = None
            if target is not None and target.value is not None:
                out.targets.append(
                    {"area_code": area_code, "measure": row_measure.id, "target": target.value, "source": source, "row": r + 1}
                )
    return out


PARSERS = {
    "ees": parse_ees,
    "lait": lambda s, a, o, p: import_module("journey.importing.lait").parse_lait(s, a, o, p),
    "reference": lambda s, a, o, p: import_module("journey.importing.lait").parse_reference(s, a, o, p),
    "template": parse_template,
    "sn_model": parse_sn_model,
    "board": lambda s, a, o, p: parse_wide(s, a, o, p, "board"),
    "scorecard": lambda s, a, o, p: parse_wide(s, a, o, p, "scorecard"),
    "ofsted": lambda s, a, o, p: import_module("journey.importing.ofsted").parse_ofsted(s, a, o, p),
}
