"""Drawing charts quickly: a chart's Vega-Lite spec is remembered per (store version, what it
shows), so a page load with a view seen before skips building it again."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import streamlit as st

from journey.charts import Spec

_SPECS: OrderedDict[Hashable, dict] = OrderedDict()
_GUARD = threading.Lock()
MAX_SPECS = 300


def show(chart: Callable[[], Spec], key: Hashable) -> None:
    """Draw ``chart()`` (a Vega-Lite spec from ``journey.charts``), built only when ``key`` is
    new. ``key`` must name everything the chart depends on, including the store's data_version."""
    with _GUARD:
        spec = _SPECS.get(key)
        if spec is not None:
            _SPECS.move_to_end(key)
    if spec is None:
        spec = chart()
        with _GUARD:
            _SPECS[key] = spec
            while len(_SPECS) > MAX_SPECS:
                _SPECS.popitem(last=False)
    st.vega_lite_chart(copy.deepcopy(spec), width="stretch")
