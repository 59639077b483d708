"""Real-browser tests: the README's run command serves the app, and Chromium (Debian's, driven
by Playwright) opens every page with the default data. Loopback only; nothing downloaded."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from servers import running_server

from conftest import PROJECT

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
PAGES = {
    "": "the child's journey",
    "journey_flow": "the journey in one year",
    "indicator": "Child protection plans per 10k",
    "benchmarks": "benchmarks",
    "data_sources": "Data & sources",
    "upload": "Upload data",
    "board": "Board set & pack",
}
SCREENSHOTS = PROJECT / "tests" / "screenshots"  # written by the presentation tests, for people to look at
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` as the README says, on a new database (built on first run)."""
    with running_server(tmp_path_factory) as url:
        yield url


@pytest.fixture()
def fresh_server(tmp_path_factory):
    """A server no browser has visited yet: the first run of a deep link must work too."""
    with running_server(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for browser tests: run the README's test command (scripts/test.sh)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(FINISHED, timeout=60_000)
    page.wait_for_selector("h1", timeout=30_000)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_without_exception(server, browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _open(page, f"{server}/{path}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert PAGES[path].lower() in page.locator("h1").first.inner_text().lower()
    page.close()


def test_overview_shows_default_data(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _open(page, server)
    # Worcestershire's CP rate at 31 March 2025
    page.locator('[data-testid="stMetricValue"]', has_text="43.5").wait_for(timeout=30_000)
    page.close()


def test_selection_lives_in_the_url_and_follows_across_pages(fresh_server, browser):
    server = fresh_server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _open(page, f"{server}/indicator?la=Shropshire&model=2021")
    # The chart description of the restored view names the LA and the SN model.
    page.locator('[data-testid="stCaptionContainer"]', has_text="Shropshire: ").wait_for(timeout=30_000)
    assert "(mean, 2021 model)" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_role("link", name="Benchmarks").click()
    page.wait_for_selector("h1:has-text('Shropshire: benchmarks')", timeout=30_000)
    page.wait_for_selector(FINISHED)
    page.wait_for_url("**/benchmarks?*la=Shropshire*", timeout=30_000)
    query = parse_qs(urlparse(page.url).query)
    assert query.get("la") == ["Shropshire"] and query.get("model") == ["2021"]
    # Changing the LA on this page rewrites the link.
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.keyboard.type("Telford")
    page.keyboard.press("Enter")
    page.wait_for_url("**la=Telford+and+Wrekin*", timeout=30_000)
    page.wait_for_selector("h1:has-text('Telford and Wrekin: benchmarks')", timeout=30_000)
    page.close()


def test_link_with_indicator_opens_that_indicator(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _open(page, f"{server}/indicator?la=Dudley&cmp=England&stage=Children+looked+after&measure=Children+looked+after+per+10k")
    page.wait_for_selector("h1:has-text('Children looked after per 10k')", timeout=30_000)
    page.locator('[data-testid="stCaptionContainer"]', has_text="Dudley: ").wait_for(timeout=30_000)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Dudley: " in text and "England: " in text and "West Midlands: " not in text
    page.close()


# ---- presentation mode and the board pack ---------------------------------------------------
def _counter(page) -> str:
    return page.get_by_text("Slide ", exact=False).first.inner_text()


def test_presentation_steps_with_the_keyboard(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    _open(page, f"{server}/?present=1")
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or not page.locator('[data-testid="stSidebar"]').is_visible()
    page.locator('header[data-testid="stHeader"]').wait_for(state="hidden", timeout=10_000)
    assert _counter(page) == "Slide 1 of 8"
    page.locator("h1").first.click()  # focus on the slide, not on a widget
    for expected, key in (("Slide 2 of 8", "ArrowRight"), ("Slide 3 of 8", "ArrowRight"), ("Slide 2 of 8", "ArrowLeft")):
        page.keyboard.press(key)
        page.get_by_text(expected, exact=True).wait_for(timeout=30_000)
        page.wait_for_selector(FINISHED, timeout=30_000)
    assert page.locator("h1").first.inner_text() == "Referrals per 10k"
    assert "slide=2" in page.url
    page.keyboard.press("Escape")
    page.wait_for_selector("h1:has-text('Board set & pack')", timeout=30_000)
    assert "present=1" not in page.url
    page.close()


@pytest.mark.parametrize("width, height", [(1280, 720), (1024, 768)])
def test_presentation_slide_title_and_chart_fit_the_screen(server, browser, width, height):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    for slide in range(1, 9):
        _open(page, f"{server}/?present=1&slide={slide}")
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(timeout=30_000)
        page.wait_for_function(
            '() => document.querySelector(\'[data-testid="stVegaLiteChart"] canvas, '
            '[data-testid="stVegaLiteChart"] svg.marks\') !== null',
            timeout=30_000,
        )
        title = page.locator("h1").first.bounding_box()
        box = chart.bounding_box()
        assert page.evaluate("window.scrollY") == 0
        for name, b in (("title", title), ("chart", box)):
            assert b["x"] >= 0 and b["y"] >= 0, (slide, name, b)
            assert b["x"] + b["width"] <= width and b["y"] + b["height"] <= height, (slide, name, b, width, height)
        assert box["height"] > 0.45 * height, "the chart is the slide's main content"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SCREENSHOTS / f"present_{width}x{height}_slide{slide}.png"))
    page.close()


def test_board_pack_downloads_as_a_pdf_with_a_page_per_indicator(server, browser, tmp_path):
    from pypdf import PdfReader

    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    _open(page, f"{server}/board")
    page.get_by_role("button", name="Build the board pack (PDF)").click()
    button = page.get_by_role("button", name="Download the board pack")
    button.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".pdf" and path.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(path)
    assert len(reader.pages) == 9  # cover and contents, then the 8 headline indicators
    assert "Worcestershire" in reader.pages[0].extract_text()
    page.close()


# ---- text from files is shown as text ------------------------------------------------------
def test_text_from_a_file_is_never_live_markdown(tmp_path_factory, browser):
    """Issue 12: a source such as ``![x](http://host/a.png)`` was fetched by every viewer of the
    Indicator page (a tracking pixel) and bare URLs became links. A local HTTP server counts what
    the browser asks it for: nothing, and the page shows the text as typed."""
    import http.server
    import threading

    from journey.build import open_store
    from journey.importing.plan import commit, prepare

    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    pixel = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=pixel.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{pixel.server_address[1]}"
    source = f"Local ![x](http://{host}/a.png) see http://{host}/b and www.example.org <b>bold</b> :red[red]"
    db = tmp_path_factory.mktemp("markup") / "journey.duckdb"
    s = open_store(db)
    try:
        # A newer vintage than the default data's, so the page shows this figure and its source.
        row = f'Worcestershire,cp_rate_per_10k,2024-25,44.0,,"{source}",,2026-11\n'
        plan = prepare(s, [("markup.csv", ("area,measure,period,value,symbol,source,notes,vintage\n" + row).encode())])
        assert plan.ok, plan.problems.frame().to_string()
        commit(s, plan)
    finally:
        s.close()
    try:
        with running_server(tmp_path_factory, db=db) as url:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            _open(page, f"{url}/indicator?la=Worcestershire")
            main = page.locator('[data-testid="stMain"]')
            main.get_by_text("Sources", exact=False).first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # time for any image the page would load
            text = main.inner_text().replace("\u200b", "")  # the zero-width spaces that stop autolinks
            assert f"![x](http://{host}/a.png)" in text and "<b>bold</b>" in text and ":red[red]" in text
            assert page.locator(f'img[src*="{host}"]').count() == 0
            assert page.locator(f'a[href*="{host}"]').count() == 0 and page.locator('a[href*="example.org"]').count() == 0
            page.close()
    finally:
        pixel.shutdown()
    assert hits == []
