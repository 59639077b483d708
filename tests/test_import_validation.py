"""Wrong data is refused or must be confirmed, with a message naming the cell: forced formats on
the wrong sheet, vintages, statistical neighbour models, symbols, repeated headings, area codes,
plausibility warnings, stale plans, and the length and quoting of every message. After every
refusal the database file is byte-for-byte unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures import EES_HEADER, board_csv, ees_csv, file_digest, lait_csv, scorecard_xlsx, template_csv, xlsx

from journey.build import open_store
from journey.errors import JourneyError
from journey.importing.formats import PARSERS, Options
from journey.importing.plan import STALE_PLAN, commit, prepare, undo
from journey.importing.problems import MAX_MESSAGE, Problem, quote
from journey.periods import last_year


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A store with the default dataset, checkpointed so that its file can be compared."""
    path = tmp_path_factory.mktemp("validation") / "journey.duckdb"
    s = open_store(path, load_default=True)
    s.query("CHECKPOINT")
    yield s, path
    s.close()


@pytest.fixture()
def writable(tmp_path):
    path = tmp_path / "w.duckdb"
    s = open_store(path, load_default=False)
    yield s, path
    s.close()


def refused(store, path, uploads, options=None):
    """prepare, then commit must refuse; the file is unchanged. Returns the plan's errors."""
    before = file_digest(path)
    plan = prepare(store, uploads, options)
    assert not plan.ok, [str(p) for p in plan.problems.items]
    with pytest.raises(JourneyError, match="nothing was imported"):
        commit(store, plan, acknowledged=True)
    assert file_digest(path) == before
    return plan.problems.errors


def one(errors: list[Problem], phrase: str) -> Problem:
    hits = [p for p in errors if phrase in p.message]
    assert len(hits) == 1, [str(p) for p in errors]
    assert hits[0].level == "error"
    return hits[0]


def sn_csv(store, model: int = 2025, edit=None) -> bytes:
    """The model in the store written as DfE's wide file (SN_1, SN_1P ...); ``edit(rows)``
    changes the rows (lists of cells: code, name, then code and closeness ten times) first."""
    frame = store.query(
        "SELECT old_la_code, rank, neighbour_old_la_code, closeness FROM sn_models "
        "WHERE model = ? AND replaced_by IS NULL ORDER BY old_la_code, rank",
        [model],
    )
    rows = []
    for la, grp in frame.groupby("old_la_code", sort=True):
        cells = [str(la), f"LA {la}"]
        for nb, close in zip(grp["neighbour_old_la_code"], grp["closeness"]):
            cells += [str(nb), str(close or "Close")]
        rows.append(cells)
    if edit:
        edit(rows)
    header = ["old_la_code", "la_name"] + [h for k in range(1, 11) for h in (f"SN_{k}", f"SN_{k}P")]
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


def row_of(rows: list[list[str]], la: str) -> list[str]:
    return next(r for r in rows if r[0] == la)


# ---- forced formats on the wrong sheet ---------------------------------------------------


def _sheets() -> dict[str, tuple[str, bytes]]:
    return {
        "template": ("t.csv", template_csv(["Worcestershire,referrals,Apr-25,402,,,"])),
        "ees": ("b1.csv", ees_csv()),
        "lait": ("lait.csv", lait_csv()),
        "sn_model": (
            "sn_model_2025.csv",
            b"old_la_code,la_name,"
            + ",".join(f"SN_{k},SN_{k}P" for k in range(1, 11)).encode()
            + b"\n885,Worcestershire,"
            + ",".join(f"{c},Close" for c in (886, 855, 931, 860, 857, 874, 893, 876, 881, 865)).encode()
            + b"\n",
        ),
        "scorecard": ("card.xlsx", scorecard_xlsx()),
        "board": ("board.csv", board_csv()),
        "text": ("notes.csv", b"hello world\nthis is, just text\n<script>alert(1)</script>\n"),
    }


SHEETS = _sheets()


@pytest.mark.parametrize("kind, sheet", [(k, s) for k in PARSERS for s in SHEETS if k != s])  # the right format: test_import
def test_a_forced_format_on_another_kind_of_sheet_is_one_clear_problem(checked, kind, sheet):
    store, path = checked
    name, data = SHEETS[sheet]
    before = file_digest(path)
    plan = prepare(store, [(name, data)], Options(format=kind))  # must not raise
    messages = [str(p) for p in plan.problems.items]
    assert not plan.ok and plan.add.empty and plan.replace.empty and plan.sn_rows.empty, messages
    assert all(m.startswith(name) for m in messages), messages
    assert not any("could not be read as" in m for m in messages), messages  # the parser's own check, not the last guard
    assert len(plan.problems.errors) <= 2, messages
    assert file_digest(path) == before


