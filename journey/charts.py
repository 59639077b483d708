"""Charts with one fixed style per comparator, on every page and in every export.

Each comparator role keeps its colour, line dash and point shape everywhere, so colour is
never the only cue. Colours are the Okabe-Ito palette, darkened where needed to reach 3:1
contrast on white (WCAG AA for graphics); they stay distinguishable with colour-vision
deficiency. Type is large enough to read on a projector.

Each function returns a Vega-Lite specification (a plain dict, schema ``VEGA_LITE_SCHEMA``)
that Streamlit draws and vl-convert turns into PNG or SVG. They are written as specs rather
than with Altair's objects because Altair copies the whole chart on every layer and configure
step: 150 ms per trend chart against about 1 ms here, most of an Indicator page's server time
(measured with py-spy). The test suite validates every spec against Vega-Lite's JSON schema.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from journey.registry import Measure
from journey.selection import column_lists
from journey.spc import XmR


@dataclass(frozen=True)
class Style:
    colour: str
    dash: tuple[int, ...]
    shape: str
    width: float


#: Roles in legend order. "other1".."other4" are extra LAs the user picks.
STYLES: dict[str, Style] = {
    "la": Style("#0067A5", (), "circle", 4.0),
    "england": Style("#1B1B1B", (9, 4), "square", 3.0),
    "region": Style("#B84A00", (2, 3), "triangle-up", 3.0),
    "sn": Style("#00785A", (12, 3, 3, 3), "diamond", 3.0),
    "sn_published": Style("#00785A", (4, 4), "cross", 2.5),
    "other1": Style("#A6467F", (6, 2), "triangle-down", 2.5),
    "other2": Style("#8A6A00", (1, 2), "triangle-right", 2.5),
    "other3": Style("#5B4B9A", (14, 4), "triangle-left", 2.5),
    "other4": Style("#6B6B6B", (3, 6), "wedge", 2.5),
}

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"
AXIS_FONT_SIZE = 16
TITLE_FONT_SIZE = 20


def style(role: str) -> Style:
    return STYLES.get(role, STYLES["other4"])


#: Reference lines of the "is this unusual?" check: dark grey, distinct dashes, 3:1 on white.
SPC_COLOUR = "#595959"
SIGNAL_COLOUR = "#1B1B1B"


Spec = dict[str, Any]
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


Rows = pd.DataFrame | list[dict[str, Any]] | dict[str, list]


def records(frame: Rows, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN and NA become null, numpy numbers plain Python numbers.
    ``frame``: a table, rows as dicts, or plain lists by column (``column_lists``)."""
    out = []
    for row in zip(*column_lists(frame, columns)):
        out.append(
            {
                c: (None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v)
                for c, v in zip(columns, row)
            }
        )
    return out


def _config(scale: float = 1.0, legend_columns: int = 2) -> Spec:
    size = round(AXIS_FONT_SIZE * scale)
    legend_size = round(AXIS_FONT_SIZE * min(scale, 1.15))  # long series names must still fit across
    return {
        "font": FONT,
        "background": "white",
        "axis": {
            "labelFontSize": size,
            "titleFontSize": size,
            "gridColor": "#dddddd",
            "labelColor": "#1b1b1b",
            "titleColor": "#1b1b1b",
            "labelLimit": 400,
        },
        "legend": {
            "labelFontSize": legend_size,
            "titleFontSize": legend_size,
            "orient": "bottom",
            "labelColor": "#1b1b1b",
            "titleColor": "#1b1b1b",
            "symbolSize": 300 * scale,
            "symbolStrokeWidth": 3 * scale,
            "labelLimit": 500,
            "columns": legend_columns,
        },
        "title": {"fontSize": round(TITLE_FONT_SIZE * scale), "anchor": "start"},
        "view": {"strokeWidth": 0},
    }


def _top(
    data: list[dict[str, Any]],
    layers: list[Spec],
    *,
    height: int,
    width: int | str,
    config: Spec,
    description: str | None = None,
    title: str | None = None,
) -> Spec:
    """A layered chart: ``data`` is shared by every layer that has none of its own."""
    spec: Spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "data": {"values": data},
        "layer": layers,
        "height": height,
        "width": width,
        "config": config,
    }
    if title:
        spec["title"] = title
    if description:
        spec["description"] = description
    return spec


