"""Reading a CSV safely: encoding, lines, fields and cells counted while streaming, before pandas
builds a frame."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

import numpy as np
import pandas as pd

from journey.importing.limits import CHUNK_BYTES, MAX_CELLS, MAX_FIELDS, MAX_LINE_BYTES, size_text
from journey.importing.problems import Problem, Problems
from journey.importing.sheets import Refused, Sheet


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


# ---------------------------------------------------------------- CSV


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without a BOM) if every byte decodes, else Windows-1252, else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 4 * CHUNK_BYTES):
                decoder.decode(data[start : start + 4 * CHUNK_BYTES])
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
    return Problem(
        "error",
        file,
        name,
        None,
        None,
        f"the CSV cannot be read: {str(exc).splitlines()[0][:200]}",
        "check that every row has the same number of columns and quotes are closed",
    )


def read_csv_bytes(data: bytes, file: str, name: str | None, problems: Problems, max_cells: int = MAX_CELLS) -> Sheet | None:
    """One sheet from CSV bytes, the delimiter sniffed (comma, semicolon, tab or bar). The shape
    is checked while streaming before pandas builds a frame of at most ``max_cells`` cells."""
    where = f"{file} ({name})" if name else file
    encoding = _encoding(data)
    if encoding != "utf-8-sig":
        problems.caution(
            where,
            "the file is not UTF-8; it was read as Windows-1252 (Excel's usual CSV encoding)",
            "check names with accents; save as 'CSV UTF-8' to avoid this",
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
        problems.refuse(
            file,
            f"the file has {frame.size:,} cells (rows x columns; limit {MAX_CELLS:,} per file)",
            "split it into smaller files",
            sheet=name,
        )
        return None
    grid = _object_grid(frame)
    del frame
    return Sheet(file, name, grid.tolist(), frame=pd.DataFrame(grid, dtype=object, copy=False))


# ---------------------------------------------------------------- ZIP members, streamed with a cap