def test_sn_model_forced_on_a_template_names_the_missing_columns(checked):
    store, path = checked
    errors = refused(store, path, [SHEETS["template"]], Options(format="sn_model"))
    p = one(errors, "does not read as a statistical neighbour model")
    assert (p.row, p.file) == (1, "t.csv") and "'old_la_code'" in p.message and "'SN1'" in p.message


def test_template_forced_on_a_dfe_file_names_the_missing_columns(checked):
    store, path = checked
    errors = refused(store, path, [SHEETS["ees"]], Options(format="template"))
    p = one(errors, "does not read as the dashboard's template")
    assert p.row == 1 and "'area'" in p.message and "'value'" in p.message


def test_ons_population_with_a_month_period_names_the_row_and_column(checked):
    store, path = checked
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
        "old_la_code,new_la_code,la_name,age_group,population_estimate"
    )
    rows = [
        "2024,Calendar year,National,E92000001,England,,,,,,Children aged 0 to 17 years,12183016",
        "Apr-24,Calendar year,National,E92000001,England,,,,,,Children aged 0 to 17 years,12183016",
    ]
    errors = refused(store, path, [("ons_population.csv", "\n".join([header, *rows]).encode())])
    p = one(errors, "is not a year")
    assert (p.row, p.column) == (3, "time_period") and "'Apr-24'" in p.message


# ---- vintages ----------------------------------------------------------------------------


@pytest.mark.parametrize("vintage", ["9999-99", "2026-13", "soon", "1999"])
def test_a_vintage_given_as_an_option_is_refused(checked, vintage):
    store, path = checked
    before = file_digest(path)
    with pytest.raises(JourneyError, match="is not a vintage"):
        prepare(store, [("lait.csv", lait_csv())], Options(vintage=vintage))
    assert file_digest(path) == before


def test_a_vintage_option_is_written_in_its_one_form(checked):
    plan = prepare(checked[0], [("t.csv", template_csv(["Worcestershire,referrals,Apr-25,402,,,"]))], Options(vintage="2025-6"))
    assert plan.ok and list(plan.add["vintage"]) == ["2025-06"]


@pytest.mark.parametrize(
    "vintage, phrase",
    [
        ("9999-99", "the month must be 01 to 12"),
        ("2026-13", "the month must be 01 to 12"),
        ("next year", "is not a vintage"),
        ("1850", "the year must be"),
    ],
)
def test_the_template_vintage_column_is_validated(checked, vintage, phrase):
    store, path = checked
    data = (
        b"area,measure,period,value,vintage\nWorcestershire,referrals,Apr-25,402,2025-05\n"
        + f"Worcestershire,referrals,May-25,398,{vintage}\n".encode()
    )
    p = one(refused(store, path, [("t.csv", data)]), phrase)
    assert (p.row, p.column) == (3, "vintage") and repr(vintage) in p.message


def test_a_derived_ees_vintage_is_validated(checked):
    store, path = checked
    data = (
        EES_HEADER + "\n2025,Reporting year,National,E92000001,England,,,,,,Children in Need,402400,396870\n"
        "999900,Reporting year,National,E92000001,England,,,,,,Children in Need,1,2\n"
    ).encode()
    errors = refused(store, path, [("b1.csv", data)])
    assert any(p.row == 3 and p.column == "time_period" for p in errors), [str(p) for p in errors]


# ---- statistical neighbour models ---------------------------------------------------------


def test_the_current_model_written_out_reads_back_unchanged(checked):
    store = checked[0]
    plan = prepare(store, [("sn_model_2025.csv", sn_csv(store))])
    assert plan.ok, [str(p) for p in plan.problems.items]
    assert plan.sn_rows.empty and plan.unchanged == 153  # every LA's ten neighbours, as in force


