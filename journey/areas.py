"""Areas: local authorities, regions, England and published SN groups, found by code or name.

An LA is identified by its ``area_key`` (the DfE 3-digit old LA code), because GSS codes change
(North Yorkshire, Somerset, Buckinghamshire got new ones) while DfE keeps the old code. A
region, England or an SN group is identified by its code.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import pandas as pd

from journey.config import ENGLAND
from journey.errors import NotFoundError
from journey.store import Store


@dataclass(frozen=True)
class Area:
    """One area as the user means it; ``codes`` lists every GSS code it has had."""

    key: str
    name: str
    type: str
    code: str
    codes: tuple[str, ...]
    old_la_code: str | None
    region_code: str | None
    last_year: int | None = None


def all_areas(store: Store) -> pd.DataFrame:
    """Every area row (one per GSS code), ordered by type then name. Do not modify the frame."""
    return store.memo(
        "all_areas",
        lambda: store.query(
            """SELECT code, name, type, old_la_code, region_code, first_year, last_year, area_key
           FROM areas ORDER BY CASE type WHEN 'country' THEN 0 WHEN 'region' THEN 1 WHEN 'LA' THEN 2 ELSE 3 END, name"""
        ),
    )


def _collapse(rows: pd.DataFrame) -> list[Area]:
    """One Area per area key, named by its current row (the latest ``last_year``), with every
    code it has had; in the order the keys first appear."""
    groups: dict[str, list[dict]] = {}
    for row in rows.to_dict("records"):
        groups.setdefault(str(row["area_key"]), []).append(row)

    def last(r: dict) -> float:
        return -math.inf if pd.isna(r["last_year"]) else float(r["last_year"])

    out = []
    for key, grp in groups.items():
        current = max(reversed(grp), key=last)  # on a tie, the last row
        out.append(
            Area(
                key=key,
                name=str(current["name"]),
                type=str(current["type"]),
                code=str(current["code"]),
                codes=tuple(r["code"] for r in grp),
                old_la_code=None if pd.isna(current["old_la_code"]) else str(current["old_la_code"]),
                region_code=None if pd.isna(current["region_code"]) else str(current["region_code"]),
                last_year=None if pd.isna(current["last_year"]) else int(current["last_year"]),
            )
        )
    return out


def list_areas(store: Store, area_type: str | None = None) -> list[Area]:
    """Areas (one per area key), optionally of one type ('LA', 'region', 'country', 'SN group')."""

    def compute() -> list[Area]:
        rows = all_areas(store)
        if area_type:
            rows = rows[rows["type"] == area_type]
        return sorted(_collapse(rows), key=lambda a: a.name)

    return list(store.memo(("list_areas", area_type), compute))


def _by_key(store: Store) -> dict[str, Area]:
    return store.memo("areas_by_key", lambda: {a.key: a for a in _collapse(all_areas(store))})


def get_area(store: Store, key: str) -> Area:
    """The area with this key (old LA code for an LA, else its code)."""

    found = _by_key(store).get(key)
    if found is None:
        raise NotFoundError(f"No area with key '{key}'.")
    return found


def find_area(store: Store, text: str) -> Area:
    """The area a user means by a GSS code, an old LA code or a name (any case).

    Raises NotFoundError with the closest names when nothing matches.
    """
    wanted = text.strip()
    known = _by_key(store).get(wanted)  # an area key (the common case: pages pass keys)
    if known is not None:
        return known
    rows = all_areas(store)
    low = wanted.lower()
    hit = rows[(rows["code"].str.lower() == low) | (rows["old_la_code"].fillna("") == wanted) | (rows["name"].str.lower() == low)]
    if hit.empty:
        hit = rows[rows["name"].str.lower().str.startswith(low)] if low else hit
        if hit["area_key"].nunique() > 1:
            names = ", ".join(sorted(set(hit["name"]))[:5])
            raise NotFoundError(f"'{text}' matches several areas ({names}); give more of the name or a code.")
    if hit.empty:
        close = difflib.get_close_matches(wanted, list(rows["name"]), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else " Give a name, a GSS code (E10000034) or an old LA code (885)."
        raise NotFoundError(f"Unknown area '{text}'.{hint}")
    key = hit.iloc[0]["area_key"]
    return _collapse(rows[rows["area_key"] == key])[0]


def region_of(store: Store, area: Area) -> Area | None:
    """The region an LA belongs to (None for other areas)."""
    if not area.region_code:
        return None
    return get_area(store, area.region_code)


def england(store: Store) -> Area:
    return get_area(store, ENGLAND)


def la_labels(store: Store) -> dict[str, str]:
    """{area key: label} for every LA, in name order. Names used by two LAs (old and new
    Dorset) get the last year of the one that no longer exists: "Dorset (to 2019)"."""

    def compute() -> dict[str, str]:
        las = list_areas(store, "LA")
        latest = max((a.last_year or 0) for a in las) if las else 0
        names = [a.name for a in las]
        return {
            a.key: f"{a.name} (to {a.last_year})" if names.count(a.name) > 1 and (a.last_year or 0) < latest else a.name
            for a in las
        }

    return dict(store.memo("la_labels", compute))
