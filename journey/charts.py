"""Altair charts with one fixed style per comparator, on every page and in every export.

Each comparator role keeps its colour, line dash and point shape everywhere, so colour is
never the only cue. Colours are the Okabe-Ito palette, darkened where needed to reach 3:1
contrast on white (WCAG AA for graphics); they stay distinguishable with colour-vision
deficiency. Type is large enough to read on a projector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import pandas as pd

from journey.registry import Measure
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


def _configure(chart: alt.TopLevelMixin, scale: float = 1.0, legend_columns: int = 2) -> alt.TopLevelMixin:
    size = round(AXIS_FONT_SIZE * scale)
    legend_size = round(AXIS_FONT_SIZE * min(scale, 1.15))  # long series names must still fit across
    return (
        chart.configure(font=FONT, background="white")
        .configure_axis(labelFontSize=size, titleFontSize=size, gridColor="#dddddd",
                        labelColor="#1b1b1b", titleColor="#1b1b1b", labelLimit=400)
        .configure_legend(labelFontSize=legend_size, titleFontSize=legend_size, orient="bottom",
                          labelColor="#1b1b1b", titleColor="#1b1b1b",
                          symbolSize=300 * scale, symbolStrokeWidth=3 * scale, labelLimit=500, columns=legend_columns)
        .configure_title(fontSize=round(TITLE_FONT_SIZE * scale), anchor="start")
        .configure_view(strokeWidth=0)
    )


def _spc_layers(analysis: XmR, x: alt.X, field: str, scale: float = 1.0) -> list[alt.Chart]:
    """Mean and natural process limits as horizontal rules, and a ring around each signal point.

    Limits are drawn only when the series has enough points to make them meaningful."""
    layers = []
    if analysis.enough:
        for line, y, dash in (("Average", analysis.mean, [8, 4]), ("Upper process limit", analysis.upper, [2, 3]),
                              ("Lower process limit", analysis.lower, [2, 3])):
            layers.append(alt.Chart(pd.DataFrame({"line": [line], "y": [y]})).mark_rule(
                color=SPC_COLOUR, strokeWidth=2 * scale, strokeDash=dash,
            ).encode(y="y:Q", tooltip=[alt.Tooltip("line:N", title="Line"), alt.Tooltip("y:Q", title="Value", format=",.1f")]))
        signals = pd.DataFrame([
            {field: p.label, "value": p.value,
             "why": ", ".join(w for w, on in (("outside the limits", p.outside), ("run on one side of the average", p.shift),
                                              ("trend", p.trend)) if on)}
            for p in analysis.points if p.signal
        ])
        if not signals.empty:
            layers.append(alt.Chart(signals).mark_point(
                shape="circle", size=650 * scale, filled=False, color=SIGNAL_COLOUR, strokeWidth=2.5 * scale, opacity=1,
            ).encode(x=x, y="value:Q", tooltip=[alt.Tooltip(f"{field}:N", title="Period"),
                                                alt.Tooltip("why:N", title="Unusual: ")]))
    return layers


def _scales(frame: pd.DataFrame) -> tuple[alt.Scale, alt.Scale, alt.Scale, alt.Scale]:
    """Colour, dash, shape and width scales keyed by series name, in role order."""
    order = list(STYLES)
    pairs = frame[["series", "role"]].drop_duplicates()
    pairs = pairs.assign(o=pairs["role"].map(lambda r: order.index(r) if r in order else 99)).sort_values("o")
    names = pairs["series"].tolist()
    styles = [style(r) for r in pairs["role"]]
    return (
        alt.Scale(domain=names, range=[s.colour for s in styles]),
        alt.Scale(domain=names, range=[list(s.dash) or [1, 0] for s in styles]),
        alt.Scale(domain=names, range=[s.shape for s in styles]),
        alt.Scale(domain=names, range=[s.width for s in styles]),
    )


def trend_chart(
    frame: pd.DataFrame, measure: Measure, *, zero: bool = False, height: int = 460, title: str | None = None,
    description: str | None = None, analysis: XmR | None = None, scale: float = 1.0, width: int | None = None,
    legend_columns: int = 2,
) -> alt.TopLevelMixin:
    """Lines over years, one per series; missing and suppressed years are gaps.

    ``frame``: columns year (int), period (label), series (name), role (see STYLES), value
    (float or None). Every series should have a row for every year shown, with None where
    there is no figure, so the line breaks there instead of joining across the gap.
    ``analysis``: an XmR check of the LA's yearly series (labels = periods), drawn as the
    average and process limits with the signal points ringed. ``scale`` enlarges type, lines
    and points (1.6 for a projector); ``width`` in pixels for files (default: the container).
    """
    colour, dash, shape, stroke = _scales(frame)
    legend = alt.Legend(title=None)
    periods = frame.drop_duplicates("year").sort_values("year")["period"].tolist()
    base = alt.Chart(frame).encode(
        x=alt.X("period:O", sort=periods, title=None, axis=alt.Axis(labelAngle=-40 if len(periods) > 8 else 0)),
        # On a projector the unit is said above the chart: an axis title would take the plot's height.
        y=alt.Y("value:Q", title=measure.unit if scale <= 1 else None, scale=alt.Scale(zero=zero)),
        color=alt.Color("series:N", scale=colour, legend=legend),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("period:O", title="Period"),
                 alt.Tooltip("value:Q", title=measure.label, format=f",.{measure.decimals}f")],
    )
    if scale != 1.0:
        stroke = alt.Scale(domain=stroke.domain, range=[w * scale for w in stroke.range])
    lines = base.mark_line().encode(
        strokeDash=alt.StrokeDash("series:N", scale=dash, legend=legend),
        strokeWidth=alt.StrokeWidth("series:N", scale=stroke, legend=None),
    )
    points = base.mark_point(size=110 * scale * scale, filled=True, opacity=1).encode(
        shape=alt.Shape("series:N", scale=shape, legend=legend),
    )
    x = alt.X("period:O", sort=periods)
    layers = [lines, points, *(_spc_layers(analysis, x, "period", scale) if analysis else [])]
    chart = alt.layer(*layers).properties(height=height, width=width or "container")
    if title:
        chart = chart.properties(title=title)
    if description:
        chart = chart.properties(description=description)
    return _configure(chart, scale, legend_columns)


def xmr_chart(series: pd.DataFrame, analysis: XmR, measure: Measure, *, height: int = 320, scale: float = 1.0,
              width: int | None = None, description: str | None = None) -> alt.TopLevelMixin:
    """A monthly or quarterly series on its own, with the average, process limits and signals.

    ``series``: columns label (period label, in time order) and value (None for gaps)."""
    order = series["label"].tolist()
    la = STYLES["la"]
    x = alt.X("label:O", sort=order, title=None, axis=alt.Axis(labelAngle=-40 if len(order) > 8 else 0))
    base = alt.Chart(series).encode(
        x=x, y=alt.Y("value:Q", title=measure.unit, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("label:N", title="Period"),
                 alt.Tooltip("value:Q", title=measure.label, format=f",.{measure.decimals}f")],
    )
    layers = [base.mark_line(color=la.colour, strokeWidth=la.width * scale),
              base.mark_point(color=la.colour, filled=True, size=110 * scale * scale, opacity=1),
              *_spc_layers(analysis, alt.X("label:O", sort=order), "label", scale)]
    chart = alt.layer(*layers).properties(height=height, width=width or "container")
    if description:
        chart = chart.properties(description=description)
    return _configure(chart, scale)


def ranked_bars(
    frame: pd.DataFrame, measure: Measure, *, highlight: str, height_per_bar: int = 26, description: str | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars of LAs sorted by value (best first when polarity is high or low).

    ``frame``: columns name, value; the bar named ``highlight`` is drawn in the LA colour with
    a bold label, the rest in grey.
    """
    data = frame.dropna(subset=["value"]).copy()
    ascending = measure.polarity == "low"
    data = data.sort_values("value", ascending=ascending)
    data["who"] = (data["name"] == highlight).map({True: highlight, False: "Other LAs"})
    order = data["name"].tolist()
    bars = alt.Chart(data).mark_bar().encode(
        # The chosen LA's name is bold as well as its bar coloured: colour is never the only cue.
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=320, labelFontWeight=alt.ExprRef(f"datum.value === {json.dumps(highlight)} ? 'bold' : 'normal'"))),
        x=alt.X("value:Q", title=measure.unit),
        color=alt.Color("who:N", scale=alt.Scale(domain=[highlight, "Other LAs"], range=[STYLES["la"].colour, "#9a9a9a"]),
                        legend=alt.Legend(title=None)),
        tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("value:Q", title=measure.label, format=f",.{measure.decimals}f")],
    )
    labels = bars.mark_text(align="left", dx=4, fontSize=14).encode(
        text=alt.Text("value:Q", format=f",.{measure.decimals}f"), color=alt.value("#1b1b1b"),
    )
    chart = alt.layer(bars, labels).properties(height=max(160, height_per_bar * len(data)), width="container")
    if description:
        chart = chart.properties(description=description)
    return _configure(chart)


