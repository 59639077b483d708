"""The dashboard under streamlit.testing.v1.AppTest: every page, every widget path."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import PROJECT, published_value
from journey.cli import main as cli_main

PAGES = [
    "views/overview.py",
    "views/journey_flow.py",
    "views/indicator.py",
    "views/benchmarks.py",
    "views/data_sources.py",
    "views/upload.py",
    "views/board.py",
]
DATA_PAGES = [*PAGES[:4], "views/board.py"]


def published(area_code: str, measure: str, year: str) -> str:
    """A one-decimal figure as the shipped data gives it (newest vintage), straight from data/."""
    return f"{published_value(area_code, measure, int(year)):.1f}"


def app(db, page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=90)
    if query:
        at.query_params.update(query)
    if page:
        at.switch_page(page)
    return at


@pytest.fixture()
def use_default(default_db, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(default_db))
    return default_db


@pytest.fixture()
def use_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("JOURNEY_NO_DEFAULT", "1")
    return tmp_path / "empty.duckdb"


def tile(at: AppTest, measure_label: str):
    """The metric of the tile headed by this measure label (the markdown just before it)."""
    headings = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]
    index = next(i for i, h in enumerate(headings) if h.strip("*").startswith(measure_label))
    return at.metric[index]


def tile_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_default_data(use_default, page):
    at = app(use_default, page).run()
    assert not at.exception, at.exception
    assert not at.error
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", DATA_PAGES)
def test_every_page_with_empty_store_says_no_data_and_links_upload(use_empty, page):
    at = app(use_empty, page).run()
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)
    links = [e for e in at.main if type(e).__name__ == "PageLink" or getattr(e, "type", "") == "page_link"]
    assert any("upload" in str(getattr(link, "proto", link)).lower() for link in links)
    assert not at.metric  # no empty tiles or blank charts


def test_data_and_upload_pages_with_empty_store(use_empty):
    at = app(use_empty, "views/data_sources.py").run()
    assert not at.exception and any("No figures yet" in i.value for i in at.info)
    at = app(use_empty, "views/upload.py").run()
    assert not at.exception
    assert at.button(key="load_default")


def test_load_default_dataset_from_upload_page(use_empty):
    at = app(use_empty, "views/upload.py").run()
    at.button(key="load_default").click().run()
    assert not at.exception
    at = app(use_empty, "views/overview.py").run()
    assert tile(at, "Child protection plans per 10k").value == "43.5"


def test_overview_tiles_worcestershire_2025_match_cli_show(use_default, capsys):
    at = app(use_default).run()
    checks = {
        "Children in need per 10k": "cin_rate_per_10k",
        "Child protection plans per 10k": "cp_rate_per_10k",
        "Children looked after per 10k": "cla_rate_per_10k",
        "Referrals per 10k": "referral_rate_per_10k",
    }
    text = tile_text(at)
    for label, measure in checks.items():
        assert cli_main(["show", "Worcestershire", measure, "--db", str(use_default)]) == 0
        out = capsys.readouterr().out.splitlines()
        row = next(line for line in out if line.startswith(("31 Mar 2025", "2024-25")))
        cells = row.split()
        la, england, region, sn_mean = cells[-10:-6] if False else _cells(row)
        t = tile(at, label)
        assert t.value == la
        assert f"England **{england}**" in text
        assert f"West Midlands **{region}**" in text
        assert f"SN mean **{sn_mean}**" in text


def _cells(row: str) -> tuple[str, str, str, str]:
    """LA, England, region, SN mean from a `journey show` row (period may be one or three words)."""
    parts = row.split()
    start = 3 if parts[0] == "31" else 1
    return parts[start], parts[start + 1], parts[start + 2], parts[start + 3]


def test_cp_tile_sentence_as_in_the_brief(use_default):
    at = app(use_default).run()
    assert (
        "At 31 March 2025 Worcestershire had 43.5 children on a child protection plan per 10,000, down from 49.8 "
        "a year earlier; England 40.6; West Midlands 40.3; statistical neighbours 35.0 (mean of 10, 2025 model)."
    ) in tile_text(at)


def test_neutral_measures_never_coloured(use_default):
    at = app(use_default).run()
    for label in (
        "Children in need per 10k",
        "Child protection plans per 10k",
        "Children looked after per 10k",
        "Referrals per 10k",
        "Section 47 enquiries per 10k",
    ):
        assert tile(at, label).proto.color == 2 or str(tile(at, label).proto.color) in ("GRAY", "2"), label
    # A measure with polarity is coloured: assessments on time fell, which is worse (red).
    judged = tile(at, "Assessments completed within 45 working days")
    assert judged.proto.color != tile(at, "Child protection plans per 10k").proto.color


def test_changing_la_changes_tiles(use_default):
    at = app(use_default).run()
    assert tile(at, "Child protection plans per 10k").value == "43.5"
    at.selectbox(key="la").select("884").run()  # Herefordshire
    assert not at.exception
    assert tile(at, "Child protection plans per 10k").value == published("E06000019", "cp_rate_per_10k", "2025")
    assert "Herefordshire" in tile_text(at)


def test_changing_period_changes_tiles(use_default):
    at = app(use_default).run()
    at.select_slider(key="years").set_range(2013, 2020).run()
    t = tile(at, "Child protection plans per 10k")
    assert t.label == "31 Mar 2020"
    assert t.value == published("E10000034", "cp_rate_per_10k", "2020")


def test_changing_comparators_changes_tiles(use_default):
    at = app(use_default).run()
    at.multiselect(key="cmp").set_value(["Statistical neighbours"]).run()
    text = tile_text(at)
    assert "England **" not in text and "SN mean **35.0**" in text
    at.radio(key="sn").set_value("median").run()
    assert "SN median **32.5**" in tile_text(at)
    at.radio(key="model").set_value(2021).run()
    assert "2021 model" in tile_text(at)


def _chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.main if type(e).__name__ == "UnknownElement" and hasattr(e.proto, "spec")]


def test_indicator_page_chart_and_table_follow_the_selection(use_default):
    at = app(use_default, "views/indicator.py").run()
    assert at.selectbox(key="measure").value == "cp_rate_per_10k"
    spec = _chart_specs(at)[0]
    assert "Worcestershire: 28.0 in 31 Mar 2009 to 43.5 in 31 Mar 2025" in spec["description"]
    # The count under the rate, as published: 522 plans at 31 March 2025
    counts = next(m.value for m in at.markdown if m.value.startswith("**Children on a child protection plan"))
    assert "(Worcestershire): " in counts and counts.endswith(", 31 Mar 2025 522")
    at.toggle(key="zero").set_value(True).run()
    assert json.dumps(_chart_specs(at)[0]).count('"zero": true') >= 1
    at.toggle(key="table").set_value(True).run()
    table = at.dataframe[0].value
    assert table.loc["31 Mar 2025", "Worcestershire"] == "43.5"
    assert table.loc["31 Mar 2025", "England"] == "40.6"
    assert at.get("download_button")
    at.selectbox(key="la").select("884").run()
    table = at.dataframe[0].value
    assert table.loc["31 Mar 2025", "Herefordshire, County of"] == published("E06000019", "cp_rate_per_10k", "2025")


def test_indicator_suppressed_years_are_gaps_with_symbol_explained(use_default):
    at = app(
        use_default,
        "views/indicator.py",
        {"la": "Westmorland and Furness", "stage": "Children looked after", "measure": "Children looked after per 10k"},
    ).run()
    assert not at.exception
    text = tile_text(at)
    assert "\u201cz\u201d Not applicable" in text


def test_indicator_draws_monthly_figures_that_include_leap_day_februaries(use_copy):
    """Issue 12: a period ending 29 February broke every load of Indicator > Referrals."""
    from fixtures import template_csv

    from journey.build import open_store
    from journey.importing.plan import commit, prepare

    months = [
        f"{m}-{y}"
        for y in ("23", "24")
        for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    ]
    rows = [f"Herefordshire,referrals,{m},{300 + i},,Monthly scorecard," for i, m in enumerate(months)]
    s = open_store(use_copy)
    try:
        plan = prepare(s, [("monthly.csv", template_csv(rows))])
        assert plan.ok, plan.problems.frame().to_string()
        commit(s, plan)
    finally:
        s.close()
    at = app(
        use_copy,
        "views/indicator.py",
        {"la": "Herefordshire, County of", "stage": "Front door: contacts and referrals", "measure": "Referrals"},
    ).run()
    assert not at.exception
    assert any("Monthly figures" in h.value for h in at.subheader)
    with_table = app(
        use_copy,
        "views/indicator.py",
        {"la": "Herefordshire, County of", "stage": "Front door: contacts and referrals", "measure": "Referrals"},
    ).run()
    monthly = next(d.value for d in with_table.dataframe if "Period" in d.value.columns)
    assert monthly["Period"].tolist()[12:15] == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert monthly["Referrals"].tolist()[13] == "313"


def test_url_query_params_restore_the_view(use_default):
    query = {
        "la": "Herefordshire, County of",
        "cmp": ["England", "Region"],
        "sn": "median",
        "model": "2021",
        "years": ["2021", "2024"],
        "stage": "Children looked after",
        "measure": "Children looked after per 10k",
    }
    at = app(use_default, "views/indicator.py", query).run()
    assert not at.exception
    assert at.selectbox(key="la").value == "884"
    assert at.multiselect(key="cmp").value == ["England", "Region"]
    assert at.radio(key="sn").value == "median"
    assert at.radio(key="model").value == 2021
    assert at.select_slider(key="years").value == (2021, 2024)
    assert at.selectbox(key="stage").value == "looked_after"
    assert at.selectbox(key="measure").value == "cla_rate_per_10k"
    description = _chart_specs(at)[0]["description"]
    assert "Herefordshire" in description and "31 Mar 2024" in description and "2025" not in description
    assert "Statistical neighbours" not in description


def test_journey_page_flow_and_conversions(use_default):
    at = app(use_default, "views/journey_flow.py").run()
    assert not at.exception
    assert at.selectbox(key="flow_year").value == 2025
    conversions = at.dataframe[1].value.set_index("Step")
    assert conversions.loc["Referrals leading to a section 47 enquiry", "Conversion"] == "46.2%"
    table = at.dataframe[0].value.set_index("Stage")
    assert table.loc["Referrals", "Worcestershire: count"] == "4,805"
    at.selectbox(key="flow_year").select(2024).run()
    assert at.dataframe[0].value.set_index("Stage").loc["Referrals", "Worcestershire: count"] == "4,784"


def _summary(at: AppTest) -> pd.DataFrame:
    """The Benchmarks page's summary (a table per stage) as one frame indexed by indicator."""
    return pd.concat([d.value for d in at.dataframe if "Indicator" in d.value.columns]).set_index("Indicator")


