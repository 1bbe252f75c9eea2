"""Unit rankings (排名) by 年度投资完成率, 开工率 and red warnings, in a fixed number of queries.

Every unit gets its own place: ties are broken by a stated rule, then by the configured unit order (排序)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tadiao.indicators import warnings
from tadiao.indicators.models import RateDefinition
from tadiao.indicators.queries import RateResult, rates_by_unit
from tadiao.org.models import Unit
from tadiao.projects.models import Project

RANKING_RATES = ("annual_investment_completion", "start_rate")
TIE_RULES = {
    "annual_investment_completion": (
        "年度投资完成率高者在前；相同时累计完成投资多者在前；再相同按单位排序；无年度计划的单位列后"
    ),
    "start_rate": "开工率高者在前；相同时开工项目多者在前；再相同按单位排序；无项目的单位列后",
    "red_warnings": "红灯项目少者在前；相同时黄灯项目少者在前；再相同按单位排序",
}
TITLES = {"annual_investment_completion": "年度投资完成率", "start_rate": "开工率", "red_warnings": "红灯预警"}


@dataclass
class UnitRow:
    unit: Unit
    rates: dict[str, RateResult]
    red: int
    yellow: int


@dataclass
class Ranking:
    key: str
    title: str
    tie_rule: str
    rows: list[UnitRow]  # in rank order: rank = position + 1


def _rate_key(code: str) -> Callable[[UnitRow], tuple[bool, Decimal, Decimal, int, int]]:
    def key(row: UnitRow) -> tuple[bool, Decimal, Decimal, int, int]:
        rate = row.rates[code]
        missing = rate.percent is None
        return (missing, -(rate.percent or Decimal(0)), -Decimal(rate.numerator), row.unit.display_order, row.unit.pk)

    return key


def unit_rows(projects: QuerySet[Project], *, units: list[Unit], as_of: datetime.date) -> list[UnitRow]:
    definitions = list(RateDefinition.objects.filter(code__in=RANKING_RATES))
    rates = rates_by_unit(projects, as_of=as_of, definitions=definitions, unit_ids=[u.pk for u in units])
    lights = warnings.counts_by_unit(projects, as_of=as_of, rules=warnings.active_rules())
    return [
        UnitRow(unit, rates[unit.pk], lights.get(unit.pk, {}).get("red", 0), lights.get(unit.pk, {}).get("yellow", 0))
        for unit in units
    ]


def rank_units(rows: list[UnitRow]) -> list[Ranking]:
    rankings = [
        Ranking(code, TITLES[code], TIE_RULES[code], sorted(rows, key=_rate_key(code)))
        for code in RANKING_RATES
        if rows and code in rows[0].rates
    ]
    by_warnings = sorted(rows, key=lambda r: (r.red, r.yellow, r.unit.display_order, r.unit.pk))
    rankings.append(Ranking("red_warnings", TITLES["red_warnings"], TIE_RULES["red_warnings"], by_warnings))
    return rankings


def units_ranked(projects: QuerySet[Project], *, as_of: datetime.date) -> list[Ranking]:
    """The rankings page: every unit with a project in `projects`, ranked by each rate (a fixed number of queries)."""
    units = list(Unit.objects.filter(pk__in=projects.values("unit_id")).order_by("display_order", "id"))
    return rank_units(unit_rows(projects, units=units, as_of=as_of))
