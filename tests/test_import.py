"""The importer: every format reads to the right measures, periods and values; preview,
commit, re-import and undo behave."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from fixtures import BOARD_T9, board_csv, board_xlsx, ees_csv, ees_zip, lait_csv, scorecard_xlsx, template_csv, xlsx

from journey import figures
from journey.cli import main as cli_main
from journey.errors import JourneyError
from journey.importing.cells import CellError, parse_period, parse_value
from journey.importing.formats import Options
from journey.importing.plan import commit, prepare, undo
from journey.importing.template import template_bytes
from journey.registry import measure

TABLES = ["observations", "sn_models", "targets", "areas", "label_mappings"]


def export(store) -> dict[str, pd.DataFrame]:
    """A full export of the store's data, for exact before/after comparison."""
    return {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def figure(store, area_key: str, measure_id: str, end: dt.date, start: dt.date | None = None):
    rows = figures.latest(store, [area_key], [measure_id])
    rows = rows[(rows["period_end"] == end) & (rows["period_start"] == (start or end))]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# ---- cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, start, end, year",
    [
        ("2025", dt.date(2024, 4, 1), dt.date(2025, 3, 31), 2025),
        ("2023/24", dt.date(2023, 4, 1), dt.date(2024, 3, 31), 2024),
        ("2022-23 (OT)", dt.date(2022, 4, 1), dt.date(2023, 3, 31), 2023),
        ("2025 (prov)", dt.date(2024, 4, 1), dt.date(2025, 3, 31), 2025),
        ("2024 (Rev)", dt.date(2023, 4, 1), dt.date(2024, 3, 31), 2024),
        ("202425", dt.date(2024, 4, 1), dt.date(2025, 3, 31), 2025),
        ("Apr-24", dt.date(2024, 4, 1), dt.date(2024, 4, 30), None),
        ("February 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29), None),
        ("2024-12", dt.date(2024, 12, 1), dt.date(2024, 12, 31), None),
        ("Q1 2024/25", dt.date(2024, 4, 1), dt.date(2024, 6, 30), None),
        ("Q4 24-25", dt.date(2025, 1, 1), dt.date(2025, 3, 31), None),
        ("31/03/2025", dt.date(2025, 3, 31), dt.date(2025, 3, 31), 2025),
    ],
)
def test_periods(text, start, end, year):
    p = parse_period(text)
    assert (p.start, p.end, p.reporting_year) == (start, end, year)


@pytest.mark.parametrize("text", ["2024/26", "next year", "Q5 2024/25", "31/02/2025", ""])
def test_bad_periods_say_what_is_expected(text):
    with pytest.raises(CellError):
        parse_period(text)


def test_values_as_people_type_them():
    pct, count = measure("re_referrals_within_12m_pct"), measure("referrals")
    assert parse_value("4,805", count).value == 4805
    assert parse_value("17.8%", pct).value == 17.8
    assert parse_value(0.178, pct, percent_format=True).value == pytest.approx(17.8)
    assert parse_value(" 302.9 ", count).value == 302.9
    for symbol in ("c", "x", "z", "u", "low", "n/a", "-"):
        v = parse_value(symbol, count)
        assert v.value is None and v.symbol == symbol  # never 0
    assert parse_value("", count) is None and parse_value(None, count) is None
    with pytest.raises(CellError, match="#REF!"):
        parse_value("#REF!", count)
    with pytest.raises(CellError, match="not a percentage"):
        parse_value("12%", count)


# ---- formats -----------------------------------------------------------------------------


def test_scorecard_imports_right_measures_months_and_values(empty_store):
    plan = prepare(empty_store, [("Scorecard June 2025.xlsx", scorecard_xlsx())])
    assert plan.ok, [str(p) for p in plan.problems.errors]
    assert plan.files[0]["sheets"] == [("Scorecard", "scorecard")]
    import_id = commit(empty_store, plan, "June scorecard")
    assert import_id
    s = empty_store
    apr, may, jun = (
        (dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        (dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
        (dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    )
    assert figure(s, "885", "referrals", apr[1], apr[0])["value"] == 402  # text "402"
    assert figure(s, "885", "referrals", jun[1], jun[0])["value"] == 1012  # text "1,012"
    assert figure(s, "885", "re_referrals_within_12m_pct", apr[1], apr[0])["value"] == pytest.approx(17.1)  # 0.171 as %
    assert figure(s, "885", "re_referrals_within_12m_pct", jun[1], jun[0])["value"] == pytest.approx(17.8)  # "17.8%"
    assert figure(s, "885", "contacts", may[1], may[0])["value"] == 2050
    # Stocks are read at the month end; n/a and c keep their symbols with no value.
    assert figure(s, "885", "cp_plans", apr[1])["value"] == 522
    jun_cp = figure(s, "885", "cp_plans", jun[1])
    assert pd.isna(jun_cp["value"]) and jun_cp["symbol"] == "n/a"
    jun_cla = figure(s, "885", "cla_rate_per_10k", jun[1])
    assert pd.isna(jun_cla["value"]) and jun_cla["symbol"] == "c"
    assert figure(s, "885", "cla_rate_per_10k", may[1])["value"] == pytest.approx(86.4)
    assert s.scalar("SELECT count(*) FROM observations WHERE import_id = ?", [import_id]) == 15
    target = s.query("SELECT * FROM targets WHERE import_id = ?", [import_id]).iloc[0]
    assert (target["measure"], target["area_key"], target["target"]) == (
        "re_referrals_within_12m_pct",
        "885",
        pytest.approx(18.0),
    )
    skipped = set(plan.skipped["what"])
    assert {"Front door", "Child protection and care", "* RAG is against the local target."} <= skipped


def test_board_report_table_reproduces_printed_values(empty_store):
    plan = prepare(empty_store, [("Annual report tables.xlsx", board_xlsx())])
    assert plan.ok and [k for _, k in plan.files[0]["sheets"]] == ["board", "board"]
    commit(empty_store, plan)
    years = [2009, 2010, 2011, 2012, 2013]
    for area_label, key in (
        ("Worcestershire", "885"),
        ("Statistical Neighbours", "SN-E10000034-PUBLISHED"),
        ("England", "E92000001"),
    ):
        printed = next(row[1:] for row in BOARD_T9 if row[0] == area_label)
        got = figures.latest(empty_store, [key], ["cin_rate_per_10k"]).set_index("reporting_year")["value"]
        assert [got[y] for y in years] == printed
    lac = figure(empty_store, "885", "cla_rate_per_10k", dt.date(2014, 3, 31))
    assert lac["value"] == 56.2 and lac["note"] == "provisional"
    # "Not available" cells are no figure at all, not zero.
    assert figures.latest(empty_store, ["E92000001"], ["cla_rate_per_10k"])["reporting_year"].max() == 2013


def test_board_table_for_another_la_creates_its_published_sn_group(empty_store):
    table = [
        ["Children subject to a Child Protection Plan per 10,000"],
        [None, "2012/13", "2013/14"],
        ["Shropshire", "30.1", "31.2"],
        ["Statistical Neighbours", "33.0", "34.0"],
        ["England", "37.9", "42.1"],
    ]
    plan = prepare(empty_store, [("shropshire.csv", board_csv(table))])
    assert plan.ok, [str(p) for p in plan.problems.items]
    commit(empty_store, plan)
    assert figure(empty_store, "SN-E06000051-PUBLISHED", "cp_rate_per_10k", dt.date(2014, 3, 31))["value"] == 34.0
    assert "Shropshire" in empty_store.scalar("SELECT name FROM areas WHERE code = 'SN-E06000051-PUBLISHED'")


def test_template_value_column_holds_a_symbol_where_the_symbol_column_is_empty(empty_store):
    """A symbol typed in the value cell of a file with no symbols elsewhere (the whole symbol
    column empty) is kept as no value plus the symbol, beside an ordinary figure."""
    plan = prepare(
        empty_store,
        [("s.csv", b"area,measure,period,value\nHerefordshire,referrals,Jan-24,[c]\nHerefordshire,referrals,Feb-24,12\n")],
    )
    assert plan.ok, plan.problems.frame().to_string()
    got = {
        str(e): (None if pd.isna(v) else v, sy if isinstance(sy, str) else None)
        for e, v, sy in zip(plan.add["period_end"], plan.add["value"], plan.add["symbol"])
    }
    assert got == {"2024-01-31": (None, "c"), "2024-02-29": (12.0, None)}


def test_ees_csv_by_column_names_with_bom_quotes_and_symbols(empty_store):
    plan = prepare(empty_store, [("b1_children_in_need_2013_to_2025.csv", ees_csv())])
    assert plan.ok
    commit(empty_store, plan)
    s = empty_store
    assert figure(s, "885", "cin_count", dt.date(2025, 3, 31))["value"] == 3638
    assert figure(s, "E12000005", "cin_count", dt.date(2025, 3, 31))["value"] == 46660
    here = figure(s, "884", "cin_started", dt.date(2025, 3, 31), dt.date(2024, 4, 1))  # "Herefordshire, County of", quoted
    assert pd.isna(here["value"]) and here["symbol"] == "c"
    assert here["source"] == "DfE, Children in need 2025 (Explore education statistics)" and here["vintage"] == "2025"
    assert "Local authority district" in set(plan.skipped["what"])


def test_ees_renamed_columns_between_releases(empty_store):
    old = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,"
        "new_la_code,la_name,Referrals,Re_referrals_percent\n"
        "2019,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,885,E10000034,Worcestershire,4000,21.5\n"
    )
    new = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,"
        "new_la_code,la_name,referral_count,rereferral_percent\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,885,E10000034,Worcestershire,4805,17.8\n"
    )
    plan = prepare(empty_store, [("c1_old.csv", old.encode()), ("c1_new.csv", new.encode())])
    assert plan.ok
    commit(empty_store, plan)
    assert figure(empty_store, "885", "referrals", dt.date(2019, 3, 31), dt.date(2018, 4, 1))["value"] == 4000
    assert figure(empty_store, "885", "referrals", dt.date(2025, 3, 31), dt.date(2024, 4, 1))["value"] == 4805
    assert figure(empty_store, "885", "re_referrals_within_12m_pct", dt.date(2025, 3, 31), dt.date(2024, 4, 1))["value"] == 17.8


def test_ees_download_all_zip(empty_store):
    plan = prepare(empty_store, [("children-in-need_2025.zip", ees_zip())])
    assert plan.ok and plan.files[0]["sheets"] == [("b1_children_in_need.csv", "ees")]  # .meta.csv left out
    commit(empty_store, plan)
    assert figure(empty_store, "885", "cin_count", dt.date(2025, 3, 31))["value"] == 3638


EES_PLACE = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name"
WM = "E92000001,England,E12000005,West Midlands"


def test_ees_breakdowns_and_columns_not_read_are_said_with_counts(empty_store):
    rows = [
        f"2025,Reporting year,Local authority,{WM},885,E10000034,Worcestershire,{age},{what},{n},{pct}"
        for age, what, n, pct in [
            ("19 to 21 years", "Total in education, employment or training", 191, 54),
            ("19 to 21 years", "Total", 351, 100),
            ("17 to 18 years", "Total", 157, 100),
            ("17 to 18 years", "Total in education, employment or training", 95, 61),
        ]
    ]
    head = f"{EES_PLACE},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent,spare_count"
    text = "\n".join(
        [
            head,
            *[
                r.replace("Total in education, employment or training", '"Total in education, employment or training"') + ",7"
                for r in rows
            ],
        ]
    )
    plan = prepare(empty_store, [("leavers.csv", text.encode())])
    assert plan.ok, [str(p) for p in plan.problems.errors]
    assert dict(zip(plan.add["measure"], plan.add["value"])) == {"care_leavers_eet_pct": 54, "careleavereetnum": 191}
    assert list(plan.skipped["what"]) == [
        "care_leaver_age=19 to 21 years; breakdown=Total",
        "care_leaver_age=17 to 18 years; breakdown=Total",
        "care_leaver_age=17 to 18 years; breakdown=Total in education, employment or training",
    ]
    notes = [p.message for p in plan.problems.items if p.level == "note"]
    assert notes == [
        "3 of 4 rows not read, for breakdowns the dashboard does not hold: care_leaver_age=17 to 18 years (2), "
        "care_leaver_age=19 to 21 years; breakdown=Total (1)",
        "columns not read (no measure of the dashboard): spare_count",
    ]
    assert not plan.problems.errors and not plan.problems.warnings  # notes are neither


def test_ees_joint_la_row_goes_to_each_la_with_a_note_and_workforce_is_at_30_september(empty_store):
    head = f"{EES_PLACE},inpost_fte,turnover_rate_fte,cases"
    text = "\n".join([
        head,
        "2024,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940 / 941,E06000061 / E06000062,"
        "North Northamptonshire / West Northamptonshire,379.5,11.2,6000",
        f"2024,Reporting year,Local authority,{WM},885,E10000034,Worcestershire,277.5,12.9,2905",
    ])  # fmt: skip
    plan = prepare(empty_store, [("csww.csv", text.encode())])
    assert plan.ok, [str(p) for p in plan.problems.errors]
    got = plan.add.set_index(["area_code", "measure"])
    assert got.loc[("E06000061", "work_force_nosw"), "value"] == got.loc[("E06000062", "work_force_nosw"), "value"] == 379.5
    assert got.loc[("E06000062", "work_force_num_caseheld"), "note"] == (
        "the joint figure of North Northamptonshire and West Northamptonshire, which report it together"
    )
    worcs = got.loc[("E10000034", "work_force_to_rate")]
    assert (worcs["value"], worcs["period_start"], worcs["period_end"], worcs["reporting_year"]) == (
        12.9, dt.date(2024, 9, 30), dt.date(2024, 9, 30), 2024,
    )  # fmt: skip
    assert pd.isna(worcs["note"])
    # "cases" is read as the workforce's cases only in a file that has the workforce's turnover column.
    other = f"{EES_PLACE},cases\n2024,Reporting year,Local authority,{WM},885,E10000034,Worcestershire,12"
    plan = prepare(empty_store, [("other.csv", other.encode())])
    assert plan.add.empty and plan.problems.errors == []
    assert "none of whose figures is a measure this dashboard holds" in plan.problems.warnings[0].message


def test_ees_file_holding_no_measure_is_one_plain_warning_not_a_traceback(empty_store):
    head = f"{EES_PLACE},characteristic,breakdown,children_count,children_percent"
    rows = [
        f"2025,Reporting year,Local authority,{WM},885,E10000034,Worcestershire,Location of new placements,Total,1406,100"
    ] * 2
    plan = prepare(empty_store, [("new_placements.csv", "\n".join([head, *rows]).encode())])
    assert [p.message for p in plan.problems.warnings] == [
        "a DfE statistics file of 2 rows, none of whose figures is a measure this dashboard holds, so nothing was read from "
        "it (the notes below say what it holds)"
    ]
    assert [p.message for p in plan.problems.items if p.level == "note"] == [
        "breakdowns in the file: characteristic=Location of new placements (2)",
        "columns not read: children_count, children_percent",
    ]
    assert len(plan.skipped) == 2


def _ofsted_xlsx(cover: bool = True, history: list[list[object]] | None = None) -> bytes:
    """Ofsted's workbook layout: a cover with its Published on date, and the inspection history
    with a title, a line of notes and headings in row 3."""
    heads = ["Web link", "Local authority area code", "Local authority name", "Local authority status", "Ofsted region",
             "Inspection date", "Publication date", "Inspection type", "Overall effectiveness",
             "The impact of leaders on social work practice with children and families",
             "The experiences and progress of children who need help and protection",
             "The experiences and progress of children in care", "The experiences and progress of care leavers"]  # fmt: skip
    rows = history if history is not None else [
        ["link", "E10000034", "Worcestershire", "Current", "West Midlands", dt.datetime(2019, 6, 17), dt.datetime(2019, 8, 1),
         "ILACS Standard Inspection", "Requires improvement to be good", "Requires improvement to be good",
         "Requires improvement to be good", "Requires improvement to be good", ""],
        ["link", "E10000034", "Worcestershire", "Current", "West Midlands", "15/05/2023", "30/06/2023",
         "ILACS Standard Inspection", "Good", "Good", "Good", "Requires improvement to be good", "Good"],
        ["link", "", "Northamptonshire", "No longer exists", "East Midlands", dt.datetime(2019, 6, 17), dt.datetime(2019, 7, 29),
         "ILACS Standard Inspection", "Inadequate", "Requires improvement to be good", "Inadequate", "Inadequate", ""],
    ]  # fmt: skip

    def build(wb) -> None:
        ws = wb.active
        ws.title = "Cover"
        for r in (["Local authority inspection outcomes as at 31 March 2025"], ["Section", "Detail"],
                  ["Published on:", dt.datetime(2025, 9, 25)]):  # fmt: skip
            ws.append(r)
        if not cover:
            wb.remove(ws)
        hist = wb.create_sheet("ILACS_inspection_history")
        hist.append(["ILACS inspection history from 2018-2025"])
        hist.append(["This worksheet contains one table."])
        hist.append(heads)
        for r in rows:
            hist.append(r)

    return xlsx(build)


def test_ofsted_judgements_as_grades_on_the_inspection_date(empty_store):
    plan = prepare(empty_store, [("LA_Inspection_Outcomes.xlsx", _ofsted_xlsx())])
    assert plan.ok, [str(p) for p in plan.problems.errors]
    assert {k for _, k in plan.files[0]["sheets"]} == {"ofsted"}  # detected without options
    add = plan.add
    overall = add[add["measure"] == "ofsted_overall_effectiveness"].set_index("period_end")
    assert overall.loc[dt.date(2023, 5, 15), ["area_code", "value", "reporting_year"]].tolist() == ["E10000034", 2.0, 2024]
    assert overall.loc[dt.date(2019, 6, 17)].set_index("area_code")["value"].to_dict() == {"E10000034": 3.0, "E10000021": 4.0}
    assert set(add["vintage"]) == {"2025-09"}
    assert set(add["source"]) == {"Ofsted, Local authority inspection outcomes as at 31 March 2025"}
    assert (add["period_start"] == add["period_end"]).all()
    assert len(add) == 3 * 5 - 2  # two care leavers judgements were not given before 2023
    assert list(plan.skipped["reason"]) == ["no judgement given (the care leavers judgement began on 1 January 2023)"] * 2
    notes = [p.message for p in plan.problems.items if p.level == "note"]
    assert notes == ["3 inspections read, 2 judgements not given"]
    commit(empty_store, plan)
    got = figure(empty_store, "885", "ofsted_children_in_care", dt.date(2023, 5, 15))
    assert measure("ofsted_children_in_care").format(got["value"]) == "Requires improvement to be good"


def test_ofsted_without_cover_and_with_a_wrong_word(empty_store):
    rows = [["link", "E10000034", "Worcestershire", "Current", "West Midlands", dt.datetime(2023, 5, 15),
             dt.datetime(2023, 6, 30), "ILACS Standard Inspection", "Pretty good", "Good", "Good", "Good", "Good"]]  # fmt: skip
    plan = prepare(empty_store, [("history.xlsx", _ofsted_xlsx(cover=False, history=rows))])
    errors = plan.problems.errors
    assert [(p.sheet, p.row, p.column) for p in errors] == [("ILACS_inspection_history", 4, "Overall effectiveness")]
    assert "'Pretty good' is not one of Ofsted's judgements" in errors[0].message
    notes = [p.message for p in plan.problems.items if p.level == "note"]
    assert notes == [
        "no cover with its Published on date: the vintage is 2023-06, the month of the latest report in the sheet",
        "1 inspections read",
    ]
    assert set(plan.add["vintage"]) == {"2023-06"} and len(plan.add) == 4


def test_lait_long_format(empty_store):
    plan = prepare(empty_store, [("lait_download.csv", lait_csv())], Options(vintage="2026-04"))
    assert plan.ok
    commit(empty_store, plan)
    s = empty_store
    assert figure(s, "885", "cp_rate_per_10k", dt.date(2024, 3, 31))["value"] == 49.8  # "2023/24"
    assert figure(s, "885", "cp_rate_per_10k", dt.date(2025, 3, 31))["value"] == 43.5  # "2025 (prov)"
    assert figure(s, "E92000001", "cp_rate_per_10k", dt.date(2024, 3, 31))["value"] == 41.4
    rr = figure(s, "885", "re_referrals_within_12m_pct", dt.date(2023, 3, 31), dt.date(2022, 4, 1))  # "2022-23 (OT)", "-"
    assert pd.isna(rr["value"]) and rr["symbol"] == "-"
    assert figure(s, "885", "assessments_within_45_days_pct", dt.date(2024, 3, 31), dt.date(2023, 4, 1))["value"] == 92.6
    assert "Some_Other_Code" in set(plan.skipped["what"])


def test_template_download_fills_and_imports(empty_store):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_bytes(empty_store)))
    assert book.sheetnames == ["Instructions", "Data", "Measures", "Areas"]
    assert [c.value for c in book["Data"][1]] == ["area", "measure", "period", "value", "symbol", "source", "notes"]
    assert book["Areas"].max_row > 170 and book["Measures"].max_row > 40
    plan = prepare(empty_store, [("template.xlsx", template_bytes(empty_store))])
    assert plan.ok and len(plan.add) == 2  # the two example rows; the other sheets are the template's own lists


