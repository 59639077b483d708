"""The replay baseline's script (see bench/replay.py): the dashboard's navigation, and on its
default page (bench/replay_page.py) the scene the benchmark captured from a dashboard page. Not
part of the app."""

from pathlib import Path

import streamlit as st

from bench import replay

ROOT = Path(__file__).resolve().parent.parent

st.set_page_config(page_title="Replay", layout="wide")
# The same navigation as the dashboard's, file pages included: its first page draws the scene,
# the others are the dashboard's own files (listed, never run here).
pages: dict[str, list] = {}
first = True
for section, entries in replay.NAVIGATION.items():
    pages[section] = []
    for title, path in entries:
        page = "replay_page.py" if first else str(ROOT / path)
        pages[section].append(st.Page(page, title=title, default=first))
        first = False
st.navigation(pages).run()
