"""The further real DfE and Ofsted files in ../shared/samples (workforce, placement stability,
new placements, care leavers activity and accommodation, c3 assessment factors, Ofsted's
inspection outcomes) import through the pipeline; every figure agrees with LAIT's published
figure for the same LA, measure and year (LAIT's whole dataset, ``bds_long_0.parquet``); and
each file says plainly what it did not read."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import SHARED
from journey import figures
from journey.cli import main as cli_main
from journey.importing.plan import commit, prepare
from journey.registry import registry, round_half_up

SAMPLES = SHARED / "samples"
DFE, MORE, LAIT = SAMPLES / "dfe", SAMPLES / "dfe_more", SAMPLES / "lait" / "bds_long_0.parquet"
OFSTED = MORE / "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
NOT_EXISTING = "a symbol for a year in which the LA did not exist"
pytestmark = pytest.mark.skipif(not MORE.is_dir(), reason=f"the DfE sample files are not beside the project ({MORE})")

#: file -> the measures the dashboard reads from it (the registry's LAIT indicators among them)
FILES = {
    DFE / "la_care_leavers_activity.csv": {
        "care_leavers_eet_pct", "careleavereetnum", "lac_19_he", "lac_19_he_num", "careleaversneet",
    },
    MORE / "la_care_leavers_accommodation_suitability.csv": {
        "care_leavers_suitable_accommodation_pct", "nocareleaveracc", "nocareleavers",
    },
    MORE / "la_cla_placement_stability.csv": {
        "cla_3plus_placements_pct", "lacstablenum_2016on", "cla_long_term_stability_pct", "lac_longstablenum",
    },
    MORE / "csww_indicators_2017_to_2025.csv": {
        "work_force_nosw", "work_force_to_rate", "work_force_agecy_rate", "work_force_agencycover", "work_force_vac_rate",
        "vacancies_cover", "work_force_swabsence", "work_force_num_caseheld", "work_force_avgnumcase_sw",
        "social_work_starters", "social_work_leavers",
    },
    DFE / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv": {
        "referrals", "re_referrals_within_12m", "re_referrals_within_12m_pct", "referrals_nfa_pct", "referrals_assessednotneed",
    },
    DFE / "d3_cpps_subsequent_plan_2013_to_2025.csv": {"cp_plans_started", "cp_second_or_subsequent_pct", "reregcpr"},
}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from journey.build import open_store

    s = open_store(tmp_path_factory.mktemp("ees_more") / "journey.duckdb", load_default=False)
    yield s
    s.close()


@pytest.fixture(scope="module")
def plans(store):
    """Each file's plan, checked against the empty store (reference data only)."""
    return {path.name: prepare(store, [(path.name, path.read_bytes())]) for path in [*FILES, *MORE.glob("*.csv"), OFSTED]}


@pytest.fixture(scope="module")
def lait():
    frame = pd.read_parquet(LAIT, columns=["Short Desc", "Years", "LA Number", "Values"])
    return frame[frame["LA Number"].notna()]


def _notes(plan) -> list[str]:
    return [p.message for p in plan.problems.items if p.level == "note"]


def _with_la_numbers(store, add: pd.DataFrame) -> pd.DataFrame:
    codes = store.query("SELECT code AS area_code, old_la_code FROM areas WHERE type = 'LA'")
    out = add.merge(codes, on="area_code")
    return out.assign(la=pd.to_numeric(out["old_la_code"]), year=out["reporting_year"].astype(int).astype(str))


@pytest.mark.parametrize("path", list(FILES), ids=lambda p: p.name)
def test_every_figure_agrees_with_lait_at_published_precision(store, plans, lait, path):
    plan = plans[path.name]
    assert plan.ok, [str(p) for p in plan.problems.errors]
    assert set(plan.add["measure"]) == FILES[path]
    la = _with_la_numbers(store, plan.add)
    compared = held = 0
    for measure_id, rows in la.groupby("measure"):
        m = registry().get(measure_id)
        if m.lait_code is None:
            continue  # LAIT does not publish it (re-referral counts)
        theirs = lait[lait["Short Desc"] == m.lait_code].rename(columns={"LA Number": "la", "Years": "year"})
        rows = rows[rows["year"].isin(set(theirs["year"]))]  # LAIT keeps the last ten years or so
        held += len(rows)
        both = rows.merge(theirs, on=["la", "year"])
        assert len(both) >= 0.9 * len(rows), (measure_id, len(both), len(rows))
        lait_value = pd.to_numeric(both["Values"], errors="coerce")
        numeric = both["value"].notna() & lait_value.notna()
        ours = [round_half_up(v, m.decimals) for v in both.loc[numeric, "value"]]
        published = [round_half_up(v, m.decimals) for v in lait_value[numeric]]
        assert ours == published, measure_id
        # Where one side has a symbol the other's figure is the one DfE's symbol stands for:
        # EES "low" (rounds to zero) is LAIT's 0, and the Isles of Scilly's 0 repeat plans are LAIT's "-".
        odd = both[both["value"].isna() != lait_value.isna()]
        explained = ((odd["symbol"] == "low") & (lait_value[odd.index] == 0)) | (
            (odd["value"] == 0) & (odd["Values"] == "-") & (odd["area_code"] == "E06000053")
        )
        assert explained.all(), odd.head()
        compared += len(both)  # each agrees: both numbers, both symbols, or a symbol explained above
    assert compared >= 0.9 * held > 0


