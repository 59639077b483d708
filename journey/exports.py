"""Writing figures out to files people open in Excel, safely.

A cell whose text begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be
run as a formula by Excel; such text from data or uploads is written with a leading apostrophe
so it stays text ("formula injection" neutralised). Numbers are written as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value, with text that Excel would read as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)  # "-1.5" is a number written as text, not a formula
            return value
        except ValueError:
            return "'" + value
    return value


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]],
                   header_notes: dict[str, list[str]] | None = None) -> bytes:
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
