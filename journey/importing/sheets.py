"""What a file is read into: sheets of raw cells, with the names and column letters shown to users."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from journey.importing.problems import Problem


@dataclass
class Sheet:
    """A grid of raw cells. ``rows[i][j]`` is row i+1, column j+1 of the sheet as the user sees it."""

    file: str
    name: str | None
    rows: list[list[object]]
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) with a % number format
    frame: pd.DataFrame | None = None  # the same cells as a DataFrame, when read from a CSV (or a parquet file)
    #: The file's row number of each row of ``frame`` when rows were left out while reading (a
    #: LAIT parquet file keeps only the indicators the dashboard holds); None: row i is row i + 1.
    row_numbers: np.ndarray | None = None
    #: Rows left out while reading, summarised: what (a LAIT code) -> (rows, first row number).
    omitted: dict[str, tuple[int, int]] = field(default_factory=dict)

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


def column_number(letters: bytes | str) -> int:
    """b'A' -> 1, b'XFD' -> 16384."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n
