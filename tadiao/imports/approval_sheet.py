"""The import sheet 审批事项 (the online approval platform's export): its columns and a pure parser of one row.

A row names its project by 项目代码 and one item of the approvals checklist (前期手续) by its 事项名称 — the
name of an ApprovalKind, or one of the platform's usual names in APPROVAL_ALIASES. 办理状态 is the platform's
word for the item's state (STATUS_WORDS); 批复文号 goes to the item's 备注 as "批复文号：…".
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tadiao.imports import parsing
from tadiao.lib.xlsx import fold
from tadiao.projects.models import ApprovalKind, ProjectApproval

APPROVAL_SHEET = "审批事项"
# key → (header, *accepted variants); compared folded. The first column marks the header row.
APPROVAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("项目代码",),
    "item": ("事项名称", "审批事项", "审批事项名称"),
    "department": ("审批部门", "办理部门"),
    "status": ("办理状态", "状态"),
    "applied_date": ("受理日期", "申报日期"),
    "completed_date": ("办结日期",),
    "number": ("批复文号", "文号"),
}
APPROVAL_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {}
NUMBER_PREFIX = "批复文号："

Status = ProjectApproval.Status
# The platform's words for an item's state → ours. The first five are listed in error messages.
STATUS_WORDS: dict[str, str] = {
    "未办": Status.NOT_STARTED,
    "已受理": Status.IN_PROGRESS,
    "办理中": Status.IN_PROGRESS,
    "已办结": Status.DONE,
    "容缺受理": Status.ACCEPTED_WITH_GAPS,
}
STATUS_SYNONYMS: dict[str, str] = {
    "未申报": Status.NOT_STARTED, "未受理": Status.NOT_STARTED, "待受理": Status.NOT_STARTED,
    "受理": Status.IN_PROGRESS, "在办": Status.IN_PROGRESS, "审查中": Status.IN_PROGRESS,
    "已申报": Status.IN_PROGRESS, "补正中": Status.IN_PROGRESS,
    "办结": Status.DONE, "已批复": Status.DONE, "准予许可": Status.DONE, "已完成": Status.DONE,
    "容缺办理": Status.ACCEPTED_WITH_GAPS, "容缺后补": Status.ACCEPTED_WITH_GAPS,
}
# States the checklist has no place for: the row is refused with this reason (not silently mapped).
REFUSED_STATUSES = ("不予许可", "不予受理", "退回", "撤回")
parse_status = parsing.choice_parser(choices=STATUS_WORDS, synonyms=STATUS_SYNONYMS)

# The platform's usual names → the names of the default checklist (projects migration 0002); an alias counts only
# when its target is an active item.
APPROVAL_ALIASES: dict[str, str] = {
    "建设项目用地预审与选址意见书": "用地预审与选址",
    "用地预审": "用地预审与选址",
    "建设用地规划许可证": "用地规划许可",
    "建设用地规划许可": "用地规划许可",
    "不动产权证书": "土地出让/不动产权证",
    "国有建设用地使用权出让": "土地出让/不动产权证",
    "建设项目环境影响评价审批": "环评批复",
    "环境影响评价文件审批": "环评批复",
    "环评审批": "环评批复",
    "固定资产投资项目节能审查": "节能审查",
    "建设工程规划许可证": "工程规划许可",
    "建设工程规划许可": "工程规划许可",
    "施工图设计文件审查": "施工图审查",
    "建筑工程施工许可证": "施工许可",
    "建筑工程施工许可证核发": "施工许可",
    "建筑工程施工许可": "施工许可",
}

_DEPARTMENT_MAX = ProjectApproval._meta.get_field("department").max_length
_NOTE_MAX = ProjectApproval._meta.get_field("note").max_length
_LABELS = {key: names[0] for key, names in APPROVAL_COLUMNS.items()}


def kinds_by_name(kinds: list[ApprovalKind]) -> dict[str, ApprovalKind]:
    """The active items by folded name, the aliases of those items included."""
    by_name = {fold(kind.name): kind for kind in kinds}
    for alias, target in APPROVAL_ALIASES.items():
        kind = by_name.get(fold(target))
        if kind is not None:
            by_name.setdefault(fold(alias), kind)
    return by_name


@dataclass
class ParsedApproval:
    """One row's clean values: the project code, the item, and the approval's fields — or its errors."""

    code: str = ""
    kind: ApprovalKind | None = None
    values: dict[str, Any] = field(default_factory=dict)
    number: str = ""
    errors: list[str] = field(default_factory=list)


def _cell(values: Mapping[str, Any], key: str, parse: Any, errors: list[str]) -> Any:
    try:
        return parse(values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{_LABELS[key]}：{exc}")
        return None


def parse_approval_row(values: Mapping[str, Any], *, kinds: Mapping[str, ApprovalKind], known: list[str],
                       today: datetime.date) -> ParsedApproval:
    """Every cell of one row of 审批事项, with every error of the row in column order (no queries).

    `kinds`: kinds_by_name(); `known`: the active items' names, in the checklist's order, for the messages."""
    result = ParsedApproval()
    errors = result.errors
    result.code = _cell(values, "code", parsing.parse_project_code, errors) or ""
    if not result.code and not errors:
        errors.append("项目代码不能为空。")
    item = parsing.cell_text(values.get("item", ""))
    if item.startswith(parsing.EXAMPLE_MARK):
        return ParsedApproval(errors=[parsing.EXAMPLE_ROW_ERROR])
    if not item:
        errors.append("事项名称不能为空。")
    else:
        result.kind = kinds.get(fold(item))
        if result.kind is None:
            errors.append(f"未知的审批事项“{item}”，可选：{'、'.join(known)}。")
    department = parsing.cell_text(values.get("department", ""))
    if len(department) > _DEPARTMENT_MAX:
        errors.append(f"审批部门过长（{len(department)} 字），最多 {_DEPARTMENT_MAX} 字。")
    status_text = parsing.cell_text(values.get("status", ""))
    status = None
    if not status_text:
        errors.append("办理状态不能为空。")
    elif fold(status_text) in {fold(word) for word in REFUSED_STATUSES}:
        errors.append(f"办理状态“{status_text}”在前期手续中没有对应的状态，请在项目的前期手续页面处理；"
                      f"可填：{'、'.join(STATUS_WORDS)}。")
    else:
        status = _cell(values, "status", parse_status, errors)
    applied = _cell(values, "applied_date", parsing.parse_date, errors)
    completed = _cell(values, "completed_date", parsing.parse_date, errors)
    for key, day in (("applied_date", applied), ("completed_date", completed)):
        if day is not None and day > today:
            errors.append(f"{_LABELS[key]}（{day:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）。")
    if applied and completed and completed < applied:
        errors.append(f"办结日期（{completed:%Y-%m-%d}）不能早于受理日期（{applied:%Y-%m-%d}）。")
    if status == Status.DONE and not parsing.cell_text(values.get("completed_date", "")):
        errors.append("办理状态为已办结时须填写办结日期。")
    number = parsing.cell_text(values.get("number", ""))
    if len(NUMBER_PREFIX + number) > _NOTE_MAX:
        errors.append(f"批复文号过长（{len(number)} 字），最多 {_NOTE_MAX - len(NUMBER_PREFIX)} 字。")
    if not errors:
        result.values = {"status": status, "department": department, "applied_date": applied,
                         "completed_date": completed}
        result.number = number
    return result
