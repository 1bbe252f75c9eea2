"""Writes of 问题协调与督办: raising, assigning, accepting, replying, resolving, returning, closing (销号) and
reopening problems and supervision items; escalation (one code path for both, manual or by the daily job);
attachments; leaders' instructions; meetings and their decisions; the calendar and the settings.

Every write is one transaction with its history row (流转记录, for transitions), its audit event and its
notifications. Rows are versioned: a transition applies only to the version the user saw. `today` is always
a parameter (no clock in domain code).
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q

from tadiao.audit import services as audit
from tadiao.coordination import queries
from tadiao.coordination.models import (
    DEFAULT_WORKING_DAYS,
    DONE_STATUSES,
    OPEN_STATUSES,
    AgendaItem,
    Attachment,
    CategoryDeadline,
    CoordinationSettings,
    Instruction,
    Level,
    Meeting,
    Problem,
    ProblemEvent,
    Reply,
    Status,
    WorkdayAdjustment,
)
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.notifications import services as notifications
from tadiao.org.models import Unit, User
from tadiao.projects.models import Project

ATTACHMENT_SUFFIXES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd", "txt", "zip"}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
SYSTEM = "系统（每日超期检查）"

logger = logging.getLogger(__name__)


class CoordinationError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(CoordinationError):
    def __init__(self):
        super().__init__("该事项已被他人处理或修改，您看到的不是最新状态。请刷新页面后重新操作。")


def attachment_max_bytes() -> int:
    return getattr(settings, "COORDINATION_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)


def _notify(
    *,
    kind: str,
    problem: Problem | None = None,
    title: str,
    body: str = "",
    link: str = "",
    units: Iterable[Unit] = (),
    users: Iterable[User] = (),
    by: User | None = None,
) -> None:
    """In-app messages (and channel deliveries) inside the caller's transaction; the actor is not told."""
    if problem is not None and not link:
        link = f"/coordination/problems/{problem.pk}/"
    notifications.notify(
        kind=kind,
        title=title,
        body=body,
        link=link,
        users=list(users),
        units=list(units),
        exclude=by if by is not None and by.is_authenticated else None,
    )


def _involved_units(problem: Problem) -> list[Unit]:
    units = {problem.lead_unit_id: problem.lead_unit, problem.raised_by_unit_id: problem.raised_by_unit}
    units.update({u.pk: u for u in problem.helping_units.all()})
    return list(units.values())


def _handling_units(problem: Problem) -> list[Unit]:
    return [problem.lead_unit, *problem.helping_units.all()]


def _leaders_in_scope(unit: Unit) -> list[User]:
    return list(User.objects.filter(is_leader=True, is_active=True, unit__region__path=unit.region.path))


def _coordinators() -> list[User]:
    return list(User.objects.filter(is_coordinator=True, is_active=True))


# ---------------------------------------------------------------------------------------------------
# Deadlines on the working-day calendar


def default_working_days(category: str) -> int:
    row = CategoryDeadline.objects.filter(category=category).first()
    return row.working_days if row else DEFAULT_WORKING_DAYS.get(category, 10)


# ---------------------------------------------------------------------------------------------------
# Transitions: one helper writes the versioned row, the history row and the audit event.


def _transition(
    problem: Problem,
    *,
    by: User | None,
    today: datetime.date,
    expected_version: int,
    action: str,
    label: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
    **values,
) -> ProblemEvent:
    before_status, before_level = problem.status, problem.level
    for name, value in values.items():
        setattr(problem, name, value)
    if not save_if_unchanged(problem, list(values), expected_version=expected_version):
        raise ConcurrentEditError()
    event = ProblemEvent.objects.create(
        problem=problem,
        action=action,
        label=label,
        from_status=before_status,
        to_status=problem.status,
        from_level=before_level,
        to_level=problem.level,
        note=note,
        date=today,
        by=by if by is not None and by.is_authenticated else None,
    )
    audit_changes = dict(changes or {})
    if before_status != problem.status:
        audit_changes["status"] = [before_status, problem.status]
    if before_level != problem.level:
        audit_changes["level"] = [before_level, problem.level]
    if note:
        audit_changes["note"] = note
    audit.record(
        actor=by,
        action=f"coordination.problem.{action.lower()}",
        obj=problem,
        changes=audit_changes,
        actor_name="" if by else SYSTEM,
    )
    return event


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CoordinationError(message)


