"""The sidebar selection: LA, comparators and period, kept in the URL on every page.

The sidebar widgets keep their values in session state, so the choice follows the user from
page to page. On every run the selection is also written to the URL's query parameters
(``?la=Worcestershire&cmp=England&cmp=Region&years=2016&years=2025``), so the address bar
always holds a link that reproduces the view, whichever page the user navigated to. A link
is read once, when a session starts. Values from a URL are only matched against the option
lists: nothing from a URL is evaluated or unpickled, and anything unknown is ignored.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from journey.areas import Area, get_area, la_labels
from journey.config import DEFAULT_LA, SN_MODELS
from journey.selection import COMPARATORS, SN_STATS, Selection, available_years
from journey.store import Store

SELECTION_KEY = "_selection"
INITIAL_KEY = "_initial_from_url"
MODELS = sorted(SN_MODELS, reverse=True)


def _initial(key: str, parse: Callable[[list[str]], object | None], fallback: object) -> object:
    """A widget's starting value: from the URL the session started with when it holds a valid
    one, else ``fallback``. Worked out once per session and then kept, because a widget whose
    default changes between runs is a new widget to Streamlit and would lose the user's choice."""
    store = st.session_state.setdefault(INITIAL_KEY, {})
    if key not in store:
        value = parse(st.query_params.get_all(key)) if key in st.query_params else None
        store[key] = fallback if value is None else value
    return store[key]


def _to_url(key: str, values: list[str], default: list[str]) -> None:
    """Write a value to the URL, leaving it out while it equals the default."""
    current = st.query_params.get_all(key)
    if values == default:
        if current:
            del st.query_params[key]
    elif current != values:
        st.query_params[key] = values if len(values) != 1 else values[0]


class _Choices:
    """The options the selection widgets offer, and how a URL value is matched against them.
    Shared by every session until the store changes (``_choices``): read-only."""

    def __init__(self, s: Store):
        self.labels = la_labels(s)
        self.keys = list(self.labels)
        self.by_label = {v: k for k, v in self.labels.items()}
        self.default_la = DEFAULT_LA if DEFAULT_LA in self.keys else (self.keys[0] if self.keys else None)
        self.years = available_years(s)
        self.default_years = (self.years[0], self.years[-1]) if self.years else None

    def parsers(self) -> dict[str, tuple[Callable[[list[str]], object | None], object]]:
        """{URL key: (parse, fallback)}: parse returns None for a value that matches no option."""
        labels, by_label, years = self.labels, self.by_label, self.years

        def parse_years(v: list[str]) -> tuple[int, int] | None:
            try:
                a, b = sorted(int(x) for x in v[:2])
            except ValueError:
                return None
            return (a, b) if len(v) >= 2 and a in years and b in years else None

        return {
            "la": (lambda v: by_label.get(v[0]) or (v[0] if v[0] in labels else None), self.default_la),
            "cmp": (lambda v: [c for c in v if c in COMPARATORS], list(COMPARATORS)),
            "sn": (lambda v: v[0] if v[0] in SN_STATS else None, SN_STATS[0]),
            "model": (lambda v: int(v[0]) if v[0] in {str(m) for m in MODELS} else None, MODELS[0]),
            "others": (lambda v: [by_label[x] for x in v if x in by_label][:4], []),
            "years": (parse_years, self.default_years),
        }


def _choices(s: Store) -> _Choices:
    """The selection's options, made once per store version (every page run draws them)."""
    return s.memo("sidebar_choices", lambda: _Choices(s))


def url_selection(s: Store) -> Selection:
    """The selection a link holds, read straight from the URL (presentation mode has no
    sidebar). Unknown values fall back to the defaults, as in ``sidebar``."""
    choices = _choices(s)
    values = {}
    for key, (parse, fallback) in choices.parsers().items():
        raw = st.query_params.get_all(key)
        value = parse(raw) if raw else None
        values[key] = fallback if value is None else value
    years = values["years"] or (None, None)
    selection = Selection(
        la=values["la"] or DEFAULT_LA,
        comparators=tuple(values["cmp"]),
        sn_stat=values["sn"],
        model=int(values["model"]),
        others=tuple(values["others"]),
        year_from=years[0],
        year_to=years[1],
    )
    st.session_state[SELECTION_KEY] = selection
    return selection


