"""What the user has chosen (LA, comparators, period), and the figures that follow from it.

Plain data: the dashboard builds a ``Selection`` from its widgets; tests and exports build
one directly. ``trend_frame`` and ``year_table`` turn a selection into the long tables the
charts and tables draw; ``la_trend`` gives the LA's own figures as plain rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journey import areas as areas_mod
from journey.benchmarks import SeriesRow, period_labels, series_rows, year_lookup
from journey.config import DEFAULT_LA, DEFAULT_SN_MODEL
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


def la_trend(store: Store, sel: Selection, measure: str) -> list[SeriesRow]:
    """The LA's yearly figures for a measure in the selected years that have a value (not a
    suppression symbol), in year order, with their comparators (see ``series_rows``)."""
    return [
        r
        for r in series_rows(store, areas_mod.get_area(store, sel.la), measure, sel.model)
        if r.value is not None and sel.in_range(r.year)
    ]


def trend_frame(store: Store, sel: Selection, measure: str) -> pd.DataFrame:
    """``trend_columns`` as a table: year, period, series, role, value (float, NaN where there
    is no figure), symbol, source."""
    return columns_frame(trend_columns(store, sel, measure))


def columns_frame(columns: Columns) -> pd.DataFrame:
    """A ``trend_columns`` result as a table (value a float column, NaN for no figure)."""
    return pd.DataFrame(
        {**columns, "value": np.array([math.nan if v is None else v for v in columns["value"]], dtype="float64")},
        columns=TREND_COLUMNS,
    )


def trend_columns(store: Store, sel: Selection, measure: str) -> Columns:
    """Long table for a trend chart, as plain lists by column (``TREND_COLUMNS``): year,
    period, series, role, value (None where there is no figure), symbol, source.

    Every series has a row for every year in range, value None where it has no figure, so
    charts draw gaps rather than joining across missing years. A comparator with no figure in
    the selected years is left out (the LA's own series is always there).
    """
    m = registry().get(measure)
    la = areas_mod.get_area(store, sel.la)
    table = series_rows(store, la, m.id, sel.model)
    series: list[tuple[str, str, dict[int, tuple]]] = []  # (name, role, {year: (value, symbol, source)})

    def column(name: str) -> dict[int, tuple]:
        return {r.year: (getattr(r, name), None, None) for r in table}

    if table:
        series.append((la.name, "la", {r.year: (r.value, r.symbol, r.source) for r in table}))
        if "England" in sel.comparators:
            series.append(("England", "england", column("england")))
        region = areas_mod.region_of(store, la)
        if "Region" in sel.comparators and region is not None:
            series.append((region.name, "region", column("region")))
        if "Statistical neighbours" in sel.comparators and any(r.sn_used for r in table):
            series.append((sn_series_name(sel), "sn", column(f"sn_{sel.sn_stat}")))
        if "Statistical neighbours" in sel.comparators and any(r.sn_published is not None for r in table):
            series.append(("Statistical neighbours (as published)", "sn_published", column("sn_published")))
    if sel.others:
        lookup = year_lookup(store, m.id)
        for i, key in enumerate(sel.others[:4], start=1):
            values = {y: (f.value, f.symbol, f.source) for y, figs in lookup.items() if (f := figs.get(key)) is not None}
            if key != sel.la and values:
                series.append((areas_mod.get_area(store, key).name, f"other{i}", values))
    # A comparator with no figure in the selected years would be a legend entry without a line.
    series = [
        (name, role, values)
        for name, role, values in series
        if role == "la" or any(v[0] is not None or v[1] is not None for y, v in values.items() if sel.in_range(y))
    ]
    years = sorted({y for _, _, values in series for y in values if sel.in_range(y)})
    if not years:
        return {c: [] for c in TREND_COLUMNS}
    labels = period_labels(store, m.id)
    columns: dict[str, list] = {c: [] for c in TREND_COLUMNS}
    for name, role, values in series:
        for year in range(years[0], years[-1] + 1):  # every year, so gaps show
            value, symbol, source = values.get(year, (None, None, None))
            for c, v in zip(TREND_COLUMNS, (year, labels.get(year, str(year)), name, role, value, symbol, source)):
                columns[c].append(v)
    return columns


TREND_COLUMNS = ["year", "period", "series", "role", "value", "symbol", "source"]
Columns = dict[str, list]


def column_lists(table: pd.DataFrame | Columns | list[dict], names: tuple[str, ...] | list[str]) -> list[list]:
    """The named columns as plain lists, from a table, from lists by column (``trend_columns``)
    or from rows as dicts (``journey.flow.flow_rows``)."""
    if isinstance(table, dict):
        return [table[n] for n in names]
    if isinstance(table, list):
        return [[row[n] for row in table] for n in names]
    return [table[n].tolist() for n in names]


def la_rows(frame: pd.DataFrame | Columns) -> list[tuple[int, str, float | None, str | None]]:
    """The LA's rows of a trend frame (or ``trend_columns``) as (year, period, value or None,
    symbol or None), in year order: every year in range, so gaps stay gaps."""
    return [
        (
            int(year),
            period,
            None if value is None or math.isnan(value) else float(value),
            symbol if isinstance(symbol, str) else None,
        )
        for role, year, period, value, symbol in zip(*column_lists(frame, ("role", "year", "period", "value", "symbol")))
        if role == "la"
    ]


def available_years(store: Store) -> list[int]:
    """Reporting years with at least one figure, ascending."""
    rows = store.memo(
        "available_years",
        lambda: store.query("SELECT DISTINCT reporting_year y FROM observations WHERE reporting_year IS NOT NULL ORDER BY y"),
    )
    return [int(y) for y in rows["y"]]


def tidy_figures(store: Store, measure: str, area_keys: list[str], years: list[int] | None = None) -> pd.DataFrame:
    """The stored (or computed) yearly figures for some areas as an upload-ready tidy table:
    area, area_code, measure, period, value, symbol, source, vintage, notes; one row per area and
    year, suppression symbols kept, in the order of ``area_keys`` then year.

    Written with ``journey.exports`` it reads back through the importer as the same figures.
    """
    from journey.benchmarks import annual_figures
    from journey.exports import EXPORT_COLUMNS, export_period

    rows = annual_figures(store, measure)
    rows = rows[rows["area_key"].isin(area_keys)]
    if years is not None:
        rows = rows[rows["reporting_year"].isin(years)]
    order = {k: i for i, k in enumerate(area_keys)}
    rows = rows.assign(o=rows["area_key"].map(order)).sort_values(["o", "reporting_year"])
    notes = [
        (
            "; ".join(x for x in (n if isinstance(n, str) else "", "computed by the dashboard (DfE rule)" if c else "") if x)
            or None
        )
        for n, c in zip(rows["note"], rows["computed"])
    ]
    out = pd.DataFrame(
        {
            "area": rows["area_name"],
            "area_code": rows["area_code"],
            "measure": rows["measure"],
            "period": [export_period(s, e) for s, e in zip(rows["period_start"], rows["period_end"])],
            "value": rows["value"].astype("float64"),
            "symbol": rows["symbol"].where(rows["symbol"].notna(), None),
            "source": rows["source"],
            "vintage": rows["vintage"],
            "notes": notes,
        }
    )
    return out[EXPORT_COLUMNS].reset_index(drop=True)


def tidy_for_years(store: Store, measure_years: list[tuple[str, int]], area_keys: list[str]) -> pd.DataFrame:
    """``tidy_figures`` for several measures, each in its own reporting year, stacked."""
    from journey.exports import EXPORT_COLUMNS

    parts = [tidy_figures(store, m, area_keys, [y]) for m, y in measure_years]
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=EXPORT_COLUMNS)


def trend_area_keys(store: Store, sel: Selection) -> list[str]:
    """The areas a trend chart draws from stored figures: the LA, England, its region and the
    other LAs chosen (statistical-neighbour averages are computed, not stored)."""
    from journey.config import ENGLAND

    la = areas_mod.get_area(store, sel.la)
    keys = [la.key]
    if "England" in sel.comparators:
        keys.append(ENGLAND)
    region = areas_mod.region_of(store, la)
    if "Region" in sel.comparators and region is not None:
        keys.append(region.key)
    keys += [k for k in sel.others[:4] if k not in keys]
    return keys


def wide_table(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """A trend frame as the page shows it: one row per period, one column per series, values
    at published precision with suppression symbols kept."""
    m = registry().get(measure)
    if frame.empty:
        return pd.DataFrame()
    periods = frame.drop_duplicates("year").sort_values("year")["period"].tolist()
    columns = {}
    for name, rows in frame.groupby("series", sort=False):
        by_period = {
            p: m.format(v, s if isinstance(s, str) else None) for p, v, s in zip(rows["period"], rows["value"], rows["symbol"])
        }
        columns[name] = [by_period.get(p, "–") for p in periods]
    return pd.DataFrame(columns, index=pd.Index(periods, name="period"))
