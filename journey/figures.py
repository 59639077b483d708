"""Reading figures: the latest vintage of each (area, measure, period), and every vintage.

A figure is identified by (area key, measure, period start, period end). Several rows may
give it: a board report's provisional count and DfE's final statistic, or successive DfE
releases after ONS revised its population estimates. The *latest* is the newest vintage; for
the same vintage the later import, then the first row of that import. The others stay
queryable through ``all_vintages`` and ``conflicts``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from journey.store import Store
from journey.vintages import vintage_order_sql

FIGURE_KEY = ["area_key", "measure", "period_start", "period_end"]

_BASE = """
    SELECT o.obs_id, a.area_key, o.area_code, a.name AS area_name, a.type AS area_type, o.measure,
           o.period_start, o.period_end, o.reporting_year, o.value, o.symbol, o.source, o.vintage,
           o.note, o.import_id
    FROM observations o JOIN areas a ON a.code = o.area_code
    JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
    WHERE o.replaced_by IS NULL AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], a.area_key))
      AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], o.measure))
      AND (?::INTEGER IS NULL OR o.reporting_year = ?::INTEGER)
      AND (NOT ?::BOOLEAN OR (o.reporting_year IS NOT NULL AND (o.period_start = o.period_end
                              OR date_diff('day', o.period_start, o.period_end) >= 364)))
"""

_RANKED = f"""
    SELECT *,
        row_number() OVER w AS rank_in_figure,
        count(*) OVER (PARTITION BY area_key, measure, period_start, period_end) AS n_rows
    FROM ({_BASE}) base
    WINDOW w AS (PARTITION BY area_key, measure, period_start, period_end
                 ORDER BY {vintage_order_sql()} DESC, import_id DESC, obs_id)
"""


def _params(area_keys: Sequence[str] | None, measures: Sequence[str] | None, year: int | None, annual: bool = False) -> list:
    """The parameters of ``_BASE``. ``annual``: only a reporting year's figures, the year to 31
    March or the snapshot at 31 March (periods of 364 days or more, or a single day, with a
    reporting year): the one rule for "annual", applied in SQL so sub-annual local series (often
    the most rows) are never read when they are not wanted."""
    ak = list(area_keys) if area_keys is not None else None
    ms = list(measures) if measures is not None else None
    return [ak, ak, ms, ms, year, year, annual]


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("period_start", "period_end"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    frame["reporting_year"] = frame["reporting_year"].astype("Int64")
    # Missing stays missing: keep None, never 0.
    frame["value"] = frame["value"].astype("float64")
    return frame


def latest(
    store: Store,
    area_keys: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    reporting_year: int | None = None,
    *,
    annual: bool = False,
) -> pd.DataFrame:
    """The latest figure for each (area, measure, period), with ``n_rows`` saying how many
    rows (vintages or sources) give that figure; ``annual``: reporting years' figures only."""
    sql, params = latest_sql(area_keys, measures, reporting_year, annual=annual)
    return _tidy(store.query(f"{sql} ORDER BY area_key, measure, period_end, period_start", params))


def latest_sql(
    area_keys: Sequence[str] | None = None, measures: Sequence[str] | None = None, reporting_year: int | None = None,
    *, annual: bool = False,
) -> tuple[str, list]:
    """(SQL, parameters) selecting what ``latest`` returns, unordered, for use inside other queries."""
    return (f"SELECT * EXCLUDE (rank_in_figure) FROM ({_RANKED}) WHERE rank_in_figure = 1",
            _params(area_keys, measures, reporting_year, annual))


def all_vintages(
    store: Store,
    area_keys: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    reporting_year: int | None = None,
) -> pd.DataFrame:
    """Every row, newest first within each figure; ``is_latest`` marks the one shown by default."""
    sql = f"SELECT * EXCLUDE (rank_in_figure), rank_in_figure = 1 AS is_latest FROM ({_RANKED}) ORDER BY area_key, measure, period_end, period_start, rank_in_figure"
    return _tidy(store.query(sql, _params(area_keys, measures, reporting_year)))


