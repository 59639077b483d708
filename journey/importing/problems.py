"""Problems found while reading and checking files: where, what, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """``level`` is "error" (blocks the import) or "warning" (does not)."""

    level: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    hint: str = ""

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


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)
    limit: int = 500  # beyond this, a file is clearly of the wrong kind: stop listing

    def error(self, p: Problem) -> None:
        self._add(p)

    def warn(self, p: Problem) -> None:
        self._add(p)

    def _add(self, p: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(p)
        elif len(self.items) == self.limit:
            self.items.append(Problem("error", p.file, None, None, None, f"more than {self.limit} problems; listing stopped",
                                      "check that the file is the kind you meant"))

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
        return pd.DataFrame(
            [{"level": p.level, "file": p.file, "sheet": p.sheet or "", "row": p.row or "", "column": p.column or "",
              "problem": p.message, "what to do": p.hint} for p in self.items],
            columns=["level", "file", "sheet", "row", "column", "problem", "what to do"],
        )
