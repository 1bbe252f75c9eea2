"""The sheet 招商线索 through the importer (imports.registry): validate every row, then register or update every
lead in one transaction with its audit events, or write nothing and return the errors of every wrong row.

A row names its project by 项目代码, else by 项目名称 + 责任单位 (the ledger's rule). A project without a lead gets
one — it must be at 在谈, as on the page (services.create_lead); a project with a lead has the lead's 投资方,
意向投资额, 主导产业, 签约可能性 and 开始接洽日期 updated (services.update_lead's rules: not after today, not after
the lead's end).
Re-importing the same sheet changes nothing. Closing a lead (流失 / 签约) stays on the page.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from tadiao.attraction import lead_sheet, services
from tadiao.attraction.lead_sheet import LEAD_COLUMNS, LEAD_OPTIONAL_COLUMNS, LEAD_SHEET, ParsedLead
from tadiao.attraction.models import Lead, Likelihood
from tadiao.audit import services as audit
from tadiao.imports.locking import CREATED_MEANWHILE, MODIFIED_MEANWHILE, changed_since_read, row_errors
from tadiao.imports.queries import writable_unit_ids
from tadiao.imports.registry import CLI_ACTOR, AppSheet, SheetOutcome, SheetRow
from tadiao.lib.xlsx import XlsxSheet, fold
from tadiao.org.models import Unit, User
from tadiao.projects.models import Industry, Project, Stage

FIELDS = services.LEAD_FIELDS  # investor, intended_investment, industry, likelihood, start_date


@dataclass
class LeadImport:
    """What validate_leads found: the leads to create and to update (each with its Excel line, an update with its
    changes and the version read), or the errors of the wrong rows."""

    total: int
    created: list[tuple[Lead, int]] = field(default_factory=list)
    updated: list[tuple[Lead, int, dict[str, Any], int]] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)


def may_import(user: Any) -> bool:
    """Who may upload 招商线索: the office and a unit's reporter (its own unit's projects), as on the page."""
    return bool(user.is_authenticated and (user.is_coordinator or (user.is_reporter and user.unit_id)))


def import_leads(*, rows: Sequence[SheetRow], by: User | None, today: datetime.date) -> SheetOutcome:
    """Validate every row of 招商线索, then create or update all leads in one transaction (audited as on the page:
    attraction.lead.imported / attraction.lead.updated), or write nothing and return every wrong row's errors.
    `by=None`: the operator at the command line. Queries: units, industries, the importer's scope, the rows'
    projects with their leads, then the bulk writes and the audit events in batches."""
    plan = validate_leads(rows=rows, by=by, today=today)
    if plan.errors:
        return SheetOutcome(total=plan.total, errors=plan.errors)
    return write_leads(plan=plan, by=by)


def _projects(items: list[ParsedLead]) -> tuple[dict[str, Project], dict[tuple[str, int], Project]]:
    """The projects the rows may name, with their lead, in one query: by code and by (name, unit)."""
    codes = {item.code for item in items if item.code}
    names = {item.name for item in items if item.name}
    if not codes and not names:
        return {}, {}
    projects = Project.objects.select_related("unit", "lead").filter(Q(code__in=codes) | Q(name__in=names))
    found = list(projects)
    return {p.code: p for p in found if p.code}, {(p.name, p.unit_id): p for p in found}


def _match(item: ParsedLead, by_code: dict[str, Project], by_name: dict[tuple[str, int], Project],
           writable: set[int] | None) -> Project | None:
    """The project a row names, or None with the row's error."""
    project = by_code.get(item.code) if item.code else None
    if item.code and project is None:
        item.errors.append(f"找不到项目代码为 {item.code} 的项目。")
        return None
    if project is not None and writable is not None and project.unit_id not in writable:
        item.errors.append(f"无权导入其他单位的项目（项目代码 {item.code}）。")
        return None
    named = by_name.get((item.name, item.unit.pk)) if item.name and item.unit is not None else None
    if project is not None and item.name and item.unit is not None and (named is None or named.pk != project.pk):
        item.errors.append(
            f"项目代码 {item.code} 属于项目“{project.name}”（{project.unit}），与本行的项目名称或责任单位不符。"
        )
        return None
    if project is None and named is None:
        item.errors.append(f"找不到项目“{item.name}”（{item.unit}）。请先在项目台账中登记该项目（阶段为“在谈”）。")
    return project or named


def validate_leads(*, rows: Sequence[SheetRow], by: User | None, today: datetime.date) -> LeadImport:
    """The read phase of import_leads: every row checked and matched, nothing written."""
    if by is not None and not may_import(by):
        raise services.AttractionError(f"{by} 无权导入招商线索。")
    units = {fold(u.name): u for u in Unit.objects.all()}
    industries = {fold(i.name): i for i in Industry.objects.order_by("display_order", "id")}
    writable = writable_unit_ids(by)
    plan = LeadImport(total=len(rows))
    parsed = [
        (row, lead_sheet.parse_lead_row(row.values, units=units, writable=writable, industries=industries, today=today))
        for row in rows
    ]
    by_code, by_name = _projects([item for _, item in parsed if not item.errors])
    first_line: dict[int, int] = {}
    matched: list[tuple[SheetRow, ParsedLead, Project]] = []
    for row, item in parsed:
        project = None if item.errors else _match(item, by_code, by_name, writable)
        if project is not None:
            if project.pk in first_line:
                item.errors.append(f"与第 {first_line[project.pk]} 行是同一个项目。")
            else:
                first_line[project.pk] = row.line
                _check(item, project)
        if item.errors:
            plan.errors[row.line] = item.errors
        elif project is not None:
            matched.append((row, item, project))
    if plan.errors:
        return plan
    for row, item, project in matched:
        lead = getattr(project, "lead", None)
        if lead is None:
            plan.created.append((Lead(project=project, **item.values, created_by=by), row.line))
            continue
        before = audit.snapshot(lead, FIELDS)
        read_version = lead.version
        for name in FIELDS:
            setattr(lead, name, item.values[name])
        changes = audit.diff(before, audit.snapshot(lead, FIELDS))
        if changes:
            lead.version = read_version + 1
            plan.updated.append((lead, row.line, changes, read_version))
    return plan


