"""The DuckDB store: schema, migrations, and every SQL statement that writes.

One database file holds areas, observations, statistical-neighbour models, targets and the
import log. ``populations`` is a view over the ``population_0_17`` observations so a figure is
never stored twice. Every write runs in one transaction (``Store.transaction``) that also bumps
``data_version``, which the app uses to invalidate its caches.

Reads live in ``journey.figures`` and friends; they call ``Store.query``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from journey.config import default_db_path
from journey.errors import StoreError

T = TypeVar("T")
#: Results ``Store.memo`` keeps: a few per measure (about 60) plus one per LA and measure looked at
#: (sub-annual series). The least recently used go first, so a busy server never drops them all.
MEMO_ENTRIES = 4096
#: How long a session waits for another that is computing the same result before computing it
#: itself (a safety net: results depend on each other in one direction only, so none waits forever).
BUILD_WAIT_S = 120
IDLE_READERS = 8  # open read transactions kept for reuse (about one per session drawing at once)
SLOW_BUILD_S = 0.025  # a remembered result that took this long is one of the large per-version ones

# Each migration is applied once, in order, inside one transaction; ``meta.schema_version``
# records how many have run. Never edit a released migration: append a new one.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
        """CREATE TABLE areas (
            code VARCHAR PRIMARY KEY,          -- GSS code (E10000034), or SN-<code>-PUBLISHED
            name VARCHAR NOT NULL,
            type VARCHAR NOT NULL CHECK (type IN ('LA', 'region', 'country', 'SN group')),
            old_la_code VARCHAR,               -- DfE 3-digit code, LAs only
            region_code VARCHAR,
            first_year INTEGER,                -- first and last reporting year DfE publishes
            last_year INTEGER,
            area_key VARCHAR NOT NULL          -- stable identity: old LA code for LAs, else code
        )""",
        """CREATE SEQUENCE import_id_seq START 1""",
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,             -- reference, default, upload, cli
            label VARCHAR,
            file_name VARCHAR,
            checksum VARCHAR,
            sheet VARCHAR,
            created_at TIMESTAMP NOT NULL,
            rows_added INTEGER NOT NULL DEFAULT 0,
            rows_replaced INTEGER NOT NULL DEFAULT 0,
            status VARCHAR NOT NULL CHECK (status IN ('committed', 'undone', 'superseded'))
        )""",
        """CREATE TABLE observations (
            obs_id BIGINT PRIMARY KEY,
            area_code VARCHAR NOT NULL,
            measure VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            reporting_year INTEGER,            -- DfE year ending 31 March Y, where the period is one
            value DOUBLE,                      -- NULL when suppressed or missing: never 0
            symbol VARCHAR,                    -- suppression symbol as published (c, x, z, low, u, -)
            source VARCHAR NOT NULL,
            vintage VARCHAR NOT NULL,          -- YYYY or YYYY-MM of the release
            note VARCHAR,
            import_id INTEGER NOT NULL,
            CHECK (value IS NOT NULL OR symbol IS NOT NULL),
            CHECK (period_start <= period_end)
        )""",
        """CREATE INDEX obs_area_measure ON observations (area_code, measure)""",
        """CREATE TABLE sn_models (
            model INTEGER NOT NULL,            -- 2021 or 2025
            old_la_code VARCHAR NOT NULL,
            rank INTEGER NOT NULL,             -- 1 = closest neighbour
            neighbour_old_la_code VARCHAR NOT NULL,
            closeness VARCHAR,
            PRIMARY KEY (model, old_la_code, rank)
        )""",
        """CREATE TABLE targets (
            area_key VARCHAR NOT NULL,
            measure VARCHAR NOT NULL,
            period_start DATE,
            period_end DATE,
            target DOUBLE NOT NULL,
            tolerance DOUBLE,                  -- same unit as the measure (points for %)
            source VARCHAR NOT NULL,
            note VARCHAR,
            import_id INTEGER NOT NULL
        )""",
        """CREATE VIEW populations AS
            SELECT o.area_code, year(o.period_end) AS mid_year, o.value AS population, o.symbol,
                   o.source, o.vintage, o.import_id
            FROM observations o WHERE o.measure = 'population_0_17'""",
        """INSERT INTO meta VALUES ('data_version', '0')""",
    ],
    [
        # Imports that correct a figure mark the old row replaced (kept, so undo restores it).
        """ALTER TABLE observations ADD COLUMN replaced_by INTEGER""",
        # SN models become versioned by import: an uploaded model replaces the rows in force.
        """CREATE TABLE sn_models_v2 (
            model INTEGER NOT NULL,
            old_la_code VARCHAR NOT NULL,
            rank INTEGER NOT NULL,
            neighbour_old_la_code VARCHAR NOT NULL,
            closeness VARCHAR,
            import_id INTEGER,                 -- NULL for the reference data in data/
            replaced_by INTEGER
        )""",
        """INSERT INTO sn_models_v2 SELECT model, old_la_code, rank, neighbour_old_la_code, closeness, NULL, NULL FROM sn_models""",
        """DROP TABLE sn_models""",
        """ALTER TABLE sn_models_v2 RENAME TO sn_models""",
        """CREATE TABLE label_mappings (
            label_key VARCHAR PRIMARY KEY,     -- normalised row label from a user's spreadsheet
            measure VARCHAR NOT NULL,          -- measure id, or 'skip'
            created_at TIMESTAMP NOT NULL
        )""",
        """ALTER TABLE imports ADD COLUMN details VARCHAR""",
    ],
    [
        # Board sets: the indicators a board reads, in order, with local targets and comments.
        # Each save is a new version; the previous one is kept (replaced_by) so a save can be undone.
        """CREATE SEQUENCE board_set_id_seq START 1""",
        """CREATE TABLE board_sets (
            set_id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            area_key VARCHAR NOT NULL,         -- the LA the set is for
            saved_at TIMESTAMP NOT NULL,
            replaced_by INTEGER,               -- the version that replaced this one
            deleted BOOLEAN NOT NULL DEFAULT false
        )""",
        """CREATE TABLE board_items (
            set_id INTEGER NOT NULL,
            position INTEGER NOT NULL,         -- 1 = first slide
            measure VARCHAR NOT NULL,
            target DOUBLE,                     -- local target in the measure's unit (NULL = none)
            tolerance DOUBLE,                  -- amber band in the same unit
            comment VARCHAR,
            PRIMARY KEY (set_id, position)
        )""",
    ],
]

