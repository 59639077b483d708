"""Where the project's files are, and the settings read from the environment.

- ``JOURNEY_DB``: path of the DuckDB database (default ``data/journey.duckdb``).
- ``JOURNEY_NO_DEFAULT=1``: a new database gets reference data only (areas and statistical
  neighbour models), not the default published figures.
- ``JOURNEY_READ_ONLY=1``: the dashboard opens the database read-only (several servers sharing
  one file; imports are refused with a message and done elsewhere, e.g. with the CLI).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"

MEASURES_FILE = DATA_DIR / "measures.csv"
AREAS_FILE = DATA_DIR / "areas.csv"
SN_FILE = DATA_DIR / "statistical_neighbours.csv"
BOARD_FIGURES_FILE = DATA_DIR / "board_report_figures.csv"  # figures printed in local board reports
NATIONAL_FILE = DATA_DIR / "national_figures.parquet"  # built by `python -m journey refresh-default`
SYMBOLS_FILE = DATA_DIR / "symbols.csv"
CONVERSIONS_FILE = DATA_DIR / "conversions.csv"

ENGLAND = "E92000001"
SN_MODELS = (2021, 2025)
DEFAULT_SN_MODEL = 2025
DEFAULT_LA = "885"  # Worcestershire (old LA code), the default dataset's main authority


def default_db_path() -> Path:
    """The database path: ``$JOURNEY_DB`` if set, else ``data/journey.duckdb``."""
    env = os.environ.get("JOURNEY_DB", "").strip()
    return Path(env) if env else DATA_DIR / "journey.duckdb"


def load_default_wanted() -> bool:
    """False when ``JOURNEY_NO_DEFAULT`` is set to 1/true/yes."""
    return os.environ.get("JOURNEY_NO_DEFAULT", "").strip().lower() not in {"1", "true", "yes"}


def read_only_wanted() -> bool:
    """True when ``JOURNEY_READ_ONLY`` is set to 1/true/yes."""
    return os.environ.get("JOURNEY_READ_ONLY", "").strip().lower() in {"1", "true", "yes"}