def test_benchmarks_page_summary_and_ranking(use_default):
    at = app(use_default, "views/benchmarks.py").run()
    assert not at.exception
    summary = _summary(at)
    row = summary.loc["Child protection plans per 10k"]
    assert (row["Worcestershire"], row["England"], row["SN mean"], row["SN median"]) == ("43.5", "40.6", "35.0", "32.5")
    assert row["Rank"] == "–" and row["Direction"] == "down"  # neutral: no rank, no judgement
    judged = summary.loc["Assessments completed within 45 working days (%)"]
    assert judged["Direction"] == "down (worse)" and judged["Band"] in "ABCD" and "of 153 LAs" in judged["Coverage"]
    spec = _chart_specs(at)[0]
    assert "among 11 LAs" in spec["description"]  # Worcestershire and its 10 neighbours
    at.radio(key="rank_scope").set_value("All LAs in the store").run()
    assert "among 11 LAs" not in _chart_specs(at)[0]["description"]


def test_data_sources_page_lists_conflicts_and_symbols(use_default):
    at = app(use_default, "views/data_sources.py").run()
    frames = [d.value for d in at.dataframe]
    conflicts = next(f for f in frames if "Kind" in f.columns)
    cp = conflicts[
        (conflicts["Area"] == "Worcestershire") & (conflicts["Measure"] == "Children on a child protection plan at 31 March")
    ]
    assert sorted(cp["Value"]) == ["589", "596", "596"]  # the board report against EES and LAIT, which agree
    symbols = next(f for f in frames if "symbol" in f.columns)
    assert {"c", "x", "z", "u", "-"} <= set(symbols["symbol"])
    sources = next(f for f in frames if "Vintage" in f.columns)
    lait = sources[sources["Source"].str.contains("LAIT")].iloc[0]
    assert lait["Vintage"] == "2026-04" and lait["Figures"] > 6000 and lait["First year"] <= 2016


