"""How the demo's monthly investment is spread (tadiao.demo.monthly draws the reports from it): each project's
year is a track over its construction months along a seasonal curve, at a pace drawn per unit and per project;
a county-wide scale, solved by bisection, puts the county a few points behind 序时进度."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from tadiao.projects.models import Project

# Relative construction activity by calendar month: 春节 in January/February, 双过半 in June, year-end push.
SEASON = {1: 0.7, 2: 0.45, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.2, 7: 1.0, 8: 0.9, 9: 1.1, 10: 1.0, 11: 1.05, 12: 1.25}
OVERRUN_CAP = 1.3  # no project completes more than 130% of its annual plan in a year
# Units by pace (share of the annual plan they would complete by December, before the county-wide scaling):
# (share of units, lowest, highest) — well ahead, on schedule, behind, far behind.
UNIT_PACES = [(0.2, 1.2, 1.45), (0.4, 0.92, 1.1), (0.25, 0.55, 0.8), (0.15, 0.25, 0.45)]
# How far behind 序时进度 the county ends its last closed month, in points (never more than 30% of 序时进度).
COUNTY_GAP_POINTS = (5.5, 8.5)
SCALE_RANGE = (0.5, 2.0)


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0):.2f}")


def _months_between(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / 30.4


@dataclass
class _Track:
    """One project's construction in one year: the months it works and how much of its plan it gets done."""

    project: Project
    year: int
    planned: float  # annual planned investment, 万元
    first: int  # the first month it reports: the month it started, or January
    work_end: int  # the last month of construction this year: the completion month, or December
    idle_from: int | None  # suspended (停工): the first month with no work, 1 when suspended in an earlier year
    pace: float  # the share of its annual plan it would complete by December
    scaled: bool  # False when completed this year: it finishes its plan whatever the county does
    noise: dict[int, float] = field(default_factory=dict)
    scale: float = 1.0

    def idle(self, month: int) -> bool:
        return self.idle_from is not None and month >= self.idle_from

    def weight(self, month: int) -> float:
        """The month's share of the year's works, before normalising."""
        return SEASON[month] * self.noise[month] if self.first <= month <= self.work_end else 0.0

    @cached_property
    def total_weight(self) -> float:
        return sum(self.weight(m) for m in range(self.first, self.work_end + 1))

    def realised(self, scale: float) -> float:
        """The investment it would complete by December (万元) at a county-wide scale."""
        return min(self.pace * (scale if self.scaled else 1.0), OVERRUN_CAP) * self.planned

    def amount(self, month: int) -> float:
        """Investment completed in the month (万元); nothing while suspended."""
        if self.idle(month) or not self.total_weight:
            return 0.0
        return self.realised(self.scale) * self.weight(month) / self.total_weight

    def share_done(self, month: int) -> float:
        """The share of `realised` done from January to the end of the month."""
        if not self.total_weight:
            return 0.0
        return sum(self.weight(m) for m in range(1, month + 1) if not self.idle(m)) / self.total_weight


def _solve_scale(done: list[tuple[_Track, float]], goal: float) -> float:
    """The county-wide scale at which the tracks (each with the share of its year done by the calibration month)
    add up to `goal` 万元, by bisection: the county total grows with the scale."""

    def county(scale: float) -> float:
        return sum(track.realised(scale) * share for track, share in done)

    lo, hi = SCALE_RANGE
    if county(hi) <= goal:
        return hi
    for _ in range(40):
        middle = (lo + hi) / 2
        if county(middle) < goal:
            lo = middle
        else:
            hi = middle
    return lo
