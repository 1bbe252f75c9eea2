"""What every write of 问题协调与督办 shares: the refusals (CoordinationError, with the Chinese message the user
sees), the notification routing, the working-day default of a category, and the one helper that writes a
transition (the versioned row, its history row 流转记录 and its audit event) — and the one that records a new
item.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from tadiao.audit import services as audit
from tadiao.coordination.models import DEFAULT_WORKING_DAYS, CategoryDeadline, Problem, ProblemEvent
from tadiao.lib.versioning import save_if_unchanged
from tadiao.notifications import services as notifications
from tadiao.org.models import Unit, User

SYSTEM = "系统（每日超期检查）"


class CoordinationError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(CoordinationError):
    def __init__(self):
        super().__init__("该事项已被他人处理或修改，您看到的不是最新状态。请刷新页面后重新操作。")


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