# ---- Upload page ----------------------------------------------------------------------------


@pytest.fixture()
def use_copy(default_db, tmp_path, monkeypatch):
    """A private copy of the default store, for tests that import."""
    db = tmp_path / "copy.duckdb"
    db.write_bytes(default_db.read_bytes())
    monkeypatch.setenv("JOURNEY_DB", str(db))
    return db


def _upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="files").set_value([(name, data, "application/octet-stream") for name, data in files]).run()
    at.button(key="check").click().run()
    return at


def test_upload_preview_confirm_and_undo(use_copy):
    from fixtures import scorecard_xlsx

    at = app(use_copy, "views/upload.py").run()
    assert at.get("download_button")  # the template
    _upload(at, [("Scorecard June 2025.xlsx", scorecard_xlsx())])
    assert not at.exception
    assert [m.value for m in at.metric] == ["15", "0", "0", "4"]
    new = at.dataframe[0].value if "problem" not in at.dataframe[0].value.columns else at.dataframe[1].value
    assert "Number of referrals" not in set(new["measure"]) and "Referrals" in set(new["measure"])
    at.button(key="confirm").click().run()
    assert not at.exception
    assert any("Imported as import" in s.value for s in at.success)
    history = at.dataframe[-1].value
    assert history.iloc[0]["Status"] == "committed" and history.iloc[0]["Figures added"] == 15
    at.button(key="undo").click().run()
    assert any("removes the 15 figures it added" in w.value.replace("\\", "") for w in at.warning)  # asks first
    assert at.dataframe[-1].value.iloc[0]["Status"] == "committed"
    at.button(key="undo_yes").click().run()
    assert any("undone" in s.value for s in at.success)
    assert at.dataframe[-1].value.iloc[0]["Status"] == "undone"


