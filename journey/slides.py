"""One indicator as a board reads it: the trend against comparators, the latest benchmark, an
XmR check of whether the latest value is unusual, the takeaway sentences, a compact table and
the board's own target and comment. Presentation mode, the board pack and the Indicator page
all draw from ``build_slide``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from journey import areas as areas_mod
from journey import figures
from journey.areas import Area
from journey.benchmarks import Benchmark, benchmark, period_labels, rag
from journey.boards import BoardItem
from journey.charts import Spec, trend_chart, xmr_chart
from journey.narrative import (
    age_note,
    comparator_sentence,
    describe_change,
    describe_trend,
    missing_sentence,
    takeaway,
    unusual_sentence,
)
from journey.periods import as_date, period_label
from journey.registry import Measure, registry
from journey.selection import Columns, Selection, column_lists, columns_frame, la_rows, trend_columns, wide_table
from journey.spc import MIN_POINTS, XmR, xmr
from journey.store import Store


@dataclass
class Slide:
    measure: Measure
    area: Area
    columns: Columns  # trend_columns: year, period, series, role, value, symbol, source as lists
    benchmark: Benchmark | None  # the LA's latest year with a figure (None: no figures at all)
    labels: dict[int, str]  # reporting year -> period label
    series: pd.DataFrame  # the series the XmR check ran on: label, value, symbol
    frequency: str  # yearly, quarterly or monthly
    analysis: XmR | None
    takeaway: list[str]
    description: str  # text alternative for the chart
    item: BoardItem
    rag: str | None  # green/amber/red against the board's target; None without a target
    mine: list[tuple[int, str, float | None, str | None]]  # la_rows: the LA's (year, period, value, symbol)
    age: str | None = None  # narrative.age_note: "Latest figure 2013-14, 11 years before the rest: ..."; None if current

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The trend as a table (``trend_frame``), made when first read: a page that only draws
        the chart and the takeaway never needs it."""
        return columns_frame(self.columns)

    @property
    def title(self) -> str:
        return self.measure.label

    @property
    def latest_label(self) -> str | None:
        return self.labels.get(self.benchmark.year) if self.benchmark else None


def local_series(store: Store, area_key: str, measure: str) -> tuple[pd.DataFrame, str]:
    """The LA's latest regular run of monthly or quarterly figures for a measure, when it has at
    least MIN_POINTS of them; else an empty frame and 'yearly'.

    The run is read back from the newest figure while each step to the one before is one month
    (or one quarter): a missing month ends it. Returns (frame with label, value, symbol,
    period_end; frequency). Remembered until the store changes: do not modify the frame."""
    return store.memo(("local_series", area_key, measure), lambda: _local_series(store, area_key, measure))


class _SubAnnual(NamedTuple):
    """One area's figures for periods shorter than a year, one per period end (ascending)."""

    starts: list
    ends: list[dt.date]
    values: list[float | None]
    symbols: list[str | None]


def _sub_annual(store: Store, measure: str) -> dict[str, _SubAnnual]:
    """{area key: that area's figures for periods shorter than a year}, for one measure: read,
    sorted and de-duplicated once per store version for every area together, so changing LA
    neither scans the observations again nor sorts them."""

    def compute() -> dict[str, _SubAnnual]:
        rows = figures.latest(store, None, [measure])
        span = pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])
        rows = rows[span.dt.days < 300]
        # One figure per period end (the last of any that share one), in time order.
        rows = rows.sort_values(["area_key", "period_end"], kind="stable").drop_duplicates(
            ["area_key", "period_end"], keep="last"
        )
        out: dict[str, _SubAnnual] = {}
        for key, start, end, value, symbol in zip(
            *(rows[c].tolist() for c in ("area_key", "period_start", "period_end", "value", "symbol"))
        ):
            part = out.get(key)
            if part is None:
                part = out[key] = _SubAnnual([], [], [], [])
            part.starts.append(start)
            part.ends.append(as_date(end))
            part.values.append(None if value is None or math.isnan(value) else float(value))
            part.symbols.append(symbol if isinstance(symbol, str) else None)
        return out

    return store.memo(("sub_annual", measure), compute)


_NO_LOCAL_SERIES = pd.DataFrame(columns=["label", "value", "symbol", "period_end"])


def _local_series(store: Store, area_key: str, measure: str) -> tuple[pd.DataFrame, str]:
    empty = _NO_LOCAL_SERIES  # shared, like every remembered result: read-only
    rows = _sub_annual(store, measure).get(area_key)
    if rows is None or len(rows.ends) < MIN_POINTS:
        return empty, "yearly"
    ends = rows.ends
    last_step = (ends[-1] - ends[-2]).days
    if last_step > 100:
        return empty, "yearly"
    frequency, limit = ("monthly", (27, 32)) if last_step <= 35 else ("quarterly", (88, 93))
    first = len(ends) - 1
    while first > 0 and limit[0] <= (ends[first] - ends[first - 1]).days <= limit[1]:
        first -= 1
    if len(ends) - first < MIN_POINTS:
        return empty, "yearly"
    frame = pd.DataFrame(
        {
            "label": [period_label(a, b) for a, b in zip(rows.starts[first:], ends[first:])],
            "value": pd.Series(rows.values[first:], dtype="float64"),
            "symbol": rows.symbols[first:],
            "period_end": ends[first:],
        }
    )
    return frame, frequency