def _require_status(problem: Problem, allowed: Iterable[str], what: str) -> None:
    if problem.status not in allowed:
        raise CoordinationError(f"该事项当前状态为“{problem.get_status_display()}”，不能{what}。")


def _helping_besides_lead(lead_unit: Unit, helping_units: Iterable[Unit]) -> list[Unit]:
    """The helping units chosen, less the lead unit if it was chosen as one too."""
    return [u for u in helping_units if u.pk != lead_unit.pk]


# ---------------------------------------------------------------------------------------------------
# Problems


@transaction.atomic
def raise_problem(*, project: Project, data: dict[str, Any], by: User, today: datetime.date, report=None) -> Problem:
    """A new problem of `project`, raised by the user's unit: 待受理 at level 1, due after the category's
    working days unless `data["deadline"]` says otherwise. The office names the lead unit directly; a unit's
    reporter who names another unit only proposes it (建议牵头单位): the raising unit stays the lead of record and
    the office is asked to confirm, by 受理 or 交办. The lead and helping units, or the office, are notified."""
    _require(by.unit_id is not None, "您的账号未关联单位，不能提出问题。")
    _require(
        bool(by.is_coordinator or (by.is_reporter and project.unit_id == by.unit_id)), "只能为本单位的项目提出问题。"
    )
    deadline = data.get("deadline") or queries.deadline_after(today, default_working_days(data["category"]))
    _require(deadline >= today, "办结时限不能早于今天。")
    chosen: Unit = data["lead_unit"]
    proposed = None if by.is_coordinator or chosen.pk == by.unit_id else chosen
    if proposed is not None:
        _require(queries.proposable_lead_units(by).filter(pk=proposed.pk).exists(), "所选牵头单位不在本县（市、区）。")
    problem = Problem.objects.create(
        kind=Problem.Kind.PROBLEM,
        project=project,
        report=report,
        title=data["title"],
        category=data["category"],
        description=data["description"],
        raised_by_unit_id=by.unit_id,
        raised_by=by,
        raised_date=today,
        lead_unit=by.unit if proposed is not None else chosen,
        proposed_lead_unit=proposed,
        deadline=deadline,
        first_deadline=deadline,
    )
    helping = _helping_besides_lead(problem.lead_unit, data.get("helping_units") or [])
    problem.helping_units.set(helping)
    _created(problem, by=by, today=today, action="RAISED", label="提出问题")
    return problem


def _created(problem: Problem, *, by: User, today: datetime.date, action: str, label: str) -> None:
    ProblemEvent.objects.create(
        problem=problem, action=action, label=label, to_status=problem.status, to_level=problem.level, date=today, by=by
    )
    audit.record(
        actor=by,
        action=f"coordination.problem.{action.lower()}",
        obj=problem,
        changes={
            "kind": problem.kind,
            "category": problem.category,
            "lead_unit": str(problem.lead_unit),
            "helping_units": [str(u) for u in problem.helping_units.all()],
            "deadline": problem.deadline,
            "project": str(problem.project) if problem.project_id else None,
            **({"proposed_lead_unit": str(problem.proposed_lead_unit)} if problem.proposed_lead_unit_id else {}),
        },
    )
    if problem.proposed_lead_unit_id:
        # Nobody is asked to act before the office has confirmed who leads.
        _notify(
            by=by,
            kind="ASSIGNED",
            problem=problem,
            title=f"待确认牵头单位：{problem.title}",
            body=f"{problem.raised_by_unit}建议由{problem.proposed_lead_unit}牵头，请受理或交办时确认。",
            users=_coordinators(),
        )
        return
    kind = "SUPERVISION" if problem.kind == Problem.Kind.SUPERVISION else "ASSIGNED"
    _notify(
        by=by,
        kind=kind,
        problem=problem,
        title=f"新{problem.get_kind_display()}：{problem.title}",
        body=f"牵头单位：{problem.lead_unit}；办结时限：{problem.deadline:%Y-%m-%d}。",
        units=_handling_units(problem),
    )