def _history(at: AppTest) -> dict[int, str]:
    frame = at.dataframe[-1].value
    return dict(zip(frame["Import"].astype(int), frame["Status"]))


def test_undo_offers_the_latest_import_names_it_and_can_be_cancelled(use_copy):
    from fixtures import template_csv

    at = app(use_copy, "views/upload.py").run()
    for value, period in ((300, "Feb-20"), (310, "Feb-24")):  # leap-year months import and show
        _upload(at, [(f"monthly {period}.csv", template_csv([f"Herefordshire,referrals,{period},{value},,,"]))])
        assert not at.exception and not at.error
        at.button(key="confirm").click().run()
        assert not at.exception
    first, second = sorted(i for i, status in _history(at).items() if status == "committed" and i > 1)
    box = next(b for b in at.selectbox if b.label.startswith("Undo an import"))
    assert box.value == second and f"import {second}: monthly Feb-24.csv" in box.format_func(box.value)
    at.button(key="undo").click().run()
    warning = " ".join(w.value.replace("\\", "") for w in at.warning)  # Markdown escapes removed
    assert f"Undo import {second}: monthly Feb-24.csv" in warning and "removes the 1 figure it added" in warning
    at.button(key="undo_no").click().run()  # cancel: nothing changes
    assert _history(at)[second] == "committed" and not at.warning
    at.button(key="undo").click().run()
    at.button(key="undo_yes").click().run()
    assert _history(at)[second] == "undone" and _history(at)[first] == "committed"
    # The box now offers the import that is latest again.
    box = next(b for b in at.selectbox if b.label.startswith("Undo an import"))
    assert box.value == first


