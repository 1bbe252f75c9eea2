"""Helpers every demo builder shares."""

import datetime

from django.utils import timezone


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """The aware moment on `day` at hour:minute (Asia/Shanghai): when a demo row was entered, signed or decided."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
