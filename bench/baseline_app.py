"""Baseline for the cold-start benchmark: a bare Streamlit script that draws BENCH_ELEMENTS
elements (markdown, a small table and a chart from a ready Vega-Lite spec, as the dashboard
draws its charts) from data computed once, with a selectbox in the sidebar. Not part of the
app."""

import os

import numpy as np
import pandas as pd
import streamlit as st


@st.cache_data
def _precomputed() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.normal(size=(20, 6)), columns=list("abcdef"))
    series = pd.DataFrame({"x": np.arange(15), "y": rng.normal(size=15).cumsum()})
    return table, series


table, series = _precomputed()
SPEC = {
    "data": {"values": series.to_dict("records")},
    "mark": "line",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
}
choice = st.sidebar.selectbox("Choice", list(range(50)), key="choice")
elements = int(os.environ.get("BENCH_ELEMENTS", "50"))
st.title(f"Baseline {choice}")
st.dataframe(table)
st.vega_lite_chart(SPEC, width="stretch")
for i in range(max(0, elements - 4)):
    st.markdown(f"Line {i} for choice {choice}")
