"""Reads of the project registry, and its one access gate used by every view, export and API."""

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.http import Http404

from tadiao.lib.numbers import percent_value
from tadiao.lib.params import int_param
from tadiao.org.models import Unit, User
from tadiao.org.queries import reads_whole_region, scope_region
from tadiao.projects import access, extensions
from tadiao.projects.models import (
    DERIVED_TAGS,
    STAGE_ORDER,
    AnnualPlan,
    ApprovalKind,
    Batch,
    BatchEntry,
    BondApplication,
    Category,
    Industry,
    Level,
    Project,
    ProjectApproval,
    Stage,
    Tag,
    stage_rank,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# ---------------------------------------------------------------------------------------------------
# The access gate


def visible_projects(user: User) -> QuerySet[Project]:
    """Projects the user may read: their region's for coordinators and leaders, else their own unit's."""
    if not user.is_authenticated:
        return Project.objects.none()
    if reads_whole_region(user):
        region = scope_region(user)
        if region is None:
            return Project.objects.none()
        return Project.objects.filter(unit__region__path__startswith=region.path)
    if user.is_reporter and user.unit_id:
        # Layers above may grant more (a unit named lead or helping on a problem reads that problem's project):
        # see access.py, filled at app load; writing stays with the project's own unit (may_write_project).
        return Project.objects.filter(Q(unit_id=user.unit_id) | access.extra_readable_q(user.unit_id))
    return Project.objects.none()


def may_write_project(user: User, project: Project) -> bool:
    """Coordinators write everything they see; a reporter writes its own unit's projects; leaders only read."""
    return bool(user.is_coordinator or (user.is_reporter and project.unit_id == user.unit_id))


def may_create_projects(user: User) -> bool:
    return bool(user.is_coordinator or (user.is_reporter and user.unit_id))


def get_project_for_user(user: User, pk: int, *, write: bool = False) -> Project:
    """The project, or 404 outside the user's scope; 403 when the user may read it but not write."""
    project = (
        visible_projects(user)
        .select_related("unit", "unit__region", "supervising_department", "leader", "industry")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404("项目不存在或无权查看。")
    if write and not may_write_project(user, project):
        raise PermissionDenied("您只能查看该项目，不能修改。")
    return project


def units_for_project_form(user: User) -> QuerySet[Unit]:
    """The units a user may assign as 责任单位."""
    if user.is_coordinator:
        region = scope_region(user)
        return (
            Unit.objects.filter(region__path__startswith=region.path, is_active=True) if region else Unit.objects.none()
        )
    # unit_id None matches no unit, as wanted for a user without a unit; the stubs want a pk that is set
    return Unit.objects.filter(pk=user.unit_id)  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------------
# The project list: filters and sorting

SORTS: dict[str, tuple[str | Combinable, ...]] = {
    "default": ("unit__display_order", "id"),
    "name": ("name", "id"),
    "-investment": ("-total_investment", "id"),
    "investment": ("total_investment", "id"),
    "stage": ("stage", "id"),
    # Projects not started yet go last either way (PostgreSQL would put NULLs first when descending).
    "-started": (F("started_date").desc(nulls_last=True), "id"),
    "started": (F("started_date").asc(nulls_last=True), "id"),
    "-updated": ("-updated_at", "-id"),
}
SORT_LABELS = {
    "default": "按单位排序",
    "name": "项目名称",
    "-investment": "总投资（高→低）",
    "investment": "总投资（低→高）",
    "stage": "阶段",
    "-started": "开工日期（新→旧）",
    "started": "开工日期（旧→新）",
    "-updated": "最近更新",
}
STATUS_FILTERS = {"normal": "正常", "suspended": "停工", "cancelled": "终止"}


@dataclass
class ProjectFilters:
    """The list page's filters, parsed from the query string (unknown values are ignored, not errors)."""

    q: str = ""
    unit: int | None = None
    level: str = ""
    category: str = ""
    industry: int | None = None
    stage: str = ""
    tag: str = ""
    year: int | None = None
    status: str = ""
    sort: str = "default"
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "ProjectFilters":
        filters = cls(q=params.get("q", "").strip()[:100])
        filters.unit = int_param(params, "unit", filters.invalid, "unit")
        filters.industry = int_param(params, "industry", filters.invalid, "industry")
        filters.year = int_param(params, "year", filters.invalid, "year")
        if filters.year is not None and not 2000 <= filters.year <= 2100:
            filters.invalid.append("年度")
            filters.year = None
        filters.level = params.get("level", "") if params.get("level", "") in Level.values else ""
        filters.category = params.get("category", "") if params.get("category", "") in Category.values else ""
        filters.stage = params.get("stage", "") if params.get("stage", "") in Stage.values else ""
        filters.status = params.get("status", "") if params.get("status", "") in STATUS_FILTERS else ""
        filters.tag = params.get("tag", "").strip()[:30]
        filters.sort = params.get("sort", "default") if params.get("sort", "default") in SORTS else "default"
        return filters

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        if self.q:
            projects = projects.filter(
                Q(name__icontains=self.q) | Q(code__icontains=self.q) | Q(investor__icontains=self.q)
            )
        if self.unit:
            projects = projects.filter(unit_id=self.unit)
        if self.level:
            projects = projects.filter(level=self.level)
        if self.category:
            projects = projects.filter(category=self.category)
        if self.industry:
            projects = projects.filter(industry_id=self.industry)
        if self.stage:
            projects = projects.filter(stage=self.stage)
        if self.tag:
            if self.tag in DERIVED_TAGS:
                projects = projects.filter(total_investment__gte=DERIVED_TAGS[self.tag])
            else:
                projects = projects.filter(tags__name=self.tag)
        if self.year:
            projects = projects.filter(annual_plans__year=self.year)
        if self.status == "cancelled":
            projects = projects.filter(is_cancelled=True)
        elif self.status == "suspended":
            projects = projects.filter(is_suspended=True, is_cancelled=False)
        elif self.status == "normal":
            projects = projects.filter(is_suspended=False, is_cancelled=False)
        return projects.order_by(*SORTS[self.sort])


def project_rows(user: User, filters: ProjectFilters, *, plan_year: int) -> QuerySet[Project]:
    """The filtered list with what each row shows, in a fixed number of queries whatever its length."""
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=plan_year).values("planned_investment")[:1]
    return (
        filters.apply(visible_projects(user))
        .select_related("unit", "leader", "industry")
        .prefetch_related("tags")
        .annotate(year_planned=Subquery(plan))
    )


def ledger_months(year: int, *, today: datetime.date) -> int:
    """N of the export's 1—N月: the whole year once it is over, else up to the current month (0 for a future year)."""
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def unit_choices(user: User) -> list[Unit]:
    """The units that have a project the user may read, for a 责任单位 filter: one query."""
    units = Unit.objects.filter(pk__in=visible_projects(user).values("unit_id")).order_by("display_order", "id")
    return list(units.only("id", "name"))


def filter_choices(user: User) -> dict:
    """Options of the filter bar (one query each, independent of the number of projects)."""
    return {
        "units": unit_choices(user),
        "levels": Level.choices,
        "categories": Category.choices,
        "industries": list(Industry.objects.all()),
        "stages": Stage.choices,
        "tags": [t.name for t in Tag.objects.all()] + list(DERIVED_TAGS),
        "statuses": list(STATUS_FILTERS.items()),
        "sorts": list(SORT_LABELS.items()),
    }


# ---------------------------------------------------------------------------------------------------
# The detail page


def approvals_checklist(project: Project) -> list[dict]:
    """Every active checklist item with the project's state of it (未办 when not recorded yet)."""
    recorded = {a.kind_id: a for a in ProjectApproval.objects.filter(project=project)}
    return [
        {"kind": kind, "approval": recorded.get(kind.id)}
        for kind in ApprovalKind.objects.filter(Q(is_active=True) | Q(pk__in=recorded))
    ]


def stage_timeline(project: Project) -> list[dict]:
    """Each stage with its planned and actual date and whether it is done, current or ahead."""
    current = stage_rank(project.stage)
    return [
        {
            "stage": Stage(stage),
            "planned": project.planned_stage_date(stage),
            "actual": project.stage_date(stage),
            "state": "done" if stage_rank(stage) < current else "current" if stage_rank(stage) == current else "ahead",
        }
        for stage in STAGE_ORDER
    ]


def milestone_projects(projects: QuerySet[Project], *, limit: int = 20) -> list[Project]:
    """The largest projects that are still under way, for the schedule chart (挂图作战): one query."""
    return list(
        projects.filter(is_cancelled=False)
        .exclude(stage=Stage.AT_CAPACITY)
        .select_related("unit")
        .order_by("-total_investment", "id")[:limit]
    )


# ---------------------------------------------------------------------------------------------------
# "三个一批" batches


def batch_entries_text(entries: Iterable[tuple[int, str]]) -> str:
    """"三个一批" entries as the ledger writes them — 第7期开工一批；第8期签约一批 — by 期数, then kind."""
    order = list(BatchEntry.Kind.values)
    ranked = sorted(entries, key=lambda entry: (entry[0], order.index(entry[1])))
    return "；".join(f"第{number}期{BatchEntry.Kind(kind).label}" for number, kind in ranked)


def batch_statistics(projects: QuerySet[Project], *, numbers: list[int], as_of: datetime.date) -> list[dict[str, Any]]:
    """Per batch and kind: entries, started, 开工率, producing, cancelled — one GROUP BY query.

    Counted over entries, as the provincial tallies do: a project entered in two batches counts in both.
    """
    rows = (
        BatchEntry.objects.filter(batch__number__in=numbers, project__in=projects.values("pk"))
        .order_by()
        .values("batch__number", "kind")
        .annotate(
            entries=Count("pk"),
            started=Count("pk", filter=Q(project__started_date__lte=as_of)),
            producing=Count("pk", filter=Q(project__producing_date__lte=as_of)),
            cancelled=Count("pk", filter=Q(project__is_cancelled=True)),
        )
    )
    kind_order = list(BatchEntry.Kind.values)
    result = [
        {
            "number": row["batch__number"],
            "kind": row["kind"],
            "kind_label": BatchEntry.Kind(row["kind"]).label,
            "entries": row["entries"],
            "started": row["started"],
            "percent": percent_value(row["started"], row["entries"]),
            "producing": row["producing"],
            "cancelled": row["cancelled"],
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (r["number"], kind_order.index(r["kind"])))


def projects_in_batches(projects: QuerySet[Project], *, numbers: list[int]) -> QuerySet[Project]:
    """Each project once, if it is entered in any of the batches (EXISTS, so aggregates over it stay exact)."""
    return projects.filter(Exists(BatchEntry.objects.filter(project=OuterRef("pk"), batch__number__in=numbers)))


def batch_totals(statistics: list[dict]) -> dict:
    """Totals over a range of batches: sums of entries (a project entered twice counts twice)."""
    entries = sum(r["entries"] for r in statistics)
    started = sum(r["started"] for r in statistics)
    return {
        "entries": entries,
        "started": started,
        "percent": percent_value(started, entries),
        "producing": sum(r["producing"] for r in statistics),
        "cancelled": sum(r["cancelled"] for r in statistics),
    }


def batch_cancelled_projects(projects: QuerySet[Project], *, numbers: list[int]) -> QuerySet[BatchEntry]:
    """Cancelled projects entered in the batches, with their reasons (listed in the statistics)."""
    return (
        BatchEntry.objects.filter(
            batch__number__in=numbers, project__in=projects.values("pk"), project__is_cancelled=True
        )
        .select_related("batch", "project", "project__unit")
        .order_by("batch__number", "kind", "project_id")
    )


@dataclass
class BatchPage:
    """The "三个一批" page: every batch, the statistics of the chosen range (from `low` to `high`, all when neither
    is given) over the user's projects, their totals, the cancelled entries and the campaign's rates."""

    batches: list[Batch]
    low: int | None
    high: int | None
    statistics: list[dict]
    totals: dict
    cancelled: QuerySet[BatchEntry]
    campaign_rates: list


def batch_page(user: User, *, low: int | None, high: int | None, as_of: datetime.date) -> BatchPage:
    """The batch page's figures; with a range, the campaign's rates count only the entries of those periods."""
    batches = list(Batch.objects.all())
    numbers = [b.number for b in batches if (low is None or b.number >= low) and (high is None or b.number <= high)]
    projects = visible_projects(user)
    statistics = batch_statistics(projects, numbers=numbers, as_of=as_of)
    ranged = low is not None or high is not None
    return BatchPage(
        batches=batches,
        low=low,
        high=high,
        statistics=statistics,
        totals=batch_totals(statistics),
        cancelled=batch_cancelled_projects(projects, numbers=numbers),
        campaign_rates=extensions.campaign_rates(projects, numbers=numbers if ranged else None, as_of=as_of),
    )


def batch_entries(user: User, batch: Batch) -> QuerySet[BatchEntry]:
    """The batch's entries of the projects the user may read, by kind and unit."""
    return (
        BatchEntry.objects.filter(batch=batch, project__in=visible_projects(user).values("pk"))
        .select_related("project", "project__unit")
        .order_by("kind", "project__unit__display_order", "project_id")
    )


def find_project_for_user(user: User, text: str) -> Project:
    """A visible project by its 项目代码, else by its exact name; a Chinese ValueError when none or several."""
    text = (text or "").strip()
    if not text:
        raise ValueError("请填写项目代码或项目名称。")
    projects = visible_projects(user)
    found = list(projects.filter(code=text)[:2]) or list(projects.filter(name=text)[:2])
    if not found:
        raise ValueError(f"找不到项目“{text}”（或不在您的管理范围内）。")
    if len(found) > 1:
        raise ValueError(f"有多个名为“{text}”的项目，请改填项目代码。")
    return found[0]


# ---------------------------------------------------------------------------------------------------
# Special-purpose bonds (专项债)


def six_months_before(day: datetime.date) -> datetime.date:
    """The same day six calendar months earlier (the last day of that month when it is shorter)."""
    year, month = (day.year, day.month - 6) if day.month > 6 else (day.year - 1, day.month + 6)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class BondFlags(TypedDict):
    """What bond_rows annotates on each application."""

    unspent_six_months: bool


def bond_rows(
    user: User, *, batch_id: int | None, unit_id: int | None, as_of: datetime.date
) -> "QuerySet[WithAnnotations[BondApplication, BondFlags]]":
    """The visible projects' bond applications, each flagged when its issued quota has lain unspent for six months."""
    cutoff = six_months_before(as_of)
    rows = BondApplication.objects.filter(project__in=visible_projects(user).values("pk"))
    if batch_id:
        rows = rows.filter(batch_id=batch_id)
    if unit_id:
        rows = rows.filter(project__unit_id=unit_id)
    return (
        rows.select_related("project", "project__unit", "batch")
        .annotate(
            unspent_six_months=Case(
                When(issued__gt=0, spent=0, issued_date__lte=cutoff, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("batch", "project__unit__display_order", "project_id")
    )


def bond_totals(rows: QuerySet[BondApplication]) -> dict[str, Decimal | int | None]:
    """Requested, issued and spent totals and the spending rate (支出率 = spent / issued): one aggregate query."""
    totals = rows.order_by().aggregate(
        requested=Sum("requested"),
        issued=Sum("issued"),
        spent=Sum("spent"),
        unspent=Count("pk", filter=Q(unspent_six_months=True)),
    )
    return {**totals, "rate": percent_value(totals["spent"] or 0, totals["issued"] or 0)}
