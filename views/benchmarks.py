"""Benchmarks: every indicator against England, region and neighbours; LAs ranked on one."""

import pandas as pd
import streamlit as st

from journey import areas
from journey.benchmarks import current_la_count, neighbours, year_figures
from journey.charts import ranked_bars
from journey.config import ENGLAND
from journey.registry import registry
from journey.selection import tidy_for_years
from ui import charts
from ui.downloads import download_row, file_stem
from ui.state import data_page
from ui.tables import benchmark_summary

s, sel, la = data_page()
reg = registry()

st.title(f"{la.name}: benchmarks")
st.caption(
    f"Each indicator in its latest year up to {sel.year_to}. SN = the 10 statistical neighbours of the {sel.model} model; "
    "neighbours without a figure are left out and counted. Direction is judged only where higher or lower is better; "
    "rank 1 = best, quartile band A = best quarter of the LAs that have a figure in the store."
)


def _ids(table: pd.DataFrame) -> list[str]:
    """Measure ids of the summary rows (the table shows labels)."""
    by_label = {m.label: m.id for m in reg}
    return [by_label[label] for label in table["Indicator"]]


summary = benchmark_summary(s, s.data_version, la.key, sel.year_to, sel.model).rename(columns={la.key: la.name})
st.dataframe(summary, hide_index=True, width="stretch", height=min(900, 38 * (len(summary) + 1)))
region = areas.region_of(s, la)
download_row(
    file_stem(la.name, "benchmarks"), key="summary", title=f"{la.name}: benchmarks, each indicator in its latest year",
    data=lambda: tidy_for_years(s, [(r.id, int(y)) for r, y in zip(map(reg.get, _ids(summary)), summary["Year"])],
                                [la.key, ENGLAND] + ([region.key] if region else [])),
    shown=lambda: summary, notes=("SN means, medians, ranks and bands are worked out by the dashboard: see the As shown sheet.",))

st.subheader("Where the LA stands on one indicator")
judged = [m.id for m in reg if m.kind != "count"]
c1, c2, c3 = st.columns([3, 1, 2])
measure_id = c1.selectbox("Indicator", judged, format_func=lambda k: reg.get(k).label, key="rank_measure",
                          index=judged.index("cp_rate_per_10k"), bind="query-params")
m = reg.get(measure_id)
years = sorted({int(y) for y in year_figures(s, m.id, sel.year_to or 0)["reporting_year"]} |
               {y for y in range(sel.year_from or 2009, (sel.year_to or 2025) + 1)}, reverse=True)
year = c2.selectbox("Year", years, key="rank_year", bind="query-params")
scope = c3.radio("Show", ["Statistical neighbours", "All LAs in the store"], horizontal=True, key="rank_scope",
                 bind="query-params")
frame = year_figures(s, m.id, year)
frame = frame[(frame["area_type"] == "LA") & frame["value"].notna()]
names = areas.la_labels(s)
if scope == "Statistical neighbours":
    keys = {k for _, k, _ in neighbours(s, la, sel.model)} | {la.key}
    frame = frame[frame["area_key"].isin(keys)]
bars = pd.DataFrame({"name": frame["area_key"].map(names), "value": frame["value"]})
if bars.empty or la.key not in set(frame["area_key"]):
    st.info(f"No {year} figure for {la.name} on this indicator.")
else:
    total = current_la_count(s, year)
    if scope == "Statistical neighbours":
        st.caption(f"{la.name} and its {sel.model} statistical neighbours that have a {year} figure ({len(bars)} LAs).")
    else:
        st.caption(f"Coverage: the store has a {year} figure for {len(bars)} of the {total} LAs in England.")
    def bar_chart():
        return ranked_bars(bars, m, highlight=names[la.key],
                           description=f"Bar chart of {m.label.lower()} in {year}, {la.name} highlighted among {len(bars)} LAs.")

    charts.show(bar_chart, ("ranked", s.data_version, sel.la, sel.model, m.id, year, scope))
    ranked_table = bars.sort_values("value", ascending=m.polarity == "low").rename(
        columns={"name": "Local authority", "value": m.label}).set_index("Local authority")
    with st.expander("The bars as a table"):
        st.dataframe(ranked_table.map(m.format), width="stretch")
    download_row(file_stem(la.name, m.id, str(year), "ranked"), key="ranked", title=f"{m.label} in {year}: LAs ranked",
                 data=lambda: tidy_for_years(s, [(m.id, year)], frame["area_key"].tolist()),
                 shown=lambda: ranked_table,
                 chart=bar_chart)
