"""The store: schema, default data, vintages, suppression, idempotence, bad files."""

import ast
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import PROJECT, shipped_figures, subprocess_env
from journey import figures
from journey.benchmarks import benchmark, series_table
from journey.build import build, open_store, read_national_figures
from journey.errors import StoreError
from journey.rates import with_computed_rates
from journey.store import connect

TABLES = ["areas", "observations", "sn_models", "targets", "imports", "meta"]


def snapshot(path: Path) -> dict[str, pd.DataFrame]:
    s = connect(path)
    try:
        return {t: s.query(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}
    finally:
        s.close()


def test_default_dataset_loaded_with_source_and_vintage(store):
    raw = pd.read_csv(PROJECT / "data" / "board_report_figures.csv", dtype=str, keep_default_na=False)
    n_targets = raw["measure"].str.endswith("_target").sum()
    assert figures.observation_count(store) == len(shipped_figures())
    assert store.scalar("SELECT count(*) FROM targets") == n_targets
    assert store.scalar("SELECT count(*) FROM observations WHERE source IS NULL OR vintage IS NULL") == 0
    # Worcestershire 2008-2025 with England, West Midlands and statistical neighbours.
    years = store.query("SELECT DISTINCT year(period_end) y FROM observations WHERE area_code = 'E10000034' ORDER BY y")["y"]
    assert years.min() == 2008 or years.min() == 2009
    assert years.max() == 2025
    for code in ("E92000001", "E12000005", "E10000013", "E06000066"):
        assert store.scalar("SELECT count(*) FROM observations WHERE area_code = ?", [code]) > 100


def test_reference_data_in_every_store(empty_store):
    assert empty_store.scalar("SELECT count(*) FROM observations") == 0
    assert empty_store.scalar("SELECT count(*) FROM areas WHERE type = 'LA'") == 161
    assert empty_store.scalar("SELECT count(*) FROM areas WHERE type = 'region'") == 11
    assert empty_store.scalar("SELECT name FROM areas WHERE code = 'E92000001'") == "England"
    row = empty_store.query("SELECT * FROM areas WHERE code = 'E10000034'").iloc[0]
    assert (row["old_la_code"], row["region_code"], row["type"]) == ("885", "E12000005", "LA")
    assert empty_store.scalar("SELECT count(DISTINCT old_la_code) FROM sn_models WHERE model = 2025") == 153


def test_no_default_env_gives_reference_only(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEY_NO_DEFAULT", "1")
    s = open_store(tmp_path / "own.duckdb")
    try:
        assert s.scalar("SELECT count(*) FROM observations") == 0
        assert s.scalar("SELECT count(*) FROM areas") > 170
    finally:
        s.close()
    monkeypatch.delenv("JOURNEY_NO_DEFAULT")
    s = open_store(tmp_path / "own.duckdb")  # reopening later does not sneak the defaults in
    try:
        assert s.scalar("SELECT count(*) FROM observations") == 0
    finally:
        s.close()


def test_journey_db_env_chooses_the_file(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere.duckdb"
    monkeypatch.setenv("JOURNEY_DB", str(target))
    open_store(load_default=False).close()
    assert target.exists()


def test_latest_vintage_shown_others_queryable(store):
    latest = figures.latest(store, ["885"], ["cin_count"]).set_index("period_end")
    import datetime as dt

    row = latest.loc[dt.date(2024, 3, 31)]
    assert row["value"] == 3841 and row["vintage"] == "2025" and row["n_rows"] == 2
    every = figures.all_vintages(store, ["885"], ["cin_count"])
    both = every[every["period_end"] == dt.date(2024, 3, 31)]
    assert sorted(both["value"]) == [3452, 3841]
    assert both[both["is_latest"]]["value"].tolist() == [3841]


def test_conflicts_show_both_figures(store):
    c = figures.conflicts(store, ["885"], ["cp_plans"])
    # 2024: the board report's 589 against DfE's 596 (EES and LAIT agree: every row is listed).
    assert sorted(set(c["value"])) == [589.0, 596.0]
    assert set(c["kind"]) == {"different sources"}


def test_suppressed_values_stay_null_with_symbol_end_to_end(store):
    raw = shipped_figures()
    symbols = raw[raw["symbol"].notna()]
    assert len(symbols) > 600
    assert symbols["value"].isna().all()
    stored = store.query("SELECT value, symbol FROM observations WHERE symbol IS NOT NULL")
    assert len(stored) == len(symbols)
    assert stored["value"].isna().all()
    assert sorted(stored["symbol"].unique()) == sorted(symbols["symbol"].unique())
    # No stored zero stands where the file had a symbol.
    assert store.scalar("SELECT count(*) FROM observations WHERE value = 0 AND symbol IS NOT NULL") == 0
    # Through the computations: a suppressed CLA count gives no computed rate, and the series shows the symbol.
    wf = with_computed_rates(store, ["943"], ["cla_rate_per_10k"])  # Westmorland and Furness, 'z' before 2024
    z = wf[wf["reporting_year"] == 2023].iloc[0]
    assert pd.isna(z["value"]) and z["symbol"] == "z" and not z["computed"]
    from journey.areas import find_area

    table = series_table(store, find_area(store, "943"), "cla_rate_per_10k").set_index("year")
    assert pd.isna(table.loc[2023, "value"]) and table.loc[2023, "symbol"] == "z"
    b = benchmark(store, "943", "cla_rate_per_10k", 2023)
    assert b.value is None and b.symbol == "z" and b.change is None


def test_reader_keeps_symbols_and_never_zero():
    obs = read_national_figures()
    c = obs[obs["symbol"] == "c"]
    assert len(c) > 0 and c["value"].isna().all()


def test_open_twice_and_build_twice_change_nothing(tmp_path):
    path = tmp_path / "idem.duckdb"
    open_store(path, load_default=True).close()
    first = snapshot(path)
    open_store(path).close()
    assert build(path) == {"reference": False, "default": False}
    second = snapshot(path)
    for t in TABLES:
        pd.testing.assert_frame_equal(first[t], second[t], obj=t)


def test_corrupt_file_gives_clear_error(tmp_path):
    bad = tmp_path / "corrupt.duckdb"
    bad.write_bytes(b"this is not a database" * 500)
    with pytest.raises(StoreError) as err:
        open_store(bad)
    assert "damaged or is not a DuckDB database" in str(err.value)
    assert "python -m journey build" in str(err.value)


def test_locked_file_gives_clear_error(tmp_path):
    path = tmp_path / "locked.duckdb"
    open_store(path, load_default=False).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError) as err:
            open_store(path)
        assert "in use by another program" in str(err.value)
    finally:
        holder.kill()
        holder.wait()


def test_cli_reports_corrupt_file_in_one_line(tmp_path):
    bad = tmp_path / "corrupt.duckdb"
    bad.write_bytes(b"\x00garbage" * 1000)
    run = subprocess.run(
        [sys.executable, "-m", "journey", "check", "--db", str(bad)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=PROJECT,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("error: The database") and run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


def test_journey_imports_nothing_from_streamlit():
    for path in (PROJECT / "journey").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, journey.cli, journey.benchmarks, journey.conversion, journey.checks; print('streamlit' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=PROJECT,
    )
    assert run.stdout.strip() == "False", run.stderr


def test_migration_records_schema_version(empty_store):
    from journey.store import MIGRATIONS

    assert empty_store.meta("schema_version") == str(len(MIGRATIONS))


def test_write_transaction_rolls_back_on_error(fresh_store):
    before = fresh_store.scalar("SELECT count(*) FROM observations")
    version = fresh_store.data_version
    from journey.store import Store

    with pytest.raises(RuntimeError):
        with fresh_store.transaction() as con:
            iid = Store.new_import(con, "test")
            Store.insert_observations(
                con,
                iid,
                pd.DataFrame(
                    [
                        {
                            "area_code": "E10000034",
                            "measure": "cin_count",
                            "period_start": "2026-03-31",
                            "period_end": "2026-03-31",
                            "reporting_year": 2026,
                            "value": 1.0,
                            "symbol": None,
                            "source": "t",
                            "vintage": "2026",
                            "note": None,
                        }
                    ]
                ),
            )
            raise RuntimeError("power cut")
    assert fresh_store.scalar("SELECT count(*) FROM observations") == before
    assert fresh_store.data_version == version


def test_readme_commands_and_ci_agree():
    readme = (PROJECT / "README.md").read_text()
    assert "python -m pip install -r requirements.txt && python -m streamlit run app.py" in readme
    assert "bash scripts/test.sh" in readme
    ci = (PROJECT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci.splitlines()[-1]


def test_memo_recomputes_after_a_write_and_drops_the_least_recently_used(fresh_store, monkeypatch):
    from journey import store as store_mod

    calls: list[str] = []

    def compute(name: str):
        def run() -> str:
            calls.append(name)
            return f"{name}@{fresh_store.data_version}"

        return run

    monkeypatch.setattr(store_mod, "MEMO_ENTRIES", 3)
    assert fresh_store.memo("a", compute("a")) == f"a@{fresh_store.data_version}"
    fresh_store.memo("a", compute("a"))
    assert calls == ["a"]  # remembered
    fresh_store.memo("b", compute("b"))
    fresh_store.memo("c", compute("c"))
    fresh_store.memo("a", compute("a"))  # a is now the most recently used
    fresh_store.memo("d", compute("d"))  # over the limit: b, the least recently used, goes
    fresh_store.memo("a", compute("a"))
    fresh_store.memo("b", compute("b"))
    assert calls == ["a", "b", "c", "d", "b"]
    with fresh_store.transaction() as con:  # any write bumps the version: everything is recomputed
        con.execute("UPDATE meta SET value = value WHERE false")
    assert fresh_store.memo("a", compute("a")) == f"a@{fresh_store.data_version}"
    assert calls[-1] == "a"
