"""LAIT's downloads through the one pipeline: the whole-dataset parquet, CSV and workbook forms,
its Years forms and year types, its SN workbooks and reference files, and .ods workbooks.

Expected values come from LAIT's own files (read here with pyarrow, not with the importer) or
from the domain rules (a financial year is 1 April to 31 March), never from the code under test."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fixtures import LAIT_HEADER, lait_csv

from conftest import SHARED
from journey.build import open_store
from journey.importing.files import read_file
from journey.importing.formats import Options
from journey.importing.plan import commit, prepare
from journey.importing.problems import Problems
from journey.registry import registry

LAIT = SHARED / "samples" / "lait"
needs_lait = pytest.mark.skipif(not LAIT.is_dir(), reason=f"LAIT's sample files are not beside the project ({LAIT})")


def _rows(store, measure: str, area: str) -> pd.DataFrame:
    rows = store.query(
        "SELECT period_start, period_end, reporting_year, value, symbol, vintage FROM observations "
        "WHERE measure = ? AND area_code = ? ORDER BY period_end",
        [measure, area],
    )
    for col in ("period_start", "period_end"):
        rows[col] = pd.to_datetime(rows[col]).dt.date
    return rows


@pytest.fixture(scope="module")
def parquet_import(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("lait") / "lait.duckdb", load_default=False)
    data = (LAIT / "bds_long_0.parquet").read_bytes()
    plan = prepare(store, [("bds_long_0.parquet", data)])
    import_id = commit(store, plan, acknowledged=True)
    yield store, plan, import_id, pq.read_table(LAIT / "bds_long_0.parquet")
    store.close()


def _lait_value(table, code: str, la_number: float | None, years: str, name: str | None = None) -> str:
    """LAIT's own Values text for one figure, read straight from its parquet file."""
    mask = pc.and_(pc.equal(table["Short Desc"], code), pc.equal(table["Years"], years))
    if la_number is not None:
        mask = pc.and_(mask, pc.equal(table["LA Number"], la_number))
    if name is not None:
        mask = pc.and_(mask, pc.equal(table["LA and Regions"], name))
    [value] = table.filter(mask)["Values"].to_pylist()
    return value


@needs_lait
def test_leeds_cin_rate_2025_is_lait_value(parquet_import):
    store, plan, import_id, table = parquet_import
    assert plan.ok and import_id is not None
    expected = float(_lait_value(table, "CIN", 383.0, "2025"))
    rows = _rows(store, "cin_rate_per_10k", "E08000035")  # Leeds
    row = rows[rows["reporting_year"] == 2025].iloc[0]
    assert row["value"] == pytest.approx(expected) == pytest.approx(327.7)
    assert row["period_start"] == row["period_end"] == dt.date(2025, 3, 31)  # at 31 March


@needs_lait
def test_codes_with_commas_and_inner_london_are_read(parquet_import):
    store, _, _, table = parquet_import
    expected = float(_lait_value(table, "CPP_Total_Rateper10,000", None, "2024", "London (Inner)"))
    rows = _rows(store, "referral_rate_per_10k", "E13000001")
    row = rows[rows["reporting_year"] == 2024].iloc[0]
    assert row["value"] == pytest.approx(expected)
    assert (row["period_start"], row["period_end"]) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))  # a financial year
    outer = _rows(store, "referral_rate_per_10k", "E13000002")
    assert len(outer) >= 9  # London (Outer) too


@needs_lait
def test_dash_is_a_symbol_with_no_value(parquet_import):
    store, _, _, _ = parquet_import
    dashes = store.query("SELECT count(*) AS n, count(value) AS v FROM observations WHERE symbol = '-'")
    assert dashes["n"][0] > 10_000 and dashes["v"][0] == 0


@needs_lait
def test_vintage_is_each_indicators_last_update(parquet_import):
    store, plan, _, _ = parquet_import
    vintages = store.query("SELECT measure, min(vintage) AS lo, max(vintage) AS hi FROM observations GROUP BY measure")
    reg = registry()
    for m, lo, hi in zip(vintages["measure"], vintages["lo"], vintages["hi"]):
        assert lo == hi == reg.get(m).updated, m
    assert len(set(vintages["lo"])) > 3  # indicators updated in different months
    assert any("LAIT's last update" in p.message for p in plan.problems.warnings)