def test_care_leavers_activity_2025_eet_for_worcestershire_is_laits_and_says_what_is_not_read(store, plans, lait):
    plan = plans["la_care_leavers_activity.csv"]
    worcs = plan.add[(plan.add["area_code"] == "E10000034") & (plan.add["reporting_year"] == 2025)].set_index("measure")
    assert worcs.loc["care_leavers_eet_pct", "value"] == 54  # 191 of 351 care leavers aged 19-21
    assert worcs.loc["careleavereetnum", "value"] == 191
    assert worcs.loc["lac_19_he", "value"] == 6 and worcs.loc["careleaversneet", "value"] == 45
    eet = lait[(lait["Short Desc"] == "CareLeaverEET") & (lait["LA Number"] == 885) & (lait["Years"] == "2025")]
    assert eet["Values"].tolist() == ["54"]
    assert worcs.loc["care_leavers_eet_pct", "period_end"] == dt.date(2025, 3, 31)
    # 20,040 rows: 835 per age group and breakdown; five breakdowns of 19-21 year olds are read.
    reasons = plan.skipped["reason"].value_counts()
    assert reasons["a breakdown the dashboard does not hold"] == 20_040 - 3 * 835 == 17_535
    # nothing else: EES's own symbols (z for an LA that did not exist that year) are figures, kept
    assert set(reasons.index) == {"a breakdown the dashboard does not hold"}
    notes = " ".join(_notes(plan))
    assert notes.startswith("17,535 of 20,040 rows not read, for breakdowns the dashboard does not hold: ")
    assert "care_leaver_age=17 to 18 years (10,020)" in notes
    assert "care_leaver_age=19 to 21 years; breakdown=Total (835)" in notes
    assert "care_leaver_age=19 to 21 years; breakdown=Total information not known (835)" in notes
    assert not [c for c in ("care_leaver_count", "care_leaver_percent") if c in notes]  # both columns are read


def test_csww_2025_turnover_is_a_30_september_snapshot_and_joint_las_share_their_figure(plans):
    add = plans["csww_indicators_2017_to_2025.csv"].add
    turnover = add[(add["measure"] == "work_force_to_rate") & (add["reporting_year"] == 2025)].set_index("area_code")
    assert turnover.loc["E10000034", "value"] == 12.3  # Worcestershire: 12.3% of FTE social workers left
    assert turnover.loc["E10000034", ["period_start", "period_end"]].tolist() == [dt.date(2025, 9, 30)] * 2
    assert turnover.loc["E08000025", "value"] == 8.5  # Birmingham
    # North and West Northamptonshire report one workforce (a children's trust): each LA gets it, saying so.
    north, west = turnover.loc["E06000061"], turnover.loc["E06000062"]
    assert north["value"] == west["value"] == 10.4
    assert north["note"] == "the joint figure of North Northamptonshire and West Northamptonshire, which report it together"
    notes = " ".join(_notes(plans["csww_indicators_2017_to_2025.csv"]))
    assert "columns not read (no measure of the dashboard): inpost_headcount, starters_headcount" in notes
    assert "case_holders_fte" in notes and "turnover_rate_fte" not in notes


def test_placement_stability_and_accommodation_read_their_breakdowns(plans):
    stability = plans["la_cla_placement_stability.csv"]
    worcs = stability.add[(stability.add["area_code"] == "E10000034") & (stability.add["reporting_year"] == 2025)]
    assert dict(zip(worcs["measure"], worcs["value"])) == {
        "cla_3plus_placements_pct": 9, "lacstablenum_2016on": 97, "cla_long_term_stability_pct": 76, "lac_longstablenum": 306,
    }  # fmt: skip
    assert "cla_group=CLA 2 years on 31 March (1,670)" in " ".join(_notes(stability))
    accommodation = plans["la_care_leavers_accommodation_suitability.csv"]
    # Two of its eight breakdowns are read (835 rows each): suitable (count and %) and the total (count).
    not_existing = (accommodation.skipped["reason"] == NOT_EXISTING).sum()
    assert len(accommodation.add) + not_existing == 3 * 835
    assert len(accommodation.skipped) - not_existing == 6_680 - 2 * 835
    worcs = accommodation.add[(accommodation.add["area_code"] == "E10000034") & (accommodation.add["reporting_year"] == 2025)]
    assert dict(zip(worcs["measure"], worcs["value"])) == {
        "care_leavers_suitable_accommodation_pct": 96, "nocareleaveracc": 326, "nocareleavers": 341,
    }  # fmt: skip


