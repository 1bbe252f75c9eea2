"""/api/v1/projects: the project list (the list page's filters and sorts) and a project with its stages,
approvals, annual plans and funding — through projects.queries' gate, as the pages."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from tadiao.api.core import Message, Paging, page_of, page_schema, reject_unknown
from tadiao.api.fields import Money, described
from tadiao.org.queries import reads_business_data
from tadiao.projects import queries
from tadiao.projects.models import Category, Level, Project, Stage

router = Router(tags=["项目"])


def require_business_reader(request: HttpRequest) -> None:
    """The business roles (调度员, 领导, 填报员) read; the system and audit administrators get 403, as on the pages."""
    if not reads_business_data(request.user):
        raise HttpError(403, "您的角色不能查看业务数据（三员分立：系统管理员、审计管理员不查看业务数据）。")


class ProjectQuery(Schema):
    """The list page's filters (the same names and values as its query string)."""

    q: str = described("按项目名称、项目代码、投资企业搜索", "")
    unit: int | None = described("责任单位 ID", None)
    level: str = described(
        "项目级别代码：NATIONAL 国家重点、PROVINCIAL 省重点、CITY 市重点、COUNTY 县区重点、GENERAL 一般", ""
    )
    category: str = described("项目类别代码，如 INDUSTRY 产业、INFRASTRUCTURE 基础设施", "")
    industry: int | None = described("主导产业 ID", None)
    stage: str = described(
        "当前阶段代码：RESERVE、NEGOTIATING、SIGNED、APPROVED、STARTED、COMPLETED、PRODUCING、AT_CAPACITY", ""
    )
    tag: str = described("标签名称（含“亿元以上”等派生标签）", "")
    year: int | None = described("年度：只列该年有年度计划的项目；年度计划投资按该年（默认今年）", None)
    status: str = described("状态：normal 正常、suspended 停工、cancelled 终止", "")
    sort: str = described(
        "排序：default 按单位、name、investment、-investment、stage、started、-started、-updated", "default"
    )


class UnitRef(Schema):
    id: int = described("单位 ID")
    name: str = described("单位名称")


class ProjectRow(Schema):
    id: int = described("项目 ID")
    code: str = described("项目代码（全国投资项目在线审批监管平台赋码），可为空")
    name: str = described("项目名称")
    investor: str = described("项目单位（投资企业）")
    unit: UnitRef = described("责任单位")
    level: str = described("项目级别代码")
    level_label: str = described("项目级别（中文）")
    category: str = described("项目类别代码")
    category_label: str = described("项目类别（中文）")
    industry: str | None = described("主导产业名称")
    nature: str = described("建设性质代码")
    nature_label: str = described("建设性质（中文）：新建、扩建、改建、续建")
    stage: str = described("当前阶段代码")
    stage_label: str = described("当前阶段（中文）")
    status_label: str = described("状态：正常、停工、终止")
    total_investment: Money = described("总投资（万元）")
    year_planned: Money | None = described("筛选年度（默认今年）的年度计划投资（万元）；无年度计划为 null")
    started_date: datetime.date | None = described("实际开工日期")
    leader: str | None = described("联系领导")
    tags: list[str] = described("标签（含派生标签，如“亿元以上”）")
    version: int = described("版本号（每次修改加 1）")

    @staticmethod
    def resolve_level_label(obj: Project) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_category_label(obj: Project) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_nature_label(obj: Project) -> str:
        return obj.get_nature_display()

    @staticmethod
    def resolve_stage_label(obj: Project) -> str:
        return obj.get_stage_display()

    @staticmethod
    def resolve_industry(obj: Project) -> str | None:
        return obj.industry.name if obj.industry_id else None

    @staticmethod
    def resolve_leader(obj: Project) -> str | None:
        return str(obj.leader) if obj.leader_id else None

    @staticmethod
    def resolve_tags(obj: Project) -> list[str]:
        return [t.name for t in obj.tags.all()] + obj.derived_tags

    @staticmethod
    def resolve_year_planned(obj: Project) -> Decimal | None:
        return getattr(obj, "year_planned", None)


ProjectPage = page_schema("ProjectPage", ProjectRow, "项目")


class StageOut(Schema):
    stage: str = described("阶段代码")
    label: str = described("阶段（中文）")
    planned: datetime.date | None = described("计划日期（倒排工期）")
    actual: datetime.date | None = described("实际日期")
    state: str = described("done 已过、current 当前、ahead 未到")


class ApprovalOut(Schema):
    kind: str = described("手续名称")
    status: str = described("状态代码：未记录为 NOT_STARTED")
    status_label: str = described("状态（中文）：未办、办理中、已办结、容缺受理")
    department: str = described("办理部门")
    planned_date: datetime.date | None = described("计划办结日期")
    applied_date: datetime.date | None = described("申报日期")
    completed_date: datetime.date | None = described("办结日期")
    days_taken: int | None = described("办理天数")


