"""Download buttons for every table and chart: CSV and formatted .xlsx for tables, PNG (2x)
and SVG for charts. Files are made only when the button is pressed (the data is a callable),
so pages stay fast; the work is done by ``journey.exports``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from journey.charts import Spec
from journey.exports import chart_png, chart_svg, csv_bytes, header_block, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(*parts: str) -> str:
    """A safe file name from words: letters, digits, dashes and underscores only."""
    text = "_".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:80] or "export"


def download_row(
    stem: str,
    *,
    key: str,
    title: str = "",
    data: Callable[[], pd.DataFrame] | None = None,
    shown: Callable[[], pd.DataFrame] | None = None,
    chart: Callable[[], Spec] | None = None,
    notes: tuple[str, ...] = (),
) -> None:
    """One row of download buttons under a table or chart.

    ``data``: the figures as a tidy table with source and vintage (CSV and Excel; re-importable);
    ``shown``: the table as the page shows it (a second Excel sheet); ``chart``: makes the
    chart's Vega-Lite spec (PNG at twice screen size, and SVG)."""
    row = st.container(horizontal=True, gap="small")
    if data is not None:

        def csv() -> bytes:
            frame = data()
            return csv_bytes(frame, header_block(title, frame, notes=notes))

        def xlsx() -> bytes:
            frame = data()
            return xlsx_bytes(frame, header_block(title, frame, notes=notes), shown=shown() if shown else None)

        row.download_button(
            "CSV",
            csv,
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
            on_click="ignore",
            help="The figures with their source and vintage; the file uploads back into the dashboard.",
        )
        row.download_button(
            "Excel",
            xlsx,
            file_name=f"{stem}.xlsx",
            mime=XLSX,
            key=f"{key}_xlsx",
            icon=":material/download:",
            on_click="ignore",
            help="A Data sheet (as the CSV) and the table as shown, formatted.",
        )
    if chart is not None:
        row.download_button(
            "PNG",
            lambda: chart_png(chart()),
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"{key}_png",
            icon=":material/image:",
            on_click="ignore",
            help="The chart as a picture at twice screen size, for slides and reports.",
        )
        row.download_button(
            "SVG",
            lambda: chart_svg(chart()),
            file_name=f"{stem}.svg",
            mime="image/svg+xml",
            key=f"{key}_svg",
            icon=":material/image:",
            on_click="ignore",
            help="The chart as a scalable drawing.",
        )
