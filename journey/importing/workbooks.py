"""Reading a workbook safely: an .xlsx's structure scanned (part sizes, sheets, cells actually
present, merged ranges, shared strings, entity declarations, cells with a % number format), or
an .ods's (content.xml size, sheets, cells with their repeats, merged spans), before
python-calamine reads a cell. One reader, calamine, for both; the scan supplies what calamine
does not give (percentage formats, an .ods's merged cells)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from journey.importing.archives import WORKBOOK_METHODS, check_archive, member_name, open_zip, read_member, stream_member
from journey.importing.limits import (
    MAX_MERGED_RANGES,
    MAX_PART_BYTES,
    MAX_SHARED_STRINGS,
    MAX_SHEET_XML_BYTES,
    MAX_SHEETS,
    MAX_WORKBOOK_CELLS,
    MAX_XML_TOKEN_BYTES,
    size_text,
)
from journey.importing.problems import Problem, Problems
from journey.importing.sheets import Refused, Sheet, column_letter, column_number

_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix: some writers use <x:c> for <c>
_CELL = re.compile(rb"<" + _NS + rb"c[\s/>]")
_CELL_COLUMN = re.compile(rb"<" + _NS + rb"c(?=[\s/>])[^>]*?\sr=[\"']([A-Z]{1,3})[0-9]")
_ROW = re.compile(rb"<" + _NS + rb"row[\s/>]")
_ROW_NUMBER = re.compile(rb"<" + _NS + rb"row(?=[\s/>])[^>]*?\sr=[\"']([0-9]{1,9})[\"']")
_MERGE = re.compile(
    rb"<" + _NS + rb"mergeCell(?=[\s/>])[^>]*?\sref=[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,9})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,9}))?"
)
_SHARED_STRING = re.compile(rb"<" + _NS + rb"si[\s/>]")
_SHEET = re.compile(rb"<" + _NS + rb"sheet\s[^>]*>")
_RELATIONSHIP = re.compile(rb"<" + _NS + rb"Relationship\s[^>]*>")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# A formula cell holding an error (calamine reads it as blank): <c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>
_ERROR_CELL_HINT = re.compile(rb"\st=[\"']e[\"']")
_ERROR_CELL = re.compile(
    rb"<" + _NS + rb"c(?=\s)(?=[^>]*?\st=[\"']e[\"'])[^>]*?\sr=[\"']([A-Z]{1,3})([0-9]{1,7})[\"'][^>]*>"
    rb"(?:<" + _NS + rb"f[^>]*/>|<" + _NS + rb"f[^>]*>[^<]{0,8000}</" + _NS + rb"f>)?"
    rb"<" + _NS + rb"v>([^<]{1,40})</" + _NS + rb"v>"
)


_TOKEN_MESSAGE = (
    "{where} holds a text or tag of more than " + size_text(MAX_XML_TOKEN_BYTES) + " (Excel keeps a cell to 32,767 characters)"
)


def _attribute(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"\s" + name + rb"\s*=\s*(\"[^\"]*\"|'[^']*')", tag)
    return html.unescape(found.group(1)[1:-1].decode("utf-8", errors="replace")) if found else None


@dataclass
class _PartScan:
    cells: int = 0
    referenced: int = 0  # cells carrying an r="A1" reference
    rows: int = 0  # the last row number (or the number of rows, if larger)
    columns: int = 0  # the last column number any cell names
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first row, first col, last row, last col), 1-based
    shared_strings: int = 0
    percent: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based: cells with a % number format
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> the error a formula cell holds (#DIV/0!)
    head: bytes = b""  # the part's first bytes, for small parts read whole (workbook.xml, rels)


def _xml_segments(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, where: str, hint: str) -> Iterator[bytes]:
    """An XML part streamed (at most ``cap`` bytes) as segments that each end at a '>', so no tag
    is split; a run of text without tags, or a carried-over token, longer than
    MAX_XML_TOKEN_BYTES, and any entity or document type declaration, are refused."""
    carry = b""
    for chunk in stream_member(zf, info, cap, WORKBOOK_METHODS):
        if b"<" not in chunk:
            raise Refused(_TOKEN_MESSAGE.format(where=where), hint)
        buffer = carry + chunk
        end = buffer.rfind(b">") + 1
        segment, carry = buffer[:end], buffer[end:]
        if len(carry) > MAX_XML_TOKEN_BYTES:
            raise Refused(_TOKEN_MESSAGE.format(where=where), hint)
        if b"<!" in segment and _DECLARATION.search(segment):
            raise Refused(f"{where} declares XML entities or a document type, which spreadsheets never need", hint)
        yield segment


def _scan_xml(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, where: str, kind: str, percent_tag: re.Pattern | None = None
) -> _PartScan:
    """Stream one XML part (at most ``cap`` bytes) and count what a reader would build from it.
    ``kind`` is "sheet", "strings" or "other". Each segment handled ends at a '>' so no tag is
    split; a run of text without tags is bounded, so no single token can be huge. In a sheet,
    ``percent_tag`` matches the cells whose style has a percentage number format."""
    scan = _PartScan()
    last_row_tag = 0
    columns: set[bytes] = set()
    for segment in _xml_segments(zf, info, cap, where, "open the workbook in Excel and save it again"):
        if len(scan.head) < 64_000:
            scan.head += segment[: 64_000 - len(scan.head)]
        if kind == "sheet":
            rows = _count_rows(segment)
            _scan_sheet_segment(segment, scan, columns, where, percent_tag, rows)
            last_row_tag += rows
            if scan.cells > MAX_WORKBOOK_CELLS:
                raise Refused(
                    f"{where} holds more than {MAX_WORKBOOK_CELLS:,} cells (limit {MAX_WORKBOOK_CELLS:,} per workbook)",
                    "split it into smaller files",
                )
        elif kind == "strings":
            scan.shared_strings += len(_SHARED_STRING.findall(segment))
            if scan.shared_strings > MAX_SHARED_STRINGS:
                raise Refused(
                    f"the workbook holds more than {MAX_SHARED_STRINGS:,} distinct texts (limit {MAX_SHARED_STRINGS:,})",
                    "split it into smaller files",
                )
    scan.rows = max(scan.rows, last_row_tag)
    scan.columns = max((column_number(c) for c in columns), default=0)
    return scan


_FAST_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')  # as Excel, LibreOffice and openpyxl write cells
_FAST_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,9})"')


def _prefixed(segment: bytes, name: bytes) -> bool:
    """True when the segment may hold ``<x:name``: the fast counts below then do not apply."""
    return b":" + name in segment


def _count_rows(segment: bytes) -> int:
    """Row tags in the segment: ``<row`` counted in one pass (a ``<rowBreaks`` is counted too: a
    count used as a cap may be high, never low)."""
    if _prefixed(segment, b"row"):
        return len(_ROW.findall(segment))
    return segment.count(b"<row")


def _scan_sheet_segment(
    segment: bytes, scan: _PartScan, columns: set[bytes], where: str, percent_tag: re.Pattern | None, rows: int
) -> None:
    """Count one segment of a worksheet's XML into ``scan``: cells, the columns and rows they name,
    merged ranges, cells with a % format, formula errors. Byte counts and one simple pattern for
    the usual markup (``<c r="A1"``, ``<row r="1"``); the general patterns (namespace prefixes,
    attributes in another order, cells without a reference) wherever the segment needs them."""
    prefixed = _prefixed(segment, b"c")
    # ``<c`` in one pass (``<col``, ``<cfRule`` ... counted too: a cap may be high, never low)
    cells = len(_CELL.findall(segment)) if prefixed else segment.count(b"<c")
    scan.cells += cells
    found = [] if prefixed else _FAST_CELL_COLUMN.findall(segment)
    if len(found) != cells:
        found = _CELL_COLUMN.findall(segment)
        scan.cells += len(_CELL.findall(segment)) - cells if not prefixed else 0  # the exact count
    scan.referenced += len(found)
    columns.update(set(found))
    numbers = [] if _prefixed(segment, b"row") else _FAST_ROW_NUMBER.findall(segment)
    if len(numbers) != rows:
        numbers = _ROW_NUMBER.findall(segment)
    if numbers:
        scan.rows = max(scan.rows, max(map(int, numbers)))
    if percent_tag is not None:
        for letters, number in percent_tag.findall(segment):
            scan.percent.add((int(number) - 1, column_number(letters) - 1))
    if (b't="e"' in segment or b"t='e'" in segment or b"t =" in segment) and _ERROR_CELL_HINT.search(segment):
        for letters, number, text in _ERROR_CELL.findall(segment):
            if len(scan.errors) < MAX_MERGED_RANGES:
                scan.errors[(int(number) - 1, column_number(letters) - 1)] = html.unescape(text.decode("utf-8", "replace"))
    if b"mergeCell" in segment:
        for a, r1, b, r2 in _MERGE.findall(segment):
            if len(scan.merges) >= MAX_MERGED_RANGES:
                raise Refused(
                    f"{where} has more than {MAX_MERGED_RANGES:,} merged ranges (limit {MAX_MERGED_RANGES:,})",
                    "unmerge the cells and save the workbook again",
                )
            c1, c2, n1, n2 = column_number(a), column_number(b or a), int(r1), int(r2 or r1)
            scan.merges.append((min(n1, n2), min(c1, c2), max(n1, n2), max(c1, c2)))


@dataclass
class _WorkbookScan:
    sheets: dict[str, tuple[str, _PartScan]]  # part path -> (sheet name, what it holds)


_NUMBER_FORMAT = re.compile(rb"<" + _NS + rb"numFmt\s[^>]*>")
_CELL_FORMATS = re.compile(rb"<" + _NS + rb"cellXfs[\s>].*?</" + _NS + rb"cellXfs>", re.DOTALL)
_FORMAT_ENTRY = re.compile(rb"<" + _NS + rb"xf[\s/>][^>]*")
_PERCENT_BUILTIN = {"9", "10"}  # Excel's built-in 0% and 0.00%


def _percent_cell_tag(styles: bytes) -> re.Pattern | None:
    """A pattern for the sheet cells (``<c r="B8" s="3">``) whose style has a percentage number
    format, from xl/styles.xml: built-in formats 9 and 10 and any format code with a %. Its
    matches are (column letters, row number). None when no style is a percentage."""
    percent = set(_PERCENT_BUILTIN)
    for tag in _NUMBER_FORMAT.findall(styles):
        code, number = _attribute(tag, b"formatCode"), _attribute(tag, b"numFmtId")
        if code and number and "%" in code:
            percent.add(number)
    block = _CELL_FORMATS.search(styles)
    ids = [
        str(i).encode()
        for i, tag in enumerate(_FORMAT_ENTRY.findall(block.group(0)) if block else [])
        if _attribute(tag, b"numFmtId") in percent
    ]
    if not ids:
        return None
    return re.compile(
        rb"<" + _NS + rb"c(?=\s)(?=[^>]*?\ss=[\"'](?:" + b"|".join(ids) + rb")[\"'])[^>]*?\sr=[\"']([A-Z]{1,3})([0-9]{1,7})[\"']"
    )


def _sheet_names(workbook: bytes, rels: bytes) -> dict[str, str]:
    """Worksheet part path -> sheet name, from xl/workbook.xml and its relationships."""
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        rid, target, kind = _attribute(tag, b"Id"), _attribute(tag, b"Target"), _attribute(tag, b"Type") or ""
        if rid and target and kind.endswith("/worksheet"):
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rid] = re.sub(r"[^/]+/\.\./", "", path)
    names = {}
    for tag in _SHEET.findall(workbook):
        rid = _attribute(tag, rb"(?:[\w.-]+:)?id")
        if rid in targets:
            names[targets[rid]] = _attribute(tag, b"name") or targets[rid]
    return names


def scan_workbook(zf: zipfile.ZipFile, compressed_size: int) -> _WorkbookScan:
    """Check a workbook's structure from its central directory and XML, before calamine opens it:
    sizes, sheet count, cells (rows x columns each sheet's cells and merged ranges span), merged
    ranges and shared strings. Raises ``Refused`` naming the limit."""
    if "xl/workbook.xml" not in zf.namelist():
        raise Refused("the file is a ZIP archive but not an Excel workbook", "upload an .xlsx saved by Excel, or the CSV files")
    infos = check_archive(
        zf, compressed_size, lambda i: MAX_SHEET_XML_BYTES if i.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
    )
    by_name = {i.filename: i for i in infos}
    small = {}
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
        if part in by_name:
            small[part] = read_member(zf, by_name[part], MAX_PART_BYTES, WORKBOOK_METHODS)
            if _DECLARATION.search(small[part]):
                raise Refused(
                    f"'{part}' declares XML entities or a document type, which workbooks never need",
                    "open the workbook in Excel and save it again",
                )
    count = len(_SHEET.findall(small["xl/workbook.xml"]))
    if count > MAX_SHEETS:
        raise Refused(f"the workbook has {count:,} sheets (limit {MAX_SHEETS})", "copy the sheets you need into a new workbook")
    names = _sheet_names(small["xl/workbook.xml"], small.get("xl/_rels/workbook.xml.rels", b""))
    percent_tag = _percent_cell_tag(small.get("xl/styles.xml", b""))
    sheets: dict[str, tuple[str, _PartScan]] = {}
    cells = 0
    for info in infos:
        path = info.filename
        if info.is_dir() or path in small:
            continue
        is_sheet = path in names or (path.startswith("xl/worksheets/") and path.endswith(".xml"))
        if not is_sheet and not path.endswith((".xml", ".rels", ".vml")):
            for _ in stream_member(zf, info, MAX_PART_BYTES, WORKBOOK_METHODS):  # images and the like: checked, not kept
                pass
            continue
        name = names.get(path, path)
        where = f"sheet {name}" if is_sheet else f"the part '{member_name(info)}'"
        kind = "sheet" if is_sheet else "strings" if path.endswith("sharedStrings.xml") else "other"
        scan = _scan_xml(zf, info, MAX_SHEET_XML_BYTES if is_sheet else MAX_PART_BYTES, where, kind, percent_tag)
        if not is_sheet:
            continue
        rows = max([scan.rows] + [m[2] for m in scan.merges])
        columns = max([scan.columns] + [m[3] for m in scan.merges])
        if rows > _EXCEL_ROWS or columns > _EXCEL_COLUMNS:
            raise Refused(
                f"{where} names a cell beyond Excel's last row or column", "open the workbook in Excel and save it again"
            )
        for r1, c1, r2, c2 in scan.merges:
            area = (r2 - r1 + 1) * (c2 - c1 + 1)
            if area > MAX_WORKBOOK_CELLS:
                raise Refused(
                    f"{where} has a merged range {column_letter(c1 - 1)}{r1}:{column_letter(c2 - 1)}{r2} of {area:,} cells "
                    f"(limit {MAX_WORKBOOK_CELLS:,} cells per workbook)",
                    "unmerge the cells and save the workbook again",
                )
        merged = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in scan.merges)
        cells += max(rows * columns, scan.cells)
        if cells > MAX_WORKBOOK_CELLS or merged > MAX_WORKBOOK_CELLS:
            what = "its merged ranges cover" if merged > MAX_WORKBOOK_CELLS else "its cells span"
            total = merged if merged > MAX_WORKBOOK_CELLS else rows * columns
            raise Refused(
                f"{where}: {what} {total:,} cells (to {column_letter(max(columns, 1) - 1)}{max(rows, 1):,}), "
                f"more than the {MAX_WORKBOOK_CELLS:,} cells a workbook may hold",
                "delete unused rows and columns, or split the workbook",
            )
        sheets[path] = (name, scan)
    return _WorkbookScan(sheets)


def _grid(sheet, scan: _PartScan, budget: int) -> list[list[object]]:
    """A calamine worksheet's cells from A1, as wide as its cells and merged ranges reach, merged
    cells carrying their value across the range; blank cells None and whole numbers ``int`` (as
    Excel stores them). Never builds more than ``budget`` cells."""
    raw = sheet.to_python(skip_empty_area=False)
    width = max([scan.columns] + [m[3] for m in scan.merges] + [len(r) for r in raw[:1]])
    if len(raw) * width > budget:
        raise Refused(
            f"the sheet holds more than {budget:,} cells (limit {MAX_WORKBOOK_CELLS:,} per workbook)",
            "split it into smaller files",
        )
    rows = [[_cell_value(v) for v in r] for r in raw]
    del raw
    for (r, c), text in scan.errors.items():  # calamine reads an error as blank: the parsers must see it
        if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
            rows[r][c] = text
    for values in rows:
        if len(values) < width:
            values.extend([None] * (width - len(values)))
    for r1, c1, r2, c2 in scan.merges:
        if r1 > len(rows) or c1 > width:
            continue
        top = rows[r1 - 1][c1 - 1]
        for r in range(r1 - 1, min(r2, len(rows))):
            rows[r][c1 - 1 : min(c2, width)] = [top] * (min(c2, width) - c1 + 1)
    return rows


def _cell_value(v: object) -> object:
    """A cell as the parsers read it: an empty cell None, a whole number int (calamine gives every
    number as a float), text and dates as they are."""
    if v == "" or v is None:
        return None
    if type(v) is float and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _read_sheets(data: bytes, file: str, problems: Problems, scans: dict[str, _PartScan], kind: str) -> list[Sheet]:
    """Every worksheet python-calamine reads from a workbook whose structure was scanned first
    (``scans``: sheet name -> what the scan found); a sheet the scan did not see is refused."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    again = "open it in Excel and save it again as .xlsx" if kind == "xlsx" else "open it and save it again as .ods or .xlsx"
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own kinds (XmlError, ZipError ...) on damaged parts
        problems.refuse(file, f"the workbook cannot be opened ({type(exc).__name__})", again)
        return []
    sheets = []
    budget = MAX_WORKBOOK_CELLS
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets and the like hold no cells
            name = meta.name
            scan = scans.get(name)
            if scan is None:  # a sheet the scan did not see cannot be bounded: refuse rather than guess
                problems.refuse(file, "the sheet's cells cannot be found in the workbook", again, sheet=name)
                continue
            try:
                rows = _grid(wb.get_sheet_by_name(name), scan, budget)
            except Refused as exc:
                problems.error(Problem("error", file, name, None, None, exc.message, exc.hint))
                return []
            except Exception as exc:  # damaged XML inside the sheet
                problems.refuse(file, f"the sheet is damaged ({type(exc).__name__})", again, sheet=name)
                continue
            budget -= sum(len(r) for r in rows)
            while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
                rows.pop()
            if not rows:
                problems.caution(file, "the sheet is empty and was skipped", "", sheet=name)
                continue
            percent = {(r, c) for r, c in scan.percent if r < len(rows) and c < len(rows[r]) and rows[r][c] is not None}
            sheets.append(Sheet(file, name, rows, percent))
    finally:
        wb.close()
    return sheets


def read_xlsx(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """Every non-empty worksheet; merged cells carry their value across the merged range. The
    structure is checked first (``scan_workbook``, which also finds the cells with a percentage
    number format from the styles); python-calamine then reads the cells."""
    try:
        with open_zip(data, workbook=True) as zf:
            structure = scan_workbook(zf, len(data))
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    return _read_sheets(data, file, problems, {name: scan for name, scan in structure.sheets.values()}, "xlsx")


# ---------------------------------------------------------------- EES ZIP
# ---------------------------------------------------------------- OpenDocument spreadsheets (.ods)

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODS_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT_ROWS = re.compile(rb"table:number-rows-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_REPEAT_COLUMNS = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_SPAN_ROWS = re.compile(rb"table:number-rows-spanned\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_SPAN_COLUMNS = re.compile(rb"table:number-columns-spanned\s*=\s*[\"']([0-9]{1,12})[\"']")
_ODS_VALUE_TYPE = re.compile(rb"office:value-type\s*=\s*[\"']([a-z]+)[\"']")


def _count(pattern: re.Pattern, attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(int(found.group(1)), 1) if found else 1


@dataclass
class _OdsState:
    """Where the scan of one table of content.xml is: rows and columns counted with their repeats."""

    name: str
    scan: _PartScan = field(default_factory=_PartScan)
    row: int = 0  # rows before the current one (0-based index of the current row)
    row_repeat: int = 1
    column: int = 0
    row_cells: int = 0  # non-empty cells in the current row (before its repeat)
    row_end: int = 0  # the column after the current row's last non-empty cell
    row_percent: list[tuple[int, int]] = field(default_factory=list)  # (column, repeat) of percentage cells


def _ods_refuse_extent(state: _OdsState, rows: int, columns: int, cells: int) -> None:
    if cells > MAX_WORKBOOK_CELLS or rows * columns > MAX_WORKBOOK_CELLS:
        total = max(cells, rows * columns)
        raise Refused(
            f"sheet {state.name}: its cells span {total:,} cells (to {column_letter(max(columns, 1) - 1)}{max(rows, 1):,}, "
            f"repeats included), more than the {MAX_WORKBOOK_CELLS:,} cells a workbook may hold",
            "delete unused rows and columns, or split the workbook",
        )


def _ods_row_end(state: _OdsState, total: list[int]) -> None:
    """Close the current row: its non-empty cells, times its repeat, join the table's extent."""
    scan, repeat = state.scan, state.row_repeat
    if state.row_cells:
        rows, columns = state.row + repeat, max(scan.columns, state.row_end)
        cells = total[0] + state.row_cells * repeat
        _ods_refuse_extent(state, rows, columns, cells)
        total[0] = cells
        scan.cells += state.row_cells * repeat
        scan.rows, scan.columns = rows, columns
        for column, width in state.row_percent:
            scan.percent.update((r, c) for r in range(state.row, state.row + repeat) for c in range(column, column + width))
    state.row += repeat
    state.row_repeat, state.column, state.row_cells, state.row_end, state.row_percent = 1, 0, 0, 0, []


def _ods_cell(state: _OdsState, attributes: bytes, empty_tag: bool) -> None:
    repeat = _count(_ODS_REPEAT_COLUMNS, attributes)
    kind = _ODS_VALUE_TYPE.search(attributes)
    if kind or not empty_tag:  # a value, or content inside the cell: calamine builds it, repeats and all
        if state.row_cells * state.row_repeat > MAX_WORKBOOK_CELLS or repeat > _EXCEL_COLUMNS:
            _ods_refuse_extent(state, state.row + state.row_repeat, state.column + repeat, MAX_WORKBOOK_CELLS + 1)
        state.row_cells += repeat
        state.row_end = state.column + repeat
        if kind and kind.group(1) == b"percentage":
            state.row_percent.append((state.column, repeat))
        span_rows, span_columns = _count(_ODS_SPAN_ROWS, attributes), _count(_ODS_SPAN_COLUMNS, attributes)
        if span_rows > 1 or span_columns > 1:
            merges = state.scan.merges
            if len(merges) >= MAX_MERGED_RANGES:
                raise Refused(
                    f"sheet {state.name} has more than {MAX_MERGED_RANGES:,} merged ranges (limit {MAX_MERGED_RANGES:,})",
                    "unmerge the cells and save the workbook again",
                )
            r1, c1 = state.row + 1, state.column + 1
            r2, c2 = r1 + span_rows - 1, c1 + span_columns - 1
            if span_rows * span_columns > MAX_WORKBOOK_CELLS:
                raise Refused(
                    f"sheet {state.name} has a merged range {column_letter(c1 - 1)}{r1}:{column_letter(c2 - 1)}{r2} of "
                    f"{span_rows * span_columns:,} cells (limit {MAX_WORKBOOK_CELLS:,} cells per workbook)",
                    "unmerge the cells and save the workbook again",
                )
            merges.append((r1, c1, r2, c2))
    state.column += repeat


def scan_ods(zf: zipfile.ZipFile, compressed_size: int) -> dict[str, _PartScan]:
    """Check an OpenDocument spreadsheet's structure before calamine opens it: the archive's
    members (each streamed with a cap), content.xml (at most ``MAX_SHEET_XML_BYTES``, no entity
    declarations, no huge text), the number of sheets, and each sheet's cells counted with their
    row and column repeats (an .ods may say "this cell, 16,384 times, on a million rows"), merged
    spans and cells formatted as percentages. Returns sheet name -> what it holds; raises
    ``Refused`` naming the limit."""
    names = set(zf.namelist())
    if "content.xml" not in names:
        raise Refused("the file is a ZIP archive but not an OpenDocument spreadsheet", "save it again as .ods or .xlsx")
    infos = check_archive(zf, compressed_size, lambda i: MAX_SHEET_XML_BYTES if i.filename == "content.xml" else MAX_PART_BYTES)
    by_name = {i.filename: i for i in infos}
    if "mimetype" in by_name:
        kind = read_member(zf, by_name["mimetype"], 200, WORKBOOK_METHODS).strip()
        if kind != ODS_MIMETYPE:
            raise Refused(
                f"the file is an OpenDocument {kind.decode('ascii', 'replace').rsplit('.', 1)[-1][:30]}, not a spreadsheet",
                "save it from a spreadsheet program as .ods or .xlsx",
            )
    for info in infos:
        if info.is_dir() or info.filename == "content.xml":
            continue
        if info.filename.endswith(".xml"):
            _scan_xml(zf, info, MAX_PART_BYTES, f"the part '{member_name(info)}'", "other")
        else:
            for _ in stream_member(zf, info, MAX_PART_BYTES, WORKBOOK_METHODS):  # pictures and the like: checked, not kept
                pass
    tables: dict[str, _PartScan] = {}
    state: _OdsState | None = None
    total = [0]  # non-empty cells of all sheets together
    where = "the part 'content.xml'"
    for segment in _xml_segments(zf, by_name["content.xml"], MAX_SHEET_XML_BYTES, where, "open the workbook and save it again"):
        for closing, element, attributes, empty in _ODS_TAG.findall(segment):
            if element == b"table":
                if closing:
                    state = None
                    continue
                if len(tables) >= MAX_SHEETS:
                    raise Refused(
                        f"the workbook has more than {MAX_SHEETS} sheets (limit {MAX_SHEETS})",
                        "copy the sheets you need into a new workbook",
                    )
                name = _attribute(attributes, b"table:name") or f"Sheet{len(tables) + 1}"
                state = _OdsState(name)
                tables[name] = state.scan
            elif state is None:
                continue
            elif element == b"table-row":
                if closing:
                    _ods_row_end(state, total)
                else:
                    state.row_repeat = _count(_ODS_REPEAT_ROWS, attributes)
                    state.column, state.row_cells, state.row_end, state.row_percent = 0, 0, 0, []
                    if empty:
                        _ods_row_end(state, total)
            elif not closing:
                _ods_cell(state, attributes, bool(empty))
    return tables


def read_ods(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """Every non-empty sheet of an OpenDocument spreadsheet (LibreOffice, DfE's and Ofsted's .ods
    releases); merged cells carry their value across the range, cells formatted as percentages
    are known. The structure is checked first (``scan_ods``); python-calamine then reads the cells."""
    try:
        with open_zip(data, workbook=True) as zf:
            scans = scan_ods(zf, len(data))
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    return _read_sheets(data, file, problems, scans, "ods")
