"""Saying what is missing (issue 13, items 5-7): a comparator without a figure for the year is
named in words on tiles, takeaways, slides and the pack; an old latest figure shows its age; the
built-in board set picks a measure with a current figure; Ofsted's judgement sits beside the
LA's name.

The store is built by template imports onto the reference data: a Leeds with no Yorkshire and
The Humber figure for 2025, 3 of its 10 statistical neighbours (2025 model) with a CP rate,
none with a referral rate, an early help figure and a section 47 rate last given for 2013-14,
and an Ofsted inspection of 10 July 2023 graded 3 (Requires improvement to be good)."""

from __future__ import annotations

import io

import pytest
from fixtures import template_csv
from streamlit.testing.v1 import AppTest

from conftest import PROJECT, SHARED
from journey import areas, boards
from journey.benchmarks import benchmark
from journey.boardpack import build_pack
from journey.build import open_store
from journey.importing.plan import commit, prepare
from journey.inspections import inspection_history, latest_inspection
from journey.narrative import age_note, comparator_status, headline_sentence, missing_sentence, takeaway
from journey.selection import Selection
from journey.slides import build_slide

LEEDS = "383"
REGION = "Yorkshire and The Humber"
# Leeds's statistical neighbours in DfE's 2025 model, closest first (data/statistical_neighbours.csv).
NEIGHBOURS = ["851", "882", "373", "826", "382", "355", "801", "852", "306", "839"]

ROWS = [
    # CP rate at 31 March: Leeds 2024 and 2025; England both years; the region only 2024;
    # all ten neighbours in 2024, three of them in 2025 (30, 40, 50: mean and median 40.0).
    ("Leeds", "cp_rate_per_10k", "2024", "38.7"),
    ("Leeds", "cp_rate_per_10k", "2025", "36.0"),
    ("England", "cp_rate_per_10k", "2024", "41.4"),
    ("England", "cp_rate_per_10k", "2025", "40.6"),
    (REGION, "cp_rate_per_10k", "2024", "47.0"),
    *[(code, "cp_rate_per_10k", "2024", str(30 + n)) for n, code in enumerate(NEIGHBOURS)],
    (NEIGHBOURS[0], "cp_rate_per_10k", "2025", "30.0"),
    (NEIGHBOURS[4], "cp_rate_per_10k", "2025", "40.0"),
    (NEIGHBOURS[9], "cp_rate_per_10k", "2025", "50.0"),
    # Referral rate 2024-25: Leeds and England only (no region, no neighbour).
    ("Leeds", "referral_rate_per_10k", "2025", "500.0"),
    ("England", "referral_rate_per_10k", "2025", "519.4"),
    # Section 47 rate last given for 2013-14; ICPCs current.
    ("Leeds", "s47_rate_per_10k", "2014", "150.0"),
    ("England", "s47_rate_per_10k", "2014", "124.1"),
    ("Leeds", "icpc_rate_per_10k", "2025", "60.0"),
    # Early help, a local measure: 2013-14 only.
    ("Leeds", "early_help_assessments_rate_per_10k", "2014", "162.0"),
    # Children in need: England only, so Leeds's tile has no figure but England's.
    ("England", "cin_rate_per_10k", "2025", "330.3"),
    # A population figure a year ahead of the rest is context, not "the rest".
    ("Leeds", "population_0_17", "2026", "180000"),
]


def _import(s, rows, source: str = "Constructed for the test") -> None:
    plan = prepare(s, [("figures.csv", template_csv([f'{a},{m},{p},{v},,"{source}",' for a, m, p, v in rows]))])
    assert plan.ok, plan.problems.frame().to_string()
    commit(s, plan, acknowledged=True)


@pytest.fixture(scope="module")
def leeds_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("leeds") / "leeds.duckdb"
    s = open_store(path, load_default=False)
    try:
        _import(s, ROWS)
        _import(s, [("Leeds", "ofsted_overall_effectiveness", "2023-07-10", "3")], "Ofsted, LA inspection outcomes")
    finally:
        s.close()
    return path


@pytest.fixture()
def leeds(leeds_db):
    s = open_store(leeds_db)
    yield s
    s.close()


def _b(s, measure: str, year: int):
    return benchmark(s, areas.find_area(s, LEEDS), measure, year)


