"""Rates per 10,000 by DfE's rule, checked against the published figures."""

import pytest

from journey.rates import rate_comparison, rate_per_10k, with_computed_rates
from journey.registry import registry, round_half_up


def test_worcestershire_cin_rate_2025_from_count_and_mid_2024_population(store):
    # domain.md section 2: 3,638 children in need at 31 March 2025, mid-2024 population 120,119.
    assert rate_per_10k(3638, 120119, 1) == 302.9
    row = rate_comparison(store, ["885"], ["cin_rate_per_10k"]).set_index("reporting_year").loc[2025]
    assert row["count"] == 3638
    assert row["mid_year"] == 2024
    assert row["population"] == 120119
    assert row["computed"] == 302.9
    assert row["published"] == 302.9
    assert row["status"] == "match"


def test_round_half_up_not_bankers():
    assert round_half_up(0.5, 0) == 1.0
    assert round_half_up(2.5, 0) == 3.0
    assert round(2.5) == 2  # what Python would do, and DfE does not
    assert round_half_up(302.85, 1) == 302.9
    assert round_half_up(-1.25, 1) == -1.3
    assert round_half_up(None, 1) is None


def test_rate_needs_both_count_and_population():
    assert rate_per_10k(None, 1000) is None
    assert rate_per_10k(10, None) is None
    assert rate_per_10k(10, 0) is None


def test_every_dfe_rate_reproduced_within_rounding_with_listed_exceptions(store):
    comp = rate_comparison(store)
    dfe = comp[comp["published_source"].fillna("").str.startswith("DfE") & comp["count_source"].fillna("").str.startswith("DfE")]
    compared = dfe[dfe["status"].isin(["match", "differs"])]
    # Every rate measure whose count DfE publishes is exercised, with hundreds of LA-years.
    assert set(compared["measure"]) >= {
        "cin_rate_per_10k",
        "cp_rate_per_10k",
        "referral_rate_per_10k",
        "cp_plans_started_rate_per_10k",
        "cla_rate_per_10k",
        "cla_started_rate_per_10k",
        "cla_ceased_rate_per_10k",
    }
    assert (compared["status"] == "match").sum() >= 1900
    exceptions = compared[compared["status"] == "differs"]
    listed = {(r.area_name, r.measure, int(r.reporting_year)): r.reason for r in exceptions.itertuples()}
    # Regional counts published rounded to the nearest 10 (the West Midlands' 2024 CLA rate) ...
    assert "rounded to the nearest 10" in listed[("West Midlands", "cla_rate_per_10k", 2024)]
    # ... and LAIT's CLA rates for 2016-2018, kept as first published with the ONS estimates of
    # their day: ONS has revised those populations since. Nothing else differs.
    rounded = exceptions[exceptions["reason"].str.contains("rounded to the nearest 10")]
    assert set(rounded["area_type"]) <= {"region", "country"}
    other = exceptions.drop(rounded.index)
    assert other["reason"].str.startswith("the published rate was worked out with another ONS population estimate").all()
    assert set(other["measure"]) <= {"cla_rate_per_10k", "cla_started_rate_per_10k", "cla_ceased_rate_per_10k"}
    assert set(other.loc[other["area_type"] == "LA", "reporting_year"]) <= {2016, 2017, 2018}
    # From 2019 every LA's published rate is its count over the ONS mid-(Y-1) estimate.
    la = compared[(compared["area_type"] == "LA") & (compared["reporting_year"] >= 2019)]
    assert len(la) > 1500 and (la["status"] == "match").all()


def test_difference_beyond_rounding_is_reported_with_a_reason(store):
    comp = rate_comparison(store, ["885"], ["referral_rate_per_10k"]).set_index("reporting_year")
    # The 2013-14 board report printed 311 referrals per 10k for 2012-13; DfE's count gives 275.7.
    assert comp.loc[2013, "status"] == "differs"
    assert comp.loc[2013, "published"] == 311.0
    assert round(comp.loc[2013, "computed_exact"], 1) == 275.7
    assert comp.loc[2013, "reason"]


def test_computed_rate_fills_a_year_without_a_published_rate(store):
    frame = with_computed_rates(store, ["885"], ["cin_rate_per_10k"])
    row = frame[frame["reporting_year"] == 2015].iloc[0]
    # 3,942 children in need at 31 March 2015 / mid-2014 population 115,285 x 10,000 = 341.94
    assert bool(row["computed"]) is True
    assert row["value"] == pytest.approx(341.9)
    assert row["source"].startswith("Computed")
    published = frame[frame["reporting_year"] == 2025].iloc[0]
    assert bool(published["computed"]) is False and published["value"] == 302.9


def test_registry_rates_name_a_count_in_the_registry():
    reg = registry()
    for m in reg.rates():
        assert reg.get(m.rate_of).kind == "count"
