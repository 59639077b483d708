"""The benchmark script runs end to end on the default data (--quick). Its timings are never
asserted: they belong in bench/ and the README, not in the test suite."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import PROJECT, subprocess_env


def test_bench_script_runs_every_part_on_a_small_store():
    run = subprocess.run([sys.executable, "bench/run.py", "--quick"], cwd=PROJECT, env=subprocess_env(),
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    for heading in ("1. Rerun after changing the LA", "2. Cold start", "3. Import", "4. Server memory", "5. Board pack"):
        assert heading in out
    for page in ("overview", "journey_flow", "indicator", "benchmarks", "data_sources", "upload", "board"):
        assert re.search(rf"^\(a\) default +{page} +\d+", out, re.M), page
    for line in ("dashboard (build the database + first page)", "baseline: a bare script's first run",
                 "floor: start Python"):
        assert re.search(rf"^{re.escape(line)}.* +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d$", out, re.M), line
    assert "\n     9 " in out  # the board pack has 9 pages