def test_a_missing_region_and_three_of_ten_neighbours_are_said(leeds):
    b = _b(leeds, "cp_rate_per_10k", 2025)
    status = {c.name: (c.value, c.detail, c.missing) for c in comparator_status(b)}
    assert status == {
        "England": (40.6, "", ""),
        REGION: (None, "", "No Yorkshire and The Humber figure at 31 Mar 2025."),
        "statistical neighbours": (40.0, "mean of 3 of 10 neighbours", ""),
    }
    assert headline_sentence(b) == (
        "At 31 March 2025 Leeds had 36.0 children on a child protection plan per 10,000, down from 38.7 a year "
        "earlier; England 40.6; statistical neighbours 40.0 (mean of 3 of 10 neighbours, 2025 model). "
        "No Yorkshire and The Humber figure at 31 Mar 2025."
    )
    labels = {2024: "31 Mar 2024", 2025: "31 Mar 2025"}
    lines = takeaway(b, labels, None)
    assert lines[1] == (
        "Leeds is lower than England (40.6) and lower than its statistical neighbours (40.0, mean of 3 of 10 neighbours)."
    )
    assert lines[2] == "No Yorkshire and The Humber figure at 31 Mar 2025."
    # A year with every comparator: nothing is said missing, and all ten neighbours count.
    full = _b(leeds, "cp_rate_per_10k", 2024)
    assert missing_sentence(full) is None
    assert "(mean of 10, 2025 model)" in headline_sentence(full)


def test_no_neighbour_figures_and_no_region_figure(leeds):
    b = _b(leeds, "referral_rate_per_10k", 2025)
    assert missing_sentence(b) == (
        "No Yorkshire and The Humber figure for 2024-25. "
        "No statistical-neighbour figures for 2024-25 (0 of 10 neighbours have one)."
    )
    # Only the comparators chosen are reported missing.
    assert missing_sentence(b, comparators=("England", "Statistical neighbours")) == (
        "No statistical-neighbour figures for 2024-25 (0 of 10 neighbours have one)."
    )
    assert missing_sentence(b, comparators=("England",)) is None


def test_a_national_measure_with_no_comparator_names_each(leeds):
    b = _b(leeds, "icpc_rate_per_10k", 2025)  # Leeds only
    assert missing_sentence(b) == (
        "No England figure for 2024-25. No Yorkshire and The Humber figure for 2024-25. "
        "No statistical-neighbour figures for 2024-25 (0 of 10 neighbours have one)."
    )


def test_a_local_measure_says_why_it_has_no_comparators(leeds):
    b = _b(leeds, "early_help_assessments_rate_per_10k", 2014)
    assert missing_sentence(b) == (
        "No England, Yorkshire and The Humber or statistical-neighbour figures for "
        "2013-14: this is a local measure, which DfE does not publish for other areas."
    )


def test_age_of_an_old_latest_figure(leeds):
    la = areas.find_area(leeds, LEEDS)
    assert age_note(leeds, la, 2014, "2013-14") == (
        "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025."
    )
    assert age_note(leeds, la, 2024, "2023-24") is None  # one year behind is current
    assert age_note(leeds, la, 2023, "2022-23") == "Latest figure 2022-23, 2 years before the rest: Leeds's figures run to 2025."
    # The selection's last year is "the rest" when it stops earlier.
    assert age_note(leeds, la, 2014, "2013-14", year_to=2015) is None
    slide = build_slide(leeds, Selection(la=LEEDS), "s47_rate_per_10k")
    assert slide.age == "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025."
    assert build_slide(leeds, Selection(la=LEEDS), "cp_rate_per_10k").age is None


def test_slide_takeaway_names_what_is_missing(leeds):
    slide = build_slide(leeds, Selection(la=LEEDS), "referral_rate_per_10k")
    assert "No Yorkshire and The Humber figure for 2024-25." in slide.takeaway[2]
    assert "No statistical-neighbour figures for 2024-25 (0 of 10 neighbours have one)." in slide.takeaway[2]


