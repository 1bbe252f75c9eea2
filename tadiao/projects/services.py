"""Writes of the project registry: create/edit, the lifecycle, approvals, annual plans, funding.

Every write is one transaction with its audit event; edits are conditional on the version the user saw.
"""

import datetime
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.lib.versioning import save_if_unchanged
from tadiao.notifications import webhooks
from tadiao.org.models import User
from tadiao.projects.lifecycle import (
    crosses_start,
    date_order_errors,
    gaps_text,
    project_dates,
    stages_passed_without_date,
)
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    AnnualPlan,
    ApprovalKind,
    Project,
    ProjectApproval,
    ProjectFunding,
    Stage,
    StageTransition,
    Tag,
    stage_rank,
)


class ProjectError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LifecycleError(ProjectError):
    pass


class ConcurrentEditError(ProjectError):
    def __init__(self) -> None:
        super().__init__("该项目已被他人修改，您看到的不是最新内容。请刷新页面后重新操作。")


# Fields a person edits on the project form; the stage and its actual dates move only through the lifecycle.
EDITABLE_FIELDS = [
    "code",
    "name",
    "investor",
    "unit",
    "supervising_department",
    "leader",
    "level",
    "category",
    "industry",
    "industry_code",
    "nature",
    "total_investment",
    "funding_source",
    "investor_origin",
    "land_area",
    "latitude",
    "longitude",
    "content",
    "in_statistics",
    "statistics_month",
    *[f"planned_{field}" for field in STAGE_DATE_FIELD.values()],
]


def approvals_missing_before_start(project: Project | None) -> list[tuple[str, str]]:
    """(name, status) of each active approval required before 开工 that the project has not 已办结 or 容缺受理
    (未办 when never recorded; a new project has none recorded)."""
    done = (ProjectApproval.Status.DONE, ProjectApproval.Status.ACCEPTED_WITH_GAPS)
    statuses = {}
    if project is not None and project.pk:
        statuses = dict(ProjectApproval.objects.filter(project=project).values_list("kind_id", "status"))
    return [
        (kind.name, ProjectApproval.Status(statuses.get(kind.pk, ProjectApproval.Status.NOT_STARTED)).label)
        for kind in ApprovalKind.objects.filter(is_active=True, required_before_start=True)
        if statuses.get(kind.pk) not in done
    ]


def _check_skips(
    *, project: Project | None, from_stage: str, to_stage: str, dates: dict, by: User, reason: str, creating: bool
) -> tuple[str, str]:
    """Refuse a move that passes a stage without its date or starts before the required approvals are done —
    unless the office (调度员) gives a reason. Returns (what was skipped, the reason), both "" for a normal move."""
    stages = stages_passed_without_date(
        from_stage=from_stage, to_stage=to_stage, dates=dates, including_target=creating
    )
    approvals = approvals_missing_before_start(project) if crosses_start(from_stage, to_stage) else []
    if not stages and not approvals:
        return "", ""
    gaps = gaps_text(stages, approvals)
    target = Stage(to_stage).label
    if not by.is_coordinator:
        if creating:
            raise LifecycleError(
                f"不能新建处于{target}阶段的项目：{gaps}。请按已办结的阶段新建、登记前期手续后逐级推进；"
                "确需直接录入的，请重点项目办（调度员）填写原因后新建。"
            )
        raise LifecycleError(
            f"不能从{Stage(from_stage).label}直接推进到{target}：{gaps}。请先逐级推进并填写各阶段实际日期、"
            "办结（或容缺受理）前期手续；确需跳过的，请重点项目办（调度员）填写原因后推进。"
        )
    reason = (reason or "").strip()
    if not reason:
        action = f"新建处于{target}阶段的项目" if creating else f"推进到{target}"
        raise LifecycleError(f"{action}须填写原因：{gaps}。")
    return gaps, reason


def _save_versioned(project: Project, fields: list[str], *, expected_version: int) -> None:
    """UPDATE only if nobody saved since the user loaded the page (no lost update)."""
    if not save_if_unchanged(project, fields, expected_version=expected_version):
        raise ConcurrentEditError()