def test_unrecognised_row_label_mapped_and_remembered(empty_store, tmp_path):
    card = template_csv(["Worcestershire,Kids on CP plans,2025,522,,,"])
    plan = prepare(empty_store, [("t.csv", card)])
    assert not plan.ok and "Kids on CP plans" in plan.unmapped
    assert any("unknown measure" in str(p) and "row 2" in str(p) for p in plan.problems.errors)
    plan = prepare(empty_store, [("t.csv", card)], Options(mappings={"Kids on CP plans": "cp_plans"}))
    assert plan.ok
    commit(empty_store, plan)
    again = prepare(empty_store, [("t2.csv", template_csv(["Worcestershire,KIDS ON CP PLANS,2024,596,,,"]))])
    assert again.ok and again.add.iloc[0]["measure"] == "cp_plans"  # remembered, whatever the case


# ---- preview, commit, re-import, undo ------------------------------------------------------


def test_preview_shows_replacements_old_and_new_and_writes_nothing(fresh_store):
    before = export(fresh_store)
    first = template_csv(
        ["Worcestershire,referrals,Apr-25,402,,Monthly return,", "Worcestershire,referrals,May-25,398,,Monthly return,"]
    )
    commit(fresh_store, prepare(fresh_store, [("april.csv", first)]))
    corrected = template_csv(
        [
            "Worcestershire,referrals,Apr-25,410,,Monthly return,",
            "Worcestershire,referrals,May-25,398,,Monthly return,",
            "Worcestershire,referrals,Jun-25,401,,Monthly return,",
        ]
    )
    middle = export(fresh_store)
    plan = prepare(fresh_store, [("corrected.csv", corrected)])
    assert export(fresh_store)["observations"].equals(middle["observations"])  # preview wrote nothing
    assert (len(plan.add), len(plan.replace), plan.unchanged) == (1, 1, 1)
    row = plan.replace.iloc[0]
    assert (row["old_value"], row["value"]) == (402, 410)
    second = commit(fresh_store, plan)
    assert figure(fresh_store, "885", "referrals", dt.date(2025, 4, 30), dt.date(2025, 4, 1))["value"] == 410
    undo(fresh_store, second)
    assert figure(fresh_store, "885", "referrals", dt.date(2025, 4, 30), dt.date(2025, 4, 1))["value"] == 402
    for t, frame in export(fresh_store).items():
        pd.testing.assert_frame_equal(frame, middle[t], obj=t)
    assert len(before["observations"]) + 2 == len(middle["observations"])


