"""Benchmarks against England, region and statistical neighbours; direction, rank, RAG."""

import statistics

import pandas as pd
import pytest

from journey import benchmarks as bm
from journey.areas import find_area
from journey.registry import registry
from journey.store import Store

# Worcestershire's 2025-model neighbours and their 2025 values, read from the published figures.
SN_2025 = [
    "Somerset",
    "Gloucestershire",
    "Dorset",
    "Warwickshire",
    "Shropshire",
    "West Sussex",
    "Devon",
    "Derbyshire",
    "Essex",
    "North Yorkshire",
]
HAND = {
    "cin_rate_per_10k": [301.9, 311.0, 324.2, 280.3, 367.2, 303.7, 258.9, 347.8, 178.1, 314.8],
    "cp_rate_per_10k": [27.7, 30.3, 41.4, 25.9, 28.8, 34.7, 39.0, 46.7, 21.2, 54.7],
    "cla_rate_per_10k": [55, 57, 65, 56, 119, 54, 57, 66, 35, 48],
}


@pytest.mark.parametrize("measure", list(HAND))
def test_sn_mean_and_median_2025_equal_hand_calculation(store, measure):
    values = HAND[measure]
    hand_mean = sum(values) / len(values)
    ordered = sorted(values)
    hand_median = (ordered[4] + ordered[5]) / 2
    la = find_area(store, "Worcestershire")
    sn = bm.sn_stats(store, la, measure, 2025, model=2025)
    assert [n.name for n in sn.used] == SN_2025
    assert sn.mean == pytest.approx(hand_mean)
    assert sn.median == pytest.approx(hand_median)
    assert sn.n == 10 and not sn.missing


def test_sn_values_by_hand_for_cp_rate():
    # The hand calculation itself, written out: mean 350.4 / 10, median of 30.3 and 34.7.
    assert sum(HAND["cp_rate_per_10k"]) == pytest.approx(350.4)
    assert statistics.median(HAND["cp_rate_per_10k"]) == pytest.approx(32.5)


def test_missing_neighbour_is_excluded_and_reported(fresh_store):
    # A later release suppresses Essex's 2025 CP rate: Essex drops out of the mean and is listed.
    rows = pd.DataFrame(
        [
            {
                "area_code": "E10000012",
                "measure": "cp_rate_per_10k",
                "period_start": "2025-03-31",
                "period_end": "2025-03-31",
                "reporting_year": 2025,
                "value": None,
                "symbol": "c",
                "source": "Test release",
                "vintage": "2026-09",
                "note": None,
            }
        ]
    )
    with fresh_store.transaction() as con:
        iid = Store.new_import(con, "test", label="suppress Essex")
        Store.insert_observations(con, iid, rows)
    la = find_area(fresh_store, "885")
    b = bm.benchmark(fresh_store, la, "cp_rate_per_10k", 2025, model=2025)
    without = [v for name, v in zip(SN_2025, HAND["cp_rate_per_10k"]) if name != "Essex"]
    assert b.sn.n == 9 and b.sn.of == 10
    assert b.sn.mean == pytest.approx(sum(without) / 9)
    assert b.sn.median == pytest.approx(sorted(without)[4])
    assert [(n.name, n.value, n.symbol) for n in b.sn.missing] == [("Essex", None, "c")]
    assert any("Essex (c)" in note for note in b.notes)


def test_neighbour_not_yet_existing_is_excluded(store):
    # 2025-model neighbour Dorset (838) was created in 2019: no 2013 figure, so 9 of 10 are used.
    sn = bm.sn_stats(store, find_area(store, "885"), "cp_rate_per_10k", 2013, model=2025)
    assert sn.n == 9
    assert [n.name for n in sn.missing] == ["Dorset"]


