"""Ofsted's judgement of an LA's children's services, as the Overview heading and the board
pack's cover show it beside the LA's name.

A judgement is a category (``Measure.is_judgement``): the stored value is Ofsted's grade, 1
Outstanding, 2 Good, 3 Requires improvement to be good, 4 Inadequate, and ``Measure.format``
gives the words. It is never averaged, ranked or drawn as a number. The figure's period is the
inspection date (period start = period end).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from journey import figures
from journey.periods import as_date
from journey.registry import registry
from journey.store import Store

OVERALL = "ofsted_overall_effectiveness"


@dataclass(frozen=True)
class Inspection:
    """One Ofsted judgement of an LA: the grade (1-4), its words, the inspection date and where
    the figure comes from."""

    measure: str
    grade: int
    words: str  # "Requires improvement to be good"
    inspected: dt.date  # the inspection date (the figure's period)
    source: str
    vintage: str

    @property
    def text(self) -> str:
        """'Ofsted, inspected 10 July 2023: Requires improvement to be good'."""
        return f"Ofsted, inspected {self.inspected.day} {self.inspected:%B %Y}: {self.words}"

    @property
    def source_line(self) -> str:
        """'Source: Ofsted, LA inspection outcomes (release 2025-03)': for a caption or hover."""
        return f"Source: {self.source} (release {self.vintage})"


def inspection_history(store: Store, area_key: str, measure: str = OVERALL) -> list[Inspection]:
    """Every Ofsted judgement of the LA on ``measure`` that has a grade, newest inspection first
    (empty when there is none or the registry does not hold the measure)."""
    if measure not in registry():
        return []
    return list(_history(store, measure).get(area_key, ()))


def latest_inspection(store: Store, area_key: str, measure: str = OVERALL) -> Inspection | None:
    """The LA's latest Ofsted judgement on ``measure`` (overall effectiveness by default) that has
    a grade, or None when the store has none (or the registry does not hold the measure). Read
    for every LA at once and remembered until the store changes."""
    found = inspection_history(store, area_key, measure)
    return found[0] if found else None


def _history(store: Store, measure: str) -> dict[str, tuple[Inspection, ...]]:
    """{area key: its judgements, newest first}, for every area at once, per store version."""

    def compute() -> dict[str, tuple[Inspection, ...]]:
        m = registry().get(measure)
        rows = figures.latest(store, None, [measure])
        out: dict[str, list[Inspection]] = {}
        for key, end, value, source, vintage in zip(
            *(rows[c].tolist() for c in ("area_key", "period_end", "value", "source", "vintage"))
        ):
            if value is None or math.isnan(value) or not float(value).is_integer():
                continue
            words = m.format(float(value))
            if words == "–":  # not one of Ofsted's four grades
                continue
            out.setdefault(key, []).append(Inspection(measure, int(value), words, as_date(end), str(source), str(vintage)))
        return {k: tuple(sorted(v, key=lambda i: i.inspected, reverse=True)) for k, v in out.items()}

    return store.memo(("inspections", measure), compute)
