"""驾驶舱: key figures against the last snapshot and the charts, for the user's scope. Views and templates only,
reading other apps' queries; chart options are built in charts.py."""

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.attraction import queries as attraction
from tadiao.coordination import queries as coordination
from tadiao.dashboard import charts
from tadiao.economy import queries as economy
from tadiao.indicators import queries, rankings, snapshots
from tadiao.indicators.formatting import indicators_as_json
from tadiao.indicators.views import (
    _as_of,
    _scope_choices,
    compare_with_snapshot,
    scope_from_request,
    scoped_projects,
    snapshot_red_count,
)
from tadiao.org.models import Unit
from tadiao.projects.queries import milestone_projects


def _figure(label: str, value: str, change: str | None = None, url: str = "") -> dict:
    return {"label": label, "value": value, "change": change, "url": url}


@require_GET
def dashboard(request):
    user = request.user
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看驾驶舱。")
    as_of = _as_of(request)
    projects = scoped_projects(request)
    result = queries.compute_indicators(projects, as_of=as_of)
    current = indicators_as_json(result)
    compared = queries.comparison(request.GET.get("compare"), as_of=as_of)
    earlier = compared.snapshot
    changes, not_compared = compare_with_snapshot(request, current, earlier)
    units = list(Unit.objects.filter(pk__in=projects.values("unit_id")).order_by("display_order", "id"))
    rows = rankings.unit_rows(projects, units=units, as_of=as_of)
    by_key = {r.key: r for r in rankings.rank_units(rows)}
    red = sum(r.red for r in rows)
    earlier_red = snapshot_red_count(request, earlier)
    total_investment = projects.aggregate(s=Sum("total_investment"))["s"] or 0
    rates = result.rates
    attraction_units = attraction.visible_units(user)
    scope = scope_from_request(request)
    if scope.unit_id:
        attraction_units = attraction_units.filter(pk=scope.unit_id)
    attraction_units = list(attraction_units)
    if compared.history_before:  # a chosen month: 零的突破 and 连续空白 against that snapshot and those before it
        work = attraction.work_items_as_json(attraction_units, start=as_of.replace(month=1, day=1), end=as_of)
        by_id = {u.pk: u for u in attraction_units}
        standing = {
            "work": work,
            "blank": [by_id[pk] for pk in work["blank_unit_ids"]],
            **snapshots.standing_against_snapshots(
                attraction_units, blank_ids=work["blank_unit_ids"], as_of=compared.history_before
            ),
        }
    else:
        standing = snapshots.attraction_standing(attraction_units, as_of=as_of, earlier=earlier)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "as_of": as_of,
            "earlier": earlier,
            "scope": scope,
            "comparison": compared,
            "not_compared": not_compared,
            "snapshot_choices": queries.closed_snapshots(),
            "attraction": standing,
            "economy": economy.dashboard_summary(user, as_of=as_of),
            "problems": coordination.problem_statistics(
                units=attraction_units, start=as_of.replace(month=1, day=1), end=as_of, as_of=as_of
            ),
            "choices": _scope_choices(user),
            "figures": [
                _figure("项目总数", f"{sum(result.counts_by_stage.values())} 个"),
                _figure("总投资", f"{total_investment / 10000:,.2f} 亿元"),
                _figure("年度计划投资", f"{result.annual_planned / 10000:,.2f} 亿元"),
                _figure(f"1—{as_of.month}月完成投资", f"{result.annual_completed / 10000:,.2f} 亿元"),
                _figure(
                    "年度投资完成率",
                    _percent(result.annual_completion),
                    changes["rates"].get("annual_investment_completion") if changes else None,
                ),
                _figure(
                    "开工率",
                    _percent(rates["start_rate"].percent) if "start_rate" in rates else "—",
                    changes["rates"].get("start_rate") if changes else None,
                ),
                _figure("序时进度", f"{result.time_progress}%"),
                _figure(
                    "红灯项目", f"{red} 个", None if earlier_red is None else f"{red - earlier_red:+d} 个", "warnings"
                ),
            ],
            "charts": {
                "chart-funnel": charts.stage_funnel(result.counts_by_stage),
                "chart-investment": charts.monthly_investment(
                    queries.monthly_investment(projects, as_of=as_of), planned=result.annual_planned, year=as_of.year
                ),
                "chart-ranking": charts.unit_ranking(
                    by_key.get("annual_investment_completion"), code="annual_investment_completion"
                ),
                "chart-warnings": charts.warnings_by_unit(rows),
                "chart-milestones": charts.milestone_schedule(milestone_projects(projects), as_of=as_of),
            },
        },
    )


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"