@pytest.mark.parametrize(
    "name, rows, holds",
    [
        ("la_cla_during_year_new_placements.csv", 15_865, "characteristic=Reason for placement change during the year (10,855)"),
        ("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", 1_312, "category=Factors identified"),
    ],
)
def test_a_file_holding_no_measure_says_what_it_is_in_plain_words(plans, name, rows, holds):
    plan = plans[name]
    warnings = [p.message for p in plan.problems.warnings]
    assert warnings == [
        f"a DfE statistics file of {rows:,} rows, none of whose figures is a measure this dashboard holds, so nothing was "
        "read from it (the notes below say what it holds)"
    ]
    assert plan.problems.errors == []  # a real DfE file holding nothing the dashboard reads is not an error
    assert not plan.has_changes
    assert any(holds in n for n in _notes(plan)), _notes(plan)
    assert len(plan.skipped) == rows


def test_cli_prints_what_was_not_read(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert cli_main(["import", str(DFE / "la_care_leavers_activity.csv"), "--dry-run", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "NOTE: la_care_leavers_activity.csv: 17,535 of 20,040 rows not read, for breakdowns" in out


# ---- Ofsted -----------------------------------------------------------------------------


def test_ofsted_workbook_is_detected_and_every_inspection_read(plans):
    plan = plans[OFSTED.name]
    assert plan.ok, [str(p) for p in plan.problems.errors]
    assert {k for _, k in plan.files[0]["sheets"]} == {"ofsted"}
    assert not plan.problems.warnings and not plan.attention
    add = plan.add
    # 271 inspections in the history, five judgements each, less 168 blank ones (care leavers before 2023).
    assert len(add) == 271 * 5 - 168 == 1_187
    assert set(add["source"]) == {"Ofsted, Local authority inspection outcomes as at 31 March 2025"}
    assert set(add["vintage"]) == {"2025-09"}
    assert set(add["value"]) == {1.0, 2.0, 3.0, 4.0}
    assert (add["period_start"] == add["period_end"]).all()
    skipped = plan.skipped  # each blank judgement once, in the first sheet that lists its inspection
    blank = skipped[skipped["reason"].str.startswith("no judgement given (the care leavers judgement began")]
    assert len(blank) == 168 and set(blank["column"]) == {"The experiences and progress of care leavers"}
    notes = [(p.sheet, p.message) for p in plan.problems.items if p.level == "note"]
    assert notes == [
        ("Inspections_as_at_31_March", "153 inspections read, 50 judgements not given"),
        ("In-year_inspections", "36 visits without judgements (ILACS Focused Visit), 52 inspections also in another sheet, "
                                "read once, 24 visits without judgements (LA Monitoring visit)"),
        ("ILACS_inspection_history", "118 inspections read, 118 judgements not given, 153 inspections also in another sheet, read once"),
    ]  # fmt: skip
    # LAs that no longer exist keep their inspections, under their own codes.
    cumbria = add[(add["area_code"] == "E10000006") & (add["measure"] == "ofsted_overall_effectiveness")]
    assert cumbria[["period_end", "reporting_year", "value"]].values.tolist() == [[dt.date(2022, 9, 20), 2023, 3.0]]


def test_latest_ofsted_judgement_of_an_la_after_import(store, plans):
    plan = plans[OFSTED.name]
    assert commit(store, plan, "Ofsted") is not None
    rows = figures.latest(store, ["885"], ["ofsted_overall_effectiveness"])
    latest = rows.sort_values("period_end").iloc[-1]
    assert latest["period_end"] == dt.date(2023, 5, 15) and latest["reporting_year"] == 2024
    assert registry().get("ofsted_overall_effectiveness").format(latest["value"]) == "Good"
    earlier = rows.sort_values("period_end").iloc[0]
    assert (earlier["period_end"], registry().get("ofsted_overall_effectiveness").format(earlier["value"])) == (
        dt.date(2019, 6, 17),
        "Requires improvement to be good",
    )
    again = prepare(store, [(OFSTED.name, OFSTED.read_bytes())])
    assert again.add.empty and again.unchanged == 1_187  # re-importing changes nothing


def test_upload_page_reads_an_ods_and_says_what_a_csv_did_not_read(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from conftest import PROJECT

    monkeypatch.setenv("JOURNEY_DB", str(tmp_path / "upload.duckdb"))
    monkeypatch.setenv("JOURNEY_NO_DEFAULT", "1")
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.switch_page("views/upload.py")
    at.run()
    at.file_uploader(key="files").set_value([(OFSTED.name, OFSTED.read_bytes(), "application/octet-stream")]).run()
    at.button(key="check").click().run()
    text = " ".join(m.value for m in at.markdown)
    assert "Ofsted's local authority inspection outcomes" in text.replace("\\", "")
    assert {m.label: m.value for m in at.metric}["New figures"] == "1,187"
    activity = DFE / "la_care_leavers_activity.csv"
    at.file_uploader(key="files").set_value([(activity.name, activity.read_bytes(), "text/csv")]).run()
    at.button(key="check").click().run()
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "What was not read" in text
    assert "17,535 of 20,040 rows not read" in text
    assert "care_leaver_age=17 to 18 years (10,020)" in text
    assert int({m.label: m.value for m in at.metric}["Rows skipped"].replace(",", "")) >= 17_535
