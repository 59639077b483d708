"""DfE's LAIT (Local Authority Interactive Tool) long download, read in bulk.

LAIT publishes one row per figure: ``Short Desc`` (the indicator's code, e.g.
``CPP_Total_Rateper10,000``), ``Data item``, ``Years`` (``2025``, ``2023/24``, ``2022-23 (OT)``,
``2024 (Rev)``, ``2020 (Final)``, ``2025 (prov)``; ``0`` where LAIT has no year), ``LA and Regions``
(names, with ``London (Inner)`` for Inner London), ``Values`` (text; ``-`` is LAIT's symbol for
no figure), ``LA Number`` (the old LA code; 970-990 for England and the regions) and ``Region``.
It comes as a CSV or workbook of chosen indicators, or as the whole dataset in one parquet file
(``bds_long_0.parquet``: 641,070 rows, 448 indicators).

The rules are the importer's own, applied once per distinct text rather than once per row: the
indicator by its exact code (``Measure.lait_code``), the area by ``LA Number`` then by name
(``AreaIndex.resolve``), the period by ``cells.parse_period`` and ``cells.for_measure`` (the
measure's year type), the value by ``cells.parse_value``. Indicators the dashboard does not hold
are summarised, one skipped line per code with its row count.

**Vintage** (the release a figure comes from): the one given (``--vintage``, the Upload page),
else a release month in the file name (``LAIT_April_2026.csv``), else each indicator's
``Measure.updated`` (LAIT's "Last Update" of that indicator, from its data dictionary), else the
month of the import. The preview says which was used.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd

from journey.importing.cells import MONTHS, CellError, Period, for_measure, parse_period, parse_value
from journey.importing.formats import (
    AreaIndex,
    Options,
    Parsed,
    _header_index,
    _refuse_missing_headings,
    _refuse_repeated_headings,
    checked_vintage,
)
from journey.importing.limits import (
    MAX_CELLS,
    MAX_PARQUET_BYTES,
    MAX_PARQUET_ROW_GROUP_ROWS,
    MAX_PARQUET_ROWS,
    size_text,
)
from journey.importing.problems import Problems, quote
from journey.importing.sheets import Refused, Sheet
from journey.registry import Measure, registry
from journey.vintages import VintageError, parse_vintage

SOURCE = "DfE, Local Authority Interactive Tool (LAIT) data"
#: LAIT's headings as they are written, and in lower case as the parsers compare them.
HEADINGS = ("Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region")
LAIT_COLUMNS = {"short desc", "years", "la and regions", "values", "la number"}
NOT_HELD = "LAIT indicator not held by the dashboard"
NO_YEAR = "Years is 0: LAIT gives no year for these figures"
PROBLEMS_NAMED = 20  # rows named one by one for one kind of problem; the rest are counted


def lait_codes() -> dict[str, Measure]:
    """LAIT code (``Short Desc``, exactly as LAIT spells it) -> the measure that holds it: every
    ``Measure.lait_code`` of the registry, then the older ``LAIT X`` entries of ``dfe_source``."""
    codes: dict[str, Measure] = {}
    for m in registry():
        if m.lait_code:
            codes[m.lait_code] = m
    for m in registry():
        for part in m.dfe_source.split(";"):
            part = part.strip()
            if part.startswith("LAIT ") and part[5:].strip():
                codes.setdefault(part[5:].strip(), m)
    return codes


def _measure_of(codes: dict[str, Measure]) -> dict[str, Measure]:
    """Exact codes, then the same codes in any letter case (a re-saved file may change it)."""
    folded: dict[str, Measure] = {}
    for code, m in codes.items():
        folded.setdefault(code.lower(), m)
    return folded


def is_lait_header(headings: set[str]) -> bool:
    """True for LAIT's long download headings (lower case, as ``formats._header_index`` gives them)."""
    return {"short desc", "la and regions"} <= headings or {"short desc", "values", "years"} <= headings


