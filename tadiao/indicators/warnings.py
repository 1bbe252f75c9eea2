"""The warnings rule engine (预警, 红黄绿灯): every active rule is compiled to SQL conditions, so each project's
light, the warned list and the counts by unit are a fixed number of queries whatever the number of projects.

Investment measures compare exact integers (amounts in cents, rates in basis points) so that SQLite, which keeps
decimals as floats, and PostgreSQL classify a project on a boundary the same way.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Round
from django.db.models.sql.constants import LOUTER
from django_cte import CTE, with_cte

from tadiao.attraction import queries as attraction
from tadiao.indicators.models import WarningRule
from tadiao.indicators.queries import time_progress, time_progress_basis
from tadiao.indicators.selection import REPORTED_STATUSES
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    STAGE_PLANNED_FIELD,
    BondApplication,
    Project,
    ProjectApproval,
    Stage,
)
from tadiao.reporting.models import MonthlyReport


class Lights(TypedDict):
    """What with_lights annotates on each project and its queries filter on (the `w_<rule id>` columns, one per
    rule, are read by name)."""

    light: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    LitProjects = QuerySet[WithAnnotations[Project, Lights]]

GREEN, YELLOW, RED = 0, 1, 2
LIGHT_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
M = WarningRule.Measure
INVESTMENT_MEASURES = (M.POINTS_BEHIND_TIME_PROGRESS, M.PERCENT_OF_TIME_PROGRESS)


def month_ends_before(as_of: datetime.date, count: int) -> list[datetime.date]:
    """The as-of date and the last days of the `count - 1` months before it."""
    dates, day = [as_of], as_of
    for _ in range(count - 1):
        day = day.replace(day=1) - datetime.timedelta(days=1)
        dates.append(day)
    return dates


def _not_reached(stage: str, at: datetime.date) -> Q:
    """The stage has no actual date on or before `at`. Measured on the stage's own date, never on the current
    stage: a stage the office let a project skip (签约 → 开工 with no 立项 date, issue 15) keeps counting as not
    reached, so "days since signing without 立项" or "planned 立项 date passed" stay lit after the stage moved on."""
    field = STAGE_DATE_FIELD[stage]
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": at})


def _aged(field: str, days: Decimal, at: datetime.date, *, strict: bool) -> Q:
    """`field` lies at least (strict: more than) `days` days before `at`."""
    cutoff = at - datetime.timedelta(days=int(days))
    return Q(**{f"{field}__lt" if strict else f"{field}__lte": cutoff})


# For each "days since X without Y" measure: the date field it counts from and the stage not yet reached.
DAYS_MEASURES: dict[str, tuple[str, str]] = {
    M.DAYS_SIGNED_NOT_APPROVED: ("signed_date", Stage.APPROVED),
    M.DAYS_APPROVED_NOT_STARTED: ("approved_date", Stage.STARTED),
    M.DAYS_SIGNED_NOT_STARTED: ("signed_date", Stage.STARTED),
    M.DAYS_PAST_PLANNED_START: ("planned_started_date", Stage.STARTED),
    M.DAYS_COMPLETED_NOT_PRODUCING: ("completed_date", Stage.PRODUCING),
}


@dataclass(frozen=True)
class Context:
    as_of: datetime.date
    progress_bp: dict  # 序时进度 in basis points at each evaluation date

    def ytd(self, at: datetime.date) -> str:
        """Annotation: year-to-date reported investment at `at`, in cents."""
        return f"_ytd_c_{at:%Y%m%d}"

    def scaled(self, at: datetime.date) -> str:
        """Annotation: the same × 10 000, to compare with rates in basis points."""
        return f"_ytd_x_{at:%Y%m%d}"

    def share(self, at: datetime.date) -> str:
        """Annotation: the same × 10 000 × 10 000, to compare with a share of 序时进度 in basis points."""
        return f"_ytd_s_{at:%Y%m%d}"


def _threshold_q(rule: WarningRule, threshold: Decimal, at: datetime.date, ctx: Context, *, strict: bool) -> Q:
    """The condition "the measure is past `threshold` at `at`"."""
    if rule.measure in DAYS_MEASURES:
        field, stage = DAYS_MEASURES[rule.measure]
        return _aged(field, threshold, at, strict=strict) & _not_reached(stage, at)
    if rule.measure == M.DAYS_PAST_PLANNED_STAGE:
        either = Q()
        for stage in Stage.values:
            either |= _aged(STAGE_PLANNED_FIELD[stage], threshold, at, strict=strict) & _not_reached(stage, at)
        return either
    if rule.measure == M.DAYS_PAST_PLANNED_APPROVAL:
        cutoff = at - datetime.timedelta(days=int(threshold))
        late = ProjectApproval.objects.filter(project=OuterRef("pk")).exclude(
            status=ProjectApproval.Status.DONE, completed_date__lte=at
        )
        late = late.filter(planned_date__lt=cutoff) if strict else late.filter(planned_date__lte=cutoff)
        return Q(Exists(late))
    if rule.measure == M.DAYS_BOND_UNSPENT:
        cutoff = at - datetime.timedelta(days=int(threshold))
        idle = BondApplication.objects.filter(project=OuterRef("pk"), issued__gt=0, spent=0)
        idle = idle.filter(issued_date__lt=cutoff) if strict else idle.filter(issued_date__lte=cutoff)
        return Q(Exists(idle))
    if rule.measure == M.DAYS_LEAD_NO_FOLLOW_UP:
        return Q(attraction.stale_lead_exists(as_of=at, days=int(threshold), strict=strict))
    progress_bp = ctx.progress_bp[at]
    threshold_bp = int(threshold * 100)
    if rule.measure == M.POINTS_BEHIND_TIME_PROGRESS:
        # 序时进度 − rate ≥ T  ⇔  rate ≤ 序时进度 − T  ⇔  ytd × 10 000 ≤ (序时进度 − T) × plan   (all in bp, cents)
        bound = F("_plan_c") * (progress_bp - threshold_bp)
        return Q(_plan_c__gt=0) & Q(**{f"{ctx.scaled(at)}__{'lt' if strict else 'lte'}": bound})
    # share of 序时进度 < T%  ⇔  rate < 序时进度 × T / 100  ⇔  ytd × 10 000 × 10 000 < 序时进度 × T × plan
    if progress_bp == 0:
        return Q(pk__in=[])
    bound = F("_plan_c") * (progress_bp * threshold_bp)
    return Q(_plan_c__gt=0) & Q(**{f"{ctx.share(at)}__lt": bound})


def _rule_level(rule: WarningRule, ctx: Context) -> Case:
    """GREEN / YELLOW / RED of one rule as an SQL CASE."""
    whens = []
    if rule.red is not None:
        red = Q()
        dates = month_ends_before(ctx.as_of, rule.streak_months or 1)
        for at in dates:
            red &= _threshold_q(rule, rule.red, at, ctx, strict=True)
        whens.append(When(red, then=Value(RED)))
    if rule.yellow is not None:
        whens.append(When(_threshold_q(rule, rule.yellow, ctx.as_of, ctx, strict=False), then=Value(YELLOW)))
    scope = Q()
    if rule.levels:
        scope &= Q(level__in=rule.levels)
    if rule.categories:
        scope &= Q(category__in=rule.categories)
    return Case(
        When(~scope | Q(is_cancelled=True), then=Value(GREEN)),
        *whens,
        default=Value(GREEN),
        output_field=IntegerField(),
    )


def _evaluation_dates(rules: list[WarningRule], as_of: datetime.date) -> set[datetime.date]:
    dates = {as_of}
    for rule in rules:
        if rule.measure in INVESTMENT_MEASURES:
            dates.update(month_ends_before(as_of, rule.streak_months or 1))
    return dates


def _cents(expression: Any) -> Cast:
    return Cast(Round(Coalesce(expression, Value(Decimal("0")), output_field=DecimalField()) * 100), BigIntegerField())


def with_lights(projects: QuerySet[Project], *, as_of: datetime.date, rules: list[WarningRule]) -> "LitProjects":
    """The projects annotated with `w_<rule id>` (0/1/2) per rule and `light`, the worst of them.

    Each rule's level is computed once per project, in a materialized CTE (`lit_levels`) that the projects join:
    as plain annotations, Django inlines an expression again at every reference, so the light (the GREATEST of
    the levels) and every filter or ordering on it re-ran each rule's subqueries. The year-to-date reports the
    investment rules compare are summed in one grouped pass (`lit_ytd`), joined rather than correlated, and the
    year's plan is a join too."""
    if not rules:
        return projects.annotate(light=Value(GREEN, output_field=IntegerField()))
    basis = time_progress_basis()
    dates = _evaluation_dates(rules, as_of)
    ctx = Context(as_of, {at: int(time_progress(at, basis=basis) * 100) for at in dates})
    ids = projects.order_by().values("pk")
    levels = Project.objects.filter(pk__in=ids).order_by()
    ctes = []
    carried = []  # the columns explain() reads, passed through the CTE
    if any(rule.measure in INVESTMENT_MEASURES for rule in rules):
        reported = (
            MonthlyReport.objects.filter(
                project__in=ids,
                period__month__gte=as_of.replace(month=1, day=1),
                period__month__lte=max(dates),
            )
            .order_by()
            .values("project_id")
            # The status is tested in the sums, not in WHERE: there SQLite drove the scan from the status index
            # (most reports are reported) instead of from the projects asked about.
            .annotate(**{
                f"c{at:%Y%m%d}": Sum(
                    "investment_completed", filter=Q(period__month__lte=at, status__in=REPORTED_STATUSES)
                )
                for at in dates
            })
        )
        ytd = CTE(reported, name="lit_ytd")
        ctes.append(ytd)
        levels = ytd.join(levels, id=ytd.col.project_id, _join_type=LOUTER)
        levels = levels.annotate(
            _year_plan=FilteredRelation("annual_plans", condition=Q(annual_plans__year=as_of.year)),
            _plan_c=_cents(F("_year_plan__planned_investment")),
        )
        carried.append("_plan_c")
        for at in dates:
            levels = levels.annotate(**{ctx.ytd(at): _cents(getattr(ytd.col, f"c{at:%Y%m%d}"))})
            levels = levels.annotate(
                **{ctx.scaled(at): F(ctx.ytd(at)) * 10000, ctx.share(at): F(ctx.ytd(at)) * 100000000}
            )
            carried.append(ctx.ytd(at))
    if any(rule.measure == M.DAYS_LEAD_NO_FOLLOW_UP for rule in rules):
        levels = levels.annotate(_lead_followed=attraction.last_follow_up_or_start(as_of=as_of))
        carried.append("_lead_followed")
    names = [f"w_{rule.pk}" for rule in rules]
    levels = levels.annotate(**{f"w_{rule.pk}": _rule_level(rule, ctx) for rule in rules})
    lit = CTE(levels.values("id", *carried, *names), name="lit_levels", materialized=True)
    ctes.append(lit)
    joined = lit.join(projects, id=lit.col.id)
    joined = joined.annotate(**{name: getattr(lit.col, name) for name in (*carried, *names)})
    columns = [F(name) for name in names]
    joined = joined.annotate(light=columns[0] if len(columns) == 1 else Greatest(*columns))
    return with_cte(*ctes, select=joined)