OBSERVATION_COLUMNS = [
    "area_code",
    "measure",
    "period_start",
    "period_end",
    "reporting_year",
    "value",
    "symbol",
    "source",
    "vintage",
    "note",
]
#: OBSERVATION_COLUMNS as the observations table types them, for every INSERT of figures.
_OBS_VALUES = (
    "area_code, measure, CAST(period_start AS DATE), CAST(period_end AS DATE), CAST(reporting_year AS INTEGER),"
    " CAST(value AS DOUBLE), symbol, source, vintage, note"
)
TARGET_COLUMNS = ["area_key", "measure", "period_start", "period_end", "target", "tolerance", "source", "note"]


def _explain(path: Path, exc: Exception) -> StoreError:
    """Turn a DuckDB error on opening into one sentence that says what to do."""
    text = str(exc)
    low = text.lower()
    if "lock" in low:
        return StoreError(
            f"The database {path} is in use by another program (it holds a lock). "
            "Close the other dashboard or command that has it open, then try again."
        )
    if "not a valid duckdb" in low or "corrupt" in low or "serializ" in low or "magic" in low or "checksum" in low:
        return StoreError(
            f"The database {path} is damaged or is not a DuckDB database. Move it aside and run "
            "`python -m journey build` to create a new one from data/, then re-import your files."
        )
    if "permission" in low or "read-only" in low or "read only" in low:
        return StoreError(f"The database {path} cannot be written: {text.splitlines()[0]}. Check the folder's permissions.")
    if "no such file" in low or "cannot open" in low:
        return StoreError(f"The database {path} cannot be opened: {text.splitlines()[0]}.")
    return StoreError(f"The database {path} cannot be opened: {text.splitlines()[0]}")