def _field(name: str, kind: str, **more: Any) -> Spec:
    return {"field": name, "type": kind, **more}


def _value_tooltip(measure: Measure) -> Spec:
    return _field("value", "quantitative", title=measure.label, format=f",.{measure.decimals}f")


def _spc_layers(analysis: XmR, x: Spec, field: str, scale: float = 1.0) -> list[Spec]:
    """Mean and natural process limits as horizontal rules, and a ring around each signal point.

    Limits are drawn only when the series has enough points to make them meaningful."""
    layers: list[Spec] = []
    if not analysis.enough:
        return layers
    for line, y, dash in (
        ("Average", analysis.mean, [8, 4]),
        ("Upper process limit", analysis.upper, [2, 3]),
        ("Lower process limit", analysis.lower, [2, 3]),
    ):
        layers.append(
            {
                "data": {"values": [{"line": line, "y": y}]},
                "mark": {"type": "rule", "color": SPC_COLOUR, "strokeWidth": 2 * scale, "strokeDash": dash},
                "encoding": {
                    "y": _field("y", "quantitative"),
                    "tooltip": [
                        _field("line", "nominal", title="Line"),
                        _field("y", "quantitative", title="Value", format=",.1f"),
                    ],
                },
            }
        )
    signals = [
        {
            field: p.label,
            "value": p.value,
            "why": ", ".join(
                w
                for w, on in (("outside the limits", p.outside), ("run on one side of the average", p.shift), ("trend", p.trend))
                if on
            ),
        }
        for p in analysis.points
        if p.signal
    ]
    if signals:
        layers.append(
            {
                "data": {"values": signals},
                "mark": {
                    "type": "point",
                    "shape": "circle",
                    "size": 650 * scale,
                    "filled": False,
                    "color": SIGNAL_COLOUR,
                    "strokeWidth": 2.5 * scale,
                    "opacity": 1,
                },
                "encoding": {
                    "x": x,
                    "y": _field("value", "quantitative"),
                    "tooltip": [_field(field, "nominal", title="Period"), _field("why", "nominal", title="Unusual: ")],
                },
            }
        )
    return layers


def _scales(rows: list[dict[str, Any]]) -> tuple[Spec, Spec, Spec, Spec]:
    """Colour, dash, shape and width scales keyed by series name, in role order."""
    order = {role: i for i, role in enumerate(STYLES)}
    pairs = sorted(dict.fromkeys((r["series"], r["role"]) for r in rows), key=lambda p: order.get(p[1], 99))
    names = [name for name, _ in pairs]
    styles = [style(role) for _, role in pairs]
    return (
        {"domain": names, "range": [s.colour for s in styles]},
        {"domain": names, "range": [list(s.dash) or [1, 0] for s in styles]},
        {"domain": names, "range": [s.shape for s in styles]},
        {"domain": names, "range": [s.width for s in styles]},
    )


