"""Reads the open API adds over the apps' own gates (each starts from that app's visible_… queryset)."""

import datetime

from django.db.models import QuerySet

from tadiao.api.models import ApiToken
from tadiao.org.models import User
from tadiao.reporting.models import MonthlyReport
from tadiao.reporting.queries import report_scope


def visible_reports(
    user: User, *, month: datetime.date | None = None, project_id: int | None = None, status: str = ""
) -> QuerySet[MonthlyReport]:
    """The monthly reports of the projects the user may read (reporting's report_scope), newest month first, then
    by project: one query per page whatever its length."""
    rows = MonthlyReport.objects.filter(report_scope(user))
    if month is not None:
        rows = rows.filter(period__month=month.replace(day=1))
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("project", "project__unit", "period").order_by("-period__month", "project_id", "id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (the secret is never kept: only its prefix)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def all_tokens() -> QuerySet[ApiToken]:
    """Every user's tokens, for the system administrator's page: one query with their owners."""
    return ApiToken.objects.select_related("user", "user__unit", "revoked_by").order_by("-created_at", "-id")