def test_reimporting_the_same_file_is_a_no_op(fresh_store):
    data = ees_csv()
    first = commit(fresh_store, prepare(fresh_store, [("b1.csv", data)]))
    assert first
    version = fresh_store.data_version
    again = prepare(fresh_store, [("b1.csv", data)])
    assert again.already_imported == [first] and again.add.empty and again.replace.empty
    assert commit(fresh_store, again) is None
    assert fresh_store.data_version == version


def test_undo_restores_the_store_exactly(fresh_store):
    before = export(fresh_store)
    plan = prepare(fresh_store, [("card.xlsx", scorecard_xlsx()), ("lait.csv", lait_csv()), ("b1.csv", ees_csv())])
    assert plan.ok and not plan.replace.empty
    import_id = commit(fresh_store, plan)
    assert not export(fresh_store)["observations"].equals(before["observations"])
    undo(fresh_store, import_id)
    for t, frame in export(fresh_store).items():
        pd.testing.assert_frame_equal(frame, before[t], obj=t)
    with pytest.raises(JourneyError, match="undone"):
        undo(fresh_store, import_id)


def test_undo_in_order_when_a_later_import_replaced_figures(empty_store):
    a = commit(empty_store, prepare(empty_store, [("a.csv", template_csv(["Worcestershire,referrals,Apr-25,1,,Local,"]))]))
    b = commit(empty_store, prepare(empty_store, [("b.csv", template_csv(["Worcestershire,referrals,Apr-25,2,,Local,"]))]))
    with pytest.raises(JourneyError, match=f"undo import {b} first"):
        undo(empty_store, a)
    undo(empty_store, b)
    undo(empty_store, a)
    assert empty_store.scalar("SELECT count(*) FROM observations") == 0