@transaction.atomic
def create_project(
    *,
    data: dict[str, Any],
    tags: list[Tag],
    stage: str,
    actual_dates: dict[str, datetime.date | None],
    by: User,
    reason: str = "",
) -> Project:
    """A new project at `stage`, with the actual dates of the stages it has already passed.

    Entered beyond a stage without its date, or at 开工 and later (a new project has no approvals recorded), it is
    refused to a reporter and allowed to the office with a reason, as when a project is advanced."""
    errors = date_order_errors(actual_dates)
    if errors:
        raise LifecycleError(" ".join(errors))
    beyond = [s for s, day in actual_dates.items() if day and stage_rank(s) > stage_rank(stage)]
    if beyond:
        raise LifecycleError(f"当前阶段为{Stage(stage).label}，不能填写{Stage(beyond[0]).label}的实际日期。")
    skipped, reason = _check_skips(
        project=None, from_stage=Stage.RESERVE, to_stage=stage, dates=actual_dates, by=by, reason=reason, creating=True
    )
    project = Project(**data, stage=stage)
    for s, day in actual_dates.items():
        setattr(project, STAGE_DATE_FIELD[s], day)
    project.save()
    project.tags.set(tags)
    StageTransition.objects.create(
        project=project,
        kind=StageTransition.Kind.ADVANCE,
        from_stage=Stage.RESERVE,
        to_stage=stage,
        actual_date=actual_dates.get(stage),
        reason=f"新建项目（{reason}）"[:200] if reason else "新建项目",
        by=by,
        at=timezone.now(),
    )
    fields = [*EDITABLE_FIELDS, "stage", *STAGE_DATE_FIELD.values(), "tags"]
    changes = audit.created(audit.snapshot(project, fields))
    if skipped:
        changes["skipped"] = [None, skipped]
    audit.record(actor=by, action="projects.project.created", obj=project, message=reason, changes=changes)
    return project


def _same_values(stored: Project, edited: Project, fields: list[str]) -> bool:
    """Whether `edited` holds the stored value of every field (foreign keys compared by id)."""
    # cast: `fields` are the model's own columns, never a reverse relation (which has no attname).
    attnames = [cast(Field[Any, Any], type(stored)._meta.get_field(name)).attname for name in fields]
    return all(getattr(stored, name) == getattr(edited, name) for name in attnames)


@transaction.atomic
def update_project(
    *, project: Project, data: dict[str, Any], tags: list[Tag], expected_version: int, by: User
) -> Project:
    fields = list(data)
    # From the database: a ModelForm has already copied the new values onto `project`.
    stored = Project.objects.get(pk=project.pk)
    before = audit.snapshot(stored, [*fields, "tags"])
    for name, value in data.items():
        setattr(project, name, value)
    same_tags = {t.pk for t in tags} == {t.pk for t in stored.tags.all()}
    if stored.version == expected_version and same_tags and _same_values(stored, project, fields):
        # Saved as shown: no write, no new version, no audit event.
        project.version, project.updated_at = stored.version, stored.updated_at
        return project
    _save_versioned(project, fields, expected_version=expected_version)
    project.tags.set(tags)
    changes = audit.diff(before, audit.snapshot(project, [*fields, "tags"]))
    if changes:
        audit.record(actor=by, action="projects.project.updated", obj=project, changes=changes)
    return project


def _record_transition(
    project: Project, *, kind: str, from_stage: str, actual_date: datetime.date | None, reason: str, by: User
) -> None:
    StageTransition.objects.create(
        project=project,
        kind=kind,
        from_stage=from_stage,
        to_stage=project.stage,
        actual_date=actual_date,
        reason=reason,
        by=by,
        at=timezone.now(),
    )


def _require_coordinator(by: User, action: str) -> None:
    if not by.is_coordinator:
        raise LifecycleError(f"{action}需由调度员（重点项目办）操作。")


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError(f"{action}必须填写原因。")
    return reason