def flow_chart(frame: pd.DataFrame, *, description: str | None = None) -> alt.TopLevelMixin:
    """Stepped bars down the journey: one band per stage, one bar per series, rate per 10,000.

    ``frame``: columns step (int, journey order), stage (label), series, role, value.
    """
    colour, _, _, _ = _scales(frame)
    stages = frame.sort_values("step")["stage"].drop_duplicates().tolist()
    names = colour.domain
    bars = alt.Chart(frame).mark_bar(height={"band": 0.9}).encode(
        y=alt.Y("stage:N", sort=stages, title=None, axis=alt.Axis(labelLimit=380)),
        yOffset=alt.YOffset("series:N", sort=names),
        x=alt.X("value:Q", title="per 10,000 children aged 0-17"),
        color=alt.Color("series:N", scale=colour, legend=alt.Legend(title=None)),
        tooltip=[alt.Tooltip("stage:N", title="Stage"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("value:Q", title="Per 10,000", format=",.1f")],
    )
    # The series name beside each value, so the bars never rely on colour alone.
    labelled = frame.assign(label=[f"{v:,.1f}  {n}" for v, n in zip(frame["value"], frame["series"])])
    labels = alt.Chart(labelled).mark_text(align="left", dx=4, fontSize=14).encode(
        y=alt.Y("stage:N", sort=stages), yOffset=alt.YOffset("series:N", sort=names),
        x="value:Q", text="label:N", color=alt.value("#1b1b1b"),
    )
    chart = alt.layer(bars, labels).properties(height=max(300, 34 * len(frame)), width="container")
    if description:
        chart = chart.properties(description=description)
    return _configure(chart)