def test_upload_with_errors_shows_them_and_offers_no_import(use_copy):
    from fixtures import template_csv

    at = _upload(app(use_copy, "views/upload.py").run(), [("bad.csv", template_csv(["Worcestershire,referrals,2025,-4,,,"]))])
    assert any("must be fixed" in e.value for e in at.error)
    problems = at.dataframe[0].value
    assert problems.iloc[0]["row"] == 2 and "negative" in problems.iloc[0]["problem"]
    assert not [b for b in at.button if b.key == "confirm"]


def test_upload_maps_an_unrecognised_row_label(use_copy):
    from fixtures import template_csv

    at = _upload(
        app(use_copy, "views/upload.py").run(), [("card.csv", template_csv(["Worcestershire,Kids on CP plans,Apr-25,522,,,"]))]
    )
    mapping = next(s for s in at.selectbox if s.label.startswith("Which measure is the row"))
    mapping.select("cp_plans").run()
    at.button(key="check").click().run()
    assert not at.error
    at.button(key="confirm").click().run()
    assert any("Imported as import" in s.value for s in at.success)


@pytest.mark.skipif(
    not (PROJECT.parent / "shared" / "samples" / "dfe").is_dir(), reason="the DfE sample files are not beside the project"
)
def test_upload_dfe_samples_then_benchmarks_rank_every_la(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(tmp_path / "own.duckdb"))
    monkeypatch.setenv("JOURNEY_NO_DEFAULT", "1")  # the default data already holds these files' figures
    samples = sorted((PROJECT.parent / "shared" / "samples" / "dfe").iterdir())
    at = _upload(app(None, "views/upload.py").run(), [(f.name, f.read_bytes()) for f in samples])
    assert not at.error
    at.button(key="confirm").click().run()
    at = app(None, "views/benchmarks.py").run()
    row = _summary(at).loc["Second or subsequent CP plans (%)"]
    assert row["Rank"].endswith("of 153") and row["Band"] in "ABCD"


def test_uploaded_names_are_shown_as_text_not_markup(use_copy):
    from fixtures import template_csv

    from ui.text import literal

    # Escaped, and the address broken with zero-width spaces so it cannot become a link.
    assert literal("[click](http://x.example)") == r"\[click\]\(http\:" + "\u200b//\u200b" + r"x\.example\)"
    name = "[click](x.example) <b>bold.csv"  # a "/" would end the name: only the last part of a path is kept
    at = _upload(app(use_copy, "views/upload.py").run(), [(name, template_csv(["Worcestershire,referrals,Apr-25,5,,,"]))])
    shown = next(m.value for m in at.markdown if "read as" in m.value)
    assert "\\[click\\]" in shown and "\\<b\\>" in shown


def test_tiles_follow_a_change_to_the_store_made_elsewhere(use_copy):
    """Page caches are keyed by the store's version, so a write that does not clear them (another
    session, the command line in the same server) still shows on the next rerun."""
    from fixtures import template_csv

    from journey.importing.formats import Options
    from journey.importing.plan import commit, prepare
    from ui.data import store as data_store

    at = app(use_copy).run()
    assert tile(at, "Child protection plans per 10k").value == "43.5"
    shared = data_store()  # the server's own store object, as another session would use it
    plan = prepare(
        shared,
        [("revised.csv", template_csv(["Worcestershire,cp_rate_per_10k,2025,44.0,,A later release,"]))],
        Options(vintage="2026-10"),
    )
    commit(shared, plan)  # no st.cache_data.clear() here
    at.run()
    assert tile(at, "Child protection plans per 10k").value == "44.0"