class PlanOut(Schema):
    year: int = described("年度")
    planned_investment: Money = described("年度计划投资（万元）")
    planned_start_date: datetime.date | None = described("年度计划开工日期")
    planned_completion_date: datetime.date | None = described("年度计划竣工日期")
    goal: str = described("年度建设目标")


class FundingOut(Schema):
    source: str = described("资金来源代码")
    source_label: str = described("资金来源（中文）：中央预算内、专项债、地方财政、银行贷款、企业自筹")
    planned: Money = described("计划（万元）")
    in_place: Money = described("到位（万元）")
    spent: Money = described("已支出（万元）")

    @staticmethod
    def resolve_source_label(obj) -> str:
        return obj.get_source_display()


class ProjectDetail(ProjectRow):
    supervising_department: str | None = described("主管部门")
    industry_code: str = described("国民经济行业代码（GB/T 4754）")
    funding_source: str = described("资金来源（文字）")
    investor_origin: str = described("投资方来源地")
    land_area: Money | None = described("用地（亩）")
    latitude: Money | None = described("纬度")
    longitude: Money | None = described("经度")
    content: str = described("建设内容")
    in_statistics: bool = described("是否入库纳统")
    statistics_month: datetime.date | None = described("纳统月份（该月 1 日）")
    is_suspended: bool = described("是否停工")
    suspended_reason: str = described("停工原因")
    is_cancelled: bool = described("是否终止")
    cancelled_reason: str = described("终止原因")
    may_write: bool = described("调用者能否修改该项目")
    stages: list[StageOut] = described("各阶段的计划与实际日期")
    approvals: list[ApprovalOut] = described("前期手续清单")
    annual_plans: list[PlanOut] = described("年度计划")
    fundings: list[FundingOut] = described("分来源资金")

    @staticmethod
    def resolve_approvals(obj: Project) -> list[dict]:
        return obj.approval_rows

    @staticmethod
    def resolve_annual_plans(obj: Project) -> list:
        return list(obj.annual_plans.all())

    @staticmethod
    def resolve_fundings(obj: Project) -> list:
        return list(obj.fundings.all())

    @staticmethod
    def resolve_supervising_department(obj: Project) -> str | None:
        return str(obj.supervising_department) if obj.supervising_department_id else None


@router.get("/projects", response={200: ProjectPage, 403: Message, 422: Message}, summary="项目列表")
def project_list(request: HttpRequest, filters: Query[ProjectQuery], paging: Query[Paging]) -> dict[str, Any]:
    """与“项目台账”页面相同的筛选与排序；填报员只看到本单位的项目。"""
    require_business_reader(request)
    reject_unknown(request.GET, {"level": Level.values, "category": Category.values, "stage": Stage.values,
                                 "status": queries.STATUS_FILTERS, "sort": queries.SORTS})
    parsed = queries.ProjectFilters.from_query(request.GET)
    if parsed.invalid:
        raise HttpError(422, f"筛选条件有误：{'、'.join(parsed.invalid)}")
    rows = queries.project_rows(request.user, parsed, plan_year=parsed.year or timezone.localdate().year)
    return page_of(request, rows, paging)


@router.get("/projects/{project_id}", response={200: ProjectDetail, 403: Message, 404: Message}, summary="项目详情")
def project_detail(request: HttpRequest, project_id: int) -> Project:
    """项目的基本信息、各阶段日期、前期手续、年度计划与资金；范围外的项目返回 404。"""
    require_business_reader(request)
    project = queries.get_project_for_user(request.user, project_id)
    project.stages = [
        {"stage": row["stage"].value, "label": row["stage"].label, "planned": row["planned"],
         "actual": row["actual"], "state": row["state"]}
        for row in queries.stage_timeline(project)
    ]
    project.approval_rows = [_approval(row) for row in queries.approvals_checklist(project)]
    project.may_write = queries.may_write_project(request.user, project)
    return project


def _approval(row: dict) -> dict:
    approval = row["approval"]
    if approval is None:
        return {"kind": row["kind"].name, "status": "NOT_STARTED", "status_label": "未办", "department": "",
                "planned_date": None, "applied_date": None, "completed_date": None, "days_taken": None}
    return {
        "kind": row["kind"].name, "status": approval.status, "status_label": approval.get_status_display(),
        "department": approval.department, "planned_date": approval.planned_date,
        "applied_date": approval.applied_date, "completed_date": approval.completed_date,
        "days_taken": approval.days_taken,
    }
