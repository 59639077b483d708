"""Chart specs (journey/charts.py): valid Vega-Lite, gaps kept as gaps, one style per role.

The charts are written as Vega-Lite dicts rather than Altair objects (for speed), so these
tests take over what Altair's validation did: every kind of chart is checked against the
Vega-Lite JSON schema that ships with Altair (no download).
"""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest
from altair.vegalite.v6.schema import core

from journey.charts import SIGNAL_COLOUR, SPC_COLOUR, STYLES, flow_chart, ranked_bars, trend_chart, xmr_chart
from journey.flow import flow_table
from journey.registry import registry
from journey.selection import Selection
from journey.slides import build_slide
from journey.spc import xmr

WORCS = "885"


@pytest.fixture(scope="module")
def validator():
    schema = core.load_schema()
    return jsonschema.Draft7Validator(schema)


def _specs(store) -> dict[str, dict]:
    slide = build_slide(store, Selection(la=WORCS), "cp_rate_per_10k")
    m = slide.measure
    monthly = pd.DataFrame({"label": [f"M{i}" for i in range(14)], "value": [10.0] * 6 + [None] + [11.0] * 6 + [30.0]})
    flow = flow_table(store, Selection(la=WORCS), 2024).dropna(subset=["rate"]).rename(columns={"rate": "value"})
    bars = pd.DataFrame({"name": ["A", "Worcestershire", "B", "C"], "value": [40.0, 35.5, None, 20.0]})
    return {
        "trend": trend_chart(slide.frame, m, description="Trend", analysis=slide.analysis, zero=True),
        "trend_projector": trend_chart(slide.frame, m, scale=1.35, width=900, title="Title"),
        "xmr": xmr_chart(monthly, xmr(monthly["label"].tolist(), monthly["value"].tolist()), m, description="XmR"),
        "ranked": ranked_bars(bars, m, highlight="Worcestershire", description="Bars"),
        "flow": flow_chart(flow, description="Flow"),
    }


@pytest.mark.parametrize("kind", ["trend", "trend_projector", "xmr", "ranked", "flow"])
def test_every_chart_is_valid_vega_lite_and_plain_json(store, validator, kind):
    spec = _specs(store)[kind]
    errors = [e.message for e in validator.iter_errors(spec)]
    assert errors == []
    # Strict JSON: a NaN would be drawn by nobody and break the browser's parser.
    json.dumps(spec, allow_nan=False)


def test_trend_keeps_missing_years_as_gaps_and_styles_each_role(store):
    slide = build_slide(store, Selection(la=WORCS), "cp_rate_per_10k")
    frame = slide.frame.copy()
    la_rows = frame.index[frame["role"] == "la"]
    frame.loc[la_rows[3], ["value", "symbol"]] = [None, "c"]
    spec = trend_chart(frame, slide.measure)
    rows = [r for r in spec["data"]["values"] if r["role"] == "la"]
    assert rows[3]["value"] is None and rows[3]["symbol"] == "c"
    assert sum(r["value"] is None for r in rows) == int(frame.loc[la_rows, "value"].isna().sum())
    line, points = spec["layer"][:2]
    colour = line["encoding"]["color"]["scale"]
    roles = frame.drop_duplicates("series").set_index("series")["role"]
    assert colour["domain"][0] == "Worcestershire"
    assert colour["range"] == [STYLES[roles[name]].colour for name in colour["domain"]]
    dashes = line["encoding"]["strokeDash"]["scale"]["range"]
    assert dashes == [list(STYLES[roles[n]].dash) or [1, 0] for n in colour["domain"]]
    shapes = points["encoding"]["shape"]["scale"]["range"]
    assert shapes == [STYLES[roles[n]].shape for n in colour["domain"]]
    # x in time order, whatever order the rows come in
    periods = spec["layer"][0]["encoding"]["x"]["sort"]
    assert periods == frame.drop_duplicates("year").sort_values("year")["period"].tolist()


def test_trend_draws_the_process_limits_and_rings_signals():
    m = registry().get("cp_rate_per_10k")
    labels = [str(2010 + i) for i in range(13)]
    values = [10, 12] * 6 + [25]
    frame = pd.DataFrame(
        {"year": range(2010, 2023), "period": labels, "series": "LA", "role": "la", "value": values, "symbol": None}
    )
    analysis = xmr(labels, values)
    spec = trend_chart(frame, m, analysis=analysis)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert [r["data"]["values"][0]["y"] for r in rules] == pytest.approx([analysis.mean, analysis.upper, analysis.lower])
    assert {r["mark"]["color"] for r in rules} == {SPC_COLOUR}
    ring = spec["layer"][-1]
    assert ring["mark"]["color"] == SIGNAL_COLOUR and ring["mark"]["filled"] is False
    ringed = ring["data"]["values"]
    assert [r["period"] for r in ringed] == [p.label for p in analysis.points if p.signal]
    assert ringed[-1] == {"period": "2022", "value": 25, "why": "outside the limits"}


def test_trend_without_enough_points_draws_no_limits():
    m = registry().get("cp_rate_per_10k")
    labels = [str(2015 + i) for i in range(5)]
    frame = pd.DataFrame(
        {
            "year": range(2015, 2020),
            "period": labels,
            "series": "LA",
            "role": "la",
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            "symbol": None,
        }
    )
    spec = trend_chart(frame, m, analysis=xmr(labels, [1.0, 2.0, 3.0, 4.0, 5.0]))
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]


