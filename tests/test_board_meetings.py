"""Board meetings in journey/: the XmR check, takeaway sentences, board sets, exports that
re-import unchanged, the PDF board pack, and the colour contrast of the chart palette."""

from __future__ import annotations

import dataclasses
import io
import struct

import pandas as pd
import pytest

from journey import boards, figures
from journey.benchmarks import benchmark, judge, period_labels
from journey.boardpack import RAG_FILL, build_pack
from journey.build import open_store
from journey.charts import SIGNAL_COLOUR, SPC_COLOUR, STYLES, trend_chart
from journey.errors import JourneyError
from journey.exports import chart_png, chart_svg, csv_bytes, header_block, xlsx_bytes
from journey.importing.plan import commit, prepare
from journey.narrative import change_sentence, comparator_sentence, takeaway, unusual_sentence
from journey.registry import registry
from journey.selection import Selection, tidy_figures, trend_area_keys, trend_frame, wide_table
from journey.slides import build_slide, local_series
from journey.spc import xmr

WORCS = "885"


# ---- XmR ---------------------------------------------------------------------------------
def test_xmr_limits_from_the_average_moving_range():
    values = [10, 12] * 6  # mean 11, every moving range 2
    a = xmr([str(i) for i in range(12)], values)
    assert a.mean == pytest.approx(11)
    assert a.moving_range == pytest.approx(2)
    assert a.upper == pytest.approx(11 + 2.66 * 2)
    assert a.lower == pytest.approx(11 - 2.66 * 2)
    assert a.enough and not any(p.signal for p in a.points)
    assert a.latest_finding() is None


def test_xmr_point_outside_the_limits():
    a = xmr([str(i) for i in range(13)], [10, 12] * 6 + [25])
    # mean (132 + 25) / 13; moving ranges eleven 2s and one 13
    assert a.mean == pytest.approx(157 / 13)
    assert a.upper == pytest.approx(157 / 13 + 2.66 * 35 / 12)
    assert a.latest.outside and a.latest_finding() == "above the upper limit"
    assert [p.outside for p in a.points[:-1]] == [False] * 12


def test_xmr_run_of_seven_on_one_side_is_a_shift():
    values = [10, 11, 10, 11, 10, 11, 14, 14.5, 14, 14.5, 14, 14.5, 14]  # the last 7 above the mean
    a = xmr([str(i) for i in range(13)], values)
    assert [p.shift for p in a.points] == [False] * 6 + [True] * 7
    assert a.latest_finding().startswith("part of a run of 7 or more points above the average")


def test_xmr_six_rising_points_are_a_trend_and_five_are_not():
    rising6 = [20, 19, 21, 20, 19, 21, 20, 15, 16, 17, 18, 19, 20][:12] + [21]
    a = xmr([str(i) for i in range(13)], rising6)
    assert [p.trend for p in a.points][-7:] == [False] + [True] * 6
    five = xmr([str(i) for i in range(12)], [20, 19, 21, 20, 19, 21, 20, 19, 16, 17, 18, 19])
    assert not any(p.trend for p in five.points)


def test_xmr_leaves_out_missing_values_and_says_too_few():
    a = xmr(["a", "b", "c", "d"], [5.0, None, float("nan"), 7.0])
    assert a.n == 2 and a.gaps == 2 and not a.enough
    assert a.lower >= 0  # a series that cannot be negative keeps a lower limit of at least 0
    assert xmr(["a"], [1.0]) is None


# ---- takeaway sentences ------------------------------------------------------------------
def _b(store, measure: str, year: int):
    return benchmark(store, WORCS, measure, year)


def test_takeaway_for_a_decrease_on_a_neutral_measure(store):
    b = _b(store, "cp_rate_per_10k", 2025)  # published: 49.8 at 31 March 2024, 43.5 at 31 March 2025
    text = change_sentence(b, period_labels(store, "cp_rate_per_10k"))
    assert text.startswith("Down 6.3 (13%) from 49.8 at 31 Mar 2024 to 43.5")
    assert "neither higher nor lower is better" in text
    assert "improvement" not in text and "deterioration" not in text


def test_takeaway_for_an_increase(store):
    b = _b(store, "referral_rate_per_10k", 2025)  # published: 399.8 in 2023-24, 400.0 in 2024-25
    text = change_sentence(b, period_labels(store, "referral_rate_per_10k"))
    assert text.startswith("Up 0.2 from 399.8 in 2023-24 to 400.0")
    assert "(0%)" not in text  # a change under half a percent gets no percentage


