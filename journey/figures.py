"""Reading figures: the latest vintage of each (area, measure, period), and every vintage.

A figure is identified by (area key, measure, period start, period end). Several rows may
give it: a board report's provisional count and DfE's final statistic, or successive DfE
releases after ONS revised its population estimates. The *latest* is the newest vintage; for
the same vintage the later import, then the first row of that import. The others stay
queryable through ``all_vintages`` and ``conflicts``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from journey.store import Store
from journey.symbols import PLACEHOLDER
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

#: Which row of a figure is shown: a row that is not LAIT's placeholder ``-`` before one that is
#: (``journey.symbols.PLACEHOLDER``), then the newest vintage, the later import, the first row.
SHOWN_ORDER = f"(symbol IS NOT DISTINCT FROM '{PLACEHOLDER}'), {vintage_order_sql()} DESC, import_id DESC, obs_id"

_RANKED = f"""
    SELECT *,
        row_number() OVER w AS rank_in_figure,
        count(*) OVER (PARTITION BY area_key, measure, period_start, period_end) AS n_rows
    FROM ({_BASE}) base
    WINDOW w AS (PARTITION BY area_key, measure, period_start, period_end
                 ORDER BY {SHOWN_ORDER})
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
    area_keys: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    reporting_year: int | None = None,
    *,
    annual: bool = False,
) -> tuple[str, list]:
    """(SQL, parameters) selecting what ``latest`` returns, unordered, for use inside other queries."""
    return (
        f"SELECT * EXCLUDE (rank_in_figure) FROM ({_RANKED}) WHERE rank_in_figure = 1",
        _params(area_keys, measures, reporting_year, annual),
    )


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
    """Figures given by more than one row that disagree, every row of each shown.

    Rows for one figure (area key, measure, period) *agree* when both have a value and the values
    are the same at the measure's published precision (``agreement_key``), or when neither has a
    value and both carry the same symbol: that is one figure, however many sources give it. They
    *disagree* when the values differ beyond rounding, when one has a value and the other a symbol
    (EES ``c`` against a LAIT figure), or when both have different symbols (``c`` against ``x``).
    Every row of a disagreeing figure is listed with its source and vintage; ``is_latest`` marks
    the one shown by default (the newest vintage). ``kind`` says who disagrees (different
    sources, a later release of the same source, or one source with itself) and ``difference``
    what disagrees ("different values", "a value against a symbol", "different symbols").
    Remembered until the store changes: do not modify the frame.
    """
    key = ("conflicts", tuple(area_keys) if area_keys is not None else None, tuple(measures) if measures is not None else None)
    return store.memo(key, lambda: _conflicts(store, area_keys, measures))


def agreement_key(measure: str, value: float | None, symbol: str | None) -> str:
    """What two rows of one figure must share to agree: the value at the measure's published
    precision (half away from zero, the registry's rule) when there is one, else the symbol.
    A measure the registry does not know is compared to 6 decimal places."""
    from journey.registry import registry, round_half_up

    if value is not None and not (isinstance(value, float) and math.isnan(value)):
        reg = registry()
        decimals = reg.get(measure).decimals if measure in reg else 6
        return f"value {round_half_up(float(value), decimals)!r}"
    return f"symbol {symbol if isinstance(symbol, str) else ''}"


def _disagree(keys: pd.Series) -> bool:
    """True when a figure's rows disagree: more than one agreement key, where LAIT's placeholder
    ``-`` agrees with any other symbol (both say there is no figure) but not with a value."""
    found = set(keys)
    if (
        len(found) > 1
        and f"symbol {PLACEHOLDER}" in found
        and any(k.startswith("symbol ") and k != f"symbol {PLACEHOLDER}" for k in found)
    ):
        found.discard(f"symbol {PLACEHOLDER}")
    return len(found) > 1


# Figures given by more than one row whose rows are not all identical: the only candidates for a
# conflict (identical rows always agree), found in SQL so a national store's thousands of figures
# given alike by EES and LAIT are never read into Python.
_CANDIDATES = f"""
    WITH base AS ({_BASE}),
    keys AS (SELECT area_key, measure, period_start, period_end FROM base GROUP BY ALL
             HAVING count(*) > 1 AND (count(value) NOT IN (0, count(*)) OR count(symbol) NOT IN (0, count(*))
                                      OR min(value) <> max(value) OR min(symbol) <> max(symbol)))
    SELECT * EXCLUDE (rank_in_figure), rank_in_figure = 1 AS is_latest FROM (
        SELECT b.*, row_number() OVER w AS rank_in_figure,
               count(*) OVER (PARTITION BY area_key, measure, period_start, period_end) AS n_rows
        FROM base b SEMI JOIN keys USING (area_key, measure, period_start, period_end)
        WINDOW w AS (PARTITION BY area_key, measure, period_start, period_end
                     ORDER BY {SHOWN_ORDER}))
    ORDER BY area_key, measure, period_end, period_start, rank_in_figure
"""