@transaction.atomic
def assign(
    *,
    problem: Problem,
    lead_unit: Unit,
    helping_units: Iterable[Unit],
    deadline: datetime.date | None,
    by: User,
    today: datetime.date,
    expected_version: int,
) -> Problem:
    """The office (调度员) (re)assigns the lead and helping units and the deadline; a returned item goes back to
    待受理. A lead unit the raising unit proposed is settled here: confirmed, or replaced by the office's choice."""
    _require(by.is_coordinator, "只有调度员（重点项目办）可以交办。")
    _require_status(problem, OPEN_STATUSES, "交办")
    proposed = problem.proposed_lead_unit
    deadline = deadline or queries.deadline_after(today, default_working_days(problem.category))
    _require(deadline >= problem.raised_date, "办结时限不能早于提出日期。")
    old = {
        "lead_unit": str(problem.lead_unit),
        "helping_units": [str(u) for u in problem.helping_units.all()],
        "deadline": problem.deadline,
    }
    helping = _helping_besides_lead(lead_unit, helping_units)
    if (
        problem.version == expected_version
        and problem.lead_unit_id == lead_unit.pk
        and problem.status in (Status.PENDING, Status.IN_PROGRESS)
        and deadline == problem.deadline
        and {u.pk for u in helping} == {u.pk for u in problem.helping_units.all()}
    ):
        # The assignment form saved as shown: nothing to re-assign — no new deadline, no status change, no message.
        # (A returned item re-assigned to the same unit is a real 交办 and goes on.)
        return problem
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="ASSIGNED",
        label="交办",
        note=f"牵头单位：{lead_unit}" + _proposal_note(proposed, lead_unit),
        lead_unit=lead_unit,
        proposed_lead_unit=None,
        deadline=deadline,
        first_deadline=deadline,
        status=Status.PENDING,
        return_reason="",
        needs_decision=False,
        changes={
            "lead_unit": [old["lead_unit"], str(lead_unit)],
            "deadline": [old["deadline"], deadline],
            "helping_units": [old["helping_units"], [str(u) for u in helping]],
            **({"proposed_lead_unit": [str(proposed), None]} if proposed is not None else {}),
        },
    )
    problem.helping_units.set(helping)
    _notify(
        by=by,
        kind="ASSIGNED",
        problem=problem,
        title=f"交办：{problem.title}",
        body=f"牵头单位：{lead_unit}；办结时限：{deadline:%Y-%m-%d}。",
        units=_handling_units(problem),
    )
    return problem


def _proposal_note(proposed: Unit | None, lead_unit: Unit) -> str:
    if proposed is None:
        return ""
    if proposed.pk == lead_unit.pk:
        return "（确认提出单位建议的牵头单位）"
    return f"（未采纳提出单位建议的牵头单位{proposed}）"


