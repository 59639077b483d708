"""Upload data: load the default dataset into an empty store, and the history of imports."""

import streamlit as st

from journey.build import load_default_figures
from journey.errors import JourneyError
from journey.figures import import_history, observation_count
from ui import data

s = data.store()
st.title("Upload data")

if observation_count(s) == 0:
    st.info(
        "**The store has no figures yet.** Load the default dataset: published figures for Worcestershire, "
        "Herefordshire, their statistical neighbours, the West Midlands and England, 2008-2025, with sources."
    )
    if st.button("Load the default dataset", type="primary", key="load_default"):
        try:
            with st.spinner("Loading published figures..."):
                load_default_figures(s, force=True)
        except JourneyError as exc:
            st.error(str(exc))
        else:
            data.clear_caches()
            st.success("Default dataset loaded.")
            st.rerun()

st.subheader("Import history")
history = import_history(s)
if history.empty:
    st.write("No imports yet.")
else:
    st.dataframe(history, hide_index=True, width="stretch")
st.caption("To rebuild the store from the project's data files: `python -m journey build`.")
