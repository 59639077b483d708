"""Conversion between journey stages for one area and year.

Boards ask how children flow from one stage to the next: what share of contacts became
referrals, of referrals led to a section 47 enquiry, of enquiries to an initial conference,
of conferences to a plan. The steps are listed in ``data/conversions.csv``.

A conversion is to_count / from_count x 100. Where a count is not in the store but both rates
per 10,000 are, the ratio of the rates gives the same answer (same population, same year)
and ``basis`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from journey.areas import Area
from journey.rates import with_computed_rates
from journey.registry import registry
from journey.store import Store


@dataclass(frozen=True)
class StepConversion:
    step: int
    label: str
    from_measure: str
    to_measure: str
    from_value: float | None
    to_value: float | None
    percent: float | None
    basis: str  # "counts", "rates per 10,000", or why it cannot be computed


def _annual(frame: pd.DataFrame, measure: str) -> float | None:
    rows = frame[(frame["measure"] == measure) & frame["value"].notna()]
    if rows.empty:
        return None
    span = (pd.to_datetime(rows["period_end"]) - pd.to_datetime(rows["period_start"])).dt.days
    rows = rows[(span == 0) | (span >= 364)]
    return None if rows.empty else float(rows.iloc[0]["value"])


def conversions(store: Store, area: Area, year: int) -> list[StepConversion]:
    """Each journey step for the area in reporting year ``year``."""
    reg = registry()
    needed = set()
    for c in reg.conversions:
        for mid in (c.from_measure, c.to_measure):
            needed.add(mid)
            rate = reg.rate_for_count(mid)
            if rate:
                needed.add(rate.id)
    frame = with_computed_rates(store, [area.key], sorted(needed), year)
    out = []
    for c in reg.conversions:
        a, b = _annual(frame, c.from_measure), _annual(frame, c.to_measure)
        basis = "counts"
        if a is None or b is None:
            ra, rb = reg.rate_for_count(c.from_measure), reg.rate_for_count(c.to_measure)
            a_rate = _annual(frame, ra.id) if ra else None
            b_rate = _annual(frame, rb.id) if rb else None
            if a_rate is not None and b_rate is not None:
                a, b, basis = a_rate, b_rate, "rates per 10,000"
            else:
                missing = [reg.get(m).label for m, v in ((c.from_measure, a), (c.to_measure, b)) if v is None]
                out.append(StepConversion(c.step, c.label, c.from_measure, c.to_measure, a, b, None,
                                          "not in the store: " + ", ".join(missing)))
                continue
        pct = b / a * 100 if a else None
        out.append(StepConversion(c.step, c.label, c.from_measure, c.to_measure, a, b, pct, basis))
    return out