def _write_failed(path: Path, exc: Exception) -> StoreError:
    """A write that the disk refused (full, too large, read-only): nothing was changed."""
    first = str(exc).splitlines()[0]
    return StoreError(
        f"The database {path} could not be written ({first}). The disk may be full or the location read-only; "
        "nothing was changed. Free some space (or move the database with JOURNEY_DB) and try again."
    )


class _Snapshot:
    """One thread's read transaction: a DuckDB cursor that sees the store as it was when the
    block began, and the ``data_version`` of that state."""

    __slots__ = ("cursor", "version")

    def __init__(self, cursor: duckdb.DuckDBPyConnection, version: int) -> None:
        self.cursor = cursor
        self.version = version


class Store:
    """An open database. Use ``open_store`` to get one with schema and reference data ready.

    Reads and writes never wait for each other. A block of reads (``reading``: a page run, a
    remembered computation) is one DuckDB read transaction, so it sees a single state of the
    store however many commits happen meanwhile; writes take a mutex among themselves only and
    hold it for the transaction itself. A long check of an upload is a read, so it never holds
    up another session's page or import (issue 12: no convoy behind a waiting writer)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool):
        self.path = path
        self._con = con
        self.read_only = read_only
        self._local = threading.local()  # .snapshot: this thread's read block, if any
        self._idle: dict[int, list[_Snapshot]] = {}  # open read transactions not in use, by version
        self._pool_guard = threading.Lock()
        self._write_mutex = threading.RLock()
        self._memo: OrderedDict[object, tuple[int, object]] = OrderedDict()
        self._memo_guard = threading.Lock()
        self._building: dict[tuple[object, int], threading.Event] = {}  # (key, version) being computed
        #: How many remembered results took SLOW_BUILD_S or more to make (the server moves such
        #: long-lived results out of the garbage collector's way: ui.data.settle_memory).
        self.slow_builds = 0
        self._version = self._committed_version()

    def _committed_version(self) -> int:
        cur = self._con.cursor()
        try:
            return int(cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0])
        except (IndexError, ValueError):
            return 0
        finally:
            cur.close()

    def _snapshot(self) -> _Snapshot | None:
        return getattr(self._local, "snapshot", None)

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A block of reads that sees one state of the store, whatever commits meanwhile.

        A page run is one such block (app.py), so the figures on a page never mix the state
        before an import with the state after it; inside it ``data_version`` is the version of
        that state, so whatever is remembered under it matches it. Nested blocks in one thread
        share the outer one's state. A write made inside a block commits at once; the block
        goes on seeing the state it began with."""
        if self._snapshot() is not None:
            yield
            return
        snap = self._take_snapshot()
        self._local.snapshot = snap
        try:
            yield
        finally:
            self._local.snapshot = None
            self._give_back(snap)

    # Read transactions are kept open between blocks, in a small pool per data version: opening
    # one costs three statements (about 0.8 ms, a tenth of a page rerun), reusing one costs
    # nothing, and a transaction opened at version v sees v for as long as it stays open. Writes
    # close the idle ones before they commit (DuckDB checkpoints only with no other transaction
    # open), and a commit makes the rest useless.
    def _take_snapshot(self) -> _Snapshot:
        with self._pool_guard:
            idle = self._idle.get(self._version)
            if idle:
                return idle.pop()
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            version = int(cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0])
        except BaseException:
            cur.close()
            raise
        return _Snapshot(cur, version)

    def _give_back(self, snap: _Snapshot) -> None:
        with self._pool_guard:
            if snap.version == self._version:
                idle = self._idle.setdefault(snap.version, [])
                if len(idle) < IDLE_READERS:
                    idle.append(snap)
                    return
        self._end(snap)

    def _close_idle(self) -> None:
        with self._pool_guard:
            pools, self._idle = self._idle, {}
        for snap in (s for idle in pools.values() for s in idle):
            self._end(snap)

    @staticmethod
    def _end(snap: _Snapshot) -> None:
        with contextlib.suppress(duckdb.Error):
            snap.cursor.execute("ROLLBACK")
            snap.cursor.close()

    def memo(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, remembered until the next write to the store (by ``data_version``).

        Results are shared between callers: treat them as read-only.
        """
        hit = self._memo_get(key)
        if hit is not None and hit[0] == self.data_version:
            return hit[1]  # type: ignore[return-value]
        # Computed in one read block, so a result made of several queries comes from one state of
        # the store and is filed under that state's version.
        with self.reading():
            version = self.data_version
            hit = self._memo_get(key)
            if hit is not None and hit[0] == version:
                return hit[1]  # type: ignore[return-value]
            # One computation per (key, version): after a commit every session misses at once, and
            # each computing the same large lookup itself multiplied the time and the memory.
            with self._memo_guard:
                building = self._building.get((key, version))
                mine = building is None
                if mine:
                    building = self._building[(key, version)] = threading.Event()
            if not mine:
                building.wait(timeout=BUILD_WAIT_S)
                hit = self._memo_get(key)
                if hit is not None and hit[0] == version:
                    return hit[1]  # type: ignore[return-value]
            try:
                started = time.perf_counter()
                value = compute()
                if time.perf_counter() - started >= SLOW_BUILD_S:
                    self.slow_builds += 1
                with self._memo_guard:
                    current = self._memo.get(key)
                    # A block that began before a commit never files its older result over a newer one.
                    if current is None or current[0] <= version:
                        self._memo[key] = (version, value)
                    while len(self._memo) > MEMO_ENTRIES:  # the least recently used goes first
                        self._memo.popitem(last=False)
                return value
            finally:
                if mine:
                    with self._memo_guard:
                        self._building.pop((key, version), None)
                    building.set()

    def _memo_get(self, key: object) -> tuple[int, object] | None:
        # No lock on a hit (a page run makes hundreds): OrderedDict's get and move_to_end are
        # each atomic, and a key dropped by another thread in between is simply a miss.
        hit = self._memo.get(key)
        if hit is not None:
            try:
                self._memo.move_to_end(key)
            except KeyError:
                return None
        return hit

    # ---- reading -------------------------------------------------------------------------
    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a read-only query: in this thread's read block when there is one, else on a cursor
        of its own (safe from several threads)."""
        snap = self._snapshot()
        if snap is not None:
            return snap.cursor.execute(sql, params or []).df()
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        snap = self._snapshot()
        if snap is not None:
            rows = snap.cursor.execute(sql, params or []).fetchall()
            return rows[0][0] if rows else None
        cur = self._con.cursor()
        try:
            rows = cur.execute(sql, params or []).fetchall()
            return rows[0][0] if rows else None
        finally:
            cur.close()

    @property
    def data_version(self) -> int:
        """Increases by one with every committed write; caches key on it. Inside a read block,
        the version of the state that block sees.

        Kept in memory: this Store is the only writer of its file (DuckDB's lock keeps other
        processes out; the app opens one Store per file). ``refresh`` re-reads it.
        """
        snap = self._snapshot()
        return snap.version if snap is not None else self._version

    def refresh(self) -> int:
        """Re-read the committed ``data_version`` from the file (after another connection wrote to it)."""
        self._version = self._committed_version()
        return self._version

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def close(self) -> None:
        self._close_idle()
        self._con.close()

    def publish(self, dest: Path | str) -> Path:
        """Write a consistent copy of the store to ``dest`` for read-only servers to open.

        DuckDB lets one process write a file or many processes read it, not both: the servers
        that show the dashboard read a published copy while imports go into this file. The copy
        is made from one state of the store (no write commits meanwhile) into a temporary file
        beside ``dest`` and renamed over it in one step, so a server starting at that moment
        opens the old copy or the new one, never half of one; servers already running keep the
        copy they opened until they are restarted.
        """
        dest = Path(dest).resolve()
        if dest == self.path.resolve():
            raise StoreError("Publish to another file: this one is the store itself.")
        tmp = dest.with_name(dest.name + ".publishing")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
            quoted = str(tmp).replace("'", "''")
            with self._write_mutex:  # the copy uses the writers' connection
                source = self._con.execute("SELECT current_database()").fetchall()[0][0]
                self._con.execute(f"ATTACH '{quoted}' AS journey_publish")
                try:
                    self._con.execute(f'COPY FROM DATABASE "{source}" TO journey_publish')
                    self._con.execute("CHECKPOINT journey_publish")
                finally:
                    self._con.execute("DETACH journey_publish")
            os.replace(tmp, dest)
        except (duckdb.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"Could not publish to {dest} ({exc}); the published copy there is unchanged.") from None
        return dest

    # ---- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, figures: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all of it commits, or none of it (rolled back on any error).

        ``figures=False`` for writes that cannot change any figure (board sets): the
        ``data_version`` that figure caches key on is left alone."""
        if self.read_only:
            raise StoreError(f"The database {self.path} was opened read-only; it cannot be changed.")
        with self._write_mutex:
            self._close_idle()
            con = self._con
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                if figures:
                    con.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS VARCHAR) WHERE key = 'data_version'")
                con.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(duckdb.Error):  # after an I/O error the transaction may be gone already
                    con.execute("ROLLBACK")
                # A disk that refuses the write raises IOException from a statement, or
                # TransactionException from COMMIT when the log cannot be written (0 bytes free).
                if isinstance(exc, duckdb.IOException | duckdb.TransactionException):
                    raise _write_failed(self.path, exc) from None
                raise
            self.refresh()
            self._close_idle()  # they see the state before this commit

    @staticmethod
    def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    @staticmethod
    def replace_areas(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame) -> None:
        """Replace the area list (reference data) with ``areas`` (columns as the table)."""
        con.execute("DELETE FROM areas")
        con.register("_areas_in", areas)
        con.execute(
            """INSERT INTO areas SELECT code, name, type, old_la_code, region_code,
                   first_year, last_year, area_key FROM _areas_in"""
        )
        con.unregister("_areas_in")

    @staticmethod
    def replace_sn_models(con: duckdb.DuckDBPyConnection, models: pd.DataFrame) -> None:
        """Replace the statistical-neighbour models with ``models``."""
        con.execute("DELETE FROM sn_models WHERE import_id IS NULL")
        con.register("_sn_in", models)
        con.execute(
            """INSERT INTO sn_models SELECT model, old_la_code, rank, neighbour_old_la_code, closeness, NULL,
                   (SELECT min(u.import_id) FROM sn_models u WHERE u.model = _sn_in.model
                    AND u.old_la_code = _sn_in.old_la_code AND u.import_id IS NOT NULL AND u.replaced_by IS NULL)
               FROM _sn_in"""
        )
        con.unregister("_sn_in")

    @staticmethod
    def new_import(
        con: duckdb.DuckDBPyConnection,
        kind: str,
        *,
        label: str | None = None,
        file_name: str | None = None,
        checksum: str | None = None,
        sheet: str | None = None,
    ) -> int:
        """Record an import (status committed; the surrounding transaction makes it so)."""
        import_id = con.execute("SELECT nextval('import_id_seq')").fetchall()[0][0]
        con.execute(
            """INSERT INTO imports (import_id, kind, label, file_name, checksum, sheet, created_at, status)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'committed')""",
            [import_id, kind, label, file_name, checksum, sheet, dt.datetime.now().replace(microsecond=0)],
        )
        return int(import_id)

    @staticmethod
    def insert_observations(con: duckdb.DuckDBPyConnection, import_id: int, rows: pd.DataFrame) -> int:
        """Append ``rows`` (OBSERVATION_COLUMNS) under ``import_id``; ids follow row order."""
        if rows.empty:
            return 0
        start = con.execute("SELECT coalesce(max(obs_id), 0) + 1 FROM observations").fetchall()[0][0]
        frame = rows[OBSERVATION_COLUMNS].copy()
        frame.insert(0, "obs_id", range(start, start + len(frame)))
        frame["import_id"] = import_id
        con.register("_obs_in", frame)
        con.execute(
            f"INSERT INTO observations (obs_id, {', '.join(OBSERVATION_COLUMNS)}, import_id) SELECT obs_id, {_OBS_VALUES}, import_id FROM _obs_in"
        )
        con.unregister("_obs_in")
        con.execute("UPDATE imports SET rows_added = rows_added + ? WHERE import_id = ?", [len(frame), import_id])
        return len(frame)

    @staticmethod
    def insert_observations_parquet(con: duckdb.DuckDBPyConnection, import_id: int, path: Path) -> int:
        """Append the figures of a Parquet file with OBSERVATION_COLUMNS (the shipped national
        dataset) under ``import_id``, read by DuckDB itself; ids follow the file's row order."""
        start = con.execute("SELECT coalesce(max(obs_id), 0) FROM observations").fetchall()[0][0]
        n = con.execute(
            f"""INSERT INTO observations (obs_id, {", ".join(OBSERVATION_COLUMNS)}, import_id)
                SELECT ? + row_number() OVER (), {_OBS_VALUES}, ? FROM read_parquet(?)""",
            [start, import_id, str(path)],
        ).fetchall()[0][0]
        con.execute("UPDATE imports SET rows_added = rows_added + ? WHERE import_id = ?", [n, import_id])
        return n

    @staticmethod
    def insert_targets(con: duckdb.DuckDBPyConnection, import_id: int, rows: pd.DataFrame) -> int:
        """Append targets (TARGET_COLUMNS) under ``import_id``."""
        if rows.empty:
            return 0
        frame = rows[TARGET_COLUMNS].copy()
        frame["import_id"] = import_id
        con.register("_targets_in", frame)
        con.execute(
            """INSERT INTO targets SELECT area_key, measure, CAST(period_start AS DATE),
                   CAST(period_end AS DATE), CAST(target AS DOUBLE), CAST(tolerance AS DOUBLE),
                   source, note, import_id FROM _targets_in"""
        )
        con.unregister("_targets_in")
        return len(frame)

    @staticmethod
    def mark_replaced(con: duckdb.DuckDBPyConnection, obs_ids: list[int], import_id: int) -> int:
        """Mark rows as replaced by an import (kept for undo); returns how many."""
        if not obs_ids:
            return 0
        con.execute("UPDATE observations SET replaced_by = ? WHERE list_contains(?::BIGINT[], obs_id)", [import_id, obs_ids])
        con.execute("UPDATE imports SET rows_replaced = ? WHERE import_id = ?", [len(obs_ids), import_id])
        return len(obs_ids)

    @staticmethod
    def add_areas(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame) -> None:
        """Add areas that are not in the list yet (e.g. a board report's published SN group)."""
        if areas.empty:
            return
        con.register("_new_areas", areas)
        con.execute(
            """INSERT INTO areas SELECT code, name, type, old_la_code, region_code, first_year, last_year, area_key
               FROM _new_areas WHERE code NOT IN (SELECT code FROM areas)"""
        )
        con.unregister("_new_areas")

    @staticmethod
    def replace_sn_model(con: duckdb.DuckDBPyConnection, import_id: int, rows: pd.DataFrame) -> None:
        """Put an uploaded SN model in force for the LAs it lists; the rows it replaces are kept."""
        con.register("_sn_up", rows)
        con.execute(
            """UPDATE sn_models SET replaced_by = ? WHERE replaced_by IS NULL AND (model, old_la_code) IN
               (SELECT DISTINCT model, old_la_code FROM _sn_up)""",
            [import_id],
        )
        con.execute(
            """INSERT INTO sn_models SELECT model, old_la_code, rank, neighbour_old_la_code, closeness, ?, NULL
               FROM _sn_up""",
            [import_id],
        )
        con.unregister("_sn_up")

    @staticmethod
    def remember_mappings(con: duckdb.DuckDBPyConnection, mappings: dict[str, str]) -> None:
        """Remember row labels a user mapped to measures, for the next file."""
        now = dt.datetime.now().replace(microsecond=0)
        for key, measure in mappings.items():
            con.execute("INSERT OR REPLACE INTO label_mappings VALUES (?, ?, ?)", [key, measure, now])

    @staticmethod
    def set_import_details(con: duckdb.DuckDBPyConnection, import_id: int, details: str) -> None:
        con.execute("UPDATE imports SET details = ? WHERE import_id = ?", [details, import_id])

    @staticmethod
    def save_board_set(
        con: duckdb.DuckDBPyConnection, name: str, area_key: str, items: pd.DataFrame, *, deleted: bool = False
    ) -> int:
        """A new version of the named board set; the version in force is marked replaced by it.
        ``items``: columns position, measure, target, tolerance, comment."""
        set_id = con.execute("SELECT nextval('board_set_id_seq')").fetchall()[0][0]
        con.execute("UPDATE board_sets SET replaced_by = ? WHERE name = ? AND replaced_by IS NULL", [set_id, name])
        con.execute(
            "INSERT INTO board_sets VALUES (?, ?, ?, ?, NULL, ?)",
            [set_id, name, area_key, dt.datetime.now().replace(microsecond=0), deleted],
        )
        if not items.empty:
            rows = items[["position", "measure", "target", "tolerance", "comment"]].astype(object)
            rows = rows.where(rows.notna(), None)
            con.executemany(
                "INSERT INTO board_items VALUES (?, ?, ?, ?, ?, ?)", [[set_id, *r] for r in rows.itertuples(index=False)]
            )
        return int(set_id)

    @staticmethod
    def undo_board_save(con: duckdb.DuckDBPyConnection, set_id: int) -> None:
        """Remove one saved version and put back the version it replaced."""
        con.execute("DELETE FROM board_items WHERE set_id = ?", [set_id])
        con.execute("DELETE FROM board_sets WHERE set_id = ?", [set_id])
        con.execute("UPDATE board_sets SET replaced_by = NULL WHERE replaced_by = ?", [set_id])

    @staticmethod
    def undo_import(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
        """Remove an import's rows and bring back everything it replaced."""
        con.execute("DELETE FROM observations WHERE import_id = ?", [import_id])
        con.execute("UPDATE observations SET replaced_by = NULL WHERE replaced_by = ?", [import_id])
        con.execute("DELETE FROM targets WHERE import_id = ?", [import_id])
        con.execute("DELETE FROM sn_models WHERE import_id = ?", [import_id])
        con.execute("UPDATE sn_models SET replaced_by = NULL WHERE replaced_by = ?", [import_id])
        con.execute("UPDATE imports SET status = 'undone' WHERE import_id = ?", [import_id])

    @staticmethod
    def supersede_imports(con: duckdb.DuckDBPyConnection, kind: str) -> int:
        """Delete the rows of every committed import of ``kind`` and mark those imports superseded."""
        ids = [
            r[0] for r in con.execute("SELECT import_id FROM imports WHERE kind = ? AND status = 'committed'", [kind]).fetchall()
        ]
        for table in ("observations", "targets"):
            con.execute(f"DELETE FROM {table} WHERE import_id IN (SELECT unnest(?::INTEGER[]))", [ids])
        con.execute("UPDATE imports SET status = 'superseded' WHERE import_id IN (SELECT unnest(?::INTEGER[]))", [ids])
        return len(ids)


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchall()[0][0]
    version = 0
    if has_meta:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        version = int(rows[0][0]) if rows else 0
    if version > len(MIGRATIONS):
        raise StoreError(
            f"The database was written by a newer version of the dashboard (schema {version}); "
            "update the dashboard before opening it."
        )
    for number in range(version, len(MIGRATIONS)):
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[number]:
                con.execute(statement)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number + 1)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def connect(path: Path | str | None = None, *, read_only: bool = False) -> Store:
    """Open (creating if needed) the database and bring its schema up to date.

    Raises StoreError with a plain message when the file is locked, damaged or not writable.
    Does not load any data: ``journey.build.open_store`` does that.
    """
    db_path = Path(path) if path else default_db_path()
    if read_only and not db_path.exists():
        raise StoreError(f"The database {db_path} does not exist. Run `python -m journey build` first.")
    try:
        if not read_only:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db_path), read_only=read_only)
        con.execute("SET enable_progress_bar = false")  # no progress bars on a server's stderr
    except (duckdb.Error, OSError) as exc:
        raise _explain(db_path, exc) from None
    try:
        if not read_only:
            _migrate(con)
        elif not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'observations'").fetchall()[0][0]:
            raise StoreError(f"The database {db_path} has no dashboard tables. Run `python -m journey build`.")
    except duckdb.Error as exc:
        con.close()
        raise _explain(db_path, exc) from None
    return Store(db_path, con, read_only)
