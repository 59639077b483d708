"""Plain-English sentences generated from the figures, never written by hand.

Example: "At 31 March 2025 Worcestershire had 43.5 children on a child protection plan per
10,000, down from 49.8 a year earlier; England 40.6; West Midlands 40.3; statistical
neighbours 35.0 (mean of 10, 2025 model)."
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd

from journey.benchmarks import Benchmark
from journey.periods import period_label
from journey.registry import Measure
from journey.selection import column_lists
from journey.spc import XmR


def period_intro(start: dt.date, end: dt.date) -> str:
    """'At 31 March 2025' for a snapshot, 'In 2024-25' for a year's flow."""
    if start == end:
        return f"At {end.day} {end:%B %Y}"
    return f"In {period_label(start, end)}"


class ComparatorValue(NamedTuple):
    name: str  # England, the region's name, or "statistical neighbours"
    value: float
    detail: str  # "mean of 10" for neighbours, else ""


def comparator_values(b: Benchmark, *, sn_stat: str = "mean",
                      comparators: tuple[str, ...] = ("England", "Region", "Statistical neighbours")) -> list[ComparatorValue]:
    """The chosen comparators that have a value for the benchmark's year, in reading order."""
    out = []
    if "England" in comparators and b.england and b.england.value is not None:
        out.append(ComparatorValue("England", b.england.value, ""))
    if "Region" in comparators and b.region and b.region.value is not None:
        out.append(ComparatorValue(b.region.name, b.region.value, ""))
    if "Statistical neighbours" in comparators and b.sn and b.sn.n:
        stat = b.sn.mean if sn_stat == "mean" else b.sn.median
        if stat is not None:
            out.append(ComparatorValue("statistical neighbours", stat, f"{sn_stat} of {b.sn.n}"))
    return out


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
    parts = [f"{c.name} {m.format(c.value)}" + (f" ({c.detail}, {b.sn.model} model)" if c.detail else "")
             for c in comparator_values(b, sn_stat=sn_stat, comparators=comparators)]
    if parts:
        text += "; " + "; ".join(parts)
    return text + "."


def describe_trend(frame: pd.DataFrame | dict[str, list], m: Measure) -> str:
    """Text alternative for a trend chart: each series' first and last values and its range.
    ``frame``: a trend frame or ``journey.selection.trend_columns``."""
    names, periods, values = column_lists(frame, ("series", "period", "value"))
    if not names:
        return f"No figures for {m.label.lower()}."
    series: dict[str, list[tuple[str, float | None]]] = {}  # name -> (period, value) in row order
    for name, period, value in zip(names, periods, values):
        series.setdefault(name, []).append((period, None if value is None or math.isnan(value) else value))
    parts = []
    for name, rows in series.items():
        have = [(p, v) for p, v in rows if v is not None]
        if not have:
            continue
        (first_p, first_v), (last_p, last_v) = have[0], have[-1]
        values = [v for _, v in have]
        gaps = len(rows) - len(have)
        text = (f"{name}: {m.format(first_v)} in {first_p} to {m.format(last_v)} in {last_p}"
                f" (lowest {m.format(min(values))}, highest {m.format(max(values))}")
        text += f", {gaps} year(s) without a figure)" if gaps else ")"
        parts.append(text)
    return f"Line chart of {m.label.lower()} ({m.unit}). " + "; ".join(parts) + "."


def _compare_word(la: float, other: float, m: Measure) -> str:
    """'higher than', 'lower than' or 'the same as', judged at published precision."""
    a, b = m.round(la), m.round(other)
    if a == b:
        return "the same as"
    return "higher than" if a > b else "lower than"


def _when(label: str) -> str:
    """'at 31 Mar 2025' for a snapshot, 'in 2024-25' for a period."""
    return f"at {label}" if label[:1].isdigit() and " " in label else f"in {label}"


def change_sentence(b: Benchmark, labels: dict[int, str]) -> str:
    """Direction and size of the change on the year before, and whether that is better or worse."""
    return describe_change(b.measure, b.value, b.previous, b.symbol,
                           labels.get(b.year, str(b.year)), labels.get(b.year - 1, str(b.year - 1)))


