"""Count and amount targets (新开工 20 个, 固定资产投资 840 亿元 …): the actual of the year against the target, the
completion percent and the gap in the target's own units. Set-based: all count targets in one aggregate query over
the projects, all project-investment targets in one over the monthly reports, all 招商到位资金 targets in one over
the funding rows, each economic-figure target in one — whatever the number of projects.

Every target is measured from 1 January of its year to the earlier of the as-of date and its deadline, over the
projects of the scope asked for that are also in the target's own scope (its level, unit or region).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from tadiao.economy.models import Figure
from tadiao.indicators.models import COUNT_MEASURES, Target, TargetMeasure
from tadiao.lib.numbers import DASH, percent_value, wan, yi
from tadiao.org.models import Region
from tadiao.projects.models import STAGE_DATE_FIELD, Category, Project, ProjectFunding
from tadiao.reporting.models import REPORTED_STATUSES, MonthlyReport

ZERO = Decimal("0.00")
YI = Decimal("10000")  # 万元 in one 亿元
# Economic figures (tadiao.economy, in 亿元) a target can be measured by, for its region (else the root region).
ECONOMY_MEASURES: dict[str, str] = {
    TargetMeasure.FIXED_ASSET_INVESTMENT: "FIXED_ASSET_INVESTMENT",
    TargetMeasure.INDUSTRIAL_INVESTMENT: "INDUSTRIAL_INVESTMENT",
}
INVESTMENT_MEASURES: tuple[str, ...] = (
    TargetMeasure.PROJECT_INVESTMENT,
    TargetMeasure.INDUSTRIAL_PROJECT_INVESTMENT,
)
AMOUNT_MEASURES: tuple[str, ...] = (*INVESTMENT_MEASURES, TargetMeasure.FUNDS_IN_PLACE, *ECONOMY_MEASURES)
# How each measure is counted, in words (the settings page and the README say the same).
MEASURE_NOTES: dict[str, str] = {
    TargetMeasure.SIGNED: "本年签约日期在统计日以前的项目个数",
    TargetMeasure.APPROVED: "本年立项（备案）日期在统计日以前的项目个数",
    TargetMeasure.STARTED: "本年实际开工日期在统计日以前的项目个数",
    TargetMeasure.COMPLETED: "本年竣工日期在统计日以前的项目个数",
    TargetMeasure.PRODUCING: "本年投产日期在统计日以前的项目个数",
    TargetMeasure.PROJECT_INVESTMENT: "项目 1—N 月累计完成投资（已报送或审核通过的月报）",
    TargetMeasure.INDUSTRIAL_PROJECT_INVESTMENT: "产业类项目 1—N 月累计完成投资",
    TargetMeasure.FUNDS_IN_PLACE: "已签约项目各来源资金的到位金额合计（按当前录入）",
    TargetMeasure.FIXED_ASSET_INVESTMENT: "经济指标中该区划本年最近一期固定资产投资累计值（亿元折算为万元）",
    TargetMeasure.INDUSTRIAL_INVESTMENT: "经济指标中该区划本年最近一期工业投资累计值（亿元折算为万元）",
}


def kind_of(measure: str) -> str:
    """The target kind a measure belongs to: COUNT or AMOUNT."""
    return Target.Kind.COUNT if measure in COUNT_MEASURES else Target.Kind.AMOUNT


@dataclass
class TargetResult:
    """A target with its actual. RATE: `actual` the rate in percent, `gap` actual − target in points, `percent`
    None. COUNT / AMOUNT: `actual` in 个 (int) or 万元 (Decimal; None when an economic figure is missing),
    `percent` = actual / target (None for a zero target), `gap` = actual − target in the same units."""

    target: Target
    actual: Decimal | int | None
    gap: Decimal | int | None
    percent: Decimal | None = None

    def shown(self, value: Decimal | int | None, *, sign: bool = False) -> str:
        """A count as "12 个"; an amount as "5,000.00 万元", or "163.16 亿元" from 1 亿元 on; None as "—"."""
        if value is None:
            return DASH
        plus = "+" if sign and value > 0 else ""
        if self.target.kind == Target.Kind.COUNT:
            return f"{plus}{int(value)} 个"
        if abs(Decimal(value)) >= YI:
            return f"{plus}{yi(value)} 亿元"
        return f"{plus}{wan(value)} 万元"

    @property
    def target_text(self) -> str:
        return self.shown(self.target.value)

    @property
    def actual_text(self) -> str:
        return self.shown(self.actual)

    @property
    def gap_text(self) -> str:
        return self.shown(self.gap, sign=True)


def target_q(target: Target, prefix: str = "") -> Q:
    """The target's own scope as a condition on projects (`prefix` "project__" from a related row)."""
    q = Q()
    if target.level:
        q &= Q(**{f"{prefix}level": target.level})
    if target.unit_id:
        q &= Q(**{f"{prefix}unit_id": target.unit_id})
    if target.region is not None:
        q &= Q(**{f"{prefix}unit__region__path__startswith": target.region.path})
    return q


