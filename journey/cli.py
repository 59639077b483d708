"""Command line: ``python -m journey {build,show,check,import,undo,imports,publish,areas,measures,refresh-default} [--db PATH]``.

Exit codes: 0 success; 1 the store is unhealthy or cannot be opened; 2 bad arguments (an
unknown area or measure, a bad option). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from journey import areas as areas_mod
from journey.benchmarks import series_table
from journey.build import build, open_store
from journey.checks import run_checks
from journey.config import DEFAULT_SN_MODEL, SN_MODELS, default_db_path
from journey.errors import JourneyError, NotFoundError, StoreError
from journey.figures import import_history, observation_count
from journey.importing.formats import FORMATS, Options
from journey.importing.plan import commit, prepare, undo
from journey.periods import period_kind, period_label
from journey.registry import Measure, registry
from journey.store import Store

SHOW_PERIODS = ("all", "yearly", "monthly", "quarterly")


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=f"database file (default: $JOURNEY_DB or {default_db_path()})")
    parser = argparse.ArgumentParser(prog="python -m journey", description="The child's journey: data store and checks.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", parents=[common], help="create or refresh the database from data/")
    b.add_argument("--no-default", action="store_true", help="reference data only, not the default published figures")
    s = sub.add_parser("show", parents=[common], help="a measure's series for an area, with its comparators")
    s.add_argument("area", help="name, GSS code or old LA code, e.g. Worcestershire, E10000034 or 885")
    s.add_argument("measure", help="measure id, e.g. cin_rate_per_10k (see `measures`)")
    s.add_argument("--model", type=int, choices=SN_MODELS, default=DEFAULT_SN_MODEL, help="statistical neighbour model")
    s.add_argument("--vintages", action="store_true", help="list every vintage and source of each figure")
    s.add_argument(
        "--periods",
        choices=SHOW_PERIODS,
        default="all",
        help="which figures to list: yearly (the annual series with its comparators), monthly, quarterly, "
        "or all (default: the annual series, then any monthly and quarterly figures)",
    )
    i = sub.add_parser(
        "import", parents=[common], help="import spreadsheets: DfE files, LAIT, scorecards, board tables, the template"
    )
    i.add_argument("files", nargs="+", metavar="FILE", help=".csv, .xlsx or an EES 'Download all data' .zip")
    i.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
    i.add_argument(
        "--accept-warnings",
        action="store_true",
        help="import although the preview lists implausible figures (CHECK them first: a figure far from "
        "the one it replaces, a count with a fraction...)",
    )
    i.add_argument("--label", help="a name for this import in the history")
    i.add_argument("--format", default="auto", choices=list(FORMATS), help="the files' format (default: detect)")
    i.add_argument("--area", help="the LA a local scorecard is for (name or code), when the file does not say")
    i.add_argument("--measure", help="the measure of a board-report table, when its title does not say")
    i.add_argument("--vintage", help="the release date of the figures, YYYY or YYYY-MM")
    i.add_argument("--sn-model-year", type=int, choices=SN_MODELS, help="the year of a statistical neighbour model file")
    i.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="'ROW LABEL=measure_id'",
        help="map a row label to a measure id (or 'skip'); remembered for next time",
    )
    u = sub.add_parser("undo", parents=[common], help="undo an import, restoring what it replaced")
    u.add_argument("import_id", type=int)
    sub.add_parser("imports", parents=[common], help="the import history")
    sub.add_parser("check", parents=[common], help="consistency: computed vs published rates, conflicts, missing populations")
    sub.add_parser("measures", parents=[common], help="list the indicator registry")
    p = sub.add_parser(
        "publish", parents=[common], help="copy the store, consistently and in one step, to where read-only servers open it"
    )
    p.add_argument("dest", help="the published file, e.g. /srv/journey/published.duckdb")
    r = sub.add_parser(
        "refresh-default",
        help="rebuild the shipped national dataset (data/national_figures.parquet) and the registry from DfE and LAIT files",
    )
    r.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="DIR",
        help="folder of published files: EES CSVs/ZIPs, LAIT's download and data dictionary, ONS populations, Ofsted's outcomes",
    )
    a = sub.add_parser("areas", parents=[common], help="list the areas in the store")
    a.add_argument("--type", choices=["LA", "region", "country", "SN group"])
    return parser


@contextlib.contextmanager
def _store(args: argparse.Namespace, *, reading: bool = False) -> Iterator[Store]:
    """The store named by --db (or the default), closed afterwards. ``reading`` for commands that
    only read: a store in a read-only location (or a read-only file) is then opened read-only
    instead of refused."""
    try:
        store = open_store(args.db)
    except StoreError:
        path = Path(args.db) if args.db else default_db_path()
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if not reading or not path.exists() or writable:
            raise
        store = open_store(path, read_only=True)
    try:
        yield store
    finally:
        store.close()


def _print_table(frame: pd.DataFrame) -> None:
    if frame.empty:
        print("(nothing)")
    else:
        print(frame.to_string(index=False))


def cmd_build(args: argparse.Namespace) -> int:
    changed = build(args.db, include_default=False if args.no_default else None)
    path = args.db or default_db_path()
    what = [k for k, v in changed.items() if v]
    print(f"{path}: " + (f"updated {', '.join(what)}" if what else "already up to date"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    measure = registry().get(args.measure)
    with _store(args, reading=True) as store:
        area = areas_mod.find_area(store, args.area)
        if args.vintages:
            from journey.figures import all_vintages

            rows = all_vintages(store, [area.key], [measure.id])
            out = pd.DataFrame(
                {
                    "period": [period_label(a, b) for a, b in zip(rows["period_start"], rows["period_end"])],
                    "value": registry().format_values(rows["measure"], rows["value"], rows["symbol"]),
                    "shown": rows["is_latest"].map({True: "latest", False: ""}),
                    "vintage": rows["vintage"],
                    "source": rows["source"],
                }
            )
            print(f"{measure.label}: {area.name}, every vintage")
            _print_table(out)
            return 0
        print(f"{measure.label} ({measure.unit}): {area.name}")
        shown_any = False
        if args.periods in ("all", "yearly"):
            shown_any = _show_yearly(store, area, measure, args.model) or shown_any
        for kind, heading in (("month", "monthly"), ("quarter", "quarterly")):
            if args.periods in ("all", heading):
                shown_any = _show_sub_annual(store, area, measure, kind, heading) or shown_any
        if not shown_any:
            what = "" if args.periods == "all" else f"{args.periods} "
            print(f"No {what}figures in the store for this area and measure.")
        return 0


def _show_yearly(store: Store, area: areas_mod.Area, measure: Measure, model: int) -> bool:
    """The annual series beside England, the region and the statistical neighbours; False when empty."""
    table = series_table(store, area, measure.id, model)
    if table.empty:
        return False
    region = areas_mod.region_of(store, area)
    fmt = measure.format
    out = pd.DataFrame({"period": table["period"], area.name: [fmt(v, s) for v, s in zip(table["value"], table["symbol"])]})
    out["England"] = table["england"].map(fmt)
    if region is not None:
        out[region.name] = table["region"].map(fmt)
    if area.type == "LA":
        out[f"SN mean ({model})"] = table["sn_mean"].map(fmt)
        out[f"SN median ({model})"] = table["sn_median"].map(fmt)
        out["SN n"] = table["sn_used"].astype(str) + "/" + table["sn_of"].astype(str)
        if table["sn_published"].notna().any():
            out["SN as published"] = table["sn_published"].map(fmt)
    out["source"] = table["source"].str.slice(0, 60)
    out["vintage"] = table["vintage"]
    print("Yearly figures:")
    _print_table(out)
    return True


def _show_sub_annual(store: Store, area: areas_mod.Area, measure: Measure, kind: str, heading: str) -> bool:
    """The area's figures for periods of one kind (month or quarter), oldest first; False when none."""
    from journey.figures import latest

    rows = latest(store, [area.key], [measure.id])
    keep = [period_kind(a, b) == kind for a, b in zip(rows["period_start"], rows["period_end"])]
    rows = rows[keep].sort_values("period_end")
    if rows.empty:
        return False
    print(f"\n{heading.capitalize()} figures ({len(rows):,}):")
    _print_table(
        pd.DataFrame(
            {
                "period": [period_label(a, b) for a, b in zip(rows["period_start"], rows["period_end"])],
                area.name: list(registry().format_values(rows["measure"], rows["value"], rows["symbol"])),
                "source": rows["source"].str.slice(0, 60).tolist(),
                "vintage": rows["vintage"].tolist(),
            }
        )
    )
    return True


