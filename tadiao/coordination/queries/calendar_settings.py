"""The working-day calendar held in the database (节假日安排) and the coordination settings: the deadlines
they give."""

import datetime

from django.db.models import QuerySet

from tadiao.coordination import workdays
from tadiao.coordination.models import (
    DEFAULT_WORKING_DAYS,
    Category,
    CategoryDeadline,
    CoordinationSettings,
    WorkdayAdjustment,
)


def adjustments_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(WorkdayAdjustment.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """`days` working days after `start` on the calendar held in the database (one query)."""
    adjustments = adjustments_between(start, start + datetime.timedelta(days=days * 2 + 120))
    return workdays.add_working_days(start, days, adjustments)


def coordination_settings() -> CoordinationSettings:
    config, _ = CoordinationSettings.objects.get_or_create(pk=1)
    return config


def category_days() -> dict[str, int]:
    stored = dict(CategoryDeadline.objects.values_list("category", "working_days"))
    return {str(c): stored.get(c, DEFAULT_WORKING_DAYS[c]) for c in Category.values}


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last deadline that counts as "due soon" (临期) today: the reminder window in working days."""
    return deadline_after(today, coordination_settings().due_soon_days)


def adjustments_in_year(year: int) -> QuerySet[WorkdayAdjustment]:
    """The calendar's adjusted days (holidays, working weekends) of one year."""
    return WorkdayAdjustment.objects.filter(date__year=year)


def category_deadlines() -> list[tuple[str, int]]:
    """(category label, working days) of each category: the default time limits a raising form shows."""
    return [(Category(code).label, days) for code, days in category_days().items()]


def settings_values() -> dict:
    """The coordination settings as the settings form shows them: the overdue action, the reminder window, the
    row's version, and each category's working days as days_<CODE>."""
    config = coordination_settings()
    return {
        "overdue_action": config.overdue_action,
        "due_soon_days": config.due_soon_days,
        "version": config.version,
        **{f"days_{k}": v for k, v in category_days().items()},
    }
