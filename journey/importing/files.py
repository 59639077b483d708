"""Reading uploaded files into grids of cells, safely.

A file becomes one or more ``Sheet``s: a CSV is one sheet, a workbook one per worksheet, a ZIP
(EES "Download all data") one per data CSV inside. Nothing is written to disk and no name from
a file is used as a path. Sizes are checked before anything is decompressed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pandas as pd

from journey.importing.problems import Problem, Problems

MAX_FILE_BYTES = 50 * 1024 * 1024  # one file as uploaded
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all members of a ZIP or workbook together
MAX_ZIP_MEMBERS = 500
MAX_RATIO = 200  # compressed to uncompressed; beyond it a ZIP is treated as a bomb
MAX_CELLS = 5_000_000


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


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _decode(data: bytes, file: str, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    problems.warn(Problem("warning", file, None, None, None,
                          "the file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV encoding)",
                          "check names with accents; save as 'CSV UTF-8' to avoid this"))
    return text


def read_csv_text(text: str, file: str, name: str | None, problems: Problems) -> Sheet | None:
    """One sheet from CSV text, the delimiter sniffed (comma, semicolon, tab or bar)."""
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, engine="c")
        except pd.errors.ParserError:
            # Rows with more cells than the first (a title line above a table): read with as
            # many columns as the widest row has.
            width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=0)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, engine="c", names=list(range(max(width, 1))))
    except pd.errors.EmptyDataError:
        problems.error(Problem("error", file, name, None, None, "the file is empty", "upload a file with a header row and data"))
        return None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        detail = str(exc).splitlines()[0][:200]
        problems.error(Problem("error", file, name, None, None, f"the CSV cannot be read: {detail}",
                               "check that every row has the same number of columns and quotes are closed"))
        return None
    if frame.size > MAX_CELLS:
        problems.error(Problem("error", file, name, None, None, f"the file has {frame.size:,} cells, more than {MAX_CELLS:,}",
                               "split it into smaller files"))
        return None
    grid = frame.astype(object).where(frame != "", None)
    return Sheet(file, name, grid.to_numpy().tolist(), frame=grid)


def _check_zip(zf: zipfile.ZipFile, file: str, compressed_size: int, problems: Problems) -> bool:
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_MEMBERS:
        problems.error(Problem("error", file, None, None, None, f"the archive holds {len(infos):,} files (limit {MAX_ZIP_MEMBERS})",
                               "upload the data files you need"))
        return False
    if total > MAX_UNZIPPED_BYTES or (compressed_size and total / max(compressed_size, 1) > MAX_RATIO and total > 10_000_000):
        problems.error(Problem("error", file, None, None, None,
                               f"the archive would expand to {total / 1e6:,.0f} MB; it was not opened (limit {MAX_UNZIPPED_BYTES // 1_000_000} MB)",
                               "upload the CSV files themselves"))
        return False
    return True


def read_xlsx(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """Every non-empty worksheet; merged cells carry their value across the merged range."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if not _check_zip(zf, file, len(data), problems):
                return []
            if "xl/workbook.xml" not in zf.namelist():
                problems.error(Problem("error", file, None, None, None, "the file is a ZIP archive but not an Excel workbook",
                                       "upload an .xlsx saved by Excel, or the CSV files"))
                return []
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        problems.error(Problem("error", file, None, None, None, f"the workbook cannot be opened ({type(exc).__name__})",
                               "open it in Excel and save it again as .xlsx"))
        return []
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        problems.error(Problem("error", file, None, None, None, f"the workbook is damaged ({type(exc).__name__})",
                               "open it in Excel and save it again as .xlsx"))
        return []
    sheets = []
    for ws in wb.worksheets:
        if ws.max_row * ws.max_column > MAX_CELLS:
            problems.error(Problem("error", file, ws.title, None, None, "the sheet is too large to import", "split it"))
            continue
        rows: list[list[object]] = []
        percent: set[tuple[int, int]] = set()
        for r, row in enumerate(ws.iter_rows()):
            values = []
            for c, cell in enumerate(row):
                values.append(cell.value)
                if cell.value is not None and "%" in str(cell.number_format or ""):
                    percent.add((r, c))
            rows.append(values)
        for merged in ws.merged_cells.ranges:
            top = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(rows) else None
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                    rows[r][c] = top
        while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
            rows.pop()
        if not rows:
            problems.warn(Problem("warning", file, ws.title, None, None, "the sheet is empty and was skipped", ""))
            continue
        sheets.append(Sheet(file, ws.title, rows, percent))
    return sheets