@needs_lait
def test_indicators_not_held_are_one_line_each_with_their_row_count(parquet_import):
    _, plan, _, table = parquet_import
    held = {m.lait_code for m in registry() if m.lait_code}
    counts = table.group_by("Short Desc").aggregate([("Short Desc", "count")]).to_pandas()
    not_held = counts[~counts["Short Desc"].isin(held)]
    lines = plan.skipped[plan.skipped["reason"].str.startswith("LAIT indicator not held")]
    assert len(lines) == len(not_held) > 250
    for code, n in zip(not_held["Short Desc"], not_held["Short Desc_count"]):
        [reason] = lines.loc[lines["what"] == code, "reason"]
        assert reason.endswith(f"({n:,} rows)"), (code, reason)
    zero = plan.skipped[plan.skipped["reason"].str.startswith("Years is 0")]
    assert list(zero["what"]) == ["CINPermExclusion"] and zero["reason"].iloc[0].endswith("(170 rows)")


@needs_lait
@pytest.mark.parametrize("name, year", [("sn_april_2021.xlsx", 2021), ("sn_may_2025.xlsx", 2025)])
def test_sn_workbooks_are_detected_and_read(empty_store, name, year):
    plan = prepare(empty_store, [(name, (LAIT / name).read_bytes())])
    assert [k for f in plan.files for _, k in f["sheets"]] == ["sn_model"]
    assert plan.ok, [str(p) for p in plan.problems.errors[:3]]
    assert len(plan.sn_rows) + plan.unchanged * 10 >= 150 * 10
    if year == 2021:  # Cumberland and Westmorland did not exist in 2021: '-' neighbours, skipped
        assert {"LA 942", "LA 943"} <= set(plan.skipped["what"])


@needs_lait
def test_sn_model_format_on_any_file_is_a_message(empty_store):
    for name in ("bds_long_0.parquet", "la_code_list.xlsx", "lait_data_dictionary.csv"):
        plan = prepare(empty_store, [(name, (LAIT / name).read_bytes())], Options(format="sn_model"))
        assert plan.problems.errors and all("\n" not in str(p) for p in plan.problems.errors)


@needs_lait
@pytest.mark.parametrize(
    "name, says", [("la_code_list.xlsx", "LAIT's LA code list"), ("lait_data_dictionary.csv", "refresh-default")]
)
def test_reference_files_are_recognised_and_hold_no_figures(empty_store, name, says):
    plan = prepare(empty_store, [(name, (LAIT / name).read_bytes())])
    assert plan.ok and not plan.has_changes
    assert [k for f in plan.files for _, k in f["sheets"]] == ["reference"]
    assert any(says in p.message and "holds no figures" in p.message for p in plan.problems.warnings)


# ---- constructed files: Years forms, year types, vintages, areas ----------------------------


def _import(store, name: str, rows: list[str], **options):
    plan = prepare(store, [(name, lait_csv(rows))], Options(**options))
    assert plan.ok, [str(p) for p in plan.problems.errors]
    commit(store, plan, acknowledged=True)
    return plan


