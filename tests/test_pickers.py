"""The measure picker (ui/pickers.py) with ~200 measures, the Benchmarks summary's grouping and
filters, and judgements (Ofsted grades) that are never ranked or averaged."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import PROJECT
from journey.registry import JUDGEMENTS, STAGES, registry

REG = registry()


def app(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    if query:
        at.query_params.update(query)
    at.switch_page(page)
    return at


@pytest.fixture()
def use_default(default_db, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(default_db))
    return default_db


# ---- the options ---------------------------------------------------------------------------
def test_every_option_reads_differently_and_names_its_topic():
    from ui.pickers import option_labels

    labels = option_labels(REG.measures)
    assert len(labels) == len(REG) > 150
    assert len(set(labels.values())) == len(labels)  # the URL names a measure by its option
    assert labels["cla_rate_per_10k"] == "Children looked after per 10k · Children Looked After"
    # Two measures of one topic with one label (a number and its percentage) carry their unit.
    shared = [m for m in REG if Counter((x.label, x.topic) for x in REG)[(m.label, m.topic)] > 1]
    assert shared
    for m in shared:
        assert labels[m.id] == f"{m.label} ({m.unit}) · {m.topic}"


def test_options_are_grouped_by_stage_then_topic():
    from ui.pickers import ordered

    listed = ordered(REG.measures)
    assert sorted(m.id for m in listed) == sorted(m.id for m in REG)
    stages = [m.stage for m in listed]
    order = list(STAGES)
    assert stages == sorted(stages, key=order.index)  # journey order
    # Within a stage each topic is one run of options, never split.
    for stage in set(stages):
        topics = [m.topic for m in listed if m.stage == stage]
        runs = [t for i, t in enumerate(topics) if i == 0 or topics[i - 1] != t]
        assert len(runs) == len(set(topics)), (stage, runs)


# ---- the Indicator page --------------------------------------------------------------------
def test_stage_filter_narrows_the_indicator_list(use_default):
    at = app("views/indicator.py").run()
    assert not at.exception
    measure = at.selectbox(key="measure")
    assert at.selectbox(key="stage").value == "child_protection"
    assert measure.value == "cp_rate_per_10k"  # the stage's headline
    assert len(measure.options) == len(REG.by_stage()["child_protection"])
    at.selectbox(key="stage").select("care_leavers").run()
    measure = at.selectbox(key="measure")
    care_leavers = [m for m in REG if m.stage == "care_leavers"]
    assert len(measure.options) == len(care_leavers)
    assert all(o.endswith(" · Care leavers") for o in measure.options)
    assert measure.value == next(m.id for m in care_leavers if m.headline)
    assert at.title[0].value == REG.get(measure.value).label
    at.selectbox(key="stage").select("all").run()
    assert len(at.selectbox(key="measure").options) == len(REG)


def test_the_chosen_indicator_is_kept_in_the_url(use_default):
    at = app("views/indicator.py").run()
    stage, measure = at.selectbox(key="stage"), at.selectbox(key="measure")
    assert (stage.proto.query_param_key, measure.proto.query_param_key) == ("stage", "measure")
    stage.select("all").run()
    at.selectbox(key="measure").select("pct_of_lac_adopted").run()
    assert at.title[0].value == "Children looked after who were adopted in year"
    # The address bar then holds the options as read; a link with them opens the same view.
    text = at.selectbox(key="measure").options[at.selectbox(key="measure").index]
    assert text == "Children looked after who were adopted in year (%) · Adoption"
    again = app("views/indicator.py", {"stage": "All stages", "measure": text}).run()
    assert not again.exception
    assert (again.selectbox(key="stage").value, again.selectbox(key="measure").value) == ("all", "pct_of_lac_adopted")


@pytest.mark.parametrize("named", ["Children looked after per 10k", "cla_rate_per_10k"])
def test_a_link_made_before_topics_still_opens_its_measure(use_default, named):
    # Links used to name the measure by its label alone; an id works too.
    at = app("views/indicator.py", {"stage": "Children looked after", "measure": named}).run()
    assert not at.exception
    assert (at.selectbox(key="stage").value, at.selectbox(key="measure").value) == ("looked_after", "cla_rate_per_10k")
    # Without a stage, the measure's own stage is shown.
    at = app("views/indicator.py", {"measure": named}).run()
    assert (at.selectbox(key="stage").value, at.selectbox(key="measure").value) == ("looked_after", "cla_rate_per_10k")


# ---- the Board page ------------------------------------------------------------------------
def test_board_chooser_uses_the_picker_and_adds_the_choice(use_default):
    at = app("views/board.py").run()
    assert not at.exception
    before = [m.value for m in at.markdown if m.value.startswith("**") and ". " in m.value]
    choose = at.selectbox(key="add_measure")
    assert choose.value is None and choose.proto.query_param_key == ""  # a choice to add, not a view to link
    at.selectbox(key="add_stage").select("workforce").run()
    options = at.selectbox(key="add_measure").options
    assert len(options) == len([m for m in REG if m.stage == "workforce"]) > 5
    at.selectbox(key="add_measure").select("work_force_agecy_rate").run()
    next(b for b in at.button if b.label == "Add").click().run()
    after = [m.value for m in at.markdown if m.value.startswith("**") and ". " in m.value]
    assert len(after) == len(before) + 1
    assert after[-1].startswith(f"**{len(after)}. {REG.get('work_force_agecy_rate').label}**")


def test_board_chooser_offers_no_judgements(use_default):
    at = app("views/board.py").run()
    at.selectbox(key="add_stage").select("other").run()
    offered = at.selectbox(key="add_measure").options
    assert offered and not any("Ofsted inspection" in o for o in offered)


# ---- the Benchmarks summary ----------------------------------------------------------------
def summary_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """{expander label: its table} for the summary's tables (one per stage)."""
    return {e.label: e.dataframe[0].value for e in at.expander if e.dataframe and "Indicator" in e.dataframe[0].value.columns}


