"""The five lists (五个清单): an index with counts, one page per list with filters, and its .xlsx export.
Decorators → access gate → query calls → render."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tadiao.bulletins import exports, queries

PAGE_SIZE = 50


def _require_reader(user) -> None:
    # Reporters see their unit's projects, coordinators and leaders their region's (visible_projects does the
    # scoping); the system and audit administrators read no business data (三员分立).
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看项目清单。")


def _spec(key: str) -> queries.FiveList:
    try:
        return queries.LISTS[key]
    except KeyError:
        raise Http404("没有这个清单。") from None


@require_GET
def list_index(request):
    _require_reader(request.user)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    counts = queries.list_counts(
        request.user, as_of=filters.as_of, date_from=filters.date_from, date_to=filters.date_to
    )
    query = request.GET.copy()
    for name in list(query):
        if name not in ("as_of", "from", "to"):
            query.pop(name)
    return render(
        request,
        "bulletins/lists.html",
        {
            "filters": filters,
            "lists": [(spec, counts[key]) for key, spec in queries.LISTS.items()],
            "query": query.urlencode(),
        },
    )


@require_GET
def list_page(request, key: str):
    _require_reader(request.user)
    spec = _spec(key)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    rows = queries.list_rows(request.user, spec, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's 50 rows, each with the list's dates in column order (templates cannot look attributes up by name).
    dated = [(project, [getattr(project, attribute) for _, attribute in spec.dates]) for project in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bulletins/list.html",
        {
            "spec": spec,
            "page": page,
            "rows": dated,
            "columns": 8 + len(spec.dates) + int(spec.with_stage),
            "filters": filters,
            "title": exports.list_title(spec, filters),
            "months": exports.months_label(filters.as_of),
            "choices": queries.filter_choices(request.user),
            "query": query.urlencode(),
        },
    )


@require_GET
def list_export(request, key: str):
    _require_reader(request.user)
    spec = _spec(key)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    return exports.list_response(queries.list_rows(request.user, spec, filters), spec, filters)
