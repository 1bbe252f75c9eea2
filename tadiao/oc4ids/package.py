"""The OC4IDS project package of a set of projects, read in a fixed number of queries whatever their number.

Queries: (1) the projects with their unit, its region, the supervising department and its region, the leading
industry; (2) their annual plans; (3) their approvals with the checklist item; (4) their funding by source;
(5) the completed investment of every reported month up to the as-of month. Nothing a unit's reporter keeps for
the office alone goes out: no user (names, phone numbers), no report text (形象进度, 存在问题, 退回原因), no photos,
no reasons for suspension or cancellation, no approval notes (docs/oc4ids.md lists what is exported).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from tadiao.oc4ids import mapping
from tadiao.org.models import Unit
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    STAGE_PLANNED_FIELD,
    AnnualPlan,
    FundingSource,
    Project,
    ProjectApproval,
    Stage,
    stage_rank,
)
from tadiao.reporting.models import REPORTED_STATUSES, MonthlyReport


class EmptyPackage(ValueError):
    """OC4IDS requires at least one project in a package."""

    def __init__(self) -> None:
        super().__init__("没有可导出的项目：OC4IDS 数据包至少要包含一个项目。")


@dataclass(frozen=True)
class PackageInfo:
    """What the package says about itself."""

    uri: str
    publisher: str
    published: datetime.datetime
    prefix: str
    as_of: datetime.date


def build_package(projects: QuerySet[Project], *, info: PackageInfo) -> dict:
    """The project package (a dict ready for json.dumps) of `projects` (already gated by the caller), as of
    `info.as_of`. Raises EmptyPackage when there is no project."""
    rows = list(
        projects.select_related("unit__region", "supervising_department__region", "industry")
        .prefetch_related(
            Prefetch("annual_plans", queryset=AnnualPlan.objects.order_by("year")),
            Prefetch(
                "approvals",
                queryset=ProjectApproval.objects.select_related("kind").order_by("kind__display_order", "kind_id"),
            ),
            "fundings",
        )
        .order_by("unit__display_order", "unit_id", "id")
    )
    if not rows:
        raise EmptyPackage
    spent = _completed_investment(projects, as_of=info.as_of)
    return {
        "uri": info.uri,
        "publishedDate": mapping.moment(info.published),
        "publisher": {"name": info.publisher},
        "version": mapping.OC4IDS_VERSION,
        "projects": [_project(p, months=spent.get(p.pk, []), info=info) for p in rows],
    }


def _completed_investment(
    projects: QuerySet[Project], *, as_of: datetime.date
) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Project id → [(month, 万元) …] of the submitted or approved monthly reports up to as_of's month, in order."""
    months: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    reports = (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            status__in=REPORTED_STATUSES,
            period__month__lte=as_of.replace(day=1),
            investment_completed__gt=0,
        )
        .order_by("project_id", "period__month")
        .values_list("project_id", "period__month", "investment_completed")
    )
    for project_id, month, amount in reports:
        months[project_id].append((month, amount))
    return months


