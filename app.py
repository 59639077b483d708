"""The child's journey dashboard: entry point (``streamlit run app.py``)."""

import streamlit as st

from journey.build import open_store
from journey.errors import JourneyError
from journey.figures import observation_count, sources

st.set_page_config(page_title="The child's journey", layout="wide")
st.title("The child's journey")
try:
    store = open_store()
except JourneyError as exc:
    st.error(str(exc))
    st.stop()
st.write(f"The store holds {observation_count(store):,} figures.")
st.dataframe(sources(store), hide_index=True)
