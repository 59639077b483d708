"""Tables the pages show, built once per store version and remembered by the store.

They are remembered with ``Store.memo`` (in memory, shared by every session, dropped when the
store changes) rather than ``st.cache_data``, which pickles a result on the way in and unpickles
it on every hit: a fifth of the Data & sources page's server time for its conflicts table. What
a page draws is handed to Streamlit as an Arrow table (``shown``), which Streamlit sends as it
is; given a pandas frame it converts it again on every rerun."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Hashable
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


#: The columns of a benchmark summary row that say what the row is, not what it shows.
SUMMARY_META = ("measure", "stage", "has_figure", "judged")


def benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[dict[str, Any]]:
    """Every indicator in the registry for one LA, formatted for display, one row per measure
    grouped as the pickers list them (stage, then topic): the LA's figure in its latest
    reporting year up to ``year_to`` beside England, region, SN mean and median, change,
    direction, rank, band and coverage. A measure without a figure for the LA has a row too,
    saying so (``has_figure`` False), so a filter can show what is missing. Each row also
    carries ``SUMMARY_META``: the measure id, its stage id, ``has_figure`` and ``judged``
    (polarity high or low). The LA's column is headed by its name; every row has the same
    columns in the same order. Remembered until the store changes: do not modify the rows."""
    return s.memo(("benchmark_summary", la_key, year_to, model), lambda: _benchmark_summary(s, la_key, year_to, model))


@functools.lru_cache(maxsize=262_144)
def _formatted(measure: str, value: float | None, symbol: str | None = None) -> str:
    """``Measure.format`` remembered per (measure, value, symbol): every LA's summary formats
    the same England, region and neighbour figures again (a third of an LA's summary)."""
    return registry().get(measure).format(value, symbol)


def _benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[dict[str, Any]]:
    from ui.pickers import ordered

    la = areas.get_area(s, la_key)
    found = {b.measure.id: b for b in summary_table(s, la, year_to, model)}
    no_figure = f"no figure for {la.name} in the store" + (f" up to {year_to}" if year_to else "")
    rows = []
    for m in ordered(registry().measures):
        b = found.get(m.id)
        if b is None:
            rows.append(
                {
                    "measure": m.id,
                    "stage": m.stage,
                    "has_figure": False,
                    "judged": m.judged,
                    "Stage": m.stage_label,
                    "Topic": m.topic,
                    "Indicator": m.label,
                    "Year": None,
                    la.name: "no figure",
                    "England": "–",
                    "Region": "–",
                    "SN mean": "–",
                    "SN median": "–",
                    "SN used": "–",
                    "Change": "–",
                    "Direction": "–",
                    "Rank": "–",
                    "Band": "–",
                    "Coverage": no_figure,
                }
            )
            continue
        mid, sn, ranked = m.id, b.sn, b.ranking
        direction = b.movement or "–"
        if b.judgement in ("better", "worse"):
            direction = f"{b.movement} ({b.judgement})"
        if m.is_judgement:
            coverage = "not ranked: an inspection judgement, not a number"
        elif ranked:
            coverage = ranked.coverage + ("; LAIT does not band this indicator" if ranked.band is None else "")
        else:
            coverage = "not ranked: neutral measure" if not m.judged else "–"
        rows.append(
            {
                "measure": mid,
                "stage": m.stage,
                "has_figure": True,
                "judged": m.judged,
                "Stage": m.stage_label,
                "Topic": m.topic,
                "Indicator": m.label,
                "Year": b.year,
                la.name: _formatted(mid, b.value, b.symbol),
                "England": _formatted(mid, b.england.value) if b.england else "–",
                "Region": _formatted(mid, b.region.value) if b.region else "–",
                "SN mean": _formatted(mid, sn.mean) if sn else "–",
                "SN median": _formatted(mid, sn.median) if sn else "–",
                "SN used": f"{sn.n}/{sn.of}" if sn else "–",
                "Change": m.format_change(b.change),
                "Direction": direction,
                "Rank": f"{ranked.rank} of {ranked.of}" if ranked else "–",
                "Band": (ranked.band or "–") if ranked else "–",
                "Coverage": coverage,
            }
        )
    return rows


def filter_summary(
    rows: list[dict[str, Any]],
    *,
    stages: Collection[str] = (),
    text: str = "",
    with_figure: bool = True,
    judged_only: bool = False,
) -> list[dict[str, Any]]:
    """The rows of ``benchmark_summary`` a reader asked for: in ``stages`` (stage ids; none
    means every stage), whose indicator, topic or id contains ``text`` (ignoring case and
    surrounding spaces), only those with a figure for the LA when ``with_figure``, only
    measures with a good direction (polarity high or low) when ``judged_only``."""
    needle = " ".join(text.lower().split())
    return [
        r
        for r in rows
        if (not stages or r["stage"] in stages)
        and (not with_figure or r["has_figure"])
        and (not judged_only or r["judged"])
        and (not needle or needle in f"{r['Indicator']} {r['Topic']} {r['measure']}".lower())
    ]


def summary_display(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary rows as a table shows them: without ``SUMMARY_META`` (and without the stage
    when the rows are shown under their stage's heading)."""
    return [{k: v for k, v in r.items() if k not in SUMMARY_META and k != "Stage"} for r in rows]


def conflict_table(s: Store) -> pd.DataFrame:
    """The conflicting figures as the Data & sources page shows them, made once per store
    version (a national store can hold many thousands). Do not modify the frame."""
    return s.memo("conflict_table", lambda: _conflict_table(s))


def _conflict_table(s: Store) -> pd.DataFrame:
    c = figures.conflicts(s)
    reg = registry()
    return pd.DataFrame(
        {
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
        }
    )