def _conflicts(store: Store, area_keys: Sequence[str] | None, measures: Sequence[str] | None) -> pd.DataFrame:
    rows = _tidy(store.query(_CANDIDATES, _params(area_keys, measures, None)))
    if rows.empty:
        return rows.assign(kind=pd.Series(dtype=str), difference=pd.Series(dtype=str))
    values = [None if math.isnan(v) else v for v in rows["value"].tolist()]
    symbols = [s if isinstance(s, str) else None for s in rows["symbol"].astype(object).tolist()]
    rows["agreement"] = [agreement_key(m, v, s) for m, v, s in zip(rows["measure"].tolist(), values, symbols)]
    rows["has_value"] = [v is not None for v in values]
    groups = rows.groupby(FIGURE_KEY, dropna=False, sort=False)
    rows = rows[groups["agreement"].transform(_disagree).astype(bool)].copy()
    if rows.empty:
        return rows.drop(columns=["agreement", "has_value"]).assign(kind=pd.Series(dtype=str), difference=pd.Series(dtype=str))
    groups = rows.groupby(FIGURE_KEY, dropna=False, sort=False)
    same_source = groups["source"].transform("nunique") == 1
    same_vintage = groups["vintage"].transform("nunique") == 1
    rows["kind"] = "different sources"
    rows.loc[same_source & ~same_vintage, "kind"] = "revised in a later release"
    rows.loc[same_source & same_vintage, "kind"] = "contradiction within one source"
    with_value = groups["has_value"].transform("sum")
    rows["difference"] = "different values"
    rows.loc[(with_value > 0) & (with_value < groups["has_value"].transform("size")), "difference"] = "a value against a symbol"
    rows.loc[with_value == 0, "difference"] = "different symbols"
    return rows.drop(columns=["agreement", "has_value"]).reset_index(drop=True)


def conflict_count(store: Store) -> int:
    """How many figures (area, measure, period) are in conflict (``conflicts``), not rows.
    Remembered until the store changes (the Data & sources page asks on every rerun: a
    groupby over a national store's conflicts was most of its time)."""

    def compute() -> int:
        c = conflicts(store)
        return 0 if c.empty else int(c.groupby(FIGURE_KEY, dropna=False).ngroups)

    return store.memo("conflict_count", compute)


def latest_years(store: Store) -> dict[str, int]:
    """{area key: the latest reporting year in which the area has any annual figure with a value}
    (a year to 31 March, a snapshot at 31 March, or any other one-day or whole-year figure with
    a reporting year), judgements (Ofsted's inspection dates) and context figures (ONS
    populations, which run a year ahead of the figures they divide) left out. Remembered until
    the store changes: do not modify."""

    def compute() -> dict[str, int]:
        from journey.registry import registry

        left_out = [m.id for m in registry() if m.is_judgement or m.stage == "context"]
        rows = store.query(
            """SELECT a.area_key, max(o.reporting_year) AS year
               FROM observations o JOIN areas a ON a.code = o.area_code
               JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
               WHERE o.replaced_by IS NULL AND o.value IS NOT NULL AND o.reporting_year IS NOT NULL
                 AND (o.period_start = o.period_end OR date_diff('day', o.period_start, o.period_end) >= 364)
                 AND NOT list_contains(?::VARCHAR[], o.measure)
               GROUP BY a.area_key""",
            [left_out],
        )
        return {str(k): int(y) for k, y in zip(rows["area_key"].tolist(), rows["year"].tolist())}

    return store.memo("latest_years", compute)


def by_source(store: Store, source_contains: str, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Every row whose source contains the text (case-insensitive), in import order."""
    sql = f"SELECT * FROM ({_BASE}) WHERE source ILIKE ? ORDER BY obs_id"
    return _tidy(store.query(sql, [*_params(None, measures, None), f"%{source_contains}%"]))


def sources(store: Store) -> pd.DataFrame:
    """What the store holds, by source and vintage: rows, areas, measures, years covered.
    Remembered until the store changes: do not modify the frame."""
    return store.memo(
        "sources",
        lambda: store.query(
            f"""SELECT o.source, o.vintage, count(*) AS rows, count(DISTINCT o.area_code) AS areas,
                  count(DISTINCT o.measure) AS measures, min(year(o.period_end)) AS first_year,
                  max(year(o.period_end)) AS last_year,
                  count(*) FILTER (WHERE o.value IS NULL) AS suppressed_or_missing
           FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed'
           WHERE o.replaced_by IS NULL
           GROUP BY ALL ORDER BY {vintage_order_sql("any_value(o.vintage)")} DESC, o.source"""
        ),
    )


def observation_count(store: Store) -> int:
    """How many figures (rows of committed imports) the store holds; counted once per store version."""
    return store.memo(
        "observation_count",
        lambda: int(
            store.scalar(
                "SELECT count(*) FROM observations o JOIN imports i ON i.import_id = o.import_id AND i.status = 'committed' "
                "WHERE o.replaced_by IS NULL"
            )
        ),
    )


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
    return store.memo(
        "import_history",
        lambda: store.query(
            """SELECT import_id AS id, kind, label, file_name, created_at, rows_added, rows_replaced, status, details
           FROM imports ORDER BY import_id DESC"""
        ),
    )


def import_effect(store: Store, import_id: int) -> tuple[int, int, int]:
    """What undoing an import would do: (figures it added that would be removed, figures it
    replaced that would come back, targets and neighbour rows it added that would be removed)."""
    added = store.scalar("SELECT count(*) FROM observations WHERE import_id = ?", [import_id]) or 0
    restored = store.scalar("SELECT count(*) FROM observations WHERE replaced_by = ?", [import_id]) or 0
    other = (store.scalar("SELECT count(*) FROM targets WHERE import_id = ?", [import_id]) or 0) + (
        store.scalar("SELECT count(*) FROM sn_models WHERE import_id = ?", [import_id]) or 0
    )
    return int(added), int(restored), int(other)
