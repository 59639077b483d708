"""Benchmarks, run on demand (not part of the timed test suite):

    python bench/run.py [--only interaction|coldstart|imports|memory|pack] [--repeat N] [--quick]

Each figure is printed next to a baseline measured in the same run, so the ratio holds on a
noisy machine. Tables give the median, min and max of repeated runs.

1. Interaction: the server time of a rerun after a widget change on each page
   (streamlit.testing.v1.AppTest, changing the LA to one not seen before so caches of earlier
   choices do not help), on (a) the default data, (b) a national store (every area x 2013-2025 x
   every measure, about 430,000 synthetic observations for the registry's ~200 measures),
   (c) 1,000,000 monthly observations for the 153 LAs (bench/synthetic.py, seeded) and (d) the
   real national store: the default data plus every DfE and LAIT sample file of
   ../shared/samples (dfe, dfe_more, lait) imported through the product's own pipeline, one
   import per file, as a user would (files it refuses are listed and left out; once data/ ships
   the national dataset, (a) holds it too, and (d) is timed only when it adds figures). Baseline: bench/replay.py, a bare Streamlit
   script that draws again, from precomputed data and under the same navigation, the elements
   each of the page's reruns drew (nothing but drawing).
2. Cold start: a new process, a new database built from data/, until the first page has run;
   beside a bare script's first run drawing as many elements, and the cost of the imports alone.
3. Import: read, check, preview and commit, against pandas.read_csv/read_excel plus a
   row-by-row INSERT into DuckDB (the naive loader), for the DfE samples, tidy CSVs of 100,000
   and 1,000,000 rows and a 20,000-cell wide scorecard.
4. Memory: resident memory of a real server with store (c) after every page was loaded once,
   and after 50 more page loads (WebSocket sessions; growth must stay under 10%).
5. Board pack: Worcestershire's 8-indicator PDF (target under 10 s) and its page count.

``--quick`` runs everything small (default data only, 2 repeats, small files): the test suite
uses it to check that this script runs, never its timings.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest's bare-mode warnings are noise here
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the WebSocket page-load client

PAGES = [
    "views/overview.py",
    "views/journey_flow.py",
    "views/indicator.py",
    "views/benchmarks.py",
    "views/data_sources.py",
    "views/upload.py",
    "views/board.py",
]


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):>9.1f}{min(values):>8.1f}{max(values):>8.1f}"


# ---- 1. interaction -------------------------------------------------------------------------
@contextlib.contextmanager
def server_script_cache() -> Iterator[None]:
    """AppTest compiles the main script and the page afresh on every run; a server compiles each
    file once and keeps the bytecode for every session (one ScriptCache per runtime). Inside
    this block AppTest runs share one cache, as a server's reruns do, so a rerun's time is the
    server's and not the compiler's (3-4 ms a rerun for a page of 100 lines)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    with (
        mock.patch.object(app_test, "ScriptCache", lambda: shared),
        mock.patch.object(local_script_runner, "ScriptCache", lambda: shared),
    ):
        yield


# The dashboard's navigation as app.py builds it: (title, page file) by section.
NAVIGATION = {
    "Journey": [("Overview", "views/overview.py"), ("Journey", "views/journey_flow.py"), ("Indicator", "views/indicator.py")],
    "Benchmarks": [("Benchmarks", "views/benchmarks.py")],
    "Board": [("Board set & pack", "views/board.py")],
    "Data": [("Data & sources", "views/data_sources.py"), ("Upload data", "views/upload.py")],
}


def page_reruns(db: Path, repeat: int) -> list[tuple[str, list[float], list[float], list[list]]]:
    """(page, rerun times in ms, the baseline's rerun times in ms, the scene each rerun drew)
    for every page, on the store at ``db``. Each rerun of the page is followed at once by a
    rerun of the replay baseline (bench/replay.py) drawing what that rerun drew, so a page and
    its baseline are timed side by side: on a machine whose speed drifts while other work runs,
    timing all of a page's reruns and then all of the baseline's skewed the ratio by up to 2x."""
    from streamlit.testing.v1 import AppTest

    from bench import replay
    from journey.areas import la_labels
    from journey.build import open_store

    os.environ["JOURNEY_DB"] = str(db)
    store = open_store(db)
    with_data = set(
        store.query("SELECT DISTINCT a.area_key FROM observations o JOIN areas a ON a.code = o.area_code WHERE a.type = 'LA'")[
            "area_key"
        ]
    )
    las = [k for k in la_labels(store) if k != "885" and k in with_data]
    store.close()
    replay.NAVIGATION.clear()
    replay.NAVIGATION.update(NAVIGATION)
    results = []
    with server_script_cache():
        for n, page in enumerate(PAGES):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.switch_page(page)
            at.run()
            if at.exception:
                raise SystemExit(f"{page} raised: {at.exception}")
            replay.SCENE[:] = replay.capture(at._tree)
            base = AppTest.from_file(str(ROOT / "bench" / "replay_app.py"), default_timeout=120)
            base.run()
            if base.exception:
                raise SystemExit(f"the replay of {page} raised: {base.exception}")
            times, base_times, scenes = [], [], []
            for i in range(repeat):
                at.selectbox(key="la").select(las[(n * repeat + i) % len(las)])
                times.append(_timed_run(at) * 1000)
                if at.exception:
                    raise SystemExit(f"{page} raised after changing the LA: {at.exception}")
                scenes.append(replay.capture(at._tree))
                replay.SCENE[:] = scenes[-1]
                la = base.selectbox(key="la")  # the baseline's rerun also follows a change of LA
                la.select(la.options[(i + 1) % len(la.options)])
                base_times.append(_timed_run(base) * 1000)
                if base.exception:
                    raise SystemExit(f"the replay of {page} raised: {base.exception}")
            results.append((page, times, base_times, scenes))
    return results


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start


