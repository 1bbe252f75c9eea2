"""The 驾驶舱's one read: every figure and chart of the page for a user's scope, as a typed result.

The view parses the request (indicators.params), checks the role and renders `dashboard(...)`; a test calls it
without a request. Reads only other apps' queries; chart options are built in charts.py.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import QuerySet, Sum

from tadiao.attraction import queries as attraction
from tadiao.coordination import queries as coordination
from tadiao.dashboard import charts
from tadiao.economy import queries as economy
from tadiao.gis import queries as gis
from tadiao.gis.queries import SmallMap
from tadiao.indicators import params, queries, rankings, snapshots
from tadiao.indicators.formatting import indicators_as_json
from tadiao.indicators.models import Snapshot
from tadiao.indicators.queries import Comparison, Indicators, Scope
from tadiao.org.models import Unit, User
from tadiao.projects.queries import milestone_projects


class Figure(TypedDict):
    """A key-figure card: its label, the value as shown (“2 个”, “5.00 亿元”, “33.33%”), the change against the
    snapshot compared with (points or “+1 个”; None when not compared) and a link ("warnings" or "")."""

    label: str
    value: str
    change: str | None
    url: str


@dataclass
class Dashboard:
    """Everything the page shows. `indicators` and `red` are the raw figures the cards are formatted from."""

    as_of: datetime.date
    scope: Scope
    comparison: Comparison
    not_compared: str
    indicators: Indicators
    total_investment: Decimal
    red: int
    figures: list[Figure]
    attraction: dict
    economy: dict | None
    problems: dict
    charts: dict[str, dict]
    snapshot_choices: QuerySet[Snapshot]
    small_map: SmallMap
    changes: dict | None = field(default=None)

    @property
    def earlier(self) -> Snapshot | None:
        return self.comparison.snapshot


def _figure(label: str, value: str, change: str | None = None, url: str = "") -> Figure:
    return {"label": label, "value": value, "change": change, "url": url}


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def _yi(wan: Decimal | int) -> str:
    """万元 shown in 亿元 with two decimals."""
    return f"{wan / 10000:,.2f} 亿元"


def dashboard(user: User, scope: Scope, as_of: datetime.date, *, compare_to: str | None = None) -> Dashboard:
    """The 驾驶舱 of `user` for the projects of `scope` they may read, as of `as_of`, compared with the closed month
    `compare_to` ("YYYY-MM"; default the latest snapshot before `as_of`'s month). A fixed number of queries whatever
    the number of units and projects (tests/dashboard/test_dashboard.py counts them)."""
    projects = params.scoped_projects(user, scope)
    result = queries.compute_indicators(projects, as_of=as_of)
    compared = queries.comparison(compare_to, as_of=as_of)
    earlier = compared.snapshot
    changes, not_compared = snapshots.changes_since(indicators_as_json(result), earlier, user=user, scope=scope)
    units = list(Unit.objects.filter(pk__in=projects.values("unit_id")).order_by("display_order", "id"))
    rows = rankings.unit_rows(projects, units=units, as_of=as_of)
    by_key = {r.key: r for r in rankings.rank_units(rows)}
    red = sum(r.red for r in rows)
    earlier_red = snapshots.red_count(earlier, user=user, scope=scope)
    total_investment = projects.aggregate(s=Sum("total_investment"))["s"] or 0
    rates = result.rates
    attraction_units = attraction.visible_units(user)
    if scope.unit_id:
        attraction_units = attraction_units.filter(pk=scope.unit_id)
    attraction_units = list(attraction_units)
    year_start = as_of.replace(month=1, day=1)
    if compared.history_before:  # a chosen month: 零的突破 and 连续空白 against that snapshot and those before it
        work = attraction.work_items_as_json(attraction_units, start=year_start, end=as_of)
        by_id = {u.pk: u for u in attraction_units}
        standing: dict[str, Any] = {
            "work": work,
            "blank": [by_id[pk] for pk in work["blank_unit_ids"]],
            **snapshots.standing_against_snapshots(
                attraction_units, blank_ids=work["blank_unit_ids"], as_of=compared.history_before
            ),
        }
    else:
        standing = snapshots.attraction_standing(attraction_units, as_of=as_of, earlier=earlier)
    rate_change = (lambda code: changes["rates"].get(code)) if changes else (lambda code: None)
    figures = [
        _figure("项目总数", f"{sum(result.counts_by_stage.values())} 个"),
        _figure("总投资", _yi(total_investment)),
        _figure("年度计划投资", _yi(result.annual_planned)),
        _figure(f"1—{as_of.month}月完成投资", _yi(result.annual_completed)),
        _figure(
            "年度投资完成率", _percent(result.annual_completion), rate_change("annual_investment_completion")
        ),
        _figure(
            "开工率",
            _percent(rates["start_rate"].percent) if "start_rate" in rates else "—",
            rate_change("start_rate"),
        ),
        _figure("序时进度", f"{result.time_progress}%"),
        _figure("红灯项目", f"{red} 个", None if earlier_red is None else f"{red - earlier_red:+d} 个", "warnings"),
    ]
    return Dashboard(
        as_of=as_of,
        scope=scope,
        comparison=compared,
        not_compared=not_compared,
        indicators=result,
        total_investment=total_investment,
        red=red,
        figures=figures,
        attraction=standing,
        economy=economy.dashboard_summary(user, as_of=as_of),
        problems=coordination.problem_statistics(units=attraction_units, start=year_start, end=as_of, as_of=as_of),
        charts={
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
        snapshot_choices=queries.closed_snapshots(),
        small_map=gis.small_map(projects, as_of=as_of),
        changes=changes,
    )
