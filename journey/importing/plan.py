"""One import pipeline for the Upload page and the command line: read, check, preview, commit,
undo.

``prepare`` reads the files, finds their format, checks every figure rule by rule and compares
it with the store, and returns a ``Plan``: what would be added, what would replace an existing
figure (old and new value side by side), what is unchanged or skipped and why, and the
problems. Nothing is written. ``commit`` writes a plan without errors in one transaction with
an import record; ``undo`` takes an import back out and restores what it replaced.

Two guards stand between a preview and the store:

- ``Plan.attention``: plausibility warnings a board's data owner must confirm (a figure that
  falls below a tenth or rises above ten times the one it replaces, a count with a fraction,
  percentages that look typed as fractions). ``commit`` refuses such a plan unless called with
  ``acknowledged=True`` (the Upload page's confirmation box, the command line's flag).
- ``Plan.data_version``: the store's ``data_version`` when the files were checked. ``commit``
  refuses a plan made before another import or undo committed, as its comparison with the store
  (what is new, what it replaces) no longer holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from journey.areas import all_areas
from journey.errors import JourneyError, NotFoundError
from journey.exports import VIEW_SHEET
from journey.importing.cells import may_be_negative
from journey.importing.files import read_file
from journey.importing.formats import FORMATS, KIND_NAMES, PARSERS, AreaIndex, Options, Parsed, detect
from journey.importing.limits import check_import_size
from journey.importing.problems import Problem, Problems, problems_frame, quote
from journey.periods import FIRST_YEAR, period_label
from journey.rates import rounding_tolerance
from journey.registry import normalise_label, registry
from journey.store import Store
from journey.symbols import PLACEHOLDER, normalise_symbol
from journey.vintages import VintageError, parse_vintage

TEMPLATE_REFERENCE_SHEETS = {"Instructions", "Measures", "Areas"}
# The dashboard's exports carry the table as the page showed it beside the tidy Data sheet:
# formatted text for reading, never figures to import (the Data sheet holds those).
SKIPPED_SHEETS = {VIEW_SHEET}
PLAN_COLUMNS = [
    "area_code",
    "area_name",
    "measure",
    "period_start",
    "period_end",
    "reporting_year",
    "value",
    "symbol",
    "source",
    "vintage",
    "note",
    "file",
    "sheet",
    "row",
    "column",
    "period_row",
    "period_column",
]
#: A replacing figure below 1/PLAUSIBLE_RATIO or above PLAUSIBLE_RATIO times the one it replaces
#: (or the one the dashboard shows now) needs confirming: a truncated or mis-scaled file (3,638 -> 3).
PLAUSIBLE_RATIO = 10
ATTENTION_LIMIT = 500  # plausibility warnings listed; beyond it one line says how many more
STALE_PLAN = "The store changed since these files were checked (another import or undo was made); check the files again."


@dataclass
class Plan:
    files: list[dict]  # name, checksum, sheets: [(sheet, format)]
    options: Options
    add: pd.DataFrame  # new figures (PLAN_COLUMNS + what the dashboard shows for them now: shown_value, shown_symbol)
    replace: pd.DataFrame  # figures that replace a row of the same source: old and new side by side
    unchanged: int
    skipped: pd.DataFrame  # file, sheet, row, column, what, reason
    problems: Problems
    unmapped: dict[str, list[str]]  # row labels not recognised -> suggested measure ids
    targets: pd.DataFrame
    sn_rows: pd.DataFrame
    sn_groups: list[str]
    already_imported: list[int] = field(default_factory=list)
    #: Plausibility warnings (level "warning", each naming file, sheet, row and column) that must be
    #: acknowledged before ``commit``: at most ATTENTION_LIMIT, then one line counting the rest.
    attention: list[Problem] = field(default_factory=list)
    attention_count: int = 0  # how many figures need confirming, all of them (``attention`` lists the first)
    data_version: int | None = None  # the store's data_version when the files were checked

    @property
    def ok(self) -> bool:
        return not self.problems.errors

    @property
    def needs_acknowledgement(self) -> bool:
        """True when ``commit`` needs ``acknowledged=True``: some figures look implausible."""
        return bool(self.attention)

    def attention_frame(self) -> pd.DataFrame:
        """``attention`` as a table to show (the columns of ``Problems.frame``)."""
        return problems_frame(self.attention)

    @property
    def checksum(self) -> str:
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f["checksum"]):
            h.update(f["checksum"].encode())
        return h.hexdigest()

    @property
    def has_changes(self) -> bool:
        return not (self.add.empty and self.replace.empty and self.targets.empty and self.sn_rows.empty)

    def summary(self) -> str:
        parts = [
            f"{len(self.add):,} new figures",
            f"{len(self.replace):,} replacing existing figures",
            f"{self.unchanged:,} already in the store",
            f"{len(self.skipped):,} rows skipped",
        ]
        if self.attention_count:
            parts.append(f"{self.attention_count:,} figures to confirm")
        if not self.targets.empty:
            parts.append(f"{len(self.targets):,} targets")
        if not self.sn_rows.empty:
            parts.append(f"{self.sn_rows['old_la_code'].nunique():,} LAs' statistical neighbours")
        return ", ".join(parts)


def remembered_mappings(store: Store) -> dict[str, str]:
    rows = store.query("SELECT label_key, measure FROM label_mappings")
    return dict(zip(rows["label_key"], rows["measure"]))


def _area_index(store: Store) -> AreaIndex:
    rows = all_areas(store)
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return AreaIndex(records)


def prepare(
    store: Store,
    uploads: Sequence[tuple[str, bytes]],
    options: Options | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """Read and check files against the store; write nothing. ``uploads`` are (file name, bytes).

    Raises JourneyError for options that cannot be used (an unknown format, a vintage that is
    not a release month); everything wrong in the files is a problem on the plan. Every read is
    made in one read block, so the plan compares the files with one state of the store, the one
    ``Plan.data_version`` names."""
    with store.reading():
        return _prepare(store, uploads, options, progress)


def _prepare(
    store: Store,
    uploads: Sequence[tuple[str, bytes]],
    options: Options | None,
    progress: Callable[[float, str], None] | None,
) -> Plan:
    data_version = _committed_version(store)  # before anything is read: a commit after this makes the plan stale
    opts = options or Options()
    opts.mappings = {**remembered_mappings(store), **{normalise_label(k): v for k, v in opts.mappings.items()}}
    if opts.format not in FORMATS:
        raise JourneyError(f"Unknown format '{opts.format}'. Choose one of: {', '.join(FORMATS)}.")
    if opts.vintage is not None and not str(opts.vintage).strip():
        opts.vintage = None
    if opts.vintage is not None:
        try:
            opts.vintage = parse_vintage(opts.vintage)
        except VintageError as exc:
            raise JourneyError(f"The vintage given: {exc}. Nothing was checked or imported.") from None
    problems = Problems()
    areas = _area_index(store)
    parsed: list[Parsed] = []
    files = []
    uploads = list(uploads) if check_import_size(list(uploads), problems) else []
    for n, (name, data) in enumerate(uploads):
        if progress:
            progress(n / max(len(uploads), 1), f"Reading {name}")
        source = read_file(name, data, problems)
        sheets = []
        for sheet in source.sheets:
            if sheet.name in SKIPPED_SHEETS:
                continue
            kind = opts.format if opts.format != "auto" else detect(sheet, areas)
            if kind is None and sheet.name in TEMPLATE_REFERENCE_SHEETS:
                continue  # the template's own instructions and lists
            if kind is None:
                problems.caution(
                    sheet.file,
                    "nothing this dashboard reads was found here; the sheet was skipped",
                    "if it holds figures, choose its format",
                    sheet=sheet.name,
                )
                continue
            try:
                parsed.append(PARSERS[kind](sheet, areas, opts, problems))
            except Exception as exc:  # noqa: BLE001 - a last guard: a sheet a parser cannot read is one problem, never a traceback
                problems.refuse(
                    sheet.file,
                    f"the sheet could not be read as {KIND_NAMES[kind]} ({type(exc).__name__})",
                    "check that the format chosen is the file's, or let the importer detect it",
                    sheet=sheet.name,
                )
                continue
            sheets.append((sheet.name, kind))
        files.append({"name": source.name, "checksum": source.checksum, "sheets": sheets})
    if progress:
        progress(0.9, "Checking figures")
    plan = _build_plan(store, files, opts, parsed, problems)
    plan.data_version = data_version
    nothing = plan.add.empty and plan.replace.empty and not plan.unchanged and plan.targets.empty and plan.sn_rows.empty
    reference = bool(files) and all(f["sheets"] and all(k == "reference" for _, k in f["sheets"]) for f in files)
    said = bool(parsed) and all(p.holds_nothing or p.format == "reference" for p in parsed)
    if nothing and not problems.errors and not (reference or said):  # such a file says what it is instead
        problems.refuse(
            ", ".join(f["name"] for f in files) or "upload",
            "no figures found in the upload",
            "check that the file holds a table of figures",
        )
    return plan


def _build_plan(store: Store, files: list[dict], opts: Options, parsed: list[Parsed], problems: Problems) -> Plan:
    reg = registry()
    rows = [
        {
            "area_code": c.area_code,
            "measure": c.measure,
            "period_start": c.period.start,
            "period_end": c.period.end,
            "reporting_year": c.period.reporting_year,
            "value": c.value,
            "symbol": c.symbol,
            "source": c.source,
            "vintage": c.vintage,
            "note": c.note,
            "file": c.file,
            "sheet": c.sheet,
            "row": c.row,
            "column": c.column,
            "period_row": c.period_row,
            "period_column": c.period_column,
        }
        for p in parsed
        for c in p.candidates
    ]
    columns = [c for c in PLAN_COLUMNS if c != "area_name"]
    frames = [pd.DataFrame(rows, columns=columns)] + [p.frame[columns] for p in parsed if p.frame is not None]
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) else frames[0]
    frame["value"] = frame["value"].astype("float64")
    frame["period_row"] = frame["period_row"].astype(object).where(frame["period_row"].notna(), frame["row"])
    frame["period_column"] = frame["period_column"].where(frame["period_column"].notna(), frame["column"])
    names = store.query("SELECT code, name, area_key, type, first_year, last_year FROM areas")
    frame["area_name"] = frame["area_code"].map(dict(zip(names["code"], names["name"])))
    sn_groups = sorted({g for p in parsed for g in p.sn_groups})
    for g in sn_groups:
        frame.loc[frame["area_code"] == g, "area_name"] = "Statistical neighbours (as published)"
    frame, empty = _drop_empty(frame, problems)
    frame, gone = _drop_symbols_outside_years(frame, names)
    empty += gone
    frame = _check_rules(frame, problems)
    frame = _check_duplicates(frame, problems)
    _check_rates(store, frame, problems)
    add, replace, unchanged = _compare_with_store(store, frame, names)
    skipped = pd.DataFrame(
        [s for p in parsed for s in p.skipped] + empty, columns=["file", "sheet", "row", "column", "what", "reason"]
    )
    unmapped: dict[str, list[str]] = {}
    for p in parsed:
        unmapped.update(p.unmapped)
    targets = pd.DataFrame([t for p in parsed for t in p.targets], columns=["area_code", "measure", "target", "source", "row"])
    if not targets.empty:
        targets["measure_label"] = targets["measure"].map(lambda m: reg.get(m).label)
    sn_rows = pd.DataFrame(
        [r for p in parsed for r in p.sn_rows], columns=["model", "old_la_code", "rank", "neighbour_old_la_code", "closeness"]
    )
    sn_rows, sn_unchanged = _drop_unchanged_sn(store, sn_rows)
    plan = Plan(files, opts, add, replace, unchanged + sn_unchanged, skipped, problems, unmapped, targets, sn_rows, sn_groups)
    plan.attention, plan.attention_count = _plausibility(add, replace)
    done = store.query("SELECT import_id, checksum FROM imports WHERE status = 'committed' AND kind = 'upload'")
    plan.already_imported = [int(i) for i, c in zip(done["import_id"], done["checksum"]) if c == plan.checksum]
    return plan


def _drop_unchanged_sn(store: Store, rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Leave out LAs whose uploaded neighbours are already the ones in force."""
    if rows.empty:
        return rows, 0
    current = store.query(
        "SELECT model, old_la_code, rank, neighbour_old_la_code, closeness FROM sn_models WHERE replaced_by IS NULL"
    )

    def sig(frame: pd.DataFrame) -> pd.Series:
        text = (
            frame["rank"].astype(str)
            + ":"
            + frame["neighbour_old_la_code"].astype(str)
            + ":"
            + frame["closeness"].fillna("").astype(str).str.strip().str.lower()
        )
        return frame.assign(sig=text).sort_values("rank").groupby(["model", "old_la_code"])["sig"].agg("|".join)

    now, new = sig(current), sig(rows)
    same = new[new.eq(now.reindex(new.index))].index
    keep = ~rows.set_index(["model", "old_la_code"]).index.isin(same)
    return rows[keep].reset_index(drop=True), len(same)


