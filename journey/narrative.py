"""Plain-English sentences generated from the figures, never written by hand.

Example: "At 31 March 2025 Worcestershire had 43.5 children on a child protection plan per
10,000, down from 49.8 a year earlier; England 40.6; West Midlands 40.3; statistical
neighbours 35.0 (mean of 10, 2025 model)."
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from journey.benchmarks import Benchmark
from journey.periods import period_label
from journey.registry import Measure


def period_intro(start: dt.date, end: dt.date) -> str:
    """'At 31 March 2025' for a snapshot, 'In 2024-25' for a year's flow."""
    if start == end:
        return f"At {end.day} {end:%B %Y}"
    return f"In {period_label(start, end)}"


def headline_sentence(
    b: Benchmark,
    *,
    sn_stat: str = "mean",
    comparators: tuple[str, ...] = ("England", "Region", "Statistical neighbours"),
) -> str:
    """One sentence: the value, its change on a year earlier, and the chosen comparators."""
    m = b.measure
    end = b.period_end or dt.date(b.year, 3, 31)
    start = b.period_start or end
    if b.value is None:
        why = f"suppressed ({b.symbol})" if b.symbol else "not in the store"
        return f"{period_intro(start, end)} {b.area.name}'s figure for {m.label.lower()} is {why}."
    value = m.format(b.value)
    phrase = m.phrase or "{area}'s " + m.label.lower() + " was {value}"
    text = f"{period_intro(start, end)} {phrase.format(area=b.area.name, value=value)}"
    if b.previous is not None:
        prev = m.format(b.previous)
        if b.movement == "same":
            text += ", the same as a year earlier"
        else:
            text += f", {b.movement} from {prev} a year earlier"
    parts = []
    if "England" in comparators and b.england and b.england.value is not None:
        parts.append(f"England {m.format(b.england.value)}")
    if "Region" in comparators and b.region and b.region.value is not None:
        parts.append(f"{b.region.name} {m.format(b.region.value)}")
    if "Statistical neighbours" in comparators and b.sn and b.sn.n:
        stat = b.sn.mean if sn_stat == "mean" else b.sn.median
        parts.append(f"statistical neighbours {m.format(stat)} ({sn_stat} of {b.sn.n}, {b.sn.model} model)")
    if parts:
        text += "; " + "; ".join(parts)
    return text + "."


def describe_trend(frame: pd.DataFrame, m: Measure) -> str:
    """Text alternative for a trend chart: each series' first and last values and its range."""
    if frame.empty:
        return f"No figures for {m.label.lower()}."
    parts = []
    for name, rows in frame.groupby("series", sort=False):
        have = rows.dropna(subset=["value"])
        if have.empty:
            continue
        first, last = have.iloc[0], have.iloc[-1]
        gaps = len(rows) - len(have)
        text = (f"{name}: {m.format(first['value'])} in {first['period']} to {m.format(last['value'])} in {last['period']}"
                f" (lowest {m.format(have['value'].min())}, highest {m.format(have['value'].max())}")
        text += f", {gaps} year(s) without a figure)" if gaps else ")"
        parts.append(text)
    return f"Line chart of {m.label.lower()} ({m.unit}). " + "; ".join(parts) + "."