def read_zip(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """The data CSVs of an EES "Download all data" archive (``.meta.csv`` files are skipped)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        problems.error(Problem("error", file, None, None, None, "the ZIP archive is damaged", "download it again"))
        return []
    with zf:
        if not _check_zip(zf, file, len(data), problems):
            return []
        if "xl/workbook.xml" in zf.namelist():
            return read_xlsx(data, file, problems)
        sheets = []
        for info in zf.infolist():
            inner = info.filename
            if info.is_dir() or not inner.lower().endswith(".csv") or inner.lower().endswith(".meta.csv"):
                continue
            name = display_name(inner)
            raw = zf.read(info)
            if _looks_binary(raw):
                problems.error(Problem("error", file, name, None, None, "this member is not a text CSV", "remove it from the archive"))
                continue
            text = _decode(raw, f"{file} ({name})", problems)
            sheet = read_csv_text(text, file, name, problems) if text is not None else None
            if sheet:
                sheets.append(sheet)
        if not sheets:
            problems.error(Problem("error", file, None, None, None, "the archive holds no data CSV files",
                                   "use the EES 'Download all data' ZIP, or upload the CSV files"))
        return sheets


def read_file(name: str, data: bytes, problems: Problems) -> SourceFile:
    """Read an uploaded file by what it is, checking that its extension says the same."""
    import hashlib

    file = display_name(name)
    checksum = hashlib.sha256(data).hexdigest()
    ext = PurePosixPath(file.lower()).suffix
    sheets: list[Sheet] = []
    if len(data) > MAX_FILE_BYTES:
        problems.error(Problem("error", file, None, None, None, f"the file is {len(data) / 1e6:,.0f} MB (limit {MAX_FILE_BYTES // 1_000_000} MB)",
                               "split it into smaller files"))
    elif not data.removeprefix(b"\xef\xbb\xbf").strip():
        problems.error(Problem("error", file, None, None, None, "the file is empty", "upload the file again"))
    elif ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            problems.error(Problem("error", file, None, None, None, "the file is called .xlsx but is not an Excel workbook",
                                   "save it from Excel as .xlsx, or rename it to what it is"))
        else:
            sheets = read_xlsx(data, file, problems)
    elif ext == ".xls":
        problems.error(Problem("error", file, None, None, None, "old Excel .xls files are not read",
                               "open it in Excel and save it as .xlsx"))
    elif ext == ".zip":
        sheets = read_zip(data, file, problems) if data.startswith(b"PK") else []
        if not data.startswith(b"PK"):
            problems.error(Problem("error", file, None, None, None, "the file is called .zip but is not a ZIP archive", "download it again"))
    elif ext in (".csv", ".txt", ".tsv"):
        if data.startswith(b"PK"):
            problems.error(Problem("error", file, None, None, None, "the file is called .csv but is an Excel workbook or ZIP archive",
                                   "rename it to .xlsx or .zip, or save it as CSV"))
        elif _looks_binary(data):
            problems.error(Problem("error", file, None, None, None, "the file is called .csv but is not text",
                                   "save it from Excel as 'CSV UTF-8'"))
        else:
            text = _decode(data, file, problems)
            sheet = read_csv_text(text, file, None, problems) if text is not None else None
            sheets = [sheet] if sheet else []
    else:
        problems.error(Problem("error", file, None, None, None, f"files of type '{ext or 'none'}' are not read",
                               "upload .csv, .xlsx or an EES .zip"))
    return SourceFile(file, checksum, sheets)