def _until(target: Target, as_of: datetime.date) -> datetime.date:
    return min(as_of, target.deadline)


def _year_start(target: Target) -> datetime.date:
    return datetime.date(target.year, 1, 1)


def _count_actuals(projects: QuerySet[Project], targets: list[Target], *, as_of: datetime.date) -> dict[int, int]:
    """{target id: projects of its scope that entered its stage from 1 January to the as-of date / deadline}."""
    if not targets:
        return {}
    aggregates = {}
    for t in targets:
        field = STAGE_DATE_FIELD[t.measure]
        window = Q(**{f"{field}__gte": _year_start(t), f"{field}__lte": _until(t, as_of)})
        aggregates[f"t{t.pk}"] = Count("pk", filter=target_q(t) & window)
    totals = projects.order_by().aggregate(**aggregates)
    return {t.pk: totals[f"t{t.pk}"] for t in targets}


def _investment_actuals(
    projects: QuerySet[Project], targets: list[Target], *, as_of: datetime.date
) -> dict[int, Decimal]:
    """{target id: the year's reported investment (万元) of its projects, January to the as-of / deadline month}."""
    if not targets:
        return {}
    aggregates = {}
    for t in targets:
        q = target_q(t, "project__") & Q(
            period__month__gte=_year_start(t), period__month__lte=_until(t, as_of)
        )
        if t.measure == TargetMeasure.INDUSTRIAL_PROJECT_INVESTMENT:
            q &= Q(project__category=Category.INDUSTRY)
        aggregates[f"t{t.pk}"] = Sum("investment_completed", filter=q)
    reports = MonthlyReport.objects.filter(project__in=projects.values("pk"), status__in=REPORTED_STATUSES)
    totals = reports.order_by().aggregate(**aggregates)
    return {t.pk: totals[f"t{t.pk}"] or ZERO for t in targets}


def _funds_actuals(projects: QuerySet[Project], targets: list[Target], *, as_of: datetime.date) -> dict[int, Decimal]:
    """{target id: funds in place (万元) of its signed projects (signed on or before the as-of date)}."""
    if not targets:
        return {}
    aggregates = {
        f"t{t.pk}": Sum("in_place", filter=target_q(t, "project__") & Q(project__signed_date__lte=as_of))
        for t in targets
    }
    rows = ProjectFunding.objects.filter(project__in=projects.values("pk"))
    totals = rows.order_by().aggregate(**aggregates)
    return {t.pk: totals[f"t{t.pk}"] or ZERO for t in targets}


def _economy_actual(target: Target, *, as_of: datetime.date, root: Region | None) -> Decimal | None:
    """The region's latest cumulative figure of the target's year up to the as-of / deadline month, in 万元."""
    region_id = target.region_id or (root.pk if root else None)
    until = _until(target, as_of)
    if region_id is None or until.year != target.year:
        return None
    figure = (
        Figure.objects.filter(
            region_id=region_id, year=target.year, month__lte=until.month, indicator=ECONOMY_MEASURES[target.measure]
        )
        .order_by("-month")
        .values_list("value", flat=True)
        .first()
    )
    return None if figure is None else (figure * YI).quantize(Decimal("0.01"))


def evaluate_quantity_targets(
    projects: QuerySet[Project], targets: list[Target], *, as_of: datetime.date
) -> dict[int, TargetResult]:
    """{target id: result} for the COUNT and AMOUNT targets among `targets`."""
    counts = _count_actuals(projects, [t for t in targets if t.measure in COUNT_MEASURES], as_of=as_of)
    amounts: dict[int, Decimal | None] = {}
    amounts.update(
        _investment_actuals(projects, [t for t in targets if t.measure in INVESTMENT_MEASURES], as_of=as_of)
    )
    amounts.update(
        _funds_actuals(projects, [t for t in targets if t.measure == TargetMeasure.FUNDS_IN_PLACE], as_of=as_of)
    )
    economy = [t for t in targets if t.measure in ECONOMY_MEASURES]
    if economy:
        root = None if all(t.region_id for t in economy) else Region.objects.filter(parent=None).first()
        for t in economy:
            amounts[t.pk] = _economy_actual(t, as_of=as_of, root=root)
    results: dict[int, TargetResult] = {}
    for t in targets:
        if t.kind == Target.Kind.RATE:
            continue
        value = t.value if t.value is not None else ZERO
        actual: Decimal | int | None
        if t.measure in COUNT_MEASURES:
            actual = counts[t.pk]
            gap: Decimal | int | None = actual - int(value)
        else:
            actual = amounts.get(t.pk)
            gap = None if actual is None else actual - value
        percent = None if actual is None else percent_value(actual, value)
        results[t.pk] = TargetResult(t, actual, gap, percent)
    return results