@transaction.atomic
def accept(*, problem: Problem, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The lead unit takes the item on (受理): 待受理 → 办理中. While the raising unit's proposed lead unit waits
    for the office, only the office can accept, and accepting confirms the proposal: the proposed unit leads
    (to name another unit, the office uses 交办)."""
    if problem.proposed_lead_unit_id is not None:
        _require(by.is_coordinator, "建议的牵头单位尚待重点项目办确认，确认后由牵头单位受理。")
    _require(queries.is_handler(by, problem) or by.is_coordinator, "只有牵头单位可以受理。")
    _require_status(problem, [Status.PENDING], "受理")
    proposed = problem.proposed_lead_unit
    confirmed = {}
    if proposed is not None:
        confirmed = {
            "lead_unit": proposed,
            "proposed_lead_unit": None,
            "changes": {
                "lead_unit": [str(problem.lead_unit), str(proposed)],
                "proposed_lead_unit": [str(proposed), None],
            },
            "note": f"牵头单位：{proposed}" + _proposal_note(proposed, proposed),
        }
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="ACCEPTED",
        label="受理",
        status=Status.IN_PROGRESS,
        **confirmed,
    )
    if proposed is not None:
        problem.helping_units.remove(proposed)
        _notify(
            by=by,
            kind="ASSIGNED",
            problem=problem,
            title=f"交办：{problem.title}",
            body=f"牵头单位：{proposed}（重点项目办已确认）；办结时限：{problem.deadline:%Y-%m-%d}。",
            units=_handling_units(problem),
        )
    return problem


@transaction.atomic
def reply(*, problem: Problem, content: str, by: User, today: datetime.date) -> Reply:
    """A reply by anyone involved (the handling units, the raising unit, the office). The other side is told."""
    _require(bool(content.strip()), "请填写回复内容。")
    _require(queries.is_involved(by, problem) or by.is_coordinator, "您的单位不是该事项的办理或提出单位，不能回复。")
    _require(problem.status != Status.CLOSED, "该事项已销号，不能再回复。")
    item = Reply.objects.create(problem=problem, unit_id=by.unit_id, author=by, content=content.strip())
    audit.record(actor=by, action="coordination.problem.replied", obj=problem, changes={"reply": item.content})
    from_raiser = by.unit_id == problem.raised_by_unit_id
    units = _handling_units(problem) if from_raiser else [problem.raised_by_unit]
    _notify(
        by=by,
        kind="REPLIED",
        problem=problem,
        title=f"{by.unit or by}回复：{problem.title}",
        body=item.content[:200],
        units=[u for u in units if u.pk != by.unit_id],
    )
    return item


@transaction.atomic
def resolve(*, problem: Problem, content: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The lead unit reports it done (办结), with how: 已办结, waiting for the raising side to 销号."""
    _require(queries.is_handler(by, problem) or by.is_coordinator, "只有牵头单位可以办结。")
    _require_status(problem, [Status.PENDING, Status.IN_PROGRESS], "办结")
    _require(bool(content.strip()), "请填写办理结果。")
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="RESOLVED",
        label="办结",
        note=content.strip(),
        status=Status.RESOLVED,
        resolved_date=today,
        needs_decision=False,
    )
    Reply.objects.create(problem=problem, unit_id=by.unit_id, author=by, content=f"【办结】{content.strip()}")
    _notify(
        by=by,
        kind="REPLIED",
        problem=problem,
        title=f"已办结，请确认销号：{problem.title}",
        body=content.strip()[:200],
        units=[problem.raised_by_unit],
    )
    return problem


@transaction.atomic
def return_problem(*, problem: Problem, reason: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The lead unit or the office sends it back (退回) with a reason."""
    _require(queries.is_handler(by, problem) or by.is_coordinator, "只有牵头单位或调度员可以退回。")
    _require_status(problem, [Status.PENDING, Status.IN_PROGRESS], "退回")
    reason = reason.strip()
    _require(bool(reason), "退回须填写原因。")
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="RETURNED",
        label="退回",
        note=reason,
        status=Status.RETURNED,
        return_reason=reason[:300],
    )
    _notify(
        by=by,
        kind="RETURNED",
        problem=problem,
        title=f"被退回：{problem.title}",
        body=f"退回原因：{reason}",
        units=[problem.raised_by_unit],
    )
    return problem


@transaction.atomic
def resubmit(*, problem: Problem, note: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The raising side answers a return and submits it again: 退回 → 待受理."""
    _require(queries.is_raiser(by, problem), "只有提出单位可以重新提交。")
    _require_status(problem, [Status.RETURNED], "重新提交")
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="RESUBMITTED",
        label="重新提交",
        note=note.strip(),
        status=Status.PENDING,
        return_reason="",
    )
    _notify(
        by=by,
        kind="ASSIGNED",
        problem=problem,
        title=f"重新提交：{problem.title}",
        body=note.strip()[:200],
        units=_handling_units(problem),
    )
    return problem


