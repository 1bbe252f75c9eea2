"""/api/v1/reports: monthly reports — list and read through reporting's gate; save and submit through reporting's
services with the same version check as the form (a stale `version` is refused with 409)."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from tadiao.api import queries as api_queries
from tadiao.api.core import Message, Paging, error_body, page_of, page_schema, reject_unknown
from tadiao.api.endpoints.projects import UnitRef, require_business_reader
from tadiao.api.fields import Money, described
from tadiao.lib.forms import error_text
from tadiao.projects.queries import get_project_for_user, may_write_project
from tadiao.reporting import queries, services
from tadiao.reporting.forms import ReportForm
from tadiao.reporting.models import MonthlyReport

router = Router(tags=["月度填报"])

MONTH_PATTERN = r"^\d{4}-\d{2}$"


class ProjectRef(Schema):
    id: int = described("项目 ID")
    name: str = described("项目名称")
    unit: UnitRef = described("责任单位")


class ReportOut(Schema):
    id: int = described("月报 ID")
    project: ProjectRef = described("项目")
    month: str = described("月份，YYYY-MM")
    period_closed: bool = described("该月是否已关账")
    status: str = described("状态代码：DRAFT、SUBMITTED、APPROVED、RETURNED")
    status_label: str = described("状态（中文）：草稿、已报送、审核通过、已退回")
    investment_completed: Money = described("本月完成投资（万元）")
    progress_text: str = described("形象进度")
    workers_on_site: int | None = described("施工人数")
    stage_reached: str = described("达到阶段代码；空为未变化")
    stage_reached_date: datetime.date | None = described("达到阶段日期")
    problems: str = described("存在问题及诉求")
    return_reason: str = described("退回原因")
    confirmed_warnings: list[str] = described("填报员已确认的异常提示")
    submitted_at: datetime.datetime | None = described("报送时间")
    reviewed_at: datetime.datetime | None = described("审核时间")
    version: int = described("版本号：修改、报送时原样带回，用于并发校验")

    @staticmethod
    def resolve_month(obj: MonthlyReport) -> str:
        return f"{obj.period.month:%Y-%m}"

    @staticmethod
    def resolve_period_closed(obj: MonthlyReport) -> bool:
        return obj.period.is_closed

    @staticmethod
    def resolve_status_label(obj: MonthlyReport) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_confirmed_warnings(obj: MonthlyReport) -> list[str]:
        return obj.confirmed_warnings.splitlines()


ReportPage = page_schema("ReportPage", ReportOut, "月报")


class ReportQuery(Schema):
    month: str = described("月份 YYYY-MM；不填为所有月份", "", pattern=r"^(\d{4}-\d{2})?$")
    project: int | None = described("项目 ID", None)
    status: str = described("状态代码：DRAFT、SUBMITTED、APPROVED、RETURNED", "")


class ReportIn(Schema):
    """The report form's fields; `version` as read (null for a report not started yet)."""

    investment_completed: str = described("本月完成投资（万元），数字字符串，最多两位小数，如 \"120.50\"")
    progress_text: str = described("形象进度（必填，最多 2000 字）")
    workers_on_site: int | None = described("施工人数", None)
    stage_reached: str = described("达到阶段代码；空为未变化", "")
    stage_reached_date: datetime.date | None = described("达到阶段日期（不晚于本月最后一天）", None)
    problems: str = described("存在问题及诉求", "")
    version: int | None = described("读取时的版本号；新建月报为 null", None)
    confirm_warnings: bool = described("数字明显异常时确认“我已核对，数字无误”", False)
    submit: bool = described("保存后立即报送（等同页面上的“报送”按钮）", False)


class SubmitIn(Schema):
    version: int = described("读取时的版本号")


class RefusedOut(Schema):
    detail: str = described("说明（中文）")
    code: str = described("机器可读的错误代码：rejected、conflict、invalid")
    warnings: list[str] = described("异常提示（数字明显异常时）", [])


@router.get("/reports", response={200: ReportPage, 403: Message, 422: Message}, summary="月报列表")
def report_list(request: HttpRequest, filters: Query[ReportQuery], paging: Query[Paging]) -> dict[str, Any]:
    """调用者可查看的项目的月报，按月份（新→旧）、项目排序。"""
    require_business_reader(request)
    reject_unknown(request.GET, {"status": MonthlyReport.Status.values})
    month = queries.parse_month(filters.month, default=timezone.localdate()) if filters.month else None
    rows = api_queries.visible_reports(request.user, month=month, project_id=filters.project, status=filters.status)
    return page_of(request, rows, paging)


@router.get("/reports/{report_id}", response={200: ReportOut, 403: Message, 404: Message}, summary="月报详情")
def report_detail(request: HttpRequest, report_id: int) -> MonthlyReport:
    require_business_reader(request)
    return queries.get_report_for_user(request.user, report_id)


@router.put(
    "/projects/{project_id}/reports/{month}",
    response={200: ReportOut, 400: RefusedOut, 403: Message, 404: Message, 409: RefusedOut, 422: RefusedOut},
    summary="填报或修改月报（可同时报送）",
)
def report_save(request: HttpRequest, project_id: int, month: str, payload: ReportIn) -> MonthlyReport | Status:
    """与填报页面相同：只有项目所属单位（或调度员）可以填报；已报送、已审核或已关账的月报不能修改；
    版本号不是最新的返回 409；数字明显异常时返回 422 与异常提示，确认后带 confirm_warnings=true 重新提交。"""
    project = get_project_for_user(request.user, project_id)
    period = queries.period_for_month(queries.parse_month(month, default=timezone.localdate()))
    if period is None or month != f"{period.month:%Y-%m}":
        raise Http404("该月份尚未开启填报。")
    if not may_write_project(request.user, project):
        return Status(403, error_body(403, "您只能查看该月报，不能修改。"))
    form = ReportForm(
        {
            **{k: "" if v is None else str(v) for k, v in payload.dict().items() if k not in ("submit",)},
            "confirm_warnings": "on" if payload.confirm_warnings else "",
        }
    )
    if not form.is_valid():
        return Status(422, error_body(422, error_text(form)))
    try:
        report = services.save_report(
            project=project, period=period, data=form.report_data(), by=request.user,
            expected_version=form.cleaned_data["version"], confirmed=form.cleaned_data["confirm_warnings"],
        )
        if payload.submit:
            services.submit_report(report=report, by=request.user, expected_version=report.version)
    except services.ImplausibleFigureError as exc:
        return Status(422, error_body(422, exc.message, warnings=exc.warnings))
    except services.ReportConflictError as exc:
        return Status(409, error_body(409, exc.message))
    except services.ReportingError as exc:
        return Status(400, error_body(400, exc.message))
    return queries.get_report_for_user(request.user, report.pk)


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportOut, 400: RefusedOut, 403: Message, 404: Message, 409: RefusedOut},
    summary="报送月报",
)
def report_submit(request: HttpRequest, report_id: int, payload: SubmitIn) -> MonthlyReport | Status:
    """报送草稿或已退回的月报，等待重点项目办审核。"""
    report = queries.get_report_for_user(request.user, report_id, write=True)
    try:
        services.submit_report(report=report, by=request.user, expected_version=payload.version)
    except services.ReportConflictError as exc:
        return Status(409, error_body(409, exc.message))
    except services.ReportingError as exc:
        return Status(400, error_body(400, exc.message))
    return queries.get_report_for_user(request.user, report.pk)
