"""Limits before parsing: hostile uploads that claim (or expand to) far more than they are are
refused with one clear error naming the limit, before openpyxl or pandas expands anything, and
within a fixed memory budget. Each case is built and read in a child process so its peak memory
(VmHWM, reset just before reading) is its own; ordinary files still read as before.

Run this file as a script with a case name to see one case's result and memory:
``python tests/test_import_limits.py merge_bomb``."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from fixtures import ees_zip, scorecard_xlsx, template_csv, xlsx  # noqa: E402

from conftest import PROJECT, SHARED, subprocess_env  # noqa: E402
from journey.importing import files as files_module  # noqa: E402
from journey.importing import limits  # noqa: E402
from journey.importing.archives import read_member  # noqa: E402
from journey.importing.files import read_file  # noqa: E402
from journey.importing.limits import (  # noqa: E402
    MAX_CELLS,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_SHARED_STRINGS,
    MAX_SHEET_XML_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_CELLS,
    MB,
    limits_text,
)
from journey.importing.problems import Problems  # noqa: E402
from journey.importing.sheets import Refused  # noqa: E402

BUDGET_MB = 500  # peak RSS growth allowed for one import, whatever the file claims

# ---------------------------------------------------------------- hostile files, built small


def _replace_member(book: bytes, changes: dict[str, bytes], level: int = 6) -> bytes:
    """A copy of a workbook (or any ZIP) with some members' bytes replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            if info.filename not in changes:
                dst.writestr(info.filename, src.read(info))
        for name, data in changes.items():
            dst.writestr(name, data)
    return out.getvalue()


def _sheet_xml(body: str, after: str = "", dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData>{after}</worksheet>'
    ).encode()


def _one_cell_book() -> bytes:
    def build(wb):
        wb.active["A1"] = "Worcestershire"

    return xlsx(build)


def merge_bomb() -> bytes:
    """5 KB: one cell and a merged range over the whole grid (17 billion cells)."""
    after = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    sheet = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>Worcestershire</t></is></c></row>', after, "A1:XFD1048576")
    return _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": sheet})


def sparse_sheets() -> bytes:
    """About 20 KB: 60 sheets, each with a cell in A1 and one in XFD1048576."""

    def build(wb):
        for i in range(60):
            ws = wb.active if i == 0 else wb.create_sheet()
            ws["A1"], ws["XFD1048576"] = 1, 2

    return xlsx(build)


def one_sparse_sheet() -> bytes:
    """One sheet with cells in A1 and XFD1048576: it spans 17 billion cells though it holds two."""
    return xlsx(lambda wb: (wb.active.__setitem__("A1", 1), wb.active.__setitem__("XFD1048576", 2)))


