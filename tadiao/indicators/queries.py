"""Indicators for a scope and an as-of date, computed by set-based SQL: a fixed number of aggregate queries
whatever the number of projects (never a Python loop over projects)."""

import calendar
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.sql.constants import LOUTER
from django_cte import CTE, with_cte

from tadiao.indicators import events as event_counts
from tadiao.indicators.models import RateDefinition, Snapshot, Target
from tadiao.indicators.selection import REPORTED_STATUSES, to_q
from tadiao.indicators.targets import TargetResult, evaluate_quantity_targets, target_q
from tadiao.lib.dates import month_end
from tadiao.lib.numbers import percent_value
from tadiao.org.models import Region
from tadiao.projects.models import STAGE_DATE_FIELD, STAGE_ORDER, BatchEntry, Project, Stage
from tadiao.reporting.models import MonthlyReport, ReportingSettings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


percent_of = percent_value


@dataclass(frozen=True)
class Scope:
    """Which projects the figures are about. Empty fields do not restrict."""

    region: Region | None = None
    unit_id: int | None = None
    level: str = ""
    category: str = ""
    industry_id: int | None = None
    tag: str = ""
    batch_id: int | None = None

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        if self.region is not None:
            projects = projects.filter(unit__region__path__startswith=self.region.path)
        if self.unit_id:
            projects = projects.filter(unit_id=self.unit_id)
        if self.level:
            projects = projects.filter(level=self.level)
        if self.category:
            projects = projects.filter(category=self.category)
        if self.industry_id:
            projects = projects.filter(industry_id=self.industry_id)
        if self.tag:
            projects = projects.filter(to_q({"tags": [self.tag]}, as_of=datetime.date.max))
        if self.batch_id:
            projects = projects.filter(
                Exists(BatchEntry.objects.filter(project=OuterRef("pk"), batch_id=self.batch_id))
            )
        return projects


@dataclass
class RateResult:
    code: str
    name: str
    numerator: Decimal | int
    denominator: Decimal | int
    percent: Decimal | None
    measure: str = RateDefinition.Measure.COUNT


@dataclass
class Indicators:
    as_of: datetime.date
    counts_by_stage: dict[str, int]
    rates: dict[str, RateResult]
    time_progress: Decimal
    annual_planned: Decimal
    annual_completed: Decimal
    targets: list[TargetResult] = field(default_factory=list)
    # Events of the as-of month and of 1—N月 (tadiao.indicators.events): {"month": …, "year_to_date": …}.
    events: dict[str, event_counts.PeriodEvents] = field(default_factory=dict)

    @property
    def annual_completion(self) -> Decimal | None:
        return percent_of(self.annual_completed, self.annual_planned)

    @property
    def double_half(self) -> dict:
        """双过半: by 30 June, 年度投资完成率 ≥ 50% and, where the year has a 开工率 target, 开工率 ≥ 50%."""
        half = Decimal("50")
        completion = self.annual_completion
        investment = None if completion is None else completion >= half
        start_rate = self.rates.get("start_rate")
        has_start_target = any(
            t.target.kind == Target.Kind.RATE and t.target.rate is not None and t.target.rate.code == "start_rate"
            for t in self.targets
        )
        start = None
        if has_start_target and start_rate is not None and start_rate.percent is not None:
            start = start_rate.percent >= half
        achieved = None if investment is None else bool(investment and start is not False)
        return {
            "time_half_gone": self.as_of >= self.as_of.replace(month=6, day=30),
            "investment": investment,
            "start": start,
            "achieved": achieved,
        }

    @property
    def progress_gap(self) -> Decimal | None:
        """年度投资完成率 − 序时进度, in points (positive: ahead of time)."""
        rate = self.annual_completion
        return None if rate is None else rate - self.time_progress


def time_progress_basis() -> str:
    """The configured 序时进度 basis; months while the reporting settings have never been saved (read-only)."""
    settings = ReportingSettings.objects.filter(pk=1).first()
    return settings.time_progress_basis if settings else ReportingSettings.TimeProgressBasis.MONTHS


def time_progress(as_of: datetime.date, *, basis: str = ReportingSettings.TimeProgressBasis.MONTHS) -> Decimal:
    """序时进度 in percent: months elapsed / 12 at the end of the as-of month, or days elapsed / days in year."""
    if basis == ReportingSettings.TimeProgressBasis.DAYS:
        days_in_year = 366 if calendar.isleap(as_of.year) else 365
        # (ignored for mypy below) never None: the denominator is not 0
        return percent_of(as_of.timetuple().tm_yday, days_in_year)  # type: ignore[return-value]
    return percent_of(as_of.month, 12)  # type: ignore[return-value]  # never None: the denominator is not 0