def test_takeaway_judges_a_measure_with_a_good_direction(store):
    b = _b(store, "assessments_within_45_days_pct", 2025)  # 92.6% -> 88.6%, higher is better
    text = change_sentence(b, period_labels(store, "assessments_within_45_days_pct"))
    assert text == "Down 4.0 percentage points from 92.6% in 2023-24 to 88.6% in 2024-25: a deterioration."


def test_takeaway_for_no_change_and_for_missing_values(store):
    b = _b(store, "cp_rate_per_10k", 2025)
    labels = period_labels(store, "cp_rate_per_10k")
    same = dataclasses.replace(b, previous=b.value, change=0.0, movement="same", judgement=judge(b.measure, "same"))
    assert change_sentence(same, labels) == "Unchanged at 43.5 per 10k children 0-17 at 31 Mar 2025, the same as at 31 Mar 2024."
    suppressed = dataclasses.replace(b, value=None, symbol="c", previous=None, change=None, movement=None)
    assert change_sentence(suppressed, labels) == "The figure at 31 Mar 2025 is suppressed (c), so there is no change to report."
    assert comparator_sentence(suppressed) is None
    no_previous = dataclasses.replace(b, previous=None, change=None, movement=None)
    assert "there is no figure at 31 Mar 2024 to compare with" in change_sentence(no_previous, labels)
    assert takeaway(suppressed, labels, None) == [change_sentence(suppressed, labels)]  # nothing claimed about a gap


def test_takeaway_places_the_la_against_each_comparator(store):
    b = _b(store, "cp_rate_per_10k", 2025)
    text = comparator_sentence(b)
    assert text == (
        "Worcestershire is higher than England (40.6), higher than West Midlands (40.3) and higher than "
        "its statistical neighbours (35.0, mean of 10)."
    )
    assert "England" not in comparator_sentence(b, comparators=("Region",))


def test_takeaway_says_when_too_few_points_to_judge(store):
    m = registry().get("cp_rate_per_10k")
    text = unusual_sentence(xmr(list("abcde"), [1, 2, 3, 4, 5]), m, period="2024-25")
    assert text.startswith("With 5 yearly figures, there are too few") and "12 or more" in text


def test_slide_uses_a_monthly_series_when_there_is_one(fresh_store):
    months = pd.period_range("2024-04", periods=14, freq="M")
    rows = "\n".join(
        f"Worcestershire,contacts,{p.strftime('%b-%y')},{v},,Monthly scorecard,"
        for p, v in zip(months, [500, 505, 498, 502, 499, 503, 501, 497, 500, 504, 499, 502, 501, 560])
    )
    data = ("area,measure,period,value,symbol,source,notes\n" + rows).encode()
    commit(fresh_store, prepare(fresh_store, [("monthly.csv", data)]))
    series, frequency = local_series(fresh_store, WORCS, "contacts")
    assert frequency == "monthly" and len(series) == 14
    slide = build_slide(fresh_store, Selection(la=WORCS), "contacts")
    assert slide.analysis.latest.outside
    assert "is unusual for this series: above the upper limit" in slide.takeaway[-1]
    assert "14 monthly figures" in slide.takeaway[-1]


# ---- board sets --------------------------------------------------------------------------
def test_default_set_is_the_eight_headline_measures_in_journey_order():
    d = boards.default_set(WORCS)
    assert d.measures == [m.id for m in registry().headlines()]
    assert len(d.items) == 8 and d.set_id is None


def test_board_set_save_load_undo_and_delete(fresh_store):
    version = fresh_store.data_version
    items = [
        boards.BoardItem("cp_rate_per_10k", comment="Rising again; see the audit."),
        boards.BoardItem("assessments_within_45_days_pct", 90.0, 2.0, ""),
    ]
    boards.save_set(fresh_store, "March board", WORCS, items)
    got = boards.load_set(fresh_store, "March board")
    assert got.items == tuple(items) and got.area_key == WORCS
    assert fresh_store.data_version == version  # figures did not change, caches stay valid
    boards.save_set(fresh_store, "March board", WORCS, items[::-1])
    assert boards.load_set(fresh_store, "March board").measures == ["assessments_within_45_days_pct", "cp_rate_per_10k"]
    boards.undo_last_change(fresh_store, "March board")
    assert boards.load_set(fresh_store, "March board").items == tuple(items)
    boards.delete_set(fresh_store, "March board")
    assert boards.load_set(fresh_store, "March board") is None and boards.set_names(fresh_store) == []
    boards.undo_last_change(fresh_store, "March board")
    assert boards.load_set(fresh_store, "March board").items == tuple(items)
    boards.undo_last_change(fresh_store, "March board")  # the first save: the set goes
    assert boards.set_names(fresh_store) == []


