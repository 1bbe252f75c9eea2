"""Meetings: the list, a meeting's supervision items, and the agenda the office may adopt."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from tadiao.attraction.queries import blank_units, visible_units
from tadiao.coordination.models import OPEN_STATUSES, Level, Meeting, Problem
from tadiao.coordination.queries.access import visible_meetings, visible_problems
from tadiao.coordination.queries.overdue import overdue_on
from tadiao.org.models import User


def meeting_rows(user: User, *, kind: str = "", q: str = "") -> QuerySet[Meeting]:
    rows = visible_meetings(user).select_related("chair").annotate(n_items=Count("supervision_items"))
    if kind in Meeting.Kind.values:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(minutes__icontains=q))
    return rows.order_by("-date", "-id")


def proposed_agenda(user: User, *, as_of: datetime.date, limit: int = 20) -> list[dict]:
    """Agenda items the office may adopt: open problems at level 2 or above or overdue, red-warning projects,
    and the units blank in 招商引资 this year (三项工作 all zero)."""
    from tadiao.indicators import warnings
    from tadiao.projects.queries import visible_projects

    items: list[dict] = []
    problems = (
        visible_problems(user)
        .filter(status__in=OPEN_STATUSES, kind=Problem.Kind.PROBLEM)
        .filter(Q(level__gte=Level.LEADER) | overdue_on(as_of))
        .select_related("project", "lead_unit")
        .order_by("-level", "deadline", "id")[:limit]
    )
    for p in problems:
        state = "超期" if p.first_deadline < as_of else "未办结"
        items.append(
            {
                "kind": "问题",
                "text": f"协调{p.project.name if p.project else ''}“{p.title}”（{p.lead_unit}牵头，"
                f"{p.get_level_display()}，{state}）",
                "problem_id": p.pk,
            }
        )
    rules = warnings.active_rules()
    red = (
        warnings.warned_projects(visible_projects(user), as_of=as_of, rules=rules)
        .filter(light=warnings.RED)
        .select_related("unit")[:limit]
    )
    for project in red:
        items.append(
            {
                "kind": "红灯项目",
                "text": f"推进红灯项目：{project.name}（{project.unit.name}）",
                "project_id": project.pk,
            }
        )
    units = list(visible_units(user))
    for unit in blank_units(units, start=datetime.date(as_of.year, 1, 1), end=as_of)[:limit]:
        items.append({"kind": "招商空白单位", "text": f"督促招商引资空白单位：{unit.name}", "unit_id": unit.pk})
    return items


def picked_agenda(user: User, *, as_of: datetime.date, picks: Iterable[str]) -> list[dict]:
    """The proposed agenda items the office picked (`picks`: their positions in `proposed_agenda`, as sent by the
    form); all of them when none was picked."""
    chosen = set(picks)
    return [item for n, item in enumerate(proposed_agenda(user, as_of=as_of)) if not chosen or str(n) in chosen]


def supervision_items(meeting: Meeting) -> QuerySet[Problem]:
    """The supervision items (督办事项) the meeting decided, in the order they were decided."""
    return meeting.supervision_items.select_related("lead_unit").order_by("id")
