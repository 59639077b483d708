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

from journey.areas import Area
from journey.benchmarks import Benchmark
from journey.periods import period_label
from journey.registry import Measure
from journey.selection import column_lists
from journey.spc import XmR
from journey.store import Store


def period_intro(start: dt.date, end: dt.date) -> str:
    """'At 31 March 2025' for a snapshot, 'In 2024-25' for a year's flow."""
    if start == end:
        return f"At {end.day} {end:%B %Y}"
    return f"In {period_label(start, end)}"


class ComparatorValue(NamedTuple):
    """One chosen comparator for the benchmark's year: its value, or why there is none."""

    name: str  # England, the region's name, or "statistical neighbours"
    value: float | None  # None: no figure for the year (``missing`` says so in words)
    detail: str  # "mean of 10" (or "mean of 3 of 10 neighbours") for neighbours, else ""
    missing: str = ""  # "No West Midlands figure for 2024-25." when value is None


ALL_COMPARATORS = ("England", "Region", "Statistical neighbours")


def benchmark_period(b: Benchmark) -> str:
    """The benchmark's period as the pages label it: '2024-25' for a flow, '31 Mar 2025' for a
    snapshot; the reporting year when the LA has no figure to date it."""
    if b.period_start is None or b.period_end is None:
        return str(b.year)
    return period_label(b.period_start, b.period_end)


def _for(label: str) -> str:
    """'at 31 Mar 2025' for a snapshot, 'for 2024-25' for a period."""
    return f"at {label}" if label[:1].isdigit() and " " in label else f"for {label}"


def sn_detail(b: Benchmark, sn_stat: str = "mean") -> str:
    """How many neighbours the SN figure is worked from: 'mean of 10' when all of them have a
    figure, 'mean of 3 of 10 neighbours' when some have none (``NeighbourStats.n`` of ``of``)."""
    if b.sn is None:
        return ""
    return f"{sn_stat} of {b.sn.n}" if b.sn.n == b.sn.of else f"{sn_stat} of {b.sn.n} of {b.sn.of} neighbours"


def comparator_status(
    b: Benchmark, *, sn_stat: str = "mean", comparators: tuple[str, ...] = ALL_COMPARATORS
) -> list[ComparatorValue]:
    """Every chosen comparator for the benchmark's year, in reading order: its value, or (value
    None) a sentence saying there is no figure, naming the comparator and the period ("No
    South East figure for 2024-25.", "No statistical-neighbour figures at 31 Mar 2025 (0 of 10
    neighbours have one)."). Judgements (Ofsted grades) are never compared: empty."""
    m = b.measure
    if m.is_judgement:
        return []
    when = _for(benchmark_period(b))
    out = []
    if "England" in comparators:
        value = b.england.value if b.england else None
        out.append(ComparatorValue("England", value, "", "" if value is not None else f"No England figure {when}."))
    if "Region" in comparators and b.region is not None:
        value = b.region.value
        out.append(ComparatorValue(b.region.name, value, "", "" if value is not None else f"No {b.region.name} figure {when}."))
    if "Statistical neighbours" in comparators and b.area.type == "LA":
        stat = None
        if b.sn is None:
            missing = f"No statistical neighbours for {b.area.name} in the chosen model."
        elif b.sn.n == 0:
            missing = f"No statistical-neighbour figures {when} (0 of {b.sn.of} neighbours have one)."
        else:
            stat = b.sn.mean if sn_stat == "mean" else b.sn.median
            missing = ""
        out.append(ComparatorValue("statistical neighbours", stat, sn_detail(b, sn_stat), missing))
    return out


def comparator_values(
    b: Benchmark, *, sn_stat: str = "mean", comparators: tuple[str, ...] = ALL_COMPARATORS
) -> list[ComparatorValue]:
    """The chosen comparators that have a value for the benchmark's year, in reading order."""
    return [c for c in comparator_status(b, sn_stat=sn_stat, comparators=comparators) if c.value is not None]


def missing_sentence(b: Benchmark, *, sn_stat: str = "mean", comparators: tuple[str, ...] = ALL_COMPARATORS) -> str | None:
    """What the chosen comparators lack for the benchmark's year, in words (None when nothing is
    missing). A local measure with no comparator at all gets one sentence saying why."""
    gaps = [c for c in comparator_status(b, sn_stat=sn_stat, comparators=comparators) if c.value is None]
    if not gaps:
        return None
    have = [c for c in comparator_status(b, sn_stat=sn_stat, comparators=comparators) if c.value is not None]
    if not have and b.measure.origin == "local" and len(gaps) > 1:
        names = [("statistical-neighbour" if c.name == "statistical neighbours" else c.name) for c in gaps]
        listed = ", ".join(names[:-1]) + " or " + names[-1]
        return (
            f"No {listed} figures {_for(benchmark_period(b))}: "
            "this is a local measure, which DfE does not publish for other areas."
        )
    return " ".join(c.missing for c in gaps)


def headline_sentence(
    b: Benchmark,
    *,
    sn_stat: str = "mean",
    comparators: tuple[str, ...] = ALL_COMPARATORS,
) -> str:
    """One sentence: the value, its change on a year earlier, and the chosen comparators; then
    what the chosen comparators lack for the year (``missing_sentence``)."""
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
    parts = [
        f"{c.name} {m.format(c.value)}" + (f" ({c.detail}, {b.sn.model} model)" if c.detail else "")
        for c in comparator_values(b, sn_stat=sn_stat, comparators=comparators)
    ]
    if parts:
        text += "; " + "; ".join(parts)
    gaps = missing_sentence(b, sn_stat=sn_stat, comparators=comparators)
    return text + "." + (f" {gaps}" if gaps else "")