def stage_at(as_of: datetime.date) -> Case:
    """The furthest stage reached on the as-of date, from the actual dates (SQL CASE)."""
    whens = [
        When(**{f"{STAGE_DATE_FIELD[stage]}__lte": as_of}, then=Value(stage))
        for stage in reversed(STAGE_ORDER)
        if stage not in (Stage.RESERVE, Stage.NEGOTIATING)
    ]
    whens.append(When(negotiating_date__lte=as_of, then=Value(Stage.NEGOTIATING)))
    whens.append(When(negotiating_date__isnull=True, stage=Stage.NEGOTIATING, then=Value(Stage.NEGOTIATING)))
    return Case(*whens, default=Value(Stage.RESERVE), output_field=CharField())


def counts_by_stage(projects: QuerySet[Project], *, as_of: datetime.date) -> dict[str, int]:
    """One GROUP BY query; every stage present in the result, zero when none."""
    rows = projects.order_by().annotate(stage_at=stage_at(as_of)).values("stage_at").annotate(n=Count("pk"))
    counts = dict.fromkeys(STAGE_ORDER, 0)
    counts.update({row["stage_at"]: row["n"] for row in rows})
    return counts


def _totals(rows: QuerySet[Any], group: str | None, **aggregates: Any) -> dict:
    """Aggregates over all rows ({None: …}), or per value of `group` ({unit id: …}): one query either way."""
    if group is None:
        return {None: rows.order_by().aggregate(**aggregates)}
    return {row.pop(group): row for row in rows.order_by().values(group).annotate(**aggregates)}


YEAR_PLAN = "year_plan"  # the relation with_year_investment joins the projects' plan of the year by


def with_year_investment(projects: QuerySet[Project], *, as_of: datetime.date) -> tuple[QuerySet[Project], Any, Any]:
    """The projects joined to their plan of the as-of year and to their year-to-date reported investment (submitted
    or approved reports, January to the as-of month), with the two expressions to sum: one row per project.

    The reports are summed per project in one grouped pass (a CTE) and joined, so that any number of investment
    rates sum columns of the same rows as the count rates: the reports of a province are the largest table, and
    a conditional SUM per rate over them, each with its own IN (selection) list, was most of the engine's time."""
    reported = (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            period__month__gte=as_of.replace(month=1, day=1),
            period__month__lte=as_of,
        )
        .order_by()
        .values("project_id")
        # The status is tested in the sum, not in WHERE: there SQLite drove the scan from the status index (most
        # reports are reported) instead of from the year's periods or the projects asked about.
        .annotate(ytd=Sum("investment_completed", filter=Q(status__in=REPORTED_STATUSES)))
    )
    ytd = CTE(reported, name="year_reported")
    rows = ytd.join(projects.order_by(), id=ytd.col.project_id, _join_type=LOUTER).annotate(
        **{YEAR_PLAN: FilteredRelation("annual_plans", condition=Q(annual_plans__year=as_of.year))}
    )
    return with_cte(ytd, select=rows), F(f"{YEAR_PLAN}__planned_investment"), ytd.col.ytd


@dataclass
class RateColumns:
    """Every rate as aggregate expressions over `rows` (the projects, joined to their year's plan and year-to-date
    reports when an investment selection asks), and how to read them back from a result row: what _rates sums over
    a scope or per unit, and grouped.tallies per (unit, level, stage)."""

    rows: QuerySet[Project]
    aggregates: dict[str, Any]
    count_rates: list[RateDefinition]
    column: dict[str, int]  # selection name → index of its pair of sums

    def counts(self, row: dict[str, Any]) -> list[tuple[RateDefinition, int, int]]:
        """(count rate, numerator, denominator) for each count rate."""
        return [(d, row[f"{d.code}__num"], row[f"{d.code}__den"]) for d in self.count_rates]

    def pairs(self, row: dict[str, Any]) -> dict[str, tuple[Decimal, Decimal]]:
        """{selection name: (planned, reported)} in 万元, zero for none."""
        return {name: (_money(row[f"p{i}"]), _money(row[f"r{i}"])) for name, i in self.column.items()}