def cmd_check(args: argparse.Namespace) -> int:
    with _store(args, reading=True) as store:
        report = run_checks(store)
    print(f"Rates per 10,000: {report.rates_matched} computed rates match the published rate within rounding.")
    if not report.rate_differences.empty:
        print(f"{len(report.rate_differences)} differ by more than rounding:")
        d = report.rate_differences
        _print_table(
            pd.DataFrame(
                {
                    "area": d["area_name"],
                    "measure": d["measure"],
                    "year": d["reporting_year"],
                    "count": d["count"].map("{:,.0f}".format),
                    "population": d["population"].map("{:,.0f}".format),
                    "computed": d["computed_exact"].map("{:.2f}".format),
                    "published": d["published"],
                    "reason": d["reason"],
                }
            )
        )
    print()
    c = report.conflicts
    n = report.conflict_figures
    print(
        f"Conflicting figures: {n} figures are given differently by different rows: values that differ beyond "
        "rounding, a value against a symbol, or two symbols (all kept; the newest vintage is shown)."
    )
    if n:
        _print_table(
            c[["area_name", "measure", "period_end", "value", "symbol", "source", "vintage", "kind", "difference"]].assign(
                source=c["source"].str.slice(0, 50)
            )
        )
    print()
    m = report.missing_populations
    print(f"Missing populations: {len(m)} counts have no mid-(Y-1) population to compute a rate.")
    if len(m):
        _print_table(m[["area_name", "measure", "reporting_year", "mid_year"]])
    print()
    if report.ok:
        print("Integrity: OK")
        return 0
    for e in report.integrity_errors:
        print(f"Integrity error: {e}")
    return 1


