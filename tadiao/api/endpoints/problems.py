"""/api/v1/problems: problems and supervision items through coordination's gate (the list page's filters), one
item with its replies, and a reply through coordination's reply service."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Answer
from ninja.errors import HttpError

from tadiao.api.core import Message, Paging, error_body, page_of, page_schema, reject_unknown
from tadiao.api.endpoints.projects import UnitRef
from tadiao.api.fields import described
from tadiao.coordination import queries, services
from tadiao.coordination.models import Category, Problem, Reply, Status

router = Router(tags=["问题协调"])


class ProblemQuery(Schema):
    """The problem list page's filters."""

    kind: str = described("类型：PROBLEM 问题诉求（默认）、SUPERVISION 督办事项", "PROBLEM")
    status: str = described("状态代码：PENDING、IN_PROGRESS、RESOLVED、CLOSED、RETURNED 等", "")
    state: str = described("open 未办结、overdue 已超期、due_soon 临期、decision 超期待决定", "")
    category: str = described("问题类别代码，如 LAND 用地、FUNDS 资金", "")
    level: int | None = described("协调层级 1–4", None)
    unit: int | None = described("牵头或协办单位 ID", None)
    q: str = described("按标题、描述、项目名称搜索", "")
    sort: str = described("排序：-raised（默认）、raised、deadline、-level、unit", "-raised")


class ProblemRow(Schema):
    id: int = described("事项 ID")
    kind: str = described("类型代码：PROBLEM 问题诉求、SUPERVISION 督办事项")
    title: str = described("标题")
    category: str = described("问题类别代码")
    category_label: str = described("问题类别（中文）")
    project_id: int | None = described("所属项目 ID")
    project_name: str | None = described("所属项目名称")
    raised_by_unit: UnitRef = described("提出单位")
    lead_unit: UnitRef = described("牵头单位")
    helping_units: list[UnitRef] = described("协办单位")
    raised_date: datetime.date = described("提出日期")
    deadline: datetime.date = described("办结时限")
    level: int = described("协调层级：1 单位、2 分管领导、3 指挥部/主要领导、4 上报上级")
    level_label: str = described("协调层级（中文）")
    status: str = described("状态代码")
    status_label: str = described("状态（中文）")
    resolved_date: datetime.date | None = described("办结日期")
    closed_date: datetime.date | None = described("销号日期")
    version: int = described("版本号")

    @staticmethod
    def resolve_category_label(obj: Problem) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_project_name(obj: Problem) -> str | None:
        return obj.project.name if obj.project_id else None

    @staticmethod
    def resolve_helping_units(obj: Problem) -> list:
        return list(obj.helping_units.all())

    @staticmethod
    def resolve_level_label(obj: Problem) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_status_label(obj: Problem) -> str:
        return obj.get_status_display()


ProblemPage = page_schema("ProblemPage", ProblemRow, "事项")


class ReplyOut(Schema):
    id: int = described("回复 ID")
    unit: str | None = described("回复单位")
    author: str | None = described("回复人")
    content: str = described("内容")
    at: datetime.datetime = described("回复时间")

    @staticmethod
    def resolve_unit(obj: Reply) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_author(obj: Reply) -> str | None:
        return str(obj.author) if obj.author_id else None


class ProblemDetail(ProblemRow):
    description: str = described("问题描述")
    return_reason: str = described("退回原因")
    overdue: bool = described("是否已超期（按今天）")
    may_reply: bool = described("调用者能否回复")
    replies: list[ReplyOut] = described("办理回复，按时间先后")

    @staticmethod
    def resolve_replies(obj: Problem) -> list:
        return obj.replies_list


class ReplyIn(Schema):
    content: str = described("回复内容（必填）", max_length=2000)


@router.get("/problems", response={200: ProblemPage, 403: Message, 422: Message}, summary="问题与督办事项列表")
def problem_list(request: HttpRequest, filters: Query[ProblemQuery], paging: Query[Paging]) -> dict[str, Any]:
    """与“问题协调”“督办事项”页面相同的筛选与排序；填报员只看到与本单位有关的事项。"""
    queries.require_reader(request.user)
    reject_unknown(request.GET, {"kind": Problem.Kind.values, "status": Status.values, "state": queries.STATE_FILTERS,
                                 "category": Category.values, "sort": queries.SORTS})
    kind = filters.kind or Problem.Kind.PROBLEM
    parsed = queries.ProblemFilters.from_query(request.GET)
    rows = queries.problem_rows(request.user, parsed, kind=kind, today=timezone.localdate())
    if parsed.invalid:
        raise HttpError(422, f"请求参数有误：{'、'.join(parsed.invalid)}")
    return page_of(request, rows, paging)  # every sort ends with the id: a stable order


def _detail(request: HttpRequest, problem: Problem) -> Problem:
    problem.overdue = problem.is_overdue(timezone.localdate())
    problem.may_reply = queries.may_reply(request.user, problem)
    problem.replies_list = list(queries.replies(problem))
    return problem


@router.get("/problems/{problem_id}", response={200: ProblemDetail, 403: Message, 404: Message},
            summary="事项详情（含回复）")
def problem_detail(request: HttpRequest, problem_id: int) -> Problem:
    return _detail(request, queries.get_problem_for_user(request.user, problem_id))


@router.post("/problems/{problem_id}/replies", response={201: ProblemDetail, 400: Message, 403: Message,
                                                          404: Message}, summary="回复事项")
def problem_reply(request: HttpRequest, problem_id: int, payload: ReplyIn) -> Answer:
    """办理单位、提出单位或重点项目办回复；已销号的事项不能回复。"""
    problem = queries.get_problem_for_user(request.user, problem_id, write=True)
    try:
        services.reply(problem=problem, content=payload.content, by=request.user, today=timezone.localdate())
    except services.CoordinationError as exc:
        return Answer(400, error_body(400, exc.message))
    return Answer(201, _detail(request, queries.get_problem_for_user(request.user, problem_id)))