#: A figure this many reporting years or more older than the LA's latest is shown with its age.
STALE_YEARS = 2


def age_note(store: Store, area: Area, year: int, label: str, year_to: int | None = None) -> str | None:
    """'Latest figure 2013-14, 11 years before the rest: Worcestershire's figures run to 2025.'
    when an indicator's latest figure for the LA (reporting ``year``, labelled ``label``) is
    ``STALE_YEARS`` or more reporting years older than the LA's latest figure on any indicator
    in the store (up to ``year_to`` when the selection stops earlier); None when it is current.
    The one rule for "current": tiles, slides, the pack and the built-in board set ask it."""
    from journey.figures import latest_years

    rest = latest_years(store).get(area.key)
    if rest is None:
        return None
    if year_to is not None:
        rest = min(rest, year_to)
    behind = rest - year
    if behind < STALE_YEARS:
        return None
    return f"Latest figure {label}, {behind} years before the rest: {area.name}'s figures run to {rest}."


def describe_trend(frame: pd.DataFrame | dict[str, list], m: Measure) -> str:
    """Text alternative for a trend chart: each series' first and last values and its range
    ("X: no figures" for a series whose every figure is suppressed or missing).
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
        if not have:  # a series with rows but no value (all suppressed): said, not dropped
            parts.append(f"{name}: no figures")
            continue
        (first_p, first_v), (last_p, last_v) = have[0], have[-1]
        values = [v for _, v in have]
        gaps = len(rows) - len(have)
        text = (
            f"{name}: {m.format(first_v)} in {first_p} to {m.format(last_v)} in {last_p}"
            f" (lowest {m.format(min(values))}, highest {m.format(max(values))}"
        )
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
    return describe_change(
        b.measure, b.value, b.previous, b.symbol, labels.get(b.year, str(b.year)), labels.get(b.year - 1, str(b.year - 1))
    )


def describe_change(
    m: Measure, value: float | None, previous: float | None, symbol: str | None, now_label: str, before_label: str
) -> str:
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
        text = (
            f"{'Up' if move == 'up' else 'Down'} {size}{pct} from {m.format(previous)} {before} "
            f"to {m.format(value, with_unit=True)} {now}"
        )
    if judgement in ("better", "worse"):
        text += f": {'an improvement' if judgement == 'better' else 'a deterioration'}"
    elif not m.judged and move != "same":
        text += "; neither higher nor lower is better in itself"
    return text + "."


def comparator_sentence(b: Benchmark, *, sn_stat: str = "mean", comparators: tuple[str, ...] = ALL_COMPARATORS) -> str | None:
    """Where the LA stands against England, its region and its statistical neighbours."""
    if b.value is None:
        return None
    m = b.measure
    parts = [
        f"{_compare_word(b.value, c.value, m)} {'its ' if c.detail else ''}{c.name} ({m.format(c.value)}"
        + (f", {c.detail})" if c.detail else ")")
        for c in comparator_values(b, sn_stat=sn_stat, comparators=comparators)
    ]
    if not parts:
        return None
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"{b.area.name} is {text}."


def unusual_sentence(analysis: XmR | None, m: Measure, *, period: str, frequency: str = "yearly") -> str:
    """Whether the latest value is unusual for the series (XmR), or why that cannot be said."""
    from journey.spc import MIN_POINTS

    if analysis is None or not analysis.enough:
        n = analysis.n if analysis else 0
        return (
            f"With {n} {frequency} figure{'s' if n != 1 else ''}, there are too few to say whether the latest "
            f"({period}) is unusual: {MIN_POINTS} or more are needed."
        )
    finding = analysis.latest_finding()
    span = f"{m.format(analysis.lower)} to {m.format(analysis.upper)}"
    if finding is None:
        return (
            f"The latest figure ({period}) is within the usual range for this series "
            f"({span}, from {analysis.n} {frequency} figures)."
        )
    return (
        f"The latest figure ({period}) is unusual for this series: {finding} "
        f"(usual range {span}, from {analysis.n} {frequency} figures)."
    )


def takeaway(
    b: Benchmark,
    labels: dict[int, str],
    analysis: XmR | None,
    *,
    sn_stat: str = "mean",
    comparators: tuple[str, ...] = ALL_COMPARATORS,
    frequency: str = "yearly",
) -> list[str]:
    """The slide's takeaway: the change, the comparison, what the comparators lack for the year
    ("No West Midlands figure for 2024-25."), and whether the latest is unusual."""
    out = [change_sentence(b, labels)]
    compared = comparator_sentence(b, sn_stat=sn_stat, comparators=comparators)
    if compared:
        out.append(compared)
    gaps = missing_sentence(b, sn_stat=sn_stat, comparators=comparators) if b.value is not None else None
    if gaps:
        out.append(gaps)
    if b.value is not None:
        period = analysis.latest.label if analysis and frequency != "yearly" else labels.get(b.year, str(b.year))
        out.append(unusual_sentence(analysis, b.measure, period=period, frequency=frequency))
    return out
