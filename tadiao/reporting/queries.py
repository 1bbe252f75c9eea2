"""Reads of monthly reporting: the settings, the reports a unit owes, overdue units."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tadiao.org.models import Unit, User
from tadiao.projects.models import AnnualPlan, Project
from tadiao.projects.queries import get_project_for_user, visible_projects
from tadiao.reporting.models import MonthlyReport, Period, ReportingSettings

DONE_STATUSES = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED)


def reporting_settings() -> ReportingSettings:
    settings, _ = ReportingSettings.objects.get_or_create(pk=1)
    return settings


def projects_owing_reports(period: Period) -> QuerySet[Project]:
    """Projects that owe a report for the period: not cancelled, in that year's plan (年度计划)."""
    in_plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=period.month.year)
    return Project.objects.filter(Exists(in_plan), is_cancelled=False)


def owed_reports_for_user(user: User, period: Period) -> QuerySet[Project]:
    """The projects the user's scope owes for the period, each with its report (if started) in one query."""
    owed = projects_owing_reports(period).filter(pk__in=visible_projects(user).values("pk"))
    return owed.select_related("unit").order_by("unit__display_order", "id")


def reports_for_period(period: Period, projects: QuerySet[Project]) -> dict[int, MonthlyReport]:
    return {r.project_id: r for r in MonthlyReport.objects.filter(period=period, project__in=projects)}


def overdue_units(period: Period, *, today: datetime.date) -> QuerySet[Unit]:
    """Units with at least one owed report not yet submitted once the deadline has passed."""
    if today <= period.deadline:
        return Unit.objects.none()
    done = MonthlyReport.objects.filter(project=OuterRef("pk"), period=period, status__in=DONE_STATUSES)
    late_projects = projects_owing_reports(period).filter(~Exists(done))
    return Unit.objects.filter(pk__in=late_projects.values("unit_id")).order_by("display_order", "id")


def period_for_month(month: datetime.date) -> Period | None:
    return Period.objects.filter(month=month.replace(day=1)).first()


def report_scope(user: User) -> Q:
    """Reports of projects the user may read."""
    return Q(project__in=visible_projects(user))


def get_report_for_user(user: User, pk: int, *, write: bool = False) -> MonthlyReport:
    """The report, or 404 outside the user's scope; 403 when the user may read it but not write."""
    report = MonthlyReport.objects.select_related("period", "project").filter(pk=pk).first()
    if report is None:
        raise Http404("月报不存在或无权查看。")
    get_project_for_user(user, report.project_id, write=write)
    return report


def parse_month(value: str | None, *, default: datetime.date) -> datetime.date:
    """ "2026-11" → 2026-11-01; anything else → the default month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return default.replace(day=1)