def _drop_empty(data: dict) -> dict:
    """OC4IDS has no nulls and no empty lists or objects (minItems / minProperties): leave such keys out."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _organization(unit: Unit, roles: list[str]) -> dict:
    return {
        "id": f"unit-{unit.pk}",
        "name": unit.name,
        "roles": roles,
        "address": {"region": unit.region.name, "countryName": "中国"},
    }


def _parties(project: Project) -> list[dict]:
    supervisor = project.supervising_department
    unit_roles = [mapping.ROLE_PUBLIC_AUTHORITY]
    if supervisor is not None and supervisor.pk == project.unit_id:
        unit_roles.append(mapping.ROLE_SUPERVISING)
    parties = [_organization(project.unit, unit_roles)]
    if supervisor is not None and supervisor.pk != project.unit_id:
        parties.append(_organization(supervisor, [mapping.ROLE_SUPERVISING]))
    if project.investor:
        parties.append({"id": "investor", "name": project.investor, "roles": [mapping.ROLE_FUNDER]})
    return parties


def _classifications(project: Project) -> list[dict]:
    found = [
        {"scheme": "tadiao-category", "id": project.category, "description": project.get_category_display()},
        {"scheme": "tadiao-level", "id": project.level, "description": project.get_level_display()},
        {"scheme": "tadiao-nature", "id": project.nature, "description": project.get_nature_display()},
    ]
    if project.industry_code:
        found.append({"scheme": "GB/T 4754-2017", "id": project.industry_code})
    if project.industry is not None:
        industry = project.industry
        found.append({"scheme": "tadiao-industry", "id": str(industry.pk), "description": industry.name})
    return found


def _budget(project: Project) -> dict:
    plans = [
        {
            "id": str(plan.year),
            "description": f"{plan.year}年度计划投资",
            "amount": mapping.value(plan.planned_investment),
            "period": {
                "startDate": mapping.day_start(datetime.date(plan.year, 1, 1)),
                "endDate": mapping.day_end(datetime.date(plan.year, 12, 31)),
            },
        }
        for plan in project.annual_plans.all()
    ]
    sources = [
        {"id": f.source, "description": f"{FundingSource(f.source).label}（计划）", "amount": mapping.value(f.planned)}
        for f in project.fundings.all()
        if f.planned > 0
    ]
    breakdowns = []
    if plans:
        breakdowns.append({"id": "annual-plans", "description": "年度计划投资", "budgetBreakdown": plans})
    if sources:
        breakdowns.append({"id": "funding-sources", "description": "资金来源（计划）", "budgetBreakdown": sources})
    return _drop_empty({"amount": mapping.value(project.total_investment), "budgetBreakdowns": breakdowns})


def _milestones(project: Project, *, reached: str, as_of: datetime.date) -> list[dict]:
    found = []
    for stage in STAGE_ORDER:
        actual = getattr(project, STAGE_DATE_FIELD[stage])
        planned = getattr(project, STAGE_PLANNED_FIELD[stage])
        if actual is None and planned is None:
            continue
        met = stage_rank(stage) <= stage_rank(reached) and (actual is None or actual <= as_of)
        kind, code = mapping.MILESTONE_OF_STAGE[stage]
        found.append(
            _drop_empty(
                {
                    "id": f"stage-{stage.lower()}",
                    "title": Stage(stage).label,
                    "type": kind,
                    "code": code,
                    "dueDate": mapping.day_start(planned) if planned else None,
                    "dateMet": mapping.day_start(actual) if met and actual else None,
                    "status": mapping.milestone_status(
                        met=met, due=planned, as_of=as_of, is_cancelled=project.is_cancelled
                    ),
                }
            )
        )
    for approval in project.approvals.all():
        done = approval.status == ProjectApproval.Status.DONE and (
            approval.completed_date is None or approval.completed_date <= as_of
        )
        if not (done or approval.planned_date or approval.status != ProjectApproval.Status.NOT_STARTED):
            continue
        kind, code = mapping.APPROVAL_MILESTONE
        described = f"前期手续：{approval.get_status_display()}"
        if approval.department:
            described += f"；办理部门：{approval.department}"
        found.append(
            _drop_empty(
                {
                    "id": f"approval-{approval.kind_id}",
                    "title": approval.kind.name,
                    "type": kind,
                    "code": code,
                    "description": described,
                    "dueDate": mapping.day_start(approval.planned_date) if approval.planned_date else None,
                    "dateMet": mapping.day_start(approval.completed_date) if done and approval.completed_date else None,
                    "status": mapping.milestone_status(
                        met=done,
                        due=approval.planned_date,
                        as_of=as_of,
                        is_cancelled=project.is_cancelled,
                        partly=approval.status == ProjectApproval.Status.ACCEPTED_WITH_GAPS,
                    ),
                }
            )
        )
    return found


def _location(project: Project) -> dict:
    location: dict = {"id": "1", "address": {"region": project.unit.region.name, "countryName": "中国"}}
    if project.latitude is not None and project.longitude is not None:
        location["description"] = "项目位置"
        location["geometry"] = {"type": "Point", "coordinates": [float(project.longitude), float(project.latitude)]}
    return location


def _on_or_before(day: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    return day if day is not None and day <= as_of else None


def _project(project: Project, *, months: list[tuple[datetime.date, Decimal]], info: PackageInfo) -> dict:
    as_of = info.as_of
    dates = {stage: getattr(project, field) for stage, field in STAGE_DATE_FIELD.items()}
    reached = mapping.stage_as_of(stage=project.stage, dates=dates, as_of=as_of)
    identifiers = [{"id": str(project.pk), "scheme": mapping.LOCAL_ID_SCHEME}]
    if project.code:
        identifiers.insert(0, {"id": project.code, "scheme": mapping.PROJECT_CODE_SCHEME})
    sector = mapping.sector_of(industry_code=project.industry_code, category=project.category)
    started = _on_or_before(project.started_date, as_of)
    completed = _on_or_before(project.completed_date, as_of) if started else None
    return _drop_empty(
        {
            "id": mapping.project_id(prefix=info.prefix, code=project.code, pk=project.pk),
            "updated": mapping.moment(project.updated_at),
            "language": "zh",
            "identifiers": identifiers,
            "title": project.name,
            "description": project.content.strip(),
            "status": mapping.status_of(stage=reached, is_cancelled=project.is_cancelled),
            "type": mapping.TYPE_OF_NATURE.get(project.nature),
            "sector": [sector] if sector else None,
            "additionalClassifications": _classifications(project),
            "publicAuthority": {"id": f"unit-{project.unit_id}", "name": project.unit.name},
            "parties": _parties(project),
            "locations": [_location(project)],
            "budget": _budget(project),
            "period": _drop_empty(
                {
                    "startDate": mapping.day_start(project.planned_started_date)
                    if project.planned_started_date
                    else None,
                    "endDate": mapping.day_end(project.planned_completed_date)
                    if project.planned_completed_date
                    else None,
                }
            ),
            "implementationPeriod": _drop_empty(
                {
                    "startDate": mapping.day_start(started) if started else None,
                    "endDate": mapping.day_end(completed) if completed else None,
                }
            ),
            "completion": {"endDate": mapping.day_end(completed)} if completed else None,
            "milestones": _milestones(project, reached=reached, as_of=as_of),
            "transactions": [
                {
                    "id": f"{month:%Y-%m}",
                    "date": mapping.month_transaction_date(month),
                    "value": mapping.value(amount),
                }
                for month, amount in months
            ],
        }
    )
