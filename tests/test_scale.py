"""What makes the pages fast with ~200 measures and every LA must not change a figure: annual
figures read per measure or all at once are the same, every LA's summary made at once is each
LA's own, and the neighbour average leaves out neighbours without a value."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from journey import benchmarks as bm
from journey.build import open_store
from journey.registry import registry


@pytest.fixture()
def two_stores(tmp_path, default_db):
    """Two copies of the default store: one read per measure, one read all at once."""
    paths = []
    for name in ("per_measure", "batch"):
        shutil.copy(default_db, tmp_path / f"{name}.duckdb")
        paths.append(tmp_path / f"{name}.duckdb")
    stores = [open_store(p) for p in paths]
    yield stores
    for s in stores:
        s.close()


def test_annual_figures_are_the_same_read_per_measure_or_all_at_once(two_stores):
    lazy, batch = two_stores
    bm.prefetch_annual(batch)
    ids = [m.id for m in registry()]
    nonempty = 0
    for measure in ids:
        one, every = bm.annual_figures(lazy, measure), bm.annual_figures(batch, measure)
        pd.testing.assert_frame_equal(_plain(one), _plain(every))
        assert bm.year_lookup(lazy, measure) == bm.year_lookup(batch, measure)
        nonempty += not one.empty
    assert nonempty > 30
    # One row per area and reporting year: a published rate before one the dashboard computed.
    cp = bm.annual_figures(lazy, "cp_rate_per_10k")
    assert not cp.duplicated(["area_key", "reporting_year"]).any()
    assert list(cp[["area_key", "reporting_year"]].itertuples(index=False)) == sorted(
        cp[["area_key", "reporting_year"]].itertuples(index=False)
    )


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with missing values as None and plain object columns (a column of one measure's
    figures can come out as strings with NaN or objects with None; the figures are the same)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def test_every_las_summary_made_at_once_is_each_las_own(store):
    from journey.areas import la_labels
    from ui.tables import _benchmark_summary, benchmark_summary

    keys = list(la_labels(store))
    for key in (keys[0], "885", "884", keys[-1]):
        assert benchmark_summary(store, key, 2025, 2021) == _benchmark_summary(store, key, 2025, 2021)
    rows = {r.measure: r for r in benchmark_summary(store, "885", 2025, 2021)}
    assert len(rows) == len(registry())
    cp = rows["cp_rate_per_10k"]
    # Worcestershire's CP rate at 31 March 2025 as its board report and DfE give it; neutral: no rank.
    assert (cp.has_figure, cp.year, cp.value, cp.rank, cp.band) == (True, 2025, "43.5", "–", "–")


def test_neighbour_average_leaves_out_neighbours_without_a_value():
    def fig(value, symbol=None):
        return bm.Figure(value, symbol, "test", "2025-01", False, None, None, "LA")

    figures = {"a": fig(10.0), "b": fig(None, "c"), "c": fig(20.0), "d": fig(60.0)}
    # "b" is suppressed and "e" is not in the store: three values, never a zero among them.
    assert bm.neighbour_average(("a", "b", "c", "d", "e"), figures) == (30.0, 20.0, 3)
    assert bm.neighbour_average(("b", "e"), figures) == (None, None, 0)
