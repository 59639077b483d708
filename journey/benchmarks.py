"""Benchmarks for one LA: England, region, statistical neighbours, rank, quartile and RAG.

- SN mean and median use DfE's 2021 or 2025 model. Neighbours without a value (suppressed,
  not published, or not in the store) are excluded and listed, never counted as 0.
- Difference = LA - comparator; % difference = difference / comparator x 100.
- Change since the previous period compares reporting year Y with Y-1.
- Direction: ``up``/``down``/``same`` always; ``better``/``worse`` only for polarity high or low.
- Rank (1 = best by polarity, ties sharing the better rank as LAIT's ``rank(ties.method =
  "min")``) and quartile band A (best) to D cut by value at the quartiles of all LAs with a
  value in the store, as LAIT cuts them (``quartiles``, ``quartile_band``), for polarity high or
  low only; ``coverage`` says how many LAs that is. Indicators LAIT does not band
  (``Measure.no_quartile``) are ranked without a band.
- Judgements (``Measure.is_judgement``: Ofsted's grades) are categories, not numbers: no
  difference, change, SN mean or median, rank or band is ever worked out for them.
- RAG against a target with a tolerance in the measure's own unit (points for percentages).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import pandas as pd

from journey import areas as areas_mod
from journey.areas import Area
from journey.config import DEFAULT_SN_MODEL, ENGLAND
from journey.rates import with_computed_rates
from journey.registry import Measure, registry
from journey.store import Store


class Neighbour(NamedTuple):
    key: str
    name: str
    rank: int
    closeness: str | None
    value: float | None
    symbol: str | None


class NeighbourStats:
    """Mean and median of the neighbours that have a value (``n`` of the ``of`` in the model);
    ``used`` and ``missing`` list them, each worked out when first read."""

    __slots__ = ("model", "mean", "median", "n", "of", "_detail", "_lists")

    def __init__(
        self,
        model: int,
        mean: float | None,
        median: float | None,
        n: int,
        of: int,
        detail: Callable[[], tuple[tuple[Neighbour, ...], tuple[Neighbour, ...]]],
    ):
        self.model, self.mean, self.median, self.n, self.of = model, mean, median, n, of
        self._detail = detail
        self._lists: tuple[tuple[Neighbour, ...], tuple[Neighbour, ...]] | None = None

    def _split(self) -> tuple[tuple[Neighbour, ...], tuple[Neighbour, ...]]:
        if self._lists is None:
            self._lists = self._detail()
        return self._lists

    @property
    def used(self) -> tuple[Neighbour, ...]:
        """The neighbours with a value, closest first."""
        return self._split()[0]

    @property
    def missing(self) -> tuple[Neighbour, ...]:
        """The neighbours without one (their symbol kept), closest first."""
        return self._split()[1]

    def __repr__(self) -> str:
        return f"NeighbourStats(model={self.model}, mean={self.mean}, median={self.median}, n={self.n}, of={self.of})"


class Comparison(NamedTuple):
    """The LA against one comparator value."""

    name: str
    value: float | None
    difference: float | None
    pct_difference: float | None


class Ranking(NamedTuple):
    rank: int
    of: int
    band: str | None  # A (best quartile) to D; None where LAIT does not band the indicator
    coverage: str


@dataclass
class Benchmark:
    """Everything a tile or a summary row needs about one LA, measure and reporting year."""

    area: Area
    measure: Measure
    year: int
    value: float | None
    symbol: str | None
    source: str | None
    vintage: str | None
    previous: float | None
    change: float | None
    movement: str | None  # up, down, same, or None without two values
    judgement: str | None  # better, worse, same; None for neutral measures
    england: Comparison | None
    region: Comparison | None
    sn: NeighbourStats | None
    sn_mean: Comparison | None
    sn_median: Comparison | None
    ranking: Ranking | None
    computed: bool = False
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def notes(self) -> list[str]:
        """What a reader should know about the comparison: which neighbours have no value and
        are excluded (worked out when read: a summary of 200 indicators never reads them)."""
        sn = self.sn
        if not sn or sn.n >= sn.of:
            return []
        return [
            f"{len(sn.missing)} of {sn.of} statistical neighbours have no value and are excluded: "
            + ", ".join(f"{n.name} ({n.symbol or 'not in store'})" for n in sn.missing)
        ]


def compare(name: str, la_value: float | None, other: float | None) -> Comparison:
    """LA minus comparator, and as a percentage of the comparator."""
    if la_value is None or other is None:
        return Comparison(name, other, None, None)
    diff = la_value - other
    pct = diff / other * 100 if other else None
    return Comparison(name, other, diff, pct)


def movement(current: float | None, previous: float | None) -> str | None:
    """up, down or same; None when either value is missing."""
    if current is None or previous is None:
        return None
    if math.isclose(current, previous, abs_tol=1e-9):
        return "same"
    return "up" if current > previous else "down"


def judge(measure: Measure, move: str | None) -> str | None:
    """better/worse/same by polarity; None for neutral measures (never good or bad)."""
    if move is None or not measure.judged:
        return None
    if move == "same":
        return "same"
    good = "up" if measure.polarity == "high" else "down"
    return "better" if move == good else "worse"


def rag(measure: Measure, value: float | None, target: float | None, tolerance: float | None = 0.0) -> str | None:
    """'green' when the target is met, 'amber' within tolerance of it, else 'red'.

    None when there is no value or target, or the measure is neutral (no good direction).
    ``tolerance`` is in the measure's unit (percentage points for percentages).
    """
    if value is None or target is None or not measure.judged:
        return None
    tol = tolerance or 0.0
    gap = value - target if measure.polarity == "high" else target - value
    if gap >= -1e-9:
        return "green"
    if gap >= -tol - 1e-9:
        return "amber"
    return "red"


def quartiles(values: list[float]) -> tuple[float, float, float, float, float]:
    """The 0, 25, 50, 75 and 100% quantiles of ascending ``values`` as LAIT cuts its bands: R's
    ``quantile(x, na.rm = TRUE)`` (type 7, linear between order statistics), as LAIT's
    ``mod_la_lvl_table.R`` calls it on every LA's latest value."""
    n = len(values)
    out = []
    for p in (0.0, 0.25, 0.5, 0.75, 1.0):
        index = (n - 1) * p  # R: 1 + (n - 1) * p, 1-based
        lo = int(index)
        hi = min(lo + 1, n - 1) if index > lo else lo
        q = values[lo]
        if hi != lo and values[hi] != q:
            h = index - lo
            q = (1 - h) * q + h * values[hi]
        out.append(q)
    return tuple(out)  # type: ignore[return-value]