@pytest.mark.parametrize(
    "change, column, phrase",
    [
        (lambda rows: row_of(rows, "885").__setitem__(0, "000"), "A", "unknown LA code '000'"),
        (lambda rows: row_of(rows, "885").__setitem__(0, "885.9"), "A", "unknown LA code '885.9'"),
        (lambda rows: row_of(rows, "885").__setitem__(4, "<script>"), "E", "unknown LA code '<script>'"),
        (lambda rows: row_of(rows, "885").__setitem__(2, "885"), "C", "is listed as its own neighbour"),
        (lambda rows: row_of(rows, "885").__setitem__(4, row_of(rows, "885")[2]), "E", "is already one of its neighbours"),
        (lambda rows: row_of(rows, "885").__setitem__(slice(20, 22), ["", ""]), "A", "has 9 neighbours"),
        (lambda rows: row_of(rows, "885").__setitem__(3, "<b>close</b>"), "D", "is not a closeness"),
        (lambda rows: rows.append(list(row_of(rows, "885"))), "A", "is listed twice"),
    ],
)
def test_a_model_with_wrong_codes_or_neighbours_is_refused(checked, change, column, phrase):
    store, path = checked
    data = sn_csv(store, edit=change)
    lines = data.decode().splitlines()
    errors = refused(store, path, [("sn_model_2025.csv", data)])
    p = one(errors, phrase)
    row = max(i for i, line in enumerate(lines, start=1) if line.startswith(("885", "000")))
    assert (p.row, p.column) == (row, column)


def test_a_refused_model_leaves_the_neighbour_average_unchanged(fresh_store):
    before = fresh_store.query("SELECT * FROM sn_models ORDER BY ALL")
    data = sn_csv(fresh_store, edit=lambda rows: row_of(rows, "885").__setitem__(2, "885"))
    plan = prepare(fresh_store, [("sn_model_2025.csv", data)])
    with pytest.raises(JourneyError):
        commit(fresh_store, plan, acknowledged=True)
    assert fresh_store.query("SELECT * FROM sn_models ORDER BY ALL").equals(before)


# ---- symbols, repeated headings, area codes ---------------------------------------------


@pytest.mark.parametrize("symbol", ["<b>x</b>", "suppressed for now", "`x` ![s](http://h/a.png)", "0"])
def test_a_symbol_not_in_the_list_is_refused(checked, symbol):
    store, path = checked
    data = template_csv(["Worcestershire,referrals,Apr-25,402,,,", f'Worcestershire,referrals,May-25,,"{symbol}",,'])
    p = one(refused(store, path, [("t.csv", data)]), "is not a suppression symbol")
    assert (p.row, p.column) == (3, "symbol") and quote(symbol, 20) in p.message


def test_symbols_are_stored_in_their_one_form(checked):
    plan = prepare(
        checked[0],
        [("t.csv", template_csv(["Worcestershire,referrals,Apr-25,,[c],,", "Worcestershire,referrals,May-25,,N/A,,"]))],
    )
    assert plan.ok and sorted(plan.add["symbol"]) == ["c", "n/a"]


def test_two_value_columns_are_an_error_naming_both(checked):
    store, path = checked
    data = b"area,measure,period,value,symbol,value\nWorcestershire,referrals,Apr-25,402,,3\n"
    p = one(refused(store, path, [("t.csv", data)]), "two columns are headed 'value'")
    assert (p.row, p.column) == (1, "F") and "columns D and F" in p.message and "ambiguous" in p.message


def test_two_measure_columns_in_a_dfe_file_are_an_error(checked):
    store, path = checked
    data = (
        EES_HEADER + ",At31_episodes\n2025,Reporting year,National,E92000001,England,,,,,,Children in Need,402400,396870,3\n"
    ).encode()
    p = one(refused(store, path, [("b1.csv", data)]), "two columns are headed 'at31_episodes'")
    assert p.row == 1 and "columns L and N" in p.message


def test_a_repeated_heading_no_parser_reads_is_harmless(checked):
    data = b"area,measure,period,value,comment,comment\nWorcestershire,referrals,Apr-25,402,a,b\n"
    assert prepare(checked[0], [("t.csv", data)]).ok


def test_only_whole_area_codes_match(checked):
    store, path = checked
    p = one(refused(store, path, [("t.csv", template_csv(["885.9,referrals,Apr-25,402,,,"]))]), "unknown area '885.9'")
    assert (p.row, p.column) == (2, "area")
    plan = prepare(store, [("t.csv", template_csv(["885.0,referrals,Apr-25,402,,,"]))])  # Excel's whole number as text
    assert plan.ok and list(plan.add["area_code"]) == ["E10000034"]

    def build(wb):
        ws = wb.active
        ws.append(["area", "measure", "period", "value"])
        ws.append([885.0, "referrals", "Apr-25", 402])
        ws.append([885.5, "referrals", "May-25", 398])

    errors = refused(store, path, [("t.xlsx", xlsx(build))])
    assert [(p.row, p.column) for p in errors] == [(3, "area")] and "'885.5'" in errors[0].message


