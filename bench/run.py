"""Benchmarks, run on demand: ``python bench/run.py [--repeat N] [--db PATH] [--only pages|imports|pack]``.

Board pack: the time to build Worcestershire's 8-indicator PDF (target under 10 s), and its pages.

Imports: the time to read, check, preview and commit all the DfE sample files together, and a
100,000-row tidy CSV (made by a seeded generator), each into a new store with the default data.

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
        "views/board.py": ("la", lambda at, i: at.selectbox(key="la").select(las[i % len(las)])),
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


def imports(samples: Path | None) -> list[tuple[str, int, list[float]]]:
    """(what, figures, seconds for prepare+commit on a new default store) for the import cases."""
    from bench.synthetic import tidy_csv
    from journey.build import open_store
    from journey.importing.plan import commit, prepare

    cases = []
    if samples and samples.is_dir():
        cases.append(("DfE sample files (all together)", [(f.name, f.read_bytes()) for f in sorted(samples.iterdir())]))
    cases.append(("100,000-row tidy CSV", [("tidy.csv", tidy_csv(100_000))]))
    out = []
    for what, uploads in cases:
        times, figures = [], 0
        for _ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                store = open_store(Path(tmp) / "import.duckdb", load_default=True)
                start = time.perf_counter()
                plan = prepare(store, uploads)
                if not plan.ok:
                    raise SystemExit(f"{what}: {plan.problems.errors[0]}")
                commit(store, plan)
                times.append(time.perf_counter() - start)
                figures = len(plan.add) + len(plan.replace) + plan.unchanged
                store.close()
        out.append((what, figures, times))
    return out


def board_pack(repeat: int) -> tuple[int, list[float]]:
    """(pages, seconds per build) for Worcestershire's 8-indicator headline set, built ``repeat``
    times in this process; the first build includes starting vl-convert's chart engine."""
    import io

    from pypdf import PdfReader

    from journey.boardpack import build_pack
    from journey.boards import default_set
    from journey.build import open_store
    from journey.selection import Selection

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "pack.duckdb", load_default=True)
        times, pages = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            pdf = build_pack(store, Selection(la="885"), default_set("885"))
            times.append(time.perf_counter() - start)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
        store.close()
    return pages, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="reruns per page (default 20)")
    parser.add_argument("--db", help="database to use (default: a new one built from data/ in a temporary folder)")
    parser.add_argument("--only", choices=["pages", "imports", "pack"], help="run one part only")
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples" / "dfe",
                        help="folder of DfE files for the import timing (default ../shared/samples/dfe)")
    args = parser.parse_args(argv)
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    if args.only in (None, "pack"):
        pages, times = board_pack(3)
        print("Board pack: Worcestershire, 8 indicators, seconds (first build starts the chart engine)")
        print(f"{'pages':>6}{'first':>8}{'median':>8}{'min':>8}{'max':>8}")
        print(f"{pages:>6}{times[0]:>8.2f}{statistics.median(times):>8.2f}{min(times):>8.2f}{max(times):>8.2f}")
        if args.only == "pack":
            return 0
    if args.only != "pages":
        print("Import: read, check, preview and commit, seconds (3 runs each, new store each run)")
        print(f"{'what':<36}{'figures':>9}{'median':>8}{'min':>8}{'max':>8}")
        for what, figures, times in imports(args.samples):
            print(f"{what:<36}{figures:>9,}{statistics.median(times):>8.2f}{min(times):>8.2f}{max(times):>8.2f}")
    if args.only == "imports":
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JOURNEY_DB"] = args.db or str(Path(tmp) / "bench.duckdb")
        rows = page_reruns(args.repeat)
    print(f"Page rerun after a widget change (server time, ms; {args.repeat} reruns each)")
    print(f"{'page':<24}{'widget':<8}{'median':>8}{'min':>8}{'max':>8}{'cold':>8}")
    for page, widget, times, cold in rows:
        print(f"{Path(page).stem:<24}{widget:<8}{statistics.median(times):>8.0f}{min(times):>8.0f}{max(times):>8.0f}{cold:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