@transaction.atomic
def advance_stage(
    *,
    project: Project,
    stage: str,
    actual_date: datetime.date,
    by: User,
    today: datetime.date,
    expected_version: int | None = None,
    reason: str = "",
    source: str = "",
) -> Project:
    """Move the project forward to `stage`, entered on `actual_date`; dates must stay in stage order.

    `source` names where a move came from when it is not a manual advance ("2026年11月月报审核通过"): kept on the
    transition (as its reason when the move needs none) and in the audit event.

    Passing a stage without its actual date (签约 → 开工 with no 立项 date), or reaching 开工 before the approvals
    required before start are 已办结/容缺受理, is refused to a reporter; the office (调度员) may do it with a reason,
    kept on the transition and in the audit event. The skipped stage keeps no date, so the warnings still count it
    as not reached."""
    if stage not in Stage.values:
        raise LifecycleError("未知的项目阶段。")
    if project.is_cancelled:
        raise LifecycleError("项目已终止，不能推进阶段。如需恢复建设，请调度员先恢复项目。")
    if stage_rank(stage) <= stage_rank(project.stage):
        raise LifecycleError(
            f"项目当前处于{project.get_stage_display()}阶段，只能向后推进；回退阶段需由调度员填写原因后操作。"
        )
    if actual_date is None:
        raise LifecycleError(f"请填写{Stage(stage).label}的实际日期。")
    if actual_date > today:
        raise LifecycleError(f"{Stage(stage).label}日期（{actual_date:%Y-%m-%d}）不能晚于今天。")
    dates = project_dates(project)
    dates[stage] = actual_date
    errors = date_order_errors(dates)
    if errors:
        raise LifecycleError(" ".join(errors))
    skipped, reason = _check_skips(
        project=project, from_stage=project.stage, to_stage=stage, dates=dates, by=by, reason=reason, creating=False
    )
    old_stage, date_field = project.stage, STAGE_DATE_FIELD[stage]
    old_date = getattr(project, date_field)
    project.stage = stage
    setattr(project, date_field, actual_date)
    _save_versioned(project, ["stage", date_field], expected_version=expected_version or project.version)
    note = reason or source
    _record_transition(
        project,
        kind=StageTransition.Kind.ADVANCE,
        from_stage=old_stage,
        actual_date=actual_date,
        reason=note[:200],
        by=by,
    )
    changes = audit.diff({"stage": old_stage, date_field: old_date}, {"stage": stage, date_field: actual_date})
    if skipped:
        changes["skipped"] = [None, skipped]
    if source:
        changes["source"] = [None, source]
    audit.record(actor=by, action="projects.project.stage_advanced", obj=project, message=note, changes=changes)
    webhooks.emit(event="stage.advanced", data={
        "project_id": project.pk, "project_code": project.code, "project_name": project.name,
        "unit_id": project.unit_id, "from_stage": old_stage, "to_stage": stage, "actual_date": actual_date,
        "skipped": bool(skipped), "source": source,
    })
    return project


@transaction.atomic
def roll_back_stage(
    *, project: Project, stage: str, reason: str, by: User, expected_version: int | None = None
) -> Project:
    """A coordinator moves the project back to an earlier stage; later stages' actual dates are cleared."""
    _require_coordinator(by, "回退阶段")
    reason = _require_reason(reason, "回退阶段")
    if stage not in Stage.values or stage_rank(stage) >= stage_rank(project.stage):
        raise LifecycleError("只能回退到当前阶段之前的阶段。")
    old_stage = project.stage
    cleared = [STAGE_DATE_FIELD[s] for s in STAGE_ORDER if stage_rank(s) > stage_rank(stage)]
    before = {"stage": old_stage, **{f: getattr(project, f) for f in cleared}}
    project.stage = stage
    for field_name in cleared:
        setattr(project, field_name, None)
    _save_versioned(project, ["stage", *cleared], expected_version=expected_version or project.version)
    _record_transition(
        project, kind=StageTransition.Kind.ROLLBACK, from_stage=old_stage, actual_date=None, reason=reason, by=by
    )
    audit.record(
        actor=by,
        action="projects.project.stage_rolled_back",
        obj=project,
        message=reason,
        changes=audit.diff(before, {"stage": stage, **{f: None for f in cleared}}),
    )
    return project


FLAG_ACTIONS = {
    # action: (flag field, reason field, new value, transition kind, Chinese name, audit code)
    "suspend": ("is_suspended", "suspended_reason", True, StageTransition.Kind.SUSPEND, "停工", "suspended"),
    "resume": ("is_suspended", "suspended_reason", False, StageTransition.Kind.RESUME, "复工", "resumed"),
    "cancel": ("is_cancelled", "cancelled_reason", True, StageTransition.Kind.CANCEL, "终止项目", "cancelled"),
    "restore": ("is_cancelled", "cancelled_reason", False, StageTransition.Kind.RESTORE, "恢复建设", "restored"),
}


