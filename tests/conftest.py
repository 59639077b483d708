"""Shared fixtures: a store with the default dataset and one with reference data only."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd
import pytest

from journey.build import open_store

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"


@pytest.fixture(scope="session")
def default_db(tmp_path_factory) -> Path:
    """Path of a database built from data/ with the default dataset (built once per run)."""
    path = tmp_path_factory.mktemp("default") / "journey.duckdb"
    open_store(path, load_default=True).close()
    return path


@pytest.fixture(scope="session")
def store(default_db):
    """The default dataset, opened once for reading tests (do not write to it)."""
    s = open_store(default_db)
    yield s
    s.close()


@pytest.fixture()
def fresh_store(tmp_path, default_db):
    """A private store with the default dataset, for tests that write (a copy of the session's
    default database: building the national dataset again for every test would cost seconds)."""
    import shutil

    shutil.copyfile(default_db, tmp_path / "fresh.duckdb")
    s = open_store(tmp_path / "fresh.duckdb")
    yield s
    s.close()


@pytest.fixture()
def empty_store(tmp_path):
    """A store with reference data only (as JOURNEY_NO_DEFAULT=1 makes)."""
    s = open_store(tmp_path / "empty.duckdb", load_default=False)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch):
    """Tests choose their database explicitly; the developer's environment must not leak in."""
    monkeypatch.delenv("JOURNEY_DB", raising=False)
    monkeypatch.delenv("JOURNEY_NO_DEFAULT", raising=False)
    yield


@functools.lru_cache(maxsize=1)
def _shipped_figures():
    from journey.build import read_national_figures, read_published_figures

    board, _ = read_published_figures()
    national = read_national_figures()
    frame = pd.concat([national, board[national.columns]], ignore_index=True)
    frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
    return frame


def shipped_figures():
    """Every figure the project ships in data/ (national dataset and board reports), as the
    files hold them: area_code, measure, period_start, period_end, reporting_year, value,
    symbol, source, vintage. Read with the build's own readers; tests look values up here rather
    than copying them into the test."""
    return _shipped_figures().copy()


def published_value(area_code: str, measure: str, year: int) -> float | None:
    """The newest-vintage figure the shipped data gives for an annual period of ``year``."""
    from journey.vintages import vintage_date

    f = _shipped_figures()  # read only: no copy
    rows = f[(f["area_code"] == area_code) & (f["measure"] == measure) & (f["reporting_year"] == year)]
    if rows.empty:
        return None
    rows = rows.assign(_v=rows["vintage"].map(vintage_date)).sort_values("_v")
    v = rows.iloc[-1]["value"]
    return None if v != v else float(v)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JOURNEY_DB", "JOURNEY_NO_DEFAULT")}
    env["PYTHONPATH"] = str(PROJECT)
    env.update(extra)
    return env