def test_benchmarks_summary_is_one_table_per_stage_in_journey_order(use_default):
    at = app("views/benchmarks.py").run()
    assert not at.exception
    tables = summary_tables(at)
    names = [label.rsplit(" (", 1)[0] for label in tables]
    assert names == [s for s in STAGES.values() if s in names] and len(names) >= 5
    for label, table in tables.items():
        stage = next(k for k, v in STAGES.items() if label.startswith(v + " ("))
        assert set(table["Indicator"]) <= {m.label for m in REG if m.stage == stage}
        assert label.endswith(f"({len(table)} indicator{'s' if len(table) != 1 else ''})")
        assert "no figure" not in set(table["Worcestershire"])  # only indicators with a figure, at first


def test_benchmarks_filters_change_the_rows(use_default):
    at = app("views/benchmarks.py").run()
    every = pd.concat(summary_tables(at).values())
    assert "Child protection plans per 10k" in set(every["Indicator"])

    at.multiselect(key="bm_stages").select("child_protection").run()
    tables = summary_tables(at)
    assert list(tables) == [f"Child protection ({len(tables[next(iter(tables))])} indicators)"]
    assert set(tables[next(iter(tables))]["Indicator"]) == set(
        every.loc[every["Indicator"].isin([m.label for m in REG if m.stage == "child_protection"]), "Indicator"]
    )

    at.toggle(key="bm_judged").set_value(True).run()  # neutral measures go
    shown = pd.concat(summary_tables(at).values())
    assert "Child protection plans per 10k" not in set(shown["Indicator"])
    assert set(shown["Indicator"]) <= {m.label for m in REG if m.polarity in ("high", "low")}
    assert (shown["Direction"].str.contains("better|worse|same|–")).all()

    at.multiselect(key="bm_stages").set_value([]).run()
    at.toggle(key="bm_judged").set_value(False).run()
    at.text_input(key="bm_search").input("ADOPTION ").run()  # case and spaces ignored
    at.toggle(key="bm_with_figure").set_value(False).run()  # measures without a figure too
    shown = pd.concat(summary_tables(at).values())
    wanted = [m for m in REG if "adoption" in f"{m.label} {m.topic} {m.id}".lower()]
    assert sorted(shown["Indicator"]) == sorted(m.label for m in wanted) and len(wanted) >= 6
    missing = shown[shown["Worcestershire"] == "no figure"]
    assert (missing[["England", "SN mean", "Rank"]] == "–").all().all()

    at.text_input(key="bm_search").input("no indicator is called this").run()
    assert not summary_tables(at)
    assert any("No indicator matches these filters" in i.value for i in at.info)


def test_benchmarks_filters_are_kept_in_the_url(use_default):
    at = app("views/benchmarks.py").run()
    keys = {
        w.key: w.proto.query_param_key
        for w in (
            at.multiselect(key="bm_stages"),
            at.text_input(key="bm_search"),
            at.toggle(key="bm_with_figure"),
            at.toggle(key="bm_judged"),
        )
    }
    assert keys == {k: k for k in keys}
    linked = app("views/benchmarks.py", {"bm_stages": "Child protection", "bm_search": "plans"}).run()
    tables = summary_tables(linked)
    assert len(tables) == 1 and next(iter(tables)).startswith("Child protection (")
    assert all("plan" in i.lower() for i in next(iter(tables.values()))["Indicator"])


