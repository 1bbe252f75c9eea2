"""Overdue: one rule for the lists, the inbox, the statistics, the snapshot and the agenda.

Overdue is judged by dates, not by the current status, so that a figure as of a past day (a month's snapshot,
frozen after the month ended) counts an item overdue then but resolved since. Lists of today's work also keep
to the open statuses (退回 counts as not resolved, as before).
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from tadiao.coordination.models import Problem


def not_resolved_by(day: datetime.date) -> Q:
    """Items not resolved (办结) on or before `day`: no resolution date, or a later one."""
    return Q(resolved_date__isnull=True) | Q(resolved_date__gt=day)


def overdue_on(day: datetime.date) -> Q:
    """Items overdue on `day`: not resolved by then, and the time limit first given already passed."""
    return not_resolved_by(day) & Q(first_deadline__lt=day)


def overdue_problems(*, as_of: datetime.date, kinds: Iterable[str] = (Problem.Kind.PROBLEM,)) -> QuerySet[Problem]:
    """Items overdue on `as_of` (see `overdue_on`: judged by dates, so `as_of` may be a past day), for the
    snapshot, the bulletin and the dashboard; most overdue first (earliest first time limit), with the project
    and units a row shows. Region-wide: callers scope it."""
    return (
        Problem.objects.filter(overdue_on(as_of), kind__in=list(kinds))
        .select_related("project", "project__unit", "lead_unit", "raised_by_unit")
        .order_by("first_deadline", "lead_unit__display_order", "id")
    )
