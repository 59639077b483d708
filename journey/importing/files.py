"""Reading uploaded files into grids of cells, safely.

A file becomes one or more ``Sheet``s: a CSV is one sheet, a workbook one per worksheet, a ZIP
(EES "Download all data") one per data CSV inside. Nothing is written to disk and no name from
a file is used as a path.

Every limit is checked before anything is expanded: a ZIP's or workbook's central directory
first (declared sizes, compression, encryption), then each part is streamed with a cap (so a part
whose declared size lies cannot expand past it) and, for a workbook, its XML is scanned for the
cells, merged ranges, sheets and shared strings it holds, before openpyxl reads a cell. A CSV's
lines, fields and cells are counted while streaming, before pandas builds a frame. Sizes are in
decimal megabytes (1 MB = 1,000,000 bytes) and are printed exactly as they are enforced.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from journey.importing.problems import Problem, Problems

MB = 1_000_000  # decimal megabyte: every size limit is a whole number of these
# One import must stay within 500 MB of memory. Measured (prepare against a store, peak RSS growth):
# a 15 MB DfE CSV 400 MB, a 20 MB one 536 MB; a 200,000-row workbook (1.4 million cells) 300 MB.
# So 15 MB per file, 3 million cells per CSV and 2 million per workbook (its cells cost more).
MAX_FILE_BYTES = 15 * MB  # one file as uploaded, from the CLI or the Upload page
MAX_UNZIPPED_BYTES = 300 * MB  # all members of a ZIP or workbook together, uncompressed
MAX_SHEET_XML_BYTES = 200 * MB  # one worksheet's XML, uncompressed
MAX_PART_BYTES = MAX_FILE_BYTES  # a CSV inside a ZIP, or any workbook part but a worksheet (shared strings, styles ...)
MAX_ZIP_MEMBERS = 500
MAX_RATIO = 200  # uncompressed to compressed; beyond it (and over 10 MB) a ZIP is treated as a bomb
MAX_CELLS = 3_000_000  # cells a CSV (or all the CSVs of one ZIP) may expand to, rows x columns
MAX_WORKBOOK_CELLS = 2_000_000  # cells a workbook may expand to, all sheets together (merged ranges included)
MAX_SHEETS = 50  # sheets in one workbook
MAX_SHARED_STRINGS = 1_000_000  # distinct texts in one workbook
MAX_MERGED_RANGES = 10_000  # merged ranges in one sheet
MAX_LINE_BYTES = 1 * MB  # one CSV row (a quoted field may span lines: the whole row counts)
MAX_FIELDS = 2_000  # fields in one CSV row
MAX_XML_TOKEN_BYTES = 1 * MB  # one tag or text run inside workbook XML (Excel keeps a cell to 32,767 characters)

_CHUNK = 1 << 20  # bytes read from a ZIP member at a time
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_WORKBOOK_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # what Excel and every other writer use
_METHOD_NAMES = {9: "Deflate64", 6: "Implode", 97: "WavPack", 98: "PPMd", 99: "AES encryption"}


def size_text(n: int) -> str:
    """A byte count as the limits are enforced, in decimal MB: 20,000,000 -> '20 MB',
    279,600,000 -> '280 MB', 1,500,000 -> '1.5 MB'; under 1 MB in bytes."""
    if n < MB:
        return f"{n:,} bytes"
    return f"{n / MB:,.0f} MB" if n % MB == 0 or n >= 10 * MB else f"{n / MB:,.1f} MB"


def check_import_size(uploads: list[tuple[str, bytes]], problems: Problems) -> bool:
    """False (with one error) when the files of one import together exceed ``MAX_FILE_BYTES``:
    an import keeps every file's sheets while it is checked, so the memory budget holds for the
    whole import only if its total is bounded too."""
    total = sum(len(data) for _, data in uploads)
    if len(uploads) < 2 or total <= MAX_FILE_BYTES:
        return True
    problems.error(Problem("error", ", ".join(display_name(n) for n, _ in uploads)[:120], None, None, None,
                           f"the {len(uploads)} files together are {size_text(total)} (limit {size_text(MAX_FILE_BYTES)} "
                           "for one import)", "import them in smaller groups"))
    return False


def limits_text() -> str:
    """The upload limits as one plain sentence (the README and the Upload page show it)."""
    return (
        f"Each file, and all the files of one import together, can be up to {size_text(MAX_FILE_BYTES)} "
        f"(1 MB = 1,000,000 bytes); a file can hold up to {MAX_CELLS:,} cells "
        f"({MAX_WORKBOOK_CELLS:,} in a workbook); "
        f"a workbook or ZIP can expand to at most {size_text(MAX_UNZIPPED_BYTES)} "
        f"({size_text(MAX_SHEET_XML_BYTES)} for one worksheet, {size_text(MAX_PART_BYTES)} for a CSV inside a ZIP) "
        f"with up to {MAX_SHEETS} sheets, and a CSV row can be up to {size_text(MAX_LINE_BYTES)} with {MAX_FIELDS:,} fields."
    )


@dataclass
class Sheet:
    """A grid of raw cells. ``rows[i][j]`` is row i+1, column j+1 of the sheet as the user sees it."""

    file: str
    name: str | None
    rows: list[list[object]]
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) with a % number format
    frame: pd.DataFrame | None = None  # the same cells as a DataFrame, when read from a CSV

    @property
    def where(self) -> str:
        return f"{self.file}, sheet {self.name}" if self.name else self.file


@dataclass
class SourceFile:
    name: str
    checksum: str
    sheets: list[Sheet]


class Refused(Exception):
    """A limit exceeded or damage found while reading: becomes one error ``Problem``."""

    def __init__(self, message: str, hint: str, sheet: str | None = None):
        super().__init__(message)
        self.message, self.hint, self.sheet = message, hint, sheet

    def problem(self, file: str) -> Problem:
        return Problem("error", file, self.sheet, None, None, self.message, self.hint)


def display_name(name: str) -> str:
    """The file's own name without any folders, safe to show (never used as a path)."""
    base = PurePosixPath(str(name).replace("\\", "/")).name or "upload"
    return "".join(ch for ch in base if ch.isprintable())[:120]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: bytes | str) -> int:
    """b'A' -> 1, b'XFD' -> 16384."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


# ---------------------------------------------------------------- CSV


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without a BOM) if every byte decodes, else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 4 * _CHUNK):
                decoder.decode(data[start : start + 4 * _CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _physical_lines(data: bytes) -> Iterator[bytes]:
    """The file's lines (ending in \\n, \\r\\n or \\r), refusing one longer than ``MAX_LINE_BYTES``
    before it is split into fields."""
    start, n = 0, len(data)
    while start < n:
        block = data[start : start + 2 * MAX_LINE_BYTES]  # a line within the limit always ends inside the block
        cut = block.rfind(b"\n") + 1 or block.rfind(b"\r") + 1
        if start + len(block) >= n:
            cut = len(block)
        if not cut:
            raise Refused(
                f"a line is longer than {size_text(MAX_LINE_BYTES)} (limit {size_text(MAX_LINE_BYTES)} per row)",
                "check that the file is a table with one row per line; split long rows",
            )
        for line in block[:cut].splitlines(keepends=True):
            if len(line) > MAX_LINE_BYTES:
                raise Refused(
                    f"a line is {size_text(len(line))} long (limit {size_text(MAX_LINE_BYTES)} per row)",
                    "check that the file is a table with one row per line; split long rows",
                )
            yield line
        start += cut


def _csv_shape(data: bytes, encoding: str, delimiter: str, max_cells: int) -> tuple[int, int]:
    """(rows, widest row) of a CSV, counted while streaming; refuses a row over ``MAX_LINE_BYTES``
    (a quoted field may span lines), over ``MAX_FIELDS`` fields, or a grid over ``max_cells``."""
    pending = 0

    def lines() -> Iterator[str]:
        nonlocal pending
        for raw in _physical_lines(data):
            pending += len(raw)
            if pending > MAX_LINE_BYTES:
                raise Refused(
                    f"row {rows + 1} is longer than {size_text(MAX_LINE_BYTES)} (a quote may be left open)",
                    "close the quotes, or split long rows",
                )
            yield raw.decode(encoding, errors="replace")

    rows = width = 0
    reader = csv.reader(lines(), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, width
        except csv.Error as exc:
            if "field limit" in str(exc):
                raise Refused(
                    f"row {rows + 1} has a field longer than {csv.field_size_limit():,} characters (a quote may be left open)",
                    "close the quotes, or shorten the text",
                ) from None
            raise
        pending = 0
        rows += 1
        if len(row) > MAX_FIELDS:
            raise Refused(f"row {rows} has {len(row):,} fields (limit {MAX_FIELDS:,})", "check the delimiter; split wide tables")
        width = max(width, len(row))
        if rows * width > max_cells:
            what = "the file has" if max_cells == MAX_CELLS else "with the archive's other CSV files, this makes"
            raise Refused(
                f"{what} more than {MAX_CELLS:,} cells (rows x columns; limit {MAX_CELLS:,} per file)",
                "split it into smaller files",
            )


def _object_grid(frame: pd.DataFrame) -> np.ndarray:
    """The frame's text as a 2-D object array, blank cells None. Each distinct text is one
    Python object shared by all its cells (a column of area names costs 8 bytes a cell)."""
    grid = np.empty(frame.shape, dtype=object)
    for j, name in enumerate(frame.columns):
        codes, uniques = pd.factorize(frame[name])  # missing -> -1, which picks the None appended last
        texts = np.append(np.asarray(uniques, dtype=object), None)
        texts[texts == ""] = None
        grid[:, j] = texts[codes]
    return grid


def _unreadable_csv(file: str, name: str | None, exc: Exception) -> Problem:
    """The one problem for a CSV that the csv module or pandas cannot parse."""
    return Problem("error", file, name, None, None, f"the CSV cannot be read: {str(exc).splitlines()[0][:200]}",
                   "check that every row has the same number of columns and quotes are closed")


def read_csv_bytes(data: bytes, file: str, name: str | None, problems: Problems, max_cells: int = MAX_CELLS) -> Sheet | None:
    """One sheet from CSV bytes, the delimiter sniffed (comma, semicolon, tab or bar). The shape
    is checked while streaming before pandas builds a frame of at most ``max_cells`` cells."""
    where = f"{file} ({name})" if name else file
    encoding = _encoding(data)
    if encoding != "utf-8-sig":
        problems.warn(
            Problem(
                "warning",
                where,
                None,
                None,
                None,
                "the file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV encoding)",
                "check names with accents; save as 'CSV UTF-8' to avoid this",
            )
        )
    sample = data[:20_000].decode(encoding, errors="ignore").removeprefix("\ufeff")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows, width = _csv_shape(data, encoding, delimiter, max_cells)
    except Refused as exc:
        problems.error(Problem("error", file, name, None, None, exc.message, exc.hint))
        return None
    except csv.Error as exc:
        problems.error(_unreadable_csv(file, name, exc))
        return None
    if not rows or not width:
        problems.error(Problem("error", file, name, None, None, "the file is empty", "upload a file with a header row and data"))
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            encoding=encoding,
            encoding_errors="replace",
        )
    except pd.errors.EmptyDataError:
        problems.error(Problem("error", file, name, None, None, "the file is empty", "upload a file with a header row and data"))
        return None
    except (pd.errors.ParserError, ValueError, csv.Error, UnicodeError) as exc:
        problems.error(_unreadable_csv(file, name, exc))
        return None
    if frame.size > max_cells:  # the pre-count and pandas agree on rows; this only guards their edge cases
        problems.error(
            Problem(
                "error",
                file,
                name,
                None,
                None,
                f"the file has {frame.size:,} cells (rows x columns; limit {MAX_CELLS:,} per file)",
                "split it into smaller files",
            )
        )
        return None
    grid = _object_grid(frame)
    del frame
    return Sheet(file, name, grid.tolist(), frame=pd.DataFrame(grid, dtype=object, copy=False))


# ---------------------------------------------------------------- ZIP members, streamed with a cap


def _open_zip(data: bytes, workbook: bool = False) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # zipfile raises several kinds on a damaged directory
        if workbook:
            raise Refused(
                "the workbook cannot be opened: it is not a valid ZIP archive", "open it in Excel and save it again as .xlsx"
            ) from None
        raise Refused(
            "the ZIP archive is damaged (its directory of files cannot be read)", "download it or save it again"
        ) from None


def _member_name(info: zipfile.ZipInfo) -> str:
    return "".join(ch for ch in info.filename if ch.isprintable())[:120] or "(unnamed)"


def _check_member(info: zipfile.ZipInfo, cap: int, methods: set[int]) -> None:
    """Refuse a member by what the central directory says, before a byte of it is read."""
    member = _member_name(info)
    if info.flag_bits & 0x1:
        raise Refused(f"'{member}' inside the archive is encrypted", "save the archive again without a password")
    if info.compress_type not in methods:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise Refused(
            f"'{member}' inside the archive is compressed with {method}, which is not supported",
            "save the archive again with ordinary (Deflate) compression",
        )
    if info.file_size > cap:
        raise Refused(
            f"'{member}' inside the archive would expand to {size_text(info.file_size)} (limit {size_text(cap)})",
            "upload the files themselves, split into smaller ones",
        )


def stream_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, methods: set[int] = _ZIP_METHODS) -> Iterator[bytes]:
    """A member's bytes in chunks, never more than ``cap`` in all, whatever its header claims.
    Damage (bad CRC, corrupt data, a name that differs from the directory's) is a ``Refused``."""
    _check_member(info, cap, methods)
    member = _member_name(info)
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > cap:
                    raise Refused(
                        f"'{member}' inside the archive expands to more than {size_text(cap)} (limit {size_text(cap)})",
                        "upload the files themselves, split into smaller ones",
                    )
                yield chunk
    except Refused:
        raise
    except zipfile.BadZipFile as exc:
        text = str(exc)
        if "CRC" in text:
            reason = "its checksum does not match its contents"
        elif "differ" in text or "name" in text.lower():
            reason = "its name in the archive's directory differs from the name stored with its data"
        else:
            reason = text.splitlines()[0][:120] if text else "its header is damaged"
        raise Refused(f"'{member}' inside the archive is damaged: {reason}", "download the archive or save it again") from None
    except (
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        RuntimeError,
        KeyError,
        IndexError,
        LookupError,
    ) as exc:
        reason = (
            "its compressed data is corrupt or cut short"
            if isinstance(exc, (zlib.error, EOFError, OSError, ValueError))
            else (str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
        )
        raise Refused(
            f"'{member}' inside the archive cannot be read: {reason}", "download the archive or save it again"
        ) from None
    except Exception as exc:  # lzma and bz2 raise their own kinds on damaged data
        raise Refused(
            f"'{member}' inside the archive cannot be read ({type(exc).__name__})", "download the archive or save it again"
        ) from None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, methods: set[int] = _ZIP_METHODS) -> bytes:
    """A whole member, read with a cap of ``cap`` bytes (see ``stream_member``)."""
    return b"".join(stream_member(zf, info, cap, methods))


def _check_archive(
    zf: zipfile.ZipFile, compressed_size: int, cap_of: Callable[[zipfile.ZipInfo], int | None]
) -> list[zipfile.ZipInfo]:
    """The members, after the central directory's counts and declared sizes are checked:
    each member against ``cap_of(member)`` (None: it is not read), then all together."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Refused(f"the archive holds {len(infos):,} files (limit {MAX_ZIP_MEMBERS})", "upload the data files you need")
    for info in infos:
        cap = cap_of(info)
        if cap is not None and info.file_size > cap:
            raise Refused(
                f"'{_member_name(info)}' inside the archive would expand to {size_text(info.file_size)} "
                f"(limit {size_text(cap)}); the archive was not opened",
                "upload the files themselves, split into smaller ones",
            )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES or (total > 10 * MB and total / max(compressed_size, 1) > MAX_RATIO):
        raise Refused(
            f"the archive would expand to {size_text(total)}; it was not opened (limit {size_text(MAX_UNZIPPED_BYTES)}, "
            f"and at most {MAX_RATIO} times its own size)",
            "upload the CSV files themselves",
        )
    return infos


def _ees_member(info: zipfile.ZipInfo) -> bool:
    """A data CSV of an EES archive (its ``.meta.csv`` descriptions are not read)."""
    name = info.filename.lower()
    return not info.is_dir() and name.endswith(".csv") and not name.endswith(".meta.csv")


# ---------------------------------------------------------------- workbook structure, scanned before openpyxl

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
    for chunk in stream_member(zf, info, cap, _WORKBOOK_METHODS):
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
                c1, c2, n1, n2 = _column_number(a), _column_number(b or a), int(r1), int(r2 or r1)
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
    scan.columns = max((_column_number(c) for c in columns), default=0)
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
    infos = _check_archive(
        zf, compressed_size, lambda i: MAX_SHEET_XML_BYTES if i.filename.startswith("xl/worksheets/") else MAX_PART_BYTES
    )
    by_name = {i.filename: i for i in infos}
    small = {}
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if part in by_name:
            small[part] = read_member(zf, by_name[part], MAX_PART_BYTES, _WORKBOOK_METHODS)
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
            for _ in stream_member(zf, info, MAX_PART_BYTES, _WORKBOOK_METHODS):  # images and the like: checked, not kept
                pass
            continue
        name = names.get(path, path)
        where = f"sheet {name}" if is_sheet else f"the part '{_member_name(info)}'"
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
        with _open_zip(data, workbook=True) as zf:
            structure = scan_workbook(zf, len(data))
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        problems.error(
            Problem(
                "error",
                file,
                None,
                None,
                None,
                f"the workbook cannot be opened ({type(exc).__name__})",
                "open it in Excel and save it again as .xlsx",
            )
        )
        return []
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        problems.error(
            Problem(
                "error",
                file,
                None,
                None,
                None,
                f"the workbook is damaged ({type(exc).__name__})",
                "open it in Excel and save it again as .xlsx",
            )
        )
        return []
    sheets = []
    budget = MAX_WORKBOOK_CELLS
    try:
        for ws in wb.worksheets:
            path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
            name, scan = structure.sheets.get(path, (ws.title, None))
            if scan is None:  # a sheet the scan did not see cannot be bounded: refuse rather than guess
                problems.error(
                    Problem(
                        "error",
                        file,
                        ws.title,
                        None,
                        None,
                        "the sheet's cells cannot be found in the workbook",
                        "open it in Excel and save it again as .xlsx",
                    )
                )
                continue
            try:
                rows, percent = _read_worksheet(ws, scan, budget)
            except Refused as exc:
                problems.error(Problem("error", file, ws.title, None, None, exc.message, exc.hint))
                return []
            except Exception as exc:  # damaged XML inside the sheet
                problems.error(
                    Problem(
                        "error",
                        file,
                        ws.title,
                        None,
                        None,
                        f"the sheet is damaged ({type(exc).__name__})",
                        "open it in Excel and save it again as .xlsx",
                    )
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


def read_zip(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """The data CSVs of an EES "Download all data" archive (``.meta.csv`` files are skipped). Each
    member is read with a cap; cells are counted across all members together."""
    try:
        zf = _open_zip(data)
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    with zf:
        if "xl/workbook.xml" in zf.namelist():
            return read_xlsx(data, file, problems)
        try:
            infos = _check_archive(zf, len(data), lambda i: MAX_PART_BYTES if _ees_member(i) else None)
        except Refused as exc:
            problems.error(exc.problem(file))
            return []
        sheets = []
        budget = MAX_CELLS
        errors_before = len(problems.errors)
        for info in infos:
            if not _ees_member(info):
                continue
            name = display_name(info.filename)
            try:
                raw = read_member(zf, info, MAX_PART_BYTES)
            except Refused as exc:
                problems.error(exc.problem(file))
                continue
            if _looks_binary(raw):
                problems.error(
                    Problem("error", file, name, None, None, "this member is not a text CSV", "remove it from the archive")
                )
                continue
            if not raw.removeprefix(b"\xef\xbb\xbf").strip():
                problems.warn(Problem("warning", file, name, None, None, "this member is empty and was skipped", ""))
                continue
            before = len(problems.errors)
            sheet = read_csv_bytes(raw, file, name, problems, max_cells=budget)
            del raw
            if len(problems.errors) > before and f"{MAX_CELLS:,} cells" in problems.errors[-1].message:
                return []  # cells are counted across the archive: beyond the limit the whole archive is refused
            if sheet:
                budget -= len(sheet.rows) * (len(sheet.rows[0]) if sheet.rows else 0)
                sheets.append(sheet)
        if not sheets and len(problems.errors) == errors_before:
            problems.error(
                Problem(
                    "error",
                    file,
                    None,
                    None,
                    None,
                    "the archive holds no data CSV files",
                    "use the EES 'Download all data' ZIP, or upload the CSV files",
                )
            )
        return sheets


def read_file(name: str, data: bytes, problems: Problems) -> SourceFile:
    """Read an uploaded file by what it is, checking that its extension says the same. Whatever
    the file holds, the outcome is sheets or problems, never an exception."""
    import hashlib

    file = display_name(name)
    checksum = hashlib.sha256(data).hexdigest()
    try:
        sheets = _read_by_kind(file, data, problems)
    except MemoryError:
        raise
    except Exception as exc:  # a kind of damage no check above foresaw: still one line, not a traceback
        problems.error(
            Problem(
                "error",
                file,
                None,
                None,
                None,
                f"the file cannot be read ({type(exc).__name__})",
                "check that it is a CSV, an .xlsx workbook or an EES .zip, and save it again",
            )
        )
        sheets = []
    return SourceFile(file, checksum, sheets)


def _read_by_kind(file: str, data: bytes, problems: Problems) -> list[Sheet]:
    ext = PurePosixPath(file.lower()).suffix
    sheets: list[Sheet] = []
    if len(data) > MAX_FILE_BYTES:
        problems.error(
            Problem(
                "error",
                file,
                None,
                None,
                None,
                f"the file is {len(data):,} bytes, over the limit of {size_text(MAX_FILE_BYTES)} ({MAX_FILE_BYTES:,} bytes)",
                "split it into smaller files",
            )
        )
    elif not data.removeprefix(b"\xef\xbb\xbf").strip():
        problems.error(Problem("error", file, None, None, None, "the file is empty", "upload the file again"))
    elif ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            problems.error(
                Problem(
                    "error",
                    file,
                    None,
                    None,
                    None,
                    "the file is called .xlsx but is not an Excel workbook",
                    "save it from Excel as .xlsx, or rename it to what it is",
                )
            )
        else:
            sheets = read_xlsx(data, file, problems)
    elif ext == ".xls":
        problems.error(
            Problem("error", file, None, None, None, "old Excel .xls files are not read", "open it in Excel and save it as .xlsx")
        )
    elif ext == ".zip":
        sheets = read_zip(data, file, problems) if data.startswith(b"PK") else []
        if not data.startswith(b"PK"):
            problems.error(
                Problem("error", file, None, None, None, "the file is called .zip but is not a ZIP archive", "download it again")
            )
    elif ext in (".csv", ".txt", ".tsv"):
        if data.startswith(b"PK"):
            problems.error(
                Problem(
                    "error",
                    file,
                    None,
                    None,
                    None,
                    "the file is called .csv but is an Excel workbook or ZIP archive",
                    "rename it to .xlsx or .zip, or save it as CSV",
                )
            )
        elif _looks_binary(data):
            problems.error(
                Problem(
                    "error",
                    file,
                    None,
                    None,
                    None,
                    "the file is called .csv but is not text",
                    "save it from Excel as 'CSV UTF-8'",
                )
            )
        else:
            sheet = read_csv_bytes(data, file, None, problems)
            sheets = [sheet] if sheet else []
    else:
        problems.error(
            Problem(
                "error",
                file,
                None,
                None,
                None,
                f"files of type '{ext or 'none'}' are not read",
                "upload .csv, .xlsx or an EES .zip",
            )
        )
    return sheets