def vintage_in_name(name: str) -> str | None:
    """A release month written in a file name: ``LAIT_April_2026.csv`` -> ``2026-04``,
    ``lait-2026-04.csv`` -> ``2026-04``; None when the name has none (or it is not a real month)."""
    low = name.lower()
    found = None
    for m in re.finditer(r"([a-z]+)[\s_\-.]*((?:19|20)\d\d)(?!\d)", low):
        if m.group(1) in MONTHS:
            found = f"{m.group(2)}-{MONTHS[m.group(1)]:02d}"
    if found is None and (m := re.search(r"(?<!\d)((?:19|20)\d\d)[_\-.](0[1-9]|1[0-2])(?![\d])", low)):
        found = f"{m.group(1)}-{m.group(2)}"
    if found is None:
        return None
    try:
        return parse_vintage(found)
    except VintageError:
        return None


# ---------------------------------------------------------------- the parser


def _body(sheet: Sheet, head: dict[str, int]) -> tuple[dict[str, pd.Series], np.ndarray]:
    """The LAIT columns as stripped text (blank = ""), and each row's number in the file."""
    if sheet.frame is not None:
        frame = sheet.frame.iloc[1:]
        numbers = sheet.row_numbers[1:] if sheet.row_numbers is not None else np.arange(2, len(frame) + 2)
    else:
        width = max(head.values()) + 1
        body = [r[:width] + [None] * (width - len(r[:width])) for r in sheet.rows[1:]]
        frame = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width))
        numbers = np.arange(2, len(frame) + 2)
    columns = {}
    for name in LAIT_COLUMNS | {"data item", "region"}:
        if name in head and head[name] < frame.shape[1]:
            col = frame.iloc[:, head[name]]
            columns[name] = col.where(col.notna(), "").astype(str).str.strip().reset_index(drop=True)
        else:
            columns[name] = pd.Series("", index=range(len(frame)), dtype=object)
    return columns, np.asarray(numbers)


def _named(problems: Problems, rows: list[tuple[int, str, str]], file: str, sheet: str | None, column: str) -> None:
    """Errors at rows (row, message, hint): the first PROBLEMS_NAMED each, then one line counting the rest."""
    for n, (row, message, hint) in enumerate(rows):
        if n == PROBLEMS_NAMED or problems.full:
            problems.refuse(file, f"and {len(rows) - n:,} more rows like these", hint, sheet=sheet, column=column)
            return
        problems.refuse(file, message, hint, sheet=sheet, row=int(row), column=column)


