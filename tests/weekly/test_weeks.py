"""Weeks and the weekly deadline on the official working-day calendar (the calendar the data migration ships)."""

import datetime

import pytest

from tadiao.coordination.models import WorkdayAdjustment
from tadiao.weekly import queries, weeks
from tadiao.weekly.weeks import Week, WeekError

D = datetime.date


def test_parse_and_labels():
    week = Week.parse("2026-W49")
    assert (week.start, week.end) == (D(2026, 11, 30), D(2026, 12, 6))
    assert week.label == "2026年第49周"
    assert week.span == "2026年11月30日—12月6日"
    assert week.param == "2026-W49"
    assert Week.parse("2026w9").param == "2026-W09"
    assert Week.of(D(2026, 12, 6)) == week and Week.of(D(2026, 12, 7)) == week.next()
    # ISO week 1 of 2027 starts on 2027-01-04; 2026-W53 exists (2026 has 53 ISO weeks).
    assert Week.parse("2026-W53").span == "2026年12月28日—2027年1月3日"


@pytest.mark.parametrize("bad", ["", "2026-49", "W49", "2026-W54", "2025-W53", "二〇二六年"])
def test_bad_weeks_are_refused_in_chinese(bad):
    with pytest.raises(WeekError) as info:
        Week.parse(bad)
    assert "周" in str(info.value)


def test_deadline_is_friday_or_the_previous_working_day():
    none: dict = {}
    assert weeks.deadline(Week.parse("2026-W48"), 4, none) == D(2026, 11, 27)
    assert weeks.deadline(Week.parse("2026-W48"), 2, none) == D(2026, 11, 25)  # configured: Wednesday
    # A Sunday deadline on an ordinary week falls back to Friday.
    assert weeks.deadline(Week.parse("2026-W48"), 6, none) == D(2026, 11, 27)


@pytest.mark.django_db
def test_holidays_come_from_the_working_day_calendar():
    config = queries.weekly_settings()
    assert config.deadline_weekday == 4  # default: Friday
    # 2026 National Day: Thursday 1 and Friday 2 October are days off → Wednesday 30 September.
    assert queries.deadline_for(Week.parse("2026-W40"), config) == D(2026, 9, 30)
    # 2026 清明: Saturday 4 – Monday 6 April; a Monday deadline of that week would fall before the week began, so it
    # goes to the first working day after: Tuesday 7 April.
    config.deadline_weekday = 0
    assert queries.deadline_for(Week.parse("2026-W15"), config) == D(2026, 4, 7)
    # Spring Festival 2026 (15–23 February): the whole week 16–22 is off → Tuesday 24 February.
    config.deadline_weekday = 4
    assert queries.deadline_for(Week.parse("2026-W08"), config) == D(2026, 2, 24)
    # A holiday the office enters itself counts too (Friday 2026-12-04 made a day off → Thursday).
    WorkdayAdjustment.objects.create(date=D(2026, 12, 4), is_workday=False, note="测试")
    assert queries.deadline_for(Week.parse("2026-W49"), config) == D(2026, 12, 3)
