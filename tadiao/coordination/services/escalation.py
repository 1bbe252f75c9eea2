"""Escalation (升级协调): one code path for problems and supervision items, manual (the office) or daily (the
job, `run_escalation`), with the due-soon reminders (临期提醒) of the daily run.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q

from tadiao.coordination import queries
from tadiao.coordination.models import OPEN_STATUSES, CoordinationSettings, Level, Problem
from tadiao.coordination.services.base import (
    CoordinationError,
    _coordinators,
    _handling_units,
    _involved_units,
    _leaders_in_scope,
    _notify,
    _require,
    _require_status,
    _transition,
    default_working_days,
)
from tadiao.notifications import webhooks
from tadiao.org.models import User

logger = logging.getLogger(__name__)


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
    webhooks.emit(event="problem.escalated", data={
        "problem_id": problem.pk, "kind": problem.kind, "title": problem.title, "project_id": problem.project_id,
        "lead_unit_id": problem.lead_unit_id, "from_level": new_level - 1, "to_level": new_level,
        "deadline": deadline, "by": "office" if by is not None and by.is_authenticated else "daily_job",
    })
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