def build_slide(store: Store, sel: Selection, item: BoardItem | str) -> Slide:
    """Everything one slide or pack page shows for the selection's LA and one indicator."""
    item = BoardItem(item) if isinstance(item, str) else item
    m = registry().get(item.measure)
    la = areas_mod.get_area(store, sel.la)
    columns = trend_columns(store, sel, m.id)
    labels = period_labels(store, m.id)
    mine = la_rows(columns)
    with_value = [year for year, _, value, _ in mine if value is not None]
    b = benchmark(store, la, m.id, max(with_value), sel.model) if with_value else None
    series, frequency = local_series(store, la.key, m.id)
    if frequency == "yearly":
        shown = [r for r in mine if b is None or r[0] <= b.year]
        series = pd.DataFrame(
            {
                "label": [r[1] for r in shown],
                "value": np.array([math.nan if r[2] is None else r[2] for r in shown], dtype="float64"),
                "symbol": [r[3] for r in shown],
            },
            columns=["label", "value", "symbol"],
        )
    analysis = xmr(series["label"].tolist(), series["value"].tolist()) if not series.empty else None
    if frequency != "yearly":
        lines = _sub_annual_takeaway(m, series, analysis, frequency)
        compared = comparator_sentence(b, sn_stat=sel.sn_stat, comparators=sel.comparators) if b else None
        gaps = missing_sentence(b, sn_stat=sel.sn_stat, comparators=sel.comparators) if b else None
        if gaps:
            lines.insert(1, gaps)
        if compared:
            lines.insert(1, f"In {labels.get(b.year, b.year)}: {compared}")
    elif b is None:
        lines = [f"There are no figures for {la.name} on this indicator in the selected years."]
    else:
        lines = takeaway(b, labels, analysis, sn_stat=sel.sn_stat, comparators=sel.comparators, frequency=frequency)
    status = rag(m, b.value, item.target, item.tolerance) if b is not None and item.target is not None else None
    if frequency != "yearly":  # the slide shows the monthly (or quarterly) run: its last period is the latest
        end = as_date(series["period_end"].iloc[-1])
        year = end.year + (1 if end.month > 3 else 0)  # the year ending 31 March that holds it
        age = age_note(store, la, year, str(series["label"].iloc[-1]), sel.year_to)
    else:
        age = age_note(store, la, b.year, labels.get(b.year, str(b.year)), sel.year_to) if b is not None else None
    return Slide(
        m, la, columns, b, labels, series, frequency, analysis, lines, describe_trend(columns, m), item, status, mine, age
    )


def _sub_annual_takeaway(m: Measure, series: pd.DataFrame, analysis: XmR | None, frequency: str) -> list[str]:
    """The change on the month (or quarter) before and whether the latest is unusual."""
    labels = series["label"].tolist()
    values = [None if math.isnan(v) else v for v in series["value"].tolist()]
    last_symbol = series["symbol"].iloc[-1]
    value = values[-1]
    previous = values[-2] if len(values) > 1 else None
    symbol = last_symbol if isinstance(last_symbol, str) else None
    lines = [
        describe_change(m, value, previous, symbol, str(labels[-1]), str(labels[-2]) if len(labels) > 1 else "the period before")
    ]
    if value is not None:
        lines.append(unusual_sentence(analysis, m, period=str(labels[-1]), frequency=frequency))
    return lines


def slide_table(slide: Slide, last: int = 6) -> pd.DataFrame:
    """The trend as a compact table: one row per series, one column per period (the last
    ``last`` periods), values at published precision with suppression symbols kept."""
    return wide_table(slide.frame, slide.measure.id).tail(last).T


def sources_line(slide: Slide) -> str:
    """'DfE LAIT data, April 2026 update (2015-16 to 2024-25); ...': the sources of the LA's
    figures on the slide and the periods each covers."""
    periods: dict[str, list[str]] = {}  # source -> its periods, in year order
    for role, period, source in zip(*column_lists(slide.columns, ("role", "period", "source"))):
        if role == "la" and isinstance(source, str):
            periods.setdefault(source, []).append(period)
    if not periods:
        return "No sources: there are no figures for this indicator."
    return "; ".join(f"{src} ({p[0] if len(p) == 1 else f'{p[0]} to {p[-1]}'})" for src, p in periods.items())


def slide_chart(slide: Slide, *, scale: float = 1.0, height: int = 340, legend_columns: int = 2) -> Spec:
    """The chart a slide or pack page shows: the yearly trend against comparators with the
    XmR check overlaid, or the monthly/quarterly series with its own XmR chart."""
    if slide.frequency != "yearly" and slide.analysis is not None:
        return xmr_chart(slide.series, slide.analysis, slide.measure, height=height, scale=scale, description=slide.description)
    yearly = slide.analysis if slide.frequency == "yearly" else None
    return trend_chart(
        slide.columns,
        slide.measure,
        analysis=yearly,
        height=height,
        scale=scale,
        description=slide.description,
        legend_columns=legend_columns,
    )