def conflicts(store: Store, area_keys: Sequence[str] | None = None, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Figures given by more than one row with different values or symbols, every row shown.

    Revisions by a later vintage and contradictions inside one source both appear; the
    ``kind`` column says which. Remembered until the store changes: do not modify the frame.
    """
    key = ("conflicts", tuple(area_keys) if area_keys is not None else None, tuple(measures) if measures is not None else None)
    return store.memo(key, lambda: _conflicts(store, area_keys, measures))


def _conflicts(store: Store, area_keys: Sequence[str] | None, measures: Sequence[str] | None) -> pd.DataFrame:
    rows = all_vintages(store, area_keys, measures)
    rows = rows[rows["n_rows"] > 1].copy()
    if rows.empty:
        return rows.assign(kind=pd.Series(dtype=str))
    rows["value_key"] = rows["value"].round(6).astype(str) + "|" + rows["symbol"].fillna("")
    groups = rows.groupby(FIGURE_KEY, dropna=False)
    differs = groups["value_key"].transform("nunique") > 1
    rows = rows[differs].copy()
    same_source = rows.groupby(FIGURE_KEY, dropna=False)["source"].transform("nunique") == 1
    same_vintage = rows.groupby(FIGURE_KEY, dropna=False)["vintage"].transform("nunique") == 1
    rows["kind"] = "different sources"
    rows.loc[same_source & ~same_vintage, "kind"] = "revised in a later release"
    rows.loc[same_source & same_vintage, "kind"] = "contradiction within one source"
    return rows.drop(columns=["value_key"])


def by_source(store: Store, source_contains: str, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Every row whose source contains the text (case-insensitive), in import order."""
    sql = f"SELECT * FROM ({_BASE}) WHERE source ILIKE ? ORDER BY obs_id"
    return _tidy(store.query(sql, [*_params(None, measures, None), f"%{source_contains}%"]))


def sources(store: Store) -> pd.DataFrame:
    """What the store holds, by source and vintage: rows, areas, measures, years covered.
    Remembered until the store changes: do not modify the frame."""
    return store.memo("sources", lambda: store.query(
        f"""SELECT o.source, o.vintage, count(*) AS rows, count(DISTINCT o.area_code) AS areas,
                  count(DISTINCT o.measure) AS measures, min(year(o.period_end)) AS first_year,
                  max(year(o.period_end)) AS last_year,
                  count(*) FILTER (WHERE o.value IS NULL) AS suppressed_or_missing
           FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
           WHERE o.replaced_by IS NULL
           GROUP BY ALL ORDER BY {vintage_order_sql("any_value(o.vintage)")} DESC, o.source"""
    ))


def observation_count(store: Store) -> int:
    """How many figures (rows of committed imports) the store holds; counted once per store version."""
    return store.memo("observation_count", lambda: int(store.scalar(
        "SELECT count(*) FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed' "
        "WHERE o.replaced_by IS NULL")))


def store_summary(store: Store) -> dict[str, object]:
    """Counts for the Data page: figures, LAs, first and last year, measures present.
    Remembered until the store changes."""
    return store.memo("store_summary", lambda: _store_summary(store))


def _store_summary(store: Store) -> dict[str, object]:
    row = store.query(
        """SELECT count(*) AS figures, min(year(o.period_end)) AS first_year, max(year(o.period_end)) AS last_year
           FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
           WHERE o.replaced_by IS NULL"""
    ).iloc[0]
    return {
        "figures": int(row["figures"]),
        "first_year": None if pd.isna(row["first_year"]) else int(row["first_year"]),
        "last_year": None if pd.isna(row["last_year"]) else int(row["last_year"]),
        "local_authorities": int(store.scalar("SELECT count(DISTINCT area_key) FROM areas WHERE type = 'LA'")),
        "measures_present": set(store.query("SELECT DISTINCT measure FROM observations")["measure"]),
    }


def import_history(store: Store) -> pd.DataFrame:
    """Every import, newest first: id, kind, label, file name, time, rows added, status.
    Remembered until the store changes (every import and undo changes it): do not modify."""
    return store.memo("import_history", lambda: store.query(
        """SELECT import_id AS id, kind, label, file_name, created_at, rows_added, rows_replaced, status, details
           FROM imports ORDER BY import_id DESC"""
    ))


def import_effect(store: Store, import_id: int) -> tuple[int, int, int]:
    """What undoing an import would do: (figures it added that would be removed, figures it
    replaced that would come back, targets and neighbour rows it added that would be removed)."""
    added = store.scalar("SELECT count(*) FROM observations WHERE import_id = ?", [import_id]) or 0
    restored = store.scalar("SELECT count(*) FROM observations WHERE replaced_by = ?", [import_id]) or 0
    other = (store.scalar("SELECT count(*) FROM targets WHERE import_id = ?", [import_id]) or 0) + (
        store.scalar("SELECT count(*) FROM sn_models WHERE import_id = ?", [import_id]) or 0)
    return int(added), int(restored), int(other)
