"""驾驶舱: key figures against the last snapshot and the charts, for the user's scope. The view checks the role,
parses the scope and as-of date (indicators.params), and renders the one query dashboard.queries.dashboard."""


import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.dashboard import queries
from tadiao.indicators import params
from tadiao.indicators.events import EVENT_LABELS
from tadiao.indicators.queries import Scope


def _map_query(scope: Scope, as_of: datetime.date) -> str:
    """一张图's filters for the dashboard's scope (the filters both pages share; not the region or the batch, which
    the map has no filter for), on the same date, points coloured by warning light."""
    query = {
        "color": "light",
        "as_of": as_of.isoformat(),
        "unit": scope.unit_id,
        "level": scope.level,
        "category": scope.category,
        "industry": scope.industry_id,
        "tag": scope.tag,
    }
    return urlencode({k: v for k, v in query.items() if v})


@require_GET
def dashboard(request):
    user = request.user
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看驾驶舱。")
    page = queries.dashboard(
        user, params.scope_from(request), params.as_of_from(request), compare_to=request.GET.get("compare")
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "as_of": page.as_of,
            "earlier": page.earlier,
            "scope": page.scope,
            "comparison": page.comparison,
            "not_compared": page.not_compared,
            "snapshot_choices": page.snapshot_choices,
            "attraction": page.attraction,
            "economy": page.economy,
            "problems": page.problems,
            "choices": params.scope_choices(user),
            "figures": page.figures,
            "charts": page.charts,
            "events": page.indicators.events,
            "event_labels": EVENT_LABELS,
            "targets": page.indicators.targets,
            "small_map": page.small_map,
            "map_query": _map_query(page.scope, page.as_of),
        },
    )