def rate_columns(
    projects: QuerySet[Project], *, as_of: datetime.date, count_rates: list[RateDefinition],
    selections: dict[str, dict],
) -> RateColumns:
    """The count rates' conditional counts and, per distinct investment selection, a conditional sum of the joined
    plans and reports (two selections of the same projects — e.g. the year totals and 年度投资完成率 — share one
    pair)."""
    rows, planned, reported, joined = projects, None, None, None
    if selections:
        rows, planned, reported = with_year_investment(projects, as_of=as_of)
        joined = YEAR_PLAN
    aggregates: dict[str, Any] = {}
    for d in count_rates:
        denominator = to_q(d.denominator, as_of=as_of, year_plan=joined)
        aggregates[f"{d.code}__den"] = Count("pk", filter=denominator)
        aggregates[f"{d.code}__num"] = Count(
            "pk", filter=denominator & to_q(d.numerator, as_of=as_of, year_plan=joined)
        )
    distinct = list(dict.fromkeys(json.dumps(selection, sort_keys=True) for selection in selections.values()))
    column = {name: distinct.index(json.dumps(selection, sort_keys=True)) for name, selection in selections.items()}
    for i, key in enumerate(distinct):
        selected = to_q(json.loads(key), as_of=as_of, year_plan=joined)
        aggregates[f"p{i}"] = Sum(planned, filter=selected)
        aggregates[f"r{i}"] = Sum(reported, filter=selected)
    return RateColumns(rows, aggregates, count_rates, column)


def _rates(
    projects: QuerySet[Project],
    *,
    as_of: datetime.date,
    definitions: list[RateDefinition],
    by_unit: bool,
    also_investment: dict[str, dict] | None = None,
) -> dict:
    """{key: {code: RateResult}}: every rate in one aggregate query over the projects, joined (when an investment
    rate or `also_investment` asks) to their year's plan and year-to-date reports. `also_investment` adds named
    selections to that query: their (planned, reported) pairs come back under their names (compute_indicators'
    year totals need no query of their own)."""
    results: dict = {}
    count_rates = [d for d in definitions if d.measure == RateDefinition.Measure.COUNT]
    investment_rates = [d for d in definitions if d.measure == RateDefinition.Measure.INVESTMENT]
    selections = {d.code: d.denominator for d in investment_rates} | (also_investment or {})
    if not count_rates and not selections:
        return results
    columns = rate_columns(projects, as_of=as_of, count_rates=count_rates, selections=selections)
    for key, totals in _totals(columns.rows, "unit_id" if by_unit else None, **columns.aggregates).items():
        found = results.setdefault(key, {})
        for d, num, den in columns.counts(totals):
            found[d.code] = RateResult(d.code, d.name, num, den, percent_of(num, den))
        pairs = columns.pairs(totals)
        for d in investment_rates:
            plan, done = pairs[d.code]
            found[d.code] = RateResult(d.code, d.name, done, plan, percent_of(done, plan), d.measure)
        for name in also_investment or {}:
            found[name] = pairs[name]
    return results


def _money(value: Decimal | None) -> Decimal:
    """A summed amount in 万元: zero for none."""
    return ZERO if value is None else value


def _empty(d: RateDefinition) -> RateResult:
    zero = ZERO if d.measure == RateDefinition.Measure.INVESTMENT else 0
    return RateResult(d.code, d.name, zero, zero, None, d.measure)


def compute_rates(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition]
) -> dict[str, RateResult]:
    """Every rate over the whole set, in the definitions' order."""
    found = _rates(projects, as_of=as_of, definitions=definitions, by_unit=False).get(None, {})
    return {d.code: found.get(d.code) or _empty(d) for d in definitions}


def rates_by_unit(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition], unit_ids: list[int]
) -> dict[int, dict[str, RateResult]]:
    """Every rate per unit (GROUP BY unit), the same number of queries as over the whole set."""
    found = _rates(projects, as_of=as_of, definitions=definitions, by_unit=True)
    return {uid: {d.code: found.get(uid, {}).get(d.code) or _empty(d) for d in definitions} for uid in unit_ids}


def preview_rate(
    projects: QuerySet[Project], *, measure: str, numerator: dict, denominator: dict, as_of: datetime.date
) -> RateResult:
    """The value a definition not yet saved would have over the projects: one aggregate query (COUNT) or two."""
    unsaved = RateDefinition(code="preview", name="预览", measure=measure, numerator=numerator, denominator=denominator)
    return compute_rates(projects, as_of=as_of, definitions=[unsaved])["preview"]


