"""The life of a problem (问题诉求): raised (提出; a reporter may propose the lead unit, 建议牵头单位), assigned
(交办), accepted (受理), replied to, resolved (办结), returned (退回) and resubmitted, closed (销号) or reopened,
and its deadline extended (延期). Escalation is in `escalation`; supervision items are created in `meetings`
and then follow the same transitions.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.coordination import queries
from tadiao.coordination.models import DONE_STATUSES, OPEN_STATUSES, Problem, Reply, Status
from tadiao.coordination.services.base import (
    _created,
    _handling_units,
    _helping_besides_lead,
    _notify,
    _require,
    _require_status,
    _transition,
    default_working_days,
)
from tadiao.org.models import Unit, User
from tadiao.projects.models import Project


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
