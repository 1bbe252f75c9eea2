"""Dates as the office writes them, and month arithmetic shared by the apps (pure, no clock)."""

import calendar
import datetime


def cn_date(day: datetime.date) -> str:
    """2026年11月5日 (no leading zeros), as official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_end(month: datetime.date) -> datetime.date:
    """The last day of `month`'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# What a person types for a date, whatever the browser's language: 2026-12-03 (also 2026-12-3), 2026/12/3,
# 2026.12.3, 20261203 and 2026年12月3日. The same list is Django's DATE_INPUT_FORMATS (tadiao/formats).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d"]
DATE_PLACEHOLDER = "2026-12-03"


def parse_date(text: str) -> datetime.date:
    """A date typed as 2026-12-03 or 2026年12月3日 (spaces ignored); ValueError for anything else."""
    compact = "".join(str(text).split())
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.datetime.strptime(compact, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"不是有效的日期：{text}")
