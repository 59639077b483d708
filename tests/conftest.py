"""Shared fixtures: a store with the default dataset and one with reference data only."""

from __future__ import annotations

import os
from pathlib import Path

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
def fresh_store(tmp_path):
    """A private store with the default dataset, for tests that write."""
    s = open_store(tmp_path / "fresh.duckdb", load_default=True)
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


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JOURNEY_DB", "JOURNEY_NO_DEFAULT")}
    env["PYTHONPATH"] = str(PROJECT)
    env.update(extra)
    return env

