"""Writes of 周调度: the settings (rule and deadline), the hand-picked exceptions, and a weekly report's save,
submission and return. Every write is one transaction with its audit event; the settings row and a report are
saved only if they are still at the version the user saw.

A problem entered with a weekly report is raised through coordination's own service (audited, routed to its lead
unit, counted and escalated like every other problem) and linked to the report here.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.coordination import services as coordination
from tadiao.lib.versioning import save_if_unchanged, update_if_unchanged
from tadiao.notifications import services as notifications
from tadiao.org.models import User
from tadiao.projects.models import Level, Project, Tag
from tadiao.projects.queries import may_write_project
from tadiao.weekly.models import WEEKDAY_LABELS, ScopeEntry, WeeklyProblem, WeeklyReport, WeeklySettings
from tadiao.weekly.queries import weekly_settings
from tadiao.weekly.weeks import Week

REPORT_FIELDS = ["progress_text", "next_week_plan", "workers_on_site"]


class WeeklyError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WeeklyConflictError(WeeklyError):
    def __init__(self, what: str = "该周报"):
        super().__init__(f"{what}已被他人修改（您看到的不是最新内容），您的修改没有保存。请刷新页面，核对后重新操作。")


def _require_office(by: User, action: str) -> None:
    if not by.is_coordinator:
        raise WeeklyError(f"{action}需由调度员（重点项目办）操作。")


# ---------------------------------------------------------------------------------------------------
# Settings and exceptions


@transaction.atomic
def update_settings(
    *, levels: list[str], with_leader: bool, tags: list[Tag], deadline_weekday: int, by: User, expected_version: int
) -> WeeklySettings:
    """The rule (levels, 领导挂钩, tags) and the weekly deadline weekday."""
    _require_office(by, "修改周调度范围")
    unknown = [code for code in levels if code not in Level.values]
    if unknown:
        raise WeeklyError(f"未知的项目级别：{'、'.join(unknown)}。")
    if not 0 <= deadline_weekday <= 6:
        raise WeeklyError("截止日应为星期一至星期日之一。")
    config = weekly_settings()
    levels = [code for code in Level.values if code in set(levels)]  # stored in the levels' own order
    before = audit.snapshot(config, ["levels", "with_leader", "tags", "deadline_weekday"])
    config.levels, config.with_leader, config.deadline_weekday = levels, with_leader, deadline_weekday
    if not save_if_unchanged(
        config, ["levels", "with_leader", "deadline_weekday"], expected_version=expected_version
    ):
        raise WeeklyConflictError("周调度设置")
    config.tags.set(tags)
    after = {
        "levels": levels,
        "with_leader": with_leader,
        "tags": sorted(str(t) for t in tags),
        "deadline_weekday": deadline_weekday,
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=by, action="weekly.settings.updated", obj=config, changes=changes,
                     message=f"每周{WEEKDAY_LABELS[deadline_weekday]}截止")
    return config


@transaction.atomic
def set_exception(*, project: Project, kind: str, note: str, by: User, now: datetime.datetime) -> ScopeEntry:
    """Hand-pick a project into (INCLUDE) or out of (EXCLUDE) weekly scheduling; a project has at most one
    exception, so this replaces the other kind."""
    _require_office(by, "调整周调度项目")
    if kind not in ScopeEntry.Kind.values:
        raise WeeklyError("请选择“手动列入”或“手动排除”。")
    if kind == ScopeEntry.Kind.INCLUDE and project.is_cancelled:
        raise WeeklyError(f"项目“{project}”已终止，不能列入周调度。")
    note = (note or "").strip()[:200]
    entry = ScopeEntry.objects.filter(project=project).first()
    old_kind = entry.kind if entry else None
    if entry is None:
        entry = ScopeEntry.objects.create(project=project, kind=kind, note=note, added_at=now, added_by=by)
    else:
        entry.kind, entry.note, entry.added_at, entry.added_by = kind, note, now, by
        entry.save(update_fields=["kind", "note", "added_at", "added_by"])
    if old_kind != kind or note:
        audit.record(actor=by, action="weekly.scope.set", obj=project,
                     changes={"weekly_scope": [old_kind, kind], **({"note": note} if note else {})})
    return entry


@transaction.atomic
def remove_exception(*, entry: ScopeEntry, by: User) -> None:
    _require_office(by, "调整周调度项目")
    project, kind = entry.project, entry.kind
    entry.delete()
    audit.record(actor=by, action="weekly.scope.removed", obj=project, changes={"weekly_scope": [kind, None]})


# ---------------------------------------------------------------------------------------------------
# Weekly reports


def _require_writer(by: User, project: Project) -> None:
    if not may_write_project(by, project):
        raise WeeklyError("只能填报本单位项目的周报。")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in REPORT_FIELDS}
    values["progress_text"] = (values["progress_text"] or "").strip()
    values["next_week_plan"] = (values["next_week_plan"] or "").strip()
    if not values["progress_text"]:
        raise WeeklyError("请填写本周进展。")
    if values["workers_on_site"] is not None and values["workers_on_site"] < 0:
        raise WeeklyError("现场施工人数不能为负数。")
    return values


@transaction.atomic
def save_report(
    *,
    project: Project,
    week: Week,
    data: dict[str, Any],
    problem: dict[str, Any] | None = None,
    by: User,
    today: datetime.date,
    expected_version: int | None,
) -> WeeklyReport:
    """Create or edit the project's report of `week` (a draft, or a returned report being corrected).
    `expected_version` is None only for a report not created yet. `problem` (title, category, description,
    lead_unit, optional helping_units and deadline) is raised as a coordination problem linked to the report."""
    _require_writer(by, project)
    if week.start > today:
        raise WeeklyError(f"{week.label}尚未开始，不能提前填报。")
    values = _clean(data)
    report = WeeklyReport.objects.filter(project=project, week_start=week.start).first()
    if report is None:
        if expected_version is not None:
            raise WeeklyConflictError()
        try:
            with transaction.atomic():  # a savepoint: someone creating the same week's report at this moment
                report = WeeklyReport.objects.create(project=project, week_start=week.start, **values)
        except IntegrityError as exc:
            raise WeeklyConflictError() from exc
        audit.record(actor=by, action="weekly.report.created", obj=report,
                     changes={"week": week.param, **audit.created(values)})
    else:
        if expected_version is None or report.version != expected_version:
            raise WeeklyConflictError()
        if not report.is_editable:
            raise WeeklyError(f"该周报{report.get_status_display()}，不能再修改；如需修改请联系重点项目办退回。")
        before = audit.snapshot(report, REPORT_FIELDS)
        for name, value in values.items():
            setattr(report, name, value)
        if not save_if_unchanged(report, REPORT_FIELDS, expected_version=expected_version):
            raise WeeklyConflictError()
        changes = audit.diff(before, values)
        if changes:
            audit.record(actor=by, action="weekly.report.updated", obj=report, changes=changes)
    if problem:
        raise_problem(report=report, data=problem, by=by, today=today)
    return report


def raise_problem(*, report: WeeklyReport, data: dict[str, Any], by: User, today: datetime.date):
    """The problem raised through coordination (its own audit event, history and notifications), linked to the
    report; the link is audited on the report. Runs inside the caller's transaction."""
    try:
        created = coordination.raise_problem(project=report.project, data=data, by=by, today=today)
    except coordination.CoordinationError as exc:
        raise WeeklyError(exc.message) from exc
    WeeklyProblem.objects.create(report=report, problem=created)
    changes = {"problem": [None, created.title], "lead_unit": str(created.lead_unit)}
    if created.proposed_lead_unit_id:
        # A reporter's choice of another unit is only a proposal until the office confirms it (issue 15).
        changes["proposed_lead_unit"] = str(created.proposed_lead_unit)
    audit.record(actor=by, action="weekly.report.problem_raised", obj=report, changes=changes)
    return created


