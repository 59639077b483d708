"""Tables the pages show, built once per store version and remembered by the store.

They are remembered with ``Store.memo`` (in memory, shared by every session, dropped when the
store changes) rather than ``st.cache_data``, which pickles a result on the way in and unpickles
it on every hit: a fifth of the Data & sources page's server time for its conflicts table. What
a page draws is handed to Streamlit as an Arrow table (``shown``), which Streamlit sends as it
is; given a pandas frame it converts it again on every rerun."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd
import pyarrow as pa

from journey import areas, figures
from journey.benchmarks import summary_table
from journey.periods import period_label
from journey.registry import registry
from journey.store import Store


def shown(s: Store, key: Hashable, build: Callable[[], pd.DataFrame | dict[str, list[Any]] | list[dict[str, Any]]]) -> pa.Table:
    """``build()`` (a frame, columns or rows) as an Arrow table for ``st.dataframe``, made once
    per store version. ``key`` must name everything the table depends on but the store's
    contents. A frame's index is dropped: the pages show these tables without one."""

    def make() -> pa.Table:
        table = build()
        if isinstance(table, pd.DataFrame):
            return pa.Table.from_pandas(table, preserve_index=False)
        return pa.Table.from_pylist(table) if isinstance(table, list) else pa.table(table)

    return s.memo(("shown", key), make)


def benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[dict[str, Any]]:
    """Every indicator for one LA in its latest year up to ``year_to``, formatted for display:
    one row per measure (registry order; the columns of every row in the same order), the LA's
    column headed by its name. Remembered until the store changes: do not modify the rows."""
    return s.memo(("benchmark_summary", la_key, year_to, model), lambda: _benchmark_summary(s, la_key, year_to, model))


def _benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[dict[str, Any]]:
    la = areas.get_area(s, la_key)
    rows = []
    for b in summary_table(s, la, year_to, model):
        m = b.measure
        direction = b.movement or "–"
        if b.judgement in ("better", "worse"):
            direction = f"{b.movement} ({b.judgement})"
        rows.append({
            "Stage": m.stage_label,
            "Indicator": m.label,
            "Year": b.year,
            la.name: m.format(b.value, b.symbol),
            "England": m.format(b.england.value) if b.england else "–",
            "Region": m.format(b.region.value) if b.region else "–",
            "SN mean": m.format(b.sn.mean) if b.sn else "–",
            "SN median": m.format(b.sn.median) if b.sn else "–",
            "SN used": f"{b.sn.n}/{b.sn.of}" if b.sn else "–",
            "Change": m.format_change(b.change),
            "Direction": direction,
            "Rank": f"{b.ranking.rank} of {b.ranking.of}" if b.ranking else "–",
            "Band": b.ranking.band if b.ranking else "–",
            "Coverage": b.ranking.coverage if b.ranking else ("not ranked: neutral measure" if not m.judged else "–"),
        })
    return rows


def conflict_table(s: Store) -> pd.DataFrame:
    """The conflicting figures as the Data & sources page shows them, made once per store
    version (a national store can hold many thousands). Do not modify the frame."""
    return s.memo("conflict_table", lambda: _conflict_table(s))


def _conflict_table(s: Store) -> pd.DataFrame:
    c = figures.conflicts(s)
    reg = registry()
    return pd.DataFrame({
        "Area": c["area_name"],
        "Measure": c["measure"].map(lambda k: reg.get(k).label),
        "Period": [period_label(a, b) for a, b in zip(c["period_start"], c["period_end"])],
        "Value": reg.format_values(c["measure"], c["value"], c["symbol"]),
        "Shown by default": c["is_latest"].map({True: "yes", False: ""}),
        "Source": c["source"],
        "Vintage": c["vintage"],
        "Note": c["note"].fillna(""),
        "Kind": c["kind"],
        "Difference": c["difference"],
    })