@pytest.mark.parametrize(
    "items, message",
    [
        ([], "at least one indicator"),
        ([boards.BoardItem("cp_rate_per_10k"), boards.BoardItem("cp_rate_per_10k")], "in the set twice"),
        ([boards.BoardItem("no_such_measure")], "unknown indicator"),
        ([boards.BoardItem("assessments_within_45_days_pct", 120.0)], "between 0 and 100"),
        ([boards.BoardItem("assessments_within_45_days_pct", 90.0, -1.0)], "cannot be negative"),
        ([boards.BoardItem("assessments_within_45_days_pct", None, 1.0)], "a tolerance needs a target"),
        ([boards.BoardItem("cp_rate_per_10k", comment="x" * 601)], "shorten it to 600"),
    ],
)
def test_board_set_problems_are_named_and_nothing_is_saved(fresh_store, items, message):
    with pytest.raises(JourneyError, match=message):
        boards.save_set(fresh_store, "Bad", WORCS, items)
    assert boards.set_names(fresh_store) == []


def test_rag_only_where_a_target_exists(store):
    plain = build_slide(store, Selection(la=WORCS), "assessments_within_45_days_pct")
    assert plain.rag is None

    # 88.6% against 90 with 2 points tolerance: amber; against 88 it is met; against 95 red
    def rated(t, tol):
        return build_slide(store, Selection(la=WORCS), boards.BoardItem("assessments_within_45_days_pct", t, tol)).rag

    assert (rated(90.0, 2.0), rated(88.0, None), rated(95.0, 2.0)) == ("amber", "green", "red")
    assert build_slide(store, Selection(la=WORCS), boards.BoardItem("cp_rate_per_10k", 40.0)).rag is None  # neutral


