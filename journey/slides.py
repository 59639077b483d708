"""One indicator as a board reads it: the trend against comparators, the latest benchmark, an
XmR check of whether the latest value is unusual, the takeaway sentences, a compact table and
the board's own target and comment. Presentation mode, the board pack and the Indicator page
all draw from ``build_slide``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from journey import areas as areas_mod
from journey import figures
from journey.areas import Area
from journey.benchmarks import Benchmark, benchmark, period_labels, rag
from journey.boards import BoardItem
from journey.narrative import describe_trend, takeaway
from journey.periods import as_date, period_label
from journey.registry import Measure, registry
from journey.selection import Selection, trend_frame, wide_table
from journey.spc import MIN_POINTS, XmR, xmr
from journey.store import Store


@dataclass
class Slide:
    measure: Measure
    area: Area
    frame: pd.DataFrame  # trend_frame: year, period, series, role, value, symbol, source
    benchmark: Benchmark | None  # the LA's latest year with a figure (None: no figures at all)
    labels: dict[int, str]  # reporting year -> period label
    series: pd.DataFrame  # the series the XmR check ran on: label, value, symbol
    frequency: str  # yearly, quarterly or monthly
    analysis: XmR | None
    takeaway: list[str]
    description: str  # text alternative for the chart
    item: BoardItem
    rag: str | None  # green/amber/red against the board's target; None without a target

    @property
    def title(self) -> str:
        return self.measure.label

    @property
    def latest_label(self) -> str | None:
        return self.labels.get(self.benchmark.year) if self.benchmark else None


def local_series(store: Store, area_key: str, measure: str) -> tuple[pd.DataFrame, str]:
    """The LA's finest regular series for a measure: monthly or quarterly figures when there
    are at least MIN_POINTS of them, else an empty frame and 'yearly'.

    Returns (frame with label, value, symbol, period_end; frequency)."""
    rows = figures.latest(store, [area_key], [measure])
    empty = pd.DataFrame(columns=["label", "value", "symbol", "period_end"])
    if rows.empty:
        return empty, "yearly"
    spans = [(as_date(e) - as_date(s)).days for s, e in zip(rows["period_start"], rows["period_end"])]
    sub = rows[[d < 300 for d in spans]].sort_values("period_end")
    if len(sub) < MIN_POINTS:
        return empty, "yearly"
    gaps = pd.Series(pd.to_datetime(sub["period_end"])).diff().dt.days.dropna()
    step = float(gaps.median()) if not gaps.empty else 365.0
    if step > 100:
        return empty, "yearly"
    frequency = "monthly" if step <= 35 else "quarterly"
    frame = pd.DataFrame({
        "label": [period_label(s, e) for s, e in zip(sub["period_start"], sub["period_end"])],
        "value": sub["value"].astype("float64"),
        "symbol": sub["symbol"],
        "period_end": sub["period_end"],
    }).reset_index(drop=True)
    return frame, frequency


def build_slide(store: Store, sel: Selection, item: BoardItem | str) -> Slide:
    """Everything one slide or pack page shows for the selection's LA and one indicator."""
    item = BoardItem(item) if isinstance(item, str) else item
    m = registry().get(item.measure)
    la = areas_mod.get_area(store, sel.la)
    frame = trend_frame(store, sel, m.id)
    labels = period_labels(store, m.id)
    mine = frame[(frame["role"] == "la") & frame["value"].notna()] if not frame.empty else frame
    b = benchmark(store, la, m.id, int(mine["year"].max()), sel.model) if not mine.empty else None
    series, frequency = local_series(store, la.key, m.id)
    if frequency == "yearly":
        la_rows = frame[(frame["role"] == "la")] if not frame.empty else frame
        if b is not None:
            la_rows = la_rows[la_rows["year"] <= b.year]
        series = pd.DataFrame({"label": la_rows.get("period", []), "value": la_rows.get("value", []),
                               "symbol": la_rows.get("symbol", [])}).reset_index(drop=True)
    analysis = xmr(series["label"].tolist(), series["value"].tolist()) if not series.empty else None
    if b is None:
        lines = [f"There are no figures for {la.name} on this indicator in the selected years."]
    else:
        lines = takeaway(b, labels, analysis, sn_stat=sel.sn_stat, comparators=sel.comparators, frequency=frequency)
    status = rag(m, b.value, item.target, item.tolerance) if b is not None and item.target is not None else None
    return Slide(m, la, frame, b, labels, series, frequency, analysis, lines, describe_trend(frame, m), item, status)


def slide_table(slide: Slide, last: int = 6) -> pd.DataFrame:
    """The trend as a compact table: one row per series, one column per period (the last
    ``last`` periods), values at published precision with suppression symbols kept."""
    return wide_table(slide.frame, slide.measure.id).tail(last).T


def sources_line(slide: Slide) -> str:
    """'DfE CIN census (vintage 2025) for 2013-14 to 2024-25; ...' for the LA's series."""
    mine = slide.frame[(slide.frame["role"] == "la") & slide.frame["source"].notna()]
    if mine.empty:
        return "No sources: there are no figures for this indicator."
    spans = mine.groupby("source", sort=False)["period"].agg(lambda p: p.iloc[0] if len(p) == 1 else f"{p.iloc[0]} to {p.iloc[-1]}")
    return "; ".join(f"{src} ({span})" for src, span in spans.items())


def vintages(slides: list[Slide]) -> list[str]:
    """The release vintages behind the LA figures on the slides, newest first."""
    found: set[str] = set()
    for s in slides:
        if s.benchmark and s.benchmark.vintage:
            found.add(f"{s.measure.label}: {s.benchmark.vintage}")
    return sorted(found)

