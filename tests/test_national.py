"""The shipped national dataset against DfE's and LAIT's own files (../shared/samples).

Expected values are worked out here from the raw published files (DfE's rule in exact decimal
arithmetic, LAIT's values as LAIT prints them), never read back from the dashboard's code.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from conftest import PROJECT, SHARED, shipped_figures
from journey.benchmarks import benchmark
from journey.lait_dictionary import read_dictionary

DFE = SHARED / "samples" / "dfe"
LAIT = SHARED / "samples" / "lait"
needs_samples = pytest.mark.skipif(not (DFE.exists() and LAIT.exists()), reason="../shared/samples is not beside the project")


def _dfe_rate(count: str, population: str) -> float:
    """DfE's rule in exact arithmetic: count / population x 10,000, half up to 1 dp."""
    return float((Decimal(count) / Decimal(population) * 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def lait() -> pd.DataFrame:
    return pd.read_parquet(LAIT / "bds_long_0.parquet")


@pytest.fixture(scope="module")
def current_las(store) -> pd.DataFrame:
    return store.query("SELECT code, name, old_la_code, area_key, region_code FROM areas WHERE type = 'LA' AND last_year >= 2025")


@needs_samples
def test_every_la_2025_cin_rate_is_dfe_count_over_ons_population(store, current_las):
    b1 = pd.read_csv(DFE / "b1_children_in_need_2013_to_2025.csv", dtype=str, keep_default_na=False)
    ons = pd.read_csv(DFE / "ons_mid-year_population_estimates_2012_to_2024.csv", dtype=str, keep_default_na=False)
    counts = b1[(b1["time_period"] == "2025") & (b1["geographic_level"] == "Local authority")].set_index("old_la_code")
    pops = ons[
        (ons["time_period"] == "2024")
        & (ons["geographic_level"] == "Local authority")
        & (ons["age_group"] == "Children aged 0 to 17 years")
    ].set_index("old_la_code")
    checked = 0
    for key in current_las["area_key"]:
        count, pop = counts.loc[key, "At31_episodes"], pops.loc[key, "population_estimate"]
        b = benchmark(store, key, "cin_rate_per_10k", 2025)
        if not count.isdigit():  # suppressed: no rate, and the symbol is kept
            assert b.value is None and b.symbol == count
            continue
        assert b.value == pytest.approx(_dfe_rate(count, pop), abs=1e-9), key
        checked += 1
    assert checked >= 150


@needs_samples
def test_every_current_la_region_and_england_has_its_headline_figures(store, current_las):
    assert len(current_las) == 153
    have = store.query(
        """SELECT a.area_key, o.measure FROM observations o JOIN areas a ON a.code = o.area_code
           WHERE o.reporting_year = 2025 AND o.value IS NOT NULL
             AND o.measure IN ('cin_rate_per_10k', 'cp_rate_per_10k', 'cla_rate_per_10k', 'referral_rate_per_10k')
           GROUP BY ALL"""
    )
    held = have.groupby("area_key")["measure"].nunique()
    missing = [k for k in current_las["area_key"] if held.get(k, 0) < 4 and k not in ("420", "201")]  # Scilly, City: suppressed
    assert missing == []
    regions = store.query("SELECT code FROM areas WHERE type IN ('region', 'country')")["code"]
    assert len(regions) == 12  # nine regions, Inner and Outer London, England
    for code in regions:
        assert held.get(code, 0) == 4, code


@needs_samples
def test_leeds_is_benchmarked_against_england_yorkshire_and_its_neighbours(store):
    b = benchmark(store, "383", "cp_rate_per_10k", 2025)
    assert b.england is not None and b.england.value is not None
    assert b.region is not None and b.region.name == "Yorkshire and The Humber" and b.region.value is not None
    assert b.sn is not None and b.sn.n == 10 and b.sn_mean.value is not None


@needs_samples
def test_national_rank_is_out_of_the_las_lait_ranks(store, lait):
    """Re-referrals 2025: the dashboard ranks the same LAs LAIT does (those with a figure)."""
    rows = lait[(lait["Short Desc"] == "ReReferral") & (lait["Years"] == "2025")]
    las = store.query("SELECT old_la_code FROM areas WHERE type = 'LA' AND last_year >= 2025")["old_la_code"]
    with_figure = rows[rows["LA Number"].astype("Int64").astype(str).isin(set(las)) & (rows["Values"].str.strip() != "-")]
    b = benchmark(store, "383", "re_referrals_within_12m_pct", 2025)
    assert b.ranking is not None and b.ranking.of == len(with_figure)
    assert b.ranking.of in (151, 152, 153)


@needs_samples
def test_lait_figures_equal_lait_and_carry_its_release(store, lait):
    got = store.query(
        """SELECT o.value, o.symbol, o.vintage FROM observations o JOIN areas a ON a.code = o.area_code
           WHERE a.area_key = '383' AND o.measure = 'cla_3plus_placements_pct' AND o.reporting_year = 2024 AND o.source LIKE '%LAIT%'"""
    )
    raw = lait[(lait["Short Desc"] == "LACStable_2016on") & (lait["Years"] == "2024") & (lait["LA Number"] == 383)]
    assert len(got) == 1 and got["value"].iloc[0] == pytest.approx(float(raw["Values"].iloc[0]))
    dictionary = {r["Measure_short"]: r for r in read_dictionary(LAIT / "lait_data_dictionary.csv")}
    day = dt.date(1899, 12, 30) + dt.timedelta(days=int(dictionary["LACStable_2016on"]["Last Update"]))
    assert got["vintage"].iloc[0] == f"{day.year}-{day.month:02d}"


@needs_samples
def test_former_las_keep_their_years_only(store):
    years = store.query(
        """SELECT DISTINCT o.reporting_year y FROM observations o JOIN areas a ON a.code = o.area_code
           WHERE a.old_la_code = '928' AND o.measure = 'cin_rate_per_10k' AND o.symbol IS DISTINCT FROM '-' ORDER BY y"""
    )["y"].tolist()
    assert years and max(years) <= 2021 and min(years) <= 2016  # Northamptonshire, split in 2021: no LAIT '-' after
    lait_marks = store.query(
        """SELECT count(*) FROM observations o JOIN areas a ON a.code = o.area_code
           WHERE a.old_la_code = '928' AND o.symbol = '-' AND o.reporting_year > 2021"""
    ).iloc[0, 0]
    assert lait_marks == 0
    cumbria = store.query(
        """SELECT max(o.reporting_year) FROM observations o JOIN areas a ON a.code = o.area_code
           WHERE a.old_la_code = '909' AND o.value IS NOT NULL"""
    ).iloc[0, 0]
    assert cumbria == 2023


def test_board_report_figures_ship_beside_the_national_ones(store):
    board = pd.read_csv(PROJECT / "data" / "board_report_figures.csv", dtype=str, keep_default_na=False)
    sources = set(board["source"])
    stored = set(store.query("SELECT DISTINCT source FROM observations")["source"])
    assert sources <= stored
    assert any("Worcestershire Safeguarding Children Board" in s for s in sources)
    assert any("Herefordshire Safeguarding Children Board" in s for s in sources)


def test_every_shipped_figure_has_source_vintage_and_value_or_symbol():
    f = shipped_figures()
    assert len(f) > 200_000
    assert f["source"].notna().all() and (f["source"] != "").all() and f["vintage"].notna().all()
    assert (f["value"].notna() | f["symbol"].notna()).all()
    assert not (f["value"].notna() & f["symbol"].notna()).any()


@needs_samples
def test_refresh_default_reproduces_the_shipped_dataset(tmp_path):
    """The maintainer's command, run on the same public files, gives the same figures."""
    import shutil

    from journey.refresh import NATIONAL_COLUMNS, refresh_default

    source = tmp_path / "release"
    for folder in ("dfe", "dfe_more", "lait"):
        shutil.copytree(SHARED / "samples" / folder, source / folder)
    out = tmp_path / "data"
    out.mkdir()
    refresh_default(source, data_dir=out, log=lambda _: None)
    rebuilt = pd.read_parquet(out / "national_figures.parquet")[NATIONAL_COLUMNS]
    shipped = pd.read_parquet(PROJECT / "data" / "national_figures.parquet")[NATIONAL_COLUMNS]
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), shipped.reset_index(drop=True))
    assert (out / "measures.csv").read_text(encoding="utf-8") == (PROJECT / "data" / "measures.csv").read_text(encoding="utf-8")


def test_leeds_overview_shows_england_its_region_neighbours_and_ofsted(default_db, monkeypatch):
    """A new user picks Leeds: every national stage tile has its figure and the three comparators."""
    from streamlit.testing.v1 import AppTest

    from journey.build import open_store
    from journey.inspections import latest_inspection

    monkeypatch.setenv("JOURNEY_DB", str(default_db))
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.query_params.update({"la": "Leeds"})
    at.run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    for stage_tile in (
        "Referrals per 10k",
        "Children in need per 10k",
        "Child protection plans per 10k",
        "Children looked after per 10k",
    ):
        assert stage_tile in text
    assert text.count("England **") >= 6 and text.count("Yorkshire and The Humber **") >= 6
    assert text.count("SN mean **") >= 6
    s = open_store(default_db)
    try:
        cp = benchmark(s, "383", "cp_rate_per_10k", 2025)
        ofsted = latest_inspection(s, "383")
    finally:
        s.close()
    assert f"{cp.england.value:.1f}" in text and f"{cp.region.value:.1f}" in text
    assert ofsted is not None and ofsted.words in " ".join(b.value for b in at.get("badge")) + text