def test_ranked_chart_chooser_offers_no_counts_or_judgements(use_default):
    at = app("views/benchmarks.py").run()
    chooser = at.selectbox(key="rank_measure")
    assert chooser.value == "cp_rate_per_10k" and at.selectbox(key="rank_stage").value == "all"
    offered = set(chooser.options)
    from ui.pickers import option_labels

    labels = option_labels(REG.measures)
    assert not any(labels[m.id] in offered for m in REG if m.kind in ("count", "judgement"))
    assert labels["assessments_within_45_days_pct"] in offered
    at.selectbox(key="rank_stage").select("care_leavers").run()
    assert all(o.endswith("· Care leavers") for o in at.selectbox(key="rank_measure").options)


# ---- judgements ----------------------------------------------------------------------------
GRADES = {"885": 3, "884": 2}  # Worcestershire: requires improvement; Herefordshire: good


@pytest.fixture()
def ofsted_db(tmp_path, default_db):
    """A copy of the default store with an overall effectiveness grade for every current LA
    (inspected in June 2024: reporting year 2025), Worcestershire's neighbours included."""
    import shutil

    from journey.build import open_store
    from journey.store import Store

    path = tmp_path / "ofsted.duckdb"
    shutil.copy(default_db, path)
    s = open_store(path)
    las = s.query("SELECT code, area_key FROM areas WHERE type = 'LA' AND last_year >= 2025")
    day = dt.date(2024, 6, 12)
    rows = pd.DataFrame(
        {
            "area_code": las["code"],
            "measure": "ofsted_overall_effectiveness",
            "period_start": day,
            "period_end": day,
            "reporting_year": 2025,
            "value": [float(GRADES.get(k, 1 + i % 4)) for i, k in enumerate(las["area_key"])],
            "symbol": None,
            "source": "Ofsted, LA inspection outcomes (test)",
            "vintage": "2025-03",
            "note": None,
        }
    )
    with s.transaction() as con:
        import_id = Store.new_import(con, "cli", label="Ofsted grades (test)", file_name="ofsted_test")
        Store.insert_observations(con, import_id, rows)
    s.close()
    return path


def test_a_judgement_gets_no_rank_average_or_difference(ofsted_db):
    from journey.benchmarks import benchmark, series_rows, sn_stats
    from journey.build import open_store

    s = open_store(ofsted_db)
    try:
        b = benchmark(s, "885", "ofsted_overall_effectiveness", 2025)
        assert b.value == 3.0 and b.measure.format(b.value) == JUDGEMENTS[3] == "Requires improvement to be good"
        assert (b.sn, b.sn_mean, b.sn_median, b.ranking) == (None, None, None, None)
        assert (b.change, b.movement, b.judgement) == (None, None, None)
        assert b.england is not None and b.england.difference is None and b.england.pct_difference is None
        assert sn_stats(s, b.area, "ofsted_overall_effectiveness", 2025) is None
        row = series_rows(s, b.area, "ofsted_overall_effectiveness")[-1]
        assert (row.value, row.sn_mean, row.sn_median, row.sn_used) == (3.0, None, None, 0)
        # A number measure next to it is still ranked and averaged.
        other = benchmark(s, "885", "cp_rate_per_10k", 2025)
        assert other.sn is not None and other.sn.n > 0
    finally:
        s.close()


def test_benchmarks_page_shows_a_judgement_in_words_unranked(ofsted_db, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(ofsted_db))
    at = app("views/benchmarks.py", {"bm_search": "overall effectiveness"}).run()
    assert not at.exception
    tables = summary_tables(at)
    assert list(tables) == ["Other safeguarding measures (1 indicator)"]
    row = next(iter(tables.values())).iloc[0]
    assert row["Indicator"] == REG.get("ofsted_overall_effectiveness").label
    assert row["Worcestershire"] == "Requires improvement to be good"
    assert (row["SN mean"], row["SN median"], row["SN used"], row["Rank"], row["Band"], row["Change"]) == ("–",) * 6
    assert row["Coverage"] == "not ranked: an inspection judgement, not a number"
    at.selectbox(key="la").select("884").run()
    row = next(iter(summary_tables(at).values())).iloc[0]
    assert row["Herefordshire, County of"] == "Good" and row["Rank"] == "–"