def active_rules() -> list[WarningRule]:
    return list(WarningRule.objects.filter(is_active=True))


def warned_projects(projects: QuerySet[Project], *, as_of: datetime.date, rules: list[WarningRule]) -> "LitProjects":
    """Red and yellow projects, red first, in the configured unit order."""
    return (
        with_lights(projects, as_of=as_of, rules=rules)
        .filter(light__gt=GREEN)
        .order_by("-light", "unit__display_order", "unit_id", "id")
    )


def warned_rows(projects: QuerySet[Project], *, as_of: datetime.date, rules: list[WarningRule]) -> list[dict]:
    """The warned projects, red first, as JSON-ready rows {"project_id", "name", "unit_id", "unit", "light",
    "reasons"}: one query, and only the columns the reasons read (a snapshot holds a province's thousands of warned
    projects: making a model instance and its unit for each was most of freezing them)."""
    columns = {"pk", "name", "unit_id", "unit__name", "light", *(f"w_{rule.pk}" for rule in rules)}
    for rule in rules:
        if rule.measure in DAYS_MEASURES:
            columns.add(DAYS_MEASURES[rule.measure][0])
        elif rule.measure == M.DAYS_LEAD_NO_FOLLOW_UP:
            columns.add("_lead_followed")
        elif rule.measure in INVESTMENT_MEASURES:
            columns |= {"_plan_c", f"_ytd_c_{as_of:%Y%m%d}"}
    return [
        {
            "project_id": row["pk"],
            "name": row["name"],
            "unit_id": row["unit_id"],
            "unit": row["unit__name"],
            "light": row["light"],
            "reasons": [text for _, _, text in explain(SimpleNamespace(**row), as_of=as_of, rules=rules)],
        }
        for row in warned_projects(projects, as_of=as_of, rules=rules).values(*columns)
    ]