def quartile_band(value: float, cuts: tuple[float, float, float, float, float], polarity: str) -> str:
    """LAIT's band for a value (``calculate_quartile_band`` in its ``R/fn_analysis.R``): lower is
    better: A up to and including the 25% cut, B up to the median, C up to 75%, D above; higher
    is better: the same cuts, D lowest and A above the 75% cut (a value on a cut takes the lower
    quarter's letter, whichever the polarity)."""
    letters = "ABCD" if polarity == "low" else "DCBA"
    for letter, cut in zip(letters, cuts[1:4]):
        if value <= cut:
            return letter
    return letters[3]


def annual_figures(store: Store, measure: str) -> pd.DataFrame:
    """Every area's figure for a measure in each reporting year (latest vintage, computed rates
    filling gaps), one row per area and year, ordered by area key and year. Sub-annual periods
    ending 31 March are left out. Remembered until the store changes: do not modify the frame.

    Read per measure when first asked for (a page that shows a dozen measures reads a dozen,
    not the store's 200), unless every measure's figures were read at once in this store
    version (``prefetch_annual``), whose split it then shares. Once ``LAZY_MEASURES`` have
    been read one by one in a store version, the rest are read at once: a page that scans
    whole stages (the built-in board set) makes one query, not one per measure."""
    registry().get(measure)

    def compute() -> pd.DataFrame:
        box = _batch(store)
        if not box.get("frames"):
            box["lazy"] = box.get("lazy", 0) + 1
            if box["lazy"] <= LAZY_MEASURES:
                return _one_per_year(with_computed_rates(store, None, [measure], annual=True, remember=False))
            prefetch_annual(store)
        batch = box.get("frames") or prefetch_annual(store)
        found = batch.get(measure)  # every measure was read: one that is not in it has no figures
        return found if found is not None else next(iter(batch.values())).iloc[0:0]

    return store.memo(("annual_figures", measure), compute)


#: Measures read one by one in a store version before the rest are read at once (one query
#: costs about as much as ten one-measure queries on a national store).
LAZY_MEASURES = 24


