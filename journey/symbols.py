"""The suppression symbols published with official statistics, and what each means."""

from __future__ import annotations

import csv
from functools import lru_cache

from journey.config import SYMBOLS_FILE


@lru_cache(maxsize=1)
def symbol_table() -> list[dict[str, str]]:
    """Rows of ``data/symbols.csv``: symbol, meaning, publisher."""
    with SYMBOLS_FILE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def symbol_meanings() -> dict[str, str]:
    """{symbol: meaning}."""
    return {row["symbol"]: row["meaning"] for row in symbol_table()}
