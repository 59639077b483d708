"""The sidebar selection: LA, comparators and period, kept in the URL.

Every widget is bound to a query parameter (``bind="query-params"``), so a copied link opens
the same view. Values from a URL are only ever matched against the option lists: nothing
from a URL is evaluated or unpickled.
"""

from __future__ import annotations

import streamlit as st

from journey.areas import la_labels
from journey.config import DEFAULT_LA, SN_MODELS
from journey.selection import COMPARATORS, SN_STATS, Selection, available_years
from journey.store import Store

SELECTION_KEY = "_selection"


def sidebar(s: Store) -> Selection:
    """Draw the selection widgets in the sidebar and return the selection."""
    labels = la_labels(s)
    keys = list(labels)
    with st.sidebar:
        st.markdown("### Local authority")
        la = st.selectbox(
            "Local authority", keys, index=keys.index(DEFAULT_LA) if DEFAULT_LA in keys else 0,
            format_func=labels.get, key="la", bind="query-params", label_visibility="collapsed",
        )
        st.markdown("### Compare with")
        comparators = st.multiselect("Comparators", list(COMPARATORS), default=list(COMPARATORS), key="cmp",
                                     bind="query-params")
        c1, c2 = st.columns(2)
        sn_stat = c1.radio("Neighbours", list(SN_STATS), key="sn", bind="query-params",
                           help="LAIT shows the mean of the 10 statistical neighbours; DfE's dashboard the median.")
        model = c2.radio("SN model", list(sorted(SN_MODELS, reverse=True)), key="model", bind="query-params",
                         help="DfE's statistical neighbour model: 2021, or the 2025 revision after the 2021 Census.")
        others = st.multiselect("Other local authorities", [k for k in keys if k != la], format_func=labels.get,
                                key="others", bind="query-params", max_selections=4)
        years = available_years(s)
        year_from = year_to = None
        if len(years) >= 2:
            st.markdown("### Period")
            year_from, year_to = st.select_slider(
                "Reporting years (year ending 31 March)", options=years, value=(years[0], years[-1]), key="years",
                bind="query-params",
            )
        elif years:
            year_from = year_to = years[0]
    selection = Selection(la=la, comparators=tuple(comparators), sn_stat=sn_stat, model=int(model),
                          others=tuple(others), year_from=year_from, year_to=year_to)
    st.session_state[SELECTION_KEY] = selection
    return selection


def current() -> Selection:
    """The selection the sidebar made on this run (default selection if none yet)."""
    return st.session_state.get(SELECTION_KEY, Selection())
