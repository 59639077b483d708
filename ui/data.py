"""The store, opened once per server process, and cached page data keyed by store version."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import streamlit as st

from journey.benchmarks import Benchmark, benchmark
from journey.build import open_store
from journey.config import default_db_path, read_only_wanted
from journey.errors import JourneyError
from journey.figures import observation_count
from journey.store import Store
from ui.text import literal

_STORES: dict[tuple[str, bool], Store] = {}
_OPENING = threading.Lock()


def _open(path: str, read_only: bool = False) -> Store:
    """The process's one Store for a database, opened on first use. A plain dictionary rather
    than ``st.cache_resource``, which hashes its arguments on each of the two calls a page run
    makes; a failed open is not remembered, so the next run tries again."""
    key = (path, read_only)
    found = _STORES.get(key)
    if found is None:
        with _OPENING:
            found = _STORES.get(key)
            if found is None:
                found = _STORES[key] = open_store(Path(path), read_only=read_only)
    return found


def store() -> Store:
    """The shared store; on a bad database file, a clear message and the page stops."""
    try:
        return _open(str(default_db_path()), read_only_wanted())
    except JourneyError as exc:
        st.error(f"**The dashboard cannot open its data.** {literal(str(exc))}")
        st.stop()
        raise  # for type checkers: st.stop() does not return


def cached_benchmark(s: Store, la: str, measure: str, year: int, model: int) -> Benchmark:
    """``journey.benchmarks.benchmark``, remembered by the store until it changes (in memory:
    ``st.cache_data`` would unpickle the result on every hit)."""
    return s.memo(("benchmark", la, measure, year, model), lambda: benchmark(s, la, measure, year, model))


def require_data(s: Store) -> None:
    """On an empty store: say so, link to the upload page, and stop drawing this page."""
    if observation_count(s) == 0:
        st.info(
            "**No data yet.** This dashboard has no figures to show. Load the default dataset or "
            "upload your own spreadsheets on the Upload page."
        )
        st.page_link("views/upload.py", label="Go to Upload data", icon=":material/upload:")
        st.stop()


_SETTLED = {"builds": -1, "version": -1}
_SETTLING = threading.Lock()


def settle_memory(s: Store) -> None:
    """After a page run that made large per-version results (lookups of every area's figures,
    sorted values for ranks...), collect garbage once and freeze what is alive (``gc.freeze``):
    those results stay for the life of a store version, and every full collection would
    otherwise walk them again, a 60-80 ms pause in some page run with a national store and a
    tenth of a rerun's time on average with a million figures (measured with py-spy).

    Once per store version what was frozen before is unfrozen first, so the collection also
    frees whatever has died since (the earlier version's results, which may hold reference
    cycles). Between versions a new batch of results (an LA's benchmark summary is one) is
    collected and frozen on top without unfreezing: that collection walks only what was made
    since the last freeze, a millisecond, where walking everything again took 100-350 ms with
    200 measures and came after every LA not shown before (frozen objects whose last reference
    goes are still freed at once). Runs at most once per batch of new results, never in two
    sessions at once."""
    if s.slow_builds == _SETTLED["builds"] or not _SETTLING.acquire(blocking=False):
        return
    try:
        version = s.data_version
        if version != _SETTLED["version"]:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        _SETTLED["builds"], _SETTLED["version"] = s.slow_builds, version
    finally:
        _SETTLING.release()
