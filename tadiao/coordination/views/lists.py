"""The lists of 问题协调与督办 and their Excel exports: problems, supervision items (督办事项), my unit's work
(我的待办) and overdue items (超期事项).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.coordination import queries, views
from tadiao.coordination.models import Category, Level, Problem, Status
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.xlsx import XlsxSheet, xlsx_response


def _list_context(request, filters, rows, **extra) -> dict:
    return {
        "page": page_of(request, rows),
        "filters": filters,
        "units": queries.lead_unit_choices(request.user),
        "statuses": Status.choices,
        "states": list(queries.STATE_FILTERS.items()),
        "categories": Category.choices,
        "levels": Level.choices,
        "sorts": list(queries.SORT_LABELS.items()),
        "query": query_without_page(request),
        "page_sizes": PAGE_SIZES,
        "today": views._today(),
        **extra,
    }


LIST_HEADERS = [
    "序号",
    "类型",
    "标题",
    "项目",
    "类别",
    "提出单位",
    "提出日期",
    "牵头单位",
    "配合单位",
    "办结时限",
    "初始办结时限",
    "层级",
    "状态",
    "超期",
]


def _export(filename: str, title: str, rows, today: datetime.date):
    lines = (
        [
            n,
            p.get_kind_display(),
            p.title,
            p.project.name if p.project else "",
            p.get_category_display(),
            p.raised_by_unit.name,
            p.raised_date,
            p.lead_unit.name,
            "、".join(u.name for u in p.helping_units.all()),
            p.deadline,
            p.first_deadline,
            p.get_level_display(),
            p.get_status_display(),
            "是" if p.is_overdue(today) else "",
        ]
        for n, p in enumerate(rows, start=1)
    )
    sheet = XlsxSheet(title, LIST_HEADERS, lines, widths=[6, 8, 30, 24, 10, 14, 12, 14, 20, 12, 12, 18, 8, 6])
    return xlsx_response(f"{filename}_{today:%Y%m%d}.xlsx", [sheet])


def _kind_list(request, kind: str, template_title: str, export_url: str):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    rows = queries.problem_rows(request.user, filters, kind=kind, today=views._today())
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title=template_title,
            export_url=export_url,
            kind=kind,
            list_url=request.path,
        ),
    )


def _kind_export(request, kind: str, filename: str):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    today = views._today()
    return _export(filename, filename, queries.problem_rows(request.user, filters, kind=kind, today=today), today)


@require_GET
def problem_list(request):
    return _kind_list(request, Problem.Kind.PROBLEM, "问题协调", "coordination:problems_export")


@require_GET
def problem_export(request):
    return _kind_export(request, Problem.Kind.PROBLEM, "问题诉求")


@require_GET
def supervision_list(request):
    return _kind_list(request, Problem.Kind.SUPERVISION, "督办事项", "coordination:supervision_export")


@require_GET
def supervision_export(request):
    return _kind_export(request, Problem.Kind.SUPERVISION, "督办事项")


def _require_inbox(user) -> None:
    queries.require_reader(user)
    if not (user.unit_id and (user.is_reporter or user.is_coordinator)):
        raise PermissionDenied("我的待办仅供单位填报员和调度员使用。")


@require_GET
def inbox(request):
    _require_inbox(request.user)
    today = views._today()
    # Read once for the list's 临期 filter and the figures above it.
    due_soon_end = queries.due_soon_until(today)
    filters = queries.ProblemFilters.from_query(request.GET)
    rows = queries.inbox_rows(request.user, filters, today=today, due_soon_end=due_soon_end)
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title=f"我的待办（{request.user.unit}）",
            export_url="coordination:inbox_export",
            counts=queries.inbox_counts(request.user, today=today, due_soon_end=due_soon_end),
            list_url=request.path,
            inbox=True,
        ),
    )


@require_GET
def inbox_export(request):
    _require_inbox(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    today = views._today()
    return _export("我的待办", "我的待办", queries.inbox_rows(request.user, filters, today=today), today)


@require_GET
def overdue(request):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    filters.state = "overdue"
    kind = Problem.Kind.SUPERVISION if request.GET.get("supervision") == "1" else Problem.Kind.PROBLEM
    rows = queries.problem_rows(request.user, filters, kind=kind, today=views._today())
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title="超期事项",
            export_url="coordination:overdue_export",
            list_url=request.path,
            overdue_page=True,
        ),
    )


@require_GET
def overdue_export(request):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    filters.state = "overdue"
    kind = Problem.Kind.SUPERVISION if request.GET.get("supervision") == "1" else Problem.Kind.PROBLEM
    today = views._today()
    return _export("超期事项", "超期事项", queries.problem_rows(request.user, filters, kind=kind, today=today), today)
