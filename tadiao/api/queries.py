"""Reads the open API adds over the apps' own gates (each starts from that app's visible_… queryset)."""

import datetime

from django.db.models import QuerySet

from tadiao.api.models import ApiToken
from tadiao.attraction import queries as attraction
from tadiao.org.models import Region, Unit, User
from tadiao.org.queries import reads_whole_region, regions_with_descendants, scope_region, units_in_scope
from tadiao.reporting.models import MonthlyReport
from tadiao.reporting.queries import report_scope
from tadiao.weekly.models import WeeklyReport
from tadiao.weekly.queries import weekly_scope


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


def visible_units(user: User) -> QuerySet[Unit]:
    """The units of the caller's scope (org's units_in_scope): a reporter only its own."""
    return units_in_scope(user).order_by("display_order", "id")


def units_for_figures(user: User, *, unit_id: int | None) -> QuerySet[Unit]:
    """The active units whose three work items the indicators count (attraction's gate), narrowed to one unit."""
    units = attraction.visible_units(user)
    return units.filter(pk=unit_id) if unit_id else units


def visible_regions(user: User) -> QuerySet[Region]:
    """The caller's region and those below it (coordinators, leaders, the system administrator); a reporter's
    unit's region only; nothing for anyone else."""
    if not user.is_authenticated:
        return Region.objects.none()
    if reads_whole_region(user) or user.is_sysadmin:
        region = scope_region(user)
        return regions_with_descendants(region).order_by("path", "id") if region else Region.objects.none()
    if user.is_reporter and user.unit_id:
        return Region.objects.filter(pk=user.unit.region_id).order_by("path", "id")
    return Region.objects.none()


def visible_weekly_reports(
    user: User, *, week_start: datetime.date | None = None, project_id: int | None = None
) -> QuerySet[WeeklyReport]:
    """Weekly reports of the projects in the user's weekly scope (weekly's gate), newest week first, then by project:
    one query per page."""
    rows = WeeklyReport.objects.filter(project__in=weekly_scope(user))
    if week_start is not None:
        rows = rows.filter(week_start=week_start)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return rows.select_related("project", "project__unit").order_by("-week_start", "project_id", "id")