@transaction.atomic
def change_flag(
    *, project: Project, action: str, reason: str, by: User, expected_version: int | None = None
) -> Project:
    """Suspend/resume or cancel/restore a project: a coordinator's decision, always with a reason."""
    if action not in FLAG_ACTIONS:
        raise LifecycleError("未知的操作。")
    flag, reason_field, value, kind, label, code = FLAG_ACTIONS[action]
    _require_coordinator(by, label)
    reason = _require_reason(reason, label)
    if getattr(project, flag) == value:
        raise LifecycleError(f"项目当前状态为{project.status_label}，无需{label}。")
    before = {flag: getattr(project, flag), reason_field: getattr(project, reason_field)}
    setattr(project, flag, value)
    # The reason stays with the flag while it is set; lifting the flag keeps the history in the transitions.
    setattr(project, reason_field, reason if value else "")
    _save_versioned(project, [flag, reason_field], expected_version=expected_version or project.version)
    _record_transition(project, kind=kind, from_stage=project.stage, actual_date=None, reason=reason, by=by)
    audit.record(
        actor=by,
        action=f"projects.project.{code}",
        obj=project,
        message=reason,
        changes=audit.diff(before, {flag: value, reason_field: getattr(project, reason_field)}),
    )
    return project


def upsert[M: Model](model: type[M], *, lookup: dict[str, Any], values: dict[str, Any], action: str, by: User) -> M:
    """Create or update the row identified by `lookup` with `values`, auditing what changed (old → new)."""
    row, created = model._default_manager.get_or_create(**lookup, defaults=values)
    before = {} if created else audit.snapshot(row, list(values))
    if not created:
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
    changes = audit.diff(before, values)
    if changes:
        audit.record(actor=by, action=action, obj=row, changes=changes)
    return row


@transaction.atomic
def save_approval(
    *,
    project: Project,
    kind: ApprovalKind,
    status: str,
    department: str,
    planned_date: datetime.date | None,
    applied_date: datetime.date | None,
    completed_date: datetime.date | None,
    note: str,
    by: User,
) -> ProjectApproval:
    if applied_date and completed_date and completed_date < applied_date:
        raise ProjectError("办结日期不能早于申报日期。")
    if status == ProjectApproval.Status.DONE and not completed_date:
        raise ProjectError("状态为已办结时请填写办结日期。")
    values = {
        "status": status,
        "department": department,
        "planned_date": planned_date,
        "applied_date": applied_date,
        "completed_date": completed_date,
        "note": note,
    }
    return upsert(
        ProjectApproval,
        lookup={"project": project, "kind": kind},
        values=values,
        action="projects.approval.saved",
        by=by,
    )


@transaction.atomic
def set_required_before_start(*, required: list[ApprovalKind], by: User) -> list[ApprovalKind]:
    """Which approvals a project must have 已办结 or 容缺受理 before it is moved to 开工 (the office's setting):
    one audit event listing the items before and after, none when nothing changed."""
    if not by.is_coordinator:
        raise ProjectError("开工前须办结的前期手续由调度员（重点项目办）设置。")
    kinds = list(ApprovalKind.objects.select_for_update().order_by("display_order", "id"))
    wanted = {kind.pk for kind in required}
    before = [kind.name for kind in kinds if kind.required_before_start]
    after = [kind.name for kind in kinds if kind.pk in wanted]
    if before == after:
        return kinds
    ApprovalKind.objects.filter(pk__in=wanted).update(required_before_start=True)
    ApprovalKind.objects.exclude(pk__in=wanted).update(required_before_start=False)
    audit.record(
        actor=by,
        action="projects.approval_kinds.required_before_start_set",
        changes={"required_before_start": [before, after]},
    )
    return list(ApprovalKind.objects.order_by("display_order", "id"))


@transaction.atomic
def save_annual_plan(
    *,
    project: Project,
    year: int,
    planned_investment: Decimal,
    planned_start_date: datetime.date | None = None,
    planned_completion_date: datetime.date | None = None,
    goal: str = "",
    by: User,
) -> AnnualPlan:
    if planned_investment is None or planned_investment < 0:
        raise ProjectError("年度计划投资不能为负数。")
    values = {
        "planned_investment": planned_investment,
        "planned_start_date": planned_start_date,
        "planned_completion_date": planned_completion_date,
        "goal": goal,
    }
    return upsert(
        AnnualPlan, lookup={"project": project, "year": year}, values=values, action="projects.annual_plan.saved", by=by
    )


@transaction.atomic
def save_funding(
    *, project: Project, source: str, planned: Decimal, in_place: Decimal, spent: Decimal, by: User
) -> ProjectFunding:
    if min(planned, in_place, spent) < 0:
        raise ProjectError("资金金额不能为负数。")
    return upsert(
        ProjectFunding,
        lookup={"project": project, "source": source},
        values={"planned": planned, "in_place": in_place, "spent": spent},
        action="projects.funding.saved",
        by=by,
    )


# ---------------------------------------------------------------------------------------------------
# "三个一批" batches: the office (调度员) numbers the periods and enters projects into them.