def huge_sheet_xml(megabytes: int = 280, declare: int | None = None) -> bytes:
    """Well under 1 MB on disk: a sheet whose XML is ``megabytes`` MB of cells. With ``declare``,
    the central directory says the sheet is that many bytes (a lie caught while streaming)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_one_cell_book())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info))
        with dst.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(_sheet_xml("").split(b"<sheetData>")[0] + b"<sheetData>")
            block = b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"
            block *= MB // len(block)
            for _ in range(-(-megabytes * MB // len(block))):
                member.write(block)
            member.write(b"</sheetData></worksheet>")
    data = out.getvalue()
    return _patch_central(data, "xl/worksheets/sheet1.xml", 24, "<I", declare) if declare else data


def huge_sheet_lying_size() -> bytes:
    """The 280 MB sheet again, its directory entry claiming 1 MB."""
    return huge_sheet_xml(280, declare=1 * MB)


def _padding() -> dict[str, bytes]:
    """An incompressible picture, so that the archive is not refused by its compression ratio alone."""
    return {"xl/media/image1.png": os.urandom(400_000)}


def long_text_cell() -> bytes:
    """A cell holding 60 MB of text without markup (Excel keeps a cell to 32,767 characters)."""
    sheet = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * (60 * MB) + "</t></is></c></row>")
    return _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": sheet, **_padding()}, level=9)


def many_shared_strings() -> bytes:
    """1.1 million empty shared strings (14 MB of XML, under the part limit): small compressed, large once built."""
    strings = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t/></si>" * (MAX_SHARED_STRINGS + 100_000)
        + b"</sst>"
    )
    return _replace_member(_one_cell_book(), {"xl/sharedStrings.xml": strings, **_padding()}, level=9)


def entity_bomb() -> bytes:
    """Billion laughs in a worksheet."""
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    return _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": sheet})


def one_line_csv() -> bytes:
    """14 MB on one line: seven million fields (the issue's 19 MB line is over the file limit itself)."""
    return b"1," * (14 * MB // 2)


def wide_csv() -> bytes:
    """Rows of 5,000 fields each, every line short of the line limit."""
    return (",".join(["7"] * 5_000) + "\n").encode() * 100


def open_quote_csv() -> bytes:
    """A quote opened on the first line and never closed: one row of 3 MB over 300,000 short lines."""
    return b'area,measure,period,value\n"Worcestershire,referrals,2025,5\n' + b"x\n" * 1_500_000


def too_many_cells_csv() -> bytes:
    """Short rows, more cells in all than a file may hold (30 MB, compressible text)."""
    return b"a,b,c,d,e,f,g,h,i,j\n" * (MAX_CELLS // 10 + 1_000)


# ZIP members damaged in each of the ways zipfile raises on


def _ees_member_zip(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        zf.writestr("data/b1.csv", template_csv(["Worcestershire,referrals,Apr-25,5,,,"] * 200))
    return out.getvalue()


def _patch(data: bytes, signature: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Set a field of every local (PK\\3\\4) or central (PK\\1\\2) header."""
    out = bytearray(data)
    at = out.find(signature)
    while at != -1:
        struct.pack_into(fmt, out, at + offset, value)
        at = out.find(signature, at + 4)
    return bytes(out)


LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def _patch_central(data: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """Set a field of one member's central directory entry (the one zipfile trusts)."""
    out = bytearray(data)
    at = out.find(CENTRAL)
    while at != -1:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + length] == name.encode():
            struct.pack_into(fmt, out, at + offset, value)
        at = out.find(CENTRAL, at + 4)
    return bytes(out)


def zip_bad_crc() -> bytes:
    return _patch(_patch(_ees_member_zip(), CENTRAL, 16, "<I", 0x12345678), LOCAL, 14, "<I", 0x12345678)


def zip_encrypted() -> bytes:
    data = _ees_member_zip()
    return _patch(_patch(data, CENTRAL, 8, "<H", 1), LOCAL, 6, "<H", 1)


def zip_deflate64() -> bytes:
    return _patch(_patch(_ees_member_zip(), CENTRAL, 10, "<H", 9), LOCAL, 8, "<H", 9)


def zip_lying_size() -> bytes:
    """The directory says 100 bytes; the member expands to several KB."""
    return _patch(_patch(_ees_member_zip(), CENTRAL, 24, "<I", 100), LOCAL, 22, "<I", 100)


def zip_claims_huge() -> bytes:
    """The directory says 4 GB for a member of a few KB."""
    return _patch(_patch(_ees_member_zip(), CENTRAL, 24, "<I", 0xFFFFFFF0), LOCAL, 22, "<I", 0xFFFFFFF0)


def zip_bomb_total() -> bytes:
    """Twenty-five members of 14 MB each: each under the member limit, 350 MB together."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        member = b"0" * (14 * MB)
        for i in range(25):
            zf.writestr(f"data/part{i}.csv", member)
    return out.getvalue()


def zip_corrupt_deflate() -> bytes:
    data = bytearray(_ees_member_zip())
    start = 30 + len("data/b1.csv")
    data[start : start + 40] = b"\xff" * 40
    return bytes(data)


def zip_name_mismatch() -> bytes:
    data = bytearray(_ees_member_zip())
    at = 30
    data[at : at + len("data/b1.csv")] = b"data/b2.csv"  # the local header's name only
    return bytes(data)


def zip_many_members_cells() -> bytes:
    """Three CSVs of 2 million cells each: each under the limit, together over it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(3):
            zf.writestr(f"data/part{i}.csv", b"a,b,c,d,e,f,g,h,i,j\n" * 200_000)
    return out.getvalue()


CASES: dict[str, tuple[str, object, str]] = {
    # name: (upload name, builder, text the error must contain)
    "merge_bomb": (
        "merged.xlsx",
        merge_bomb,
        f"merged range A1:XFD1048576 of 17,179,869,184 cells (limit {MAX_WORKBOOK_CELLS:,}",
    ),
    "sparse_sheets": ("sparse.xlsx", sparse_sheets, "the workbook has 60 sheets (limit 50)"),
    "one_sparse_sheet": (
        "sparse1.xlsx",
        one_sparse_sheet,
        f"17,179,869,184 cells (to XFD1,048,576), more than the {MAX_WORKBOOK_CELLS:,} cells",
    ),
    "huge_sheet_xml": (
        "big.xlsx",
        huge_sheet_xml,
        f"'xl/worksheets/sheet1.xml' inside the archive would expand to 280 MB (limit {MAX_SHEET_XML_BYTES // MB} MB)",
    ),
    "huge_sheet_lying_size": (
        "lying.xlsx",
        huge_sheet_lying_size,
        "'xl/worksheets/sheet1.xml' inside the archive is damaged: its checksum",
    ),
    "long_text_cell": (
        "text.xlsx",
        long_text_cell,
        "sheet Sheet holds a text or tag of more than 1 MB (Excel keeps a cell to 32,767 characters)",
    ),
    "many_shared_strings": ("strings.xlsx", many_shared_strings, "more than 1,000,000 distinct texts (limit 1,000,000)"),
    "entity_bomb": ("lol.xlsx", entity_bomb, "declares XML entities"),
    "one_line_csv": ("line.csv", one_line_csv, "(limit 1 MB per row)"),
    "wide_csv": ("wide.csv", wide_csv, "row 1 has 5,000 fields (limit 2,000)"),
    "open_quote_csv": (
        "quote.csv",
        open_quote_csv,
        "row 2 has a field longer than 131,072 characters (a quote may be left open)",
    ),
    "too_many_cells_csv": (
        "cells.csv",
        too_many_cells_csv,
        f"more than {MAX_CELLS:,} cells (rows x columns; limit {MAX_CELLS:,} per file)",
    ),
    "zip_bad_crc": ("bad.zip", zip_bad_crc, "'data/b1.csv' inside the archive is damaged: its checksum does not match"),
    "zip_encrypted": ("enc.zip", zip_encrypted, "'data/b1.csv' inside the archive is encrypted"),
    "zip_deflate64": (
        "d64.zip",
        zip_deflate64,
        "'data/b1.csv' inside the archive is compressed with Deflate64, which is not supported",
    ),
    "zip_lying_size": ("lie.zip", zip_lying_size, "'data/b1.csv' inside the archive is damaged: its checksum does not match"),
    "zip_claims_huge": (
        "claim.zip",
        zip_claims_huge,
        f"'data/b1.csv' inside the archive would expand to 4,295 MB (limit {MAX_PART_BYTES // MB} MB)",
    ),
    "zip_bomb_total": (
        "total.zip",
        zip_bomb_total,
        f"the archive would expand to 350 MB; it was not opened (limit {MAX_UNZIPPED_BYTES // MB} MB",
    ),
    "zip_corrupt_deflate": ("corrupt.zip", zip_corrupt_deflate, "'data/b1.csv' inside the archive"),
    "zip_name_mismatch": (
        "name.zip",
        zip_name_mismatch,
        "its name in the archive's directory differs from the name stored with its data",
    ),
    "zip_cells_together": (
        "parts.zip",
        zip_many_members_cells,
        f"with the archive's other CSV files, this makes more than {MAX_CELLS:,} cells "
        f"(rows x columns; limit {MAX_CELLS:,} per file)",
    ),
}


# ---------------------------------------------------------------- the child: build, then read with memory measured


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def _child(case: str, how: str) -> dict:
    """Build a case's file, reset the peak RSS, read it (``read_file`` or ``prepare`` against an
    empty store) and report the problems, what was read, and the peak growth in MB."""
    name, build, _ = CASES[case] if case in CASES else (case.split("=", 1)[0], None, "")
    data = build() if build else Path(case.split("=", 1)[1]).read_bytes()
    store = None
    if how == "prepare":
        from journey.build import open_store
        from journey.importing.plan import prepare

        store = open_store(Path(tempfile.mkdtemp()) / "limits.duckdb", load_default=False)
    import gc

    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := current RSS
    base, started = _status_mb("VmRSS"), time.perf_counter()
    if how == "prepare":
        plan = prepare(store, [(name, data)])
        problems, read = plan.problems, {"add": len(plan.add)}
    else:
        problems = Problems()
        source = read_file(name, data, problems)
        read = {"sheets": [[s.name, len(s.rows), len(s.rows[0]) if s.rows else 0] for s in source.sheets]}
    return {
        "problems": [[p.level, str(p)] for p in problems.items],
        "read": read,
        "bytes": len(data),
        "growth_mb": round(_status_mb("VmHWM") - base, 1),
        "seconds": round(time.perf_counter() - started, 2),
    }


def run_case(case: str, how: str = "read") -> dict:
    """A case in a fresh interpreter: its result, or the child's error output if it raised."""
    run = subprocess.run(
        [sys.executable, __file__, case, how], cwd=PROJECT, env=subprocess_env(), capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", autouse=True)
def _vmhwm_resettable():
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("peak memory is measured with /proc/self/clear_refs (Linux only)")


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_refused_by_its_limit_within_the_memory_budget(case):
    name, _, expected = CASES[case]
    result = run_case(case)
    errors = [text for level, text in result["problems"] if level == "error"]
    assert errors, result
    assert any(expected in e for e in errors), errors
    assert all(e.startswith(name) for e in errors), errors  # every message names the file
    assert all("\n" not in e and len(e) < 400 for e in errors), errors  # one line each
    assert result["read"]["sheets"] == [], result  # nothing half-read passed on
    assert result["growth_mb"] < BUDGET_MB, result


@pytest.mark.parametrize("case", ["merge_bomb", "one_line_csv", "zip_bad_crc"])
def test_hostile_file_through_prepare_is_refused_within_the_budget(case):
    name, _, expected = CASES[case]
    result = run_case(case, "prepare")
    errors = [text for level, text in result["problems"] if level == "error"]
    assert any(expected in e for e in errors), errors
    assert result["read"] == {"add": 0}
    assert result["growth_mb"] < BUDGET_MB, result


# ---------------------------------------------------------------- ordinary files still read


def _read(name: str, data: bytes) -> tuple[list, Problems]:
    problems = Problems()
    return read_file(name, data, problems).sheets, problems


def test_merged_header_cells_carry_their_value_in_a_read_only_workbook():
    sheets, problems = _read("card.xlsx", scorecard_xlsx())
    assert not problems.errors, problems.frame()
    rows = sheets[0].rows
    assert rows[0][:7] == ["Worcestershire Children's Services: Monthly Performance Scorecard"] * 7  # A1:G1
    assert rows[3][2:5] == ["Quarter 1 2025-26"] * 3  # C4:E4
    assert rows[14][0] == rows[14][6] == "Source: Mosaic case management system. June figures are provisional."
    assert {len(r) for r in rows} == {7}
    assert (7, 1) in sheets[0].percent_cells and (7, 2) in sheets[0].percent_cells  # B8, C8 formatted 0.0%


def test_a_declared_dimension_larger_than_the_cells_is_not_trusted():
    """<dimension ref="A1:XFD1048576"> over four cells: the four cells are read, not the grid."""
    body = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>3</v></c><c r="B2"><v>4</v></c></row>'
    )
    book = _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": _sheet_xml(body, dimension="A1:XFD1048576")})
    sheets, problems = _read("dim.xlsx", book)
    assert not problems.errors
    assert sheets[0].rows == [[1, 2], [3, 4]]


def test_cells_without_references_are_read_in_order():
    body = "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row><c><v>4</v></c></row>"
    book = _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": _sheet_xml(body)})
    sheets, _ = _read("norefs.xlsx", book)
    assert sheets[0].rows == [[1, 2, 3], [4, None, None]]


def test_a_merge_beyond_the_cells_is_clipped_to_them():
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c></row>'
        '<row r="2"><c r="A2"><v>5</v></c><c r="B2"><v>6</v></c></row>'
    )
    after = '<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>'
    book = _replace_member(_one_cell_book(), {"xl/worksheets/sheet1.xml": _sheet_xml(body, after)})
    sheets, _ = _read("clip.xlsx", book)
    assert sheets[0].rows == [["Title", "Title", "Title"], [5, 6, None]]


def test_csv_grid_keeps_blanks_as_none_and_shares_repeated_text():
    sheets, problems = _read(
        "t.csv", template_csv(["Worcestershire,referrals,Apr-25,5,,,", "Worcestershire,referrals,May-25,,c,,"])
    )
    assert not problems.errors
    sheet = sheets[0]
    assert sheet.rows[1] == ["Worcestershire", "referrals", "Apr-25", "5", None, None, None]
    assert sheet.rows[2][3] is None and sheet.rows[2][4] == "c"
    assert sheet.rows[1][0] is sheet.rows[2][0]  # one object for the repeated area name
    assert sheet.frame.shape == (3, 7) and sheet.frame.iloc[2, 4] == "c" and sheet.frame.iloc[2, 3] is None


def test_a_ragged_csv_is_as_wide_as_its_widest_row():
    sheets, _ = _read("r.csv", b"Title\narea,measure,period,value\nWorcestershire,referrals,2025,5\n")
    assert [len(r) for r in sheets[0].rows] == [4, 4, 4]
    assert sheets[0].rows[0] == ["Title", None, None, None]


def test_ees_zip_still_reads_and_a_damaged_member_is_named_beside_the_good_one():
    sheets, problems = _read("ees.zip", ees_zip())
    assert [s.name for s in sheets] == ["b1_children_in_need.csv"] and not problems.errors
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/good.csv", template_csv(["Worcestershire,referrals,Apr-25,5,,,"]))
        zf.writestr("data/bad.csv", template_csv(["Worcestershire,referrals,May-25,6,,,"]))
    sheets, problems = _read("two.zip", _patch_central(out.getvalue(), "data/bad.csv", 16, "<I", 0xDEADBEEF))
    assert [s.name for s in sheets] == ["good.csv"] and sheets[0].rows[1][2] == "Apr-25"
    assert [str(p) for p in problems.errors] == [
        "two.zip: 'data/bad.csv' inside the archive is damaged: its checksum does not match "
        "its contents. Download the archive or save it again."
    ]


def test_read_member_refuses_a_member_larger_than_its_cap():
    with zipfile.ZipFile(io.BytesIO(_ees_member_zip())) as zf:
        info = zf.infolist()[0]
        assert read_member(zf, info, info.file_size) == zf.read(info)
        with pytest.raises(
            Refused,
            match=rf"'data/b1.csv' inside the archive would expand to {info.file_size:,} bytes "
            rf"\(limit {info.file_size - 1:,} bytes\)",
        ):
            read_member(zf, info, info.file_size - 1)


def test_an_unforeseen_error_while_reading_is_one_line_not_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise struct.error("unpack requires a buffer of 4 bytes")

    monkeypatch.setattr(files_module, "read_xlsx", broken)  # the name read_file calls
    sheets, problems = _read("odd.xlsx", scorecard_xlsx())
    assert sheets == []
    assert [str(p) for p in problems.errors] == [
        "odd.xlsx: the file cannot be read (error). Check that it is a CSV, an .xlsx workbook or an EES .zip, and save it again."
    ]


def test_limits_are_stated_as_enforced():
    assert MAX_FILE_BYTES == MAX_PART_BYTES == 15 * MB == 15_000_000
    text = limits_text()
    assert text.startswith(
        "Each file, and all the files of one import together, can be up to 15 MB (1 MB = 1,000,000 bytes); "
        "a file can hold up to 3,000,000 cells (2,000,000 in a workbook)"
    )
    assert "300 MB" in text and "200 MB for one worksheet" in text and "50 sheets" in text and "\n" not in text
    _, problems = _read("big.csv", b"a" * (MAX_FILE_BYTES + 1))
    assert [str(p) for p in problems.errors] == [
        "big.csv: the file is 15,000,001 bytes, over the limit of 15 MB (15,000,000 bytes). Split it into smaller files."
    ]
    assert [limits.size_text(n) for n in (300 * MB, MB, 1_500_000, 279_999_999, 999)] == [
        "300 MB",
        "1 MB",
        "1.5 MB",
        "280 MB",
        "999 bytes",
    ]


SAMPLES = SHARED / "samples" / "dfe"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the real DfE sample files (../shared/samples/dfe) are not on this machine")
@pytest.mark.parametrize("sample", ["b1_children_in_need_2013_to_2025.csv", "la_care_leavers_activity.csv"])
def test_real_dfe_files_still_read_within_the_budget(sample):
    path = SAMPLES / sample
    result = run_case(f"{sample}={path}")
    assert not [t for level, t in result["problems"] if level == "error"], result["problems"][:3]
    [[_, rows, columns]] = result["read"]["sheets"]
    with open(path, encoding="utf-8-sig") as f:
        lines = sum(1 for _ in f)
    assert rows == lines and columns > 10
    assert result["growth_mb"] < BUDGET_MB, result


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "read")))
    sys.stdout.flush()
    os._exit(0)


def test_the_files_of_one_import_together_are_bounded_by_the_file_limit(empty_store):
    """Each file under the limit, but together over it: refused before any is read (an import
    keeps every file's sheets while it is checked)."""
    from journey.importing.plan import prepare

    half = MAX_FILE_BYTES // 2 + 1
    row = b"Herefordshire,referrals,Jan-24,300\n"
    data = b"area,measure,period,value\n" + row * (half // len(row) + 1)
    plan = prepare(empty_store, [("a.csv", data), ("b.csv", data)])
    assert [p.message for p in plan.problems.errors] == [
        f"the 2 files together are {limits.size_text(2 * len(data))} (limit {limits.size_text(MAX_FILE_BYTES)} for one import)"
    ]
    assert plan.add.empty
    one = prepare(empty_store, [("a.csv", data)])
    assert len(one.add) == 1  # one of them alone is read (its rows are one figure, repeated)
    assert not any("together" in p.message for p in one.problems.items)
