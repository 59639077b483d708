"""The 2013-14 Worcestershire board report's tables T9-T12 come back exactly as printed.

Expected values are typed from the report (../shared/context/seeds/000_*.txt, Appendix 3),
not from the code. "No Data available" / "Not available" cells are None.
"""

import pytest

from journey.figures import by_source

SOURCE = "Worcestershire Safeguarding Children Board, Annual Report 2013-14"
YEARS = [2009, 2010, 2011, 2012, 2013, 2014]  # 2008/09 ... 2013/14, as reporting years
AREAS = {"Worcestershire": "E10000034", "Statistical Neighbours": "SN-E10000034-PUBLISHED", "England": "E92000001"}

TABLES = {
    "T9 CIN Rate per 10,000 children 0-17 years": (
        "cin_rate_per_10k",
        "CIN Rate per 10,000",
        {
            "Worcestershire": [246.0, 262.7, 233.7, 259.7, 274.9, None],
            "Statistical Neighbours": [207.6, 276.9, 308.1, 264.2, 252.2, None],
            "England": [276.0, 341.3, 346.2, 325.7, 332.2, None],
        },
    ),
    "T10 Children subject to a Child Protection Plan per 10,000": (
        "cp_rate_per_10k",
        "Children subject to a Child Protection Plan per 10,000",
        {
            "Worcestershire": [28.0, 31.6, 36.7, 39.8, 37.4, 33.3],
            "Statistical Neighbours": [24.2, 31.9, 33.4, 31.5, 31.4, None],
            "England": [31.0, 35.5, 38.7, 37.8, 37.9, None],
        },
    ),
    "T11 Children with repeat Child Protection Plans": (
        "cp_second_or_subsequent_pct",
        "Children with repeat Child Protection Plans per 10,000",
        {
            "Worcestershire": [13.8, 9.4, 15.0, 16.2, 19.8, 20.5],
            "Statistical Neighbours": [14.6, 13.5, 14.6, 15.3, 15.6, None],
            "England": [13.5, 26.2, 13.3, 13.8, 14.9, None],
        },
    ),
    "T12 Rate of Looked After Children per 10,000": (
        "cla_rate_per_10k",
        "Rate of Looked After Children per 10,000",
        {
            "Worcestershire": [45.0, 50.0, 51.0, 52.0, 55.0, 56.2],
            "Statistical neighbours": [38.3, 40.6, 42.4, 42.6, 44.2, None],
            "England": [54.0, 57.0, 58.0, 59.0, 60.0, None],
        },
    ),
}


@pytest.mark.parametrize("table", list(TABLES))
def test_table_exactly_as_printed(store, table):
    measure, table_note, printed = TABLES[table]
    rows = by_source(store, SOURCE, [measure])
    rows = rows[rows["note"].fillna("").str.contains(table_note, regex=False)]
    assert not rows.empty
    assert set(rows["source"]) == {"Worcestershire Safeguarding Children Board, Annual Report 2013-14 (000_*.txt)"}
    assert set(rows["vintage"]) == {"2014-06"}
    for area_label, values in printed.items():
        code = AREAS[area_label.replace("neighbours", "Neighbours")]
        got = rows[rows["area_code"] == code].set_index("reporting_year")["value"]
        back = [float(got[y]) if y in got.index else None for y in YEARS]
        assert back == values, f"{table}, {area_label}"


def test_t17_contradiction_is_kept_beside_t9(store):
    # The report's comparison table (T17) shifts the CIN rates by a year; both versions are kept.
    rows = by_source(store, SOURCE, ["cin_rate_per_10k"])
    rows = rows[(rows["area_code"] == "E10000034") & (rows["reporting_year"] == 2013)]
    assert sorted(rows["value"]) == [259.7, 274.9]
