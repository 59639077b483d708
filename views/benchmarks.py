"""Benchmarks: every indicator against England, region and neighbours; LAs ranked on one."""

import pandas as pd
import pyarrow as pa
import streamlit as st

from journey import areas
from journey.benchmarks import current_la_count, neighbours, year_lookup
from journey.charts import ranked_bars
from journey.config import ENGLAND
from journey.registry import STAGES, registry
from journey.selection import tidy_for_years
from ui import charts
from ui.downloads import download_row, file_stem
from ui.pickers import measure_picker
from ui.state import data_page
from ui.tables import benchmark_summary, filter_summary, summary_display
from ui.tables import shown as arrow

s, sel, la = data_page()
reg = registry()

st.title(f"{la.name}: benchmarks")
st.caption(
    f"Each indicator in its latest year up to {sel.year_to}. SN = the 10 statistical neighbours of the {sel.model} model; "
    "neighbours without a figure are left out and counted. Direction is judged only where higher or lower is better; "
    "rank 1 = best, quartile band A = best quarter of the LAs that have a figure in the store."
)


# Filters: with about 200 indicators one table is unusable, so the summary is grouped by stage
# (each stage's rows by topic) and narrowed by stage, text, figure and polarity.
f1, f2, f3 = st.columns([2, 2, 2], vertical_alignment="bottom")
stage_ids = [sid for sid in STAGES if sid in reg.by_stage()]
stages = f1.multiselect(
    "Stages", stage_ids, format_func=STAGES.__getitem__, key="bm_stages", bind="query-params", placeholder="All stages"
)
text = f2.text_input(
    "Search the indicators",
    key="bm_search",
    bind="query-params",
    max_chars=100,
    placeholder="Part of a name or topic, e.g. adoption",
)
with f3:
    with_figure = st.toggle(f"Only indicators with a figure for {la.name}", value=True, key="bm_with_figure", bind="query-params")
    judged_only = st.toggle(
        "Only where higher or lower is better",
        value=False,
        key="bm_judged",
        bind="query-params",
        help="Leave out neutral measures (e.g. CIN, CP and CLA rates), which are never ranked.",
    )

summary = benchmark_summary(s, la.key, sel.year_to, sel.model)
chosen = filter_summary(summary, stages=stages, text=text, with_figure=with_figure, judged_only=judged_only)
filters = (tuple(stages), " ".join(text.lower().split()), with_figure, judged_only)
if not chosen:
    st.info("No indicator matches these filters. Clear the search or choose other stages.")
# One Arrow table of the rows shown, made once per LA and filters; each stage's table is a
# slice of it (the rows come grouped by stage).
table = arrow(s, ("benchmark_summary", la.key, sel.year_to, sel.model, filters), lambda: summary_display(chosen, la.name))
start = 0
while start < len(chosen):
    stage_id = chosen[start].stage
    end = start
    while end < len(chosen) and chosen[end].stage == stage_id:
        end += 1
    n = end - start
    with st.expander(f"{STAGES.get(stage_id, stage_id)} ({n} indicator{'s' if n != 1 else ''})", expanded=True):
        st.dataframe(table.slice(start, n), hide_index=True, width="stretch", height=min(900, 38 * (n + 1)))
    start = end
region = areas.region_of(s, la)
with_values = [r for r in chosen if r.has_figure]
download_row(
    file_stem(la.name, "benchmarks"),
    key="summary",
    title=f"{la.name}: benchmarks, each indicator in its latest year",
    data=lambda: tidy_for_years(
        s, [(r.measure, r.year) for r in with_values], [la.key, ENGLAND] + ([region.key] if region else [])
    ),
    shown=lambda: pd.DataFrame(summary_display(chosen, la.name, stage=True)),
    notes=("SN means, medians, ranks and bands are worked out by the dashboard: see the As shown sheet.",),
)

st.subheader("Where the LA stands on one indicator")
# Counts are not compared between LAs of different sizes; judgements are never ranked.
rankable = [m for m in reg if m.kind not in ("count", "judgement")]
c0, c1, c2, c3 = st.columns([2, 3, 1, 2])
measure_id = measure_picker(rankable, key="rank_measure", stage_key="rank_stage", default="cp_rate_per_10k", slots=(c0, c1))
m = reg.get(measure_id)
years = list(range(sel.year_to or 2025, (sel.year_from or 2009) - 1, -1))
year = c2.selectbox("Year", years, key="rank_year", bind="query-params")
scope = c3.radio(
    "Show", ["Statistical neighbours", "All LAs in the store"], horizontal=True, key="rank_scope", bind="query-params"
)
names = areas.la_labels(s)
# (area key, value) of every LA with a figure, best first: plain lists, as this is the page's
# own work on every rerun for an LA or indicator not seen before.
ranked = [(key, f.value) for key, f in year_lookup(s, m.id).get(year, {}).items() if f.area_type == "LA" and f.value is not None]
if scope == "Statistical neighbours":
    keys = {k for _, k, _ in neighbours(s, la, sel.model)} | {la.key}
    ranked = [r for r in ranked if r[0] in keys]
ranked.sort(key=lambda r: r[1], reverse=m.polarity != "low")
bars = [{"name": names.get(key, key), "value": value} for key, value in ranked]
bar_names = [b["name"] for b in bars]
if not any(key == la.key for key, _ in ranked):
    st.info(f"No {year} figure for {la.name} on this indicator.")
else:
    total = current_la_count(s, year)
    if scope == "Statistical neighbours":
        st.caption(f"{la.name} and its {sel.model} statistical neighbours that have a {year} figure ({len(bars)} LAs).")
    else:
        st.caption(f"Coverage: the store has a {year} figure for {len(bars)} of the {total} LAs in England.")

    def bar_chart():
        return ranked_bars(
            bars,
            m,
            highlight=names[la.key],
            description=f"Bar chart of {m.label.lower()} in {year}, {la.name} highlighted among {len(bars)} LAs.",
        )

    def ranked_table() -> pd.DataFrame:
        return pd.DataFrame({"Local authority": bar_names, m.label: [value for _, value in ranked]})

    charts.show(bar_chart, ("ranked", s.data_version, sel.la, sel.model, m.id, year, scope))
    with st.expander("The bars as a table"):
        st.dataframe(
            pa.table({"Local authority": bar_names, m.label: [m.format(value) for _, value in ranked]}),
            hide_index=True,
            width="stretch",
        )
    download_row(
        file_stem(la.name, m.id, str(year), "ranked"),
        key="ranked",
        title=f"{m.label} in {year}: LAs ranked",
        data=lambda: tidy_for_years(s, [(m.id, year)], [key for key, _ in ranked]),
        shown=ranked_table,
        chart=bar_chart,
    )
