"""Agreeing and disagreeing sources (issue 13, item 5): a figure given alike by two sources is
one figure; values that differ beyond the published precision, a value against a symbol and two
different symbols are conflicts, listed with both rows. Stores built by template imports."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures import template_csv
from streamlit.testing.v1 import AppTest

from conftest import PROJECT
from journey import figures
from journey.build import open_store
from journey.checks import run_checks
from journey.importing.plan import commit, prepare

EES = "DfE, Children in need 2025 (EES)"
LAIT = "DfE, LAIT, April 2026 update"

# (area, measure, period, value, symbol) from each source. Rates per 10,000 are published to
# 1 decimal place, CLA rates and percentages to 0.
FIRST = [
    ("Worcestershire", "cin_rate_per_10k", "2025", "302.9", ""),  # LAIT 302.94: same at 1 dp
    ("Worcestershire", "cin_rate_per_10k", "2024", "320.0", ""),  # LAIT 321.0: different values
    ("Worcestershire", "cp_rate_per_10k", "2025", "", "c"),  # LAIT 43.5: a value against a symbol
    ("Worcestershire", "cla_rate_per_10k", "2025", "", "c"),  # LAIT x: two symbols
    ("Worcestershire", "referral_rate_per_10k", "2025", "", "c"),  # LAIT c: the same symbol
    ("Worcestershire", "cla_rate_per_10k", "2024", "86", ""),  # LAIT 86.4: same at 0 dp
    ("Herefordshire", "cin_rate_per_10k", "2025", "350.0", ""),  # LAIT 350.06: 350.1 at 1 dp, differs
]
SECOND = [
    ("Worcestershire", "cin_rate_per_10k", "2025", "302.94", ""),
    ("Worcestershire", "cin_rate_per_10k", "2024", "321.0", ""),
    ("Worcestershire", "cp_rate_per_10k", "2025", "43.5", ""),
    ("Worcestershire", "cla_rate_per_10k", "2025", "", "x"),
    ("Worcestershire", "referral_rate_per_10k", "2025", "", "c"),
    ("Worcestershire", "cla_rate_per_10k", "2024", "86.4", ""),
    ("Herefordshire", "cin_rate_per_10k", "2025", "350.06", ""),
]


def _rows(rows, source: str, vintage: str) -> bytes:
    body = template_csv([f'{a},{m},{p},{v},{s},"{source}",' for a, m, p, v, s in rows])
    # The template's optional vintage column: each figure's release.
    lines = body.decode().splitlines()
    lines[0] += ",vintage"
    return ("\n".join([lines[0], *(line + f",{vintage}" for line in lines[1:])]) + "\n").encode()


def _import(s, name: str, data: bytes) -> None:
    plan = prepare(s, [(name, data)])
    assert plan.ok, plan.problems.frame().to_string()
    commit(s, plan, acknowledged=True)


@pytest.fixture()
def two_sources(tmp_path):
    s = open_store(tmp_path / "two.duckdb", load_default=False)
    _import(s, "ees.csv", _rows(FIRST, EES, "2025"))
    _import(s, "lait.csv", _rows(SECOND, LAIT, "2026-04"))
    yield s
    s.close()


def _figures(c) -> dict[tuple[str, str, int], str]:
    """{(area, measure, year ending): difference} of the conflicting figures."""
    return {(a, m, e.year): d for a, m, e, d in zip(c["area_name"], c["measure"], c["period_end"], c["difference"])}


def test_exactly_the_disagreeing_figures_are_conflicts(two_sources):
    c = figures.conflicts(two_sources)
    assert _figures(c) == {
        ("Worcestershire", "cin_rate_per_10k", 2024): "different values",
        ("Worcestershire", "cp_rate_per_10k", 2025): "a value against a symbol",
        ("Worcestershire", "cla_rate_per_10k", 2025): "different symbols",
        ("Herefordshire, County of", "cin_rate_per_10k", 2025): "different values",
    }
    # Both rows of each, with source and vintage; the newest vintage is the one shown.
    assert len(c) == 8
    assert set(c["kind"]) == {"different sources"}
    cp = c[c["measure"] == "cp_rate_per_10k"].set_index("source")
    assert cp.loc[EES, "symbol"] == "c" and cp.loc[EES, "vintage"] == "2025" and not cp.loc[EES, "is_latest"]
    assert cp.loc[LAIT, "value"] == 43.5 and cp.loc[LAIT, "vintage"] == "2026-04" and cp.loc[LAIT, "is_latest"]
    cla = c[(c["measure"] == "cla_rate_per_10k")]
    assert sorted(cla["symbol"]) == ["c", "x"] and cla["value"].isna().all()


def test_agreeing_rows_are_one_figure_and_the_newest_is_shown(two_sources):
    latest = figures.latest(two_sources, ["885"], ["cin_rate_per_10k", "referral_rate_per_10k", "cla_rate_per_10k"])
    by = {
        (m, e.year): (v, sy, n)
        for m, e, v, sy, n in zip(latest["measure"], latest["period_end"], latest["value"], latest["symbol"], latest["n_rows"])
    }
    assert by[("cin_rate_per_10k", 2025)][0] == 302.94 and by[("cin_rate_per_10k", 2025)][2] == 2
    assert by[("referral_rate_per_10k", 2025)][1] == "c"
    assert by[("cla_rate_per_10k", 2024)][0] == 86.4
    c = figures.conflicts(two_sources, ["885"], ["cin_rate_per_10k"])
    assert c["period_end"].tolist() == [dt.date(2024, 3, 31)] * 2


def test_agreement_key_rounds_at_published_precision():
    assert figures.agreement_key("cin_rate_per_10k", 302.94, None) == figures.agreement_key("cin_rate_per_10k", 302.9, None)
    assert figures.agreement_key("cin_rate_per_10k", 302.96, None) != figures.agreement_key("cin_rate_per_10k", 302.9, None)
    assert figures.agreement_key("cin_rate_per_10k", 302.95, None) == figures.agreement_key("cin_rate_per_10k", 303.0, None)
    assert figures.agreement_key("cla_rate_per_10k", 86.4, None) == figures.agreement_key("cla_rate_per_10k", 86.0, None)
    assert figures.agreement_key("cla_rate_per_10k", None, "c") != figures.agreement_key("cla_rate_per_10k", None, "x")
    assert figures.agreement_key("cla_rate_per_10k", None, "c") != figures.agreement_key("cla_rate_per_10k", 0.0, None)


def test_check_counts_symbol_conflicts(two_sources):
    report = run_checks(two_sources)
    assert report.conflict_figures == 4
    assert figures.conflict_count(two_sources) == 4


def test_a_correction_from_the_same_source_replaces_rather_than_conflicts(tmp_path):
    s = open_store(tmp_path / "rev.duckdb", load_default=False)
    try:
        _import(s, "a.csv", _rows([("Worcestershire", "cp_rate_per_10k", "2024", "", "c")], EES, "2024"))
        _import(s, "b.csv", _rows([("Worcestershire", "cp_rate_per_10k", "2024", "49.8", "")], EES, "2025"))
        assert figures.conflicts(s).empty
        assert figures.latest(s, ["885"], ["cp_rate_per_10k"])["value"].tolist() == [49.8]
        # Another release named as another source is kept beside it, and disagrees.
        _import(s, "c.csv", _rows([("Worcestershire", "cp_rate_per_10k", "2024", "", "x")], LAIT, "2026-04"))
        c = figures.conflicts(s)
        assert sorted(zip(c["source"], c["symbol"].fillna(""), c["is_latest"])) == [(EES, "", False), (LAIT, "x", True)]
        assert c["difference"].tolist() == ["a value against a symbol"] * 2
    finally:
        s.close()


def test_data_sources_page_lists_symbol_conflicts(two_sources, monkeypatch):
    monkeypatch.setenv("JOURNEY_DB", str(two_sources.path))
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=90)
    at.switch_page("views/data_sources.py")
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Kind" in d.value.columns)
    cla = table[table["Measure"] == "Children looked after per 10k"]
    assert sorted(cla["Value"]) == ["c", "x"]
    assert set(cla["Difference"]) == {"different symbols"}
    assert any("4 figures" in c.value for c in at.caption)


def test_cli_check_reports_symbol_conflicts(two_sources, capsys):
    from journey.cli import main

    path = two_sources.path
    two_sources.close()
    main(["check", "--db", str(path)])
    out = capsys.readouterr().out
    assert "Conflicting figures: 4 figures are given differently by different rows" in out
    assert "different symbols" in out and "a value against a symbol" in out
