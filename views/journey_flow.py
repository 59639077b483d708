"""Journey: the flow from early help and referrals to looked after, for one year."""

import pandas as pd
import pyarrow as pa
import streamlit as st

from journey.charts import flow_chart
from journey.conversion import conversions
from journey.flow import flow_display, flow_display_columns, flow_rows
from journey.registry import registry
from journey.selection import tidy_for_years, trend_area_keys
from ui import charts
from ui.downloads import download_row, file_stem
from ui.state import data_page

s, sel, la = data_page()
reg = registry()

st.title(f"{la.name}: the journey in one year")
years = [y for y in range(sel.year_to or 2025, (sel.year_from or 2009) - 1, -1)]
year = st.selectbox("Reporting year (year ending 31 March)", years, key="flow_year", bind="query-params")
rows = flow_rows(s, sel, year)
if not rows:
    st.info(f"No journey figures for {la.name} in {year}. Pick another year.")
    st.stop()

# Tables and chart rows are built as plain lists and handed to Streamlit as Arrow tables: on a
# rerun for an LA not seen before this is the page's own work, and pandas on a few dozen rows
# cost more than drawing them.
plotted = [{**r, "value": r["rate"]} for r in rows if r["rate"] is not None]
described = "; ".join(f"{r['stage']}: {r['series']} {r['value']:,.1f}" for r in plotted if r["role"] == "la")
chart_tab, table_tab = st.tabs(["Chart", "Table"])
with chart_tab:
    st.markdown(
        "**Children at each stage per 10,000 children aged 0-17**, top to bottom in the order a child moves through the system."
    )
    charts.show(
        lambda: flow_chart(plotted, description=f"Rates per 10,000 for {la.name} in {year}: {described}"),
        ("flow", s.data_version, sel, year),
    )
    st.caption(f"Rates per 10,000 for {la.name} in {year}: {described}.")
with table_tab:
    st.dataframe(pa.table(flow_display_columns(rows)), hide_index=True, width="stretch")
measures = [
    m for m in dict.fromkeys([r["count_measure"] for r in rows] + [r["rate_measure"] for r in rows]) if isinstance(m, str)
]
download_row(
    file_stem(la.name, "journey", str(year)),
    key="flow",
    title=f"{la.name}: the journey in {year}",
    data=lambda: tidy_for_years(s, [(m, year) for m in measures], trend_area_keys(s, sel)),
    shown=lambda: flow_display(rows),
    chart=lambda: flow_chart(plotted, description=f"Rates per 10,000 for {la.name} in {year}"),
    notes=("Statistical-neighbour averages are worked out by the dashboard: see the As shown sheet.",),
)

st.subheader("Conversion between stages")
steps = conversions(s, la, year)
conversion_columns = {
    "Step": [c.label for c in steps],
    "From": [reg.get(c.from_measure).label for c in steps],
    "To": [reg.get(c.to_measure).label for c in steps],
    "Conversion": ["–" if c.percent is None else f"{c.percent:.1f}%" for c in steps],
    "Worked out from": [c.basis for c in steps],
}
st.dataframe(pa.table(conversion_columns), hide_index=True, width="stretch")
download_row(
    file_stem(la.name, "conversion", str(year)),
    key="conversion",
    title=f"{la.name}: conversion between stages in {year}",
    data=lambda: pd.DataFrame(conversion_columns),
)
st.caption(
    "Conversion = later stage ÷ earlier stage × 100. Where counts are not in the store, the ratio of the two "
    "rates per 10,000 gives the same answer (same children's population, same year)."
)
