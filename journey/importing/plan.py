"""One import pipeline for the Upload page and the command line: read, check, preview, commit,
undo.

``prepare`` reads the files, finds their format, checks every figure rule by rule and compares
it with the store, and returns a ``Plan``: what would be added, what would replace an existing
figure (old and new value side by side), what is unchanged or skipped and why, and the
problems. Nothing is written. ``commit`` writes a plan without errors in one transaction with
an import record; ``undo`` takes an import back out and restores what it replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from journey.errors import JourneyError, NotFoundError
from journey.importing.files import read_file
from journey.importing.formats import FORMATS, PARSERS, AreaIndex, Options, Parsed, detect
from journey.importing.problems import Problem, Problems
from journey.rates import rounding_tolerance
from journey.registry import normalise_label, registry
from journey.store import Store

TEMPLATE_REFERENCE_SHEETS = {"Instructions", "Measures", "Areas"}
PLAN_COLUMNS = ["area_code", "area_name", "measure", "period_start", "period_end", "reporting_year", "value", "symbol",
                "source", "vintage", "note", "file", "sheet", "row", "column"]


@dataclass
class Plan:
    files: list[dict]  # name, checksum, sheets: [(sheet, format)]
    options: Options
    add: pd.DataFrame  # new figures (PLAN_COLUMNS + shown_now)
    replace: pd.DataFrame  # figures that replace a row of the same source: old and new side by side
    unchanged: int
    skipped: pd.DataFrame  # file, sheet, row, column, what, reason
    problems: Problems
    unmapped: dict[str, list[str]]  # row labels not recognised -> suggested measure ids
    targets: pd.DataFrame
    sn_rows: pd.DataFrame
    sn_groups: list[str]
    already_imported: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems.errors

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
        parts = [f"{len(self.add):,} new figures", f"{len(self.replace):,} replacing existing figures",
                 f"{self.unchanged:,} already in the store", f"{len(self.skipped):,} rows skipped"]
        if not self.targets.empty:
            parts.append(f"{len(self.targets):,} targets")
        if not self.sn_rows.empty:
            parts.append(f"{self.sn_rows['old_la_code'].nunique():,} LAs' statistical neighbours")
        return ", ".join(parts)


def remembered_mappings(store: Store) -> dict[str, str]:
    rows = store.query("SELECT label_key, measure FROM label_mappings")
    return dict(zip(rows["label_key"], rows["measure"]))


def _area_index(store: Store) -> AreaIndex:
    rows = store.query("SELECT code, name, type, old_la_code, region_code, first_year, last_year, area_key FROM areas")
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    return AreaIndex(records)


def prepare(
    store: Store,
    uploads: Sequence[tuple[str, bytes]],
    options: Options | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Plan:
    """Read and check files against the store; write nothing. ``uploads`` are (file name, bytes)."""
    opts = options or Options()
    opts.mappings = {**remembered_mappings(store), **{normalise_label(k): v for k, v in opts.mappings.items()}}
    if opts.format not in FORMATS:
        raise JourneyError(f"Unknown format '{opts.format}'. Choose one of: {', '.join(FORMATS)}.")
    problems = Problems()
    areas = _area_index(store)
    parsed: list[Parsed] = []
    files = []
    for n, (name, data) in enumerate(uploads):
        if progress:
            progress(n / max(len(uploads), 1), f"Reading {name}")
        source = read_file(name, data, problems)
        sheets = []
        for sheet in source.sheets:
            kind = opts.format if opts.format != "auto" else detect(sheet, areas)
            if kind is None and sheet.name in TEMPLATE_REFERENCE_SHEETS:
                continue  # the template's own instructions and lists
            if kind is None:
                problems.warn(Problem("warning", sheet.file, sheet.name, None, None,
                                      "nothing this dashboard reads was found here; the sheet was skipped",
                                      "if it holds figures, choose its format"))
                continue
            parsed.append(PARSERS[kind](sheet, areas, opts, problems))
            sheets.append((sheet.name, kind))
        files.append({"name": source.name, "checksum": source.checksum, "sheets": sheets})
    if progress:
        progress(0.9, "Checking figures")
    plan = _build_plan(store, files, opts, parsed, problems)
    nothing = plan.add.empty and plan.replace.empty and not plan.unchanged and plan.targets.empty and plan.sn_rows.empty
    if nothing and not problems.errors:
        problems.error(Problem("error", ", ".join(f["name"] for f in files) or "upload", None, None, None,
                               "no figures found in the upload", "check that the file holds a table of figures"))
    return plan


def _build_plan(store: Store, files: list[dict], opts: Options, parsed: list[Parsed], problems: Problems) -> Plan:
    reg = registry()
    rows = [
        {"area_code": c.area_code, "measure": c.measure, "period_start": c.period.start, "period_end": c.period.end,
         "reporting_year": c.period.reporting_year, "value": c.value, "symbol": c.symbol, "source": c.source,
         "vintage": c.vintage, "note": c.note, "file": c.file, "sheet": c.sheet, "row": c.row, "column": c.column}
        for p in parsed for c in p.candidates
    ]
    frame = pd.DataFrame(rows, columns=[c for c in PLAN_COLUMNS if c != "area_name"])
    frame["value"] = frame["value"].astype("float64")
    names = store.query("SELECT code, name, area_key, type FROM areas")
    frame["area_name"] = frame["area_code"].map(dict(zip(names["code"], names["name"])))
    sn_groups = sorted({g for p in parsed for g in p.sn_groups})
    for g in sn_groups:
        frame.loc[frame["area_code"] == g, "area_name"] = "Statistical neighbours (as published)"
    frame = _check_rules(frame, problems)
    frame = _check_duplicates(frame, problems)
    _check_rates(store, frame, problems)
    add, replace, unchanged = _compare_with_store(store, frame, names)
    skipped = pd.DataFrame([s for p in parsed for s in p.skipped], columns=["file", "sheet", "row", "column", "what", "reason"])
    unmapped: dict[str, list[str]] = {}
    for p in parsed:
        unmapped.update(p.unmapped)
    targets = pd.DataFrame([t for p in parsed for t in p.targets], columns=["area_code", "measure", "target", "source", "row"])
    if not targets.empty:
        targets["measure_label"] = targets["measure"].map(lambda m: reg.get(m).label)
    sn_rows = pd.DataFrame([r for p in parsed for r in p.sn_rows],
                           columns=["model", "old_la_code", "rank", "neighbour_old_la_code", "closeness"])
    sn_rows, sn_unchanged = _drop_unchanged_sn(store, sn_rows)
    plan = Plan(files, opts, add, replace, unchanged + sn_unchanged, skipped, problems, unmapped, targets, sn_rows, sn_groups)
    done = store.query("SELECT import_id, checksum FROM imports WHERE status = 'committed' AND kind = 'upload'")
    plan.already_imported = [int(i) for i, c in zip(done["import_id"], done["checksum"]) if c == plan.checksum]
    return plan


def _drop_unchanged_sn(store: Store, rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Leave out LAs whose uploaded neighbours are already the ones in force."""
    if rows.empty:
        return rows, 0
    current = store.query(
        "SELECT model, old_la_code, rank, neighbour_old_la_code, closeness FROM sn_models WHERE replaced_by IS NULL")

    def sig(frame: pd.DataFrame) -> dict:
        return {k: tuple(zip(g["rank"], g["neighbour_old_la_code"], g["closeness"].fillna("").str.strip().str.lower()))
                for k, g in frame.sort_values("rank").groupby(["model", "old_la_code"])}

    now, new = sig(current), sig(rows)
    same = {k for k, v in new.items() if now.get(k) == v}
    keep = ~pd.Series([(m, la) in same for m, la in zip(rows["model"], rows["old_la_code"])], index=rows.index)
    return rows[keep].reset_index(drop=True), len(same)


