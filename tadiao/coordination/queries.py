"""Reads of 问题协调与督办: the access gate of problems and supervision items, the lists (problems, inbox,
overdue, supervision, meetings), the calendar, the proposed agenda, and the statistics as pure functions.

Who sees what:
- the office (调度员) and leaders (领导) see every item of their region (by the raising or the lead unit);
- a unit's reporter (填报员) sees the items that involve its unit: raised by it, led or helped by it, or about
  one of its projects. Leaders only read (and write instructions, 批示).

Definitions of the statistics (problems only, supervision items apart), for problems raised in [start, end]
(and not after `as_of`), grouped by their lead unit:
- 办结: resolved (已办结 or 已销号) on or before `as_of`;
- 按期办结: resolved on or before the time limit first given (初始办结时限);
- 办结率 = 办结 / 问题数; 按期办结率 = 按期办结 / 问题数 (a problem still open counts against both);
- 平均办结天数: calendar days from raising to resolution, averaged over the resolved problems;
- 超期: not resolved by `as_of` (no 办结 date, or one after `as_of`) and its first time limit (初始办结时限) before
  `as_of`. A later deadline, set by an escalation or an extension, does not make an item on time again: it stays
  overdue until it is resolved. Escalation itself follows the current deadline (services.run_escalation).

Overdue is judged by dates, not by the current status, so that a figure as of a past day (a month's snapshot,
frozen after the month ended) counts an item overdue then but resolved since. Lists of today's work also keep
to the open statuses (退回 counts as not resolved, as before).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404

from tadiao.attraction.queries import blank_units, visible_units
from tadiao.coordination import workdays
from tadiao.coordination.models import (
    DEFAULT_WORKING_DAYS,
    OPEN_STATUSES,
    Category,
    CategoryDeadline,
    CoordinationSettings,
    Level,
    Meeting,
    Problem,
    Status,
    WorkdayAdjustment,
)
from tadiao.lib.numbers import percent_value
from tadiao.lib.params import int_param
from tadiao.org.models import Region, Unit, User
from tadiao.org.queries import reads_business_data, reads_whole_region, scope_region

# ---------------------------------------------------------------------------------------------------
# Access


def may_read(user: User) -> bool:
    """The business roles read problems; the system and audit administrators do not (三员分立)."""
    return reads_business_data(user)


def require_reader(user: User) -> None:
    if not may_read(user):
        raise PermissionDenied("您的角色不能查看问题协调与督办事项。")


def involving_unit(unit_id: int) -> Q:
    """Items raised, led or helped by the unit, or about one of its projects."""
    helped = Problem.helping_units.through.objects.filter(unit_id=unit_id).values("problem_id")
    return Q(raised_by_unit_id=unit_id) | Q(lead_unit_id=unit_id) | Q(pk__in=helped) | Q(project__unit_id=unit_id)


def handled_by_unit(unit_id: int) -> Q:
    """Items the unit handles: as lead unit or as helping unit."""
    helped = Problem.helping_units.through.objects.filter(unit_id=unit_id).values("problem_id")
    return Q(lead_unit_id=unit_id) | Q(pk__in=helped)


def visible_problems(user: User) -> QuerySet[Problem]:
    """Problems and supervision items the user may read (see the module docstring)."""
    if not may_read(user):
        return Problem.objects.none()
    if reads_whole_region(user):
        region = scope_region(user)
        if region is None:
            return Problem.objects.none()
        return Problem.objects.filter(
            Q(raised_by_unit__region__path__startswith=region.path) | Q(lead_unit__region__path__startswith=region.path)
        )
    return Problem.objects.filter(involving_unit(user.unit_id))


def is_raiser(user: User, problem: Problem) -> bool:
    """The raising side (提出方): the raising unit's reporters, or the office when the office raised it."""
    return bool(
        user.unit_id and user.unit_id == problem.raised_by_unit_id and (user.is_reporter or user.is_coordinator)
    )