def prefetch_annual(store: Store) -> dict[str, pd.DataFrame]:
    """Read every measure's annual figures in one query, for a page about to read most of them
    (the benchmark summary): one scan of the store instead of one per measure. What
    ``annual_figures`` returns is the same either way, the same rows in the same order.
    Returns {measure: its frame} (measures with figures only; do not modify)."""

    def compute() -> dict[str, pd.DataFrame]:
        # Sorted by measure, each measure's frame is a slice of one frame (a view, not a copy:
        # a national store's 250,000 figures are held once).
        rows = _one_per_year(with_computed_rates(store, annual=True, remember=False), by=["measure"])
        measures = rows["measure"].tolist()
        frames, start = {}, 0
        for end in range(1, len(measures) + 1):
            if end == len(measures) or measures[end] != measures[start]:
                frames[measures[start]] = rows.iloc[start:end].reset_index(drop=True)
                start = end
        return frames

    frames = store.memo("annual_by_measure", compute)
    _batch(store)["frames"] = frames
    return frames


def _batch(store: Store) -> dict[str, dict[str, pd.DataFrame]]:
    """This store version's batch of every measure's frames, once ``prefetch_annual`` has read
    it (an empty dict until then); filed per version like any remembered result."""
    return store.memo("annual_batch", dict)


