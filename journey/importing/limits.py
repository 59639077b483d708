"""Upload limits: every size and count the importer enforces, in decimal MB (1 MB = 1,000,000
bytes), and the sentence that states them (the README and the Upload page show it)."""

from __future__ import annotations

from journey.importing.problems import Problems
from journey.importing.sheets import display_name

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
CHUNK_BYTES = 1 << 20  # bytes read at a time from a ZIP member or a CSV (not a limit: the unit of streaming)
MAX_PARQUET_ROWS = 2_000_000  # rows of a parquet file (LAIT's whole dataset: 641,070)
MAX_PARQUET_ROW_GROUP_ROWS = 1_000_000  # rows of one row group (read one at a time; LAIT writes 32,768)
MAX_PARQUET_BYTES = MAX_UNZIPPED_BYTES  # what a parquet file's column chunks declare uncompressed, all together
MAX_XML_TOKEN_BYTES = 1 * MB  # one tag or text run inside workbook XML (Excel keeps a cell to 32,767 characters)


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
    problems.refuse(
        ", ".join(display_name(n) for n, _ in uploads)[:120],
        f"the {len(uploads)} files together are {size_text(total)} (limit {size_text(MAX_FILE_BYTES)} for one import)",
        "import them in smaller groups",
    )
    return False


def limits_text() -> str:
    """The upload limits as one plain sentence (the README and the Upload page show it)."""
    return (
        f"Each file, and all the files of one import together, can be up to {size_text(MAX_FILE_BYTES)} "
        f"(1 MB = 1,000,000 bytes); a file can hold up to {MAX_CELLS:,} cells "
        f"({MAX_WORKBOOK_CELLS:,} in a workbook); "
        f"a workbook or ZIP can expand to at most {size_text(MAX_UNZIPPED_BYTES)} "
        f"({size_text(MAX_SHEET_XML_BYTES)} for one worksheet, {size_text(MAX_PART_BYTES)} for a CSV inside a ZIP) "
        f"with up to {MAX_SHEETS} sheets, and a CSV row can be up to {size_text(MAX_LINE_BYTES)} with {MAX_FIELDS:,} fields; "
        f"a parquet file (LAIT's whole dataset) can have up to {MAX_PARQUET_ROWS:,} rows, "
        f"{MAX_PARQUET_ROW_GROUP_ROWS:,} in one row group, expanding to at most {size_text(MAX_PARQUET_BYTES)}, "
        f"of which the indicators the dashboard holds may make up to {MAX_CELLS:,} cells."
    )
