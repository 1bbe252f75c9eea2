"""The sheet 审批事项 through the importer (imports.registry): validate every row, then create or update each
row's approvals-checklist item (ProjectApproval) in one transaction with the page's audit event
(projects.approval.saved, every changed field old → new), or write nothing and return every wrong row's errors.

A row finds its project by 项目代码 alone (the platform's key) and its item by name (approval_sheet). The item's
状态, 办理部门, 申报日期 (受理日期) and 办结日期 are set from the row; a 批复文号 replaces the item's 备注 with
"批复文号：…" (a blank one leaves the 备注 alone); 计划办结日期 stays as it is. Re-importing the same sheet changes
nothing and records no event.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.imports import approval_sheet
from tadiao.imports.approval_sheet import (
    APPROVAL_COLUMNS,
    APPROVAL_OPTIONAL_COLUMNS,
    APPROVAL_SHEET,
    NUMBER_PREFIX,
    ParsedApproval,
)
from tadiao.imports.locking import CREATED_MEANWHILE, MODIFIED_MEANWHILE, row_errors
from tadiao.imports.queries import writable_unit_ids
from tadiao.imports.registry import CLI_ACTOR, AppSheet, SheetOutcome, SheetRow
from tadiao.imports.services.base import BATCH, _chunks
from tadiao.lib.xlsx import XlsxSheet
from tadiao.org.models import User
from tadiao.projects.models import ApprovalKind, Project, ProjectApproval

FIELDS = ["status", "department", "applied_date", "completed_date", "note"]
ACTION = "projects.approval.saved"  # the page's code: the trail reads the same whichever way the item changed


class ApprovalImportRefused(Exception):
    """The whole import is refused (the importer may not import 审批事项)."""


@dataclass
class ApprovalImport:
    """What validate_approvals found: the items to create and to update (each with its Excel line, its changes,
    an update with its fields as read), or the errors of the wrong rows."""

    total: int
    created: list[tuple[ProjectApproval, int, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[ProjectApproval, int, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)


def may_import(user: Any) -> bool:
    """Who may upload 审批事项: as the ledger — the office (its region) and a unit's reporter (its own unit)."""
    return bool(user.is_authenticated and (user.is_coordinator or (user.is_reporter and user.unit_id)))


def import_approvals(*, rows: Sequence[SheetRow], by: User | None, today: datetime.date) -> SheetOutcome:
    """Validate every row of 审批事项, then write every changed item in one transaction, or nothing.
    `by=None`: the operator at the command line. Queries: the items, the importer's scope, the rows' projects,
    their approvals (in chunks), then the lock, the bulk writes and the audit events in batches."""
    plan = validate_approvals(rows=rows, by=by, today=today)
    if plan.errors:
        return SheetOutcome(total=plan.total, errors=plan.errors)
    return write_approvals(plan=plan, by=by)


def validate_approvals(*, rows: Sequence[SheetRow], by: User | None, today: datetime.date) -> ApprovalImport:
    """The read phase of import_approvals: every row checked and matched, nothing written."""
    if by is not None and not may_import(by):
        raise ApprovalImportRefused(f"{by} 无权导入审批事项。")
    active = list(ApprovalKind.objects.filter(is_active=True).order_by("display_order", "id"))
    kinds = approval_sheet.kinds_by_name(active)
    known = [kind.name for kind in active]
    writable = writable_unit_ids(by)
    plan = ApprovalImport(total=len(rows))
    parsed = [(row, approval_sheet.parse_approval_row(row.values, kinds=kinds, known=known, today=today))
              for row in rows]
    codes = {item.code for _, item in parsed if item.code}
    projects: dict[str, Project] = {}
    for chunk in _chunks(codes):
        projects.update({p.code: p for p in Project.objects.filter(code__in=chunk).order_by()})
    first_line: dict[tuple[int, int], int] = {}
    matched: list[tuple[SheetRow, ParsedApproval, Project]] = []
    for row, item in parsed:
        project = projects.get(item.code) if item.code else None
        if item.code and project is None:
            item.errors.insert(0, f"找不到项目代码为 {item.code} 的项目。")
        elif project is not None and writable is not None and project.unit_id not in writable:
            item.errors.insert(0, f"无权导入其他单位的项目（项目代码 {item.code}）。")
            project = None
        if project is not None and item.kind is not None:
            key = (project.pk, item.kind.pk)
            if key in first_line:
                item.errors.append(f"与第 {first_line[key]} 行是同一项目的同一审批事项，请合并为一行。")
            else:
                first_line[key] = row.line
        if item.errors:
            plan.errors[row.line] = item.errors
        elif project is not None:
            matched.append((row, item, project))
    if plan.errors:
        return plan
    existing = _load_approvals({project.pk for _, _, project in matched})
    for row, item, project in matched:
        assert item.kind is not None
        values = dict(item.values)
        approval = existing.get((project.pk, item.kind.pk))
        if approval is None:
            values["note"] = NUMBER_PREFIX + item.number if item.number else ""
            approval = ProjectApproval(project=project, kind=item.kind, **values)
            plan.created.append((approval, row.line, audit.created(values)))
            continue
        values["note"] = NUMBER_PREFIX + item.number if item.number else approval.note
        before = audit.snapshot(approval, FIELDS)
        changes = audit.diff(before, values)
        if changes:
            for name, value in values.items():
                setattr(approval, name, value)
            plan.updated.append((approval, row.line, changes, before))
    return plan


