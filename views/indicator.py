"""Indicator: one template for every measure: trend against comparators, definition, sources."""

import streamlit as st

from journey.charts import trend_chart
from journey.narrative import describe_trend
from journey.registry import STAGES, registry
from journey.selection import trend_frame
from journey.symbols import symbol_meanings
from ui.state import data_page

s, sel, la = data_page()
reg = registry()
by_stage = reg.by_stage()

c1, c2 = st.columns([1, 2])
stage = c1.selectbox("Stage", list(by_stage), format_func=lambda k: STAGES.get(k, k), key="stage",
                     index=list(by_stage).index("child_protection"), bind="query-params")
options = [m.id for m in by_stage[stage]]
headline = next((i for i, k in enumerate(options) if reg.get(k).headline), 0)
measure_id = c2.selectbox("Measure", options, format_func=lambda k: reg.get(k).label, key="measure",
                          index=headline, bind="query-params")
m = reg.get(measure_id)

st.title(m.label)
frame = trend_frame(s, sel, m.id)
mine = frame[frame["role"] == "la"] if not frame.empty else frame
if mine.empty or mine["value"].notna().sum() == 0:
    st.info(f"No figures for {la.name} on this measure in the selected years. Choose another measure or LA.")
    st.stop()

t1, t2 = st.columns(2)
zero = t1.toggle("Start the y-axis at zero", value=False, key="zero", bind="query-params")
as_table = t2.toggle("View as table", value=False, key="table", bind="query-params")

description = describe_trend(frame, m)
if as_table:
    wide = frame.pivot_table(index=["year", "period"], columns="series", values="value", aggfunc="first", sort=False)
    wide = wide.reset_index(level=0, drop=True)
    symbols = mine.set_index("period")["symbol"]
    shown = wide.apply(lambda col: [m.format(v, symbols.get(p) if col.name == la.name else None)
                                    for p, v in col.items()])
    if m.rate_of:
        counts = trend_frame(s, sel, m.rate_of)
        counts = counts[counts["role"] == "la"].set_index("period")
        shown.insert(1, f"{la.name}: {reg.get(m.rate_of).label.lower()}",
                     [reg.get(m.rate_of).format(counts["value"].get(p), counts["symbol"].get(p)) for p in shown.index])
    st.dataframe(shown, width="stretch")
    csv = frame.assign(measure=m.id, unit=m.unit)[["measure", "unit", "series", "year", "period", "value", "symbol", "source"]]
    st.download_button("Download CSV", csv.to_csv(index=False).encode("utf-8"), file_name=f"{la.name}_{m.id}.csv",
                       mime="text/csv", key="csv")
else:
    st.altair_chart(trend_chart(frame, m, zero=zero, description=description), width="stretch")
    st.caption(description)

# Counts next to rates: the LA's count for each year when this is a rate per 10,000.
if m.rate_of and not as_table:
    counts = trend_frame(s, sel, m.rate_of)
    counts = counts[(counts["role"] == "la") & counts["value"].notna()]
    if not counts.empty:
        st.markdown(
            f"**{reg.get(m.rate_of).label}** ({la.name}): "
            + ", ".join(f"{p} {reg.get(m.rate_of).format(v)}" for p, v in zip(counts["period"], counts["value"]))
        )

gaps = mine[mine["value"].isna()]
if not gaps.empty:
    meanings = symbol_meanings()
    st.markdown("**Gaps in the line**")
    for p, sym in zip(gaps["period"], gaps["symbol"]):
        st.markdown(f"- {p}: " + (f"`{sym}` {meanings.get(sym, 'symbol as published')}" if isinstance(sym, str)
                                   else "no figure in the store"))

st.markdown("---")
st.markdown(f"**Definition.** {m.definition}")
polarity = {"high": "Higher is better.", "low": "Lower is better.",
            "neutral": "Neither higher nor lower is better in itself: read it with the other stages."}[m.polarity]
st.markdown(f"**Reading it.** {polarity} Unit: {m.unit}; published to {m.decimals} decimal place(s).")
sources = mine.dropna(subset=["source"]).groupby("source", sort=False)["period"].agg(lambda p: f"{p.iloc[0]} to {p.iloc[-1]}")
if not sources.empty:
    st.markdown("**Sources** (newest vintage shown): " + "; ".join(f"{src} ({span})" for src, span in sources.items()))
st.caption(f"DfE file and column: {m.dfe_source}")
