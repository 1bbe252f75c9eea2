"""Working-day arithmetic on the Chinese official calendar: pure functions, no database, no clock.

A day is a working day when the calendar's adjustments (国务院办公厅节假日安排: holidays and the 调休 working
Saturdays/Sundays) say so; a day without an adjustment is a working day from Monday to Friday.
`adjustments` maps a date to True (working day) or False (day off).
"""

import datetime
from collections.abc import Mapping

ONE_DAY = datetime.timedelta(days=1)


def is_working_day(day: datetime.date, adjustments: Mapping[datetime.date, bool]) -> bool:
    if day in adjustments:
        return adjustments[day]
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, adjustments: Mapping[datetime.date, bool]) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted): raised on Friday with 1 working
    day → due on Monday. 0 days → `start` itself."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += ONE_DAY
        if is_working_day(day, adjustments):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, adjustments: Mapping[datetime.date, bool]) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start): the inverse of
    add_working_days, used for "还剩 N 个工作日"."""
    n, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working_day(day, adjustments):
            n += 1
    return n


# The State Council's schedules (国办发明电), as shipped in the data migration: (date, is working day, note).
def _span(first: datetime.date, last: datetime.date, note: str) -> list[tuple[datetime.date, bool, str]]:
    days = []
    while first <= last:
        days.append((first, False, note))
        first += ONE_DAY
    return days


D = datetime.date
OFFICIAL_SCHEDULES: list[tuple[datetime.date, bool, str]] = [
    # 2025: 国务院办公厅关于2025年部分节假日安排的通知
    *_span(D(2025, 1, 1), D(2025, 1, 1), "元旦"),
    *_span(D(2025, 1, 28), D(2025, 2, 4), "春节"),
    (D(2025, 1, 26), True, "春节调休上班"),
    (D(2025, 2, 8), True, "春节调休上班"),
    *_span(D(2025, 4, 4), D(2025, 4, 6), "清明节"),
    *_span(D(2025, 5, 1), D(2025, 5, 5), "劳动节"),
    (D(2025, 4, 27), True, "劳动节调休上班"),
    *_span(D(2025, 5, 31), D(2025, 6, 2), "端午节"),
    *_span(D(2025, 10, 1), D(2025, 10, 8), "国庆节、中秋节"),
    (D(2025, 9, 28), True, "国庆节调休上班"),
    (D(2025, 10, 11), True, "国庆节调休上班"),
    # 2026: 国务院办公厅关于2026年部分节假日安排的通知
    *_span(D(2026, 1, 1), D(2026, 1, 3), "元旦"),
    (D(2026, 1, 4), True, "元旦调休上班"),
    *_span(D(2026, 2, 15), D(2026, 2, 23), "春节"),
    (D(2026, 2, 14), True, "春节调休上班"),
    (D(2026, 2, 28), True, "春节调休上班"),
    *_span(D(2026, 4, 4), D(2026, 4, 6), "清明节"),
    *_span(D(2026, 5, 1), D(2026, 5, 5), "劳动节"),
    (D(2026, 5, 9), True, "劳动节调休上班"),
    *_span(D(2026, 6, 19), D(2026, 6, 21), "端午节"),
    *_span(D(2026, 9, 25), D(2026, 9, 27), "中秋节"),
    *_span(D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
    (D(2026, 9, 20), True, "国庆节调休上班"),
    (D(2026, 10, 10), True, "国庆节调休上班"),
]
