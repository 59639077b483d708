"""The suppression symbols published with official statistics, and what each means.

``data/symbols.csv`` is the one list: the importer accepts a symbol only if it is there (or one of
the usual written variants of one, see ``normalise_symbol``), and the pages explain it from there.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from journey.config import SYMBOLS_FILE

#: Written variants people type for a symbol in the table (compared in lower case, brackets removed).
_ALIASES = {"na": "n/a", "n.a.": "n/a", "n.a": "n/a"}


@lru_cache(maxsize=1)
def symbol_table() -> list[dict[str, str]]:
    """Rows of ``data/symbols.csv``: symbol, meaning, publisher."""
    with SYMBOLS_FILE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


#: LAIT's mark for an indicator it holds no figure for. It says only that LAIT has none, not why:
#: a figure another source gives (a value, or a symbol that says why, such as EES's ``c``) is shown
#: before it whatever the vintages, and it never contradicts another symbol (only a value).
PLACEHOLDER = "-"


def symbol_meanings() -> dict[str, str]:
    """{symbol: meaning}."""
    return {row["symbol"]: row["meaning"] for row in symbol_table()}


@lru_cache(maxsize=1)
def known_symbols() -> frozenset[str]:
    """The canonical symbols of ``data/symbols.csv`` (lower case, as published)."""
    return frozenset(row["symbol"].strip().lower() for row in symbol_table())


def normalise_symbol(raw: object) -> str | None:
    """The canonical symbol of ``data/symbols.csv`` that ``raw`` writes, or None if it writes none.

    Case-insensitive, surrounding spaces ignored; the bracketed GSS forms (``[c]``, ``[x]``,
    ``[low]``) and ``na``/``N/A`` are read as ``c``, ``x``, ``low`` and ``n/a``. Anything else
    (numbers, free text, markup, an empty cell) is None: it is not a symbol.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if len(text) > 2 and text[0] == "[" and text[-1] == "]":
        text = text[1:-1].strip()
    text = _ALIASES.get(text, text)
    return text if text in known_symbols() else None