def _unit_counts(rows: Iterable[tuple[int, int, int]]) -> dict[int, dict[str, int]]:
    """{unit id: {"red": n, "yellow": n}} from (unit id, light, n) rows; units without a warning left out."""
    counts: dict[int, dict[str, int]] = {}
    for unit_id, light, n in rows:
        if light in (RED, YELLOW):
            counts.setdefault(unit_id, {"red": 0, "yellow": 0})["red" if light == RED else "yellow"] += n
    return counts


def counts_of_rows(rows: list[dict]) -> dict[int, dict[str, int]]:
    """counts_by_unit's result from warned_rows' rows, without lighting the projects again."""
    return _unit_counts((row["unit_id"], row["light"], 1) for row in rows)


def warned_of_light(
    projects: QuerySet[Project], *, as_of: datetime.date, light: str
) -> tuple["LitProjects", list[WarningRule]]:
    """The warnings list: red and yellow projects, or only "red" / "yellow" ones, with the active rules used."""
    rules = active_rules()
    warned = warned_projects(projects, as_of=as_of, rules=rules).select_related("unit")
    if light in ("red", "yellow"):
        warned = warned.filter(light=RED if light == "red" else YELLOW)
    return warned, rules


def counts_by_unit(projects: QuerySet[Project], *, as_of: datetime.date, rules: list[WarningRule]) -> dict:
    """{unit id: {"red": n, "yellow": n}} for units with any warning: one GROUP BY query.

    Grouped by (unit, light) rather than counting red and yellow with two filtered COUNTs: the light is a large
    expression (each rule's correlated subqueries), and each reference to it is evaluated again — grouping names
    it once (half the time on a province)."""
    lit = with_lights(projects, as_of=as_of, rules=rules).order_by()
    return _unit_counts(lit.values_list("unit_id", "light").annotate(n=Count("pk")))


