"""What the user has chosen (LA, comparators, period), and the figures that follow from it.

Plain data: the dashboard builds a ``Selection`` from its widgets; tests and exports build
one directly. ``trend_frame`` and ``year_table`` turn a selection into the long tables the
charts and tables draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from journey import areas as areas_mod
from journey.benchmarks import annual_figures, series_table
from journey.config import DEFAULT_LA, DEFAULT_SN_MODEL
from journey.periods import period_label
from journey.registry import registry
from journey.store import Store

COMPARATORS = ("England", "Region", "Statistical neighbours")
SN_STATS = ("mean", "median")


@dataclass(frozen=True)
class Selection:
    la: str = DEFAULT_LA  # area key (old LA code)
    comparators: tuple[str, ...] = COMPARATORS
    sn_stat: str = "mean"
    model: int = DEFAULT_SN_MODEL
    others: tuple[str, ...] = field(default_factory=tuple)  # area keys of extra LAs
    year_from: int | None = None
    year_to: int | None = None

    def in_range(self, year: int) -> bool:
        return (self.year_from is None or year >= self.year_from) and (self.year_to is None or year <= self.year_to)


def sn_series_name(sel: Selection) -> str:
    return f"Statistical neighbours ({sel.sn_stat}, {sel.model} model)"


def trend_frame(store: Store, sel: Selection, measure: str) -> pd.DataFrame:
    """Long table for a trend chart: year, period, series, role, value, symbol, source.

    Every series has a row for every year in range, value None where it has no figure, so
    charts draw gaps rather than joining across missing years.
    """
    m = registry().get(measure)
    la = areas_mod.get_area(store, sel.la)
    table = series_table(store, la, m.id, sel.model)
    everything = annual_figures(store, m.id)
    series: list[pd.DataFrame] = []

    def add(name: str, role: str, years, values, symbols=None, sources=None) -> None:
        frame = pd.DataFrame({"year": list(years), "value": list(values)})
        frame["symbol"] = list(symbols) if symbols is not None else None
        frame["source"] = list(sources) if sources is not None else None
        frame["series"], frame["role"] = name, role
        series.append(frame)

    if not table.empty:
        add(la.name, "la", table["year"], table["value"], table["symbol"], table["source"])
        if "England" in sel.comparators:
            add("England", "england", table["year"], table["england"])
        region = areas_mod.region_of(store, la)
        if "Region" in sel.comparators and region is not None:
            add(region.name, "region", table["year"], table["region"])
        if "Statistical neighbours" in sel.comparators and table["sn_used"].sum() > 0:
            add(sn_series_name(sel), "sn", table["year"], table[f"sn_{sel.sn_stat}"])
        if "Statistical neighbours" in sel.comparators and table["sn_published"].notna().any():
            add("Statistical neighbours (as published)", "sn_published", table["year"], table["sn_published"])
    for i, key in enumerate(sel.others[:4], start=1):
        other = everything[everything["area_key"] == key]
        if key == sel.la or other.empty:
            continue
        add(areas_mod.get_area(store, key).name, f"other{i}", other["reporting_year"].astype(int), other["value"],
            other["symbol"], other["source"])
    if not series:
        return pd.DataFrame(columns=["year", "period", "series", "role", "value", "symbol", "source"])
    long = pd.concat(series, ignore_index=True)
    long["year"] = long["year"].astype(int)
    long = long[[sel.in_range(y) for y in long["year"]]]
    if long.empty:
        return long.assign(period=pd.Series(dtype=str))
    # Complete the grid: every series x every year from the first to the last shown.
    years = range(long["year"].min(), long["year"].max() + 1)
    grid = pd.MultiIndex.from_product([long["series"].unique(), years], names=["series", "year"])
    roles = long.drop_duplicates("series").set_index("series")["role"]
    long = long.drop_duplicates(["series", "year"]).set_index(["series", "year"]).reindex(grid).reset_index()
    long["role"] = long["series"].map(roles)
    long["value"] = long["value"].astype("float64")
    labels = _period_labels(everything)
    long["period"] = long["year"].map(lambda y: labels.get(y, str(y)))
    return long[["year", "period", "series", "role", "value", "symbol", "source"]]


def _period_labels(everything: pd.DataFrame) -> dict[int, str]:
    """The usual label of each reporting year for this measure (2024-25 or 31 Mar 2025)."""
    firsts = everything.drop_duplicates("reporting_year")
    return {int(r.reporting_year): period_label(r.period_start, r.period_end) for r in firsts.itertuples()}


def available_years(store: Store) -> list[int]:
    """Reporting years with at least one figure, ascending."""
    rows = store.memo(
        "available_years",
        lambda: store.query(
            "SELECT DISTINCT reporting_year y FROM observations WHERE reporting_year IS NOT NULL ORDER BY y"
        ),
    )
    return [int(y) for y in rows["y"]]