# ---- board meetings ----------------------------------------------------------------------
def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _slide_counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Slide "))


def test_presentation_mode_has_no_sidebar_and_steps_through_the_set(use_default):
    at = app(use_default, query={"present": "1"}).run()
    assert not at.exception and not at.error
    assert not at.sidebar.children or all(not c.children for c in at.sidebar.children.values())
    assert _slide_counter(at) == "**Slide 1 of 8**"
    assert at.title[0].value == "Early help assessments per 10k"
    assert _button(at, "Previous").disabled
    _button(at, "Next").click().run()
    assert _slide_counter(at) == "**Slide 2 of 8**" and at.title[0].value == "Referrals per 10k"
    assert at.query_params["slide"] in ("2", ["2"])
    text = "\n".join(m.value for m in at.markdown)
    assert "Up 0.2 from 399.8 in 2023-24 to 400.0" in text  # the takeaway, from the published figures
    _button(at, "Previous").click().run()
    assert _slide_counter(at) == "**Slide 1 of 8**"


def test_presentation_link_opens_a_chosen_slide_and_exit_returns_to_the_board_page(use_default, store):
    # Birmingham has no early help figures (local data): the built-in set has the other 7 stages.
    at = app(use_default, query={"present": "1", "slide": "7", "la": "Birmingham"}).run()
    assert _slide_counter(at) == "**Slide 7 of 7**" and _button(at, "Next").disabled
    assert "Birmingham" in at.markdown[0].value
    _button(at, "Exit").click().run()
    assert not at.exception
    assert "present" not in at.query_params
    assert at.title[0].value == "Board set & pack"
    from journey.areas import find_area

    assert at.sidebar.selectbox(key="la").value == find_area(store, "Birmingham").key


def test_board_set_editor_saves_orders_undoes_and_presents(use_copy):
    at = app(use_copy, "views/board.py").run()
    assert not at.exception
    assert len([b for b in at.button if b.label == "Remove"]) == 8  # the built-in headline set
    # Move the second indicator up, give assessments a target and a comment, name and save.
    [b for b in at.button if b.label == "Up"][1].click().run()
    target = next(n for n in at.number_input if n.label.startswith("Target (%)"))
    target.set_value(90.0)
    next(t for t in at.text_area if t.key.startswith("comment_")).set_value("Referrals first: the front door review.")
    at.text_input[0].set_value("March board")
    _button(at, "Save board set").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Saved 'March board'."
    from journey import boards
    from journey.build import open_store

    def saved():
        s = open_store(use_copy)
        try:
            return boards.load_set(s, "March board")
        finally:
            s.close()

    at_saved = saved()
    assert at_saved.measures[:2] == ["referral_rate_per_10k", "early_help_assessments_rate_per_10k"]
    assert at_saved.items[0].comment == "Referrals first: the front door review."
    assert next(i for i in at_saved.items if i.measure == "assessments_within_45_days_pct").target == 90.0
    assert at.selectbox(key="board_set").value == "March board"
    link = next(b for b in at.get("link_button") if b.proto.label == "Start presentation").proto.url
    assert "present=1" in link and "set=March+board" in link
    # A bad save names the problem and writes nothing.
    at.text_input[0].set_value("")
    _button(at, "Save board set").click().run()
    assert "Give the set a name" in at.error[0].value
    _button(at, "Undo last change").click().run()
    assert saved() is None  # undoing the only save removes the set


