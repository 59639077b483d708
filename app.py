"""The child's journey dashboard: entry point (``streamlit run app.py``).

Sets the page up, draws the sidebar selection (kept in the URL) and runs the chosen page.
"""

import streamlit as st

from ui import data
from ui.state import sidebar

st.set_page_config(page_title="The child's journey", page_icon=":material/timeline:", layout="wide")

PAGES = {
    "Journey": [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("views/journey_flow.py", title="Journey", icon=":material/route:"),
        st.Page("views/indicator.py", title="Indicator", icon=":material/show_chart:"),
    ],
    "Benchmarks": [
        st.Page("views/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:"),
    ],
    "Data": [
        st.Page("views/data_sources.py", title="Data & sources", icon=":material/database:"),
        st.Page("views/upload.py", title="Upload data", icon=":material/upload:"),
    ],
}

store = data.store()
sidebar(store)
st.navigation(PAGES).run()