def test_plan_with_errors_cannot_be_committed(fresh_store):
    plan = prepare(fresh_store, [("bad.csv", template_csv(["Worcestershire,referrals,Apr-25,-5,,,"]))])
    assert not plan.ok
    with pytest.raises(JourneyError, match="nothing was imported"):
        commit(fresh_store, plan)


# ---- command line ---------------------------------------------------------------------------


def test_cli_import_dry_run_map_undo(tmp_path, default_db, capsys):
    db = tmp_path / "cli.duckdb"
    db.write_bytes(default_db.read_bytes())
    card = tmp_path / "card.csv"
    card.write_bytes(template_csv(["Worcestershire,Kids on CP plans,Apr-25,522,,,"]))
    assert cli_main(["import", str(card), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "UNMAPPED: 'Kids on CP plans'" in out and "Nothing imported" in out
    assert cli_main(["import", str(card), "--db", str(db), "--map", "Kids on CP plans=cp_plans", "--dry-run"]) == 0
    assert "Dry run: nothing written" in capsys.readouterr().out
    assert cli_main(["import", str(card), "--db", str(db), "--map", "Kids on CP plans=cp_plans", "--label", "April"]) == 0
    out = capsys.readouterr().out
    import_id = int(out.split("Imported as import ")[1].split(".")[0])
    assert cli_main(["imports", "--db", str(db)]) == 0 and "April" in capsys.readouterr().out
    assert cli_main(["undo", str(import_id), "--db", str(db)]) == 0
    assert cli_main(["undo", "999", "--db", str(db)]) == 2
    assert "no import 999" in capsys.readouterr().err.lower()
    assert cli_main(["import", str(tmp_path / "missing.csv"), "--db", str(db)]) == 2
    assert cli_main(["import", str(card), "--db", str(db), "--map", "no equals sign"]) == 2