def test_board_pack_builds_with_progress_and_offers_the_pdf(use_default):
    at = app(use_default, "views/board.py").run()
    _button(at, "Build the board pack (PDF)").click().run(timeout=120)
    assert not at.exception and not at.error
    assert any(b.proto.label == "Download the board pack" for b in at.get("download_button"))
    assert any("9 pages" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "page, keys",
    [
        ("views/indicator.py", ["trend_csv", "trend_xlsx", "trend_png", "trend_svg"]),
        ("views/benchmarks.py", ["summary_csv", "summary_xlsx", "ranked_csv", "ranked_png", "ranked_svg"]),
        ("views/journey_flow.py", ["flow_csv", "flow_xlsx", "flow_png", "flow_svg", "conversion_csv"]),
        ("views/overview.py", ["headlines_csv", "headlines_xlsx"]),
        ("views/data_sources.py", ["sources_csv", "measures_xlsx"]),
    ],
)
def test_every_table_and_chart_offers_downloads(use_default, page, keys):
    at = app(use_default, page).run()
    ids = [b.proto.id for b in at.get("download_button")]  # a widget's id ends with its key
    assert {"CSV", "Excel"} <= {b.proto.label for b in at.get("download_button")}
    for key in keys:
        assert any(i.endswith(f"-{key}") for i in ids), (key, ids)


def test_indicator_page_shows_the_takeaway_and_process_limits(use_default):
    at = app(use_default, "views/indicator.py").run()
    text = "\n".join(m.value for m in at.markdown)
    assert "Down 6.3 (13%) from 49.8 at 31 Mar 2024 to 43.5" in text
    assert "within the usual range for this series" in text
    assert any("natural process limits" in c.value for c in at.caption)
    at.toggle(key="spc").set_value(False).run()
    assert not any("natural process limits" in c.value for c in at.caption)


def test_read_only_deployment_shows_figures_and_refuses_imports_plainly(use_copy, monkeypatch):
    """JOURNEY_READ_ONLY=1: how several servers share one database file (README, scaling)."""
    from fixtures import template_csv

    monkeypatch.setenv("JOURNEY_READ_ONLY", "1")
    at = app(use_copy, "views/overview.py").run()
    assert not at.exception and "43.5" in [m.value for m in at.metric]
    at = _upload(app(use_copy, "views/upload.py").run(), [("card.csv", template_csv(["Worcestershire,referrals,Apr-25,5,,,"]))])
    at.button(key="confirm").click().run()
    assert not at.exception
    assert any("read-only" in e.value.replace("\\", "") for e in at.error)


@pytest.mark.skipif(not (PROJECT.parent / "shared" / "samples").exists(), reason="../shared/samples is not beside the project")
def test_upload_page_imports_laits_whole_parquet_and_ofsteds_ods(tmp_path, monkeypatch):
    """LAIT's whole dataset and Ofsted's workbook through the Upload page, as a data owner would."""
    monkeypatch.setenv("JOURNEY_DB", str(tmp_path / "own.duckdb"))
    monkeypatch.setenv("JOURNEY_NO_DEFAULT", "1")
    shared = PROJECT.parent / "shared" / "samples"
    files = [shared / "lait" / "bds_long_0.parquet", shared / "dfe_more" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"]
    at = _upload(app(None, "views/upload.py").run(), [(f.name, f.read_bytes()) for f in files])
    assert not at.exception and not at.error
    at.button(key="confirm").click().run()
    assert not at.exception
    from journey.build import open_store

    s = open_store(tmp_path / "own.duckdb")
    try:
        lait = pd.read_parquet(files[0])
        raw = lait[(lait["Short Desc"] == "CIN") & (lait["Years"] == "2025") & (lait["LA Number"] == 383)]["Values"].iloc[0]
        leeds = s.query(
            """SELECT o.value FROM observations o JOIN areas a ON a.code = o.area_code
               WHERE a.area_key = '383' AND o.measure = 'cin_rate_per_10k' AND o.reporting_year = 2025"""
        )
        assert leeds["value"].tolist() == [pytest.approx(float(raw))]
        grades = s.query("SELECT count(*) AS n FROM observations WHERE measure = 'ofsted_overall_effectiveness'")["n"].iloc[0]
        assert grades > 150
    finally:
        s.close()