def _load_approvals(project_ids: set[int]) -> dict[tuple[int, int], ProjectApproval]:
    """The rows' projects' checklist items by (project id, kind id), their project and kind attached."""
    found: dict[tuple[int, int], ProjectApproval] = {}
    for chunk in _chunks(project_ids):
        for approval in ProjectApproval.objects.filter(project_id__in=chunk).select_related("project", "kind"):
            found[(approval.project_id, approval.kind_id)] = approval
    return found


def write_approvals(*, plan: ApprovalImport, by: User | None) -> SheetOutcome:
    """The write phase, in one transaction. No lost update (ProjectApproval has no version: the fields read stand
    in for it): the items to update are locked (SELECT … FOR UPDATE) and must still hold what was read; no item
    to create may have been saved meanwhile; otherwise nothing is written."""
    with transaction.atomic():
        read = {approval.pk: (line, before) for approval, line, _, before in plan.updated}
        changed: list[int] = []
        for chunk in _chunks(read):
            current = {row["pk"]: row for row in ProjectApproval.objects.select_for_update().filter(pk__in=chunk)
                       .order_by().values("pk", *FIELDS)}
            changed += [read[pk][0] for pk in chunk
                        if pk not in current or any(current[pk][name] != read[pk][1][name] for name in FIELDS)]
        errors = row_errors(changed, MODIFIED_MEANWHILE.format(noun="前期手续"))
        wanted = {(a.project_id, a.kind_id): line for a, line, _ in plan.created}
        taken: list[int] = []
        for chunk in _chunks({project for project, _ in wanted}):
            taken += [wanted[key] for key in ProjectApproval.objects.filter(project_id__in=chunk).order_by()
                      .values_list("project_id", "kind_id") if key in wanted]
        errors |= row_errors(taken, CREATED_MEANWHILE.format(noun="前期手续"))
        if errors:
            return SheetOutcome(total=plan.total, errors=errors)
        created = [approval for approval, _, _ in plan.created]
        ProjectApproval.objects.bulk_create(created, batch_size=BATCH)
        if plan.updated:
            ProjectApproval.objects.bulk_update([a for a, _, _, _ in plan.updated], FIELDS, batch_size=BATCH)
        audit.record_many(
            actor=by,
            actor_name="" if by else CLI_ACTOR,
            events=[*((ACTION, approval, changes) for approval, _, changes in plan.created),
                    *((ACTION, approval, changes) for approval, _, changes, _ in plan.updated)],
        )
    return SheetOutcome(total=plan.total, created=len(created), updated=len(plan.updated),
                        unchanged=plan.total - len(created) - len(plan.updated))


def _template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    headers = [names[0] for names in APPROVAL_COLUMNS.values()]
    example = ["2026-330182-04-01-000001", f"{approval_sheet.parsing.EXAMPLE_MARK}建设工程规划许可证",
               "县自然资源和规划局",
               "已办结", datetime.date(2026, 3, 2), datetime.date(2026, 3, 20), "建字第330182202600012号"]
    sheet = XlsxSheet(name=APPROVAL_SHEET, headers=headers, rows=[example], widths=[26, 28, 22, 10, 12, 12, 28])
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行为一个项目的一个审批事项，"
                 "格式同投资项目在线审批监管平台的导出。示例行请改写或删除。"),
        ("全部或全不", "全部行通过校验才会导入；只要有一行有错误，就不导入任何数据，"
                       "并给出带“错误原因”列的错误报告。"),
        ("项目代码", "必填，按项目代码匹配已登记的项目。填报员只能导入本单位的项目，调度员可导入本区划内的项目。"),
        ("事项名称", "必填，须为“前期手续事项”中启用的名称，或平台的常用名称"
                     "（如“建设工程规划许可证”即“工程规划许可”）。同一项目的同一事项在表中只能出现一次。"),
        ("办理状态", "必填，可填：" + "、".join(approval_sheet.STATUS_WORDS) + "（“已受理”记为办理中）；"
                     "“不予许可”等状态请在项目页面处理。"),
        ("受理日期、办结日期", "选填，不能晚于今天，办结日期不能早于受理日期；已办结的须填办结日期。"),
        ("批复文号", "选填，记入该事项的备注（“批复文号：…”）；不填则保留原有备注。"),
        ("重复导入", "内容没有变化的行不写入、不记日志；重复导入同一文件不会产生任何变化。"),
    ]
    return sheet, notes


APPROVAL_IMPORT = AppSheet(
    sheet=APPROVAL_SHEET,
    columns=APPROVAL_COLUMNS,
    optional=APPROVAL_OPTIONAL_COLUMNS,
    run=import_approvals,
    template=_template,
    may_import=may_import,
    noun="审批事项",
    measure="项",
    refusals=(ApprovalImportRefused,),
    needs_today=True,
)
