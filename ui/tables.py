"""Tables the pages show, built once per store version and cached.

Defined here rather than in the page scripts: a page script runs from the top on every rerun,
and ``st.cache_data`` re-wraps a function defined there each time (reading its source to make
the cache key, 2-3 ms a rerun)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from journey import areas, figures
from journey.benchmarks import summary_table
from journey.periods import period_label
from journey.registry import registry
from journey.store import Store


@st.cache_data(show_spinner=False, max_entries=200)
def benchmark_summary(_s: Store, version: int, la_key: str, year_to: int | None, model: int) -> pd.DataFrame:
    """Every indicator for one LA in its latest year up to ``year_to``, formatted for display:
    one row per measure (registry order), the LA's column headed by its area key. ``version``
    (the store's data_version) keys the cache; a leading underscore would drop it."""
    rows = []
    for b in summary_table(_s, areas.get_area(_s, la_key), year_to, model):
        m = b.measure
        direction = b.movement or "–"
        if b.judgement in ("better", "worse"):
            direction = f"{b.movement} ({b.judgement})"
        rows.append({
            "Stage": m.stage_label,
            "Indicator": m.label,
            "Year": b.year,
            la_key: m.format(b.value, b.symbol),
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
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=4)
def conflict_table(_s: Store, version: int) -> pd.DataFrame:
    """The conflicting figures as the Data & sources page shows them, made once per store
    version (a national store can hold many thousands)."""
    c = figures.conflicts(_s)
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
    })