# ---- plausibility: figures to confirm ----------------------------------------------------


def _replacing(value: str) -> bytes:
    return ees_csv(
        [
            "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,885,E10000034,Worcestershire,"
            f"Children in Need,{value},3052"
        ]
    )


@pytest.mark.parametrize(
    "value, phrase", [("3", "3 replaces 3,638 (under a tenth of it)"), ("40000", "40,000 replaces 3,638 (11 times it)")]
)
def test_a_replacing_figure_far_from_the_old_one_must_be_confirmed(writable, value, phrase):
    store, path = writable
    commit(store, prepare(store, [("b1.csv", ees_csv())]))
    plan = prepare(store, [("b1_truncated.csv", _replacing(value))])
    assert plan.ok and len(plan.replace) == 1
    assert plan.needs_acknowledgement and plan.attention_count == 1
    p = plan.attention[0]
    assert (p.level, p.file, p.row, p.column) == ("warning", "b1_truncated.csv", 2, "At31_episodes")
    assert phrase in p.message and "Children in need" in p.message and "Worcestershire" in p.message
    assert "1 figures to confirm" in plan.summary()
    store.query("CHECKPOINT")
    before = file_digest(path)
    with pytest.raises(JourneyError, match=r"1 figure\(s\) in the upload look implausible .* confirm them"):
        commit(store, plan)
    assert file_digest(path) == before
    assert commit(store, plan, acknowledged=True)
    assert store.scalar(
        "SELECT value FROM observations WHERE measure = 'cin_count' AND area_code = 'E10000034' "
        "AND period_end = DATE '2025-03-31' AND replaced_by IS NULL"
    ) == float(value)


def test_a_close_replacement_needs_no_confirming(writable):
    store, _ = writable
    commit(store, prepare(store, [("b1.csv", ees_csv())]))
    plan = prepare(store, [("b1_revised.csv", _replacing("3700"))])
    assert plan.ok and len(plan.replace) == 1 and plan.attention == [] and not plan.needs_acknowledgement
    assert commit(store, plan)


def test_a_new_figure_far_from_the_one_shown_must_be_confirmed(writable):
    store, _ = writable
    commit(store, prepare(store, [("b1.csv", ees_csv())]))
    plan = prepare(store, [("local.csv", template_csv(["Worcestershire,cin_count,2025,3,,Local return,"]))])
    assert plan.ok and len(plan.add) == 1
    p = plan.attention[0]
    assert (p.row, p.column) == (2, "value") and "3 would show instead of 3,638" in p.message


def test_a_count_with_a_fraction_must_be_confirmed(checked):
    plan = prepare(
        checked[0],
        [("t.csv", template_csv(["Worcestershire,referrals,Apr-25,402.5,,,", "Worcestershire,referrals,May-25,398,,,"]))],
    )
    assert plan.ok and plan.attention_count == 1
    p = plan.attention[0]
    assert (p.level, p.row, p.column) == ("warning", 2, "value") and "is a count but is given as 402.5" in p.message
    with pytest.raises(JourneyError, match="must be confirmed"):
        commit(checked[0], plan)


def test_percentages_typed_as_fractions_must_be_confirmed(checked):
    rows = [f"Worcestershire,re_referrals_within_12m_pct,{m}-25,{v},,," for m, v in (("Apr", 0.17), ("May", 0.18), ("Jun", 0.2))]
    plan = prepare(checked[0], [("t.csv", template_csv(rows))])
    assert plan.ok and plan.attention_count == 1
    assert "lie between 0 and 1" in plan.attention[0].message and plan.attention[0].row == 2