def test_built_in_set_prefers_a_measure_with_a_current_figure(leeds):
    measures = boards.built_in_measures(leeds, LEEDS)
    assert measures == [
        "early_help_assessments_rate_per_10k",  # every early help measure is old: the most recent one
        "referral_rate_per_10k",
        # assessment: no figure at all, so the stage is left out rather than opening on an empty slide
        "icpc_rate_per_10k",  # the s47 rate is 11 years old; ICPCs are current
        "cp_rate_per_10k",
        # children in need, looked after and care leavers: no figures in this store, left out too
    ]
    assert boards.default_set(LEEDS, leeds).measures == measures
    assert boards.set_for(leeds, LEEDS, "no such set").measures == measures
    # Without a store, the headline measures as before.
    assert boards.default_set(LEEDS).measures[3] == "s47_rate_per_10k"


def test_ofsted_judgement_with_its_date_and_source(leeds):
    found = latest_inspection(leeds, LEEDS)
    assert found.grade == 3 and found.words == "Requires improvement to be good"
    assert found.text == "Ofsted, inspected 10 July 2023: Requires improvement to be good"
    assert found.source.startswith("Ofsted, LA inspection outcomes")
    assert latest_inspection(leeds, "885") is None  # Worcestershire: none in this store


def test_ofsted_latest_of_several_inspections(tmp_path):
    s = open_store(tmp_path / "ofsted.duckdb", load_default=False)
    try:
        _import(
            s,
            [
                ("Leeds", "ofsted_overall_effectiveness", "2018-03-20", "2"),
                ("Leeds", "ofsted_overall_effectiveness", "2023-07-10", "1"),
            ],
            "Ofsted",
        )
        assert latest_inspection(s, LEEDS).text == "Ofsted, inspected 10 July 2023: Outstanding"
    finally:
        s.close()


def test_board_pack_says_age_missing_comparators_and_ofsted(leeds):
    from pypdf import PdfReader

    board = boards.BoardSet(
        "Test board",
        LEEDS,
        tuple(boards.BoardItem(m) for m in ("s47_rate_per_10k", "cp_rate_per_10k", "assessments_within_45_days_pct")),
    )
    reader = PdfReader(io.BytesIO(build_pack(leeds, Selection(la=LEEDS), board)))

    def text(n: int) -> str:
        return " ".join(reader.pages[n].extract_text().split())

    cover = text(0)
    assert "Ofsted, inspected 10 July 2023: Requires improvement to be good" in cover
    assert "Source: Ofsted, LA inspection outcomes" in cover
    assert "Latest figure 2013-14, 11 years before the rest" in cover
    assert "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025." in text(1)
    assert "No Yorkshire and The Humber figure for 2013-14." in text(1)
    assert "statistical neighbours (40.0, mean of 3 of 10 neighbours)" in text(2)
    assert "No Yorkshire and The Humber figure at 31 Mar 2025." in text(2)
    # An indicator with no figure at all: a page that says so, not a failed chart.
    assert "No figures for Leeds or its comparators on this indicator in the selected years." in text(3)
    assert "There are no figures for Leeds on this indicator in the selected years." in text(3)


# ---- pages ---------------------------------------------------------------------------------


def _app(db, monkeypatch, page: str, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("JOURNEY_DB", str(db))
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=90)
    at.query_params.update({"la": "Leeds", **(query or {})})
    at.switch_page(page)
    return at.run()


def test_overview_tiles_say_what_is_missing(leeds_db, monkeypatch):
    at = _app(leeds_db, monkeypatch, "views/overview.py")
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "England **40.6** · no Yorkshire and The Humber figure · SN mean of 3 of 10 neighbours **40.0**" in text
    assert "England **519.4** · no Yorkshire and The Humber figure · no SN figures" in text
    assert (
        "No Yorkshire and The Humber figure for 2024-25. No statistical-neighbour figures for 2024-25 "
        "(0 of 10 neighbours have one)."
    ) in text
    assert "a local measure: no England, region or neighbour figures" in text  # early help, 2013-14
    # No figure for Leeds: England's is still given where there is one (children in need).
    assert [m.value for m in at.metric].count("No data") == 4
    assert "England **330.3** (31 Mar 2025)" in text
    assert [w.value for w in at.warning] == [
        "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025.",  # early help
        "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025.",  # section 47
    ]
    badges = [e.proto.body for e in at.main if getattr(e, "type", "") == "markdown" and "badge" in e.proto.body]
    assert any("Ofsted, inspected 10 July 2023: Requires improvement to be good" in b for b in badges)
    # The source under it (text from the store, made literal).
    assert any(c.value.replace("\\", "") == "Source: Ofsted, LA inspection outcomes (release 2023-07)." for c in at.caption)


