"""Indicator: one template for every measure: trend against comparators, definition, sources."""

import pandas as pd
import pyarrow as pa
import streamlit as st

from journey.charts import Spec, trend_chart, xmr_chart
from journey.inspections import inspection_history
from journey.registry import registry
from journey.selection import la_trend, tidy_figures, trend_area_keys, trend_frame, wide_table
from journey.slides import build_slide, sources_line
from journey.spc import MIN_POINTS, SHIFT_RUN, TREND_RUN
from journey.symbols import symbol_meanings
from ui import charts
from ui.downloads import download_row, file_stem
from ui.pickers import measure_picker
from ui.state import data_page
from ui.text import literal

s, sel, la = data_page()
reg = registry()

measure_id = measure_picker(reg.measures, key="measure", stage_key="stage", label="Measure", default_stage="child_protection")
m = reg.get(measure_id)

st.title(m.label)
if m.is_judgement:
    # Ofsted's grades are categories: listed with their dates and sources, never charted or averaged.
    history = inspection_history(s, la.key, m.id)
    if not history:
        st.info(f"No Ofsted judgement for {la.name} on this measure in the store.")
        st.stop()
    st.markdown(literal(f"{la.name}: {history[0].text}."))
    st.dataframe(
        pa.table(
            {
                "Inspected": [f"{i.inspected.day} {i.inspected:%B %Y}" for i in history],
                "Judgement": [i.words for i in history],
                "Source": [i.source for i in history],
                "Vintage": [i.vintage for i in history],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**Definition.** {literal(m.definition)}")
    st.caption("A judgement is a category, not a number: it is never averaged, ranked or drawn as a line.")
    st.stop()
slide = build_slide(s, sel, m.id)
mine = slide.mine  # (year, period, value, symbol), every year in range
if not any(value is not None for _, _, value, _ in mine):
    st.info(f"No figures for {la.name} on this measure in the selected years. Choose another measure or LA.")
    st.stop()

if slide.age:
    st.warning(slide.age, icon=":material/history:")
st.markdown(" ".join(slide.takeaway))
t1, t2, t3 = st.columns(3)
zero = t1.toggle("Start the y-axis at zero", value=False, key="zero", bind="query-params")
as_table = t2.toggle("View as table", value=False, key="table", bind="query-params")
spc = t3.toggle(
    "Is this unusual? (process limits)",
    value=True,
    key="spc",
    bind="query-params",
    help=f"An XmR chart of {la.name}'s series: average and natural process limits, with unusual points "
    f"ringed (outside the limits, {SHIFT_RUN} or more in a row on one side of the average, or "
    f"{TREND_RUN} or more rising or falling). Needs {MIN_POINTS} or more figures.",
)
yearly_analysis = slide.analysis if spc and slide.frequency == "yearly" else None


def table() -> pd.DataFrame:
    shown = wide_table(slide.frame, m.id)
    if m.rate_of:
        counts = trend_frame(s, sel, m.rate_of)
        counts = counts[counts["role"] == "la"].set_index("period")
        shown.insert(
            1,
            f"{la.name}: {reg.get(m.rate_of).label.lower()}",
            [reg.get(m.rate_of).format(counts["value"].get(p), counts["symbol"].get(p)) for p in shown.index],
        )
    return shown


def chart() -> Spec:
    return trend_chart(slide.columns, m, zero=zero, description=slide.description, analysis=yearly_analysis)


if as_table:
    st.dataframe(table(), width="stretch")
else:
    charts.show(chart, ("trend", s.data_version, sel, m.id, zero, spc))
    st.caption(slide.description)
download_row(
    file_stem(la.name, m.id),
    key="trend",
    title=f"{m.label}: {la.name} and comparators",
    data=lambda: tidy_figures(s, m.id, trend_area_keys(s, sel), sorted(set(slide.columns["year"]))),
    shown=table,
    chart=chart,
    notes=("Statistical-neighbour averages are worked out by the dashboard: see the As shown sheet.",),
)

if spc and slide.frequency != "yearly" and slide.analysis is not None:
    st.subheader(f"Is this unusual? {slide.frequency.capitalize()} figures")
    charts.show(
        lambda: xmr_chart(slide.series, slide.analysis, m, description=slide.description), ("xmr", s.data_version, sel.la, m.id)
    )
    st.caption(
        f"{len(slide.series)} {slide.frequency} figures for {la.name}; the dashed line is the average and the "
        "dotted lines the natural process limits. Ringed points are unusual."
    )
    with st.expander(f"The {slide.frequency} figures as a table"):
        flags = {
            p.label: ", ".join(w for w, on in (("outside the limits", p.outside), ("run", p.shift), ("trend", p.trend)) if on)
            for p in slide.analysis.points
        }
        labels = slide.series["label"].tolist()
        st.dataframe(
            pa.table(
                {
                    "Period": labels,
                    m.label: [
                        m.format(v, sy if isinstance(sy, str) else None)
                        for v, sy in zip(slide.series["value"].tolist(), slide.series["symbol"].tolist())
                    ],
                    "Unusual": [flags.get(lab, "") for lab in labels],
                }
            ),
            hide_index=True,
            width="stretch",
        )
elif spc and slide.analysis is not None and slide.analysis.enough:
    st.caption(
        "The grey dashed line is the average of the series, the dotted lines its natural process limits; "
        "ringed points are unusual for the series."
    )

# Counts next to rates: the LA's count for each year when this is a rate per 10,000.
if m.rate_of and not as_table:
    counts = la_trend(s, sel, m.rate_of)
    if counts:
        st.markdown(
            f"**{reg.get(m.rate_of).label}** ({la.name}): "
            + ", ".join(f"{r.period} {reg.get(m.rate_of).format(r.value)}" for r in counts)
        )

gaps = [(period, symbol) for _, period, value, symbol in mine if value is None]
if gaps:
    meanings = symbol_meanings()
    st.markdown("**Gaps in the line**")
    for p, sym in gaps:
        st.markdown(
            f"- {literal(p)}: "
            + (
                f"\u201c{literal(sym)}\u201d {literal(meanings.get(sym, 'symbol as published'))}"
                if isinstance(sym, str)
                else "no figure in the store"
            )
        )

st.markdown("---")
st.markdown(f"**Definition.** {m.definition}")
extra = " Read it with the other stages." if not m.judged else ""
st.markdown(f"**Reading it.** {m.reading}{extra} Unit: {m.unit}; published to {m.decimals} decimal place(s).")
st.markdown(f"**Sources** (newest vintage shown): {literal(sources_line(slide))}")
st.caption(f"DfE file and column: {m.dfe_source}")
