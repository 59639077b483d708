"""The journey in one year: counts and rates per 10,000 at each stage, LA beside comparators.

The stages are the registry's counts that have a rate per 10,000, in journey order (early
help, referrals, section 47 enquiries, conferences, children in need, plans, looked after).
"""

from __future__ import annotations

import pandas as pd

from journey import areas as areas_mod
from journey.benchmarks import sn_stats, year_lookup
from journey.config import ENGLAND
from journey.registry import STAGES, registry
from journey.selection import Selection, column_lists, sn_series_name
from journey.store import Store

JOURNEY_STAGES = [s for s in STAGES if s not in ("context", "other")]


def flow_steps() -> list[tuple[str, str]]:
    """(count id, rate id) for every count with a rate per 10,000, in journey order."""
    reg = registry()
    steps = []
    for stage in JOURNEY_STAGES:
        for m in reg.measures:
            rate = reg.rate_for_count(m.id)
            if m.stage == stage and m.kind == "count" and rate is not None:
                steps.append((m.id, rate.id))
    return steps


def _value(figures: dict, key: str | None) -> float | None:
    fig = figures.get(key) if key else None
    return fig.value if fig else None


FLOW_COLUMNS = ["step", "stage", "count_measure", "rate_measure", "series", "role", "count", "rate"]


def flow_table(store: Store, sel: Selection, year: int) -> pd.DataFrame:
    """``flow_rows`` as a table (columns ``FLOW_COLUMNS``)."""
    return pd.DataFrame(flow_rows(store, sel, year), columns=FLOW_COLUMNS)


def flow_rows(store: Store, sel: Selection, year: int) -> list[dict]:
    """One row per (stage, series) for the reporting year: step, stage, count_measure,
    rate_measure, series, role, count (LA only; None elsewhere), rate (per 10,000 children
    aged 0-17, None where there is no figure). Stages with no figure at all for the LA are
    left out."""
    la = areas_mod.get_area(store, sel.la)
    region = areas_mod.region_of(store, la)
    reg = registry()
    rows = []
    for step, (count_id, rate_id) in enumerate(flow_steps(), start=1):
        counts = year_lookup(store, count_id).get(year, {})
        rates = year_lookup(store, rate_id).get(year, {})
        la_count, la_rate = _value(counts, la.key), _value(rates, la.key)
        if la_count is None and la_rate is None:
            continue
        label = reg.get(count_id).label
        base = {"step": step, "stage": label, "count_measure": count_id, "rate_measure": rate_id}
        rows.append({**base, "series": la.name, "role": "la", "count": la_count, "rate": la_rate})
        if "England" in sel.comparators:
            rows.append({**base, "series": "England", "role": "england", "count": None, "rate": _value(rates, ENGLAND)})
        if "Region" in sel.comparators and region is not None:
            rows.append({**base, "series": region.name, "role": "region", "count": None, "rate": _value(rates, region.key)})
        if "Statistical neighbours" in sel.comparators:
            sn = sn_stats(store, la, rate_id, year, sel.model)
            if sn and sn.n:
                rows.append(
                    {
                        **base,
                        "series": sn_series_name(sel),
                        "role": "sn",
                        "count": None,
                        "rate": sn.mean if sel.sn_stat == "mean" else sn.median,
                    }
                )
        for i, key in enumerate(sel.others[:4], start=1):
            if key != la.key:
                other = areas_mod.get_area(store, key)
                rows.append(
                    {**base, "series": other.name, "role": f"other{i}", "count": _value(counts, key), "rate": _value(rates, key)}
                )
    return rows


def flow_display(table: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """A ``flow_table`` as the Journey page shows it: one row per stage (indexed by its label,
    top to bottom), the LA's count, then each series' rate per 10,000 to one decimal, in the
    order the series first appear; '–' where there is no figure. A series with no rate at any
    stage gets no column."""
    columns = flow_display_columns(table)
    stages = columns.pop("Stage")
    return pd.DataFrame(columns, index=pd.Index(stages, name="stage"))


def flow_display_columns(table: pd.DataFrame | list[dict]) -> dict[str, list[str]]:
    """``flow_display`` as columns: "Stage" (the labels, top to bottom) first, then the
    displayed columns, each a list of strings."""
    stages: list[str] = []
    la_name = ""
    counts: dict[str, float | None] = {}
    rates: dict[str, dict[str, float]] = {}  # series -> stage -> rate
    for stage, series, role, count, rate in zip(*column_lists(table, ("stage", "series", "role", "count", "rate"))):
        if role == "la":
            stages.append(stage)
            la_name = series
            counts[stage] = None if count is None or pd.isna(count) else count
        by_stage = rates.setdefault(series, {})
        if rate is not None and not pd.isna(rate):
            by_stage[stage] = rate
    out = {"Stage": stages, f"{la_name}: count": ["–" if counts[s] is None else f"{counts[s]:,.0f}" for s in stages]}
    for series, by_stage in rates.items():
        if by_stage:
            out[f"{series}: per 10,000"] = [f"{by_stage[s]:,.1f}" if s in by_stage else "–" for s in stages]
    return out
