"""The child's journey dashboard: entry point (``streamlit run app.py``).

Sets the page up, draws the sidebar selection (kept in the URL) and runs the chosen page; with
``?present=1`` in the URL it runs presentation mode instead, reading the selection from the URL.
"""

import streamlit as st

from ui import data
from ui.state import leaving_presentation, sidebar, url_selection

# ``?present=1`` opens presentation mode: one page, no sidebar, no Streamlit chrome.
PRESENTING = st.query_params.get("present") == "1"
st.set_page_config(
    page_title="The child's journey",
    page_icon=":material/timeline:",
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "auto",
)

PAGES = {
    "Journey": [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("views/journey_flow.py", title="Journey", icon=":material/route:"),
        st.Page("views/indicator.py", title="Indicator", icon=":material/show_chart:"),
    ],
    "Benchmarks": [
        st.Page("views/benchmarks.py", title="Benchmarks", icon=":material/leaderboard:"),
    ],
    "Board": [
        st.Page("views/board.py", title="Board set & pack", icon=":material/co_present:"),
    ],
    "Data": [
        st.Page("views/data_sources.py", title="Data & sources", icon=":material/database:"),
        st.Page("views/upload.py", title="Upload data", icon=":material/upload:"),
    ],
}

store = data.store()
# One page run reads one state of the store: an import committed by another session waits
# until this run has drawn its figures (and this run's own imports go through).
with store.reading():
    if PRESENTING:
        url_selection(store)
        st.navigation([st.Page("views/present.py", title="Presentation", default=True)], position="hidden").run()
    else:
        sidebar(store)
        page = st.navigation(PAGES)
        if leaving_presentation():
            st.switch_page("views/board.py")
        page.run()
data.settle_memory(store)