def test_years_forms_and_year_types(empty_store):
    rows = [
        "CPP_Total_NumRef,Referrals,2025,Worcestershire,5000,885,West Midlands",  # financial year
        "CPP_Total_NumRef,Referrals,2023/24,Worcestershire,5100,885,West Midlands",
        "CPP_Total_NumRef,Referrals,2022-23 (OT),Worcestershire,5200,885,West Midlands",
        "CPP_Total_NumRef,Referrals,2021 (Final),Worcestershire,5300,885,West Midlands",
        "CPP_Num,CP plans,2024 (Rev),Worcestershire,500,885,West Midlands",  # at 31 March
        "CPP_Num,CP plans,2025 (prov),Worcestershire,510,885,West Midlands",
        "Work_Force_NoSW,Social workers,2024,Worcestershire,300.5,885,West Midlands",  # at 30 September
        "CINFSM,CIN eligible for FSM,2024,Worcestershire,55.1,885,West Midlands",  # academic year
        "CINPermExclusion,Permanent exclusions,0,Worcestershire,1.2,885,West Midlands",  # no year: skipped
    ]
    plan = _import(empty_store, "lait.csv", rows, vintage="2026-04")
    ref = _rows(empty_store, "referrals", "E10000034")
    assert sorted(zip(ref["reporting_year"], ref["period_start"], ref["period_end"], ref["value"])) == [
        (2021, dt.date(2020, 4, 1), dt.date(2021, 3, 31), 5300),
        (2023, dt.date(2022, 4, 1), dt.date(2023, 3, 31), 5200),
        (2024, dt.date(2023, 4, 1), dt.date(2024, 3, 31), 5100),
        (2025, dt.date(2024, 4, 1), dt.date(2025, 3, 31), 5000),
    ]
    cp = _rows(empty_store, "cp_plans", "E10000034")
    assert sorted(zip(cp["period_start"], cp["period_end"], cp["value"])) == [
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31), 500),
        (dt.date(2025, 3, 31), dt.date(2025, 3, 31), 510),
    ]
    sw = _rows(empty_store, "work_force_nosw", "E10000034").iloc[0]
    assert (sw["period_start"], sw["period_end"], sw["reporting_year"], sw["value"]) == (
        dt.date(2024, 9, 30), dt.date(2024, 9, 30), 2024, 300.5
    )  # fmt: skip
    fsm = _rows(empty_store, "cinfsm", "E10000034").iloc[0]
    assert (fsm["period_start"], fsm["period_end"], fsm["reporting_year"]) == (dt.date(2023, 9, 1), dt.date(2024, 8, 31), 2024)
    assert _rows(empty_store, "cinpermexclusion", "E10000034").empty
    assert any(r.startswith("Years is 0") for r in plan.skipped["reason"])


def test_vintage_from_the_file_name_then_the_indicator(empty_store):
    row = ["CPP_rate,CP rate,2024,Worcestershire,40.1,885,West Midlands"]
    plan = prepare(empty_store, [("LAIT_April_2026.csv", lait_csv(row))])
    assert set(plan.add["vintage"]) == {"2026-04"}
    assert any("release month in the file's name" in p.message for p in plan.problems.warnings)
    plan = prepare(empty_store, [("lait_download.csv", lait_csv(row))])
    assert set(plan.add["vintage"]) == {registry().get("cp_rate_per_10k").updated}
    plan = prepare(empty_store, [("LAIT_April_2026.csv", lait_csv(row))], Options(vintage="2025-11"))
    assert set(plan.add["vintage"]) == {"2025-11"}


def test_regional_names_in_brackets_and_a_sensible_suggestion(empty_store):
    rows = [
        "CPP_rate,CP rate,2024,London (Inner),45.0,987,",
        "CPP_rate,CP rate,2024,London (Outer),38.0,988,",
        "CPP_rate,CP rate,2024,Yorkshire and the Humber,50.0,982,",
    ]
    plan = prepare(empty_store, [("lait.csv", lait_csv(rows))], Options(vintage="2026-04"))
    assert plan.ok
    assert dict(zip(plan.add["area_code"], plan.add["value"])) == {"E13000001": 45.0, "E13000002": 38.0, "E12000003": 50.0}
    bad = prepare(empty_store, [("lait.csv", lait_csv(["CPP_rate,CP rate,2024,Worcestershir,45.0,,"]))])
    [error] = bad.problems.errors
    assert (error.row, error.column) == (2, "LA and Regions") and "Worcestershire" in error.hint


def test_a_dash_is_stored_as_lait_symbol(empty_store):
    _import(empty_store, "lait.csv", ["ReReferral,Re-referrals,2024,Worcestershire,-,885,West Midlands"], vintage="2026-04")
    row = _rows(empty_store, "re_referrals_within_12m_pct", "E10000034").iloc[0]
    assert pd.isna(row["value"]) and row["symbol"] == "-"


