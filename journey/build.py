"""Bring the project's own data files (``data/``) into a store.

Reference data (every area of England, the statistical-neighbour models) goes into every store.
The default dataset goes into a new store unless ``JOURNEY_NO_DEFAULT=1``: the national figures
(``data/national_figures.parquet``, every LA, region and England, built from DfE's and LAIT's
files by ``python -m journey refresh-default``) and the figures printed in local board reports
(``data/board_report_figures.csv``), each with source and vintage. Each step compares the files' checksum with the one recorded in the
store, so building twice changes nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from journey import periods
from journey.config import AREAS_FILE, BOARD_FIGURES_FILE, NATIONAL_FILE, SN_FILE, load_default_wanted
from journey.errors import JourneyError
from journey.registry import registry
from journey.store import Store, connect

AREA_TYPES = {
    "Local authority": "LA",
    "Regional": "region",
    "National": "country",
    "Statistical neighbours (as published)": "SN group",
}

DEFAULT_KIND = "default"


def file_checksum(*paths: Path) -> str:
    """SHA-256 over the bytes of the files, in order."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def read_areas(path: Path = AREAS_FILE) -> pd.DataFrame:
    """The area list as the ``areas`` table wants it."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    unknown = set(raw["geography"]) - set(AREA_TYPES)
    if unknown:
        raise JourneyError(f"{path.name}: unknown geography {sorted(unknown)}")
    out = pd.DataFrame(
        {
            "code": raw["code"],
            "name": raw["name"],
            "type": raw["geography"].map(AREA_TYPES),
            "old_la_code": raw["old_la_code"].replace("", None),
            "region_code": raw["region_code"].replace("", None),
            "first_year": pd.to_numeric(raw["first_year"], errors="coerce").astype("Int64"),
            "last_year": pd.to_numeric(raw["last_year"], errors="coerce").astype("Int64"),
        }
    )
    out["area_key"] = out["old_la_code"].where(out["type"] == "LA", out["code"]).fillna(out["code"])
    return out


def read_sn_models(path: Path = SN_FILE) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "model": raw["model"].astype(int),
            "old_la_code": raw["old_la_code"],
            "rank": raw["rank"].astype(int),
            "neighbour_old_la_code": raw["neighbour_old_la_code"],
            "closeness": raw["closeness"].replace("", None),
        }
    )


def read_published_figures(path: Path = BOARD_FIGURES_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations, targets) from a tidy published-figures file (the board reports' figures).

    Values stay text until parsed here; an empty value keeps its status symbol and becomes
    NULL, never 0. Rows whose measure ends in ``_target`` are local targets, not figures.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    values = pd.to_numeric(raw["value"].str.replace(",", "", regex=False), errors="coerce")
    bad = raw[(raw["value"] != "") & values.isna()]
    if not bad.empty:
        row = bad.index[0] + 2
        raise JourneyError(f"{path.name}, row {row}, column value: {bad.iloc[0]['value']!r} is not a number.")
    missing = raw[(raw["value"] == "") & (raw["status"] == "")]
    if not missing.empty:
        raise JourneyError(f"{path.name}, row {missing.index[0] + 2}: no value and no status symbol; give one or the other.")
    frame = pd.DataFrame(
        {
            "area_code": raw["area_code"],
            "measure": raw["measure"],
            "period_start": raw["period_start"],
            "period_end": raw["period_end"],
            "reporting_year": pd.to_numeric(raw["time_period"], errors="coerce").astype("Int64"),
            "value": values,
            "symbol": raw["status"].replace("", None),
            "source": raw["source"],
            "vintage": raw["vintage"],
            "note": raw["note"].replace("", None),
        }
    )
    # Rows without a time_period (local monthly figures and the like): derived from the dates.
    gaps = frame.index[frame["reporting_year"].isna()]
    derived = [periods.reporting_year(s, e) for s, e in zip(frame.loc[gaps, "period_start"], frame.loc[gaps, "period_end"])]
    frame.loc[gaps, "reporting_year"] = pd.array(derived, dtype="Int64")
    is_target = frame["measure"].str.endswith("_target")
    targets = frame[is_target].rename(columns={"value": "target"})
    targets = targets.assign(measure=targets["measure"].str.removesuffix("_target"), tolerance=None, area_key=None)
    observations = frame[~is_target].reset_index(drop=True)
    unknown = sorted(set(observations["measure"].unique()) - set(registry().ids()))
    if unknown:
        raise JourneyError(f"{path.name}: measures not in the registry (data/measures.csv): {', '.join(unknown)}")
    return observations, targets.reset_index(drop=True)


def read_national_figures(path: Path = NATIONAL_FILE) -> pd.DataFrame:
    """The shipped national figures as observations (``journey.refresh.NATIONAL_COLUMNS``); a
    missing file is an empty frame (a checkout without the national dataset still gets the
    board-report figures)."""
    from journey.refresh import NATIONAL_COLUMNS

    if not path.exists():
        return pd.DataFrame(columns=NATIONAL_COLUMNS)
    national_codes(path)
    frame = pd.read_parquet(path, columns=NATIONAL_COLUMNS)
    frame["reporting_year"] = frame["reporting_year"].astype("Int64")
    return frame


def national_codes(path: Path = NATIONAL_FILE) -> pd.DataFrame:
    """The area code and measure of every national figure, after checking that the file has the
    columns of the dataset and only measures of this registry. Built by the project's own
    importer, every row has passed its checks; what is checked here is that the file belongs to
    this checkout (``refresh-default`` writes both)."""
    import pyarrow.parquet as pq

    from journey.refresh import NATIONAL_COLUMNS

    if not path.exists():
        return pd.DataFrame(columns=["area_code", "measure"])
    missing = sorted(set(NATIONAL_COLUMNS) - set(pq.read_schema(path).names))
    if missing:
        raise JourneyError(f"{path.name}: columns missing: {', '.join(missing)}. Run `python -m journey refresh-default`.")
    codes = pd.read_parquet(path, columns=["area_code", "measure"])
    unknown = sorted(set(codes["measure"].unique()) - set(registry().ids()))
    if unknown:
        raise JourneyError(
            f"{path.name}: measures not in the registry (data/measures.csv): {', '.join(unknown[:10])}."
            " Run `python -m journey refresh-default` again."
        )
    return codes


def default_checksum() -> str:
    """The checksum of the default dataset's files (what a store records it was built from)."""
    return file_checksum(*(p for p in (NATIONAL_FILE, BOARD_FIGURES_FILE) if p.exists()))