def _one_per_year(rows: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """One row per area and reporting year (per measure, with ``by=["measure"]``): a published
    figure before a computed one; ordered by area key and year."""
    keys = (by or []) + ["area_key", "reporting_year"]
    rows = rows.sort_values(keys + ["computed"], kind="stable").drop_duplicates(keys)
    return rows.reset_index(drop=True)


def year_figures(store: Store, measure: str, year: int) -> pd.DataFrame:
    """One figure per area for a measure and reporting year (see ``annual_figures``)."""
    registry().get(measure)
    rows = annual_figures(store, measure)
    return rows[rows["reporting_year"] == year]


class Figure(NamedTuple):
    """One area's figure for a measure and year, as benchmarks read it."""

    value: float | None
    symbol: str | None
    source: str
    vintage: str
    computed: bool
    period_start: dt.date
    period_end: dt.date
    area_type: str


def year_lookup(store: Store, measure: str) -> dict[int, dict[str, Figure]]:
    """{reporting year: {area key: Figure}} for a measure, remembered until the store changes."""

    def compute() -> dict[int, dict[str, Figure]]:
        out: dict[int, dict[str, Figure]] = {}
        frame = annual_figures(store, measure)
        columns = (
            "reporting_year",
            "area_key",
            "value",
            "symbol",
            "source",
            "vintage",
            "computed",
            "period_start",
            "period_end",
            "area_type",
        )
        # A plain loop over plain lists: about a second for a national store's 400,000 figures
        # with the conversions written out per row, a third of that as here.
        years = [int(y) for y in frame["reporting_year"].tolist()]
        values = frame["value"].astype("float64").tolist()
        for year, key, value, symbol, source, vintage, computed, start, end, area_type in zip(
            years, frame["area_key"].tolist(), values, *(frame[c].tolist() for c in columns[3:])
        ):
            by_area = out.get(year)
            if by_area is None:
                by_area = out[year] = {}
            by_area[key] = Figure(
                value if value == value else None,
                symbol if symbol.__class__ is str else None,
                source,
                vintage,
                computed is True,
                start,
                end,
                area_type,
            )
        return out

    return store.memo(("year_lookup", measure), compute)


def _figure(store: Store, measure: str, year: int, key: str | None) -> Figure | None:
    return year_lookup(store, measure).get(year, {}).get(key) if key else None


def _val(fig: Figure | None) -> float | None:
    return fig.value if fig else None


def _la_names(store: Store) -> dict[str, str]:
    return store.memo("la_names", lambda: {a.key: a.name for a in areas_mod.list_areas(store, "LA")})


def neighbours(store: Store, la: Area, model: int = DEFAULT_SN_MODEL) -> list[tuple[int, str, str | None]]:
    """(rank, neighbour area key, closeness) for the LA in the given SN model."""
    if not la.old_la_code:
        return []
    return list(_neighbour_lists(store).get((model, la.old_la_code), ()))


def _neighbour_lists(store: Store) -> dict[tuple[int, str], tuple[tuple[int, str, str | None], ...]]:
    """{(model, old LA code): ((rank, neighbour key, closeness), ...)}, read once per store version."""

    def compute() -> dict[tuple[int, str], tuple[tuple[int, str, str | None], ...]]:
        rows = store.query(
            "SELECT model, old_la_code, rank, neighbour_old_la_code, closeness FROM sn_models "
            "WHERE replaced_by IS NULL ORDER BY model, old_la_code, rank"
        )
        out: dict[tuple[int, str], list[tuple[int, str, str | None]]] = {}
        for model, code, rank, neighbour, closeness in rows.itertuples(index=False):
            out.setdefault((int(model), str(code)), []).append(
                (int(rank), str(neighbour), closeness if isinstance(closeness, str) else None)
            )
        return {k: tuple(v) for k, v in out.items()}

    return store.memo("sn_neighbours", compute)


def _named_neighbours(store: Store, la: Area, model: int) -> tuple[tuple[int, str, str, str | None], ...]:
    """(rank, key, name, closeness) of the LA's neighbours, remembered per store version."""

    def compute() -> tuple[tuple[int, str, str, str | None], ...]:
        names = _la_names(store)
        return tuple((rank, key, names.get(key, key), closeness) for rank, key, closeness in neighbours(store, la, model))

    return store.memo(("named_neighbours", la.key, model), compute)


def sn_stats(store: Store, la: Area, measure: str, year: int, model: int = DEFAULT_SN_MODEL) -> NeighbourStats | None:
    """Mean and median of the LA's statistical neighbours for a measure and year (None for a
    judgement, which is never averaged, or an LA without neighbours in the model)."""
    if registry().get(measure).is_judgement:
        return None
    ns = _named_neighbours(store, la, model)
    return _sn_stats(ns, tuple(key for _, key, _, _ in ns), model, year_lookup(store, measure).get(year, {}))


def _sn_stats(
    ns: tuple[tuple[int, str, str, str | None], ...], keys: tuple[str, ...], model: int, figures: dict[str, Figure]
) -> NeighbourStats | None:
    """``sn_stats`` given the LA's named neighbours, their keys and the year's figures."""
    if not ns:
        return None
    mean, median, n = neighbour_average(keys, figures)
    # The figures of this store version are held for the neighbour lists, so they are read from
    # the same state as the averages even if they are first asked for after the store changes.
    return NeighbourStats(model, mean, median, n, len(ns), lambda: _neighbour_values(ns, figures))


def neighbour_average(keys: tuple[str, ...] | list[str], figures: dict[str, Figure]) -> tuple[float | None, float | None, int]:
    """(mean, median, how many) of the values of the neighbours ``keys`` among one year's
    ``figures``: neighbours without a value (suppressed, not published, not in the store) are
    left out, never counted as 0. The one rule for a neighbour average; ten lookups, so an LA
    not seen before works out its own (a table of every LA's averages per measure and year, made
    when first read, cost more for the years few LAs read than it saved)."""
    values = sorted(_exact(fig.value) for key in keys if (fig := figures.get(key)) is not None and fig.value is not None)
    if not values:
        return None, None, 0
    n = len(values)
    middle = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    # In decimal arithmetic on the figures as published: a median of 22.0 and 22.1 is 22.05 and
    # rounds half up to 22.1 (binary floats made it 22.049999... and 0.1 too low).
    return float(sum(values) / n), float(middle), n


@functools.lru_cache(maxsize=262_144)
def _exact(value: float) -> Decimal:
    """A figure as the decimal it was published as (``repr`` is the shortest text that reads back
    as the same float: 22.1, never 22.100000000000001)."""
    return Decimal(repr(float(value)))


def _neighbour_values(
    ns: tuple[tuple[int, str, str, str | None], ...], figures: dict[str, Figure]
) -> tuple[tuple[Neighbour, ...], tuple[Neighbour, ...]]:
    """(neighbours with a value, neighbours without), each with its value or symbol."""
    used, missing = [], []
    for rank, key, name, closeness in ns:
        fig = figures.get(key)
        value = fig.value if fig else None
        (used if value is not None else missing).append(Neighbour(key, name, rank, closeness, value, fig.symbol if fig else None))
    return tuple(used), tuple(missing)


def current_la_count(store: Store, year: int) -> int:
    """How many LAs DfE publishes for a reporting year (from the area list)."""
    return _la_counts(store).get(year, 0)


def _la_counts(store: Store) -> dict[int, int]:
    """{reporting year: LAs DfE publishes for it}, read once per store version."""
    return store.memo(
        "la_counts",
        lambda: {
            int(y): int(n)
            for y, n in store.query(
                "SELECT y, count(DISTINCT area_key) AS n FROM areas, range(2000, 2040) r(y) "
                "WHERE type = 'LA' AND y BETWEEN first_year AND last_year GROUP BY y"
            ).itertuples(index=False)
        },
    )


def la_values(store: Store, measure: str) -> dict[int, list[float]]:
    """{reporting year: every LA's value for the measure, sorted ascending}: the basis of ranks
    and quartile bands, worked out once per store version rather than for every LA."""

    def compute() -> dict[int, list[float]]:
        return {
            year: sorted(f.value for f in figures.values() if f.area_type == "LA" and f.value is not None)
            for year, figures in year_lookup(store, measure).items()
        }

    return store.memo(("la_values", measure), compute)


def ranking(store: Store, la: Area, measure: Measure, year: int) -> Ranking | None:
    """Rank among every LA with a value in the store (1 = best), for high/low polarity only
    (never for a judgement); no band for an indicator LAIT does not band."""
    return _ranking(store, measure, year, _val(_figure(store, measure.id, year, la.key)))


def _ranking(
    store: Store, measure: Measure, year: int, value: float | None, counts: dict[int, int] | None = None
) -> Ranking | None:
    """``ranking`` of an LA's value (``counts``: ``_la_counts``, when the caller has them)."""
    if value is None or not measure.judged or measure.is_judgement:
        return None
    vals = la_values(store, measure.id).get(year, [])
    # Ties share the better rank: count the LAs strictly better than this one.
    better = len(vals) - bisect.bisect_right(vals, value) if measure.polarity == "high" else bisect.bisect_left(vals, value)
    rank, of = better + 1, len(vals)
    current = (counts if counts is not None else _la_counts(store)).get(year, 0)
    coverage = f"{of} of {current} LAs in England have a value in the store" if current else f"{of} LAs in the store"
    band = None if measure.no_quartile else quartile_band(value, _cuts(store, measure.id, year), measure.polarity)
    return Ranking(rank, of, band, coverage)


def _cuts(store: Store, measure: str, year: int) -> tuple[float, float, float, float, float]:
    """LAIT's quartile cuts of every LA's value in a year, once per store version."""
    return store.memo(("quartiles", measure, year), lambda: quartiles(la_values(store, measure)[year]))


def benchmark(store: Store, la: Area | str, measure: str, year: int, model: int = DEFAULT_SN_MODEL) -> Benchmark:
    """Benchmark an LA on one measure in one reporting year. For a judgement (Ofsted's grade)
    only the figures themselves are filled in: the LA's, its previous one, England's and the
    region's where the store has them; no difference, change, neighbours or rank."""
    area = areas_mod.find_area(store, la) if isinstance(la, str) else la
    return _LA(store, area, model).benchmark(registry().get(measure), year)


class _LA:
    """What every benchmark of one LA shares (its region and named neighbours), read once:
    the benchmark summary makes 200 of them for an LA on every page that shows it."""

    def __init__(self, store: Store, area: Area, model: int):
        self.store, self.area, self.model = store, area, model
        self.region = areas_mod.region_of(store, area)
        self.is_la = area.type == "LA"
        self.neighbours = _named_neighbours(store, area, model) if self.is_la else ()
        self.keys = tuple(key for _, key, _, _ in self.neighbours)
        self.counts = _la_counts(store)

    def benchmark(self, m: Measure, year: int) -> Benchmark:
        store, area, region, model = self.store, self.area, self.region, self.model
        lookup = year_lookup(store, m.id)
        this_year = lookup.get(year, {})
        fig = this_year.get(area.key)
        value = fig.value if fig else None
        before = lookup.get(year - 1)
        previous = _val(before.get(area.key)) if before else None
        numeric = not m.is_judgement
        move = movement(value, previous) if numeric else None
        reg_value = _val(this_year.get(region.key)) if region else None
        sn = _sn_stats(self.neighbours, self.keys, model, this_year) if self.is_la and numeric else None
        against = value if numeric else None  # a grade is never subtracted from another
        return Benchmark(
            area=area,
            measure=m,
            year=year,
            value=value,
            symbol=fig.symbol if fig else None,
            source=fig.source if fig else None,
            vintage=fig.vintage if fig else None,
            previous=previous,
            change=None if against is None or previous is None else against - previous,
            movement=move,
            judgement=judge(m, move),
            england=compare("England", against, _val(this_year.get(ENGLAND))),
            region=compare(region.name, against, reg_value) if region else None,
            sn=sn,
            sn_mean=compare(f"SN mean ({model} model)", value, sn.mean) if sn else None,
            sn_median=compare(f"SN median ({model} model)", value, sn.median) if sn else None,
            ranking=_ranking(store, m, year, value, self.counts) if self.is_la else None,
            computed=fig.computed if fig else False,
            period_start=fig.period_start if fig else None,
            period_end=fig.period_end if fig else None,
        )


class SeriesRow(NamedTuple):
    """One reporting year of an LA's series with its comparators (values unrounded, in the
    measure's unit; None where there is no figure)."""

    year: int
    period: str
    value: float | None
    symbol: str | None
    england: float | None
    region: float | None
    sn_mean: float | None
    sn_median: float | None
    sn_published: float | None  # an SN average printed in a board report, where one exists
    sn_used: int  # neighbours with a value
    sn_of: int  # neighbours in the model
    source: str
    vintage: str
    computed: bool


SERIES_COLUMNS = list(SeriesRow._fields)


def period_labels(store: Store, measure: str) -> dict[int, str]:
    """{reporting year: label} for a measure: 2024-25 for a flow, 31 Mar 2025 for a snapshot."""
    from journey.periods import period_label

    def compute() -> dict[int, str]:
        labels = {}
        for year, figures in year_lookup(store, measure).items():
            fig = next(iter(figures.values()))
            labels[year] = period_label(fig.period_start, fig.period_end)
        return labels

    return store.memo(("period_labels", measure), compute)


def series_rows(store: Store, la: Area, measure: str, model: int = DEFAULT_SN_MODEL) -> list[SeriesRow]:
    """The LA's series for a measure, one row per reporting year with a figure for the LA, in
    year order, with England, region and statistical-neighbour values for the same year (no
    neighbour mean or median for a judgement: ``sn_used`` is then 0)."""
    m = registry().get(measure)
    measure = m.id
    lookup = year_lookup(store, measure)
    labels = period_labels(store, measure)
    region = areas_mod.region_of(store, la)
    keys = [k for _, k, _ in neighbours(store, la, model)] if la.type == "LA" and not m.is_judgement else []
    published_sn = f"SN-{la.code}-PUBLISHED"
    rows = []
    for year in sorted(lookup):
        figures = lookup[year]
        fig = figures.get(la.key)
        if fig is None:
            continue
        mean, median, used = neighbour_average(keys, figures)
        rows.append(
            SeriesRow(
                year,
                labels[year],
                fig.value,
                fig.symbol,
                _val(figures.get(ENGLAND)),
                _val(figures.get(region.key)) if region else None,
                mean,
                median,
                _val(figures.get(published_sn)),
                used,
                len(keys),
                fig.source,
                fig.vintage,
                fig.computed,
            )
        )
    return rows


def series_table(store: Store, la: Area, measure: str, model: int = DEFAULT_SN_MODEL) -> pd.DataFrame:
    """``series_rows`` as a table (columns ``SERIES_COLUMNS``), for the CLI and tests."""
    return pd.DataFrame(series_rows(store, la, measure, model), columns=SERIES_COLUMNS)


def summary_table(store: Store, la: Area, year_to: int | None, model: int = DEFAULT_SN_MODEL) -> list[Benchmark]:
    """A benchmark for every measure in the registry with a figure for the LA, each in its
    latest reporting year up to ``year_to``, in registry (journey) order."""
    out = []
    prefetch_annual(store)
    shared = _LA(store, la, model)
    for m in registry():
        years = value_years(store, m.id).get(la.key)
        if years and year_to is not None and years[-1] > year_to:
            years = years[: bisect.bisect_right(years, year_to)]
        if years:
            out.append(shared.benchmark(m, years[-1]))
    return out


def value_years(store: Store, measure: str) -> dict[str, tuple[int, ...]]:
    """{area key: the reporting years in which the area has a value for the measure, ascending},
    worked out once per store version (the benchmark summary asks it of every measure)."""

    def compute() -> dict[str, tuple[int, ...]]:
        out: dict[str, list[int]] = {}
        for year, figures in sorted(year_lookup(store, measure).items()):
            for key, fig in figures.items():
                if fig.value is not None:
                    out.setdefault(key, []).append(year)
        return {k: tuple(v) for k, v in out.items()}

    return store.memo(("value_years", measure), compute)
