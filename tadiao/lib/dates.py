"""Dates as the office writes them, and month arithmetic shared by the apps (pure, no clock)."""

import calendar
import datetime


def cn_date(day: datetime.date) -> str:
    """2026年11月5日 (no leading zeros), as official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
