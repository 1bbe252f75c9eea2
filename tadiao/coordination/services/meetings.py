"""Meetings (会议调度): registering and editing them, their agenda, and their decisions, each of which becomes a
supervision item (督办事项) tracked like a problem.
"""

import datetime
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.coordination import queries
from tadiao.coordination.models import AgendaItem, Meeting, Problem
from tadiao.coordination.services.base import (
    ConcurrentEditError,
    _created,
    _helping_besides_lead,
    _require,
    default_working_days,
)
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.org.models import User

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