def trend_chart(
    frame: Rows,
    measure: Measure,
    *,
    zero: bool = False,
    height: int = 460,
    title: str | None = None,
    description: str | None = None,
    analysis: XmR | None = None,
    scale: float = 1.0,
    width: int | None = None,
    legend_columns: int = 2,
) -> Spec:
    """Lines over years, one per series; missing and suppressed years are gaps.

    ``frame``: columns year (int), period (label), series (name), role (see STYLES), value
    (float or None). Every series should have a row for every year shown, with None where
    there is no figure, so the line breaks there instead of joining across the gap.
    ``analysis``: an XmR check of the LA's yearly series (labels = periods), drawn as the
    average and process limits with the signal points ringed. ``scale`` enlarges type, lines
    and points (1.6 for a projector); ``width`` in pixels for files (default: the container).
    """
    data = records(frame, ["year", "period", "series", "role", "value", "symbol"])
    colour, dash, shape, stroke = _scales(data)
    legend = {"title": None}
    periods = [period for _, period in sorted(dict((r["year"], r["period"]) for r in reversed(data)).items())]
    x = _field("period", "ordinal", sort=periods, title=None, axis={"labelAngle": -40 if len(periods) > 8 else 0})
    shared = {
        "x": x,
        # On a projector the unit is said above the chart: an axis title would take the plot's height.
        "y": _field("value", "quantitative", title=measure.unit if scale <= 1 else None, scale={"zero": zero}),
        "color": _field("series", "nominal", scale=colour, legend=legend),
        "tooltip": [
            _field("series", "nominal", title="Series"),
            _field("period", "ordinal", title="Period"),
            _value_tooltip(measure),
        ],
    }
    stroke = {**stroke, "range": [w * scale for w in stroke["range"]]}
    lines = {
        "mark": {"type": "line"},
        "encoding": {
            **shared,
            "strokeDash": _field("series", "nominal", scale=dash, legend=legend),
            # Vega draws a one-name width scale at its default 1 px: a lone series gets its width as a value.
            "strokeWidth": (
                _field("series", "nominal", scale=stroke, legend=None)
                if len(stroke["domain"]) > 1
                else {"value": stroke["range"][0] if stroke["range"] else STYLES["la"].width * scale}
            ),
        },
    }
    points = {
        "mark": {"type": "point", "size": 110 * scale * scale, "filled": True, "opacity": 1},
        "encoding": {
            **shared,
            "shape": _field("series", "nominal", scale=shape, legend=legend),
        },
    }
    spc = _spc_layers(analysis, _field("period", "ordinal", sort=periods), "period", scale) if analysis else []
    return _top(
        data,
        [lines, points, *spc],
        height=height,
        width=width or "container",
        config=_config(scale, legend_columns),
        description=description,
        title=title,
    )


def xmr_chart(
    series: pd.DataFrame,
    analysis: XmR,
    measure: Measure,
    *,
    height: int = 320,
    scale: float = 1.0,
    width: int | None = None,
    description: str | None = None,
) -> Spec:
    """A monthly or quarterly series on its own, with the average, process limits and signals.

    ``series``: columns label (period label, in time order) and value (None for gaps)."""
    order = series["label"].tolist()
    la = STYLES["la"]
    encoding = {
        "x": _field("label", "ordinal", sort=order, title=None, axis={"labelAngle": -40 if len(order) > 8 else 0}),
        "y": _field("value", "quantitative", title=measure.unit, scale={"zero": False}),
        "tooltip": [_field("label", "nominal", title="Period"), _value_tooltip(measure)],
    }
    layers = [
        {"mark": {"type": "line", "color": la.colour, "strokeWidth": la.width * scale}, "encoding": encoding},
        {
            "mark": {"type": "point", "color": la.colour, "filled": True, "size": 110 * scale * scale, "opacity": 1},
            "encoding": encoding,
        },
        *_spc_layers(analysis, _field("label", "ordinal", sort=order), "label", scale),
    ]
    return _top(
        records(series, ["label", "value"]),
        layers,
        height=height,
        width=width or "container",
        config=_config(scale),
        description=description,
    )


