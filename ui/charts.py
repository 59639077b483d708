"""Drawing charts quickly: a chart's Vega-Lite spec is remembered per (store version, what it
shows), so a page load with a view seen before skips building it again, and its rows are handed
to Streamlit as an Arrow table."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pyarrow as pa
import streamlit as st

from journey.charts import Spec

_SPECS: OrderedDict[Hashable, dict] = OrderedDict()
_GUARD = threading.Lock()
MAX_SPECS = 300


def show(chart: Callable[[], Spec], key: Hashable) -> None:
    """Draw ``chart()`` (a Vega-Lite spec from ``journey.charts``), built only when ``key`` is
    new. ``key`` must name everything the chart depends on, including the store's data_version."""
    with _GUARD:
        entry = _SPECS.get(key)
        if entry is not None:
            _SPECS.move_to_end(key)
    if entry is None:
        entry = arrow_data(chart())
        with _GUARD:
            _SPECS[key] = entry
            while len(_SPECS) > MAX_SPECS:
                _SPECS.popitem(last=False)
    spec, table = entry
    st.vega_lite_chart(table, for_streamlit(spec), width="stretch")


def for_streamlit(spec: Spec) -> Spec:
    """A copy of a remembered spec that Streamlit may edit. Streamlit changes only the top level
    (autosize, data, datasets) and a top-level colour legend's null title, so that much is
    copied; a deep copy of every layer took a tenth of an Indicator page's server time."""
    out = dict(spec)
    if isinstance(out.get("encoding"), dict):
        out["encoding"] = copy.deepcopy(out["encoding"])
    return out


def arrow_data(spec: Spec) -> tuple[Spec, pa.Table | None]:
    """The spec without its top-level rows, and the rows as an Arrow table.

    Streamlit sends chart rows to the browser as Arrow; given a list of dicts it builds a pandas
    DataFrame first, which took 4-5 ms for a trend chart's 100 rows (py-spy), most of a chart's
    drawing time. pyarrow builds the same table from the rows directly. Rows pyarrow cannot
    type (a column mixing text and numbers) are left in the spec for Streamlit."""
    data = spec.get("data")
    values = data.get("values") if isinstance(data, dict) and set(data) == {"values"} else None
    if not isinstance(values, list) or not values or not all(isinstance(v, dict) for v in values):
        return spec, None
    try:
        table = pa.Table.from_pylist(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return spec, None
    rest = {k: v for k, v in spec.items() if k != "data"}
    return rest, table