def test_projector_scale_enlarges_type_lines_and_points(store):
    slide = build_slide(store, Selection(la=WORCS), "cp_rate_per_10k")
    normal = trend_chart(slide.frame, slide.measure)
    big = trend_chart(slide.frame, slide.measure, scale=1.5, width=900)
    assert big["config"]["axis"]["labelFontSize"] == 24 and normal["config"]["axis"]["labelFontSize"] == 16
    assert big["layer"][1]["mark"]["size"] == pytest.approx(normal["layer"][1]["mark"]["size"] * 2.25)
    widths = big["layer"][0]["encoding"]["strokeWidth"]["scale"]["range"]
    assert widths[0] == pytest.approx(STYLES["la"].width * 1.5)
    assert big["width"] == 900 and normal["width"] == "container"
    assert big["layer"][0]["encoding"]["y"]["title"] is None  # the unit is said above a projected chart


def test_ranked_bars_best_first_by_polarity_and_the_la_bold():
    m_low = registry().get("cp_rate_per_10k")  # neutral or low: sorted ascending only for low
    bars = pd.DataFrame({"name": ["A", "Worcestershire", "B", "C"], "value": [40.0, 35.5, None, 20.0]})
    spec = ranked_bars(bars, m_low, highlight="Worcestershire")
    names = [r["name"] for r in spec["data"]["values"]]
    expected = ["C", "Worcestershire", "A"] if m_low.polarity == "low" else ["A", "Worcestershire", "C"]
    assert names == expected  # B has no value and is left out
    assert spec["layer"][0]["encoding"]["y"]["sort"] == expected
    assert [r["who"] for r in spec["data"]["values"]].count("Worcestershire") == 1
    assert "Worcestershire" in spec["layer"][0]["encoding"]["y"]["axis"]["labelFontWeight"]["expr"]
    assert spec["height"] == 160  # never shorter than 160 px
    # The height is the bars' own, so 153 LAs get 26 px each and every label shows.
    assert spec["autosize"]["type"] == "fit-x"
    many = pd.DataFrame({"name": [f"LA {i}" for i in range(153)], "value": [float(i) for i in range(153)]})
    assert ranked_bars(many, m_low, highlight="LA 7")["height"] == 26 * 153
    # Room right of the longest bar for its value label.
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domainMax"] == pytest.approx(44.0)


def test_flow_chart_labels_every_bar_with_its_series(store):
    flow = flow_table(store, Selection(la=WORCS), 2024).dropna(subset=["rate"]).rename(columns={"rate": "value"})
    spec = flow_chart(flow)
    rows = spec["data"]["values"]
    assert len(rows) == len(flow)
    assert all(r["label"].endswith(r["series"].replace("Statistical neighbours", "SN")) for r in rows)
    assert spec["layer"][1]["encoding"]["text"]["field"] == "label"


def test_rows_reach_streamlit_as_the_same_arrow_table(store):
    from ui.charts import arrow_data

    for kind, spec in _specs(store).items():
        rest, table = arrow_data(spec)
        assert "data" not in rest and {k: v for k, v in spec.items() if k != "data"} == rest, kind
        assert table.to_pylist() == spec["data"]["values"], kind  # every row, nulls kept as nulls
    trend = _specs(store)["trend"]
    rows = trend["data"]["values"]
    assert any(r["value"] is None for r in rows)
    # A column pyarrow cannot type stays in the spec for Streamlit to convert.
    mixed = {**trend, "data": {"values": [{"v": "c"}, {"v": 1.5}]}}
    assert arrow_data(mixed) == (mixed, None)


def test_chart_specs_are_the_same_from_a_table_rows_or_columns(store):
    slide = build_slide(store, Selection(la=WORCS), "cp_rate_per_10k")
    m = slide.measure
    from_frame = trend_chart(slide.frame, m, analysis=slide.analysis)
    assert trend_chart(slide.columns, m, analysis=slide.analysis) == from_frame
    flow = flow_table(store, Selection(la=WORCS), 2024)
    rows = [{**r, "value": r["rate"]} for r in flow.to_dict("records") if not pd.isna(r["rate"])]
    assert flow_chart(rows) == flow_chart(flow.dropna(subset=["rate"]).rename(columns={"rate": "value"}))


def test_a_remembered_spec_is_not_changed_by_drawing_it():
    """ui.charts hands Streamlit a shallow copy of a remembered spec: Streamlit's own edits
    (autosize, data, a top-level null legend title) must not reach the remembered one."""
    import copy

    import streamlit as st

    from ui.charts import arrow_data, for_streamlit

    m = registry().get("cp_rate_per_10k")
    frame = pd.DataFrame(
        {
            "year": [2024, 2025],
            "period": ["2023-24", "2024-25"],
            "series": ["LA", "LA"],
            "role": ["la", "la"],
            "value": [1.0, 2.0],
            "symbol": [None, None],
        }
    )
    spec = trend_chart(frame, m)
    spec["encoding"] = {"color": {"field": "series", "type": "nominal", "legend": {"title": None}}}
    remembered, table = arrow_data(spec)
    before = copy.deepcopy(remembered)
    for _ in range(2):
        st.vega_lite_chart(table, for_streamlit(remembered), width="stretch")
    assert remembered == before


def test_a_lone_series_keeps_its_thick_line(store):
    """Vega draws a width scale with a single name at 1 px, so a chart with only the LA's own
    series (early help: no comparators) sets the width as a value."""
    slide = build_slide(store, Selection(la=WORCS), "early_help_assessments_rate_per_10k")
    spec = trend_chart(slide.columns, slide.measure, scale=1.35)
    assert spec["layer"][0]["encoding"]["strokeWidth"] == {"value": STYLES["la"].width * 1.35}
    several = build_slide(store, Selection(la=WORCS), "cp_rate_per_10k")
    assert trend_chart(several.columns, several.measure)["layer"][0]["encoding"]["strokeWidth"]["field"] == "series"
