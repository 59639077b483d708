"""Consistency checks over a store: what ``python -m journey check`` reports.

- rates: computed rate per 10,000 against the published rate, where they differ by more than
  rounding, with the reason;
- conflicts: one figure given by several rows that disagree: values different beyond the
  measure's published precision, a value against a symbol, or two different symbols
  (``figures.conflicts``; rows that agree are one figure, not a conflict);
- missing populations: counts whose rate cannot be computed for lack of the mid-(Y-1)
  population;
- integrity: rows whose area or measure the store does not know. Only these make the store
  unhealthy: the others are facts about the data to read, not faults.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from journey import figures
from journey.rates import rate_comparison
from journey.registry import registry
from journey.store import Store


@dataclass
class CheckReport:
    rate_differences: pd.DataFrame
    rates_matched: int
    conflicts: pd.DataFrame
    missing_populations: pd.DataFrame
    integrity_errors: list[str]

    @property
    def conflict_figures(self) -> int:
        """How many figures (area, measure, period) are in conflict; ``conflicts`` has every row."""
        if self.conflicts.empty:
            return 0
        return int(self.conflicts.groupby(figures.FIGURE_KEY, dropna=False).ngroups)

    @property
    def ok(self) -> bool:
        return not self.integrity_errors


def run_checks(store: Store) -> CheckReport:
    """Every check over the store's figures (see the module docstring)."""
    comp = rate_comparison(store)
    differs = comp[comp["status"] == "differs"] if not comp.empty else comp
    nopop = comp[comp["status"] == "no population"] if not comp.empty else comp
    errors = []
    unknown_areas = store.query("SELECT DISTINCT area_code FROM observations WHERE area_code NOT IN (SELECT code FROM areas)")[
        "area_code"
    ].tolist()
    if unknown_areas:
        errors.append(f"observations for areas not in the area list: {', '.join(unknown_areas)}")
    measures = store.query("SELECT DISTINCT measure FROM observations")["measure"].tolist()
    unknown_measures = sorted(set(measures) - set(registry().ids()))
    if unknown_measures:
        errors.append(f"observations for measures not in the registry: {', '.join(unknown_measures)}")
    orphans = store.scalar("SELECT count(*) FROM observations WHERE import_id NOT IN (SELECT import_id FROM imports)")
    if orphans:
        errors.append(f"{orphans} observations belong to no recorded import")
    return CheckReport(
        rate_differences=differs.reset_index(drop=True),
        rates_matched=int((comp["status"] == "match").sum()) if not comp.empty else 0,
        conflicts=figures.conflicts(store),
        missing_populations=nopop.reset_index(drop=True),
        integrity_errors=errors,
    )
