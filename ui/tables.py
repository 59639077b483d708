"""Tables the pages show, built once per store version and remembered by the store.

They are remembered with ``Store.memo`` (in memory, shared by every session, dropped when the
store changes) rather than ``st.cache_data``, which pickles a result on the way in and unpickles
it on every hit: a fifth of the Data & sources page's server time for its conflicts table. What
a page draws is handed to Streamlit as an Arrow table (``shown``), which Streamlit sends as it
is; given a pandas frame it converts it again on every rerun."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Hashable
from typing import Any, NamedTuple

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


class SummaryRow(NamedTuple):
    """One indicator of an LA's benchmark summary, formatted for display (text at published
    precision, suppression symbols kept, "–" where there is nothing to show). The first four
    fields say what the row is; the others are the table's columns, ``SUMMARY_COLUMNS``."""

    measure: str
    stage: str
    has_figure: bool  # the LA has a figure in a reporting year up to the one asked for
    judged: bool  # polarity high or low
    stage_label: str
    topic: str
    indicator: str
    year: int | None
    value: str  # the LA's figure (its column is headed by the LA's name)
    england: str
    region: str
    sn_mean: str
    sn_median: str
    sn_used: str
    change: str
    direction: str
    rank: str
    band: str
    coverage: str


#: (field, column heading) of the summary table; None heads the LA's column with its name.
SUMMARY_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("stage_label", "Stage"), ("topic", "Topic"), ("indicator", "Indicator"), ("year", "Year"), ("value", None),
    ("england", "England"), ("region", "Region"), ("sn_mean", "SN mean"), ("sn_median", "SN median"),
    ("sn_used", "SN used"), ("change", "Change"), ("direction", "Direction"), ("rank", "Rank"), ("band", "Band"),
    ("coverage", "Coverage"),
)  # fmt: skip


def benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[SummaryRow]:
    """Every indicator in the registry for one LA, one row per measure grouped as the pickers
    list them (stage, then topic): the LA's figure in its latest reporting year up to
    ``year_to`` beside England, region, SN mean and median, change, direction, rank, band and
    coverage. A measure without a figure for the LA has a row too, saying so (``has_figure``
    False), so a filter can show what is missing. Remembered until the store changes: do not
    modify the rows.

    Every LA's summary is made at once, the first time any LA's is asked for (per store
    version, reporting years up to ``year_to`` and SN model): 200 benchmarks an LA, each a
    few dozen microseconds, were most of the page's own time for an LA not shown before, where
    every LA's together take about a second once (as tuples: some 15 MB for a national
    store). Other areas get their own when asked."""
    rows = _every_la(s, year_to, model).get(la_key)
    if rows is not None:
        return rows
    return s.memo(("benchmark_summary", la_key, year_to, model), lambda: _benchmark_summary(s, la_key, year_to, model))


def _every_la(s: Store, year_to: int | None, model: int) -> dict[str, list[SummaryRow]]:
    """{LA key: ``benchmark_summary``} for every LA the sidebar offers."""
    return s.memo(
        ("benchmark_summary_every_la", year_to, model),
        lambda: {key: _benchmark_summary(s, key, year_to, model) for key in areas.la_labels(s)},
    )


@functools.lru_cache(maxsize=32_768)
def _formatted(measure: str, value: float | None, symbol: str | None = None) -> str:
    """``Measure.format`` remembered per (measure, value, symbol): every LA's summary formats
    the same England and region figures again (each measure's England figure 150 times). Small
    enough to hold those and let each LA's own figures pass through (3 MB, where holding every
    figure was 30 MB)."""
    return registry().get(measure).format(value, symbol)


@functools.lru_cache(maxsize=4096)
def _text(text: str) -> str:
    """One copy of a text many rows share ("35 of 153 LAs in England have a value ...")."""
    return text


def _benchmark_summary(s: Store, la_key: str, year_to: int | None, model: int) -> list[SummaryRow]:
    from ui.pickers import ordered

    la = areas.get_area(s, la_key)
    found = {b.measure.id: b for b in summary_table(s, la, year_to, model)}
    no_figure = _text(f"no figure for {la.name} in the store" + (f" up to {year_to}" if year_to else ""))
    rows = []
    for m in ordered(registry().measures):
        b = found.get(m.id)
        head = (m.id, m.stage, b is not None, m.judged, m.stage_label, m.topic, m.label)
        if b is None:
            rows.append(SummaryRow(*head, None, "no figure", "–", "–", "–", "–", "–", "–", "–", "–", "–", no_figure))
            continue
        mid, sn, ranked = m.id, b.sn, b.ranking
        direction = b.movement or "–"
        if b.judgement in ("better", "worse"):
            direction = _text(f"{b.movement} ({b.judgement})")
        if m.is_judgement:
            coverage = "not ranked: an inspection judgement, not a number"
        elif ranked:
            coverage = _text(ranked.coverage + ("; LAIT does not band this indicator" if ranked.band is None else ""))
        else:
            coverage = "not ranked: neutral measure" if not m.judged else "–"
        rows.append(
            SummaryRow(
                *head,
                b.year,
                _formatted(mid, b.value, b.symbol),
                _formatted(mid, b.england.value) if b.england else "–",
                _formatted(mid, b.region.value) if b.region else "–",
                _formatted(mid, sn.mean) if sn else "–",
                _formatted(mid, sn.median) if sn else "–",
                _text(f"{sn.n}/{sn.of}") if sn else "–",
                m.format_change(b.change),
                direction,
                _text(f"{ranked.rank} of {ranked.of}") if ranked else "–",
                (ranked.band or "–") if ranked else "–",
                coverage,
            )
        )
    return rows


def filter_summary(
    rows: list[SummaryRow],
    *,
    stages: Collection[str] = (),
    text: str = "",
    with_figure: bool = True,
    judged_only: bool = False,
) -> list[SummaryRow]:
    """The rows of ``benchmark_summary`` a reader asked for: in ``stages`` (stage ids; none
    means every stage), whose indicator, topic or id contains ``text`` (ignoring case and
    surrounding spaces), only those with a figure for the LA when ``with_figure``, only
    measures with a good direction (polarity high or low) when ``judged_only``."""
    needle = " ".join(text.lower().split())
    return [
        r
        for r in rows
        if (not stages or r.stage in stages)
        and (not with_figure or r.has_figure)
        and (not judged_only or r.judged)
        and (not needle or needle in f"{r.indicator} {r.topic} {r.measure}".lower())
    ]


def summary_display(rows: list[SummaryRow], la_name: str, *, stage: bool = False) -> dict[str, list[Any]]:
    """Summary rows as a table shows them, by column (``SUMMARY_COLUMNS``; the LA's column
    headed ``la_name``); without the stage unless ``stage`` (the page shows the rows under
    their stage's heading)."""
    out = {}
    for name, heading in SUMMARY_COLUMNS:
        if name == "stage_label" and not stage:
            continue
        i = SummaryRow._fields.index(name)
        out[heading or la_name] = [r[i] for r in rows]
    return out


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
