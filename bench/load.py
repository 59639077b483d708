"""Page loads while a browser checks, imports and undoes a large upload (issue 12's convoy).

    python -m bench.load [--sessions 12] [--seconds 60] [--rows 300000]

A real server (`streamlit run app.py`, loopback only) on a new database with the default data.
``sessions`` WebSocket sessions (tests/wsclient.py, no browser) load the pages in turn, first for
``seconds`` with nothing else happening, then for ``seconds`` while Debian's Chromium, driven by
Playwright, uploads a ``rows``-row tidy CSV (close to the 15 MB limit) on the Upload page, checks
it, imports it, and undoes the import, over and over. Before reads and writes stopped waiting
for each other, a page waited for a long check to end (a Data & sources load took 174 s while
another session checked a large workbook). Prints page-load times (median, 95th percentile,
maximum) for both phases, how many browser cycles ran, and the server's peak memory. The
numbers are printed, never asserted; every load must finish without an exception.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGES = ["", "indicator", "benchmarks", "journey_flow", "data_sources", "board"]
LAS = ["Leeds", "Kent", "Worcestershire", "Birmingham", "Herefordshire%2C+County+of", "Cumberland"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SHOW_SLOWEST = 5


def _start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JOURNEY_DB": str(db), "PYTHONPATH": str(PROJECT)}
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
        cwd=PROJECT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start: " + log.read_text()[-2000:])


def _peak_kb(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))


def _load_pages(url: str, sessions: int, seconds: float) -> tuple[list[float], list[str]]:
    """``sessions`` concurrent sessions loading pages in turn for ``seconds``: (load times, problems)."""
    sys.path.insert(0, str(PROJECT / "tests"))
    from wsclient import load

    times: list[float] = []
    problems: list[str] = []
    slowest: list[tuple[float, float, str]] = []  # (seconds, started after the phase began, page)
    began = time.monotonic()

    async def session(k: int, stop: float) -> None:
        i = k
        while time.monotonic() < stop:
            page, la = PAGES[i % len(PAGES)], LAS[i % len(LAS)]
            started = time.perf_counter()
            try:
                result = await load(url, page, f"la={la}", timeout=600)
            except Exception as exc:  # noqa: BLE001 - a load that fails is counted and reported
                problems.append(f"/{page}: {type(exc).__name__} {exc}"[:200])
            else:
                times.append(time.perf_counter() - started)
                slowest.append((times[-1], time.monotonic() - began - times[-1], f"/{page}?la={la}"))
                if result.exceptions or result.status != 0:
                    problems.append(f"/{page}?la={la}: {(result.exceptions or ['status ' + str(result.status)])[0][:200]}")
            i += sessions

    async def run() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(session(k, stop) for k in range(sessions)))

    asyncio.run(run())
    for seconds, at, what in sorted(slowest, reverse=True)[:SHOW_SLOWEST]:
        print(f"    slow: {seconds:6.1f} s, from {at:5.1f} s into the phase: {what}")
    return times, problems


def _settle(page) -> None:
    """Wait until the page's script run has finished drawing."""
    page.wait_for_timeout(300)
    page.wait_for_selector(FINISHED, timeout=600_000)


def _browser_imports(url: str, upload: Path, stop: threading.Event, cycles: list[float], problems: list[str]) -> None:
    """Chromium on the Upload page: upload, check, import, undo (confirmed), until ``stop``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1600})
        try:
            while not stop.is_set():
                started = time.perf_counter()
                page.goto(url + "/upload")
                page.wait_for_selector(FINISHED, timeout=600_000)
                page.locator('input[type="file"]').set_input_files(str(upload))
                page.get_by_role("button", name="Check files").wait_for(timeout=600_000)
                page.get_by_role("button", name="Check files").click()
                page.get_by_role("button", name=re.compile(r"^Import [\d,]+ figures?$")).wait_for(timeout=600_000)
                _settle(page)
                confirm = page.get_by_text("I have checked these")
                if confirm.count():  # random figures beside the published ones look implausible: confirmed
                    confirm.first.click()
                    _settle(page)
                page.get_by_role("button", name=re.compile(r"^Import [\d,]+ figures?$")).click()
                page.get_by_text("Imported as import").wait_for(timeout=600_000)
                _settle(page)
                page.get_by_role("button", name=re.compile(r"^Undo import \d+\.\.\.$")).click()
                page.get_by_role("button", name=re.compile(r"^Yes, undo import \d+$")).click()
                page.get_by_text("undone; the figures it replaced are back").wait_for(timeout=600_000)
                cycles.append(time.perf_counter() - started)
                print(f"    browser cycle {len(cycles)}: {cycles[-1]:.1f} s")
        except Exception as exc:  # noqa: BLE001 - reported with the results
            if not stop.is_set():
                problems.append(f"browser: {type(exc).__name__} {str(exc)[:300]}")
        finally:
            browser.close()


def _summary(label: str, values: list[float]) -> str:
    if not values:
        return f"{label:<46}(none)"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{label:<46}{len(values):>6}{statistics.median(values):>9.2f}{p95:>9.2f}{max(values):>9.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT))
    from bench.synthetic import tidy_csv
    from journey.build import open_store

    folder = Path(tempfile.mkdtemp(prefix="journey-load-"))
    proc = None
    try:
        db = folder / "journey.duckdb"
        open_store(db, load_default=True).close()
        upload = folder / "scorecards.csv"
        upload.write_bytes(tidy_csv(args.rows))
        proc, url = _start_server(db, folder / "server.log")
        _load_pages(url, 2, 10)  # warm-up: every page's per-version lookups built once
        print(
            f"{args.sessions} WebSocket sessions, {args.seconds:.0f} s per phase; the browser uploads "
            f"{upload.stat().st_size / 1e6:.1f} MB ({args.rows:,} rows)"
        )
        quiet, problems = _load_pages(url, args.sessions, args.seconds)
        stop, cycles = threading.Event(), []
        browser = threading.Thread(target=_browser_imports, args=(url, upload, stop, cycles, problems))
        browser.start()
        busy, more = _load_pages(url, args.sessions, args.seconds)
        problems += more
        stop.set()
        browser.join(timeout=900)
        print(f"\n{'page loads (s)':<46}{'loads':>6}{'median':>9}{'p95':>9}{'max':>9}")
        print(_summary("nothing else happening", quiet))
        print(_summary("while the browser checks, imports, undoes", busy))
        print(_summary("browser cycles (upload to undone)", cycles))
        print(f"\nserver peak memory: {_peak_kb(proc.pid) / 1024:,.0f} MB")
        if problems:
            print(f"{len(problems)} problems; first: {problems[0]}")
        return 1 if problems else 0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