def test_benchmark_worcestershire_cp_rate_2025(store):
    b = bm.benchmark(store, "Worcestershire", "cp_rate_per_10k", 2025)
    assert (b.value, b.previous) == (43.5, 49.8)
    assert b.movement == "down"
    assert b.judgement is None  # neutral measure: never better or worse
    assert b.england.value == 40.6
    assert b.england.difference == pytest.approx(2.9)
    assert b.england.pct_difference == pytest.approx(2.9 / 40.6 * 100)
    assert b.region.name == "West Midlands" and b.region.value == 40.3
    assert b.sn_mean.value == pytest.approx(35.04)
    assert b.ranking is None  # no rank for neutral measures
    assert b.source.startswith("DfE, Local Authority Interactive Tool")


def test_benchmark_polarity_rank_and_quartile(store):
    b = bm.benchmark(store, "885", "assessments_within_45_days_pct", 2025)
    assert b.value == 88.6 and b.previous == 92.6
    assert b.judgement == "worse"  # polarity high, went down
    frame = bm.year_figures(store, "assessments_within_45_days_pct", 2025)
    las = frame[(frame["area_type"] == "LA") & frame["value"].notna()]
    assert b.ranking.of == len(las)
    assert b.ranking.rank == int((las["value"] > 88.6).sum()) + 1
    assert b.ranking.band == "ABCD"[min(3, (b.ranking.rank - 1) * 4 // b.ranking.of)]
    assert "of 153 LAs" in b.ranking.coverage


def test_direction_and_judgement_by_polarity():
    reg = registry()
    assert bm.judge(reg.get("re_referrals_within_12m_pct"), "down") == "better"
    assert bm.judge(reg.get("re_referrals_within_12m_pct"), "up") == "worse"
    assert bm.judge(reg.get("care_leavers_eet_pct"), "up") == "better"
    for neutral in ("cin_rate_per_10k", "cp_rate_per_10k", "cla_rate_per_10k"):
        assert bm.judge(reg.get(neutral), "up") is None
        assert bm.judge(reg.get(neutral), "down") is None
    assert bm.movement(1.0, 1.0) == "same"
    assert bm.movement(None, 1.0) is None


def test_rag_with_target_and_tolerance():
    reg = registry()
    high = reg.get("assessments_within_45_days_pct")
    assert bm.rag(high, 95.0, 95.0, 5) == "green"
    assert bm.rag(high, 91.0, 95.0, 5) == "amber"
    assert bm.rag(high, 89.9, 95.0, 5) == "red"
    low = reg.get("re_referrals_within_12m_pct")
    assert bm.rag(low, 18.0, 20.0, 2) == "green"
    assert bm.rag(low, 21.5, 20.0, 2) == "amber"
    assert bm.rag(low, 22.5, 20.0, 2) == "red"
    assert bm.rag(reg.get("cp_rate_per_10k"), 40.0, 35.0, 5) is None  # neutral: no RAG
    assert bm.rag(high, None, 95.0, 5) is None


def test_quartile_cuts_are_rs_type_7_quantiles_and_bands_are_laits():
    # R: quantile(1:10) gives 1, 3.25, 5.5, 7.75, 10.
    assert bm.quartiles([float(v) for v in range(1, 11)]) == (1.0, 3.25, 5.5, 7.75, 10.0)
    assert bm.quartiles([4.0]) == (4.0, 4.0, 4.0, 4.0, 4.0)
    # The worked example in LAIT's R/fn_analysis.R (calculate_quartile_band's documentation).
    cuts = (0, 10, 20, 30, 40)
    assert [bm.quartile_band(v, cuts, "low") for v in (5, 10, 15)] == list("AAB")
    assert [bm.quartile_band(v, cuts, "high") for v in (5, 10, 15)] == list("DDC")
    # A value on the 75% cut is B when higher is better (A is strictly above it), C when lower is.
    assert bm.quartile_band(30, cuts, "high") == "B" and bm.quartile_band(30, cuts, "low") == "C"
    assert bm.quartile_band(31, cuts, "high") == "A" and bm.quartile_band(41, cuts, "low") == "D"


def test_care_leavers_eet_2025_las_on_the_75_percent_cut_get_b_as_in_lait(store):
    """Issue 14's measured case: in 2025 LAIT's 75% cut of care leavers in EET is 60%, and the LAs
    at 60% are B there (A was given here when bands were cut by rank position)."""
    assert bm.quartiles(bm.la_values(store, "care_leavers_eet_pct")[2025])[3] == 60.0
    las = store.query("SELECT area_key FROM areas WHERE type = 'LA' AND last_year >= 2025")["area_key"]
    bands = {}
    for key in las:
        b = bm.benchmark(store, key, "care_leavers_eet_pct", 2025)
        if b.value is not None:
            bands.setdefault(b.value, set()).add(b.ranking.band)
    assert bands[60.0] == {"B"} and len([k for k in las if bm.benchmark(store, k, "care_leavers_eet_pct", 2025).value == 60]) >= 7
    assert all(band == {"A"} for value, band in bands.items() if value > 60)


def test_series_table_matches_the_published_comparators(store):
    table = bm.series_table(store, find_area(store, "885"), "cp_rate_per_10k").set_index("year")
    assert table.loc[2025, "value"] == 43.5 and table.loc[2025, "england"] == 40.6
    assert table.loc[2025, "region"] == 40.3
    assert table.loc[2009, "sn_published"] == 24.2  # the board report's own SN average


def test_la_trend_keeps_the_selected_years_with_a_value(store):
    from journey.selection import Selection, la_trend

    # Worcestershire's CP rate per 10,000 at 31 March 2016-2022, as published
    rows = la_trend(store, Selection(la="885", year_from=2016, year_to=2022), "cp_rate_per_10k")
    assert [(r.year, r.value) for r in rows] == [
        (2016, 41.0),
        (2017, 44.5),
        (2018, 36.3),
        (2019, 34.9),
        (2020, 44.5),
        (2021, 38.4),
        (2022, 38.2),
    ]
    assert rows[-1].period == "31 Mar 2022" and rows[-1].england is not None
    # Suppressed years ("c", 2015 and 2018-2021) are left out, never shown as 0; a true 0 stays.
    rows = la_trend(store, Selection(la="885", year_from=2013), "cp_plans_2yrs_plus_pct")
    assert [(r.year, r.value) for r in rows] == [
        (2013, 5.4),
        (2014, 4.2),
        (2016, 2.1),
        (2017, 2.3),
        (2022, 0.0),
        (2023, 0.0),
        (2024, 1.0),
        (2025, 1.3),
    ]


def test_journey_table_as_shown_keeps_gaps_and_published_figures(store):
    from journey.flow import flow_display, flow_table
    from journey.selection import Selection

    shown = flow_display(flow_table(store, Selection(la="885"), 2025))
    plans = shown.loc["Children on a child protection plan at 31 March"]
    # Worcestershire at 31 March 2025 as published: 522 plans, 43.5 per 10k; England 40.6; West Midlands 40.3
    assert list(plans.iloc[:4]) == ["522", "43.5", "40.6", "40.3"]
    assert list(shown.columns[:4]) == [
        "Worcestershire: count",
        "Worcestershire: per 10,000",
        "England: per 10,000",
        "West Midlands: per 10,000",
    ]
    assert shown.loc["Section 47 enquiries", "Worcestershire: count"] == "–"  # no count in the store: never 0
    assert shown.index[0] == "Referrals" and shown.loc["Referrals", "Worcestershire: count"] == "4,805"
    # 2013-14: no England rate for early help assessments, shown as a dash
    early = flow_display(flow_table(store, Selection(la="885"), 2014)).loc["Early help assessments started"]
    assert early["England: per 10,000"] == "–" and early["Worcestershire: per 10,000"] == "162.0"


def test_trend_leaves_out_comparators_with_no_figure_in_the_years(store):
    from journey.selection import Selection, trend_frame

    # Worcestershire's early help assessments per 10k (2011-12 to 2013-14, from its board
    # reports) have no England, regional or neighbour figure: no empty legend entries.
    frame = trend_frame(store, Selection(la="885"), "early_help_assessments_rate_per_10k")
    assert set(frame["role"]) == {"la"} and frame["value"].tolist() == [38.0, 36.0, 162.0]
    frame = trend_frame(store, Selection(la="885"), "cp_rate_per_10k")
    assert set(frame["role"]) == {"la", "england", "region", "sn", "sn_published"}


def test_value_years_lists_every_year_with_a_value_and_no_other(store):
    # Worcestershire's CP plans: a value in every reporting year the lookup has for it.
    lookup = bm.year_lookup(store, "cp_rate_per_10k")
    expected = sorted(y for y, figs in lookup.items() if figs.get("885") and figs["885"].value is not None)
    assert bm.value_years(store, "cp_rate_per_10k")["885"] == tuple(expected)
    assert expected[-1] == 2025 and len(expected) >= 10
    # Early help assessments per 10k: only the three years of the board reports (2011-12 to 2013-14).
    assert bm.value_years(store, "early_help_assessments_rate_per_10k")["885"] == (2012, 2013, 2014)


def test_journey_table_columns_match_the_table_as_shown(store):
    from journey.flow import flow_display, flow_display_columns, flow_rows
    from journey.selection import Selection

    rows = flow_rows(store, Selection(la="885"), 2025)
    columns = flow_display_columns(rows)
    shown = flow_display(rows)
    assert columns["Stage"] == list(shown.index)
    assert {k: v for k, v in columns.items() if k != "Stage"} == {c: list(shown[c]) for c in shown.columns}
    # The same from the DataFrame form of the rows.
    assert flow_display_columns(pd.DataFrame(rows)) == columns
    assert columns["Worcestershire: count"][columns["Stage"].index("Referrals")] == "4,805"


def test_trend_columns_are_the_trend_frame_as_lists(store):
    from journey.selection import Selection, la_rows, trend_columns, trend_frame

    sel = Selection(la="885")
    columns = trend_columns(store, sel, "cp_rate_per_10k")
    frame = trend_frame(store, sel, "cp_rate_per_10k")
    assert list(frame.columns) == list(columns)
    assert frame["value"].dtype == "float64"
    assert [None if pd.isna(v) else v for v in frame["value"]] == columns["value"]
    assert la_rows(columns) == la_rows(frame)
    latest = la_rows(columns)[-1]
    assert latest[0] == 2025 and latest[2] == pytest.approx(43.5, abs=0.05)


def test_neighbour_mean_and_median_on_the_half_round_up_in_decimal():
    """A median of 21.9 and 22.2 is 22.05 (binary floats give 22.049999...) and shows as 22.1."""
    from types import SimpleNamespace

    from journey.benchmarks import neighbour_average
    from journey.registry import measure

    figs = {k: SimpleNamespace(value=v) for k, v in {"a": 21.9, "b": 22.2, "c": None}.items()}
    mean, median, n = neighbour_average(["a", "b", "c", "d"], figs)
    assert (mean, median, n) == (22.05, 22.05, 2)
    assert measure("re_referrals_within_12m_pct").format(median) == "22.1%"


def test_bradford_2013_median_and_bedford_2014_mean_on_the_half(store):
    """Issue 14's measured cases: Bradford's 2013 re-referrals SN median is 22.05 and Bedford's 2014
    CIN rate SN mean 271.35 (2025 model); both round half up."""
    bradford = bm.benchmark(store, "380", "re_referrals_within_12m_pct", 2013)
    assert bradford.sn.median == pytest.approx(22.05) and bradford.measure.format(bradford.sn.median) == "22.1%"
    bedford = bm.benchmark(store, "822", "cin_rate_per_10k", 2014)
    assert bedford.sn.mean == pytest.approx(271.35) and bedford.measure.format(bedford.sn.mean) == "271.4"