def light_totals(projects: QuerySet[Project], *, as_of: datetime.date, rules: list[WarningRule]) -> dict:
    """{"red": n, "yellow": n}: one GROUP BY query (grouped by the light for the reason counts_by_unit gives)."""
    by_light = dict(with_lights(projects, as_of=as_of, rules=rules).order_by().values_list("light").annotate(
        n=Count("pk")))
    return {"red": by_light.get(RED, 0), "yellow": by_light.get(YELLOW, 0)}


def explain(
    project: Project | SimpleNamespace, *, as_of: datetime.date, rules: list[WarningRule]
) -> list[tuple[WarningRule, int, str]]:
    """Why a project annotated by `with_lights` has its light: (rule, level, sentence) for each lit rule."""
    reasons = []
    for rule in rules:
        level = getattr(project, f"w_{rule.pk}", GREEN)
        if level == GREEN:
            continue
        reasons.append((rule, level, f"{LIGHT_LABELS[level]}：{rule.name}{_value_text(rule, project, as_of)}"))
    return reasons


# project: Any — it carries the columns with_lights added for the rules at hand (_plan_c, _ytd_c_<date>, …).
def _value_text(rule: WarningRule, project: Any, as_of: datetime.date) -> str:
    if rule.measure in DAYS_MEASURES:
        start = getattr(project, DAYS_MEASURES[rule.measure][0])
        return f"（已 {(as_of - start).days} 天）" if start else ""
    if rule.measure == M.DAYS_LEAD_NO_FOLLOW_UP and getattr(project, "_lead_followed", None):
        return f"（已 {(as_of - project._lead_followed).days} 天无跟进）"
    if rule.measure in INVESTMENT_MEASURES and getattr(project, "_plan_c", None):
        rate = (Decimal(getattr(project, f"_ytd_c_{as_of:%Y%m%d}")) * 100 / Decimal(project._plan_c)).quantize(
            Decimal("0.01")
        )
        return f"（年度投资完成率 {rate}%）"
    return ""


class ProjectLights:
    """The project registry's warning lights (projects.extensions' `lights`, set by IndicatorsConfig.ready())."""

    def annotate(self, projects: QuerySet[Project], *, as_of: datetime.date) -> QuerySet[Project]:
        """The projects with `light`, by the active rules: one query for the rules, none per row."""
        return with_lights(projects, as_of=as_of, rules=active_rules())

    def explain(self, project: Project, *, as_of: datetime.date) -> tuple[int, list[tuple[WarningRule, int, str]]]:
        """One project's light and the reasons for it: two queries (the rules, the lit project)."""
        rules = active_rules()
        lit = with_lights(Project.objects.filter(pk=project.pk), as_of=as_of, rules=rules).get()
        return lit.light, explain(lit, as_of=as_of, rules=rules)