def cmd_measures(args: argparse.Namespace) -> int:
    rows = [(m.id, m.stage, m.kind, m.polarity, m.decimals, m.label) for m in registry()]
    _print_table(pd.DataFrame(rows, columns=["id", "stage", "kind", "polarity", "dp", "label"]))
    return 0


def cmd_areas(args: argparse.Namespace) -> int:
    with _store(args, reading=True) as store:
        found = areas_mod.list_areas(store, args.type)
    _print_table(pd.DataFrame([(a.key, a.code, a.type, a.name) for a in found], columns=["key", "code", "type", "name"]))
    return 0


SKIPPED_LISTED = 300  # lines of skipped rows the import preview lists (a LAIT download: one per indicator not held)


def _print_skipped(skipped: pd.DataFrame) -> None:
    """Skipped rows, one line per file, sheet, what and reason, with the rows it covers
    ("rows 2-1313", or the count): 1,312 rows of one breakdown are one line, not 1,312."""
    if skipped.empty:
        return
    keys = ["file", "sheet", "what", "reason"]
    groups = skipped.assign(sheet=skipped["sheet"].fillna(""), what=skipped["what"].fillna("")).groupby(keys, sort=False)
    for n, ((file, sheet, what, reason), grp) in enumerate(groups):
        if n == SKIPPED_LISTED:
            print(f"SKIPPED: and {groups.ngroups - n:,} more kinds of skipped row")
            break
        rows = [int(r) for r in grp["row"].dropna()]
        if not rows:
            span = ""
        elif len(rows) == 1:
            span = f", row {rows[0]}"
        else:
            span = f", {len(rows):,} rows ({min(rows)}-{max(rows)})"
        where = file + (f", sheet {sheet}" if sheet else "") + span
        print(f"SKIPPED: {where}: {what + ': ' if what else ''}{reason}")


