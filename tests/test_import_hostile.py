"""Malformed and hostile uploads: each gives a clear message naming the file (and the sheet, row
and column where there is one), never a traceback, and the database file is byte-for-byte
unchanged afterwards."""

from __future__ import annotations

import io
import zipfile

import pytest
from fixtures import EES_HEADER, LAIT_HEADER, board_csv, file_digest, scorecard_xlsx, template_csv, template_xlsx, xlsx

from journey.build import open_store
from journey.errors import JourneyError
from journey.importing.plan import commit, prepare


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("data/huge.csv", "w") as member:
            chunk = b"0" * (1 << 20)
            for _ in range(320):  # 320 MB of zeros, a few hundred KB compressed
                member.write(chunk)
    return buffer.getvalue()


def _scorecard_without_title() -> bytes:
    def build(wb):
        ws = wb.active
        ws.append(["Indicator", "Apr-25", "May-25"])
        ws.append(["Number of referrals", 400, 410])

    return xlsx(build)


def _xlsx_with_error_cell() -> bytes:
    return template_xlsx([["Worcestershire", "referrals", "Apr-25", "#DIV/0!", None, None, None]])


def _empty_workbook() -> bytes:
    return xlsx(lambda wb: None)


EES = EES_HEADER + "\n"
T = template_csv
HOSTILE: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, bytes, text the first error or warning must contain)
    "empty file": ("empty.csv", b"", "empty"),
    "blank lines only": ("blank.csv", b"   \n\n  \n", "empty"),
    "binary renamed .csv": ("photo.csv", bytes(range(256)) * 40, "not text"),
    "workbook renamed .csv": ("card.csv", scorecard_xlsx(), "is an Excel workbook or ZIP"),
    "text renamed .xlsx": ("card.xlsx", b"area,measure\nx,y\n", "not an Excel workbook"),
    "broken xlsx": ("broken.xlsx", b"PK\x03\x04" + b"\x00garbage" * 200, "cannot be opened"),
    "zip renamed .xlsx": ("notbook.xlsx", _zip({"hello.txt": b"hi"}), "not an Excel workbook"),
    "old .xls": ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls files are not read"),
    "unknown extension": ("run.exe", b"MZ\x90\x00", "are not read"),
    "zip bomb": ("bomb.zip", _bomb(), "was not opened"),
    "zip with 600 members": ("many.zip", _zip({f"data/f{i}.csv": b"a,b\n1,2\n" for i in range(600)}), "holds 600 files"),
    "zip without csv": ("docs.zip", _zip({"readme.txt": b"hello"}), "no data CSV"),
    "zip path traversal name": ("evil.zip", _zip({"../../../../tmp/evil.csv": b"\x00\x01binary"}), "not a text CSV"),
    "damaged zip": ("damaged.zip", b"PK\x03\x04" + b"\xff" * 300, "damaged"),
    "utf-16 csv": ("utf16.csv", "area,measure,period,value\n".encode("utf-16"), "not text"),
    "only a BOM": ("bom.csv", b"\xef\xbb\xbf", "empty"),
    "unclosed quote": ("quote.csv", b'area,measure,period,value\n"Worcestershire,referrals,2025,5\n', "cannot be read"),
    "header only": ("header.csv", b"area,measure,period,value,symbol,source,notes\n", "no figures"),
    "empty workbook": ("empty.xlsx", _empty_workbook(), "empty"),
    "unknown measure": ("t.csv", T(["Worcestershire,number of dragons,2025,5,,,"]), "unknown measure"),
    "unknown area": ("t.csv", T(["Atlantis,referrals,2025,5,,,"]), "unknown area"),
    "unparseable period": ("t.csv", T(["Worcestershire,referrals,sometime,5,,,"]), "not a period"),
    "backwards year": ("t.csv", T(["Worcestershire,referrals,2024/23,5,,,"]), "second year should follow"),
    "non-numeric value": ("t.csv", T(["Worcestershire,referrals,2025,lots,,,"]), "expected a number"),
    "negative count": ("t.csv", T(["Worcestershire,referrals,2025,-40,,,"]), "negative"),
    "percentage over 100": ("t.csv", T(["Worcestershire,re_referrals_within_12m_pct,2025,140,,,"]), "over 100%"),
    "period in the future": ("t.csv", T(["Worcestershire,referrals,2099,5,,,"]), "in the future"),
    "duplicate conflicting rows": (
        "t.csv",
        T(["Worcestershire,referrals,2025,5,,,", "Worcestershire,referrals,2025,6,,,"]),
        "given twice with different values",
    ),
    "formula error text": ("t.csv", T(["Worcestershire,referrals,2025,#REF!,,,"]), "#REF!"),
    "formula error in workbook": ("t.xlsx", _xlsx_with_error_cell(), "#DIV/0!"),
    "huge value": ("t.csv", T(["Worcestershire,referrals,2025,1e15,,,"]), "far larger"),
    "infinity": ("t.csv", T(["Worcestershire,referrals,2025,inf,,,"]), "not a finite number"),
    "formula injection label": (
        "t.csv",
        T(['Worcestershire,"=HYPERLINK(""http://x.example"",""click"")",2025,5,,,']),
        "unknown measure",
    ),
    "script tag label": ("t.csv", T(["<script>alert(1)</script>,referrals,2025,5,,,"]), "unknown area"),
    "very long label": ("t.csv", T(["Worcestershire," + "x" * 10_000 + ",2025,5,,,"]), "unknown measure"),
    "latin-1 csv": ("latin.csv", "area,measure,period,value\nSaint-Étienne,referrals,2025,5\n".encode("latin-1"), "Windows-1252"),
    "semicolon csv with decimal commas": (
        "semi.csv",
        b"area;measure;period;value\nWorcestershire;re_referrals_within_12m_pct;2025;17,8\n",
        "decimal comma",
    ),
    "ees unknown la": (
        "b1.csv",
        (
            EES + "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,999,E99999999,Nowhere,CIN,1,2\n"
        ).encode(),
        "not in the dashboard's area list",
    ),
    "ees bad time period": (
        "b1.csv",
        (EES + "soon,Reporting year,National,E92000001,England,,,,,,CIN,1,2\n").encode(),
        "not a period",
    ),
    "ees text value": (
        "b1.csv",
        (EES + "2025,Reporting year,National,E92000001,England,,,,,,CIN,many,2\n").encode(),
        "expected a number",
    ),
    "ees without measures": (
        "x.csv",
        b"time_period,geographic_level,country_code,widgets\n2025,National,E92000001,5\n",
        "none of whose figures is a measure this dashboard holds",
    ),
    "lait unknown area": ("lait.csv", (LAIT_HEADER + "\nCPP_rate,CP rate,2023/24,Gondor,49.8,,\n").encode(), "unknown area"),
    "lait bad year": (
        "lait.csv",
        (LAIT_HEADER + "\nCPP_rate,CP rate,2024/26,Worcestershire,49.8,885,\n").encode(),
        "second year",
    ),
    "scorecard unrecognised row": (
        "card.csv",
        b"Worcestershire scorecard\nIndicator,Apr-25,May-25\nWidgets sold,4,5\n",
        "not a measure",
    ),
    "scorecard without LA": ("card.xlsx", _scorecard_without_title(), "which local authority"),
    "board table without measure": (
        "board.csv",
        board_csv([[None, "2012/13", "2013/14"], ["Worcestershire", "1", "2"], ["England", "3", "4"]]),
        "does not say which measure",
    ),
    "board table unknown area": (
        "board.csv",
        board_csv(
            [
                ["Rate of Looked After Children per 10,000"],
                [None, "2012/13", "2013/14"],
                ["Worcestershire", "1", "2"],
                ["England", "3", "4"],
                ["Mordor", "5", "6"],
            ]
        ),
        "unknown area",
    ),
}


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "journey.duckdb"
    s = open_store(path, load_default=True)
    s.query("CHECKPOINT")
    yield s, path
    s.close()


