"""The interaction benchmark's baseline: replay what a page drew, from precomputed data.

``capture`` turns the element tree of an AppTest run of a dashboard page into a plain scene
(nested tuples of element kind, arguments and children, with tables and chart rows decoded
once). ``bench/replay_app.py`` draws that scene with Streamlit's own calls: the same elements
of the same kinds (the sidebar's widgets with their 153 options, metrics with their
sparklines, tables, charts with their rows, download buttons, columns, tabs, expanders) under
the same navigation, and no other work. A page's rerun time divided by its replay's is the
cost of the page's own computation on top of drawing what it draws."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# Filled by the benchmark before the replay script runs (AppTest runs it in this process).
SCENE: list[Node] = []
# The dashboard's navigation: {section: [(page title, page file)]}.
NAVIGATION: dict[str, list[tuple[str, str]]] = {}


@dataclass(frozen=True)
class Node:
    """One element or block: its kind, the keyword arguments to draw it, and its children."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    children: tuple[Node, ...] = ()


def _arrow(data: bytes) -> pa.Table | None:
    return pa.ipc.open_stream(data).read_all() if data else None


def _options(proto) -> list[str]:
    return list(proto.options)


def _element(node) -> Node:
    """A leaf element of the tree as a Node (raises on a kind this replay does not draw, so the
    baseline never silently draws less than the page). A widget the page binds to the URL is
    bound in the replay too."""
    drawn = _leaf(node)
    if getattr(node.proto, "query_param_key", ""):
        return Node(drawn.kind, {**drawn.args, "bind": "query-params"}, drawn.children)
    return drawn


def _leaf(node) -> Node:
    kind, p = node.type, node.proto
    key = getattr(node, "key", None)
    if kind in ("title", "header", "subheader", "caption", "markdown"):
        return Node(kind, {"body": p.body})
    if kind == "divider":
        return Node(kind)
    if kind == "metric":
        return Node(
            kind,
            {
                "label": p.label,
                "value": p.body,
                "delta": p.delta or None,
                "delta_color": "off" if p.color == p.MetricColor.GRAY else "normal",
                "chart_data": list(p.chart_data) or None,
                "help": p.help or None,
            },
        )
    if kind in ("info", "warning", "error", "success"):
        return Node(kind, {"body": p.body})
    if kind == "download_button":
        return Node(
            kind,
            {
                "label": p.label,
                "key": key,
                "help": p.help or None,
                "icon": p.icon or None,
                "on_click": "ignore" if p.ignore_rerun else "rerun",
            },
        )
    if kind == "button":
        return Node(kind, {"label": p.label, "key": key, "disabled": p.disabled, "icon": p.icon or None, "help": p.help or None})
    if kind == "link_button":
        return Node(kind, {"label": p.label, "url": p.url, "icon": p.icon or None})
    if kind == "selectbox":
        return Node(kind, {"label": p.label, "options": _options(p), "index": p.default, "key": key, "help": p.help or None})
    if kind == "multiselect":
        options = _options(p)
        return Node(
            kind,
            {
                "label": p.label,
                "options": options,
                "default": [options[i] for i in p.default],
                "key": key,
                "help": p.help or None,
            },
        )
    if kind == "radio":
        return Node(
            kind,
            {
                "label": p.label,
                "options": _options(p),
                "index": p.default,
                "key": key,
                "horizontal": p.horizontal,
                "help": p.help or None,
            },
        )
    if kind == "select_slider":
        options = _options(p)
        values = [options[int(i)] for i in p.default]
        return Node(
            kind, {"label": p.label, "options": options, "key": key, "value": tuple(values) if len(values) == 2 else values[0]}
        )
    if kind in ("toggle", "checkbox"):
        return Node(kind, {"label": p.label, "value": p.default, "key": key, "help": p.help or None})
    if kind == "number_input":
        return Node(
            kind,
            {
                "label": p.label,
                "value": p.default if p.HasField("default") else None,
                "key": key,
                "disabled": p.disabled,
                "help": p.help or None,
            },
        )
    if kind in ("text_input", "text_area"):
        return Node(kind, {"label": p.label, "value": p.default, "key": key, "max_chars": p.max_chars or None})
    if kind == "file_uploader":
        return Node(kind, {"label": p.label, "type": list(p.type), "key": key, "accept_multiple_files": p.multiple_files})
    if kind == "dataframe":
        return Node(kind, {"data": _arrow(p.arrow_data.data)})
    if kind == "vega_lite_chart":
        return Node(kind, {"spec": json.loads(p.spec), "data": _arrow(p.data.data)})
    raise ValueError(f"the replay cannot draw a {kind!r} element yet")