def _check(item: ParsedLead, project: Project) -> None:
    """The page's rules for a new lead (the project at 在谈) and for an update (not after the lead's end)."""
    lead = getattr(project, "lead", None)
    start = item.values["start_date"]
    if lead is None and project.stage != Stage.NEGOTIATING:
        item.errors.append(f"只有处于“在谈”阶段的项目才能登记招商线索（“{project.name}”当前为“{project.get_stage_display()}”）。")
    if lead is not None and lead.closed_date and start > lead.closed_date:
        item.errors.append(f"开始接洽日期不能晚于线索的结束日期（{lead.closed_date:%Y-%m-%d}）。")


def write_leads(*, plan: LeadImport, by: User | None) -> SheetOutcome:
    """The write phase, in one transaction. No lost update: the leads to update are locked and must still have the
    version read; no project to get a lead may have got one meanwhile; otherwise nothing is written."""
    with transaction.atomic():
        changed = changed_since_read(Lead, {lead.pk: version for lead, _, _, version in plan.updated})
        errors = row_errors((line for lead, line, _, _ in plan.updated if lead.pk in changed),
                            MODIFIED_MEANWHILE.format(noun="招商线索"))
        taken = set(Lead.objects.filter(project_id__in=[lead.project_id for lead, _ in plan.created])
                    .values_list("project_id", flat=True))
        errors |= row_errors((line for lead, line in plan.created if lead.project_id in taken),
                             CREATED_MEANWHILE.format(noun="招商线索"))
        if errors:
            return SheetOutcome(total=plan.total, errors=errors)
        created = [lead for lead, _ in plan.created]
        Lead.objects.bulk_create(created, batch_size=services.BATCH)
        if plan.updated:
            Lead.objects.bulk_update([lead for lead, _, _, _ in plan.updated], [*FIELDS, "version"],
                                     batch_size=services.BATCH)
        audit.record_many(
            actor=by,
            actor_name="" if by else CLI_ACTOR,
            events=[
                *(("attraction.lead.imported", lead, audit.created(audit.snapshot(lead, FIELDS))) for lead in created),
                *(("attraction.lead.updated", lead, changes) for lead, _, changes, _ in plan.updated),
            ],
        )
    return SheetOutcome(total=plan.total, created=len(created), updated=len(plan.updated),
                        unchanged=plan.total - len(created) - len(plan.updated))


def _template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    headers = [names[0] for names in {**LEAD_OPTIONAL_COLUMNS, **LEAD_COLUMNS}.values()]
    example = ["", f"{lead_sheet.EXAMPLE_MARK}新能源装备项目", example_unit, "某某智能装备有限公司",
               datetime.date(2026, 3, 10), 50000, "新能源", Likelihood.HIGH.label]
    sheet = XlsxSheet(name=LEAD_SHEET, headers=headers, rows=[example], widths=[26, 28, 16, 28, 14, 16, 14, 10])
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行一条招商线索。示例行请改写或删除。"),
        ("全部或全不", "全部行通过校验才会导入；只要有一行有错误，就不导入任何数据，并给出带“错误原因”列的错误报告。"),
        ("项目", "填项目代码，或同时填项目名称和责任单位（与项目台账一致）。项目须已在项目台账中登记；"
                 "还没有招商线索的项目须处于“在谈”阶段。填报员只能导入本单位项目的线索。"),
        ("匹配", "项目已有招商线索时更新投资方、意向投资额、主导产业、签约可能性和开始接洽日期，否则新增；"
                 "重复导入同一文件不会产生任何变化。线索的流失、签约请在页面上操作。"),
        ("投资方", "必填，最多 200 字。"),
        ("开始接洽日期", "必填，不能晚于今天；可填 2026-03-10、2026/3/10、2026年3月10日 或 Excel 日期。"),
        ("意向投资额（万元）", "选填，单位万元，最多两位小数。"),
        ("主导产业", "选填，须与“主导产业”设置中的名称一致。"),
        ("签约可能性", "选填，可填：" + "、".join(Likelihood.labels) + "；不填为“中”。"),
    ]
    return sheet, notes


LEAD_IMPORT = AppSheet(
    sheet=LEAD_SHEET,
    columns=LEAD_COLUMNS,
    optional=LEAD_OPTIONAL_COLUMNS,
    run=import_leads,
    template=_template,
    may_import=may_import,
    noun="招商线索",
    measure="条",
    refusals=(services.AttractionError,),
    needs_today=True,
)