def interaction(stores: dict[str, Path], repeat: int) -> None:
    from bench.replay import count

    print(
        f"\n1. Rerun after changing the LA (server time, ms; {repeat} reruns per page; baseline = the page's "
        "own elements replayed from precomputed data, bench/replay.py, each rerun timed right after the page's)"
    )
    print(f"{'store':<14}{'page':<14}{'median':>9}{'min':>8}{'max':>8}{'elements':>9}{'baseline':>9}{'ratio':>7}")
    for name, db in stores.items():
        for page, times, base_times, scenes in page_reruns(db, repeat):
            base = statistics.median(base_times)
            med = statistics.median(times)
            elements = statistics.median(count(scene) for scene in scenes)
            print(f"{name:<14}{Path(page).stem:<14}{_stats(times)}{elements:>9.0f}{base:>9.1f}{med / base:>7.2f}")


def real_store(path: Path, shared: Path) -> tuple[int, list[str]]:
    """Store (d): a new database with the default data, then every sample file under
    ``shared`` (dfe/, dfe_more/, lait/) imported through ``prepare`` and ``commit``, one import
    per file (an import may hold up to 15 MB). Returns (observations in the store, a line per
    file that was refused or added nothing)."""
    from journey.build import open_store
    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare

    store = open_store(path, load_default=True)
    notes = []
    try:
        files = sorted(
            f
            for folder in ("dfe", "dfe_more", "lait")
            if (shared / folder).is_dir()
            for f in (shared / folder).iterdir()
            if f.is_file()
        )
        for f in files:
            plan = prepare(store, [(f.name, f.read_bytes())], Options())
            if not plan.ok:
                notes.append(f"{f.parent.name}/{f.name}: refused ({plan.problems.errors[0]})"[:200])
                continue
            if commit(store, plan, acknowledged=True) is None:
                notes.append(f"{f.parent.name}/{f.name}: nothing new")
        return int(store.scalar("SELECT count(*) FROM observations WHERE replaced_by IS NULL")), notes
    finally:
        store.close()


# ---- 2. cold start ------------------------------------------------------------------------
COLD = """
import os, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(os.environ["BENCH_SCRIPT"], default_timeout=300)
at.run()
assert not at.exception, at.exception
"""
COLD_ELEMENTS = 74  # what the Overview page draws on its first run (national default data)


def cold_start(repeat: int) -> None:
    print(f"\n2. Cold start: process start to the first page run, new database built from data/ (s; {repeat} runs)")
    times: dict[str, list[float]] = {"dashboard": [], "bare": [], "imports": []}
    # Byte-compile the project once, as its first run (or an install) does: the libraries are
    # compiled at install time, and a machine with PYTHONDONTWRITEBYTECODE=1 (like the
    # development one) would otherwise compile the project from source on every start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", "journey", "ui", "views", "bench"], check=True, cwd=ROOT)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "JOURNEY_DB": str(Path(tmp) / "cold.duckdb"), "BENCH_ELEMENTS": str(COLD_ELEMENTS)}
            for what, script in (("dashboard", ROOT / "app.py"), ("bare", ROOT / "bench" / "baseline_app.py")):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", COLD], env={**env, "BENCH_SCRIPT": str(script)}, check=True, cwd=ROOT)
                times[what].append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from streamlit.testing.v1 import AppTest; import pandas, duckdb"], check=True)
            times["imports"].append(time.perf_counter() - start)
    print(f"{'what':<62}{'median':>8}{'min':>8}{'max':>8}")
    for what, label in (
        ("dashboard", "dashboard (build the database + first page)"),
        ("bare", f"baseline: a bare script's first run, {COLD_ELEMENTS} elements"),
        ("imports", "floor: start Python, import AppTest, pandas and DuckDB"),
    ):
        values = times[what]
        print(f"{label:<62}{statistics.median(values):>8.2f}{min(values):>8.2f}{max(values):>8.2f}")