def parse_lait(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """LAIT's long download as candidate figures (``Parsed.frame``), each rule applied once per
    distinct text: the code, the year of each measure, the area of each LA number and name in
    each year, the value of each measure. Rows of indicators not held are one skipped line per
    code, with its row count; rows whose ``Years`` is ``0`` likewise."""
    out = Parsed("lait")
    head = _header_index(sheet.rows[0])
    missing = [c for c in ("short desc", "years", "values") if c not in head]
    if "la and regions" not in head and "la number" not in head:
        missing.append("la and regions")
    if _refuse_missing_headings(sheet, "lait", missing, problems) or _refuse_repeated_headings(sheet, 0, LAIT_COLUMNS, problems):
        return out
    cols, numbers = _body(sheet, head)
    file, name = sheet.file, sheet.name
    for code, (count, first) in sheet.omitted.items():
        out.skipped.append(_skip(file, name, first, code, f"{NOT_HELD} ({count:,} rows)"))
    code_text = cols["short desc"]
    blank = (code_text == "") & (cols["years"] == "") & (cols["values"] == "") & (cols["la and regions"] == "")
    exact = lait_codes()
    folded = _measure_of(exact)
    distinct = code_text[~blank].unique()
    measure_of = {c: exact.get(c) or folded.get(c.lower()) for c in distinct}
    measure = code_text.map({c: (m.id if m else None) for c, m in measure_of.items()})
    held = ~blank & measure.notna()
    skipped_codes = code_text[~blank & ~held]
    if len(skipped_codes):
        first_row = pd.Series(numbers[skipped_codes.index], index=skipped_codes.index).groupby(skipped_codes).min()
        for code, count in skipped_codes.value_counts(sort=False).items():
            label = code or "(no Short Desc)"
            out.skipped.append(_skip(file, name, int(first_row[code]), label, f"{NOT_HELD} ({count:,} rows)"))
    reg = registry()
    # ---- periods: one per distinct (Years, measure)
    years = cols["years"]
    no_year = held & (years == "0")
    for code, count in code_text[no_year].value_counts(sort=False).items():
        out.skipped.append(_skip(file, name, int(numbers[no_year[no_year].index[0]]), code, f"{NO_YEAR} ({count:,} rows)"))
    held &= ~no_year
    period_keys = pd.Series(list(zip(years.tolist(), measure.tolist())), index=years.index)
    periods: dict[tuple[str, str], Period | str] = {}
    for key in period_keys[held].unique():
        try:
            periods[key] = for_measure(parse_period(key[0]), reg.get(key[1]))
        except CellError as exc:
            periods[key] = str(exc)
    period = period_keys.map(periods)
    bad = held & period.map(lambda p: isinstance(p, str))
    hint = "use the file as LAIT gives it"
    _named(problems, [(numbers[i], period[i], hint) for i in bad.index[bad]], file, name, "Years")
    held &= ~bad
    # ---- areas: LA Number first (its year decides between an old and a new council), then the name
    year = period.map(lambda p: p.reporting_year if isinstance(p, Period) else None)
    number_text, area_text = cols["la number"], cols["la and regions"]
    area_keys = pd.Series(list(zip(number_text.tolist(), area_text.tolist(), year.tolist())), index=years.index)
    found = {}
    for key in area_keys[held].unique():
        hit = areas.resolve(key[0], key[2]) if key[0] else None
        found[key] = (hit or areas.resolve(key[1], key[2]) or {}).get("code")
    code = area_keys.map(found)
    bad = held & code.isna()
    unknown = []
    for i in bad.index[bad][: PROBLEMS_NAMED + 1]:
        number = f" (LA Number {quote(number_text[i], 12)})" if number_text[i] else ""
        closest = ", ".join(areas.suggest(area_text[i])) or "none"
        unknown.append((numbers[i], f"unknown area {quote(area_text[i])}{number}", f"closest: {closest}; check the area"))
    unknown += [(numbers[i], "", "") for i in bad.index[bad][PROBLEMS_NAMED + 1 :]]
    _named(problems, unknown, file, name, "LA and Regions")
    held &= ~bad
    # ---- values: one per distinct (Values, measure)
    value_keys = pd.Series(list(zip(cols["values"].tolist(), measure.tolist())), index=years.index)
    cells: dict[tuple[str, str], tuple[float | None, str | None] | str] = {}
    for key in value_keys[held].unique():
        try:
            cell = parse_value(key[0] or None, reg.get(key[1]))
            cells[key] = (None, None) if cell is None else (cell.value, cell.symbol)
        except CellError as exc:
            cells[key] = str(exc)
    cell = value_keys.map(cells)
    bad = held & cell.map(lambda c: isinstance(c, str))
    _named(problems, [(numbers[i], cell[i], hint) for i in bad.index[bad]], file, name, "Values")
    held &= ~bad
    # ---- vintages
    vintage_of = _vintages(sheet, opts, measure[held].unique(), problems)
    if vintage_of is None:
        return out
    keep = held[held].index
    chosen, values = period[keep], cell[keep]
    out.frame = pd.DataFrame(
        {
            "area_code": code[keep].to_numpy(),
            "measure": measure[keep].to_numpy(),
            "period_start": [p.start for p in chosen],
            "period_end": [p.end for p in chosen],
            "reporting_year": [p.reporting_year for p in chosen],
            "value": np.array([v[0] if v[0] is not None else np.nan for v in values], dtype="float64"),
            "symbol": np.array([v[1] for v in values], dtype=object),
            "source": SOURCE,
            "vintage": measure[keep].map(vintage_of).to_numpy(),
            "note": None,
            "file": file,
            "sheet": name,
            "row": numbers[keep],
            "column": "Values",
            "period_row": numbers[keep],
            "period_column": "Years",
        }
    )
    return out


def _skip(file: str, sheet: str | None, row: int, what: str, reason: str) -> dict:
    return {"file": file, "sheet": sheet, "row": row, "column": "Short Desc", "what": what[:80], "reason": reason}


def _vintages(sheet: Sheet, opts: Options, measures: np.ndarray, problems: Problems) -> dict[str, str] | None:
    """measure id -> vintage, by the rule of the module docstring; a warning says which was used."""
    if opts.vintage:
        return {m: opts.vintage for m in measures}
    today = checked_vintage(dt.date.today(), problems, sheet.file, sheet.name, None, None)
    if today is None:
        return None
    named = vintage_in_name(sheet.file)
    if named:
        problems.caution(
            sheet.file,
            f"vintage {named}, the release month in the file's name, is used for every figure",
            "give the vintage if the file is from another release",
            sheet=sheet.name,
        )
        return {m: named for m in measures}
    reg = registry()
    of = {}
    dated = set()
    for m in measures:
        updated = reg.get(m).updated
        try:
            of[m] = parse_vintage(updated) if updated else today
            dated.add(m) if updated else None
        except VintageError:
            of[m] = today
    if dated:
        months = sorted({of[m] for m in dated})
        problems.caution(
            sheet.file,
            f"each indicator's figures are dated by LAIT's last update of it ({len(dated):,} indicators; "
            f"{months[0]} to {months[-1]})"
            + (
                f"; {len(of) - len(dated):,} with no update month are dated {today}, the month of the import"
                if len(of) > len(dated)
                else ""
            ),
            "give the vintage if the file is from another release",
            sheet=sheet.name,
        )
    else:
        problems.caution(
            sheet.file,
            f"the figures are dated {today}, the month of the import (the file does not say when they were published)",
            "give the vintage (the release as YYYY-MM)",
            sheet=sheet.name,
        )
    return of


# ---------------------------------------------------------------- parquet (LAIT's whole dataset)

_PARQUET_TEXT = {"short desc", "years", "la and regions", "values"}


def read_lait_parquet(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """LAIT's whole dataset as one parquet file: the footer checked first (LAIT's columns, rows in
    all and per row group, the size it declares), then each row group read in turn (its LAIT
    columns only), counting rows per indicator and keeping only the indicators the dashboard
    holds before any cell is built. Returns one sheet: the header and the rows kept (``frame``,
    with ``row_numbers``), the rest summarised in ``Sheet.omitted``."""
    try:
        return [_read_parquet(data, file)]
    except Refused as exc:
        problems.error(exc.problem(file))
        return []


def _read_parquet(data: bytes, file: str) -> Sheet:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    again = "download LAIT's parquet file again, or use its CSV download"
    if not (data.startswith(b"PAR1") and data.endswith(b"PAR1")):
        raise Refused("the file is called .parquet but is not a parquet file", again)
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        meta = pf.metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ... on a damaged footer
        raise Refused(f"the parquet file cannot be read ({type(exc).__name__})", again) from None
    names = {n.strip().lower(): n for n in pf.schema_arrow.names}
    missing = [h for h in ("Short Desc", "Years", "LA and Regions", "Values") if h.lower() not in names]
    if missing:
        raise Refused(
            "the parquet file is not LAIT's long download: no column " + ", ".join(quote(m) for m in missing),
            "upload LAIT's bds_long parquet file, or a CSV in one of the formats the dashboard reads",
        )
    wanted = [names[h.lower()] for h in HEADINGS if h.lower() in names]
    for n in wanted:
        kind = pf.schema_arrow.field(n).type
        if not (
            pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)
        ):
            raise Refused(f"the parquet column {quote(n)} holds {kind}, not text or numbers as in LAIT's file", again)
    if meta.num_rows > MAX_PARQUET_ROWS:
        raise Refused(f"the parquet file has {meta.num_rows:,} rows (limit {MAX_PARQUET_ROWS:,})", "split it into smaller files")
    declared = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if group.num_rows > MAX_PARQUET_ROW_GROUP_ROWS:
            raise Refused(
                f"row group {g + 1} of the parquet file has {group.num_rows:,} rows (limit {MAX_PARQUET_ROW_GROUP_ROWS:,} per row group)",
                "write the file again with smaller row groups",
            )
        declared += sum(group.column(c).total_uncompressed_size for c in range(group.num_columns))
    if declared > MAX_PARQUET_BYTES:
        raise Refused(
            f"the parquet file would expand to {size_text(declared)} (limit {size_text(MAX_PARQUET_BYTES)})",
            "split it into smaller files",
        )
    held = pa.array(sorted(lait_codes()), pa.string())
    code_column = names["short desc"]
    kept, numbers, omitted = [], [], {}
    offset, cells = 0, 0
    for g in range(meta.num_row_groups):
        try:
            table = pf.read_row_group(g, columns=wanted)
        except Exception as exc:  # damaged pages
            raise Refused(f"row group {g + 1} of the parquet file cannot be read ({type(exc).__name__})", again) from None
        if table.num_rows != meta.row_group(g).num_rows:
            raise Refused(f"row group {g + 1} of the parquet file holds another number of rows than it says", again)
        codes = pc.utf8_trim_whitespace(table.column(code_column).cast(pa.string()))
        mask = pc.fill_null(pc.is_in(codes, value_set=held), False)
        if not pc.all(mask).as_py():
            rest = pc.invert(mask)
            left = codes.filter(rest)
            rows = pc.indices_nonzero(rest)
            firsts = pa.table({"code": left, "row": rows}).group_by("code").aggregate([("row", "min"), ("row", "count")])
            for c, first, count in zip(*(firsts.column(k).to_pylist() for k in ("code", "row_min", "row_count"))):
                key = "(no Short Desc)" if not c else c
                before = omitted.get(key, (0, first + offset + 2))
                omitted[key] = (before[0] + count, min(before[1], first + offset + 2))
        index = pc.indices_nonzero(mask)
        cells += len(index) * len(wanted)
        if cells > MAX_CELLS:
            raise Refused(
                f"the indicators the dashboard holds make more than {MAX_CELLS:,} cells in this file (limit {MAX_CELLS:,} per file)",
                "split it into smaller files",
            )
        kept.append(table.filter(mask))
        numbers.append(np.asarray(index) + offset + 2)
        offset += table.num_rows
    body = pa.concat_tables(kept) if kept else pa.table({n: pa.array([], pa.string()) for n in wanted})
    frame = pd.DataFrame({i: _texts(body.column(n)) for i, n in enumerate(wanted)})
    header = pd.DataFrame([list(wanted)], columns=range(len(wanted)), dtype=object)
    frame = pd.concat([header, frame], ignore_index=True)
    row_numbers = np.concatenate([np.array([1])] + numbers) if numbers else np.array([1])
    return Sheet(file, None, [list(wanted)], frame=frame, row_numbers=row_numbers, omitted=omitted)


def _texts(column) -> pd.Series:
    """A parquet column as text cells (None for missing), as a CSV of it would read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(column.type):  # LA Number is a double in LAIT's file: 383.0 -> "383"
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        whole = pc.equal(column, pc.floor(column))
        text = pc.if_else(whole, pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string()), pc.cast(column, pa.string()))
        return pd.Series(text.to_pylist(), dtype=object)
    return pd.Series(pc.cast(column, pa.string()).to_pylist(), dtype=object)


def lait_csv_bytes(data: bytes, codes: list[str] | None = None, rows: int | None = None) -> bytes:
    """LAIT's parquet file as the CSV download of the same rows (for benchmarks and tests): the
    indicators ``codes`` (all when None), at most ``rows`` rows."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(data))
    if codes is not None:
        table = table.filter(pc.is_in(table.column("Short Desc"), value_set=pa.array(codes, pa.string())))
    if rows is not None:
        table = table.slice(0, rows)
    frame = table.to_pandas()
    frame["LA Number"] = frame["LA Number"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


# ---------------------------------------------------------------- LAIT's reference files

LA_CODE_LIST_COLUMNS = {"la number", "la name", "region", "type"}


def reference_kind(sheet: Sheet) -> str | None:
    """``dictionary`` for LAIT's data dictionary, ``la_codes`` for LAIT's LA code list (LA Number,
    LA Name, Region, Type), None for anything else: files that describe the data, not figures."""
    from journey.lait_dictionary import is_dictionary

    if not sheet.rows:
        return None
    first = [str(v).strip().lstrip("\ufeff") for v in sheet.rows[0] if v is not None and str(v).strip()]
    if is_dictionary(first):
        return "dictionary"
    if {v.lower() for v in first} == LA_CODE_LIST_COLUMNS:
        return "la_codes"
    return None


def parse_reference(sheet: Sheet, areas: AreaIndex, opts: Options, problems: Problems) -> Parsed:
    """A reference file recognised: nothing to import, and the plan says what it is (a warning,
    so the CLI and the preview show it; no error)."""
    out = Parsed("reference")
    kind = reference_kind(sheet)
    if kind == "dictionary":
        rows = max(len(sheet.rows) - 1, 0)
        text = (
            f"LAIT's data dictionary ({rows:,} indicators described): it holds no figures and nothing is imported; "
            "`python -m journey refresh-default` reads it to update the registry"
        )
    elif kind == "la_codes":
        text = _code_list_text(sheet, areas)
    else:
        problems.refuse(
            sheet.file,
            "the sheet is not one of LAIT's reference files (its data dictionary or LA code list)",
            "choose the format the file is in, or let the importer detect it",
            sheet=sheet.name,
        )
        return out
    problems.caution(sheet.file, text, "", sheet=sheet.name)
    out.skipped.append(
        {"file": sheet.file, "sheet": sheet.name, "row": 1, "column": None, "what": "reference file", "reason": text[:300]}
    )
    return out


def _code_list_text(sheet: Sheet, areas: AreaIndex) -> str:
    """How LAIT's LA code list compares with the dashboard's areas, in one sentence."""
    head = _header_index(sheet.rows[0])
    col = head["la number"]
    from journey.importing.formats import whole_code

    codes = {c for r in sheet.rows[1:] if col < len(r) and (c := whole_code(r[col])) is not None}
    known = {c for c in codes if c in areas.by_old}
    unknown = sorted(codes - known)
    dashboard = {str(r["old_la_code"]) for r in areas.rows if r.get("type") == "LA" and r.get("old_la_code")}
    missing = sorted(dashboard - codes)
    text = (
        f"LAIT's LA code list ({len(codes):,} codes): it holds no figures and nothing is imported; "
        f"{len(known):,} of its codes are LAs in the dashboard's area list"
    )
    if unknown:
        text += f"; {len(unknown):,} are not ({', '.join(unknown[:8])}{' ...' if len(unknown) > 8 else ''})"
    if missing:
        text += f"; the dashboard also has {len(missing):,} LA codes the list lacks ({', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''})"
    return text