def test_many_figures_to_confirm_are_listed_up_to_a_limit(checked):
    from journey.importing.plan import ATTENTION_LIMIT

    las = checked[0].query("SELECT code FROM areas WHERE type = 'LA' AND last_year >= 2025 ORDER BY code")["code"]
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    rows = [f"{la},referrals,{m:%b-%y},{i}.5,,," for i, (la, m) in enumerate((la, m) for la in las for m in months)]
    rows = rows[: ATTENTION_LIMIT + 20]
    plan = prepare(checked[0], [("t.csv", template_csv(rows))])
    assert plan.attention_count == ATTENTION_LIMIT + 20 and len(plan.attention) == ATTENTION_LIMIT + 1
    assert plan.attention[-1].message == "and 20 more figures to confirm like these"
    assert list(plan.attention_frame().columns) == ["level", "file", "sheet", "row", "column", "problem", "what to do"]


# ---- stale plans ---------------------------------------------------------------------------


def test_a_plan_checked_before_another_import_is_refused(writable):
    store, path = writable
    first = prepare(store, [("a.csv", template_csv(["Worcestershire,referrals,Apr-25,402,,Local,"]))])
    assert first.data_version == store.data_version
    other = commit(store, prepare(store, [("b.csv", template_csv(["Worcestershire,referrals,Apr-25,410,,Local,"]))]))
    assert other
    store.query("CHECKPOINT")
    before, version = file_digest(path), store.data_version
    with pytest.raises(JourneyError) as exc:
        commit(store, first)
    assert str(exc.value) == STALE_PLAN
    assert file_digest(path) == before and store.data_version == version
    assert store.scalar("SELECT count(*) FROM imports WHERE status = 'committed'") == 1
    again = prepare(store, [("a.csv", template_csv(["Worcestershire,referrals,Apr-25,402,,Local,"]))])
    assert commit(store, again)  # checked again: it commits


def test_a_plan_checked_before_an_undo_is_refused(writable):
    store, _ = writable
    done = commit(store, prepare(store, [("a.csv", template_csv(["Worcestershire,referrals,Apr-25,402,,Local,"]))]))
    plan = prepare(store, [("b.csv", template_csv(["Worcestershire,referrals,Apr-25,410,,Local,"]))])
    assert len(plan.replace) == 1
    undo(store, done)
    with pytest.raises(JourneyError, match="The store changed since these files were checked"):
        commit(store, plan)
    assert store.scalar("SELECT count(*) FROM observations") == 0


# ---- messages ------------------------------------------------------------------------------


def test_a_future_period_names_the_period_column(checked):
    store, path = checked
    p = one(refused(store, path, [("t.csv", template_csv(["Worcestershire,referrals,2099,5,,,"]))]), "in the future")
    assert (p.row, p.column) == (2, "period")
    ahead = last_year()  # a year ending 31 March next year: read as a period, but not over yet
    data = board_csv(
        [
            ["Rate of Looked After Children per 10,000"],
            [None, "2012/13", f"{ahead - 1}/{ahead % 100:02d}"],
            ["Worcestershire", "1", "2"],
            ["England", "3", "4"],
        ]
    )
    errors = refused(store, path, [("board.csv", data)])
    assert {(p.row, p.column) for p in errors if "in the future" in p.message} == {(2, "C")}  # the header cell


def test_a_period_before_2000_is_refused_at_its_cell(checked):
    store, path = checked
    errors = refused(store, path, [("lait.csv", lait_csv(["CPP_rate,CP rate,1998/99,Worcestershire,49.8,885,West Midlands"]))])
    assert [(p.row, p.column) for p in errors] == [(2, "Years")], [str(p) for p in errors]


def test_one_problem_line_stays_short_and_shows_control_characters(checked):
    store, path = checked
    huge = "Worcester\x0bshire" + "x" * 120_000  # under the CSV reader's 131,072-character field limit
    errors = refused(store, path, [("t.csv", template_csv([f"{huge},referrals,Apr-25,5,,,"]))])
    p = one(errors, "unknown area")
    assert len(p.message) <= MAX_MESSAGE and len(str(p)) < 800
    assert "'Worcester\\x0bshire" in p.message and "\x0b" not in str(p)


def test_problem_text_is_made_safe_in_one_place():
    p = Problem("error", "f\x00.csv", "s" * 500, 3, "c\nd", "m" * 10_000, "h" * 10_000)
    assert p.file == "f\\x00.csv" and len(p.sheet) == 120 and p.column == "c\\nd"
    assert len(p.message) == MAX_MESSAGE and p.message.endswith("…") and len(p.hint) <= 200
    assert quote("a\tb" * 100) == repr(("a\tb" * 100)[:59]) + "…" and quote("ok") == "'ok'"