# ---- 3. imports ---------------------------------------------------------------------------
def scorecard_xlsx(cells: int = 20_000) -> bytes:
    """A wide monthly scorecard: 50 or more measure labels down, months from January 2000 across
    (about ``cells`` cells, at most as many as the registry's labels and 26 years of months hold)."""
    import datetime as dt

    from openpyxl import Workbook

    from journey.registry import registry

    every = [m.label for m in registry() if m.id != "population_0_17"]
    months = min(cells // 50, 12 * 26)  # months of 2000-2025: periods end in 2000 to next year
    labels = every[: max(50, min(len(every), cells // months))]
    wb = Workbook()
    ws = wb.active
    ws.title = "Scorecard"
    ws.append(["Worcestershire monthly scorecard (synthetic)"])
    ws.append(["Indicator", *[dt.date(2000 + (i // 12), i % 12 + 1, 1) for i in range(months)]])
    for c in range(2, months + 2):
        ws.cell(2, c).number_format = "mmm-yy"
    for r, label in enumerate(labels):
        ws.append([label, *[(r * 37 + i * 11) % 90 + 5 for i in range(months)]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def naive_load(name: str, data: bytes, rows_cap: int | None) -> tuple[float, int]:
    """The baseline: pandas reads the file, then one INSERT per row into DuckDB. Returns
    (seconds, rows inserted); with ``rows_cap`` only that many rows are inserted."""
    import duckdb
    import pandas as pd

    start = time.perf_counter()
    if name.endswith(".csv"):
        frame = pd.read_csv(io.BytesIO(data))
    elif name.endswith(".xlsx"):
        frame = pd.read_excel(io.BytesIO(data), header=1).melt(id_vars="Indicator")
    else:  # an EES ZIP: every CSV in it
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(data))
        frames = [pd.read_csv(archive.open(m), dtype=str) for m in archive.namelist() if m.endswith(".csv")]
        frame = pd.concat(frames) if frames else pd.DataFrame({"x": []})
    if rows_cap is not None:
        frame = frame.iloc[:rows_cap]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR, c VARCHAR, d VARCHAR)")
    for row in frame.astype(str).itertuples(index=False):
        values = (list(row) + [None] * 4)[:4]
        con.execute("INSERT INTO t VALUES (?, ?, ?, ?)", values)
    con.close()
    return time.perf_counter() - start, len(frame)


def imports(samples: Path | None, quick: bool, repeat: int) -> None:
    from bench.synthetic import tidy_csv
    from journey.build import open_store
    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare

    cases: list[tuple[str, list[tuple[str, bytes]], Options, int | None]] = []
    if samples and samples.is_dir() and not quick:
        cases.append(("DfE sample files (all 9)", [(f.name, f.read_bytes()) for f in sorted(samples.iterdir())], Options(), None))
    small = 2_000 if quick else 100_000
    cases.append((f"{small:,}-row tidy CSV", [("tidy.csv", tidy_csv(small))], Options(), None))
    if not quick:  # the largest tidy CSV under the 15 MB upload limit
        cases.append(("330,000-row tidy CSV", [("tidy.csv", tidy_csv(330_000, seed=2))], Options(), 100_000))
    cells = 2_000 if quick else 20_000
    cases.append(
        (f"{cells:,}-cell wide scorecard .xlsx", [("card.xlsx", scorecard_xlsx(cells))], Options(area="Worcestershire"), None)
    )
    print(
        f"\n3. Import: read, check, preview and commit into a store with the default data (s; {repeat} runs) "
        "against pandas + one INSERT per row"
    )
    print(f"{'what':<36}{'figures':>10}{'median':>8}{'min':>8}{'max':>8}{'baseline':>9}{'x faster':>9}")
    for what, uploads, opts, cap in cases:
        times, figures = [], 0
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                store = open_store(Path(tmp) / "import.duckdb", load_default=True)
                start = time.perf_counter()
                plan = prepare(store, uploads, opts)
                if not plan.ok:
                    raise SystemExit(f"{what}: {plan.problems.errors[0]}")
                commit(store, plan, acknowledged=True)
                times.append(time.perf_counter() - start)
                figures = len(plan.add) + len(plan.replace) + plan.unchanged
                store.close()
        base = 0.0
        for name, data in uploads:
            seconds, rows = naive_load(name, data, cap)
            if cap is not None:  # row-by-row on a million rows takes minutes: timed on the first 100,000
                seconds *= figures / max(rows, 1)
            base += seconds
        med = statistics.median(times)
        print(f"{what:<36}{figures:>10,}{med:>8.2f}{min(times):>8.2f}{max(times):>8.2f}{base:>9.1f}{base / med:>9.1f}")


# ---- 4. memory ----------------------------------------------------------------------------
def memory(db: Path, reruns: int = 50) -> None:
    import contextlib
    import socket
    import urllib.request

    from wsclient import load_many

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, "JOURNEY_DB": str(db)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                break
            time.sleep(0.2)
        pages = ["", "journey_flow", "indicator", "benchmarks", "data_sources", "upload", "board"]
        load_many(url, [(p, "") for p in pages], concurrency=1)
        first = _rss(proc.pid)
        load_many(url, [(pages[i % len(pages)], "") for i in range(reruns)], concurrency=2)
        after = _rss(proc.pid)
        peak = _rss(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"\n4. Server memory with store {db.name} (MB)")
    print(f"{'after every page once':>24}{f'after {reruns} more loads':>24}{'growth':>9}{'peak':>9}")
    print(f"{first / 1024:>24.0f}{after / 1024:>24.0f}{(after / first - 1) * 100:>8.1f}%{peak / 1024:>9.0f}")


def _rss(pid: int, field: str = "VmRSS") -> int:
    import re

    return int(re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))


# ---- 5. board pack ------------------------------------------------------------------------
def board_pack(repeat: int) -> None:
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
    print("\n5. Board pack: Worcestershire, 8 indicators (s; the first build starts the chart engine)")
    print(f"{'pages':>6}{'first':>8}{'median':>8}{'min':>8}{'max':>8}")
    print(f"{pages:>6}{times[0]:>8.2f}{statistics.median(times):>8.2f}{min(times):>8.2f}{max(times):>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the child's journey dashboard")
    parser.add_argument("--only", choices=["interaction", "coldstart", "imports", "memory", "pack"])
    parser.add_argument("--repeat", type=int, default=None, help="runs per figure (default 21; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="small and fast: default data only (for the tests)")
    parser.add_argument(
        "--samples",
        type=Path,
        default=ROOT.parent / "shared" / "samples" / "dfe",
        help="folder of DfE files for the import timing (default ../shared/samples/dfe)",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=ROOT.parent / "shared" / "samples",
        help="folder of the real DfE and LAIT samples for store (d) (default ../shared/samples)",
    )
    parser.add_argument("--stores", default="abcd", help="stores for the interaction part, e.g. ad (default abcd)")
    args = parser.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 21)
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores")
    from bench.synthetic import make_store
    from journey.build import open_store

    with tempfile.TemporaryDirectory() as tmp:
        stores = {"(a) default": Path(tmp) / "a.duckdb"}
        open_store(stores["(a) default"], load_default=True).close()
        need_big = not args.quick and args.only in (None, "interaction", "memory")
        if need_big and "b" in args.stores:
            start = time.perf_counter()
            n = make_store(Path(tmp) / "b.duckdb", "national")
            stores["(b) national"] = Path(tmp) / "b.duckdb"
            print(f"store (b): {n:,} synthetic observations written in {time.perf_counter() - start:.1f} s")
        if need_big and ("c" in args.stores or args.only == "memory"):
            start = time.perf_counter()
            n = make_store(Path(tmp) / "c.duckdb", "monthly")
            stores["(c) 1M"] = Path(tmp) / "c.duckdb"
            print(f"store (c): {n:,} synthetic observations written in {time.perf_counter() - start:.1f} s")
        if need_big and "d" in args.stores and args.shared.is_dir():
            start = time.perf_counter()
            n, notes = real_store(Path(tmp) / "d.duckdb", args.shared)
            seconds = time.perf_counter() - start
            base = open_store(stores["(a) default"])
            try:
                shipped = int(base.scalar("SELECT count(*) FROM observations WHERE replaced_by IS NULL"))
            finally:
                base.close()
            print(
                f"store (d): {n:,} observations (default data + the real samples through the importer) in {seconds:.1f} s"
                + "".join(f"\n    {line}" for line in notes)
            )
            if n > shipped:
                stores["(d) real"] = Path(tmp) / "d.duckdb"
            else:  # the shipped default already is the real national data: (a) is timed
                print(f"    (d) adds nothing to the {shipped:,} figures of (a), the shipped national data: not timed twice")
        if "a" not in args.stores and len(stores) > 1:
            stores.pop("(a) default")
        if args.only in (None, "interaction"):
            interaction(stores, repeat)
        if args.only in (None, "coldstart"):
            cold_start(max(2, min(repeat * 2, 10)))
        if args.only in (None, "imports"):
            imports(args.samples, args.quick, min(repeat, 3))
        if args.only in (None, "memory"):
            memory(stores.get("(c) 1M", Path(tmp) / "a.duckdb"), 10 if args.quick else 50)
        if args.only in (None, "pack"):
            board_pack(min(repeat, 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
