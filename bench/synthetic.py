"""Seeded synthetic data for benchmarks and load tests: the same numbers on every run.

- ``tidy_csv(rows)``: an upload in the project's template (area, measure, period, value), every
  current LA x 18 counts x the months (and quarters) of 2000-2025, for import timings and crash
  tests.
- ``national_rows()``: store (b), about 100,000 observations shaped like DfE's files: every LA
  in England (and every region and England) x reporting years 2013-2025 x every measure in the
  registry, with 2% of LA figures suppressed (symbol ``c``, no value) as DfE does.
- ``monthly_rows(n)``: store (c), ``n`` observations (1,000,000 by default) of monthly local
  series for the 153 current LAs, as months of local scorecards.
- ``make_store(path, kind)`` writes the default data plus (b) or (c) into a new database, in
  one transaction per batch through the store's own writer.

Values come from a per-(area, measure) base drawn from ``random.Random(seed)`` and a small
random walk over time, inside ranges that suit the unit (percentages 0-100, rates per 10,000
10-900, counts 5-6,000), so distributions, ranks and XmR limits look like real ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import numpy as np
import pandas as pd

COUNTS = [
    "referrals",
    "contacts",
    "cp_plans",
    "cla_count",
    "cin_count",
    "early_help_assessments",
    "s47_enquiries",
    "icpc",
    "cin_started",
    "cp_plans_started",
    "cla_started",
    "cla_ceased",
    "cp_category_neglect_count",
    "uasc_count",
    "lado_allegations",
    "private_fostering_notifications",
    "early_help_notifications",
    "assessments_completed",
]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def current_las() -> pd.DataFrame:
    """The LAs DfE publishes for 2025 (code, name), from data/areas.csv."""
    from journey.build import read_areas

    areas = read_areas()
    return areas[(areas["type"] == "LA") & (areas["last_year"] == 2025)][["code", "name"]].reset_index(drop=True)


def tidy_csv(rows: int, seed: int = 1) -> bytes:
    """A tidy template CSV of up to 1,058,148 figures: every current LA x 18 counts x the months
    of 2000-2025 (the years a period may end in start in 2000), and the quarters of 2000-01 to
    2024-25 for the counts of children starting or leaving (a quarter of a stock would be the
    same snapshot as its last month); values from a seeded generator (the same file every run)."""
    from journey.registry import registry

    las = current_las()["name"].tolist()
    months = [f"{m}-{y}" for y in range(2000, 2026) for m in MONTHS]
    quarters = [f"Q{q} {y}-{str(y + 1)[2:]}" for y in range(2000, 2025) for q in (1, 2, 3, 4)]
    periods = {m: months if registry().get(m).snapshot else months + quarters for m in COUNTS}
    rng = random.Random(seed)
    lines = ["area,measure,period,value"]
    every = ((la, measure, period) for la in las for measure in COUNTS for period in periods[measure])
    for la, measure, period in itertools.islice(every, rows):
        lines.append(f'"{la}",{measure},{period},{rng.randint(0, 5000)}')
    return ("\n".join(lines) + "\n").encode()


def _range(kind: str) -> tuple[float, float]:
    return {"percent": (20.0, 95.0), "rate": (10.0, 900.0)}.get(kind, (5.0, 6000.0))


def _series(rng: np.random.Generator, n_series: int, n_steps: int, kind: str) -> np.ndarray:
    """``n_series`` random walks of ``n_steps`` values inside the unit's range."""
    low, high = _range(kind)
    base = rng.uniform(low, high, size=(n_series, 1))
    steps = rng.normal(0, 0.04, size=(n_series, n_steps)).cumsum(axis=1)
    return np.clip(base * (1 + steps), low * 0.5, high * 1.2 if kind != "percent" else 100.0)


def national_rows(seed: int = 7) -> pd.DataFrame:
    """Store (b): every area x 2013-2025 x every measure, as observation rows."""
    from journey.build import read_areas
    from journey.registry import registry

    rng = np.random.default_rng(seed)
    areas = read_areas()
    areas = areas[areas["type"].isin(["LA", "region", "country"]) & (areas["last_year"].fillna(2025) >= 2013)]
    years = list(range(2013, 2026))
    frames = []
    for m in registry():
        if m.id == "population_0_17":
            continue  # the real ONS populations stay, so computed rates stay meaningful
        values = _series(rng, len(areas), len(years), m.kind).round(m.decimals)
        ends = [dt.date(y, 3, 31) for y in years]
        starts = ends if m.snapshot else [dt.date(y - 1, 4, 1) for y in years]
        frame = pd.DataFrame(
            {
                "area_code": np.repeat(areas["code"].to_numpy(), len(years)),
                "measure": m.id,
                "period_start": np.tile(starts, len(areas)),
                "period_end": np.tile(ends, len(areas)),
                "reporting_year": np.tile(years, len(areas)),
                "value": values.ravel(),
            }
        )
        is_la = np.repeat((areas["type"] == "LA").to_numpy(), len(years))
        suppressed = is_la & (rng.random(len(frame)) < 0.02)
        frame.loc[suppressed, "value"] = np.nan
        frame["symbol"] = np.where(suppressed, "c", None)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["source"] = "Synthetic national dataset (seeded)"
    out["vintage"] = "2026-01"
    out["note"] = None
    return out


def monthly_rows(n: int = 1_000_000, seed: int = 11) -> pd.DataFrame:
    """Store (c): ``n`` monthly local figures for the 153 current LAs (month-end snapshots and
    monthly counts, January 2010 onwards)."""
    from journey.registry import registry

    rng = np.random.default_rng(seed)
    las = current_las()["code"].to_numpy()
    measures = [m for m in registry() if m.id != "population_0_17"]
    months = n // (len(las) * len(measures)) + 1
    starts = pd.date_range("2010-01-01", periods=months, freq="MS")
    ends = starts + pd.offsets.MonthEnd(0)
    frames = []
    for m in measures:
        values = _series(rng, len(las), months, m.kind).round(m.decimals)
        frames.append(
            pd.DataFrame(
                {
                    "area_code": np.repeat(las, months),
                    "measure": m.id,
                    "period_start": np.tile((ends if m.snapshot else starts).date, len(las)),
                    "period_end": np.tile(ends.date, len(las)),
                    "value": values.ravel(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True).iloc[:n].copy()
    ends_ts = pd.to_datetime(out["period_end"])
    snap = out["period_start"] == out["period_end"]
    out["reporting_year"] = np.where(snap & (ends_ts.dt.month == 3), ends_ts.dt.year, None)
    out["symbol"] = None
    out["source"] = "Synthetic monthly scorecards (seeded)"
    out["vintage"] = "2026-01"
    out["note"] = None
    return out


def make_store(path: Path, kind: str, *, rows: int = 1_000_000) -> int:
    """A new database at ``path`` with the default data plus the synthetic rows of ``kind``
    ('national' or 'monthly'); returns how many synthetic observations it holds."""
    from journey.build import open_store
    from journey.store import Store

    data = national_rows() if kind == "national" else monthly_rows(rows)
    store = open_store(path, load_default=True)
    try:
        for start in range(0, len(data), 250_000):
            with store.transaction() as con:
                import_id = Store.new_import(con, "cli", label=f"Synthetic {kind} data", file_name=f"synthetic_{kind}")
                Store.insert_observations(con, import_id, data.iloc[start : start + 250_000])
    finally:
        store.close()
    return len(data)