def test_there_are_at_least_forty_hostile_files():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_gives_a_clear_message_and_changes_nothing(hostile_store, case):
    store, path = hostile_store
    name, data, expected = HOSTILE[case]
    before = file_digest(path)
    plan = prepare(store, [(name, data)])  # must not raise
    messages = [str(p) for p in plan.problems.items]
    assert any(expected.lower() in m.lower() for m in messages), messages
    assert all(m.startswith(name) for m in messages), messages  # every message names the file
    assert all("Traceback" not in m for m in messages)
    if plan.ok:  # only benign oddities pass the checks: they say so as a warning
        assert plan.problems.warnings
    else:
        with pytest.raises(JourneyError):
            commit(store, plan)
    assert file_digest(path) == before


def test_row_and_column_are_named(hostile_store):
    store, _ = hostile_store
    plan = prepare(store, [("t.csv", T(["Worcestershire,referrals,2025,5,,,", "Worcestershire,referrals,2024,lots,,,"]))])
    assert any("t.csv, row 3, column value: found 'lots', expected a number" in str(p) for p in plan.problems.errors)


def test_upload_names_are_never_paths(hostile_store, tmp_path, monkeypatch):
    store, _ = hostile_store
    monkeypatch.chdir(tmp_path)
    plan = prepare(store, [("../../etc/passwd.csv", T(["Worcestershire,referrals,Apr-25,5,,,"]))])
    assert plan.files[0]["name"] == "passwd.csv"
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


@pytest.mark.parametrize(
    "bad, column",
    [
        ("Nowhere {i},referrals,Apr-25,5,,,", "area"),
        ("Worcestershire,referrals,Month {i},5,,,", "period"),
        ("Worcestershire,referrals,Apr-25,lots{i},,,", "value"),
        ("Worcestershire,no such measure {i},Apr-25,5,,,", "measure"),
    ],
)
def test_a_file_of_bad_rows_lists_the_first_500_problems_and_stops(hostile_store, bad, column):
    """A file of the wrong kind: the first 500 problems in row order, then one line saying that
    listing stopped, and nothing to commit (the rest of the file is not read cell by cell)."""
    store, path = hostile_store
    before = file_digest(path)
    plan = prepare(store, [("wrong.csv", T([bad.format(i=i) for i in range(20_000)]))])
    items = plan.problems.items
    assert len(items) == 501 and not plan.ok
    assert [p.row for p in items[:500]] == list(range(2, 502))
    assert {p.column for p in items[:500]} == {column}
    assert items[-1].message == "more than 500 problems; listing stopped"
    assert len(plan.add) == 0 and len(plan.replace) == 0
    assert file_digest(path) == before