def active_definitions() -> list[RateDefinition]:
    return list(RateDefinition.objects.filter(is_active=True))


def evaluate_targets(projects: QuerySet[Project], *, as_of: datetime.date) -> list[TargetResult]:
    """Targets of the as-of year, in their order. A rate target: the rate over its scope (level, unit, region), the
    target and the gap in points. A count or amount target: see tadiao.indicators.targets."""
    targets = list(Target.objects.filter(year=as_of.year).select_related("rate", "unit", "region"))
    quantities = evaluate_quantity_targets(projects, targets, as_of=as_of)
    results = []
    for target in targets:
        if target.kind != Target.Kind.RATE:
            results.append(quantities[target.pk])
            continue
        if target.rate is None:  # a rate target always names its rate (the service refuses one without)
            continue
        scoped = projects.filter(target_q(target))
        rate = compute_rates(scoped, as_of=as_of, definitions=[target.rate])[target.rate.code]
        gap = None if rate.percent is None or target.percent is None else rate.percent - target.percent
        results.append(TargetResult(target, rate.percent, gap))
    return results


YEAR_TOTALS = "__year_totals__"
YEAR_TOTALS_SELECTION = {"in_year_plan": True}  # 年度计划投资, 1—N月完成投资: the projects in the year's plan


def compute_indicators(projects: QuerySet[Project], *, as_of: datetime.date, with_targets: bool = True) -> Indicators:
    """Every indicator for the projects (already scoped) on the as-of date."""
    basis = time_progress_basis()
    definitions = active_definitions()
    # The year's plan totals ride along with the investment rates' two queries.
    found = _rates(projects, as_of=as_of, definitions=definitions, by_unit=False,
                   also_investment={YEAR_TOTALS: YEAR_TOTALS_SELECTION}).get(None, {})
    planned, completed = found.get(YEAR_TOTALS, (ZERO, ZERO))
    return Indicators(
        as_of=as_of,
        counts_by_stage=counts_by_stage(projects, as_of=as_of),
        rates={d.code: found.get(d.code) or _empty(d) for d in definitions},
        time_progress=time_progress(as_of, basis=basis),
        annual_planned=planned,
        annual_completed=completed,
        targets=evaluate_targets(projects, as_of=as_of) if with_targets else [],
        events=event_counts.standard_events(projects, as_of=as_of),
    )


def monthly_investment(projects: QuerySet[Project], *, as_of: datetime.date) -> dict[int, Decimal]:
    """{month: reported investment (万元)} for January to the as-of month: one GROUP BY query."""
    rows = (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            period__month__gte=as_of.replace(month=1, day=1),
            period__month__lte=as_of,
            status__in=REPORTED_STATUSES,
        )
        .order_by()
        .values("period__month")
        .annotate(s=Sum("investment_completed"))
    )
    by_month = dict.fromkeys(range(1, as_of.month + 1), ZERO)
    by_month.update({row["period__month"].month: row["s"] or ZERO for row in rows})
    return by_month


def closed_snapshots() -> QuerySet[Snapshot]:
    """Every closed month's snapshot, the latest first, without its data: the choices "与哪个月比较"."""
    return Snapshot.objects.select_related("period").defer("data").order_by("-period__month")


def parse_month(value: str | None) -> datetime.date | None:
    """"2026-10" → 1 October 2026; None for anything else."""
    try:
        return datetime.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


@dataclass
class Comparison:
    """The snapshot figures are compared with: the one chosen (`compare=YYYY-MM`), else the latest before the
    as-of month (上期). `missing`: the month asked for has no snapshot (not closed), so nothing is compared."""

    snapshot: Snapshot | None
    chosen: datetime.date | None = None
    missing: bool = False

    @property
    def history_before(self) -> datetime.date | None:
        """The day before which snapshots count as history for 零的突破 / 连续空白 against the chosen one."""
        if self.snapshot is None or self.chosen is None:
            return None
        return month_end(self.snapshot.period.month) + datetime.timedelta(days=1)


def comparison(value: str | None, *, as_of: datetime.date) -> Comparison:
    """One query: the chosen closed month's snapshot, or the latest one before the as-of month."""
    chosen = parse_month(value)
    if chosen is None:
        latest = Snapshot.objects.select_related("period").filter(period__month__lt=as_of.replace(day=1))
        return Comparison(latest.order_by("-as_of").first())
    snapshot = Snapshot.objects.select_related("period").filter(period__month=chosen).first()
    return Comparison(snapshot, chosen, missing=snapshot is None)
