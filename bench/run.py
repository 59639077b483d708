"""Benchmarks, run on demand: ``python bench/run.py [--repeat N] [--db PATH]``.

Page reruns: for each page, the server time of a rerun after a widget change, measured with
streamlit.testing.v1.AppTest (script run time in this process, no browser). Each page is
first run once (cold), then a widget is changed ``--repeat`` times, each time to a value not
seen before where the widget allows (a new LA that has figures in the store), so caches of
earlier values do not help.

Prints one table: median, min and max milliseconds per page. Not part of the test suite;
tests only check that this script runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def page_reruns(repeat: int) -> list[tuple[str, str, list[float], float]]:
    """(page, widget changed, rerun times in ms, cold first run ms) for every page."""
    from streamlit.testing.v1 import AppTest

    from journey.areas import la_labels
    from journey.build import open_store

    store = open_store()
    with_data = set(store.query(
        "SELECT DISTINCT a.area_key FROM observations o JOIN areas a ON a.code = o.area_code WHERE a.type = 'LA'"
    )["area_key"])
    las = [k for k in la_labels(store) if k != "885" and k in with_data]  # LAs that have figures to draw
    store.close()
    changes = {
        "views/overview.py": ("la", lambda at, i: at.selectbox(key="la").select(las[i % len(las)])),
        "views/journey_flow.py": ("la", lambda at, i: at.selectbox(key="la").select(las[i % len(las)])),
        "views/indicator.py": ("la", lambda at, i: at.selectbox(key="la").select(las[i % len(las)])),
        "views/benchmarks.py": ("la", lambda at, i: at.selectbox(key="la").select(las[i % len(las)])),
        "views/data_sources.py": ("sn", lambda at, i: at.radio(key="sn").set_value(["mean", "median"][i % 2])),
        "views/upload.py": ("sn", lambda at, i: at.radio(key="sn").set_value(["mean", "median"][i % 2])),
    }
    results = []
    for page, (widget, change) in changes.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(page)
        start = time.perf_counter()
        at.run()
        cold = (time.perf_counter() - start) * 1000
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception}")
        times = []
        for i in range(repeat):
            change(at, i)
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            if at.exception:
                raise SystemExit(f"{page} raised after changing {widget}: {at.exception}")
        results.append((page, widget, times, cold))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="reruns per page (default 20)")
    parser.add_argument("--db", help="database to use (default: a new one built from data/ in a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JOURNEY_DB"] = args.db or str(Path(tmp) / "bench.duckdb")
        rows = page_reruns(args.repeat)
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"Page rerun after a widget change (server time, ms; {args.repeat} reruns each)")
    print(f"{'page':<24}{'widget':<8}{'median':>8}{'min':>8}{'max':>8}{'cold':>8}")
    for page, widget, times, cold in rows:
        print(f"{Path(page).stem:<24}{widget:<8}{statistics.median(times):>8.0f}{min(times):>8.0f}{max(times):>8.0f}{cold:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
