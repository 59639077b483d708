"""The replay baseline's script (see bench/replay.py): the dashboard's navigation, and on its
default page the scene the benchmark captured from a dashboard page. Not part of the app."""

import streamlit as st

from bench import replay


def _scene() -> None:
    replay.draw(replay.SCENE)


def _empty() -> None:
    pass


st.set_page_config(page_title="Replay", layout="wide")
pages: dict[str, list] = {}
n = 0
for section, titles in replay.NAVIGATION.items():
    pages[section] = []
    for title in titles:
        pages[section].append(st.Page(_scene if n == 0 else _empty, title=title, default=n == 0,
                                      url_path=f"page{n}" if n else None))
        n += 1
st.navigation(pages).run()
