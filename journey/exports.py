"""Writing figures out to files people open in Excel, safely.

A cell whose text begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be
run as a formula by Excel; such text from data or uploads is written with a leading apostrophe
so it stays text ("formula injection" neutralised). Numbers are written as numbers.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from journey.charts import Spec
from journey.periods import as_date, reporting_year

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Characters an .xlsx cannot hold (C0 controls but tab, newline and carriage return): openpyxl
# refuses them, which would leave the user with no file at all.
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
REPLACEMENT = "\ufffd"


def safe_cell(value: object) -> object:
    """The value as a spreadsheet may hold it: text that Excel would run as a formula (starting
    with = + - @, a tab or a carriage return, unless it is a plain number such as "-1.5") gets a
    leading apostrophe, so "-inf" or "=HYPERLINK(...)" stay text (a lone "-", LAIT's symbol, is no
    formula); control characters an .xlsx
    cannot hold become U+FFFD, so an export never fails on them."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_IN_XLSX.sub(REPLACEMENT, value)
    if value.startswith(FORMULA_STARTS) and value != "-" and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def workbook_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]], header_notes: dict[str, list[str]] | None = None
) -> bytes:
    """An .xlsx with one formatted sheet per (title, headers, rows): bold frozen header row,
    sensible column widths, every text cell passed through ``safe_cell``. ``header_notes``
    puts lines of text (source, vintage, instructions) above a sheet's table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        notes = (header_notes or {}).get(title, [])
        for line in notes:
            ws.append([safe_cell(line)])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
        if notes:
            ws.cell(1, 1).font = Font(bold=True, size=13)
            ws.append([])
        ws.append([safe_cell(h) for h in headers])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="0B5394")
        widths = [len(str(h)) for h in headers]
        for row in rows:
            values = [safe_cell(v) for v in row]
            ws.append(values)
            widths = [max(w, min(60, len(str(v)) if v is not None else 0)) for w, v in zip(widths, values + [None] * len(widths))]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(header_row, i).column_letter].width = max(10, w + 2)
        ws.freeze_panes = ws.cell(header_row + 1, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- charts as files ---------------------------------------------------------------------
CHART_WIDTH = 960  # pixels before scaling: a chart that fills a slide or an A4 page's width
PNG_SCALE = 2  # at least 2x, sharp on a projector and in print


def _fixed_width(spec: object, width: int) -> object:
    """The spec with every ``"width": "container"`` replaced by a number: a file has no container."""
    if isinstance(spec, dict):
        return {k: (width if k == "width" and v == "container" else _fixed_width(v, width)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec


def chart_spec(chart: Spec, width: int = CHART_WIDTH) -> Spec:
    """A copy of a Vega-Lite spec (see ``journey.charts``) with a fixed width."""
    return _fixed_width(chart, width)  # type: ignore[return-value]


def chart_png(chart: Spec, *, width: int = CHART_WIDTH, scale: float = PNG_SCALE) -> bytes:
    """The chart as PNG at ``scale`` times its pixel size, drawn on the server by vl-convert
    with the machine's fonts (no downloads)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart_spec(chart, width), scale=scale)


def chart_svg(chart: Spec, *, width: int = CHART_WIDTH) -> bytes:
    """The chart as SVG (text stays text, so it scales and can be searched)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart_spec(chart, width)).encode("utf-8")


# ---- tables as files ---------------------------------------------------------------------
EXPORT_COLUMNS = ["area", "area_code", "measure", "period", "value", "symbol", "source", "vintage", "notes"]
VIEW_SHEET = "As shown"  # the table as the page shows it; the importer skips this sheet


def export_period(start: object, end: object) -> str:
    """A period written so the importer reads it back as the same period: 2024-25 for a year
    to 31 March, 2025-03-31 for a snapshot, 2024-04 for a month, else 'start to end'."""
    s, e = as_date(start), as_date(end)  # type: ignore[arg-type]
    if s == e:
        return e.isoformat()
    if reporting_year(s, e) is not None:
        return f"{e.year - 1}-{str(e.year)[2:]}"
    if s.day == 1 and (s.year, s.month) == (e.year, e.month) and e.day == calendar.monthrange(e.year, e.month)[1]:
        return f"{s:%Y-%m}"
    return f"{s.isoformat()} to {e.isoformat()}"


def header_block(title: str, frame: pd.DataFrame, *, notes: Sequence[str] = ()) -> list[str]:
    """Lines above an exported table: what it is, its sources and vintages, when it was made."""
    lines = [title]
    if not frame.empty and "source" in frame:
        pairs = frame[["source", "vintage"]].drop_duplicates().dropna(subset=["source"])
        for src, vin in pairs.itertuples(index=False):
            lines.append(f"Source: {src} (vintage {vin})")
    lines += list(notes)
    lines.append(
        f"Exported {dt.date.today():%d %B %Y} from the child's journey dashboard. "
        "Symbols: c suppressed, x not available, z not applicable, u low reliability."
    )
    return lines


def csv_bytes(frame: pd.DataFrame, header: Sequence[str] = ()) -> bytes:
    """A CSV of ``frame`` with the header lines above it (one cell each), every text cell
    neutralised against formula injection, UTF-8 with a byte-order mark so Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in header:
        writer.writerow([safe_cell(line)])
    if header:
        writer.writerow([])
    writer.writerow([safe_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow(["" if _missing(v) else safe_cell(_plain(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    frame: pd.DataFrame, header: Sequence[str] = (), *, shown: pd.DataFrame | None = None, sheet: str = "Data"
) -> bytes:
    """A formatted workbook: ``frame`` on the Data sheet under the header lines, and the table as
    the page shows it (``shown``, index kept) on a second sheet."""
    sheets = [
        (
            sheet,
            [str(c) for c in frame.columns],
            [[None if _missing(v) else _plain(v) for v in row] for row in frame.itertuples(index=False)],
        )
    ]
    notes = {sheet: list(header)}
    if shown is not None and not shown.empty:
        view = shown.reset_index()
        view.columns = ["" if str(c) == "index" else str(c) for c in view.columns]
        sheets.append(
            (
                VIEW_SHEET,
                list(view.columns),
                [[None if _missing(v) else _plain(v) for v in row] for row in view.itertuples(index=False)],
            )
        )
        notes[VIEW_SHEET] = [header[0] if header else "As shown", "Values at published precision; symbols as published."]
    return workbook_bytes(sheets, header_notes=notes)


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _plain(v: object) -> object:
    """Numbers as numbers, dates as ISO text, numpy scalars as Python values."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # type: ignore[union-attr]
    if hasattr(v, "isoformat") and not isinstance(v, str):
        return v.isoformat()  # type: ignore[union-attr]
    return v