def describe_change(m: Measure, value: float | None, previous: float | None, symbol: str | None,
                    now_label: str, before_label: str) -> str:
    """'Down 6.3 (13%) from 49.8 at 31 Mar 2024 to 43.5 ... at 31 Mar 2025: ...' for any two
    consecutive periods (years, months or quarters)."""
    from journey.benchmarks import judge, movement

    now, before = _when(now_label), _when(before_label)
    if value is None:
        why = f"suppressed ({symbol})" if symbol else "not in the store"
        return f"The figure {now} is {why}, so there is no change to report."
    if previous is None:
        return f"{m.format(value, with_unit=True)} {now}; there is no figure {before} to compare with."
    move = movement(value, previous)
    judgement = judge(m, move)
    if move == "same":
        text = f"Unchanged at {m.format(value, with_unit=True)} {now}, the same as {before}"
    else:
        change = value - previous
        size = m.format_change(abs(change)).lstrip("+").replace(" pts", " percentage points")
        share = abs(change) / abs(previous) * 100 if previous else 0.0
        pct = f" ({share:.0f}%)" if share >= 0.5 and not m.is_percent else ""
        text = (f"{'Up' if move == 'up' else 'Down'} {size}{pct} from {m.format(previous)} {before} "
                f"to {m.format(value, with_unit=True)} {now}")
    if judgement in ("better", "worse"):
        text += f": {'an improvement' if judgement == 'better' else 'a deterioration'}"
    elif not m.judged and move != "same":
        text += "; neither higher nor lower is better in itself"
    return text + "."


def comparator_sentence(b: Benchmark, *, sn_stat: str = "mean",
                        comparators: tuple[str, ...] = ("England", "Region", "Statistical neighbours")) -> str | None:
    """Where the LA stands against England, its region and its statistical neighbours."""
    if b.value is None:
        return None
    m = b.measure
    parts = [f"{_compare_word(b.value, c.value, m)} {'its ' if c.detail else ''}{c.name} ({m.format(c.value)}"
             + (f", {c.detail})" if c.detail else ")")
             for c in comparator_values(b, sn_stat=sn_stat, comparators=comparators)]
    if not parts:
        return None
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"{b.area.name} is {text}."


def unusual_sentence(analysis: XmR | None, m: Measure, *, period: str, frequency: str = "yearly") -> str:
    """Whether the latest value is unusual for the series (XmR), or why that cannot be said."""
    from journey.spc import MIN_POINTS

    if analysis is None or not analysis.enough:
        n = analysis.n if analysis else 0
        return (f"With {n} {frequency} figure{'s' if n != 1 else ''}, there are too few to say whether the latest "
                f"({period}) is unusual: {MIN_POINTS} or more are needed.")
    finding = analysis.latest_finding()
    span = f"{m.format(analysis.lower)} to {m.format(analysis.upper)}"
    if finding is None:
        return (f"The latest figure ({period}) is within the usual range for this series "
                f"({span}, from {analysis.n} {frequency} figures).")
    return (f"The latest figure ({period}) is unusual for this series: {finding} "
            f"(usual range {span}, from {analysis.n} {frequency} figures).")


def takeaway(b: Benchmark, labels: dict[int, str], analysis: XmR | None, *, sn_stat: str = "mean",
             comparators: tuple[str, ...] = ("England", "Region", "Statistical neighbours"),
             frequency: str = "yearly") -> list[str]:
    """The slide's takeaway: the change, the comparison, and whether the latest is unusual."""
    out = [change_sentence(b, labels)]
    compared = comparator_sentence(b, sn_stat=sn_stat, comparators=comparators)
    if compared:
        out.append(compared)
    if b.value is not None:
        period = analysis.latest.label if analysis and frequency != "yearly" else labels.get(b.year, str(b.year))
        out.append(unusual_sentence(analysis, b.measure, period=period, frequency=frequency))
    return out