def _check_rules(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Errors: negative figures, percentages over 100, periods in the future."""
    reg = registry()
    today = dt.date.today()
    bad = pd.Series(False, index=frame.index)
    for i, r in frame.iterrows():
        m = reg.get(r["measure"])
        where = (r["file"], r["sheet"], r["row"], r["column"])
        v = r["value"]
        if pd.notna(v) and v < 0:
            problems.error(Problem("error", *where, f"{m.label} is negative ({v:,g})", "figures cannot be below zero; correct the cell"))
            bad[i] = True
        elif pd.notna(v) and m.is_percent and v > 100:
            problems.error(Problem("error", *where, f"{m.label} is {v:,g}%, over 100%",
                                   "a percentage cannot exceed 100; check the units (a fraction like 0.178 needs a % format)"))
            bad[i] = True
        if r["period_end"] > today:
            problems.error(Problem("error", *where, f"the period ends {r['period_end']:%d %B %Y}, in the future",
                                   "check the year in the header"))
            bad[i] = True
    return frame[~bad]


def _check_duplicates(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """The same figure twice: identical copies are dropped with a warning, different values are an error."""
    key = ["area_code", "measure", "period_start", "period_end", "source"]
    if frame.empty:
        return frame
    dup = frame[frame.duplicated(key, keep=False)]
    for _, grp in dup.groupby(key, dropna=False):
        values = {(None if pd.isna(v) else round(v, 9), s) for v, s in zip(grp["value"], grp["symbol"])}
        first = grp.iloc[0]
        rows = ", ".join(str(r) for r in grp["row"])
        m = registry().get(first["measure"])
        if len(values) > 1:
            problems.error(Problem("error", first["file"], first["sheet"], int(first["row"]), first["column"],
                                   f"{m.label} for {first['area_name']}, {first['period_end']:%d %b %Y} is given twice with different "
                                   f"values (rows {rows})", "keep one of them"))
        else:
            problems.warn(Problem("warning", first["file"], first["sheet"], int(first["row"]), first["column"],
                                  f"{m.label} for {first['area_name']} is given twice with the same value (rows {rows}); imported once", ""))
    conflicting = dup.groupby(key, dropna=False)["value"].transform(lambda s: s.round(9).nunique(dropna=False) > 1)
    frame = frame.drop(index=conflicting[conflicting].index)
    return frame.drop_duplicates(key)


def _check_rates(store: Store, frame: pd.DataFrame, problems: Problems) -> None:
    """Warn where an uploaded rate per 10,000 disagrees with its count and the population."""
    from journey.rates import populations

    reg = registry()
    rates = frame[frame["measure"].map(lambda m: reg.get(m).is_rate and reg.get(m).rate_of is not None)]
    if rates.empty:
        return
    codes = store.query("SELECT code, area_key FROM areas")
    key_of = dict(zip(codes["code"], codes["area_key"]))
    pops = populations(store)
    pop = {(k, int(y)): p for k, y, p in zip(pops["area_key"], pops["mid_year"], pops["population"])}
    counts = {(r.area_code, r.measure, r.period_end): r.value for r in frame.itertuples()}
    for r in rates.itertuples():
        m = reg.get(r.measure)
        if pd.isna(r.value) or r.reporting_year is None or pd.isna(r.reporting_year):
            continue
        count = counts.get((r.area_code, m.rate_of, r.period_end))
        population = pop.get((key_of.get(r.area_code), int(r.reporting_year) - 1))
        if count is None or pd.isna(count) or not population:
            continue
        computed = count / population * 10_000
        if abs(computed - r.value) > rounding_tolerance(m):
            problems.warn(Problem("warning", r.file, r.sheet, int(r.row), r.column,
                                  f"{m.label} {r.value:,g} does not match its count {count:,.0f} and the mid-{int(r.reporting_year) - 1} "
                                  f"population {population:,.0f} ({computed:,.{m.decimals + 1}f})",
                                  "check the count, the rate or the population used"))


def _compare_with_store(store: Store, frame: pd.DataFrame, names: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Split candidates into new figures, corrections of the same source, and unchanged ones."""
    if frame.empty:
        return frame.assign(shown_now=None), frame.assign(obs_id=None, old_value=None, old_symbol=None), 0
    existing = store.query(
        """SELECT o.obs_id, o.area_code, o.measure, o.period_start, o.period_end, o.source, o.value AS old_value,
                  o.symbol AS old_symbol
           FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
           WHERE o.replaced_by IS NULL AND list_contains(?::VARCHAR[], o.measure)""",
        [sorted(set(frame["measure"]))],
    )
    for col in ("period_start", "period_end"):
        existing[col] = pd.to_datetime(existing[col]).dt.date
    key = ["area_code", "measure", "period_start", "period_end", "source"]
    merged = frame.merge(existing, on=key, how="left")
    same = merged["obs_id"].notna() & (
        ((merged["value"] - merged["old_value"]).abs() < 1e-9) | (merged["value"].isna() & merged["old_value"].isna())
    ) & (merged["symbol"].fillna("") == merged["old_symbol"].fillna(""))
    replace = merged[merged["obs_id"].notna() & ~same].copy()
    add = merged[merged["obs_id"].isna()].drop(columns=["obs_id", "old_value", "old_symbol"]).copy()
    # What the dashboard shows for the figure now (any source), to compare with the new one.
    from journey import figures

    keys_of = dict(zip(names["code"], names["area_key"]))
    shown = figures.latest(store, sorted({keys_of.get(c, c) for c in add["area_code"]}), sorted(set(add["measure"])))
    shown_map = {(k, m, s, e): (v, sy) for k, m, s, e, v, sy in zip(shown["area_key"], shown["measure"], shown["period_start"],
                                                                   shown["period_end"], shown["value"], shown["symbol"])}
    add["shown_now"] = [
        _fmt(shown_map.get((keys_of.get(r.area_code), r.measure, r.period_start, r.period_end)), r.measure)
        for r in add.itertuples()
    ]
    return add.reset_index(drop=True), replace.reset_index(drop=True), int(same.sum())


def _fmt(hit: tuple | None, measure: str) -> str:
    if hit is None:
        return ""
    value, symbol = hit
    return registry().get(measure).format(None if pd.isna(value) else value, symbol if isinstance(symbol, str) else None)


def commit(store: Store, plan: Plan, label: str | None = None) -> int | None:
    """Write a checked plan in one transaction; returns the import id, or None when there is
    nothing new (re-importing the same file is a no-op). Raises JourneyError on a plan with errors."""
    if not plan.ok:
        raise JourneyError(f"The upload has {len(plan.problems.errors)} error(s); nothing was imported. Fix them and try again.")
    if not plan.has_changes or plan.already_imported:
        return None
    reg = registry()
    names = ", ".join(f["name"] for f in plan.files)
    sheets = "; ".join(f"{f['name']}: " + ", ".join(f"{s or 'data'} ({k})" for s, k in f["sheets"]) for f in plan.files)
    area_keys = store.query("SELECT code, area_key FROM areas")
    key_of = dict(zip(area_keys["code"], area_keys["area_key"]))
    with store.transaction() as con:
        import_id = Store.new_import(con, "upload", label=label or plan.options.label or names, file_name=names,
                                     checksum=plan.checksum, sheet=sheets[:1000])
        if plan.sn_groups:
            groups = pd.DataFrame({"code": plan.sn_groups})
            groups["name"] = "Statistical neighbours as published for " + groups["code"].str.slice(3, -10).map(
                lambda c: store.scalar("SELECT name FROM areas WHERE code = ?", [c]) or c)
            groups = groups.assign(type="SN group", old_la_code=None, region_code=None, first_year=None, last_year=None,
                                   area_key=groups["code"])
            Store.add_areas(con, groups)
        rows = pd.concat([plan.add, plan.replace], ignore_index=True)
        Store.insert_observations(con, import_id, rows)
        Store.mark_replaced(con, [int(i) for i in plan.replace["obs_id"]], import_id)
        if not plan.targets.empty:
            t = plan.targets.assign(area_key=plan.targets["area_code"].map(key_of), period_start=None, period_end=None,
                                    tolerance=None, note="from the target column of " + names)
            Store.insert_targets(con, import_id, t)
        if not plan.sn_rows.empty:
            Store.replace_sn_model(con, import_id, plan.sn_rows)
        used = {k: v for k, v in plan.options.mappings.items() if v == "skip" or v in reg}
        Store.remember_mappings(con, used)
        Store.set_import_details(con, import_id, json.dumps({
            "added": len(plan.add), "replaced": len(plan.replace), "unchanged": plan.unchanged,
            "skipped": len(plan.skipped), "targets": len(plan.targets), "sn_rows": len(plan.sn_rows),
            "warnings": len(plan.problems.warnings),
        }))
    return import_id


def undo(store: Store, import_id: int) -> None:
    """Take an import back out, restoring every figure it replaced, in one transaction."""
    row = store.query("SELECT kind, status FROM imports WHERE import_id = ?", [import_id])
    if row.empty:
        raise NotFoundError(f"There is no import {import_id}. `python -m journey imports` lists them.")
    if row.iloc[0]["status"] != "committed":
        raise JourneyError(f"Import {import_id} is {row.iloc[0]['status']}; only a committed import can be undone.")
    later = store.query(
        """SELECT DISTINCT replaced_by FROM observations WHERE import_id = ? AND replaced_by IS NOT NULL
           UNION SELECT DISTINCT replaced_by FROM sn_models WHERE import_id = ? AND replaced_by IS NOT NULL""",
        [import_id, import_id],
    )
    if not later.empty:
        ids = ", ".join(str(int(i)) for i in later["replaced_by"])
        raise JourneyError(f"Import {import_id} has figures that import {ids} later replaced; undo import {ids} first.")
    with store.transaction() as con:
        Store.undo_import(con, import_id)
