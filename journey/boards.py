"""Board sets: the indicators a board reads at a meeting, in order, each with an optional local
target and tolerance and a comment for the slide and the board pack.

Sets are kept by name. Every save writes a new version and keeps the one before, so the last
save (or a delete) can be undone. Until a board saves its own set, the *built-in set* has one
measure per journey stage, in journey order: the stage's headline measure when the LA has a
current figure for it, else the stage's measure with the LA's most recent figure
(``built_in_measures``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from journey.errors import JourneyError
from journey.registry import registry
from journey.store import Store

DEFAULT_NAME = "Headline indicators"
MAX_ITEMS = 20
MAX_COMMENT = 600  # characters: a comment must fit under the chart on one pack page
MAX_NAME = 80


@dataclass(frozen=True)
class BoardItem:
    measure: str
    target: float | None = None  # in the measure's unit (percentage points for %)
    tolerance: float | None = None  # amber band around the target, same unit
    comment: str = ""


@dataclass(frozen=True)
class BoardSet:
    name: str
    area_key: str
    items: tuple[BoardItem, ...]
    set_id: int | None = None  # None: the default set, never saved
    saved_at: dt.datetime | None = None

    @property
    def measures(self) -> list[str]:
        return [i.measure for i in self.items]


def default_set(area_key: str, store: Store | None = None, year_to: int | None = None) -> BoardSet:
    """The built-in set, without targets or comments: with a store, ``built_in_measures`` (a
    measure with a current figure for each stage); without one, the headline measure of every
    stage, in journey order."""
    if store is None:
        ids = [m.id for m in registry().headlines()]
    else:
        ids = built_in_measures(store, area_key, year_to)
    return BoardSet(DEFAULT_NAME, area_key, tuple(BoardItem(i) for i in ids))


def built_in_measures(store: Store, area_key: str, year_to: int | None = None) -> list[str]:
    """One measure per journey stage that has a headline, in journey order: the stage's headline
    measure when the LA has a current figure for it (``narrative.age_note`` says it is not
    stale), else the stage's measure with the LA's most recent figure; when years tie, the
    headline, then national measures before local ones, then measures with a good direction
    before neutral ones, then registry order. Judgements are never chosen (they cannot be
    charted). A stage where the LA has no figure at all is left out (early help is local data
    DfE does not collect: a board should not open on an empty slide; the Board page adds it back
    in one click); an LA with no figures at all gets the headlines, whose slides say so.
    ``year_to``: figures after it are not counted."""
    from journey import areas as areas_mod
    from journey.benchmarks import period_labels, value_years
    from journey.narrative import age_note

    area = areas_mod.get_area(store, area_key)
    out = []
    groups = registry().by_stage()
    for headline in registry().headlines():
        stage = [m for m in groups[headline.stage] if not m.is_judgement]

        def latest(measure_id: str) -> int | None:
            years = [y for y in value_years(store, measure_id).get(area.key, ()) if year_to is None or y <= year_to]
            return years[-1] if years else None

        year = latest(headline.id)
        if (
            year is not None
            and age_note(store, area, year, period_labels(store, headline.id).get(year, str(year)), year_to) is None
        ):
            out.append(headline.id)
            continue
        ranked = [
            (y, m.id == headline.id, m.origin == "national", m.judged, -n, m.id)
            for n, m in enumerate(stage)
            if (y := latest(m.id)) is not None
        ]
        if ranked:
            out.append(max(ranked)[-1])
    return out or [m.id for m in registry().headlines()]


def set_names(store: Store) -> list[str]:
    """Names of the saved sets in force, alphabetically."""
    rows = store.query("SELECT name FROM board_sets WHERE replaced_by IS NULL AND NOT deleted ORDER BY lower(name)")
    return rows["name"].tolist()


def load_set(store: Store, name: str) -> BoardSet | None:
    """The version in force of a saved set, or None when there is none (or it was deleted)."""
    head = store.query(
        "SELECT set_id, area_key, saved_at FROM board_sets WHERE name = ? AND replaced_by IS NULL AND NOT deleted", [name]
    )
    if head.empty:
        return None
    set_id = int(head["set_id"].iloc[0])
    rows = store.query("SELECT measure, target, tolerance, comment FROM board_items WHERE set_id = ? ORDER BY position", [set_id])
    items = tuple(
        BoardItem(r.measure, _num(r.target), _num(r.tolerance), r.comment if isinstance(r.comment, str) else "")
        for r in rows.itertuples()
        if r.measure in registry()
    )
    return BoardSet(name, str(head["area_key"].iloc[0]), items, set_id, pd.Timestamp(head["saved_at"].iloc[0]).to_pydatetime())


def set_for(store: Store, area_key: str, name: str | None = None, year_to: int | None = None) -> BoardSet:
    """The named set if it is saved, else the built-in set for the LA (``built_in_measures``)."""
    found = load_set(store, name) if name else None
    return found or default_set(area_key, store, year_to)


def check_items(items: list[BoardItem]) -> list[str]:
    """What is wrong with a set before it is saved, in words (empty when it can be saved)."""
    reg = registry()
    problems = []
    if not items:
        problems.append("Choose at least one indicator.")
    if len(items) > MAX_ITEMS:
        problems.append(f"A set holds at most {MAX_ITEMS} indicators; remove {len(items) - MAX_ITEMS}.")
    seen = set()
    for n, item in enumerate(items, start=1):
        if item.measure not in reg:
            problems.append(f"Slide {n}: unknown indicator '{item.measure}'.")
            continue
        m = reg.get(item.measure)
        if item.measure in seen:
            problems.append(f"Slide {n}: {m.label} is in the set twice.")
        seen.add(item.measure)
        for what, v in (("target", item.target), ("tolerance", item.tolerance)):
            if v is not None and not math.isfinite(v):
                problems.append(f"Slide {n} ({m.label}): the {what} is not a number.")
        if item.tolerance is not None and item.tolerance < 0:
            problems.append(f"Slide {n} ({m.label}): the tolerance cannot be negative.")
        if item.tolerance is not None and item.target is None:
            problems.append(f"Slide {n} ({m.label}): a tolerance needs a target.")
        if item.target is not None and m.is_percent and not 0 <= item.target <= 100:
            problems.append(f"Slide {n} ({m.label}): a percentage target must be between 0 and 100.")
        if len(item.comment) > MAX_COMMENT:
            problems.append(
                f"Slide {n} ({m.label}): the comment has {len(item.comment)} characters; "
                f"shorten it to {MAX_COMMENT} so it fits on the pack page."
            )
    return problems


def save_set(store: Store, name: str, area_key: str, items: list[BoardItem]) -> int:
    """Save a new version of the set (one transaction); returns its id. Raises JourneyError
    with every problem listed when the set cannot be saved."""
    name = name.strip()
    problems = check_items(items)
    if not name:
        problems.insert(0, "Give the set a name.")
    if len(name) > MAX_NAME:
        problems.insert(0, f"The name has {len(name)} characters; use at most {MAX_NAME}.")
    if problems:
        raise JourneyError(" ".join(problems))
    frame = pd.DataFrame(
        [(n, i.measure, i.target, i.tolerance, i.comment.strip() or None) for n, i in enumerate(items, start=1)],
        columns=["position", "measure", "target", "tolerance", "comment"],
    )
    with store.transaction(figures=False) as con:
        return Store.save_board_set(con, name, area_key, frame)


def delete_set(store: Store, name: str) -> int:
    """Delete a set (kept as a deleted version, so ``undo_last_save`` brings it back)."""
    current = load_set(store, name)
    if current is None:
        raise JourneyError(f"There is no saved set called '{name}'.")
    with store.transaction(figures=False) as con:
        return Store.save_board_set(con, name, current.area_key, pd.DataFrame(), deleted=True)


def last_change(store: Store, name: str) -> dict | None:
    """The newest version of the named set (saved or deleted) with the time it was made, when
    there is one to undo: {set_id, saved_at, deleted, had_previous}."""
    rows = store.query(
        """SELECT s.set_id, s.saved_at, s.deleted,
                  EXISTS (SELECT 1 FROM board_sets p WHERE p.replaced_by = s.set_id) AS had_previous
           FROM board_sets s WHERE s.name = ? AND s.replaced_by IS NULL""",
        [name],
    )
    if rows.empty:
        return None
    r = rows.iloc[0]
    return {
        "set_id": int(r["set_id"]),
        "saved_at": r["saved_at"],
        "deleted": bool(r["deleted"]),
        "had_previous": bool(r["had_previous"]),
    }


def undo_last_change(store: Store, name: str) -> None:
    """Undo the newest save or delete of the named set: the version before comes back (or the
    set disappears when that save created it)."""
    change = last_change(store, name)
    if change is None:
        raise JourneyError(f"There is nothing to undo for '{name}'.")
    with store.transaction(figures=False) as con:
        Store.undo_board_save(con, change["set_id"])


def _num(v: object) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
