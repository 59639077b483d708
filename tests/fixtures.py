"""Files the import tests upload, written here (never copied from ../shared/samples)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font


def xlsx(build) -> bytes:
    wb = Workbook()
    build(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scorecard_xlsx() -> bytes:
    """A monthly scorecard as performance teams keep them: title rows, a merged group header,
    month headers (one a real date), a target and a RAG column, section rows, blank separator
    rows, percentages stored as fractions with a % format, numbers stored as text, n/a and c,
    and footnotes under the table."""

    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "Scorecard"
        ws["A1"] = "Worcestershire Children's Services: Monthly Performance Scorecard"
        ws["A1"].font = Font(bold=True, size=14)
        ws.merge_cells("A1:G1")
        ws["A2"] = "Data to the end of June 2025"
        ws["A4"], ws["B4"], ws["C4"], ws["F4"], ws["G4"] = "Indicator", "Target", "Quarter 1 2025-26", "RAG", "Comments"
        ws.merge_cells("C4:E4")
        ws["C5"] = dt.datetime(2025, 4, 1)
        ws["C5"].number_format = "mmm-yy"
        ws["D5"], ws["E5"] = "May-25", "Jun-25"
        rows = [
            ("Front door", None, None, None, None, None, None),
            ("Number of referrals", None, "402", 398, "1,012", None, None),
            ("% re-referrals within 12 months", 0.18, 0.171, 0.183, "17.8%", "Amber", "Rising since April"),
            (None, None, None, None, None, None, None),
            ("Child protection and care", None, None, None, None, None, None),
            ("Children subject to a CP plan (month end)", None, 522, 530, "n/a", "Green", None),
            ("LAC per 10,000", None, 86.1, 86.4, "c", None, "June suppressed: small numbers"),
            ("Contacts", None, 2100, 2050, 1990, None, None),
        ]
        for r, row in enumerate(rows, start=6):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for cell in ("B8", "C8", "D8"):
            ws[cell].number_format = "0.0%"
        ws["A15"] = "Source: Mosaic case management system. June figures are provisional."
        ws.merge_cells("A15:G15")
        ws["A16"] = "* RAG is against the local target."

    return xlsx(build)


#: The 2013-14 Worcestershire board report's tables T9 and T12, as printed.
BOARD_T9 = [
    ["CIN Rate per 10,000 children 0-17 years", None, None, None, None, None],
    [None, "2008/09", "2009/10", "2010/11", "2011/12", "2012/13"],
    ["Worcestershire", 246.0, 262.7, 233.7, 259.7, 274.9],
    ["Statistical Neighbours", 207.6, 276.9, 308.1, 264.2, 252.2],
    ["England", 276.0, 341.3, 346.2, 325.7, 332.2],
]
BOARD_T12 = [
    ["Rate of Looked After Children per 10,000", None, None, None, None, None, None],
    [None, "2008/09", "2009/10", "2010/11", "2011/12", "2012/13", "2013/14"],
    ["Worcestershire", "45.0", "50.0", "51.0", "52.0", "55.0", "56.2 provisional"],
    ["Statistical neighbours", "38.3", "40.6", "42.4", "42.6", "44.2", "Not available"],
    ["England", "54.0", "57.0", "58.0", "59.0", "60.0", "Not available"],
]


def board_xlsx() -> bytes:
    def build(wb: Workbook) -> None:
        for i, (title, table) in enumerate((("CIN rate", BOARD_T9), ("LAC rate", BOARD_T12))):
            ws = wb.active if i == 0 else wb.create_sheet()
            ws.title = title
            for row in table:
                ws.append(row)

    return xlsx(build)


def board_csv(table=BOARD_T12) -> bytes:
    lines = [",".join("" if v is None else f'"{v}"' for v in row) for row in table]
    return ("\n".join(lines) + "\n").encode()


EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,category,At31_episodes,Started_episodes"
)


def ees_csv(rows: list[str] | None = None, bom: bool = True) -> bytes:
    """A children-in-need file in DfE's layout: BOM, quoted names, symbols."""
    rows = (
        rows
        if rows is not None
        else [
            "2025,Reporting year,National,E92000001,England,,,,,,Children in Need,402400,396870",
            "2025,Reporting year,Regional,E92000001,England,E12000005,West Midlands,,,,Children in Need,46660,41880",
            '2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,884,E06000019,"Herefordshire, County of",Children in Need,1200,c',
            "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,885,E10000034,Worcestershire,Children in Need,3638,3052",
            "2024,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,885,E10000034,Worcestershire,Children in Need,3841,x",
            "2025,Reporting year,Local authority district,E92000001,England,E12000005,West Midlands,,E07000234,Bromsgrove,Children in Need,400,300",
        ]
    )
    text = "\n".join([EES_HEADER, *rows]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def ees_zip() -> bytes:
    """An EES "Download all data" archive: data CSVs and .meta.csv files under data/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/b1_children_in_need.csv", ees_csv())
        zf.writestr(
            "data/b1_children_in_need.meta.csv", "col_name,col_type,label\nAt31_episodes,Indicator,Episodes at 31 March\n"
        )
        zf.writestr("supporting-files/readme.txt", "About this release")
    return buffer.getvalue()


LAIT_HEADER = "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region"


def lait_csv(rows: list[str] | None = None) -> bytes:
    rows = (
        rows
        if rows is not None
        else [
            "CPP_rate,Children subject to a child protection plan per 10000,2023/24,Worcestershire,49.8,885,West Midlands",
            "CPP_rate,Children subject to a child protection plan per 10000,2025 (prov),Worcestershire,43.5,885,West Midlands",
            "CPP_rate,Children subject to a child protection plan per 10000,2023/24,England,41.4,,",
            "CPP_rate,Children subject to a child protection plan per 10000,2023/24,Herefordshire,60.0,884,West Midlands",
            "ReReferral,Re-referrals within 12 months %,2022-23 (OT),Worcestershire,-,885,West Midlands",
            "Continue_Assess_Comp,Assessments within 45 days,2024 (Rev),Worcestershire,92.6,885,West Midlands",
            "Some_Other_Code,Not a measure we hold,2024,Worcestershire,12,885,West Midlands",
        ]
    )
    return ("\n".join([LAIT_HEADER, *rows]) + "\n").encode()


def template_csv(rows: list[str]) -> bytes:
    return ("area,measure,period,value,symbol,source,notes\n" + "\n".join(rows) + "\n").encode()


def template_xlsx(rows: list[list[object]]) -> bytes:
    def build(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "Data"
        ws.append(["area", "measure", "period", "value", "symbol", "source", "notes"])
        for row in rows:
            ws.append(row)

    return xlsx(build)


def file_digest(path) -> str:
    """A database file and its WAL, byte for byte: equal digests mean nothing was written."""
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()
