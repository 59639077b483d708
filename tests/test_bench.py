"""The benchmark script runs end to end on the default data (--quick). Its timings are never
asserted: they belong in bench/ and the README, not in the test suite."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import PROJECT, subprocess_env


@pytest.fixture()
def use_default(default_db, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(default_db))
    return default_db


def test_bench_script_runs_every_part_on_a_small_store():
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--quick"],
        cwd=PROJECT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    for heading in ("1. Rerun after changing the LA", "2. Cold start", "3. Import", "4. Server memory", "5. Board pack"):
        assert heading in out
    for page in ("overview", "journey_flow", "indicator", "benchmarks", "data_sources", "upload", "board"):
        assert re.search(rf"^\(a\) default +{page} +\d+", out, re.M), page
    for line in ("dashboard (build the database + first page)", "baseline: a bare script's first run", "floor: start Python"):
        assert re.search(rf"^{re.escape(line)}.* +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d$", out, re.M), line
    assert "\n     9 " in out  # the board pack has 9 pages


def _kinds(nodes) -> list:
    return [(n.kind, _kinds(n.children)) for n in nodes]


@pytest.mark.parametrize(
    "page",
    [
        "views/overview.py",
        "views/journey_flow.py",
        "views/indicator.py",
        "views/benchmarks.py",
        "views/data_sources.py",
        "views/upload.py",
        "views/board.py",
    ],
)
def test_the_interaction_baseline_draws_what_the_page_draws(use_default, page):
    """The baseline replays a page's elements: the same kinds in the same places, with the
    same tables and chart rows, so a page's time over the baseline's is its own work."""
    from streamlit.testing.v1 import AppTest

    from bench import replay
    from bench.run import NAVIGATION

    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=90)
    at.switch_page(page)
    at.run()
    assert not at.exception
    scene = replay.capture(at._tree)
    replay.SCENE[:] = scene
    replay.NAVIGATION.clear()
    replay.NAVIGATION.update(NAVIGATION)
    again = AppTest.from_file(str(PROJECT / "bench" / "replay_app.py"), default_timeout=90).run()
    assert not again.exception
    drawn = replay.capture(again._tree)
    assert _kinds(drawn) == _kinds(scene)
    assert replay.count(drawn) == replay.count(scene) > 20
    tables = [n.args["data"] for n in _leaves(scene) if n.kind in ("dataframe", "vega_lite_chart")]
    assert tables == [n.args["data"] for n in _leaves(drawn) if n.kind in ("dataframe", "vega_lite_chart")]


def _leaves(nodes):
    for n in nodes:
        yield n
        yield from _leaves(n.children)