EMPTY_ROWS_NAMED = 20  # rows with no figure named one by one; the rest are counted in one line


def _drop_symbols_outside_years(frame: pd.DataFrame, areas: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """LAIT's "no figure" mark ``-`` for an LA in a reporting year outside the years it existed
    (LAIT lists Northamptonshire, split in 2021, with '-' for every later year, and every
    indicator) is not a figure: skipped, with the reason. A value there is kept (a workforce
    census at 30 September 2021 counts North Northamptonshire, whose first reporting year to
    31 March is 2022), and so is a symbol a publisher chose to print (EES's ``z``, "not
    applicable", for Westmorland and Furness in 2023 says why there is no figure)."""
    if frame.empty:
        return frame, []
    first = frame["area_code"].map(dict(zip(areas["code"], areas["first_year"])))
    last = frame["area_code"].map(dict(zip(areas["code"], areas["last_year"])))
    year = frame["reporting_year"].astype("Float64")
    outside = (
        frame["value"].isna()
        & (frame["symbol"] == PLACEHOLDER)
        & year.notna()
        & ((year < first.astype("Float64")) | (year > last.astype("Float64"))).fillna(False)
    )
    outside = outside.astype(bool)
    if not outside.any():
        return frame, []
    gone = frame[outside]
    skipped = [
        {"file": f, "sheet": sh, "row": r, "column": c, "what": f"{n} {int(y)}",
         "reason": "a symbol for a year in which the LA did not exist"}
        for f, sh, r, c, n, y in zip(gone["file"], gone["sheet"], gone["row"], gone["column"], gone["area_name"], gone["reporting_year"])
    ]  # fmt: skip
    return frame[~outside], skipped


def _drop_empty(frame: pd.DataFrame, problems: Problems) -> tuple[pd.DataFrame, list[dict]]:
    """Figures with neither a value nor a symbol are not figures: skipped with a warning naming
    the cell (the first EMPTY_ROWS_NAMED of them, then one line with the count), and never stored
    (the store refuses them; a blank is never read as 0). Every format passes here."""
    if frame.empty:
        return frame, []
    empty = frame["value"].isna() & ~frame["symbol"].map(lambda s: isinstance(s, str) and s != "")
    reg = registry()
    rows = frame[empty]
    for n, r in enumerate(rows.itertuples()):
        if n == EMPTY_ROWS_NAMED:
            problems.caution(
                r.file,
                f"{len(rows) - n:,} more figures have neither a value nor a symbol; they were skipped too",
                "see the Skipped list",
                sheet=r.sheet,
            )
            break
        problems.caution(
            r.file,
            f"{reg.get(r.measure).label} has neither a value nor a symbol; the row was skipped",
            "give the figure, or its suppression symbol (c, x, z ...) if it is not published",
            sheet=r.sheet,
            row=int(r.row),
            column=r.column,
        )
    skipped = [
        {
            "file": r.file,
            "sheet": r.sheet,
            "row": r.row,
            "column": r.column,
            "what": reg.get(r.measure).label,
            "reason": "no value and no symbol",
        }
        for r in rows.itertuples()
    ]
    return frame[~empty], skipped


def _check_rules(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Errors: negative figures, percentages over 100, periods in the future or before
    ``FIRST_YEAR``, symbols that are not in data/symbols.csv. A period error names the cell the
    period was read from (``period_row``, ``period_column``), not the value's."""
    if frame.empty:
        return frame
    reg = registry()
    is_pct = frame["measure"].map({m.id: m.is_percent for m in reg})
    negative = (frame["value"] < 0) & ~frame["measure"].map({m.id: may_be_negative(m) for m in reg})
    over = is_pct & (frame["value"] > 100)
    today = dt.date.today()
    ends = frame["period_end"].unique()
    future = frame["period_end"].map({d: d > today for d in ends})
    early = frame["period_end"].map({d: d.year < FIRST_YEAR for d in ends})
    symbols = frame["symbol"].dropna().unique()
    bad_symbol = frame["symbol"].map({s: normalise_symbol(s) != s for s in symbols}).eq(True)
    for i in frame.index[negative | over | future | early | bad_symbol]:
        r = frame.loc[i]
        m = reg.get(r["measure"])
        cell = {"sheet": r["sheet"], "row": r["row"], "column": r["column"]}
        period_cell = {"sheet": r["sheet"], "row": r["period_row"], "column": r["period_column"]}
        if negative[i]:
            problems.refuse(
                r["file"], f"{m.label} is negative ({r['value']:,g})", "figures cannot be below zero; correct the cell", **cell
            )
        elif over[i]:
            problems.refuse(
                r["file"],
                f"{m.label} is {r['value']:,g}%, over 100%",
                "a percentage cannot exceed 100; check the units (a fraction like 0.178 needs a % format)",
                **cell,
            )
        if future[i]:
            problems.refuse(
                r["file"],
                f"the period ends {r['period_end']:%d %B %Y}, in the future",
                "check the year of the period",
                **period_cell,
            )
        elif early[i]:
            problems.refuse(
                r["file"],
                f"the period ends {r['period_end']:%d %B %Y}, before {FIRST_YEAR}",
                f"the dashboard holds figures from {FIRST_YEAR} on; check the year of the period",
                **period_cell,
            )
        if bad_symbol[i]:
            problems.refuse(
                r["file"],
                f"{quote(r['symbol'], 20)} is not a suppression symbol",
                "use a symbol of data/symbols.csv (c, x, z, low, u ...), or leave it blank",
                **cell,
            )
    return frame[~(negative | over | future | early | bad_symbol)]


def _check_duplicates(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """The same figure twice: identical copies are dropped with a warning, different values are an error."""
    key = ["area_code", "measure", "period_start", "period_end", "source"]
    if frame.empty:
        return frame
    dup = frame[frame.duplicated(key, keep=False)]
    # One figure's identity: its value (to 9 places) and its symbol; a missing symbol is NaN or
    # None by the way it was read, and never counts as a difference.
    same = dup["value"].round(9).astype(str) + "|" + dup["symbol"].map(lambda s: s if isinstance(s, str) else "")
    for _, grp in dup.assign(_same=same).groupby(key, dropna=False):
        values = set(grp["_same"])
        first = grp.iloc[0]
        rows = ", ".join(str(r) for r in grp["row"])
        m = registry().get(first["measure"])
        if len(values) > 1:
            problems.error(
                Problem(
                    "error",
                    first["file"],
                    first["sheet"],
                    int(first["row"]),
                    first["column"],
                    f"{m.label} for {first['area_name']}, {first['period_end']:%d %b %Y} is given twice with different "
                    f"values (rows {rows})",
                    "keep one of them",
                )
            )
        else:
            problems.caution(
                first["file"],
                f"{m.label} for {first['area_name']} is given twice with the same value (rows {rows}); imported once",
                "",
                sheet=first["sheet"],
                row=int(first["row"]),
                column=first["column"],
            )
    conflicting = dup.assign(_same=same).groupby(key, dropna=False)["_same"].transform("nunique") > 1
    frame = frame.drop(index=conflicting[conflicting].index)
    return frame.drop_duplicates(key)


def _check_rates(store: Store, frame: pd.DataFrame, problems: Problems) -> None:
    """Warn where an uploaded rate per 10,000 disagrees with its count and the population."""
    from journey.rates import populations

    reg = registry()
    rate_of = {m.id: m.rate_of for m in reg.rates()}
    rates = frame[frame["measure"].isin(list(rate_of)) & frame["value"].notna() & frame["reporting_year"].notna()]
    if rates.empty:
        return
    codes = store.query("SELECT code, area_key FROM areas")
    counts = frame[["area_code", "measure", "period_end", "value"]].rename(columns={"measure": "count_measure", "value": "count"})
    pops = populations(store)[["area_key", "mid_year", "population"]]
    rates = rates.assign(count_measure=rates["measure"].map(rate_of), mid_year=rates["reporting_year"].astype(int) - 1)
    rates = rates.merge(counts, on=["area_code", "count_measure", "period_end"])
    rates = rates.merge(codes.rename(columns={"code": "area_code"}), on="area_code").merge(pops, on=["area_key", "mid_year"])
    rates = rates[rates["count"].notna() & (rates["population"] > 0)]
    if rates.empty:
        return
    rates = rates.assign(computed=rates["count"] / rates["population"] * 10_000)
    tol = rates["measure"].map(lambda m: rounding_tolerance(reg.get(m)))
    for r in rates[(rates["computed"] - rates["value"]).abs() > tol].itertuples():
        m = reg.get(r.measure)
        problems.caution(
            r.file,
            f"{m.label} {r.value:,g} does not match its count {r.count:,.0f} and the mid-{r.mid_year} "
            f"population {r.population:,.0f} ({r.computed:,.{m.decimals + 1}f})",
            "check the count, the rate or the population used (England and regional counts are published rounded)",
            sheet=r.sheet,
            row=int(r.row),
            column=r.column,
        )


def _compare_with_store(store: Store, frame: pd.DataFrame, names: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split candidates into new figures, corrections of the same source, and unchanged ones."""
    if frame.empty:
        return frame.assign(shown_value=None, shown_symbol=None), frame.assign(obs_id=None, old_value=None, old_symbol=None), 0
    existing = store.query(
        """SELECT o.obs_id, o.area_code, o.measure, o.period_start, o.period_end, o.source, o.value AS old_value,
                  o.symbol AS old_symbol
           FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
           WHERE o.replaced_by IS NULL AND list_contains(?::VARCHAR[], o.measure)
             AND list_contains(?::VARCHAR[], o.source)""",
        [sorted(frame["measure"].unique()), sorted(frame["source"].unique())],
    )
    for col in ("period_start", "period_end"):
        existing[col] = pd.to_datetime(existing[col]).dt.date
    key = ["area_code", "measure", "period_start", "period_end", "source"]
    merged = frame.merge(existing, on=key, how="left")
    same = (
        merged["obs_id"].notna()
        & (((merged["value"] - merged["old_value"]).abs() < 1e-9) | (merged["value"].isna() & merged["old_value"].isna()))
        & (merged["symbol"].astype(object).fillna("") == merged["old_symbol"].astype(object).fillna(""))
    )
    replace = merged[merged["obs_id"].notna() & ~same].copy()
    add = merged[merged["obs_id"].isna()].drop(columns=["obs_id", "old_value", "old_symbol"]).copy()
    # What the dashboard shows for the figure now (any source), to compare with the new one.
    from journey import figures

    keys_of = dict(zip(names["code"], names["area_key"]))
    shown = figures.latest(store, sorted({keys_of.get(c, c) for c in add["area_code"].unique()}), sorted(add["measure"].unique()))
    cols = ("area_key", "measure", "period_start", "period_end", "value", "symbol")
    shown_map = {(k, m, s, e): (v, sy) for k, m, s, e, v, sy in zip(*(shown[c].tolist() for c in cols))}
    hits = [
        shown_map.get(k)
        for k in zip(
            add["area_code"].map(keys_of).tolist(),
            add["measure"].tolist(),
            add["period_start"].tolist(),
            add["period_end"].tolist(),
        )
    ]
    add["shown_value"] = [h[0] if h else None for h in hits]
    add["shown_symbol"] = [h[1] if h else None for h in hits]
    return add.reset_index(drop=True), replace.reset_index(drop=True), int(same.sum())


def _plausibility(add: pd.DataFrame, replace: pd.DataFrame) -> tuple[list[Problem], int]:
    """Warnings a board's data owner must confirm before the figures commit, and how many.

    - a figure below 1/PLAUSIBLE_RATIO or above PLAUSIBLE_RATIO times the figure it replaces
      (``replace``: old_value) or the one the dashboard shows now (``add``: shown_value): a
      truncated file or one in other units (a suppressed figure, a symbol, is not compared);
    - a count (registry kind "count": children, referrals ...) with a fraction;
    - a percentage measure whose figures in one sheet all lie between 0 and 1: percentages
      typed as fractions (0.178 for 17.8%) without a % format.
    """
    reg = registry()
    found: list[Problem] = []
    count = 0

    def note(r: pd.Series, message: str, hint: str) -> None:
        nonlocal count
        count += 1
        if len(found) < ATTENTION_LIMIT:
            found.append(Problem("warning", r["file"], r["sheet"], r["row"], r["column"], message, hint))

    def what(r: pd.Series) -> str:
        return f"{reg.get(r['measure']).label} for {r['area_name']}, {period_label(r['period_start'], r['period_end'])}"

    scaled_hint = "check that the file is complete and in the right units; if the figure is right, confirm it"
    for frame, before, symbol, verb in (
        (replace, "old_value", "old_symbol", "replaces"),
        (add, "shown_value", "shown_symbol", "would show instead of"),
    ):
        if frame.empty:
            continue
        old, new = pd.to_numeric(frame[before], errors="coerce"), frame["value"]
        ratio = new.abs() / old.abs().where(old != 0)
        numeric = ~frame["measure"].map({m.id: m.is_judgement for m in reg}).eq(True)  # a grade is a category, not a size
        scaled = numeric & ratio.notna() & ((ratio < 1 / PLAUSIBLE_RATIO) | (ratio > PLAUSIBLE_RATIO))
        for i in frame.index[scaled]:
            r = frame.loc[i]
            m = reg.get(r["measure"])
            size = "under a tenth of" if ratio[i] < 1 else f"{ratio[i]:,.0f} times"
            note(r, f"{what(r)}: {m.format(new[i], r['symbol'])} {verb} {m.format(old[i], r[symbol])} ({size} it)", scaled_hint)
    both = pd.concat([f for f in (add, replace) if not f.empty], ignore_index=True) if not (add.empty and replace.empty) else add
    if both.empty:
        return found, count
    kind = both["measure"].map({m.id: m.kind for m in reg})
    value = both["value"]
    fraction = (kind == "count") & value.notna() & ((value - value.round()).abs() > 1e-9)
    for i in both.index[fraction]:
        r = both.loc[i]
        note(
            r,
            f"{what(r)} is a count but is given as {value[i]:,.6g}",
            "counts are whole numbers: check the column holds counts, not rates or averages; if it is right, confirm it",
        )
    pct = both[(kind == "percent") & value.notna()]
    for (_file, _sheet, measure), grp in pct.groupby(["file", "sheet", "measure"], dropna=False, sort=False):
        if len(grp) >= 3 and grp["value"].between(0, 1).all() and grp["value"].max() > 0:
            r = grp.iloc[0]
            note(
                r,
                f"all {len(grp):,} figures of {reg.get(measure).label} in this sheet lie between 0 and 1 "
                f"(first {r['value']:g}): percentages typed as fractions?",
                "write percentages as 17.8 or 17.8% (or give the cells a % format); if they are right, confirm them",
            )
    if count > len(found):
        first = found[0]
        found.append(
            Problem(
                "warning",
                first.file,
                None,
                None,
                None,
                f"and {count - len(found):,} more figures to confirm like these",
                "check the file before confirming",
            )
        )
    return found, count


def _committed_version(con: Store | object) -> int:
    """The committed ``data_version`` (meta table), read from a Store or from a connection
    inside a transaction."""
    sql = "SELECT value FROM meta WHERE key = 'data_version'"
    if isinstance(con, Store):
        return int(con.scalar(sql) or 0)
    row = con.execute(sql).fetchone()  # type: ignore[attr-defined]
    return int(row[0]) if row and row[0] is not None else 0


def commit(store: Store, plan: Plan, label: str | None = None, *, acknowledged: bool = False) -> int | None:
    """Write a checked plan in one transaction; returns the import id, or None when there is
    nothing new (re-importing the same file is a no-op).

    Raises JourneyError, writing nothing, on a plan with errors; on a plan with
    ``plan.attention`` (figures to confirm) unless ``acknowledged`` is True; and on a stale plan
    (another import or undo committed after ``prepare``: check the files again)."""
    if not plan.ok:
        raise JourneyError(f"The upload has {len(plan.problems.errors)} error(s); nothing was imported. Fix them and try again.")
    if plan.attention and not acknowledged:
        n = plan.attention_count or len(plan.attention)
        raise JourneyError(
            f"{n:,} figure(s) in the upload look implausible (for example: {plan.attention[0]}) and must be confirmed; "
            "nothing was imported. Check them in the preview and, if they are right, confirm them and import again."
        )
    if not plan.has_changes or plan.already_imported:
        return None
    reg = registry()
    names = ", ".join(f["name"] for f in plan.files)
    sheets = "; ".join(f"{f['name']}: " + ", ".join(f"{s or 'data'} ({k})" for s, k in f["sheets"]) for f in plan.files)
    area_keys = store.query("SELECT code, area_key FROM areas")
    key_of = dict(zip(area_keys["code"], area_keys["area_key"]))
    with store.transaction() as con:
        if _committed_version(con) != plan.data_version:
            raise JourneyError(STALE_PLAN)  # raised inside the block: the transaction rolls back
        import_id = Store.new_import(
            con,
            "upload",
            label=label or plan.options.label or names,
            file_name=names,
            checksum=plan.checksum,
            sheet=sheets[:1000],
        )
        if plan.sn_groups:
            groups = pd.DataFrame({"code": plan.sn_groups})
            groups["name"] = "Statistical neighbours as published for " + groups["code"].str.slice(3, -10).map(
                lambda c: store.scalar("SELECT name FROM areas WHERE code = ?", [c]) or c
            )
            groups = groups.assign(
                type="SN group", old_la_code=None, region_code=None, first_year=None, last_year=None, area_key=groups["code"]
            )
            Store.add_areas(con, groups)
        rows = pd.concat([plan.add, plan.replace], ignore_index=True)
        Store.insert_observations(con, import_id, rows)
        Store.mark_replaced(con, [int(i) for i in plan.replace["obs_id"]], import_id)
        if not plan.targets.empty:
            t = plan.targets.assign(
                area_key=plan.targets["area_code"].map(key_of),
                period_start=None,
                period_end=None,
                tolerance=None,
                note="from the target column of " + names,
            )
            Store.insert_targets(con, import_id, t)
        if not plan.sn_rows.empty:
            Store.replace_sn_model(con, import_id, plan.sn_rows)
        used = {k: v for k, v in plan.options.mappings.items() if v == "skip" or v in reg}
        Store.remember_mappings(con, used)
        Store.set_import_details(
            con,
            import_id,
            json.dumps(
                {
                    "added": len(plan.add),
                    "replaced": len(plan.replace),
                    "unchanged": plan.unchanged,
                    "skipped": len(plan.skipped),
                    "targets": len(plan.targets),
                    "sn_rows": len(plan.sn_rows),
                    "warnings": len(plan.problems.warnings),
                    "confirmed": plan.attention_count,
                }
            ),
        )
    return import_id


def undo(store: Store, import_id: int) -> None:
    """Take an import back out, restoring every figure it replaced, in one transaction.

    The checks run inside the write transaction, on the committed state: a page's read block may
    be older than an import or undo another session has just made."""
    with store.transaction() as con:
        row = con.execute("SELECT status FROM imports WHERE import_id = ?", [import_id]).fetchall()
        if not row:
            raise NotFoundError(f"There is no import {import_id}. `python -m journey imports` lists them.")
        if row[0][0] != "committed":
            raise JourneyError(f"Import {import_id} is {row[0][0]}; only a committed import can be undone.")
        later = con.execute(
            """SELECT DISTINCT replaced_by FROM observations WHERE import_id = ? AND replaced_by IS NOT NULL
               UNION SELECT DISTINCT replaced_by FROM sn_models WHERE import_id = ? AND replaced_by IS NOT NULL
               ORDER BY 1""",
            [import_id, import_id],
        ).fetchall()
        if later:
            ids = ", ".join(str(int(i)) for (i,) in later)
            raise JourneyError(f"Import {import_id} has figures that import {ids} later replaced; undo import {ids} first.")
        Store.undo_import(con, import_id)
