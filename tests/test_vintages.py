"""Vintages are real release months, compared as dates (issue 12: `9999-99` outranked `2026-11`)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from journey.vintages import VintageError, parse_vintage, vintage_date, vintage_order_sql

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026", "2026"),
        ("2026-11", "2026-11"),
        ("2026-1", "2026-01"),
        (" 2025-04 ", "2025-04"),
        ("2026-11-05", "2026-11"),
        (dt.date(2024, 9, 30), "2024-09"),
        ("2027-03", "2027-03"),
    ],
)
def test_vintages_are_read_as_year_and_month(raw, expected):
    assert parse_vintage(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("9999-99", "month"),
        ("2026-13", "month"),
        ("2026-00", "month"),
        ("1999", "2000 to 2027"),
        ("2028-01", "2000 to 2027"),
        ("April 2026", "YYYY or YYYY-MM"),
        ("<script>", "YYYY or YYYY-MM"),
        ("", "YYYY"),
    ],
)
def test_impossible_vintages_are_refused_with_the_reason(raw, why):
    with pytest.raises(VintageError, match=why):
        parse_vintage(raw, today=TODAY)


def test_vintages_order_as_dates_in_python_and_sql():
    values = ["2024-09", "2024", "2026-11", "2025", "2023-12"]
    by_date = sorted(values, key=vintage_date, reverse=True)
    assert by_date == ["2026-11", "2025", "2024-09", "2024", "2023-12"]
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT vintage FROM (SELECT unnest(?::VARCHAR[]) AS vintage) ORDER BY {vintage_order_sql()} DESC",
        [[*values, "9999-99"]],
    ).fetchall()
    # A value no importer lets in ranks as the oldest, never above a real release.
    assert [r[0] for r in rows] == [*by_date, "9999-99"]