def load_reference(store: Store, *, force: bool = False) -> bool:
    """Make the store's areas and SN models equal ``data/``; True if anything changed."""
    checksum = file_checksum(AREAS_FILE, SN_FILE)
    if not force and store.meta("reference_checksum") == checksum:
        return False
    areas, models = read_areas(), read_sn_models()
    with store.transaction() as con:
        Store.replace_areas(con, areas)
        Store.replace_sn_models(con, models)
        Store.set_meta(con, "reference_checksum", checksum)
    return True


def load_default_figures(store: Store, *, force: bool = False) -> bool:
    """Load (or refresh) the default dataset as one import; True if anything changed.

    A refresh replaces the rows of the previous default import in the same transaction, so a
    failure leaves the old figures in place.
    """
    checksum = default_checksum()
    current = store.scalar(
        "SELECT checksum FROM imports WHERE kind = ? AND status = 'committed' ORDER BY import_id DESC LIMIT 1",
        [DEFAULT_KIND],
    )
    if current == checksum and not force:
        return False
    board, targets = read_published_figures()
    national = national_codes()
    area_keys = store.query("SELECT code, area_key FROM areas")
    unknown = sorted((set(national["area_code"].unique()) | set(board["area_code"].unique())) - set(area_keys["code"]))
    if unknown:
        raise JourneyError(f"Default dataset: area codes not in data/areas.csv: {', '.join(unknown[:10])}")
    targets["area_key"] = targets["area_code"].map(dict(zip(area_keys["code"], area_keys["area_key"])))
    with store.transaction() as con:
        Store.supersede_imports(con, DEFAULT_KIND)
        import_id = Store.new_import(
            con,
            DEFAULT_KIND,
            label="Default dataset: national figures and board reports",
            file_name=f"{NATIONAL_FILE.name}, {BOARD_FIGURES_FILE.name}",
            checksum=checksum,
        )
        if len(national):
            Store.insert_observations_parquet(con, import_id, NATIONAL_FILE)
        Store.insert_observations(con, import_id, board)
        Store.insert_targets(con, import_id, targets)
    return True


def open_store(path: Path | str | None = None, *, read_only: bool = False, load_default: bool | None = None) -> Store:
    """Open the database ready to use: schema migrated, reference data present, and on a new
    store the default dataset loaded (unless ``load_default`` is False or JOURNEY_NO_DEFAULT=1).
    """
    store = connect(path, read_only=read_only)
    if read_only:
        return store
    try:
        load_reference(store)
        fresh = store.scalar("SELECT count(*) FROM imports WHERE kind = ?", [DEFAULT_KIND]) == 0 and not store.meta(
            "default_declined"
        )
        wanted = load_default_wanted() if load_default is None else load_default
        if fresh and wanted:
            load_default_figures(store)
        elif fresh and not store.scalar("SELECT count(*) FROM observations"):
            with store.transaction() as con:
                Store.set_meta(con, "default_declined", "1")
    except Exception:
        store.close()
        raise
    return store


def build(path: Path | str | None = None, *, include_default: bool | None = None) -> dict[str, bool]:
    """Create or refresh a database from ``data/``; returns what changed."""
    store = connect(path)
    try:
        changed_ref = load_reference(store)
        wanted = load_default_wanted() if include_default is None else include_default
        changed_default = load_default_figures(store) if wanted else False
        return {"reference": changed_ref, "default": changed_default}
    finally:
        store.close()
