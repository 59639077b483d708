"""The measure picker every page uses: a stage filter and a searchable list of measures.

With about 200 measures one long list is unusable, so the picker is two widgets: a stage
(``All stages`` or one journey stage) and a measure, its options grouped by stage and then by
topic (LAIT's topic, or "Local measures"), each option reading "label · topic" so that typing
a topic ("adoption") or part of a label finds it (Streamlit's selectbox search). Both widgets
can be bound to the URL, which then holds the option as the user reads it
(``?stage=Children looked after&measure=Children looked after per 10k · Children Looked After``);
a link that names a measure by its label alone or by its id, as links made before the topic
was added do, still opens that measure.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from journey.registry import STAGES, Measure, registry

ALL_STAGES = "all"
SEPARATOR = " · "


@functools.lru_cache(maxsize=64)
def _grouped(ids: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """(the ids in picker order, {id: option label}) for a set of measures; see ``ordered``
    and ``option_labels``. Remembered per set of measures (the registry is read once)."""
    reg = registry()
    measures = [reg.get(i) for i in ids]
    stage_order = {s: n for n, s in enumerate(STAGES)}
    topic_order: dict[tuple[str, str], int] = {}
    for m in reg:  # a topic's place within its stage: where the registry first lists it
        topic_order.setdefault((m.stage, m.topic), len(topic_order))
    position = {m.id: n for n, m in enumerate(reg)}
    measures.sort(
        key=lambda m: (stage_order.get(m.stage, len(stage_order)), topic_order.get((m.stage, m.topic), 0), position[m.id])
    )
    same = Counter((m.label, m.topic) for m in reg)
    labels = {}
    for m in measures:
        text = m.label if same[(m.label, m.topic)] == 1 else f"{m.label} ({m.unit})"
        labels[m.id] = f"{text}{SEPARATOR}{m.topic}" if m.topic else text
    return tuple(m.id for m in measures), labels


@functools.lru_cache(maxsize=64)
def _by_stage(ids: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """{stage: its ids among ``ids``, in picker order}, stages in journey order."""
    reg = registry()
    out: dict[str, list[str]] = {}
    for i in ids:  # ids come in journey order (``_grouped``)
        out.setdefault(reg.get(i).stage, []).append(i)
    return {s: tuple(v) for s, v in out.items()}


def ordered(measures: Sequence[Measure]) -> list[Measure]:
    """The measures grouped as the picker lists them: by journey stage, then by topic (in the
    order the registry first lists each topic within the stage), then in registry order."""
    reg = registry()
    return [reg.get(i) for i in _grouped(tuple(m.id for m in measures))[0]]


def option_labels(measures: Sequence[Measure]) -> dict[str, str]:
    """{measure id: the option's text}: "label · topic"; a label that two measures of one topic
    share (a count and its percentage) carries the unit too, so every option reads differently
    (the URL names a measure by this text)."""
    return dict(_grouped(tuple(m.id for m in measures))[1])


def _link_value(key: str, labels: dict[str, str]) -> str | None:
    """The measure a link names in ``key`` by its label alone or by its id (a link made before
    options carried the topic), on a session's first run; None otherwise."""
    raw = st.query_params.get(key)
    if not raw or raw in labels.values():
        return None
    reg = registry()
    for measure_id in labels:
        if raw == measure_id or raw == reg.get(measure_id).label:
            return measure_id
    return None


def measure_picker(
    measures: Sequence[Measure],
    *,
    key: str,
    stage_key: str,
    label: str = "Indicator",
    default: str | None = None,
    default_stage: str = ALL_STAGES,
    bind: bool = True,
    slots: tuple[Any, Any] | None = None,
    placeholder: str | None = None,
    on_change: Callable[[], None] | None = None,
) -> str | None:
    """Draw the stage filter and the measure list; return the chosen measure id.

    ``measures`` are the choices (any subset of the registry). ``default`` is the measure
    chosen at first (None: no measure until the user picks one, showing ``placeholder``);
    ``default_stage`` the stage shown at first (``ALL_STAGES`` for every stage). When the
    chosen stage holds no measure listed as ``default``, its first measure (its headline if it
    has one) is the default. ``bind`` keeps both choices in the URL under ``stage_key`` and
    ``key``. ``slots`` are the two containers to draw into (default: two columns, 1:2).
    """
    ids, labels = _grouped(tuple(m.id for m in measures))
    by_stage = _by_stage(ids)
    stages = [ALL_STAGES, *by_stage]
    reg = registry()
    if default_stage not in stages:
        default_stage = ALL_STAGES
    where = slots or tuple(st.columns([1, 2]))
    binding = "query-params" if bind else None

    # A value put in session state here goes with index 0: Streamlit logs a warning when a
    # widget gets both a default and a value from session state.
    stage_index = stages.index(default_stage)
    linked = _link_value(key, labels) if bind and key not in st.session_state else None
    if linked is not None and stage_key not in st.session_state and not st.query_params.get(stage_key):
        # An old link without a stage: show the measure's own stage. (A stage in the link wins,
        # as Streamlit seeds a bound widget from the URL over session state.)
        st.session_state[stage_key], stage_index = reg.get(linked).stage, 0
    stage = where[0].selectbox(
        "Stage",
        stages,
        index=stage_index,
        key=stage_key,
        bind=binding,
        format_func=lambda s: "All stages" if s == ALL_STAGES else STAGES.get(s, s),
        help="Narrow the list to one stage of the child's journey.",
    )
    options = list(ids) if stage == ALL_STAGES else list(by_stage.get(stage, ()))
    if default is None and placeholder is not None:
        index = None
    elif default in options:
        index = options.index(default)
    else:
        index = next((n for n, i in enumerate(options) if reg.get(i).headline), 0)
    if linked is not None and linked in options:
        st.session_state[key], index = linked, 0
    return where[1].selectbox(
        label,
        options,
        index=index if options else None,
        key=key,
        bind=binding,
        format_func=labels.__getitem__,
        placeholder=placeholder or "Type to search the indicators",
        filter_mode="contains",
        on_change=on_change if on_change is not None else "rerun",
        help="Type part of an indicator's name or topic to search; grouped by stage, then topic.",
    )