def capture(node) -> list[Node]:
    """The scene under an AppTest element tree (or block): its children as Nodes."""
    out: list[Node] = []
    for child in (getattr(node, "children", None) or {}).values():
        kind = child.type
        if kind == "event":
            continue
        if kind in ("main", "sidebar"):
            out.append(Node(kind, children=tuple(capture(child))))
        elif kind == "flex_container":
            flex = child.proto.flex_container
            columns = list((child.children or {}).values())
            if columns and all(c.type == "column" for c in columns):
                out.append(
                    Node(
                        "columns",
                        {"spec": [c.proto.weight for c in columns]},
                        tuple(Node("column", children=tuple(capture(c))) for c in columns),
                    )
                )
            else:
                out.append(
                    Node(
                        "container",
                        {"border": flex.border, "horizontal": flex.direction == flex.Direction.HORIZONTAL},
                        tuple(capture(child)),
                    )
                )
        elif kind == "tab_container":
            tabs = list((child.children or {}).values())
            out.append(
                Node(
                    "tabs", {"tabs": [t.proto.label for t in tabs]}, tuple(Node("tab", children=tuple(capture(t))) for t in tabs)
                )
            )
        elif kind == "expander":
            out.append(Node("expander", {"label": child.proto.label, "expanded": child.proto.expanded}, tuple(capture(child))))
        else:
            out.append(_element(child))
    return out


def count(nodes: list[Node] | tuple[Node, ...]) -> int:
    """Elements and blocks in a scene."""
    return sum(1 + count(n.children) for n in nodes)


def _nothing() -> bytes:
    return b""


def draw(nodes: list[Node] | tuple[Node, ...]) -> None:
    """Draw a scene with Streamlit's own calls (inside the current container)."""
    import streamlit as st

    for n in nodes:
        a = n.args
        if n.kind == "main":
            draw(n.children)
        elif n.kind == "sidebar":
            with st.sidebar:
                draw(n.children)
        elif n.kind in ("columns", "tabs"):
            parts = st.columns(a["spec"]) if n.kind == "columns" else st.tabs(a["tabs"])
            for part, block in zip(parts, n.children, strict=True):
                with part:
                    draw(block.children)
        elif n.kind == "container":
            with st.container(border=a["border"], horizontal=a["horizontal"]):
                draw(n.children)
        elif n.kind == "expander":
            with st.expander(a["label"], expanded=a["expanded"]):
                draw(n.children)
        elif n.kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
            getattr(st, n.kind)(a["body"])
        elif n.kind == "divider":
            st.divider()
        elif n.kind == "metric":
            st.metric(
                a["label"],
                a["value"],
                a["delta"],
                delta_color=a["delta_color"],
                chart_data=a["chart_data"],
                chart_type="line",
                help=a["help"],
            )
        elif n.kind == "download_button":
            st.download_button(a["label"], _nothing, key=a["key"], help=a["help"], icon=a["icon"], on_click=a["on_click"])
        elif n.kind == "dataframe":
            st.dataframe(a["data"], width="stretch")
        elif n.kind == "vega_lite_chart":
            st.vega_lite_chart(a["data"], copy.deepcopy(a["spec"]), width="stretch")
        else:  # a widget: its arguments are Streamlit's own
            getattr(st, n.kind)(**a)
