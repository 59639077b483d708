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


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=AXIS_FONT_SIZE, titleFontSize=AXIS_FONT_SIZE, gridColor="#dddddd",
                        labelColor="#1b1b1b", titleColor="#1b1b1b")
        .configure_legend(labelFontSize=AXIS_FONT_SIZE, titleFontSize=AXIS_FONT_SIZE, orient="bottom",
                          labelColor="#1b1b1b", titleColor="#1b1b1b",
                          symbolSize=300, symbolStrokeWidth=3, labelLimit=400, columns=3)
        .configure_title(fontSize=TITLE_FONT_SIZE, anchor="start")
        .configure_view(strokeWidth=0)
    )


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
    frame: pd.DataFrame, measure: Measure, *, zero: bool = False, height: int = 380, title: str | None = None,
    description: str | None = None,
) -> alt.TopLevelMixin:
    """Lines over years, one per series; missing and suppressed years are gaps.

    ``frame``: columns year (int), period (label), series (name), role (see STYLES), value
    (float or None). Every series should have a row for every year shown, with None where
    there is no figure, so the line breaks there instead of joining across the gap.
    """
    colour, dash, shape, width = _scales(frame)
    legend = alt.Legend(title=None)
    periods = frame.drop_duplicates("year").sort_values("year")["period"].tolist()
    base = alt.Chart(frame).encode(
        x=alt.X("period:O", sort=periods, title=None, axis=alt.Axis(labelAngle=-40 if len(periods) > 8 else 0)),
        y=alt.Y("value:Q", title=measure.unit, scale=alt.Scale(zero=zero)),
        color=alt.Color("series:N", scale=colour, legend=legend),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("period:O", title="Period"),
                 alt.Tooltip("value:Q", title=measure.label, format=f",.{measure.decimals}f")],
    )
    lines = base.mark_line().encode(
        strokeDash=alt.StrokeDash("series:N", scale=dash, legend=legend),
        strokeWidth=alt.StrokeWidth("series:N", scale=width, legend=None),
    )
    points = base.mark_point(size=110, filled=True, opacity=1).encode(
        shape=alt.Shape("series:N", scale=shape, legend=legend),
    )
    chart = alt.layer(lines, points).properties(height=height, width="container")
    if title:
        chart = chart.properties(title=title)
    if description:
        chart = chart.properties(description=description)
    return _configure(chart)


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
