"""Data & sources: what the store holds, conflicting figures, and the suppression symbols."""

import pandas as pd
import streamlit as st

from journey import figures
from journey.registry import registry
from journey.symbols import symbol_table
from ui import data
from ui.downloads import download_row
from ui.tables import conflict_table
from ui.tables import shown as arrow

SOURCE_HEADINGS = {
    "source": "Source",
    "vintage": "Vintage",
    "rows": "Figures",
    "areas": "Areas",
    "measures": "Measures",
    "first_year": "First year",
    "last_year": "Last year",
    "suppressed_or_missing": "Suppressed or missing",
}
MAX_ROWS_SHOWN = 1_000  # a national store can hold many thousands of revised figures: draw a page of them

s = data.store()
st.title("Data & sources")

summary = figures.store_summary(s)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Figures", f"{summary['figures']:,}")
c2.metric("Measures in the registry", len(registry()))
c3.metric(
    "Local authorities in the area list",
    summary["local_authorities"],
    help="Every LA DfE has published since 2013, including former ones (old Dorset, Cumbria, Northamptonshire ...).",
)
c4.metric("Years", "–" if not summary["figures"] else f"{summary['first_year']}–{summary['last_year']}")

st.subheader("Sources and vintages")
st.caption(
    "Every figure keeps its source and vintage (release). Where several give the same figure, the newest vintage is shown."
)
src = figures.sources(s)
if src.empty:
    st.info("No figures yet.")
    st.page_link("views/upload.py", label="Go to Upload data", icon=":material/upload:")
else:
    st.dataframe(arrow(s, "sources", lambda: src.rename(columns=SOURCE_HEADINGS)), hide_index=True, width="stretch")
    download_row("sources_and_vintages", key="sources", title="Sources and vintages in the store", data=lambda: src)

st.subheader("Conflicting figures")
n_conflicts = figures.conflict_count(s)
st.caption(
    f"{n_conflicts:,} figure{'' if n_conflicts == 1 else 's'} (area, measure, period) given differently by "
    "different rows: values that differ beyond the published precision, a value against a suppression symbol, "
    "or two different symbols. Rows that agree are one figure and are not listed. Every row is kept; the one "
    "shown by default (the newest vintage) is marked."
)
shown = conflict_table(s)
if shown.empty:
    st.write("None.")
else:
    if len(shown) > MAX_ROWS_SHOWN:
        st.caption(f"{len(shown):,} rows: the first {MAX_ROWS_SHOWN:,} are shown; the downloads hold them all.")
    st.dataframe(arrow(s, "conflicts", lambda: shown.head(MAX_ROWS_SHOWN)), hide_index=True, width="stretch")
    download_row("conflicting_figures", key="conflicts", title="Conflicting figures", data=lambda: shown)

st.subheader("Measures")
reg = registry()
present = summary["measures_present"]
measure_rows = [
    {
        "Stage": m.stage_label,
        "Measure": m.label,
        "Id": m.id,
        "Unit": m.unit,
        "Polarity": m.polarity,
        "Decimals": m.decimals,
        "In the store": "yes" if m.id in present else "",
        "Definition": m.definition,
    }
    for m in reg
]
st.dataframe(arrow(s, "measures", lambda: measure_rows), hide_index=True, width="stretch")
download_row("measures", key="measures", title="Measures in the indicator registry", data=lambda: pd.DataFrame(measure_rows))

st.subheader("Suppression symbols")
st.caption("A suppressed or missing figure is stored as no value plus its symbol: never as 0. Charts show a gap.")
st.dataframe(arrow(s, "symbols", symbol_table), hide_index=True, width="stretch")
