"""``python -m journey refresh-default --from DIR``: rebuild the shipped national dataset.

The maintainer's command for a new DfE release. It reads a folder of published files (DfE's
Explore Education Statistics CSVs and ZIPs, LAIT's download and data dictionary, ONS
populations, Ofsted's inspection outcomes) and

1. brings the registry (``data/measures.csv``) up to date with LAIT's data dictionary, when the
   folder holds it (``journey.lait_dictionary.sync_registry``);
2. imports every file into a new, empty store through the same pipeline as the Upload page
   (``journey.importing.plan.prepare`` and ``commit``: the same detection, checks and
   messages), one import per file in name order; a file with errors stops the refresh and
   nothing in ``data/`` changes;
3. writes every figure the store then holds, with its source, vintage and symbol, to
   ``data/national_figures.parquet`` (zstd), and the list of files read with their SHA-256,
   format and figure counts to ``data/national_sources.csv``.

The board-report figures (``data/board_report_figures.csv``) are transcribed from local reports,
not derived from DfE files, and are left as they are.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from journey import registry as registry_mod
from journey.config import DATA_DIR, MEASURES_FILE
from journey.errors import JourneyError
from journey.lait_dictionary import is_dictionary, read_dictionary, sync_registry, write_registry

NATIONAL_FILE_NAME = "national_figures.parquet"
SOURCES_FILE_NAME = "national_sources.csv"
READABLE = (".csv", ".xlsx", ".ods", ".parquet", ".zip")

#: The columns of the shipped national dataset (one row per figure as a source gives it).
NATIONAL_COLUMNS = [
    "area_code", "measure", "period_start", "period_end", "reporting_year", "value", "symbol", "source", "vintage", "note",
]  # fmt: skip


@dataclass
class RefreshReport:
    """What a refresh read and wrote."""

    files: list[dict] = field(default_factory=list)  # name, sha256, format, figures, skipped, note
    registry: dict[str, int] = field(default_factory=dict)
    figures: int = 0
    size_bytes: int = 0


def _first_line(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        return next(csv.reader(f), [])


def find_files(folder: Path) -> tuple[Path | None, list[Path]]:
    """(LAIT's data dictionary or None, every other readable file), searched recursively, in
    name order so that two runs import in the same order."""
    if not folder.is_dir():
        raise JourneyError(f"{folder}: not a folder. Give the folder that holds the DfE and LAIT files.")
    dictionary, files = None, []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix.lower() not in READABLE:
            continue
        if path.suffix.lower() == ".csv" and is_dictionary(_first_line(path)):
            dictionary = path
            continue
        files.append(path)
    if not files:
        raise JourneyError(f"{folder}: no .csv, .xlsx, .ods, .parquet or .zip files found.")
    return dictionary, files


def refresh_default(folder: Path, *, data_dir: Path = DATA_DIR, log: Callable[[str], None] = print) -> RefreshReport:
    """Rebuild ``data/national_figures.parquet`` (and the registry) from the files in ``folder``.

    Nothing in ``data_dir`` changes unless every file imports without an error."""
    from journey.build import open_store
    from journey.importing.plan import commit, prepare

    report = RefreshReport()
    dictionary, files = find_files(folder)
    registry_rows = None
    if dictionary is not None:
        with MEASURES_FILE.open(newline="", encoding="utf-8") as f:
            current = list(csv.DictReader(f))
        registry_rows, report.registry = sync_registry(current, read_dictionary(dictionary))
        log(
            f"{dictionary.name}: LAIT's data dictionary: {report.registry['updated']} registry measures updated,"
            f" {report.registry['added']} added"
        )
    with tempfile.TemporaryDirectory(prefix="journey-refresh-") as tmp:
        staged_registry = Path(tmp) / "measures.csv"
        if registry_rows is not None:
            write_registry(staged_registry, registry_rows)
            registry_mod.use_measures_file(staged_registry)
        try:
            store = open_store(Path(tmp) / "national.duckdb", load_default=False)
            try:
                for path in files:
                    data = path.read_bytes()
                    plan = prepare(store, [(path.name, data)])
                    entry = {
                        "file": path.name,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "format": ", ".join(sorted({k for f in plan.files for _, k in f["sheets"]})),
                        "figures_added": len(plan.add) + len(plan.replace),
                        "already_held": plan.unchanged,
                        "rows_not_read": len(plan.skipped),
                    }
                    errors = plan.problems.errors
                    if errors:
                        first = "; ".join(str(p) for p in errors[:3])
                        raise JourneyError(f"{path.name}: {len(errors)} error(s), nothing in data/ changed: {first}")
                    commit(store, plan, label=f"refresh-default: {path.name}", acknowledged=True)
                    log(f"{path.name}: {plan.summary()}")
                    report.files.append(entry)
                target = data_dir / NATIONAL_FILE_NAME
                staged = Path(tmp) / NATIONAL_FILE_NAME
                report.figures = _export(store, staged)
            finally:
                store.close()
            _move(staged, target)
            _write_sources(data_dir / SOURCES_FILE_NAME, report.files)
            if registry_rows is not None:
                write_registry(data_dir / MEASURES_FILE.name, registry_rows)
        finally:
            registry_mod.use_measures_file(None)
    report.size_bytes = target.stat().st_size
    log(f"{target.name}: {report.figures:,} figures, {report.size_bytes / 1e6:.1f} MB")
    return report


def _move(src: Path, dst: Path) -> None:
    """Copy ``src`` (in the temporary folder, perhaps on another file system) beside ``dst``,
    then rename it into place, so ``dst`` is never half written."""
    import shutil

    tmp = dst.with_suffix(dst.suffix + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)


def _export(store, path: Path) -> int:
    """Every figure in ``store`` in committed imports, not replaced, in a fixed order, to Parquet."""
    cols = ", ".join(f"o.{c}" for c in NATIONAL_COLUMNS)
    sql = f"""SELECT {cols} FROM observations o JOIN imports i ON i.import_id = o.import_id
              WHERE i.status = 'committed' AND o.replaced_by IS NULL
              ORDER BY o.measure, o.area_code, o.period_start, o.period_end, o.vintage, o.source, o.value, o.symbol"""
    frame = store.query(sql)
    frame.to_parquet(path, compression="zstd", index=False)
    return len(frame)


def _write_sources(path: Path, files: list[dict]) -> None:
    columns = ["file", "sha256", "format", "figures_added", "already_held", "rows_not_read"]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(files)