def cmd_import(args: argparse.Namespace) -> int:
    mappings = {}
    for item in args.map:
        label, sep, measure_id = item.rpartition("=")
        if not sep or not label.strip():
            raise UsageError(f"--map needs 'ROW LABEL=measure_id', got {item!r}")
        if measure_id.strip() != "skip":
            registry().get(measure_id.strip())
        mappings[label.strip()] = measure_id.strip()
    uploads = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"no such file: {name}")
        uploads.append((path.name, path.read_bytes()))
    store = open_store(args.db)
    try:
        area = areas_mod.find_area(store, args.area).key if args.area else None
        if args.measure:
            registry().get(args.measure)
        opts = Options(
            format=args.format,
            area=area,
            label=args.label,
            vintage=args.vintage,
            measure=args.measure,
            mappings=mappings,
            sn_model_year=args.sn_model_year,
        )
        plan = prepare(store, uploads, opts)
        for f in plan.files:
            kinds = ", ".join(f"{s}: {FORMATS[k]}" if s else FORMATS[k] for s, k in f["sheets"]) or "nothing read"
            print(f"{f['name']}: {kinds}")
        for p in plan.problems.items:
            print(f"{p.level.upper()}: {p}")
        for label, suggestions in plan.unmapped.items():
            print(
                f"UNMAPPED: {label!r} (closest: {', '.join(suggestions) or 'none'}); use --map '{label}=MEASURE_ID' or --map '{label}=skip'"
            )
        _print_skipped(plan.skipped)
        print(f"Preview: {plan.summary()}.")
        if not plan.replace.empty:
            rep = plan.replace
            _print_table(
                pd.DataFrame(
                    {
                        "area": rep["area_name"],
                        "measure": rep["measure"],
                        "period end": rep["period_end"],
                        "old": registry().format_values(rep["measure"], rep["old_value"], rep["old_symbol"]),
                        "new": registry().format_values(rep["measure"], rep["value"], rep["symbol"]),
                    }
                )
            )
        if not plan.ok:
            print(f"Nothing imported: {len(plan.problems.errors)} error(s). Fix them and run the import again.")
            return 1
        if args.dry_run:
            print("Dry run: nothing written.")
            return 0
        if plan.already_imported:
            print(f"Already imported as import {plan.already_imported[0]}: nothing to do.")
            return 0
        for p in plan.attention:
            print(f"CHECK: {p}")
        if plan.needs_acknowledgement and not args.accept_warnings:
            print(
                f"Nothing imported: {plan.attention_count:,} figure(s) look implausible (the CHECK lines above). Check them "
                "in the file; if they are right, run the import again with --accept-warnings."
            )
            return 1
        import_id = commit(store, plan, args.label, acknowledged=args.accept_warnings)
        print(
            "Nothing new to import."
            if import_id is None
            else f"Imported as import {import_id}. Undo with: python -m journey undo {import_id}"
        )
        return 0
    finally:
        store.close()


def cmd_undo(args: argparse.Namespace) -> int:
    with _store(args) as store:
        undo(store, args.import_id)
    print(f"Import {args.import_id} undone; the figures it replaced are restored.")
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    with _store(args, reading=True) as store:
        _print_table(import_history(store).drop(columns=["details"], errors="ignore"))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    with _store(args) as store:
        dest = store.publish(args.dest)
        rows = observation_count(store)
        version = store.data_version
    print(
        f"Published {rows:,} figures (data version {version}) to {dest}. "
        "Restart the read-only servers (JOURNEY_READ_ONLY=1) one at a time to show them."
    )
    return 0


class UsageError(JourneyError):
    """A bad command-line argument (exit code 2)."""


def cmd_refresh_default(args: argparse.Namespace) -> int:
    from journey.refresh import refresh_default

    report = refresh_default(Path(args.source))
    print(
        f"Done: {report.figures:,} figures from {len(report.files)} files, {report.size_bytes / 1e6:.1f} MB."
        " A new database gets them on first run; `python -m journey build` refreshes an existing one."
    )
    return 0


COMMANDS = {
    "import": cmd_import,
    "undo": cmd_undo,
    "imports": cmd_imports,
    "build": cmd_build,
    "show": cmd_show,
    "check": cmd_check,
    "measures": cmd_measures,
    "areas": cmd_areas,
    "publish": cmd_publish,
    "refresh-default": cmd_refresh_default,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (NotFoundError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except JourneyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
