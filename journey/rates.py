"""Rates per 10,000 children aged 0-17, by DfE's rule, beside the published rates.

rate(Y) = count(Y) / population(mid-(Y-1)) x 10,000, rounded half up to the published
precision (1 dp for CIN, CP, referral, s47 and ICPC rates; whole numbers for CLA rates).
Y is the reporting year (year ending 31 March Y). England and regional counts are rounded to
the nearest 10 before publication, so a national or regional rate recomputed from them can
miss the published one: the published rate is used, and the check says why they differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from journey import figures
from journey.periods import population_mid_year
from journey.registry import Measure, registry, round_half_up
from journey.store import Store

COMPUTED_SOURCE = "Computed: count / ONS mid-(Y-1) population aged 0-17 x 10,000"
POPULATION = "population_0_17"


def rate_per_10k(count: float | None, population: float | None, decimals: int | None = None) -> float | None:
    """count / population x 10,000, rounded half up to ``decimals`` when given; None if either is missing."""
    if count is None or population is None or pd.isna(count) or pd.isna(population) or population <= 0:
        return None
    exact = float(count) / float(population) * 10_000
    return exact if decimals is None else round_half_up(exact, decimals)


def rounding_tolerance(measure: Measure) -> float:
    """Half a unit of the last published decimal place: the most rounding can move a figure."""
    return 0.5 * 10 ** (-measure.decimals) + 1e-9


def populations(store: Store, area_keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Latest 0-17 population per area and mid-year: area_key, mid_year, population, source, vintage."""
    pops = figures.latest(store, area_keys, [POPULATION])
    pops = pops.assign(mid_year=pd.to_datetime(pops["period_end"]).dt.year)
    return pops[["area_key", "mid_year", "value", "symbol", "source", "vintage"]].rename(
        columns={"value": "population", "symbol": "population_symbol", "source": "population_source",
                 "vintage": "population_vintage"}
    )


def rate_comparison(
    store: Store, area_keys: Sequence[str] | None = None, measures: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every rate per 10,000 the store can compute or has published, side by side.

    One row per (area, rate measure, reporting year) with: count, population (mid-(Y-1)),
    computed (rounded as published), computed_exact, published (latest vintage), difference,
    and ``status``: match, differs, no published rate, no count, no population.
    ``reason`` explains a difference (e.g. counts rounded to the nearest 10).
    """
    reg = registry()
    rate_measures = [m for m in reg.rates() if measures is None or m.id in measures]
    if not rate_measures:
        return pd.DataFrame()
    ids = [m.id for m in rate_measures] + [m.rate_of for m in rate_measures]
    obs = figures.latest(store, area_keys, ids)
    obs = obs[obs["reporting_year"].notna()]
    pops = populations(store, area_keys)
    out = []
    for m in rate_measures:
        rates = obs[obs["measure"] == m.id][["area_key", "area_name", "area_type", "reporting_year", "value", "symbol", "source", "vintage"]]
        rates = rates.rename(columns={"value": "published", "symbol": "published_symbol", "source": "published_source", "vintage": "published_vintage"})
        counts = obs[obs["measure"] == m.rate_of][["area_key", "area_name", "area_type", "reporting_year", "value", "symbol", "source"]]
        counts = counts.rename(columns={"value": "count", "symbol": "count_symbol", "source": "count_source"})
        both = counts.merge(rates, on=["area_key", "area_name", "area_type", "reporting_year"], how="outer")
        both["mid_year"] = both["reporting_year"].astype(int).map(population_mid_year)
        both = both.merge(pops, on=["area_key", "mid_year"], how="left")
        both.insert(1, "measure", m.id)
        both["computed_exact"] = [rate_per_10k(c, p) for c, p in zip(both["count"], both["population"])]
        both["computed"] = [round_half_up(x, m.decimals) for x in both["computed_exact"]]
        both["difference"] = both["published"] - both["computed_exact"]
        tol = rounding_tolerance(m)
        status, reason = [], []
        for row in both.itertuples():
            if pd.isna(row.count):
                status.append("no count")
                reason.append(f"count suppressed ({row.count_symbol})" if isinstance(row.count_symbol, str) else "no count in the store")
            elif pd.isna(row.population):
                status.append("no population")
                reason.append(f"no ONS mid-{row.mid_year} population for this area")
            elif pd.isna(row.published):
                status.append("no published rate")
                reason.append("computed only" if not isinstance(row.published_symbol, str) else f"published rate suppressed ({row.published_symbol})")
            elif abs(row.difference) <= tol:
                status.append("match")
                reason.append("")
            else:
                status.append("differs")
                reason.append(_explain_difference(row, m))
        both["status"] = status
        both["reason"] = reason
        out.append(both)
    result = pd.concat(out, ignore_index=True)
    return result.sort_values(["measure", "area_key", "reporting_year"]).reset_index(drop=True)


def _explain_difference(row, m: Measure) -> str:
    if row.area_type in ("country", "region"):
        lo = rate_per_10k(row.count - 5, row.population)
        hi = rate_per_10k(row.count + 5, row.population)
        tol = rounding_tolerance(m)
        if lo - tol <= row.published <= hi + tol:
            return "England and regional counts are published rounded to the nearest 10; the published rate uses the unrounded count"
    if row.published_source != row.count_source:
        return "rate and count come from different releases (the rate may use an earlier population estimate)"
    return "differs by more than rounding: check the count, the population or the published rate"


def with_computed_rates(
    store: Store,
    area_keys: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    reporting_year: int | None = None,
) -> pd.DataFrame:
    """Latest figures, plus a computed rate wherever a rate is not published but its count and
    population are in the store (``computed`` True, source says how it was made)."""
    published = figures.latest(store, area_keys, measures, reporting_year)
    published["computed"] = False
    rate_ids = [m.id for m in registry().rates() if measures is None or m.id in measures]
    if not rate_ids:
        return published
    comp = rate_comparison(store, area_keys, rate_ids)
    if comp.empty:
        return published
    comp = comp[(comp["status"] == "no published rate") & comp["computed"].notna() & comp["published_symbol"].isna()]
    if reporting_year is not None:
        comp = comp[comp["reporting_year"] == reporting_year]
    if comp.empty:
        return published
    counts = figures.latest(store, area_keys, list({registry().get(m).rate_of for m in comp["measure"]}), reporting_year)
    counts = counts.rename(columns={"measure": "count_measure"})[
        ["area_key", "area_code", "count_measure", "reporting_year", "period_start", "period_end"]
    ]
    comp = comp.assign(count_measure=comp["measure"].map(lambda x: registry().get(x).rate_of))
    comp = comp.merge(counts, on=["area_key", "count_measure", "reporting_year"], how="inner")
    extra = pd.DataFrame(
        {
            "obs_id": pd.NA,
            "area_key": comp["area_key"],
            "area_code": comp["area_code"],
            "area_name": comp["area_name"],
            "area_type": comp["area_type"],
            "measure": comp["measure"],
            "period_start": comp["period_start"],
            "period_end": comp["period_end"],
            "reporting_year": comp["reporting_year"].astype("Int64"),
            "value": comp["computed"].astype("float64"),
            "symbol": None,
            "source": COMPUTED_SOURCE,
            "vintage": comp["population_vintage"],
            "note": "mid-" + comp["mid_year"].astype(str) + " population " + comp["population"].map(lambda p: f"{p:,.0f}"),
            "import_id": pd.NA,
            "n_rows": 0,
            "computed": True,
        }
    )
    return pd.concat([published, extra], ignore_index=True)