# ---- exports -----------------------------------------------------------------------------
def _round_trip(tmp_path, name: str, data: bytes, measure: str, keys: list[str]) -> pd.DataFrame:
    target = open_store(tmp_path / f"{name}.duckdb", load_default=False)
    try:
        plan = prepare(target, [(name, data)])
        assert not plan.problems.errors, plan.problems.frame()
        commit(target, plan)
        return tidy_figures(target, measure, keys)
    finally:
        target.close()


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing as None in every column, whatever dtype pandas chose."""
    out = frame.astype(object)
    return out.where(out.notna(), None)


@pytest.mark.parametrize("measure", ["cp_plans_2yrs_plus_pct", "cp_rate_per_10k", "referral_rate_per_10k"])
def test_exported_csv_and_xlsx_reimport_with_identical_figures(store, tmp_path, measure):
    sel = Selection(la=WORCS, others=("330",))
    keys = trend_area_keys(store, sel)
    tidy = tidy_figures(store, measure, keys)
    assert len(tidy) > 20
    header = header_block("Test export", tidy)
    shown = wide_table(trend_frame(store, sel, measure), measure)
    for name, data in (("export.csv", csv_bytes(tidy, header)), ("export.xlsx", xlsx_bytes(tidy, header, shown=shown))):
        back = _round_trip(tmp_path, name, data, measure, keys)
        cols = ["area", "measure", "period", "value", "symbol", "source", "vintage"]
        pd.testing.assert_frame_equal(_plain(back[cols]), _plain(tidy[cols]))
    if measure == "cp_plans_2yrs_plus_pct":
        assert (tidy["symbol"] == "c").sum() >= 5 and tidy.loc[tidy["symbol"] == "c", "value"].isna().all()


def test_export_header_names_sources_and_vintages(store):
    tidy = tidy_figures(store, "cp_rate_per_10k", [WORCS])
    lines = header_block("Child protection", tidy)
    for src, vin in tidy[["source", "vintage"]].drop_duplicates().itertuples(index=False):
        assert f"Source: {src} (vintage {vin})" in lines
    text = csv_bytes(tidy, lines).decode("utf-8-sig")
    assert text.splitlines()[0] == "Child protection"


def test_exports_neutralise_formula_injection():
    from openpyxl import load_workbook

    frame = pd.DataFrame({"area": ['=HYPERLINK("http://x")', "+cmd", "-2+3", "@SUM(A1)", "-1.5"], "value": [1, 2, 3, 4, 5]})
    text = csv_bytes(frame, ["=1+1 title"]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'-2+3" in text and "'@SUM" in text and "'=1+1 title" in text
    assert "\n-1.5," in text  # a negative number stays a number
    ws = load_workbook(io.BytesIO(xlsx_bytes(frame, ["=1+1 title"])))["Data"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(not v.startswith(("=", "+", "@")) for v in cells)
    assert all(ws.cell(r, c).data_type != "f" for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1))


def test_exports_neutralise_inf_text_and_survive_control_characters():
    from openpyxl import load_workbook

    frame = pd.DataFrame({"source": ["Local\x0bscorecard", "-inf", "-nan", "-", "-.5"], "value": [1, 2, 3, 4, 5]})
    ws = load_workbook(io.BytesIO(xlsx_bytes(frame, ["Title with a \x07 bell"])))["Data"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    # The vertical tab no longer stops the workbook from being written: it shows as U+FFFD.
    assert "Local\ufffdscorecard" in texts and "Title with a \ufffd bell" in texts
    assert "'-inf" in texts and "'-nan" in texts
    assert "-" in texts and "-.5" in texts  # LAIT's symbol and a plain number are not formulas
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "\n'-inf," in text and "\n-,4" in text.replace("\r", "")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_png_is_twice_the_size_and_svg_keeps_text(store):
    m = registry().get("cp_rate_per_10k")
    chart = trend_chart(trend_frame(store, Selection(la=WORCS), m.id), m, height=300)
    w, h = _png_size(chart_png(chart, width=600))
    one_w, one_h = _png_size(chart_png(chart, width=600, scale=1))
    assert (w, h) == (2 * one_w, 2 * one_h) and one_w >= 600
    svg = chart_svg(chart, width=600).decode()
    assert svg.startswith("<svg") and "Worcestershire" in svg and "Liberation Sans" in svg


# ---- board pack --------------------------------------------------------------------------
def test_board_pack_has_a_cover_and_one_page_per_indicator(store):
    from pypdf import PdfReader

    items = list(boards.default_set(WORCS).items)
    items[2] = boards.BoardItem(items[2].measure, 90.0, 2.0, "Timeliness dipped while the triage team was recruited.")
    board = boards.BoardSet("March board", WORCS, tuple(items))
    seen = []
    pdf = build_pack(store, Selection(la=WORCS), board, progress=lambda f, text: seen.append(f))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 9  # cover with contents, then 8 indicators

    def text(n: int) -> str:
        return " ".join(reader.pages[n].extract_text().split())

    cover = text(0)
    assert "Worcestershire" in cover and "March board" in cover and "Contents" in cover
    import datetime as _dt

    shown = figures.latest(store, [WORCS], ["cin_rate_per_10k"]).set_index("period_end").loc[_dt.date(2025, 3, 31)]
    assert f"Children in need per 10k: 31 Mar 2025, release {shown['vintage']}" in cover
    page4 = text(3)
    assert "Assessments completed within 45 working days" in page4
    assert "Timeliness dipped while the triage team was recruited." in page4
    assert "Within tolerance" in page4 and "Down 4.0 percentage points" in page4
    assert "Sources." in page4 and "Definition." in page4
    assert seen == sorted(seen) and seen[-1] == 1.0


# ---- accessibility -----------------------------------------------------------------------
def _luminance(colour: str | tuple[int, int, int]) -> float:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) if isinstance(colour, str) else colour
    channels = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_wcag_reference_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("role", list(STYLES))
def test_every_series_colour_meets_wcag_aa_for_graphics_on_white(role):
    assert contrast(STYLES[role].colour, "#FFFFFF") >= 3.0, role


def test_reference_lines_text_and_badges_meet_wcag_aa():
    assert contrast(SPC_COLOUR, "#FFFFFF") >= 3.0 and contrast(SIGNAL_COLOUR, "#FFFFFF") >= 3.0
    assert contrast("#1b1b1b", "#FFFFFF") >= 4.5  # axis and legend text
    for fill in RAG_FILL.values():
        assert contrast((27, 27, 27), fill) >= 4.5  # black text on the pack's RAG badges
