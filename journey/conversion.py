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

from journey.areas import Area
from journey.benchmarks import year_lookup
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


def conversions(store: Store, area: Area, year: int) -> list[StepConversion]:
    """Each journey step for the area in reporting year ``year``."""
    reg = registry()

    def value(measure_id: str | None) -> float | None:
        if measure_id is None:
            return None
        fig = year_lookup(store, measure_id).get(year, {}).get(area.key)
        return fig.value if fig else None

    out = []
    for c in reg.conversions:
        a, b = value(c.from_measure), value(c.to_measure)
        basis = "counts"
        if a is None or b is None:
            ra, rb = reg.rate_for_count(c.from_measure), reg.rate_for_count(c.to_measure)
            a_rate, b_rate = value(ra.id if ra else None), value(rb.id if rb else None)
            if a_rate is not None and b_rate is not None:
                a, b, basis = a_rate, b_rate, "rates per 10,000"
            else:
                missing = [reg.get(m).label for m, v in ((c.from_measure, a), (c.to_measure, b)) if v is None]
                out.append(
                    StepConversion(
                        c.step, c.label, c.from_measure, c.to_measure, a, b, None, "not in the store: " + ", ".join(missing)
                    )
                )
                continue
        pct = b / a * 100 if a else None
        out.append(StepConversion(c.step, c.label, c.from_measure, c.to_measure, a, b, pct, basis))
    return out
