"""Periods and cells at their edges: leap days and month ends, years outside the range the
dashboard holds, hostile period text, decimal commas, non-finite numbers and symbols."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from journey.importing.cells import SYMBOLS, CellError, parse_period, parse_value, population_mid_year
from journey.periods import FIRST_YEAR, last_year, month_end, period_label, reporting_year, shift_years, year_start
from journey.registry import measure
from journey.symbols import normalise_symbol, symbol_meanings

D = dt.date
COUNT, PCT = measure("referrals"), measure("re_referrals_within_12m_pct")


# ---- year arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, years, expected",
    [
        (D(2024, 2, 29), -1, D(2023, 2, 28)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2023, 2, 28), 1, D(2024, 2, 28)),
        (D(2025, 3, 31), -1, D(2024, 3, 31)),
        (D(2024, 4, 30), -1, D(2023, 4, 30)),
        (D(2020, 2, 29), -1, D(2019, 2, 28)),
    ],
)
def test_shift_years_clamps_to_the_months_end(day, years, expected):
    assert shift_years(day, years) == expected


@pytest.mark.parametrize(
    "end, start",
    [
        (D(2024, 2, 29), D(2023, 3, 1)),
        (D(2020, 2, 29), D(2019, 3, 1)),
        (D(2023, 2, 28), D(2022, 3, 1)),
        (D(2025, 2, 28), D(2024, 3, 1)),
        (D(2024, 2, 28), D(2023, 3, 1)),  # not a month end: the day after 28 Feb 2023
        (D(2025, 3, 31), D(2024, 4, 1)),
        (D(2024, 4, 30), D(2023, 5, 1)),
        (D(2025, 6, 15), D(2024, 6, 16)),
    ],
)
def test_year_start(end, start):
    assert year_start(end) == start


@pytest.mark.parametrize(
    "start, end, label",
    [
        (D(2020, 2, 1), D(2020, 2, 29), "Feb 2020"),
        (D(2024, 2, 1), D(2024, 2, 29), "Feb 2024"),
        (D(2023, 2, 1), D(2023, 2, 28), "Feb 2023"),
        (D(2025, 3, 1), D(2025, 3, 31), "Mar 2025"),
        (D(2024, 4, 1), D(2024, 4, 30), "Apr 2024"),
        (D(2024, 2, 29), D(2024, 2, 29), "29 Feb 2024"),
        (D(2023, 3, 1), D(2024, 2, 29), "year to 29 Feb 2024"),
        (D(2024, 3, 1), D(2025, 2, 28), "year to 28 Feb 2025"),
        (D(2024, 4, 1), D(2025, 3, 31), "2024-25"),
        (D(2023, 5, 1), D(2024, 4, 30), "year to 30 Apr 2024"),
        (D(2023, 12, 1), D(2024, 2, 29), "Dec-Feb 2024"),
        (D(2024, 1, 1), D(2024, 3, 31), "Jan-Mar 2024"),
    ],
)
def test_period_labels_at_month_ends(start, end, label):
    assert period_label(start, end) == label


def test_month_end_and_reporting_year():
    assert month_end(2024, 2) == D(2024, 2, 29) and month_end(2023, 2) == D(2023, 2, 28) and month_end(2100, 2) == D(2100, 2, 28)
    assert reporting_year(D(2024, 4, 1), D(2025, 3, 31)) == 2025
    assert reporting_year(D(2025, 3, 31), D(2025, 3, 31)) == 2025
    assert reporting_year(D(2024, 2, 1), D(2024, 2, 29)) is None


@pytest.mark.parametrize(
    "text, start, end, kind",
    [
        ("Feb-24", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("Feb-20", D(2020, 2, 1), D(2020, 2, 29), "month"),
        ("Feb-23", D(2023, 2, 1), D(2023, 2, 28), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("Feb-00", D(2000, 2, 1), D(2000, 2, 29), "month"),
        ("29/02/2024", D(2024, 2, 29), D(2024, 2, 29), "date"),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), "date"),
        ("Q4 2023/24", D(2024, 1, 1), D(2024, 3, 31), "quarter"),
        ("2023-03-01 to 2024-02-29", D(2023, 3, 1), D(2024, 2, 29), "span"),
        ("1999/00", D(1999, 4, 1), D(2000, 3, 31), "year"),
        ("199900", D(1999, 4, 1), D(2000, 3, 31), "year"),
        ("fy2024/25", D(2024, 4, 1), D(2025, 3, 31), "year"),
        ("2024/2025", D(2024, 4, 1), D(2025, 3, 31), "year"),
        ("2011-12", D(2011, 4, 1), D(2012, 3, 31), "year"),
        ("Sept 2024", D(2024, 9, 1), D(2024, 9, 30), "month"),
    ],
)
def test_periods_at_leap_days_and_edges(text, start, end, kind):
    p = parse_period(text)
    assert (p.start, p.end, p.kind) == (start, end, kind)
    assert period_label(p.start, p.end)  # labelled without error, whatever the month end


def test_leap_day_month_is_labelled_and_snapshot():
    p = parse_period("Feb-24")
    assert period_label(p.start, p.end) == "Feb 2024"
    assert period_label(p.end, p.end) == "29 Feb 2024"


def test_dates_and_numbers_from_a_workbook():
    assert parse_period(dt.datetime(2024, 2, 1)).end == D(2024, 2, 29)
    assert parse_period(dt.datetime(2025, 3, 31)).reporting_year == 2025
    assert parse_period(2025).start == D(2024, 4, 1)
    assert parse_period(202425.0).reporting_year == 2025


# ---- years outside the range -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, found",
    [
        ("0000-04", "'0000-04'"),
        ("000001", "'000001'"),
        ("999900", "'999900'"),
        ("199899", "'199899'"),
        ("1999", "'1999'"),
        ("1998/99", "'1998/99'"),
        ("1899-12-31", "'1899-12-31'"),
        ("2999-01-01", "'2999-01-01'"),
        ("31/12/1899", "'31/12/1899'"),
        ("Apr-99", "'Apr-99'"),
        ("Q1 1998/99", "'Q1 1998/99'"),
        ("1990-01-01 to 1990-12-31", "'1990-01-01 to 1990-12-31'"),
        (dt.datetime(1900, 1, 1), "1 January 1900"),
        (dt.datetime(1899, 12, 31), "31 December 1899"),
        (D(2999, 3, 31), "31 March 2999"),
    ],
)
def test_years_outside_the_range_are_refused_whichever_way_they_enter(raw, found):
    with pytest.raises(CellError) as err:
        parse_period(raw)
    message = str(err.value)
    assert found in message
    assert f"{FIRST_YEAR} to {last_year()}" in message


def test_the_range_is_first_year_to_next_year():
    assert FIRST_YEAR == 2000
    assert last_year(D(2026, 1, 5)) == 2027
    assert last_year() == dt.date.today().year + 1
    last = last_year()
    assert parse_period(str(last)).end == D(last, 3, 31)
    assert parse_period(f"Jan-{str(last)[2:]}").end == D(last, 1, 31)
    with pytest.raises(CellError, match="in the future"):
        parse_period(str(last + 1))
    with pytest.raises(CellError, match="in the future"):
        parse_period(f"{last}/{str(last + 1)[2:]}")


def test_excel_1900_dates_get_a_hint():
    with pytest.raises(CellError, match="formatted as a date in Excel"):
        parse_period(dt.datetime(1900, 1, 5))


@pytest.mark.parametrize("number", [1, 0, -2025, 45000, 45000.0, 2024.5, float("nan"), float("inf"), 10**40])
def test_numbers_that_are_not_years_are_refused(number):
    with pytest.raises(CellError, match="the number") as err:
        parse_period(number)
    assert "year (2025)" in str(err.value)


@pytest.mark.parametrize(
    "text, says",
    [
        ("2024-13", "'2024-13'"),
        ("202413", "six-digit"),
        ("199901", "six-digit"),
        ("2024-00", "'2024-00'"),
        ("Q5 2024/25", "Q1 (April to June) to Q4"),
        ("Q0 24-25", "Q1 (April to June) to Q4"),
        ("Q1 2024/30", "second year should follow"),
        ("2024/26", "second year should follow"),
        ("31/02/2025", "not a real date"),
        ("2024-02-30", "not a real date"),
        ("2023-02-29 to 2024-02-28", "does not exist"),
        ("Apr-024", "four digits"),
        ("２０２５", "'２０２５'"),
        ("Feb-", "'Feb-'"),
        ("x" * 150_000, "150,000 characters"),
        ("2024" + " " * 50_000 + "(ot)", "50,008 characters"),
        ("(OT)", "'(OT)'"),
        (True, "True"),
    ],
)
def test_bad_periods_say_what_was_found(text, says):
    with pytest.raises(CellError) as err:
        parse_period(text)
    assert says in str(err.value)
    assert len(str(err.value)) < 400


def test_random_period_text_raises_only_cell_error():
    rng = random.Random(12)
    alphabet = "0123456789/-–() qQfFyYaprAPRfebjnocvdes.:,\u00a0９٣"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        try:
            p = parse_period(text)
        except CellError as exc:
            assert str(exc)
            continue
        assert FIRST_YEAR <= p.end.year <= last_year() and p.start <= p.end
        assert period_label(p.start, p.end)


def test_population_mid_year():
    assert population_mid_year("2024").end == D(2024, 6, 30)
    assert population_mid_year("202425").start == D(2024, 6, 30)
    assert population_mid_year(2024).kind == "mid-year"
    with pytest.raises(CellError, match="'Apr-24' for a population estimate"):
        population_mid_year("Apr-24")
    with pytest.raises(CellError, match="1999"):
        population_mid_year("1999")


# ---- values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, value",
    [
        ("3,638", 3638),
        ("4,805", 4805),
        ("1,234,567", 1234567),
        ("4,805.5", 4805.5),
        ("-1,234", -1234),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("£5", 5),
        (" 302.9 ", 302.9),
        ("345.6", 345.6),
        (".5", 0.5),
        ("1e3", 1000),
        (45000, 45000),
    ],
)
def test_numbers_as_people_type_them(raw, value):
    assert parse_value(raw, COUNT).value == pytest.approx(value)


def test_percentages():
    assert parse_value("17.8%", PCT).value == pytest.approx(17.8)
    assert parse_value("17.8 %", PCT).value == pytest.approx(17.8)
    assert parse_value(0.178, PCT, percent_format=True).value == pytest.approx(17.8)


@pytest.mark.parametrize(
    "raw, suggestion", [("345,6", "345.6"), ("17,8", "17.8"), ("1,5", "1.5"), ("1,2345", "1.2345"), ("1.234,5", "345.6")]
)
def test_decimal_commas_are_refused(raw, suggestion):
    with pytest.raises(CellError) as err:
        parse_value(raw, COUNT)
    message = str(err.value)
    assert repr(raw) in message and "decimal comma" in message and f"e.g. {suggestion}" in message


@pytest.mark.parametrize("raw", ["17,8%"])
def test_decimal_comma_percentage_is_refused(raw):
    with pytest.raises(CellError, match="decimal comma"):
        parse_value(raw, PCT)


@pytest.mark.parametrize("raw", ["1,23,456", "4,805,", ",5", "4,,805", "12,3456,789"])
def test_commas_not_in_threes_are_refused(raw):
    with pytest.raises(CellError) as err:
        parse_value(raw, COUNT)
    assert repr(raw) in str(err.value)


@pytest.mark.parametrize(
    "raw, says",
    [
        ("1e309", "not a finite number"),
        ("-1e309", "not a finite number"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
        ("Infinity", "not a finite number"),
        ("nan", "not a finite number"),
        ("NaN", "not a finite number"),
        (float("inf"), "not a finite number"),
        (float("nan"), "not a finite number"),
        ("1_000", "'1_000'"),
        ("０", "digits 0 to 9"),
        ("١٢٣", "digits 0 to 9"),
        ("٣", "digits 0 to 9"),
        ("0x10", "'0x10'"),
        ("345 6", "'345 6'"),
        ("x` ![s](http://h/a.png)", "expected a number"),
        ("many", "'many'"),
        ("−5", "'−5'"),
        (10**400, "far larger"),
        ("2e9", "far larger"),
        ("y" * 5000, "5,000 characters"),
        (True, "True"),
    ],
)
def test_values_that_are_not_ordinary_numbers_are_refused(raw, says):
    with pytest.raises(CellError) as err:
        parse_value(raw, COUNT)
    assert says in str(err.value)
    assert len(str(err.value)) < 300


# ---- symbols -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("c", "c"),
        ("C", "c"),
        ("[c]", "c"),
        (" [C] ", "c"),
        ("[x]", "x"),
        ("[z]", "z"),
        ("[low]", "low"),
        ("LOW", "low"),
        ("[u]", "u"),
        ("k", "k"),
        ("na", "n/a"),
        ("NA", "n/a"),
        ("N/A", "n/a"),
        ("n/a", "n/a"),
        (":", ":"),
        ("~", "~"),
        ("-", "-"),
        ("..", ".."),
        ("*", "*"),
    ],
)
def test_symbols_normalise_to_the_table(raw, canonical):
    assert normalise_symbol(raw) == canonical
    assert canonical in symbol_meanings()
    cell = parse_value(raw, COUNT)
    assert cell.value is None and cell.symbol == canonical  # never 0


@pytest.mark.parametrize(
    "raw", ["x` ![s](http://h/a.png)", "<script>", "suppressed", "", "   ", "[]", "[c", "c]", "xx", "n/a n/a", None, 3, 0.0, "0"]
)
def test_anything_else_is_not_a_symbol(raw):
    assert normalise_symbol(raw) is None


def test_every_symbol_the_importer_accepts_has_a_meaning():
    meanings = symbol_meanings()
    assert SYMBOLS == set(meanings)
    assert {"c", "x", "z", "low", "k", "u", ":", "~", "-", "n/a", "..", "*"} <= SYMBOLS
    assert all(meanings[s].strip() for s in SYMBOLS)


def test_markup_in_a_value_cell_is_refused_not_stored():
    with pytest.raises(CellError) as err:
        parse_value("x` ![s](http://h/a.png)", COUNT)
    assert "'x` ![s](http://h/a.png)'" in str(err.value)
