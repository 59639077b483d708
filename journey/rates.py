"""Rates per 10,000 children aged 0-17, by DfE's rule, beside the published rates.

rate(Y) = count(Y) / population(mid-(Y-1)) x 10,000, rounded half up to the published
precision (1 dp for CIN, CP, referral, s47 and ICPC rates; whole numbers for CLA rates).
Y is the reporting year (year ending 31 March Y). England and regional counts are rounded to
the nearest 10 before publication, so a national or regional rate recomputed from them can
miss the published one: the published rate is used, and the check says why they differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from journey import figures
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


def round_half_up_array(values: pd.Series, decimals: int) -> pd.Series:
    """Vectorised ``round_half_up``; NaN stays NaN. The tiny epsilon absorbs binary
    representation error (302.85 is stored as 302.8499999...)."""
    factor = 10.0**decimals
    arr = values.astype("float64").to_numpy()
    out = np.sign(arr) * np.floor(np.abs(arr) * factor + 0.5 + 1e-9) / factor
    return pd.Series(out, index=values.index)


def rate_comparison(
    store: Store, area_keys: Sequence[str] | None = None, measures: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every rate per 10,000 the store can compute or has published, side by side.

    One row per (area, rate measure, reporting year) with: count, population (mid-(Y-1)),
    computed (rounded as published), computed_exact, published (latest vintage), difference,
    and ``status``: match, differs, no published rate, no count, no population.
    ``reason`` explains a difference (e.g. counts rounded to the nearest 10).
    """
    key = ("rate_comparison", tuple(area_keys) if area_keys is not None else None,
           tuple(measures) if measures is not None else None)
    return store.memo(key, lambda: _rate_comparison(store, area_keys, measures))


def _rate_comparison(store: Store, area_keys: Sequence[str] | None, measures: Sequence[str] | None) -> pd.DataFrame:
    reg = registry()
    rate_measures = [m for m in reg.rates() if measures is None or m.id in measures]
    if not rate_measures:
        return pd.DataFrame()
    ids = [m.id for m in rate_measures] + [m.rate_of for m in rate_measures]
    obs = figures.latest(store, area_keys, ids)
    obs = obs[obs["reporting_year"].notna()]
    pops = populations(store, area_keys)
    keys = ["area_key", "area_name", "area_type", "reporting_year"]
    out = []
    for m in rate_measures:
        rates = obs.loc[obs["measure"] == m.id, [*keys, "value", "symbol", "source", "vintage"]].rename(
            columns={"value": "published", "symbol": "published_symbol", "source": "published_source",
                     "vintage": "published_vintage"})
        counts = obs.loc[obs["measure"] == m.rate_of,
                         [*keys, "value", "symbol", "source", "area_code", "period_start", "period_end"]].rename(
            columns={"value": "count", "symbol": "count_symbol", "source": "count_source",
                     "area_code": "count_area_code", "period_start": "count_period_start",
                     "period_end": "count_period_end"})
        both = counts.merge(rates, on=keys, how="outer")
        if both.empty:
            continue
        both["mid_year"] = both["reporting_year"].astype(int) - 1  # DfE: mid-(Y-1) estimate
        both = both.merge(pops, on=["area_key", "mid_year"], how="left")
        both.insert(1, "measure", m.id)
        valid = both["population"] > 0
        both["computed_exact"] = (both["count"] / both["population"] * 10_000).where(valid)
        both["computed"] = round_half_up_array(both["computed_exact"], m.decimals)
        both["difference"] = both["published"] - both["computed_exact"]
        tol = rounding_tolerance(m)
        conditions = [
            both["count"].isna(),
            both["population"].isna(),
            both["published"].isna(),
            both["difference"].abs() <= tol,
        ]
        both["status"] = np.select(conditions, ["no count", "no population", "no published rate", "match"], "differs")
        both["reason"] = np.select(
            conditions,
            [
                np.where(both["count_symbol"].notna(), "count suppressed (" + both["count_symbol"].fillna("") + ")",
                         "no count in the store"),
                "no ONS mid-" + both["mid_year"].astype(str) + " population for this area",
                np.where(both["published_symbol"].notna(),
                         "published rate suppressed (" + both["published_symbol"].fillna("") + ")", "computed only"),
                "",
            ],
            "",
        )
        differs = both["status"] == "differs"
        if differs.any():
            both.loc[differs, "reason"] = [_explain_difference(row, m) for row in both[differs].itertuples()]
        out.append(both)
    if not out:
        return pd.DataFrame()
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
    population are in the store (``computed`` True, source says how it was made).

    Remembered until the store changes; callers must not modify the frame they get.
    """
    key = ("with_computed_rates", tuple(area_keys) if area_keys is not None else None,
           tuple(measures) if measures is not None else None, reporting_year)
    return store.memo(key, lambda: _with_computed_rates(store, area_keys, measures, reporting_year))


def _with_computed_rates(
    store: Store, area_keys: Sequence[str] | None, measures: Sequence[str] | None, reporting_year: int | None
) -> pd.DataFrame:
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
    extra = pd.DataFrame(
        {
            "obs_id": pd.NA,
            "area_key": comp["area_key"],
            "area_code": comp["count_area_code"],
            "area_name": comp["area_name"],
            "area_type": comp["area_type"],
            "measure": comp["measure"],
            "period_start": comp["count_period_start"],
            "period_end": comp["count_period_end"],
            "reporting_year": comp["reporting_year"].astype("Int64"),
            "value": comp["computed"].astype("float64"),
            "symbol": None,
            "source": COMPUTED_SOURCE,
            "vintage": comp["population_vintage"],
            "note": "mid-" + comp["mid_year"].astype(str) + " population " + comp["population"].map("{:,.0f}".format),
            "import_id": pd.NA,
            "n_rows": 0,
            "computed": True,
        }
    )
    return pd.concat([published, extra], ignore_index=True)
