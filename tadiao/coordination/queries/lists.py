"""The lists of problems and supervision items (with their filters and sorts), my unit's work (我的待办), and what
one item's page lists: its history, replies and instructions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from tadiao.coordination.models import OPEN_STATUSES, Category, Level, Problem, Status
from tadiao.coordination.queries.access import handled_by_unit, visible_problems
from tadiao.coordination.queries.calendar_settings import due_soon_until
from tadiao.coordination.queries.overdue import overdue_on
from tadiao.lib.params import int_param
from tadiao.org.models import User

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


def history(problem: Problem):
    return problem.events.select_related("by")


def replies(problem: Problem):
    return problem.replies.select_related("author", "unit")


def instructions_for_problem(problem: Problem):
    return problem.instructions.select_related("leader")


def instructions_for_project(project):
    return project.instructions.select_related("leader")
