"""The command line and journey conversions."""

import subprocess
import sys

import pytest

from conftest import PROJECT, subprocess_env
from journey.areas import find_area
from journey.cli import main
from journey.conversion import conversions


def test_show_prints_series_with_comparators(default_db, capsys):
    assert main(["show", "Worcestershire", "cp_rate_per_10k", "--db", str(default_db)]) == 0
    out = capsys.readouterr().out
    line = next(text for text in out.splitlines() if text.startswith("31 Mar 2025"))
    # LA, England, West Midlands, SN mean, SN median, neighbours used
    assert line.split()[3:9] == ["43.5", "40.6", "40.3", "35.0", "32.5", "10/10"]
    assert "West Midlands" in out and "SN mean (2025)" in out


def test_show_by_code_and_model(default_db, capsys):
    assert main(["show", "E10000034", "cla_rate_per_10k", "--model", "2021", "--db", str(default_db)]) == 0
    assert "SN mean (2021)" in capsys.readouterr().out


def test_show_vintages(default_db, capsys):
    assert main(["show", "885", "cin_count", "--vintages", "--db", str(default_db)]) == 0
    out = capsys.readouterr().out
    assert "3,452" in out and "3,841" in out


def test_show_lists_monthly_and_quarterly_figures_under_the_annual_series(default_db, tmp_path, capsys):
    """A monthly import (leap-year Februaries included) is visible from the CLI, by period type."""
    db = tmp_path / "copy.duckdb"
    db.write_bytes(default_db.read_bytes())
    upload = tmp_path / "monthly.csv"
    upload.write_text(
        "area,measure,period,value\n"
        + "".join(
            f"Herefordshire,referrals,{m},{v}\n"
            for m, v in [("Jan-20", 280), ("Feb-20", 300), ("Feb-24", 310), ("Mar-24", 305), ("Q1 2024-25", 900)]
        )
    )
    assert main(["import", str(upload), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["show", "Herefordshire", "referrals", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    yearly, _, rest = out.partition("Monthly figures (4):")
    assert "Yearly figures:" in yearly and "2024-25" in yearly
    monthly, _, quarterly = rest.partition("Quarterly figures (1):")
    assert [line.split()[:3] for line in monthly.strip().splitlines()[1:]] == [
        ["Jan", "2020", "280"],
        ["Feb", "2020", "300"],
        ["Feb", "2024", "310"],
        ["Mar", "2024", "305"],
    ]
    assert "Apr-Jun 2024" in quarterly and "900" in quarterly
    assert main(["show", "Herefordshire", "referrals", "--periods", "monthly", "--db", str(db)]) == 0
    only = capsys.readouterr().out
    assert "Monthly figures (4):" in only and "Yearly figures" not in only and "Quarterly" not in only
    assert main(["show", "Worcestershire", "referrals", "--periods", "quarterly", "--db", str(db)]) == 0
    assert "No quarterly figures in the store" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "Atlantis", "cin_rate_per_10k"], "Unknown area 'Atlantis'"),
        (["show", "Worcestershire", "cin_rate"], "Did you mean"),
    ],
)
def test_bad_arguments_one_line_and_exit_2(default_db, capsys, args, message):
    assert main([*args, "--db", str(default_db)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unknown_command_exits_2():
    run = subprocess.run(
        [sys.executable, "-m", "journey", "explode"], capture_output=True, text=True, env=subprocess_env(), cwd=PROJECT
    )
    assert run.returncode == 2 and "invalid choice" in run.stderr and "Traceback" not in run.stderr


def test_build_then_check(tmp_path):
    db = tmp_path / "cli.duckdb"
    env = subprocess_env()
    first = subprocess.run(
        [sys.executable, "-m", "journey", "build", "--db", str(db)], capture_output=True, text=True, env=env, cwd=PROJECT
    )
    assert first.returncode == 0 and "updated reference, default" in first.stdout
    again = subprocess.run(
        [sys.executable, "-m", "journey", "build", "--db", str(db)], capture_output=True, text=True, env=env, cwd=PROJECT
    )
    assert again.returncode == 0 and "already up to date" in again.stdout
    check = subprocess.run(
        [sys.executable, "-m", "journey", "check", "--db", str(db)], capture_output=True, text=True, env=env, cwd=PROJECT
    )
    assert check.returncode == 0, check.stderr
    assert "West Midlands" in check.stdout and "rounded to the nearest 10" in check.stdout
    assert "contradiction within one source" in check.stdout
    assert "Integrity: OK" in check.stdout


def test_conversion_from_rates_when_counts_missing(store):
    steps = {c.step: c for c in conversions(store, find_area(store, "885"), 2025)}
    s47 = steps[2]
    assert s47.basis == "rates per 10,000"
    assert (s47.from_value, s47.to_value) == (400.0, 184.7)
    assert s47.percent == pytest.approx(184.7 / 400.0 * 100)
    assert steps[4].percent == pytest.approx(59.2 / 65.9 * 100)
    assert steps[1].percent is None and "Contacts" in steps[1].basis
