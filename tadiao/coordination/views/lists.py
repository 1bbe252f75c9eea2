"""The lists of 问题协调与督办 and their Excel exports: problems, supervision items (督办事项), my unit's work
(我的待办) and overdue items (超期事项)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.coordination import exports, queries, views
from tadiao.coordination.models import Category, Level, Problem, Status
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.xlsx import xlsx_response


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


def _export(name: str, rows, today):
    """The rows as a workbook of one sheet named `name`, downloaded as <name>_<date>.xlsx."""
    return xlsx_response(exports.filename(name, today), [exports.problem_sheet(name, rows, today=today)])


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
    return _export(filename, queries.problem_rows(request.user, filters, kind=kind, today=today), today)


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


@require_GET
def inbox(request):
    queries.require_inbox_user(request.user)
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
    queries.require_inbox_user(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    today = views._today()
    return _export("我的待办", queries.inbox_rows(request.user, filters, today=today), today)


def _overdue_query(request) -> tuple[queries.ProblemFilters, str]:
    """The overdue page's filters (the state fixed to 已超期) and kind (supervision items with ?supervision=1)."""
    filters = queries.ProblemFilters.from_query(request.GET)
    filters.state = "overdue"
    kind = Problem.Kind.SUPERVISION if request.GET.get("supervision") == "1" else Problem.Kind.PROBLEM
    return filters, kind


@require_GET
def overdue(request):
    queries.require_reader(request.user)
    filters, kind = _overdue_query(request)
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
    filters, kind = _overdue_query(request)
    today = views._today()
    return _export("超期事项", queries.problem_rows(request.user, filters, kind=kind, today=today), today)