def ranked_bars(
    frame: Rows,
    measure: Measure,
    *,
    highlight: str,
    height_per_bar: int = 26,
    description: str | None = None,
) -> Spec:
    """Horizontal bars of LAs sorted by value (best first when polarity is high or low).

    ``frame``: columns name, value; the bar named ``highlight`` is drawn in the LA colour with
    a bold label, the rest in grey.
    """
    data = sorted(
        (r for r in records(frame, ["name", "value"]) if r["value"] is not None),
        key=lambda r: r["value"],
        reverse=measure.polarity != "low",
    )
    rows = [{"name": r["name"], "value": r["value"], "who": highlight if r["name"] == highlight else "Other LAs"} for r in data]
    order = [r["name"] for r in rows]
    top = max((r["value"] for r in rows), default=0)
    encoding = {
        # The chosen LA's name is bold as well as its bar coloured: colour is never the only cue.
        "y": _field(
            "name",
            "nominal",
            sort=order,
            title=None,
            axis={"labelLimit": 320, "labelFontWeight": {"expr": f"datum.value === {json.dumps(highlight)} ? 'bold' : 'normal'"}},
        ),
        # Room on the right for the value beside the longest bar.
        "x": _field("value", "quantitative", title=measure.unit, scale={"domainMax": top * 1.1} if top > 0 else {}),
        "color": _field(
            "who",
            "nominal",
            scale={"domain": [highlight, "Other LAs"], "range": [STYLES["la"].colour, "#9a9a9a"]},
            legend={"title": None},
        ),
        "tooltip": [_field("name", "nominal", title="Area"), _value_tooltip(measure)],
    }
    layers = [
        {"mark": {"type": "bar"}, "encoding": encoding},
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 14},
            "encoding": {
                **encoding,
                "text": _field("value", "quantitative", format=f",.{measure.decimals}f"),
                "color": {"value": "#1b1b1b"},
            },
        },
    ]
    spec = _top(
        rows, layers, height=max(160, height_per_bar * len(rows)), width="container", config=_config(), description=description
    )
    # The height is the bars' own (axis and legend come on top), so every LA keeps its row and label
    # however many there are; Streamlit would otherwise fit the whole chart into that height.
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


#: The narrowest plot area a flow chart gets (the main column at 1024 px, less the stage labels),
#: and the width of one character of its 14 px labels, in pixels.
_FLOW_PLOT_PX, _LABEL_CHAR_PX = 560, 7.5


def _label_room(top: float | None, data: list[dict]) -> float:
    """The x-axis maximum that leaves room right of the longest bar for the longest label
    ("538.4  Yorkshire and The Humber" needs more than "56.7  Leeds"), at most half the plot."""
    if top is None:
        return 1.0
    longest = max((len(r["label"]) for r in data), default=0)
    share = min(0.5, (longest * _LABEL_CHAR_PX + 8) / _FLOW_PLOT_PX)
    return float(top) / (1 - share)


def flow_chart(frame: Rows, *, description: str | None = None) -> Spec:
    """Stepped bars down the journey: one band per stage, one bar per series, rate per 10,000.

    ``frame``: columns step (int, journey order), stage (label), series, role, value (rows
    without a value are left out).
    """
    data = records(frame, ["step", "stage", "series", "role", "value"])
    data = [r for r in data if r["value"] is not None]
    for r in data:
        r["label"] = f"{r['value']:,.1f}  {r['series'].replace('Statistical neighbours', 'SN')}"
    colour, _, _, _ = _scales(data)
    stages = [stage for _, stage in sorted(dict((r["step"], r["stage"]) for r in reversed(data)).items())]
    names = colour["domain"]
    top = max((r["value"] for r in data), default=None)
    y = _field("stage", "nominal", sort=stages, title=None, axis={"labelLimit": 380})
    offset = _field("series", "nominal", sort=names)
    bars = {
        "mark": {"type": "bar", "height": {"band": 0.9}},
        "encoding": {
            "y": y,
            "yOffset": offset,
            # Room on the right for the longest label beside the longest bar.
            "x": _field(
                "value",
                "quantitative",
                title="per 10,000 children aged 0-17",
                scale={"domainMax": _label_room(top, data)},
            ),
            "color": _field("series", "nominal", scale=colour, legend={"title": None}),
            "tooltip": [
                _field("stage", "nominal", title="Stage"),
                _field("series", "nominal", title="Series"),
                _field("value", "quantitative", title="Per 10,000", format=",.1f"),
            ],
        },
    }
    # The series name beside each value, so the bars never rely on colour alone ("SN" keeps the
    # longest names inside the chart; the legend gives them in full).
    labels = {
        "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 14},
        "encoding": {
            "y": _field("stage", "nominal", sort=stages),
            "yOffset": offset,
            "x": _field("value", "quantitative"),
            "text": _field("label", "nominal"),
            "color": {"value": "#1b1b1b"},
        },
    }
    return _top(
        data, [bars, labels], height=max(300, 34 * len(data)), width="container", config=_config(), description=description
    )
