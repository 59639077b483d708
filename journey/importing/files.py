"""Reading uploaded files into grids of cells, safely.

A file becomes one or more ``Sheet``s: a CSV is one sheet, a workbook one per worksheet, a ZIP
(EES "Download all data") one per data CSV inside. Nothing is written to disk and no name from
a file is used as a path.

Every limit is checked before anything is expanded: a ZIP's or workbook's central directory
first (declared sizes, compression, encryption), then each part is streamed with a cap (so a part
whose declared size lies cannot expand past it) and, for a workbook, its XML is scanned for the
cells, merged ranges, sheets and shared strings it holds, before python-calamine reads a cell
(an .ods likewise: content.xml capped, its cells counted with their repeats). A CSV's
lines, fields and cells are counted while streaming, before pandas builds a frame. Sizes are in
decimal megabytes (1 MB = 1,000,000 bytes) and are printed exactly as they are enforced.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from journey.importing.archives import check_archive, ees_member, open_zip, read_member
from journey.importing.csvs import looks_binary, read_csv_bytes
from journey.importing.limits import MAX_CELLS, MAX_FILE_BYTES, MAX_PART_BYTES, size_text
from journey.importing.problems import Problem, Problems
from journey.importing.sheets import Refused, Sheet, SourceFile, display_name
from journey.importing.workbooks import read_ods, read_xlsx


def read_zip(data: bytes, file: str, problems: Problems) -> list[Sheet]:
    """The data CSVs of an EES "Download all data" archive (``.meta.csv`` files are skipped). Each
    member is read with a cap; cells are counted across all members together."""
    try:
        zf = open_zip(data)
    except Refused as exc:
        problems.error(exc.problem(file))
        return []
    with zf:
        if "xl/workbook.xml" in zf.namelist():
            return read_xlsx(data, file, problems)
        try:
            infos = check_archive(zf, len(data), lambda i: MAX_PART_BYTES if ees_member(i) else None)
        except Refused as exc:
            problems.error(exc.problem(file))
            return []
        sheets = []
        budget = MAX_CELLS
        errors_before = len(problems.errors)
        for info in infos:
            if not ees_member(info):
                continue
            name = display_name(info.filename)
            try:
                raw = read_member(zf, info, MAX_PART_BYTES)
            except Refused as exc:
                problems.error(exc.problem(file))
                continue
            if looks_binary(raw):
                problems.error(
                    Problem("error", file, name, None, None, "this member is not a text CSV", "remove it from the archive")
                )
                continue
            if not raw.removeprefix(b"\xef\xbb\xbf").strip():
                problems.caution(file, "this member is empty and was skipped", "", sheet=name)
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
            problems.refuse(
                file, "the archive holds no data CSV files", "use the EES 'Download all data' ZIP, or upload the CSV files"
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
        problems.refuse(
            file,
            f"the file cannot be read ({type(exc).__name__})",
            "check that it is a CSV, an .xlsx workbook or an EES .zip, and save it again",
        )
        sheets = []
    return SourceFile(file, checksum, sheets)


def _read_by_kind(file: str, data: bytes, problems: Problems) -> list[Sheet]:
    ext = PurePosixPath(file.lower()).suffix
    sheets: list[Sheet] = []
    if len(data) > MAX_FILE_BYTES:
        problems.refuse(
            file,
            f"the file is {len(data):,} bytes, over the limit of {size_text(MAX_FILE_BYTES)} ({MAX_FILE_BYTES:,} bytes)",
            "split it into smaller files",
        )
    elif not data.removeprefix(b"\xef\xbb\xbf").strip():
        problems.error(Problem("error", file, None, None, None, "the file is empty", "upload the file again"))
    elif ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            problems.refuse(
                file,
                "the file is called .xlsx but is not an Excel workbook",
                "save it from Excel as .xlsx, or rename it to what it is",
            )
        else:
            sheets = read_xlsx(data, file, problems)
    elif ext == ".ods":
        if not data.startswith(b"PK"):
            problems.refuse(
                file,
                "the file is called .ods but is not an OpenDocument spreadsheet",
                "save it as .ods or .xlsx, or rename it to what it is",
            )
        else:
            sheets = read_ods(data, file, problems)
    elif ext == ".parquet":
        from journey.importing.lait import read_lait_parquet

        sheets = read_lait_parquet(data, file, problems)
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
            problems.refuse(
                file,
                "the file is called .csv but is an Excel workbook or ZIP archive",
                "rename it to .xlsx or .zip, or save it as CSV",
            )
        elif looks_binary(data):
            problems.refuse(file, "the file is called .csv but is not text", "save it from Excel as 'CSV UTF-8'")
        else:
            sheet = read_csv_bytes(data, file, None, problems)
            sheets = [sheet] if sheet else []
    else:
        problems.refuse(
            file, f"files of type '{ext or 'none'}' are not read", "upload .csv, .xlsx, .ods, LAIT's .parquet or an EES .zip"
        )
    return sheets