def is_handler(user: User, problem: Problem) -> bool:
    """The lead unit's reporters; nobody while a proposed lead unit waits for the office's confirmation."""
    return bool(user.is_reporter and user.unit_id and user.unit_id == problem.lead_unit_id
                and problem.proposed_lead_unit_id is None)


def is_involved(user: User, problem: Problem) -> bool:
    """Reporters (or the office) of a unit that raised, leads or helps, or owns the project."""
    if not (user.unit_id and (user.is_reporter or user.is_coordinator)):
        return False
    if user.unit_id in (problem.raised_by_unit_id, problem.lead_unit_id):
        return True
    if problem.project_id and problem.project.unit_id == user.unit_id:
        return True
    return problem.helping_units.filter(pk=user.unit_id).exists()


def may_write_problem(user: User, problem: Problem) -> bool:
    """The office writes every item it sees; a reporter the items of its unit; leaders only read."""
    return bool(user.is_coordinator or (user.is_reporter and user.unit_id))


def get_problem_for_user(user: User, pk: int, *, write: bool = False) -> Problem:
    """The item, or 404 outside the user's scope; 403 when the user may read but not write (leaders)."""
    require_reader(user)
    problem = (
        visible_problems(user)
        .select_related(
            "project", "project__unit", "raised_by_unit", "raised_by", "lead_unit", "proposed_lead_unit", "meeting",
            "report",
        )
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404("事项不存在或无权查看。")
    if write and not may_write_problem(user, problem):
        raise PermissionDenied("您只能查看该事项，不能办理。")
    return problem


def get_problem_for_instruction(user: User, pk: int) -> Problem:
    """The item a leader instructs on: 404 outside the scope, 403 for anyone but a leader."""
    problem = get_problem_for_user(user, pk)
    if not user.is_leader:
        raise PermissionDenied("只有领导可以作出批示。")
    return problem


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """Meetings are the office's and the leaders' (their region); units see their supervision items instead."""
    if not (user.is_authenticated and reads_whole_region(user)):
        return Meeting.objects.none()
    return Meeting.objects.all()


def require_meeting_reader(user: User) -> None:
    if not (user.is_authenticated and reads_whole_region(user)):
        raise PermissionDenied("会议调度仅供调度员和领导查看。")


def get_meeting_for_user(user: User, pk: int, *, write: bool = False) -> Meeting:
    require_meeting_reader(user)
    meeting = visible_meetings(user).select_related("chair", "created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404("会议不存在。")
    if write and not user.is_coordinator:
        raise PermissionDenied("您只能查看该会议，不能修改。")
    return meeting


def lead_unit_choices(user: User) -> QuerySet[Unit]:
    """Units that may be named lead or helping: the active units of the user's region."""
    region = scope_region(user) if user.is_authenticated else None
    if region is None:
        return Unit.objects.none()
    return Unit.objects.filter(region__path__startswith=region.path, is_active=True).order_by("display_order", "id")


def proposable_lead_units(user: User) -> QuerySet[Unit]:
    """Units a reporter may propose as lead: the active units of the county (区县) its unit belongs to, so a
    township (乡镇) reporter can name a county department; the office confirms the proposal."""
    if not (user.is_authenticated and user.unit_id):
        return Unit.objects.none()
    region = user.unit.region
    while region.level == Region.Level.TOWNSHIP and region.parent_id:
        region = region.parent
    return Unit.objects.filter(region__path__startswith=region.path, is_active=True).order_by("display_order", "id")


# ---------------------------------------------------------------------------------------------------
# Calendar and settings


def adjustments_between(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(WorkdayAdjustment.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """`days` working days after `start` on the calendar held in the database (one query)."""
    adjustments = adjustments_between(start, start + datetime.timedelta(days=days * 2 + 120))
    return workdays.add_working_days(start, days, adjustments)


def coordination_settings() -> CoordinationSettings:
    config, _ = CoordinationSettings.objects.get_or_create(pk=1)
    return config


def category_days() -> dict[str, int]:
    stored = dict(CategoryDeadline.objects.values_list("category", "working_days"))
    return {str(c): stored.get(c, DEFAULT_WORKING_DAYS[c]) for c in Category.values}


# ---------------------------------------------------------------------------------------------------
# Overdue: one rule for the lists, the inbox, the statistics, the snapshot and the agenda.


def not_resolved_by(day: datetime.date) -> Q:
    """Items not resolved (办结) on or before `day`: no resolution date, or a later one."""
    return Q(resolved_date__isnull=True) | Q(resolved_date__gt=day)


def overdue_on(day: datetime.date) -> Q:
    """Items overdue on `day`: not resolved by then, and the time limit first given already passed."""
    return not_resolved_by(day) & Q(first_deadline__lt=day)


# ---------------------------------------------------------------------------------------------------
# Lists

SORTS = {
    "-raised": ("-raised_date", "-id"),
    "raised": ("raised_date", "id"),
    "deadline": ("deadline", "id"),
    "-level": ("-level", "deadline", "id"),
    "unit": ("lead_unit__display_order", "lead_unit_id", "deadline", "id"),
}
SORT_LABELS = {
    "-raised": "提出日期（新→旧）",
    "raised": "提出日期（旧→新）",
    "deadline": "办结时限（近→远）",
    "-level": "协调层级（高→低）",
    "unit": "按牵头单位",
}
STATE_FILTERS = {"open": "未办结", "overdue": "已超期", "due_soon": "临期", "decision": "超期待决定"}


@dataclass
class ProblemFilters:
    """The lists' filters: status, state (open/overdue/due soon), category, level, unit (lead or helping), a
    search over title, description and project; and the sort."""

    status: str = ""
    state: str = ""
    category: str = ""
    level: int | None = None
    unit: int | None = None
    q: str = ""
    sort: str = "-raised"
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "ProblemFilters":
        filters = cls(q=(params.get("q") or "").strip()[:100])
        filters.status = params.get("status", "") if params.get("status", "") in Status.values else ""
        filters.state = params.get("state", "") if params.get("state", "") in STATE_FILTERS else ""
        filters.category = params.get("category", "") if params.get("category", "") in Category.values else ""
        filters.level = int_param(params, "level", filters.invalid, "层级")
        if filters.level is not None and filters.level not in Level.values:
            filters.invalid.append("层级")
            filters.level = None
        filters.unit = int_param(params, "unit", filters.invalid, "单位")
        filters.sort = params.get("sort", "-raised") if params.get("sort", "-raised") in SORTS else "-raised"
        return filters

    def apply(
        self, rows: QuerySet[Problem], *, today: datetime.date, due_soon_end: datetime.date | None = None
    ) -> QuerySet[Problem]:
        """`due_soon_end`: the due-soon window's last day when the caller has it already; otherwise it is read
        here, and only when the state filter needs it (two queries: the settings row and the calendar)."""
        if self.status:
            rows = rows.filter(status=self.status)
        if self.state == "open":
            rows = rows.filter(status__in=OPEN_STATUSES)
        elif self.state == "overdue":
            rows = rows.filter(overdue_on(today), status__in=OPEN_STATUSES)
        elif self.state == "due_soon":
            end = due_soon_end or due_soon_until(today)
            rows = rows.filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=end)
        elif self.state == "decision":
            rows = rows.filter(status__in=OPEN_STATUSES, needs_decision=True)
        if self.category:
            rows = rows.filter(category=self.category)
        if self.level:
            rows = rows.filter(level=self.level)
        if self.unit:
            rows = rows.filter(handled_by_unit(self.unit))
        if self.q:
            rows = rows.filter(
                Q(title__icontains=self.q) | Q(description__icontains=self.q) | Q(project__name__icontains=self.q)
            )
        return rows.order_by(*SORTS[self.sort])


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last deadline that counts as "due soon" (临期) today: the reminder window in working days."""
    return deadline_after(today, coordination_settings().due_soon_days)


def problem_rows(user: User, filters: ProblemFilters, *, kind: str, today: datetime.date) -> QuerySet[Problem]:
    """The filtered items of one kind with what a row shows: one query per page (helping units prefetched)."""
    return (
        filters.apply(visible_problems(user).filter(kind=kind), today=today)
        .select_related("project", "lead_unit", "proposed_lead_unit", "raised_by_unit", "meeting")
        .prefetch_related("helping_units")
    )


def inbox_rows(
    user: User, filters: ProblemFilters, *, today: datetime.date, due_soon_end: datetime.date | None = None
) -> QuerySet[Problem]:
    """My unit's work (我的待办): open items of both kinds the user's unit leads or helps. `due_soon_end` as in
    ProblemFilters.apply."""
    if not (user.is_authenticated and user.unit_id and (user.is_reporter or user.is_coordinator)):
        return Problem.objects.none()
    rows = Problem.objects.filter(handled_by_unit(user.unit_id), status__in=OPEN_STATUSES)
    if filters.sort == "-raised":
        filters.sort = "deadline"  # the inbox's default: most urgent first
    return (
        filters.apply(rows, today=today, due_soon_end=due_soon_end)
        .select_related("project", "lead_unit", "proposed_lead_unit", "raised_by_unit", "meeting")
        .prefetch_related("helping_units")
    )


def inbox_counts(user: User, *, today: datetime.date, due_soon_end: datetime.date | None = None) -> dict:
    """The inbox's three figures in one query: open, due soon, overdue (`due_soon_end` as in
    ProblemFilters.apply)."""
    if not (user.is_authenticated and user.unit_id):
        return {"open": 0, "due_soon": 0, "overdue": 0}
    until = due_soon_end or due_soon_until(today)
    return Problem.objects.filter(handled_by_unit(user.unit_id), status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(deadline__gte=today, deadline__lte=until)),
        overdue=Count("pk", filter=overdue_on(today)),
    )


def overdue_problems(*, as_of: datetime.date, kinds: Iterable[str] = (Problem.Kind.PROBLEM,)) -> QuerySet[Problem]:
    """Items overdue on `as_of` (see `overdue_on`: judged by dates, so `as_of` may be a past day), for the
    snapshot, the bulletin and the dashboard; most overdue first (earliest first time limit), with the project
    and units a row shows. Region-wide: callers scope it."""
    return (
        Problem.objects.filter(overdue_on(as_of), kind__in=list(kinds))
        .select_related("project", "project__unit", "lead_unit", "raised_by_unit")
        .order_by("first_deadline", "lead_unit__display_order", "id")
    )


def history(problem: Problem):
    return problem.events.select_related("by")


def replies(problem: Problem):
    return problem.replies.select_related("author", "unit")


def instructions_for_problem(problem: Problem):
    return problem.instructions.select_related("leader")


def instructions_for_project(project):
    return project.instructions.select_related("leader")


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


# ---------------------------------------------------------------------------------------------------
# Statistics: set-based, pure functions of their arguments.


def _rate(numerator: int, denominator: int) -> str | None:
    value = percent_value(numerator, denominator)
    return None if value is None else str(value)


def _average_days(total: datetime.timedelta | int | None, count: int) -> str | None:
    if not count or total is None:
        return None
    days = total.days if isinstance(total, datetime.timedelta) else int(total)
    return str((Decimal(days) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _figures(row: dict) -> dict:
    return {
        "total": row["total"],
        "resolved": row["resolved"],
        "resolved_on_time": row["on_time"],
        "overdue": row["overdue"],
        "resolution_rate": _rate(row["resolved"], row["total"]),
        "on_time_rate": _rate(row["on_time"], row["total"]),
        "average_days": _average_days(row["days"], row["resolved"]),
    }


def problem_statistics(
    *, units: Iterable[Unit], start: datetime.date, end: datetime.date, as_of: datetime.date
) -> dict:
    """Problems (not supervision items) raised in [start, end] and led by one of `units`, as of `as_of`: totals,
    by category, by level, by lead unit (ranked: 按期办结率, then 办结率, then fewer average days, then unit order).

    JSON-serialisable: rates are percent strings ("58.82") or None for an empty denominator, average days a
    string with two decimals or None. Four GROUP BY queries, whatever the number of problems.
    """
    units = list(units)
    base = Problem.objects.filter(
        kind=Problem.Kind.PROBLEM,
        lead_unit__in=[u.pk for u in units],
        raised_date__gte=start,
        raised_date__lte=min(end, as_of),
    ).order_by()
    done = Q(resolved_date__isnull=False, resolved_date__lte=as_of)
    measures = {
        "total": Count("pk"),
        "resolved": Count("pk", filter=done),
        "on_time": Count("pk", filter=done & Q(resolved_date__lte=F("first_deadline"))),
        "overdue": Count("pk", filter=overdue_on(as_of)),
        "days": Sum(
            ExpressionWrapper(F("resolved_date") - F("raised_date"), output_field=DurationField()), filter=done
        ),
    }
    totals = _figures(base.aggregate(**measures))
    by_category_rows = dict(base.values_list("category").annotate(n=Count("pk")))
    by_level_rows = dict(base.values_list("level").annotate(n=Count("pk")))
    by_unit_rows = {row["lead_unit_id"]: row for row in base.values("lead_unit_id").annotate(**measures)}
    by_unit = [{"unit_id": u.pk, "unit": u.name, **_figures(by_unit_rows[u.pk])} for u in units if u.pk in by_unit_rows]
    order = {u.pk: (u.display_order, u.pk) for u in units}

    def rank_key(row: dict):
        on_time = Decimal(row["on_time_rate"] or "-1")
        resolved = Decimal(row["resolution_rate"] or "-1")
        days = Decimal(row["average_days"]) if row["average_days"] is not None else Decimal("1e9")
        return (-on_time, -resolved, days, order[row["unit_id"]])

    by_unit.sort(key=rank_key)
    for n, row in enumerate(by_unit, start=1):
        row["rank"] = n
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        **totals,
        "by_category": [
            {"category": c.value, "label": c.label, "count": by_category_rows.get(c.value, 0)} for c in Category
        ],
        "by_level": [{"level": lv.value, "label": lv.label, "count": by_level_rows.get(lv.value, 0)} for lv in Level],
        "by_unit": by_unit,
    }


def projects_handled_by_unit(unit_id: int) -> QuerySet:
    """Ids of the projects of the items the unit leads or helps: the projects' access gate lets the unit read
    them (a department handler sees the project a problem is about)."""
    return Problem.objects.filter(handled_by_unit(unit_id), project__isnull=False).values("project_id")


def problems_as_json(*, units: Iterable[Unit], as_of: datetime.date) -> dict:
    """What a snapshot freezes of problem coordination, year to date: {"statistics": problem_statistics(...),
    "by_unit": its rows, "overdue": [the problems and supervision items overdue on `as_of`]}: judged by dates, so a
    month closed after its end still freezes the figures as they were on `as_of`. In an overdue row, "deadline" is
    the time limit first given, which the overdue days count from; "current_deadline" the one in force when frozen
    (later after an escalation or an extension); "status" and "level" are those when frozen, "resolved_date" set
    when the item was resolved after `as_of`. Five queries."""
    units = list(units)
    statistics = problem_statistics(units=units, start=as_of.replace(month=1, day=1), end=as_of, as_of=as_of)
    unit_ids = {u.pk for u in units}
    overdue = overdue_problems(as_of=as_of, kinds=Problem.Kind.values).filter(lead_unit_id__in=unit_ids)
    return {
        "statistics": {key: value for key, value in statistics.items() if key != "by_unit"},
        "by_unit": statistics["by_unit"],
        "overdue": [
            {
                "id": p.pk,
                "kind": p.get_kind_display(),
                "project": p.project.name if p.project else "",
                "title": p.title,
                "lead_unit_id": p.lead_unit_id,
                "lead_unit": p.lead_unit.name,
                "level": p.get_level_display(),
                "status": p.get_status_display(),
                "resolved_date": p.resolved_date.isoformat() if p.resolved_date else None,
                "deadline": p.first_deadline.isoformat(),
                "current_deadline": p.deadline.isoformat(),
                "days_overdue": (as_of - p.first_deadline).days,
            }
            for p in overdue
        ],
    }
