"""The registry rows made from LAIT's data dictionary (journey/lait_dictionary.py)."""

from __future__ import annotations

import csv

import pytest

from conftest import PROJECT, SHARED
from journey.lait_dictionary import REGISTRY_COLUMNS, measure_id, new_measure, read_dictionary, sync_registry, updated_month
from journey.registry import STAGES, registry

DICTIONARY = SHARED / "samples" / "lait" / "lait_data_dictionary.csv"


def _row(**kw: str) -> dict[str, str]:
    base = {"Measure_short": "X", "Topic": "Children Looked After", "Measure": "", "Chart_title": "", "y_axis_name": "",
            "Polarity": "-", "dps": "", "Year_Type": "Financial Year", "No_Quartile": "", "Description": "", "Methodology": "",
            "Last Update": "45962"}  # fmt: skip
    return {**base, **kw}


def test_ids_months_and_kinds():
    assert measure_id("CINTime3-6") == "cintime3_6"
    assert measure_id("%_of LAC Adopted") == "pct_of_lac_adopted"
    assert measure_id("10_ICPC") == "n10_icpc"
    assert updated_month("45931", "2026-04") == "2025-10"  # Excel day 45931 is 1 October 2025
    assert updated_month("New data", "2026-04") == "2026-04"
    adopted = new_measure(_row(Measure_short="No_of LAC Adopted", Chart_title="Children looked after who were adopted in year (number)",
                               y_axis_name="Number of Children Looked After", dps="0"), "2026-04")  # fmt: skip
    assert (adopted["kind"], adopted["unit"], adopted["decimals"]) == (
        "count",
        "children looked after",
        "0",
    )  # "after" is not FTE
    fte = new_measure(_row(Topic="Children's Services Workforce", Measure_short="Social_Work_Starters",
                           Chart_title="Social workers starting during the year (FTE)", Year_Type="Annual (end of Sept)"), "2026-04")  # fmt: skip
    assert (fte["kind"], fte["unit"], fte["stage"], fte["year_type"], fte["timing"]) == (
        "number",
        "FTE",
        "workforce",
        "at_30_september",
        "at period end",
    )
    leavers = new_measure(
        _row(Measure_short="CareLeaverEET", Chart_title="Care Leavers 19-21 year olds in EET (%)", Polarity="High"), "x"
    )
    assert (leavers["kind"], leavers["stage"], leavers["topic"], leavers["polarity"], leavers["decimals"]) == (
        "percent",
        "care_leavers",
        "Care leavers",
        "high",
        "1",
    )


def test_sync_keeps_hand_written_fields_and_adds_the_rest():
    current = [{c: "" for c in REGISTRY_COLUMNS} | {"measure": "cla_rate_per_10k", "label": "Children looked after per 10k",
                "polarity": "neutral", "decimals": "0", "lait_code": "LAC"}]  # fmt: skip
    dictionary = [
        _row(Measure_short="LAC", Year_Type="Annual", Methodology="Per 10,000 children"),
        _row(
            Measure_short="LAC_Foster_Placements", Chart_title="Children looked after placed in foster care (%)", Polarity="High"
        ),
        _row(Topic="Key Stage 2", Measure_short="KS2_RWM"),
    ]
    rows, counts = sync_registry(current, dictionary)
    assert counts == {"updated": 1, "added": 1}
    cla = rows[0]
    assert (cla["label"], cla["polarity"], cla["decimals"]) == ("Children looked after per 10k", "neutral", "0")
    assert (cla["year_type"], cla["methodology"], cla["updated"]) == ("at_31_march", "Per 10,000 children", "2025-11")
    assert [r["measure"] for r in rows] == ["cla_rate_per_10k", "lac_foster_placements"]  # Key Stage 2 is not in scope


@pytest.mark.skipif(not DICTIONARY.exists(), reason="../shared/samples is not beside the project")
def test_shipped_registry_is_in_step_with_laits_dictionary():
    """Syncing the shipped registry with LAIT's dictionary changes nothing: refresh-default was run."""
    with (PROJECT / "data" / "measures.csv").open(newline="", encoding="utf-8") as f:
        current = list(csv.DictReader(f))
    rows, counts = sync_registry(current, read_dictionary(DICTIONARY))
    assert counts == {"updated": 0, "added": 0}
    lait = [m for m in registry() if m.lait_code]
    assert len(registry()) > 150 and len(lait) >= 150
    assert {m.stage for m in registry()} <= set(STAGES)
    every_code = {r["Measure_short"] for r in read_dictionary(DICTIONARY) if r["Topic"] in (
        "Children in Need", "Child Protection", "Children Looked After", "Adoption", "Children's Services Workforce")}  # fmt: skip
    assert every_code <= {m.lait_code for m in lait}
