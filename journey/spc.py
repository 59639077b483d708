"""Is this unusual? Statistical process control for one series (an XmR chart).

The X chart's centre line is the mean of the values; its natural process limits are the mean
plus and minus 2.66 times the average moving range (the mean absolute difference between
consecutive values). A point is a *signal* when:

- it lies outside the limits ("outside");
- it is one of ``SHIFT_RUN`` or more consecutive points on the same side of the mean ("shift");
- it is one of ``TREND_RUN`` or more consecutive points each higher (or each lower) than the
  one before ("trend").

The limits mean something only with enough points: below ``MIN_POINTS`` the analysis is
marked ``enough = False`` and callers say so instead of judging. Missing and suppressed
values are left out (never counted as 0); the moving range joins the values either side of a
gap, and ``gaps`` says how many were left out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MIN_POINTS = 12
SHIFT_RUN = 7
TREND_RUN = 6
SIGMA_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    outside: bool  # beyond a natural process limit
    shift: bool  # in a run of SHIFT_RUN or more on one side of the mean
    trend: bool  # in a run of TREND_RUN or more rising or falling points

    @property
    def signal(self) -> bool:
        return self.outside or self.shift or self.trend


@dataclass(frozen=True)
class XmR:
    points: tuple[Point, ...]
    mean: float
    upper: float  # upper natural process limit
    lower: float  # lower natural process limit (never below 0 for a series that cannot be negative)
    moving_range: float  # average moving range
    gaps: int  # values left out because they were missing or suppressed

    @property
    def n(self) -> int:
        return len(self.points)

    @property
    def enough(self) -> bool:
        return self.n >= MIN_POINTS

    @property
    def latest(self) -> Point:
        return self.points[-1]

    def latest_finding(self) -> str | None:
        """What is unusual about the latest point, in words; None when nothing is (or too few points)."""
        if not self.enough:
            return None
        p = self.latest
        if p.outside:
            return "above the upper limit" if p.value > self.upper else "below the lower limit"
        if p.shift:
            side = "above" if p.value > self.mean else "below"
            return f"part of a run of {self._run_length('shift')} or more points {side} the average"
        if p.trend:
            way = "rising" if self.points[-2].value < p.value else "falling"
            return f"part of a run of {self._run_length('trend')} or more {way} points"
        return None

    def _run_length(self, rule: str) -> int:
        count = 0
        for p in reversed(self.points):
            if not getattr(p, rule):
                break
            count += 1
        return count


def xmr(labels: Sequence[str], values: Sequence[float | None]) -> XmR | None:
    """The XmR analysis of a series in time order; None with fewer than two values."""
    pairs = [(str(lab), float(v)) for lab, v in zip(labels, values) if v is not None and not math.isnan(v)]
    gaps = len(values) - len(pairs)
    if len(pairs) < 2:
        return None
    xs = [v for _, v in pairs]
    mean = statistics.fmean(xs)
    mr = statistics.fmean(abs(b - a) for a, b in zip(xs, xs[1:]))
    upper, lower = mean + SIGMA_FACTOR * mr, mean - SIGMA_FACTOR * mr
    if min(xs) >= 0:
        lower = max(0.0, lower)
    shift = _runs([(x > mean) - (x < mean) for x in xs], SHIFT_RUN)
    steps = [0] + [(b > a) - (b < a) for a, b in zip(xs, xs[1:])]
    trend = _trend(steps)
    points = tuple(Point(lab, x, x > upper + 1e-9 or x < lower - 1e-9, shift[i], trend[i]) for i, (lab, x) in enumerate(pairs))
    return XmR(points, mean, upper, lower, mr, gaps)


def _runs(sides: list[int], length: int) -> list[bool]:
    """Flags points in runs of ``length`` or more equal non-zero sides (a point on the mean breaks a run)."""
    flags = [False] * len(sides)
    start = 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start] or sides[i] == 0:
            if sides[start] != 0 and i - start >= length:
                flags[start:i] = [True] * (i - start)
            start = i
    return flags


def _trend(steps: list[int]) -> list[bool]:
    """Flags points in a run of TREND_RUN or more points each above (or below) the one before.

    ``steps[i]`` is the sign of x[i] - x[i-1]; a run of k equal steps spans k + 1 points.
    """
    flags = [False] * len(steps)
    i = 1
    while i < len(steps):
        j = i
        while j + 1 < len(steps) and steps[j + 1] == steps[i] and steps[i] != 0:
            j += 1
        if steps[i] != 0 and (j - i + 2) >= TREND_RUN:
            flags[i - 1 : j + 1] = [True] * (j - i + 2)
        i = j + 1
    return flags