def sidebar(s: Store) -> Selection:
    """Draw the selection widgets in the sidebar and return the selection."""
    choices = _choices(s)
    labels, keys, years = choices.labels, choices.keys, choices.years
    default_la, default_years = choices.default_la, choices.default_years
    start = {key: _initial(key, parse, fallback) for key, (parse, fallback) in choices.parsers().items()}
    la0, cmp0, sn0, model0, others0, years0 = (start[k] for k in ("la", "cmp", "sn", "model", "others", "years"))
    # A starting value worked out when the store held other options (e.g. it was empty) no longer fits.
    la0 = la0 if la0 in labels else default_la
    years0 = years0 if years0 and years0[0] in years and years0[1] in years else default_years

    with st.sidebar:
        st.markdown("### Local authority")
        la = st.selectbox(
            "Local authority",
            keys,
            format_func=labels.get,
            key="la",
            label_visibility="collapsed",
            index=keys.index(la0) if la0 in keys else 0,
        )
        st.markdown("### Compare with")
        comparators = st.multiselect("Comparators", list(COMPARATORS), default=cmp0, key="cmp")
        c1, c2 = st.columns(2)
        sn_stat = c1.radio(
            "Neighbours",
            list(SN_STATS),
            index=SN_STATS.index(sn0),
            key="sn",
            help="LAIT shows the mean of the 10 statistical neighbours; DfE's dashboard the median.",
        )
        model = c2.radio(
            "SN model",
            MODELS,
            index=MODELS.index(model0),
            key="model",
            help="DfE's statistical neighbour model: 2021, or the 2025 revision after the 2021 Census.",
        )
        others = st.multiselect(
            "Other local authorities",
            [k for k in keys if k != la],
            format_func=labels.get,
            default=[k for k in others0 if k != la],
            key="others",
            max_selections=4,
        )
        year_from = year_to = None
        if default_years and default_years[0] != default_years[1]:
            st.markdown("### Period")
            year_from, year_to = st.select_slider(
                "Reporting years (year ending 31 March)", options=years, value=years0, key="years"
            )
        elif default_years:
            year_from = year_to = default_years[0]

    _to_url("la", [labels[la]] if la else [], [labels[default_la]] if default_la else [])
    _to_url("cmp", list(comparators), list(COMPARATORS))
    _to_url("sn", [sn_stat], [SN_STATS[0]])
    _to_url("model", [str(model)], [str(MODELS[0])])
    _to_url("others", [labels[k] for k in others], [])
    if default_years:
        _to_url("years", [str(year_from), str(year_to)], [str(y) for y in default_years])

    selection = Selection(
        la=la,
        comparators=tuple(comparators),
        sn_stat=sn_stat,
        model=int(model),
        others=tuple(others),
        year_from=year_from,
        year_to=year_to,
    )
    st.session_state[SELECTION_KEY] = selection
    return selection


def current() -> Selection:
    """The selection the sidebar made on this run (default selection if none yet)."""
    return st.session_state.get(SELECTION_KEY, Selection())


def data_page() -> tuple[Store, Selection, Area]:
    """Start a page that draws figures: the store, the selection and its LA. On an empty
    store it shows the "no data yet" message and stops the page."""
    from ui import data

    s = data.store()
    data.require_data(s)
    sel = current()
    return s, sel, get_area(s, sel.la)


EXIT_KEY = "_leaving_presentation"


def presentation_link(set_name: str | None) -> str:
    """A relative link that opens presentation mode with the current selection and set."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k) if k not in ("present", "slide", "set")]
    pairs += [("present", "1")] + ([("set", set_name)] if set_name else [])
    # The app's root (presentation mode runs as the default page), under any base path.
    base = st.get_option("server.baseUrlPath").strip("/")
    return (f"/{base}/?" if base else "/?") + urlencode(pairs)


def leave_presentation() -> None:
    """Button callback: drop presentation mode from the URL; the next run shows the Board page."""
    for key in ("present", "slide"):
        if key in st.query_params:
            del st.query_params[key]
    st.session_state.pop("slide", None)
    st.session_state[EXIT_KEY] = True


def leaving_presentation() -> bool:
    """True once, on the run after ``leave_presentation``."""
    return bool(st.session_state.pop(EXIT_KEY, False))