def test_a_bad_year_names_its_row_and_column(empty_store):
    rows = ["CPP_rate,CP rate,2024,Worcestershire,40,885,", "CPP_rate,CP rate,2024/26,Worcestershire,41,885,"]
    plan = prepare(empty_store, [("lait.csv", lait_csv(rows))])
    assert [(p.row, p.column) for p in plan.problems.errors] == [(3, "Years")]


def test_a_lait_workbook_reads_like_its_csv(empty_store):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(LAIT_HEADER.split(","))
    ws.append(["CPP_rate", "CP rate", "2023/24", "Worcestershire", "49.8", 885, "West Midlands"])
    ws.append(["ReReferral", "Re-referrals", "2022-23 (OT)", "Worcestershire", "-", 885, "West Midlands"])
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = prepare(empty_store, [("lait.xlsx", buffer.getvalue())], Options(vintage="2026-04"))
    from_csv = prepare(
        empty_store, [("lait.csv", lait_csv([",".join(map(str, r)) for r in list(ws.values)[1:]]))], Options(vintage="2026-04")
    )
    columns = ["area_code", "measure", "period_start", "period_end", "value", "symbol"]
    assert from_xlsx.add[columns].equals(from_csv.add[columns]) and len(from_xlsx.add) == 2


# ---- parquet limits -----------------------------------------------------------------------


def _parquet(frame: pd.DataFrame, **kwargs) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, **kwargs)
    return buffer.getvalue()


def test_a_parquet_file_of_another_kind_is_refused_in_one_sentence():
    problems = Problems()
    read_file("x.parquet", _parquet(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})), problems)
    [error] = problems.errors
    assert "not LAIT's long download" in error.message and "\n" not in str(error)
    problems = Problems()
    read_file("y.parquet", b"PAR1 not really", problems)
    assert [p.message for p in problems.errors] == ["the file is called .parquet but is not a parquet file"]


def test_a_parquet_row_group_over_the_limit_is_refused(monkeypatch):
    from journey.importing import lait

    monkeypatch.setattr(lait, "MAX_PARQUET_ROW_GROUP_ROWS", 100)
    frame = pd.DataFrame({h: ["x"] * 500 for h in ("Short Desc", "Years", "LA and Regions", "Values")})
    problems = Problems()
    sheets = read_file("big.parquet", _parquet(frame, row_group_size=500), problems)
    assert sheets.sheets == [] and "row group 1 of the parquet file has 500 rows (limit 100" in problems.errors[0].message


# ---- .ods -------------------------------------------------------------------------------------


def _ods(table: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
        )
    return out.getvalue()


def test_ods_cells_merges_and_percentages():
    table = (
        '<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string" '
        'table:number-columns-spanned="2"><text:p>Title</text:p></table:table-cell><table:covered-table-cell/></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell>'
        '<table:table-cell office:value-type="percentage" office:value="0.178"><text:p>17.8%</text:p></table:table-cell>'
        '</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row></table:table>'
    )
    problems = Problems()
    [sheet] = read_file("t.ods", _ods(table), problems).sheets
    assert not problems.items
    assert sheet.rows == [["Title", "Title"], [5, 0.178]] and sheet.percent_cells == {(1, 1)}


def test_ods_repeat_bomb_is_refused_before_it_is_read():
    table = (
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="float" office:value="1" table:number-columns-repeated="16384"><text:p>1</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    problems = Problems()
    assert read_file("bomb.ods", _ods(table), problems).sheets == []
    assert "16,384,000,000 cells" in problems.errors[0].message


@pytest.mark.skipif(not (SHARED / "samples" / "dfe_more").is_dir(), reason="the DfE samples are not beside the project")
def test_ofsted_ods_is_read():
    path = SHARED / "samples" / "dfe_more" / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
    problems = Problems()
    sheets = {s.name: s for s in read_file(path.name, path.read_bytes(), problems).sheets}
    assert not problems.errors
    rows = sheets["Inspections_as_at_31_March"].rows
    assert rows[2][1] == "Local authority area code" and rows[3][1:3] == ["E09000002", "Barking and Dagenham"]
