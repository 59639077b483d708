"""The real DfE files in ../shared/samples/dfe (test data beside the project, never committed)
all import; afterwards every LA in England is ranked with quartiles, and rates computed from
the imported counts and populations match the published rates within rounding."""

from __future__ import annotations

import pytest

from conftest import SHARED
from journey.benchmarks import benchmark
from journey.importing.plan import commit, prepare
from journey.rates import rate_comparison

SAMPLES = SHARED / "samples" / "dfe"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"the DfE sample files are not beside the project ({SAMPLES})")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from journey.build import open_store

    # Reference data only: the shipped national dataset already holds these figures.
    store = open_store(tmp_path_factory.mktemp("samples") / "journey.duckdb", load_default=False)
    files = sorted(SAMPLES.iterdir())
    plan = prepare(store, [(f.name, f.read_bytes()) for f in files])
    yield store, plan, commit(store, plan, "DfE sample files"), files
    store.close()


def test_every_sample_file_is_read_and_imports(imported):
    store, plan, import_id, files = imported
    assert plan.ok, [str(p) for p in plan.problems.errors]
    read = {f["name"]: [k for _, k in f["sheets"]] for f in plan.files}
    assert set(read) == {f.name for f in files}
    assert all(kinds for kinds in read.values()), read
    assert import_id is not None
    assert store.scalar("SELECT count(*) FROM observations WHERE import_id = ?", [import_id]) > 20_000


def test_benchmarks_rank_every_la_in_england_with_quartiles(imported):
    store = imported[0]
    b = benchmark(store, "Worcestershire", "cp_second_or_subsequent_pct", 2025)
    assert b.ranking.of == 153
    assert b.ranking.coverage.startswith("153 of 153")
    assert b.ranking.band == "ABCD"[min(3, (b.ranking.rank - 1) * 4 // 153)]
    # Where DfE suppresses small numbers, the rank is among the LAs with a value and says so.
    from journey.benchmarks import year_figures

    rows = year_figures(store, "cp_plans_2yrs_plus_pct", 2025)
    las = rows[rows["area_type"] == "LA"]
    assert len(las) == 153  # every LA has a figure or a symbol
    ranking = benchmark(store, "Worcestershire", "cp_plans_2yrs_plus_pct", 2025).ranking
    assert ranking.of == las["value"].notna().sum() < 153
    assert ranking.coverage == f"{ranking.of} of 153 LAs in England have a value in the store"


def test_rates_from_imported_counts_and_population_match_published(imported):
    store = imported[0]
    comp = rate_comparison(store, None, ["cla_rate_per_10k", "cla_started_rate_per_10k", "cla_ceased_rate_per_10k"])
    la = comp[(comp["area_type"] == "LA") & comp["status"].isin(["match", "differs"])]
    assert len(la) >= 140 * 5 * 3 * 0.9  # every LA, 2021-2025, three CLA rates
    assert (la["status"] == "match").all(), la[la["status"] != "match"].head()
    # 2025 CIN rates are not in the 2025 files: they are computed from the imported counts.
    cin = rate_comparison(store, None, ["cin_rate_per_10k"])
    y2025 = cin[(cin["reporting_year"] == 2025) & (cin["area_type"] == "LA") & cin["computed"].notna()]
    assert len(y2025) >= 150
    assert y2025.set_index("area_key").loc["885", "computed"] == 302.9