def test_presentation_shows_the_age_and_the_missing_comparators(leeds_db, monkeypatch):
    at = _app(leeds_db, monkeypatch, "views/present.py", {"present": "1"})
    assert not at.exception
    assert at.title[0].value == "Early help assessments per 10k"  # slide 1 of the built-in set
    assert [w.value for w in at.warning] == ["Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025."]
    at.button(key="next").click().run()
    assert at.title[0].value == "Referrals per 10k" and not at.warning
    takeaway_text = " ".join(m.value for m in at.markdown)
    assert "No statistical-neighbour figures for 2024-25 (0 of 10 neighbours have one)." in takeaway_text


def test_indicator_page_shows_the_age_and_lists_ofsted_judgements(leeds_db, monkeypatch):
    at = _app(leeds_db, monkeypatch, "views/indicator.py", {"measure": "s47_rate_per_10k"})
    assert not at.exception
    assert [w.value for w in at.warning] == ["Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025."]
    at = _app(leeds_db, monkeypatch, "views/indicator.py", {"measure": "ofsted_overall_effectiveness"})
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Judgement"].tolist() == ["Requires improvement to be good"]
    assert table["Inspected"].tolist() == ["10 July 2023"]
    assert not [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]  # never drawn as a number


# ---- the real Ofsted file (../shared; CI has it) ------------------------------------------------

OFSTED = SHARED / "samples" / "dfe_more" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"


@pytest.mark.skipif(not OFSTED.is_file(), reason=f"the DfE sample files are not beside the project ({OFSTED})")
def test_ofsted_file_gives_the_judgement_beside_the_la_name(tmp_path, monkeypatch):
    """Ofsted's sheet 'Inspections_as_at_31_March' gives Leeds Outstanding (inspected 21 February
    2022) and Birmingham Good (20 February 2023); Birmingham's earlier ILACS judgement (3
    December 2018, Requires improvement to be good) is in the history sheet."""
    db = tmp_path / "ofsted.duckdb"
    s = open_store(db, load_default=False)
    try:
        plan = prepare(s, [(OFSTED.name, OFSTED.read_bytes())])
        commit(s, plan, acknowledged=True)
        assert latest_inspection(s, LEEDS).text == "Ofsted, inspected 21 February 2022: Outstanding"
        birmingham = areas.find_area(s, "Birmingham").key
        assert latest_inspection(s, birmingham).text == "Ofsted, inspected 20 February 2023: Good"
        assert [(i.inspected.isoformat(), i.words) for i in inspection_history(s, birmingham)] == [
            ("2023-02-20", "Good"),
            ("2018-12-03", "Requires improvement to be good"),
        ]
    finally:
        s.close()
    at = _app(db, monkeypatch, "views/overview.py", {"la": "Birmingham"})
    assert not at.exception
    badges = [e.proto.body for e in at.main if getattr(e, "type", "") == "markdown" and "badge" in e.proto.body]
    assert any("Ofsted, inspected 20 February 2023: Good" in b for b in badges)


def test_a_current_monthly_run_is_not_old_even_when_the_yearly_figure_is(tmp_path):
    s = open_store(tmp_path / "monthly.duckdb", load_default=False)
    try:
        _import(s, [("Leeds", "cp_rate_per_10k", "2025", "36.0"), ("Leeds", "contacts", "2014", "9000")])
        assert build_slide(s, Selection(la=LEEDS), "contacts").age == (
            "Latest figure 2013-14, 11 years before the rest: Leeds's figures run to 2025."
        )
        months = [
            f"{m}-{y}"
            for y in ("24", "25")
            for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
        ][3:17]  # Apr-24 to May-25
        _import(s, [("Leeds", "contacts", m, str(700 + n)) for n, m in enumerate(months)], "Monthly scorecard")
        slide = build_slide(s, Selection(la=LEEDS), "contacts")
        assert slide.frequency == "monthly" and slide.age is None
    finally:
        s.close()
