"""/api/v1/weekly-reports: weekly reports (周调度) through weekly's gate — the office and leaders read the region's,
a unit's reporter only its own unit's."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from tadiao.api import queries as api_queries
from tadiao.api.core import Message, Paging, page_of, page_schema
from tadiao.api.endpoints.reports import ProjectRef
from tadiao.api.fields import described
from tadiao.weekly import queries
from tadiao.weekly.models import WeeklyReport
from tadiao.weekly.weeks import Week, WeekError

router = Router(tags=["周调度"])


class WeeklyQuery(Schema):
    week: str = described("周次，如 2026-W48；不填为所有周", "")
    project: int | None = described("项目 ID", None)


class WeeklyOut(Schema):
    id: int = described("周报 ID")
    project: ProjectRef = described("项目")
    week: str = described("周次，如 2026-W48")
    week_start: datetime.date = described("该周周一")
    progress_text: str = described("本周进展")
    next_week_plan: str = described("下周计划")
    workers_on_site: int | None = described("现场施工人数")
    status: str = described("状态代码")
    status_label: str = described("状态（中文）")
    return_reason: str = described("退回原因")
    submitted_at: datetime.datetime | None = described("报送时间")
    version: int = described("版本号")

    @staticmethod
    def resolve_week(obj: WeeklyReport) -> str:
        return Week(obj.week_start).param

    @staticmethod
    def resolve_status_label(obj: WeeklyReport) -> str:
        return obj.get_status_display()


WeeklyPage = page_schema("WeeklyPage", WeeklyOut, "周报")


@router.get("/weekly-reports", response={200: WeeklyPage, 403: Message, 422: Message}, summary="周报列表")
def weekly_list(request: HttpRequest, filters: Query[WeeklyQuery], paging: Query[Paging]) -> dict[str, Any]:
    """调用者可查看的周报，新的周在前，再按项目。"""
    queries.require_reader(request.user)
    try:
        week = Week.parse(filters.week) if filters.week else None
    except WeekError as exc:
        raise HttpError(422, str(exc)) from exc
    rows = api_queries.visible_weekly_reports(request.user, week_start=week.start if week else None,
                                              project_id=filters.project)
    return page_of(request, rows, paging)


@router.get("/weekly-reports/{weekly_id}", response={200: WeeklyOut, 403: Message, 404: Message}, summary="周报详情")
def weekly_detail(request: HttpRequest, weekly_id: int) -> WeeklyReport:
    queries.require_reader(request.user)
    report = queries.get_report_for_user(request.user, weekly_id)
    return WeeklyReport.objects.select_related("project", "project__unit").get(pk=report.pk)
