"""Reading an .xlsx safely: the workbook's structure scanned (part sizes, sheets, cells actually
present, merged ranges, shared strings, entity declarations) before openpyxl reads a cell."""

from __future__ import annotations

import html
import io
import re
import zipfile
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
    head: bytes = b""  # the part's first bytes, for small parts read whole (workbook.xml, rels)


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, where: str, kind: str) -> _PartScan:
    """Stream one XML part (at most ``cap`` bytes) and count what openpyxl would build from it.
    ``kind`` is "sheet", "strings" or "other". Each segment handled ends at a '>' so no tag is
    split; a run of text without tags is bounded, so no single token can be huge."""
    scan = _PartScan()
    carry = b""
    last_row_tag = 0
    columns: set[bytes] = set()
    for chunk in stream_member(zf, info, cap, WORKBOOK_METHODS):
        if b"<" not in chunk:
            raise Refused(_TOKEN_MESSAGE.format(where=where), "open the workbook in Excel and save it again")
        buffer = carry + chunk
        end = buffer.rfind(b">") + 1
        segment, carry = buffer[:end], buffer[end:]
        if len(carry) > MAX_XML_TOKEN_BYTES:
            raise Refused(_TOKEN_MESSAGE.format(where=where), "open the workbook in Excel and save it again")
        if _DECLARATION.search(segment):
            raise Refused(
                f"{where} declares XML entities or a document type, which workbooks never need",
                "open the workbook in Excel and save it again",
            )
        if len(scan.head) < 64_000:
            scan.head += segment[: 64_000 - len(scan.head)]
        if kind == "sheet":
            scan.cells += len(_CELL.findall(segment))
            found = _CELL_COLUMN.findall(segment)
            scan.referenced += len(found)
            columns.update(found)
            last_row_tag += len(_ROW.findall(segment))
            numbers = _ROW_NUMBER.findall(segment)
            if numbers:
                scan.rows = max(scan.rows, max(map(int, numbers)))
            for a, r1, b, r2 in _MERGE.findall(segment):
                if len(scan.merges) >= MAX_MERGED_RANGES:
                    raise Refused(
                        f"{where} has more than {MAX_MERGED_RANGES:,} merged ranges (limit {MAX_MERGED_RANGES:,})",
                        "unmerge the cells and save the workbook again",
                    )
                c1, c2, n1, n2 = column_number(a), column_number(b or a), int(r1), int(r2 or r1)
                scan.merges.append((min(n1, n2), min(c1, c2), max(n1, n2), max(c1, c2)))
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


@dataclass
class _WorkbookScan:
    sheets: dict[str, tuple[str, _PartScan]]  # part path -> (sheet name, what it holds)


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
    """Check a workbook's structure from its central directory and XML, before openpyxl opens it:
    sizes, sheet count, cells (rows x columns each sheet's cells and merged ranges span), merged
    ranges and shared strings. Raises ``Refused`` naming the limit."""
    if "xl/workbook.xml" not in zf.namelist():
        raise Refused("the file is a ZIP archive but not an Excel workbook", "upload an .xlsx saved by Excel, or the CSV files")
    infos = check_archive(
        zf, compressed_size, lambda i: MAX_SHEET_XML_BYTES if i.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
    )
    by_name = {i.filename: i for i in infos}
    small = {}
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
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
        scan = _scan_xml(zf, info, MAX_SHEET_XML_BYTES if is_sheet else MAX_PART_BYTES, where, kind)
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


def _read_worksheet(ws, scan: _PartScan, budget: int) -> tuple[list[list[object]], set[tuple[int, int]]]:
    """A read-only worksheet's cells, as wide as its cells and merged ranges reach, merged cells
    carrying their value across the range. Never builds more than ``budget`` cells."""
    rows_wanted = max([scan.rows] + [m[2] for m in scan.merges])
    width = max([scan.columns] + [m[3] for m in scan.merges])
    exact = scan.referenced >= scan.cells  # every cell says where it is: the width is known before reading
    ws.reset_dimensions()  # the declared <dimension> is not trusted; the scan's extent is
    rows: list[list[object]] = []
    percent: set[tuple[int, int]] = set()
    if rows_wanted == 0:
        return rows, percent
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows_wanted, min_col=1, max_col=width if exact else None)):
        values = []
        for c, cell in enumerate(row):
            value = cell.value
            values.append(value)
            if value is not None and "%" in str(cell.number_format or ""):
                percent.add((r, c))
        rows.append(values)
        width = max(width, len(values))
        if len(rows) * width > budget:
            raise Refused(
                f"the sheet holds more than {budget:,} cells (limit {MAX_WORKBOOK_CELLS:,} per workbook)",
                "split it into smaller files",
            )
    for values in rows:
        if len(values) < width:
            values.extend([None] * (width - len(values)))
    for r1, c1, r2, c2 in scan.merges:
        if r1 > len(rows) or c1 > width:
            continue
        top = rows[r1 - 1][c1 - 1]
        for r in range(r1 - 1, min(r2, len(rows))):
            rows[r][c1 - 1 : min(c2, width)] = [top] * (min(c2, width) - c1 + 1)
    return rows, percent


def read_xlsx(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """Every non-empty worksheet; merged cells carry their value across the merged range. The
    structure is checked first (``scan_workbook``); openpyxl then streams rows (read-only mode)."""
    import openpyxl

    try:
        with open_zip(data, workbook=True) as zf:
            structure = scan_workbook(zf, len(data))
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        problems.refuse(
            file, f"the workbook cannot be opened ({type(exc).__name__})", "open it in Excel and save it again as .xlsx"
        )
        return []
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        problems.refuse(file, f"the workbook is damaged ({type(exc).__name__})", "open it in Excel and save it again as .xlsx")
        return []
    sheets = []
    budget = MAX_WORKBOOK_CELLS
    try:
        for ws in wb.worksheets:
            path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
            name, scan = structure.sheets.get(path, (ws.title, None))
            if scan is None:  # a sheet the scan did not see cannot be bounded: refuse rather than guess
                problems.refuse(
                    file,
                    "the sheet's cells cannot be found in the workbook",
                    "open it in Excel and save it again as .xlsx",
                    sheet=ws.title,
                )
                continue
            try:
                rows, percent = _read_worksheet(ws, scan, budget)
            except Refused as exc:
                problems.error(Problem("error", file, ws.title, None, None, exc.message, exc.hint))
                return []
            except Exception as exc:  # damaged XML inside the sheet
                problems.refuse(
                    file,
                    f"the sheet is damaged ({type(exc).__name__})",
                    "open it in Excel and save it again as .xlsx",
                    sheet=ws.title,
                )
                continue
            budget -= sum(len(r) for r in rows)
            while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
                rows.pop()
            if not rows:
                problems.warn(Problem("warning", file, ws.title, None, None, "the sheet is empty and was skipped", ""))
                continue
            sheets.append(Sheet(file, ws.title, rows, percent))
    finally:
        wb.close()
    return sheets


# ---------------------------------------------------------------- EES ZIP
