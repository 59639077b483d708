"""The indicator registry: one list of measures that drives labels, units, polarity and precision.

Read once from ``data/measures.csv``. Everything that names, formats or judges a measure asks
this module; no page or check writes a measure's label or decimals itself.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from journey.config import CONVERSIONS_FILE, MEASURES_FILE
from journey.errors import NotFoundError

#: Journey stages in the order a child moves through them; ``context`` and ``other`` last.
STAGES: dict[str, str] = {
    "early_help": "Early help",
    "front_door": "Front door: contacts and referrals",
    "assessment": "Assessment",
    "child_protection_enquiry": "Section 47 enquiries and conferences",
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "looked_after": "Children looked after",
    "care_leavers": "Care leavers",
    "workforce": "Children's social care workforce",
    "context": "Context: population",
    "other": "Other safeguarding measures",
}

POLARITIES = ("high", "low", "neutral")

#: Ofsted's grades as the value of a ``judgement`` measure (the grade number Ofsted itself uses).
JUDGEMENTS: dict[int, str] = {1: "Outstanding", 2: "Good", 3: "Requires improvement to be good", 4: "Inadequate"}

#: When a measure's reporting year Y falls: ``financial_year`` the year to 31 March Y (flows),
#: ``at_31_march`` / ``at_30_september`` a snapshot on that day of Y, ``academic_year`` the
#: school year to 31 August Y, ``inspection`` a dated event; "" for local measures (their
#: periods are as given).
YEAR_TYPES = ("financial_year", "at_31_march", "at_30_september", "academic_year", "inspection", "")


@dataclass(frozen=True)
class Measure:
    """One indicator of the catalogue.

    ``unit`` is the display unit ("%", "per 10k children 0-17", "children"); ``kind`` is
    count, rate (per 10,000), percent, duration, number (need not be whole: FTE, caseloads,
    scores) or judgement (Ofsted's grade 1-4, shown as words, never averaged or ranked); ``polarity`` is high (higher is better), low (lower is
    better) or neutral (neither: never coloured good or bad); ``decimals`` is the published
    precision; ``rate_of`` names the count a rate per 10,000 is computed from.
    """

    id: str
    label: str
    stage: str
    unit: str
    kind: str
    polarity: str
    decimals: int
    rate_of: str | None
    definition: str
    dfe_source: str
    origin: str
    phrase: str = ""  # "{area} had {value} children in need per 10,000": how a sentence states it
    headline: bool = False  # the stage's headline measure on the overview
    snapshot: bool = False  # counted at the end of the period (stock) rather than over it (flow)
    aliases: tuple[str, ...] = ()  # the usual wordings of the measure in local spreadsheets
    topic: str = ""  # LAIT's topic (or "Local measures"): the group within a stage
    lait_code: str | None = None  # LAIT's Short Desc for this indicator, exactly as LAIT spells it
    year_type: str = ""  # one of YEAR_TYPES
    no_quartile: bool = False  # LAIT does not band this indicator into quartiles
    methodology: str = ""
    updated: str = ""  # YYYY-MM: when LAIT last updated the indicator (its figures' vintage)

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"

    @property
    def is_judgement(self) -> bool:
        """An Ofsted-style category: never averaged, ranked, banded or drawn as a number."""
        return self.kind == "judgement"

    @property
    def judged(self) -> bool:
        """True when a movement can be called better or worse (polarity high or low)."""
        return self.polarity in ("high", "low")

    @property
    def reading(self) -> str:
        """How to read the measure's direction, in one sentence."""
        return {
            "high": "Higher is better.",
            "low": "Lower is better.",
            "neutral": "Neither higher nor lower is better in itself.",
        }[self.polarity]

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)

    def round(self, value: float | None) -> float | None:
        """``value`` rounded to the published precision (half away from zero, as DfE does)."""
        return round_half_up(value, self.decimals)

    def format(self, value: float | None, symbol: str | None = None, *, with_unit: bool = False) -> str:
        """Text for a value at published precision: ``"302.9"``, ``"4,805"``, ``"17.8%"``.

        A missing value shows its suppression symbol, or an en dash when there is none.
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return symbol if symbol else "–"
        if self.is_judgement:
            return JUDGEMENTS.get(int(value), "–") if float(value).is_integer() else "–"
        text = f"{round_half_up(value, self.decimals):,.{self.decimals}f}"
        if self.is_percent:
            return text + "%"
        if with_unit and self.unit:
            return f"{text} {self.unit}"
        return text

    def format_change(self, delta: float | None) -> str:
        """A signed difference at published precision; percentages in percentage points."""
        if delta is None or (isinstance(delta, float) and math.isnan(delta)):
            return "–"
        text = f"{round_half_up(delta, self.decimals):+,.{self.decimals}f}"
        return text + (" pts" if self.is_percent else "")


def normalise_label(text: str) -> str:
    """A label reduced for matching: lower case, "%" kept as a word, other punctuation and
    repeated spaces dropped ("% Re-referrals (12 months)" -> "% re referrals 12 months")."""
    import re

    text = str(text).lower().replace("&", " and ").replace("%", " % ").replace("10k", "10,000")
    text = re.sub(r"[^a-z0-9%]+", " ", text.replace(",", ""))
    return " ".join(text.split())


def round_half_up(value: float | None, decimals: int) -> float | None:
    """Round half away from zero (Python's ``round`` rounds half to even, DfE does not)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value == 0:
        return float(value)  # 0.0 and -0.0 are one key to the cache below but print differently
    return _round_half_up(float(value), decimals)


@functools.lru_cache(maxsize=65_536)
def _round_half_up(value: float, decimals: int) -> float:
    # Remembered: pages format the same England, region and neighbour figures for every LA,
    # and the decimal arithmetic is most of a formatted value's cost.
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Conversion:
    """One step of the journey whose conversion rate boards read, e.g. referrals to s47."""

    step: int
    from_measure: str
    to_measure: str
    label: str


class Registry:
    """The measures of ``data/measures.csv``, in file order, looked up by id."""

    def __init__(self, measures: list[Measure], conversions: list[Conversion]):
        self._by_id = {m.id: m for m in measures}
        self.measures = measures
        self.conversions = conversions
        self._rates = [m for m in measures if m.is_rate and m.rate_of and m.rate_of in self._by_id]
        self._rate_by_count = {m.rate_of: m for m in reversed(self._rates)}  # the first rate per count wins

    def __contains__(self, measure_id: object) -> bool:
        return measure_id in self._by_id

    def __iter__(self):
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)

    def get(self, measure_id: str) -> Measure:
        """The measure with this id; NotFoundError naming the closest ids otherwise."""
        try:
            return self._by_id[measure_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(measure_id, self._by_id, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(close)}?" if close else " Run `python -m journey measures` for the list."
            raise NotFoundError(f"Unknown measure '{measure_id}'.{hint}") from None

    def ids(self) -> list[str]:
        return list(self._by_id)

    def by_stage(self) -> dict[str, list[Measure]]:
        """Measures grouped by stage, stages in journey order."""
        groups: dict[str, list[Measure]] = {s: [] for s in STAGES}
        for m in self.measures:
            groups.setdefault(m.stage, []).append(m)
        return {s: ms for s, ms in groups.items() if ms}

    def match_label(self, text: str, remembered: dict[str, str] | None = None) -> Measure | None:
        """The measure a spreadsheet label means: its id, label or a usual wording, compared
        without case, punctuation or spacing; ``remembered`` maps normalised labels a user has
        mapped before to measure ids."""
        key = normalise_label(text)
        if remembered and key in remembered and remembered[key] in self._by_id:
            return self._by_id[remembered[key]]
        return self._label_index().get(key)

    def suggest(self, text: str, n: int = 3) -> list[Measure]:
        """The measures whose label or wordings are closest to ``text``."""
        import difflib

        index = self._label_index()
        close = difflib.get_close_matches(normalise_label(text), list(index), n=n * 3, cutoff=0.4)
        out: list[Measure] = []
        for k in close:
            if index[k] not in out:
                out.append(index[k])
        return out[:n]

    def _label_index(self) -> dict[str, Measure]:
        if not hasattr(self, "_labels"):
            index: dict[str, Measure] = {}
            for m in self.measures:
                for text in (m.id, m.label, *m.aliases):
                    index.setdefault(normalise_label(text), m)
            self._labels = index
        return self._labels

    def format_values(self, measure_ids: Iterable[str], values: Iterable[object], symbols: Iterable[object]) -> list[str]:
        """``Measure.format`` down a column of figures that may be of different measures."""
        return [
            self.get(m).format(None if v is None or v != v else float(v), s if isinstance(s, str) else None)
            for m, v, s in zip(measure_ids, values, symbols)
        ]

    def headlines(self) -> list[Measure]:
        """One headline measure per journey stage, in journey order."""
        order = list(STAGES)
        return sorted((m for m in self.measures if m.headline), key=lambda m: order.index(m.stage))

    def rates(self) -> list[Measure]:
        """Rates per 10,000 that name the count they are computed from."""
        return list(self._rates)

    def rate_for_count(self, count_id: str) -> Measure | None:
        """The rate per 10,000 computed from this count, if the registry has one."""
        return self._rate_by_count.get(count_id)


_measures_file: Path | None = None  # set by ``use_measures_file``: a registry staged for a refresh


def use_measures_file(path: Path | None) -> None:
    """Read the registry from ``path`` instead of ``data/measures.csv`` (None: back to it).

    ``refresh-default`` checks a new release's files against the registry it is about to ship
    before writing it into ``data/``."""
    global _measures_file
    _measures_file = path
    registry.cache_clear()


def _read_measures() -> list[Measure]:
    with (_measures_file or MEASURES_FILE).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for row in rows:
        if row["polarity"] not in POLARITIES:
            raise ValueError(f"{MEASURES_FILE.name}: measure {row['measure']} has polarity {row['polarity']!r}")
        if row.get("year_type", "") not in YEAR_TYPES:
            raise ValueError(f"{MEASURES_FILE.name}: measure {row['measure']} has year type {row['year_type']!r}")
        out.append(
            Measure(
                id=row["measure"],
                label=row["label"],
                stage=row["stage"],
                unit=row["unit"],
                kind=row["kind"],
                polarity=row["polarity"],
                decimals=int(row["decimals"]),
                rate_of=row["rate_of"] or None,
                definition=row["definition"],
                dfe_source=row["dfe_file_and_column"],
                origin=row["origin"],
                phrase=row.get("phrase", ""),
                headline=row.get("headline", "") == "yes",
                snapshot=row.get("timing", "") == "at period end",
                aliases=tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip()),
                topic=row.get("topic", ""),
                lait_code=row.get("lait_code") or None,
                year_type=row.get("year_type", ""),
                no_quartile=row.get("no_quartile", "") == "yes",
                methodology=row.get("methodology", ""),
                updated=row.get("updated", ""),
            )
        )
    return out


def _read_conversions() -> list[Conversion]:
    with CONVERSIONS_FILE.open(newline="", encoding="utf-8") as f:
        return [Conversion(int(r["step"]), r["from_measure"], r["to_measure"], r["label"]) for r in csv.DictReader(f)]


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry, read from ``data/`` once per process."""
    return Registry(_read_measures(), _read_conversions())


def measure(measure_id: str) -> Measure:
    """Shorthand for ``registry().get(measure_id)``."""
    return registry().get(measure_id)