def _set_status(report: WeeklyReport, *, expected_version: int, **values) -> None:
    # A refused change leaves `report` as it was (the page renders it with the refusal).
    if not update_if_unchanged(report, expected_version=expected_version, **values):
        raise WeeklyConflictError()


@transaction.atomic
def submit_report(*, report: WeeklyReport, by: User, today: datetime.date, expected_version: int) -> WeeklyReport:
    """Send the report to the office. The first submission's day is kept: it decides whether the unit met the
    week's deadline."""
    _require_writer(by, report.project)
    if not report.is_editable:
        raise WeeklyError(f"该周报{report.get_status_display()}，不能重复报送。")
    old = report.status
    _set_status(
        report,
        expected_version=expected_version,
        status=WeeklyReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=by,
        first_submitted_date=report.first_submitted_date or today,
        return_reason="",
    )
    audit.record(actor=by, action="weekly.report.submitted", obj=report, changes={"status": [old, report.status]})
    return report


@transaction.atomic
def return_report(*, report: WeeklyReport, reason: str, by: User, expected_version: int) -> WeeklyReport:
    """The office sends a submitted report back with a reason; the unit's reporters are told."""
    _require_office(by, "退回周报")
    reason = (reason or "").strip()
    if not reason:
        raise WeeklyError("退回周报必须填写退回原因。")
    if report.status != WeeklyReport.Status.SUBMITTED:
        raise WeeklyError(f"只有已报送的周报可以退回（当前：{report.get_status_display()}）。")
    _set_status(
        report,
        expected_version=expected_version,
        status=WeeklyReport.Status.RETURNED,
        return_reason=reason[:300],
        returned_at=timezone.now(),
        returned_by=by,
    )
    audit.record(
        actor=by,
        action="weekly.report.returned",
        obj=report,
        message=reason,
        changes={"status": [WeeklyReport.Status.SUBMITTED, report.status], "return_reason": ["", report.return_reason]},
    )
    week = Week(report.week_start)
    notifications.notify(
        kind="RETURNED",
        title=f"周报被退回：{report.project}（{week.label}）",
        body=f"退回原因：{report.return_reason}",
        link=reverse("weekly:report", args=[report.project_id, week.param]),
        units=[report.project.unit],
        exclude=by,
    )
    return report
