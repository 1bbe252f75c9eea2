"""Weeks as the weekly meeting counts them (ISO weeks, Monday to Sunday) and the weekly deadline on the official
working-day calendar. Pure functions: no database, no clock."""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tadiao.coordination.workdays import ONE_DAY, is_working_day
from tadiao.lib.dates import cn_date

WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


class WeekError(ValueError):
    """A week that cannot be read; the message is the Chinese text the user sees."""


@dataclass(frozen=True)
class Week:
    """An ISO week: `start` is its Monday."""

    start: datetime.date

    @classmethod
    def of(cls, day: datetime.date) -> "Week":
        return cls(day - datetime.timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, value: str) -> "Week":
        """ "2026-W49" (as <input type="week"> sends it, or "2026W49") → the week starting 2026-11-30."""
        match = WEEK_RE.match(value or "")
        if not match:
            raise WeekError(f"周次格式应为 2026-W49（年-W周次），收到：{value}")
        year, number = int(match[1]), int(match[2])
        try:
            return cls(datetime.date.fromisocalendar(year, number, 1))
        except ValueError as exc:
            raise WeekError(f"{year}年没有第{number}周。") from exc

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def year(self) -> int:
        return self.start.isocalendar()[0]

    @property
    def number(self) -> int:
        return self.start.isocalendar()[1]

    @property
    def param(self) -> str:
        """ "2026-W49": the query-string and <input type="week"> form."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}周"

    @property
    def span(self) -> str:
        """2026年11月30日—12月6日 (the second date without the year when it is the same)."""
        end = self.end
        tail = f"{end.month}月{end.day}日" if end.year == self.start.year else cn_date(end)
        return f"{cn_date(self.start)}—{tail}"

    def previous(self) -> "Week":
        return Week(self.start - datetime.timedelta(days=7))

    def next(self) -> "Week":
        return Week(self.start + datetime.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.label}（{self.span}）"


def deadline(week: Week, weekday: int, adjustments: Mapping[datetime.date, bool]) -> datetime.date:
    """The week's reporting deadline: its `weekday` (0 = Monday), or when that is a holiday the previous working
    day of the same week. A week with no working day up to that weekday (the Spring Festival week) is due on the
    first working day after it: a report can never be due before its week has begun."""
    day = week.start + datetime.timedelta(days=weekday)
    while day >= week.start:
        if is_working_day(day, adjustments):
            return day
        day -= ONE_DAY
    day = week.start + datetime.timedelta(days=weekday)
    while not is_working_day(day, adjustments):
        day += ONE_DAY
    return day
