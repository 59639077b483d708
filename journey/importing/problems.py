"""Problems found while reading and checking files: where, what, and what to do.

Every problem's text is made safe here, in one place (``Problem.__post_init__``): control
characters are shown escaped (``\\x0b``), and each part is cut to a length one line can show
(``MAX_MESSAGE``, ``MAX_HINT``, ``MAX_WHERE``), so a file can never produce an error line of
150,000 characters. Cell text quoted in a message goes through ``quote``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

MAX_QUOTED = 60  # characters of a cell's text quoted in a message
MAX_MESSAGE = 300
MAX_HINT = 200
MAX_WHERE = 120  # file, sheet and column names
FRAME_COLUMNS = ["level", "file", "sheet", "row", "column", "problem", "what to do"]


def visible(text: object) -> str:
    """``text`` with every control or other unprintable character written as its escape (a
    vertical tab as ``\\x0b``), so what a cell holds can be seen on one line."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def clip(text: object, limit: int) -> str:
    """``visible(text)`` cut to ``limit`` characters, an ellipsis marking the cut."""
    text = visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """A cell's text quoted for a message, repr-style (``'abc'``, control characters escaped),
    at most ``limit`` characters of it, an ellipsis marking a cut."""
    text = str(value)
    if len(text) > limit:
        return repr(text[: limit - 1]) + "…"
    return repr(text)


@dataclass(frozen=True)
class Problem:
    """``level`` is "error" (blocks the import) or "warning" (does not). ``row`` is the
    spreadsheet row number (1 = the first row); ``column`` the column's heading or letter."""

    level: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        # frozen: the one place all text of a problem is made safe and short
        set_ = object.__setattr__
        set_(self, "file", clip(self.file, MAX_WHERE))
        if self.sheet is not None:
            set_(self, "sheet", clip(self.sheet, MAX_WHERE))
        if self.column is not None:
            set_(self, "column", clip(self.column, MAX_WHERE))
        if self.row is not None:
            try:
                set_(self, "row", int(self.row))
            except (TypeError, ValueError):
                set_(self, "row", None)
        set_(self, "message", clip(self.message, MAX_MESSAGE))
        set_(self, "hint", clip(self.hint or "", MAX_HINT))

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        text = f"{', '.join(where)}: {self.message}"
        return f"{text}. {self.hint[0].upper() + self.hint[1:]}." if self.hint else text + "."


def problems_frame(items: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table to show: level, file, sheet, row, column, problem, what to do."""
    return pd.DataFrame(
        [
            {
                "level": p.level,
                "file": p.file,
                "sheet": p.sheet or "",
                "row": p.row or "",
                "column": p.column or "",
                "problem": p.message,
                "what to do": p.hint,
            }
            for p in items
        ],
        columns=FRAME_COLUMNS,
    )


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)
    limit: int = 500  # beyond this, a file is clearly of the wrong kind: stop listing

    def error(self, p: Problem) -> None:
        self._add(p)

    def warn(self, p: Problem) -> None:
        self._add(p)

    def refuse(
        self, file: str, message: str, hint: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        """An error (it blocks the import) about a file, or a sheet, row or cell of it."""
        self._add(Problem("error", file, sheet, row, column, message, hint))

    def caution(
        self,
        file: str,
        message: str,
        hint: str = "",
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        """A warning (the import can go ahead) about a file, or a sheet, row or cell of it."""
        self._add(Problem("warning", file, sheet, row, column, message, hint))

    def _add(self, p: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(p)
        elif len(self.items) == self.limit:
            self.items.append(
                Problem(
                    "error",
                    p.file,
                    None,
                    None,
                    None,
                    f"more than {self.limit} problems; listing stopped",
                    "check that the file is the kind you meant",
                )
            )

    @property
    def full(self) -> bool:
        """True once listing has stopped: readers can stop looking for more problems."""
        return len(self.items) > self.limit

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == "warning"]

    def frame(self) -> pd.DataFrame:
        return problems_frame(self.items)