@transaction.atomic
def close(*, problem: Problem, note: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """销号: only the raising side confirms that the problem is solved."""
    _require(queries.is_raiser(by, problem), "只有提出方可以销号。")
    _require_status(problem, [Status.RESOLVED], "销号")
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="CLOSED",
        label="销号",
        note=note.strip(),
        status=Status.CLOSED,
        closed_date=today,
    )
    return problem


@transaction.atomic
def reopen(*, problem: Problem, reason: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The raising side is not satisfied: back to 办理中; the history keeps everything that happened."""
    _require(queries.is_raiser(by, problem), "只有提出方可以重新打开。")
    _require_status(problem, DONE_STATUSES, "重新打开")
    reason = reason.strip()
    _require(bool(reason), "重新打开须说明原因。")
    deadline = (
        problem.deadline
        if problem.deadline >= today
        else queries.deadline_after(today, default_working_days(problem.category))
    )
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="REOPENED",
        label="重新打开",
        note=reason,
        status=Status.IN_PROGRESS,
        resolved_date=None,
        closed_date=None,
        deadline=deadline,
    )
    _notify(
        by=by,
        kind="RETURNED",
        problem=problem,
        title=f"提出方重新打开：{problem.title}",
        body=reason[:200],
        units=_handling_units(problem),
    )
    return problem


@transaction.atomic
def extend_deadline(
    *, problem: Problem, deadline: datetime.date, note: str, by: User, today: datetime.date, expected_version: int
) -> Problem:
    """The office decides on an overdue item by giving it a new deadline (延期)."""
    _require(by.is_coordinator, "只有调度员可以调整办结时限。")
    _require_status(problem, OPEN_STATUSES, "延期")
    _require(deadline >= today, "新的办结时限不能早于今天。")
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="EXTENDED",
        label="延期",
        note=note.strip(),
        deadline=deadline,
        needs_decision=False,
        changes={"deadline": [problem.deadline, deadline]},
    )
    _notify(
        by=by,
        kind="ASSIGNED",
        problem=problem,
        title=f"办结时限调整：{problem.title}",
        body=f"新的办结时限：{deadline:%Y-%m-%d}。",
        units=_handling_units(problem),
    )
    return problem


# ---------------------------------------------------------------------------------------------------
# Escalation: one code path for problems and supervision items, manual (the office) or daily (the job).


def _escalate(
    problem: Problem, *, by: User | None, today: datetime.date, expected_version: int, reason: str
) -> Problem:
    _require(problem.level < Level.UPWARD, "该事项已上报上级，不能再升级。")
    new_level = problem.level + 1
    deadline = queries.deadline_after(today, default_working_days(problem.category))
    _transition(
        problem,
        by=by,
        today=today,
        expected_version=expected_version,
        action="ESCALATED",
        label=f"升级至{Level(new_level).label}",
        note=reason,
        level=new_level,
        deadline=deadline,
        needs_decision=False,
        changes={"deadline": [problem.deadline, deadline]},
    )
    leaders = _leaders_in_scope(problem.lead_unit) if new_level >= Level.LEADER else []
    _notify(
        by=by,
        kind="ESCALATED",
        problem=problem,
        title=f"升级协调（{Level(new_level).label}）：{problem.title}",
        body=f"{reason}新的办结时限：{deadline:%Y-%m-%d}。",
        units=_involved_units(problem),
        users=leaders,
    )
    return problem


@transaction.atomic
def escalate(*, problem: Problem, reason: str, by: User, today: datetime.date, expected_version: int) -> Problem:
    """The office moves an item up one level by hand (e.g. deciding on a flagged overdue item)."""
    _require(by.is_coordinator, "只有调度员可以升级协调层级。")
    _require_status(problem, OPEN_STATUSES, "升级")
    return _escalate(
        problem, by=by, today=today, expected_version=expected_version, reason=reason.strip() or "调度员决定升级。"
    )


@dataclass
class EscalationOutcome:
    escalated: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    # Items the run could not act on, with the reason (e.g. changed by someone while the job ran): left as they
    # were, for the next run to try again.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"升级 {len(self.escalated)} 件，标记超期待决定 {len(self.flagged)} 件，临期提醒 {len(self.reminded)} 件，"
            f"跳过 {len(self.skipped)} 件。"
        )


def run_escalation(*, today: datetime.date) -> EscalationOutcome:
    """The daily job: every open item past its deadline moves up one level (with a new time limit counted from
    today), or — when the setting says so, or it is already at level 4 — is flagged once for the office to
    decide; items due within the reminder window get one reminder per deadline.

    Idempotent: an escalated item's new deadline is after today, a flagged item stays flagged, a reminder is
    remembered with its deadline — a second run on the same day finds nothing to do.

    Each overdue item is handled in its own savepoint: an item refused (CoordinationError, e.g. changed by
    someone while the job ran) is rolled back, logged and counted as skipped, and the run goes on with the others.
    """
    config = queries.coordination_settings()
    outcome = EscalationOutcome()
    overdue = (
        Problem.objects.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        .select_related("lead_unit__region", "raised_by_unit")
        .order_by("deadline", "id")
    )
    for problem in overdue:
        try:
            done = _escalate_or_flag(problem, config=config, today=today)
        except CoordinationError as exc:
            # Rolled back with its savepoint; the others go on, and the next run tries this one again.
            logger.warning("每日超期检查跳过事项 %s（%s）：%s", problem.pk, problem.title, exc.message)
            outcome.skipped.append((problem.pk, exc.message))
            continue
        if done == "escalated":
            outcome.escalated.append(problem.pk)
        elif done == "flagged":
            outcome.flagged.append(problem.pk)
    horizon = queries.deadline_after(today, config.due_soon_days)
    due_soon = (
        Problem.objects.filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=horizon)
        .exclude(reminded_for=F("deadline"))
        .select_related("lead_unit")
    )
    for problem in due_soon:
        with transaction.atomic():
            if (
                Problem.objects.filter(pk=problem.pk)
                .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("deadline")))
                .update(reminded_for=F("deadline"))
            ):
                _notify(
                    by=None,
                    kind="DUE_SOON",
                    problem=problem,
                    title=f"临期提醒：{problem.title}",
                    body=f"办结时限：{problem.deadline:%Y-%m-%d}，请抓紧办理。",
                    units=_handling_units(problem),
                )
                outcome.reminded.append(problem.pk)
    return outcome


@transaction.atomic
def _escalate_or_flag(problem: Problem, *, config: CoordinationSettings, today: datetime.date) -> str:
    """One overdue item of the daily run, in its own savepoint: "escalated", "flagged" (once, for the office to
    decide) or "" when it is already flagged."""
    if config.overdue_action == CoordinationSettings.OverdueAction.ESCALATE and problem.level < Level.UPWARD:
        _escalate(
            problem,
            by=None,
            today=today,
            expected_version=problem.version,
            reason=f"超过办结时限（{problem.deadline:%Y-%m-%d}）未办结，自动升级。",
        )
        return "escalated"
    if problem.needs_decision:
        return ""
    _transition(
        problem,
        by=None,
        today=today,
        expected_version=problem.version,
        action="FLAGGED",
        label="超期待决定",
        note=f"超过办结时限（{problem.deadline:%Y-%m-%d}）未办结。",
        needs_decision=True,
    )
    _notify(
        by=None,
        kind="OVERDUE",
        problem=problem,
        title=f"超期未办结：{problem.title}",
        body=f"办结时限：{problem.deadline:%Y-%m-%d}，请调度员决定升级或延期。",
        units=_involved_units(problem),
        users=_coordinators(),
    )
    return "flagged"


# ---------------------------------------------------------------------------------------------------
# Attachments and instructions


@transaction.atomic
def add_attachment(*, problem: Problem, upload: UploadedFile, by: User, now: datetime.datetime) -> Attachment:
    _require(queries.is_involved(by, problem) or by.is_coordinator, "您的单位不能为该事项上传附件。")
    name = upload.name or "附件"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    _require(
        suffix in ATTACHMENT_SUFFIXES, f"“{name}”的类型不允许上传，可上传：{'、'.join(sorted(ATTACHMENT_SUFFIXES))}。"
    )
    limit = attachment_max_bytes()
    _require(upload.size <= limit, f"“{name}”超过 {limit // (1024 * 1024) or 1} MB，不能上传。")
    item = Attachment(problem=problem, original_name=name[:200], size=upload.size, uploaded_at=now, uploaded_by=by)
    item.file.save(f"upload.{suffix}", upload, save=False)
    item.save()
    audit.record(
        actor=by,
        action="coordination.problem.attachment_added",
        obj=problem,
        changes={"attachment": [None, item.original_name]},
    )
    return item


@transaction.atomic
def add_instruction(
    *, content: str, by: User, problem: Problem | None = None, project: Project | None = None
) -> Instruction:
    """A leader's instruction (批示) on a problem or a project — the one write a leader makes. The units
    involved are told."""
    _require(by.is_leader, "只有领导可以作出批示。")
    _require((problem is None) != (project is None), "批示须针对一个问题或一个项目。")
    content = content.strip()
    _require(bool(content), "请填写批示内容。")
    item = Instruction.objects.create(problem=problem, project=project, leader=by, content=content)
    target = problem or project
    audit.record(actor=by, action="coordination.instruction.created", obj=target, changes={"instruction": content})
    if problem is not None:
        units, link = _involved_units(problem), f"/coordination/problems/{problem.pk}/"
    else:
        units, link = [project.unit], f"/projects/{project.pk}/"
    _notify(
        by=by, kind="INSTRUCTION", title=f"领导批示：{target}", body=f"{by}：{content[:200]}", link=link, units=units
    )
    return item


# ---------------------------------------------------------------------------------------------------
# Meetings

MEETING_FIELDS = ["date", "kind", "title", "chair", "location", "attendees", "minutes"]


def _require_office(by: User) -> None:
    _require(by.is_coordinator, "只有调度员（重点项目办）可以登记和编辑会议。")


@transaction.atomic
def create_meeting(*, data: dict[str, Any], by: User) -> Meeting:
    _require_office(by)
    meeting = Meeting.objects.create(**{k: data.get(k, "") for k in MEETING_FIELDS}, created_by=by)
    meeting.attendee_units.set(data.get("attendee_units") or [])
    audit.record(
        actor=by,
        action="coordination.meeting.created",
        obj=meeting,
        changes={k: [None, v] for k, v in audit.snapshot(meeting, MEETING_FIELDS).items() if v},
    )
    return meeting


@transaction.atomic
def update_meeting(*, meeting: Meeting, data: dict[str, Any], by: User, expected_version: int) -> Meeting:
    _require_office(by)
    stored = Meeting.objects.get(pk=meeting.pk)
    edited = {**{name: data[name] for name in MEETING_FIELDS}, "attendee_units": data.get("attendee_units")}
    if stored.version == expected_version and unchanged(stored, edited):
        return meeting  # saved as shown: no new version, no audit event
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for name in MEETING_FIELDS:
        setattr(meeting, name, data[name])
    if not save_if_unchanged(meeting, MEETING_FIELDS, expected_version=expected_version):
        raise ConcurrentEditError()
    meeting.attendee_units.set(data.get("attendee_units") or [])
    changes = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    if changes:
        audit.record(actor=by, action="coordination.meeting.updated", obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def add_agenda_items(*, meeting: Meeting, items: list[dict[str, Any]], by: User) -> int:
    """Append agenda items (text, and optionally the problem, project or unit they are about); items about
    something already on the agenda are skipped."""
    _require_office(by)
    existing = list(meeting.agenda.all())
    seen = {(a.problem_id, a.project_id, a.unit_id) for a in existing if a.problem_id or a.project_id or a.unit_id}
    position = max((a.position for a in existing), default=0)
    created = []
    for item in items:
        key = (item.get("problem_id"), item.get("project_id"), item.get("unit_id"))
        if any(key) and key in seen:
            continue
        seen.add(key)
        position += 1
        created.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                text=item["text"][:300],
                problem_id=key[0],
                project_id=key[1],
                unit_id=key[2],
            )
        )
    AgendaItem.objects.bulk_create(created)
    if created:
        audit.record(
            actor=by,
            action="coordination.meeting.agenda_added",
            obj=meeting,
            changes={"agenda": [a.text for a in created]},
        )
    return len(created)


@transaction.atomic
def add_decision(*, meeting: Meeting, data: dict[str, Any], by: User, today: datetime.date) -> Problem:
    """A decision of the meeting becomes a supervision item (督办事项) owned by a unit, tracked like a problem."""
    _require_office(by)
    _require(by.unit_id is not None, "您的账号未关联单位。")
    deadline = data.get("deadline") or queries.deadline_after(
        today, default_working_days(data.get("category") or "OTHER")
    )
    _require(deadline >= today, "办结时限不能早于今天。")
    item = Problem.objects.create(
        kind=Problem.Kind.SUPERVISION,
        meeting=meeting,
        project=data.get("project"),
        title=data["title"],
        category=data.get("category") or "OTHER",
        description=data["description"],
        raised_by_unit_id=by.unit_id,
        raised_by=by,
        raised_date=today,
        lead_unit=data["lead_unit"],
        deadline=deadline,
        first_deadline=deadline,
    )
    item.helping_units.set(_helping_besides_lead(data["lead_unit"], data.get("helping_units") or []))
    _created(item, by=by, today=today, action="DECIDED", label="会议决定督办")
    return item


# ---------------------------------------------------------------------------------------------------
# Calendar and settings (the office)


@transaction.atomic
def save_workday_adjustment(*, date: datetime.date, is_workday: bool, note: str, by: User) -> WorkdayAdjustment:
    _require(by.is_coordinator, "只有调度员可以维护节假日安排。")
    old = WorkdayAdjustment.objects.filter(date=date).first()
    item, _ = WorkdayAdjustment.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "note": note.strip()[:50]}
    )
    audit.record(
        actor=by,
        action="coordination.calendar.saved",
        obj=item,
        changes={
            "is_workday": [old.is_workday if old else None, is_workday],
            "note": [old.note if old else None, item.note],
        },
    )
    return item


@transaction.atomic
def delete_workday_adjustment(*, date: datetime.date, by: User) -> None:
    _require(by.is_coordinator, "只有调度员可以维护节假日安排。")
    item = WorkdayAdjustment.objects.filter(date=date).first()
    _require(item is not None, "该日期没有节假日调整。")
    audit.record(
        actor=by,
        action="coordination.calendar.deleted",
        obj=item,
        changes={"is_workday": [item.is_workday, None], "note": [item.note, None]},
    )
    item.delete()


@transaction.atomic
def update_settings(
    *, overdue_action: str, due_soon_days: int, category_days: dict[str, int], by: User, expected_version: int
) -> CoordinationSettings:
    _require(by.is_coordinator, "只有调度员可以修改问题协调设置。")
    config = queries.coordination_settings()
    before = {
        "overdue_action": config.overdue_action,
        "due_soon_days": config.due_soon_days,
        **{f"days_{k}": v for k, v in queries.category_days().items()},
    }
    edited = {"overdue_action": overdue_action, "due_soon_days": due_soon_days}
    edited.update({f"days_{k}": v for k, v in category_days.items()})
    if config.version == expected_version and before == {**before, **edited}:
        return config  # saved as shown: no new version, no audit event
    config.overdue_action, config.due_soon_days = overdue_action, due_soon_days
    if not save_if_unchanged(config, ["overdue_action", "due_soon_days"], expected_version=expected_version):
        raise ConcurrentEditError()
    for category, days in category_days.items():
        _require(1 <= days <= 250, "办结时限应为 1–250 个工作日。")
        CategoryDeadline.objects.update_or_create(category=category, defaults={"working_days": days})
    after = {
        **before,
        "overdue_action": overdue_action,
        "due_soon_days": due_soon_days,
        **{f"days_{k}": v for k, v in category_days.items()},
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=by, action="coordination.settings.updated", obj=config, changes=changes)
    return config
