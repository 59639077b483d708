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
        columns={
            "value": "population",
            "symbol": "population_symbol",
            "source": "population_source",
            "vintage": "population_vintage",
        }
    )


def round_half_up_array(values: pd.Series, decimals: int | pd.Series) -> pd.Series:
    """Vectorised ``round_half_up``, with one precision for all or one per row; NaN stays NaN.
    The tiny epsilon absorbs binary representation error (302.85 is stored as 302.8499999...)."""
    factor = 10.0 ** (decimals.to_numpy(dtype="float64") if isinstance(decimals, pd.Series) else decimals)
    arr = values.astype("float64").to_numpy()
    out = np.sign(arr) * np.floor(np.abs(arr) * factor + 0.5 + 1e-9) / factor
    return pd.Series(out, index=values.index)


def rate_comparison(store: Store, area_keys: Sequence[str] | None = None, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Every rate per 10,000 the store can compute or has published, side by side.

    One row per (area, rate measure, reporting year) with: count, population (mid-(Y-1)),
    computed (rounded as published), computed_exact, published (latest vintage), difference,
    and ``status``: match, differs, no published rate, no count, no population.
    ``reason`` explains a difference (e.g. counts rounded to the nearest 10).
    """
    key = (
        "rate_comparison",
        tuple(area_keys) if area_keys is not None else None,
        tuple(measures) if measures is not None else None,
    )
    return store.memo(key, lambda: _rate_comparison(store, area_keys, measures))


_COMPARISON_SQL = """
WITH latest AS ({latest}),
pairs AS (SELECT unnest(?::VARCHAR[]) AS rate_id, unnest(?::VARCHAR[]) AS count_id),
rates AS (
    SELECT p.rate_id, l.area_key, l.area_name, l.area_type, l.reporting_year, l.value AS published,
           l.symbol AS published_symbol, l.source AS published_source, l.vintage AS published_vintage
    FROM latest l JOIN pairs p ON l.measure = p.rate_id WHERE l.reporting_year IS NOT NULL),
counts AS (
    SELECT p.rate_id, l.area_key, l.area_name, l.area_type, l.reporting_year, l.value AS count,
           l.symbol AS count_symbol, l.source AS count_source, l.area_code AS count_area_code,
           l.period_start AS count_period_start, l.period_end AS count_period_end
    FROM latest l JOIN pairs p ON l.measure = p.count_id WHERE l.reporting_year IS NOT NULL),
pops AS (
    SELECT area_key, year(period_end) AS mid_year, value AS population, symbol AS population_symbol,
           source AS population_source, vintage AS population_vintage
    FROM latest WHERE measure = '{population}'),
joined AS (
    SELECT coalesce(c.area_key, r.area_key) AS area_key, coalesce(c.rate_id, r.rate_id) AS measure,
           coalesce(c.area_name, r.area_name) AS area_name, coalesce(c.area_type, r.area_type) AS area_type,
           coalesce(c.reporting_year, r.reporting_year) AS reporting_year,
           c.count, c.count_symbol, c.count_source, c.count_area_code, c.count_period_start, c.count_period_end,
           r.published, r.published_symbol, r.published_source, r.published_vintage
    FROM counts c FULL OUTER JOIN rates r
      ON c.rate_id = r.rate_id AND c.area_key = r.area_key AND c.area_name = r.area_name
     AND c.area_type = r.area_type AND c.reporting_year = r.reporting_year)
SELECT j.*, j.reporting_year - 1 AS mid_year,  -- DfE: the mid-(Y-1) estimate
       p.population, p.population_symbol, p.population_source, p.population_vintage
FROM joined j LEFT JOIN pops p ON p.area_key = j.area_key AND p.mid_year = j.reporting_year - 1
ORDER BY measure, area_key, reporting_year
"""


def _rate_comparison(store: Store, area_keys: Sequence[str] | None, measures: Sequence[str] | None) -> pd.DataFrame:
    reg = registry()
    rate_measures = [m for m in reg.rates() if measures is None or m.id in measures]
    if not rate_measures:
        return pd.DataFrame()
    # The joins run in DuckDB (one query for every rate measure); the statuses and reasons below.
    ids = [m.id for m in rate_measures] + [m.rate_of for m in rate_measures] + [POPULATION]
    latest, params = figures.latest_sql(area_keys, ids)
    both = store.query(
        _COMPARISON_SQL.format(latest=latest, population=POPULATION),
        [*params, [m.id for m in rate_measures], [m.rate_of for m in rate_measures]],
    )
    if both.empty:
        return pd.DataFrame()
    for col in ("count_period_start", "count_period_end"):
        both[col] = pd.to_datetime(both[col]).dt.date.where(both[col].notna(), None)
    both["reporting_year"] = both["reporting_year"].astype("Int64")
    both["mid_year"] = both["mid_year"].astype("int64")
    for col in ("count", "published", "population"):
        both[col] = both[col].astype("float64")
    valid = both["population"] > 0
    both["computed_exact"] = (both["count"] / both["population"] * 10_000).where(valid)
    both["computed"] = round_half_up_array(both["computed_exact"], both["measure"].map({m.id: m.decimals for m in rate_measures}))
    both["difference"] = both["published"] - both["computed_exact"]
    tol = both["measure"].map({m.id: rounding_tolerance(m) for m in rate_measures})
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
            np.where(
                both["count_symbol"].notna(),
                "count suppressed (" + both["count_symbol"].fillna("") + ")",
                "no count in the store",
            ),
            "no ONS mid-" + both["mid_year"].astype(str) + " population for this area",
            np.where(
                both["published_symbol"].notna(),
                "published rate suppressed (" + both["published_symbol"].fillna("") + ")",
                "computed only",
            ),
            "",
        ],
        "",
    )
    differs = both["status"] == "differs"
    if differs.any():
        both.loc[differs, "reason"] = [_explain_difference(row, reg.get(row.measure)) for row in both[differs].itertuples()]
    return both


def _explain_difference(row, m: Measure) -> str:
    if row.area_type in ("country", "region"):
        lo = rate_per_10k(row.count - 5, row.population)
        hi = rate_per_10k(row.count + 5, row.population)
        tol = rounding_tolerance(m)
        if lo - tol <= row.published <= hi + tol:
            return (
                "England and regional counts are published rounded to the nearest 10; the published rate uses the unrounded count"
            )
    if row.published_source != row.count_source:
        return "rate and count come from different releases (the rate may use an earlier population estimate)"
    if row.population_source != row.published_source:
        return (
            "the published rate was worked out with another ONS population estimate than the one in the store"
            " (ONS revises its estimates; the rate is kept as DfE published it)"
        )
    return "differs by more than rounding: check the count, the population or the published rate"


def with_computed_rates(
    store: Store,
    area_keys: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    reporting_year: int | None = None,
    *,
    annual: bool = False,
    remember: bool = True,
) -> pd.DataFrame:
    """Latest figures, plus a computed rate wherever a rate is not published but its count and
    population are in the store (``computed`` True, source says how it was made). ``annual``:
    reporting years' figures only (``figures.latest``); computed rates are always annual.

    Remembered until the store changes (``remember``; a caller that remembers what it makes of
    the frame passes False, so a national store's figures are not held twice); callers must not
    modify the frame they get.
    """
    if not remember:
        return _with_computed_rates(store, area_keys, measures, reporting_year, annual)
    key = (
        "with_computed_rates",
        tuple(area_keys) if area_keys is not None else None,
        tuple(measures) if measures is not None else None,
        reporting_year,
        annual,
    )
    return store.memo(key, lambda: _with_computed_rates(store, area_keys, measures, reporting_year, annual))


def _with_computed_rates(
    store: Store,
    area_keys: Sequence[str] | None,
    measures: Sequence[str] | None,
    reporting_year: int | None,
    annual: bool,
) -> pd.DataFrame:
    published = figures.latest(store, area_keys, measures, reporting_year, annual=annual)
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
