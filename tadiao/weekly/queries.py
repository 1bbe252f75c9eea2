"""Reads of 周调度: the settings, the scheduled set (one queryset), the access gate, the week's list, the 周调度
sheet, the units that missed the deadline and a project's weekly timeline.

Access: a unit's reporter reads and writes its own unit's projects only (another unit's project is 404, even one
its unit handles a problem on); leaders read everything in their region; coordinators read and write it.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from tadiao.coordination import queries as coordination
from tadiao.coordination.models import Problem
from tadiao.org.models import User
from tadiao.org.queries import reads_whole_region
from tadiao.projects.models import Project
from tadiao.projects.queries import may_write_project, visible_projects
from tadiao.weekly import weeks
from tadiao.weekly.models import ScopeEntry, WeeklyProblem, WeeklyReport, WeeklySettings
from tadiao.weekly.weeks import Week

DEADLINE_LOOKAHEAD = datetime.timedelta(days=40)  # enough calendar after a week for its latest possible deadline


# ---------------------------------------------------------------------------------------------------
# Settings and the scheduled set


def weekly_settings() -> WeeklySettings:
    config, _ = WeeklySettings.objects.get_or_create(pk=1)
    return config


def scheduled_rule(config: WeeklySettings) -> Q:
    """The rule and its exceptions as one condition on Project, written with subqueries (no joins, no duplicates):
    (a chosen level | has a contact leader | carries a chosen tag | included by hand) and not excluded by hand."""
    rule = Q(pk__in=[])
    if config.levels:
        rule |= Q(level__in=config.levels)
    if config.with_leader:
        rule |= Q(leader__isnull=False)
    chosen_tags = WeeklySettings.tags.through.objects.filter(weeklysettings_id=config.pk).values("tag_id")
    rule |= Exists(Project.tags.through.objects.filter(project_id=OuterRef("pk"), tag_id__in=chosen_tags))
    rule |= Q(pk__in=ScopeEntry.objects.filter(kind=ScopeEntry.Kind.INCLUDE).values("project_id"))
    return rule & ~Q(pk__in=ScopeEntry.objects.filter(kind=ScopeEntry.Kind.EXCLUDE).values("project_id"))


def weekly_projects(*, user: User | None = None, config: WeeklySettings | None = None) -> QuerySet[Project]:
    """The projects scheduled weekly (not cancelled), within the user's weekly scope when a user is given (the
    command line reads them all). One queryset: the settings row is read once, the rest is a single SELECT."""
    config = config or weekly_settings()
    base = Project.objects.all() if user is None else weekly_scope(user)
    return base.filter(scheduled_rule(config), is_cancelled=False)


def week_projects(week: Week, *, user: User | None = None, config: WeeklySettings | None = None) -> QuerySet[Project]:
    """The projects of a week: scheduled now, or reported that week (a project dropped from the schedule later keeps
    its past weeks)."""
    config = config or weekly_settings()
    base = Project.objects.all() if user is None else weekly_scope(user)
    reported = WeeklyReport.objects.filter(project=OuterRef("pk"), week_start=week.start)
    return base.filter((scheduled_rule(config) & Q(is_cancelled=False)) | Exists(reported))


def deadline_for(week: Week, config: WeeklySettings | None = None) -> datetime.date:
    config = config or weekly_settings()
    adjustments = coordination.adjustments_between(week.start, week.end + DEADLINE_LOOKAHEAD)
    return weeks.deadline(week, config.deadline_weekday, adjustments)


def scope_entries(user: User) -> QuerySet[ScopeEntry]:
    """The hand-picked exceptions of the projects in the user's scope."""
    return ScopeEntry.objects.filter(project__in=weekly_scope(user)).select_related(
        "project", "project__unit", "added_by"
    )


def exception_choices(user: User) -> QuerySet[Project]:
    """The projects the office may hand-pick: its region's, not cancelled, in unit order."""
    return weekly_scope(user).filter(is_cancelled=False).only("id", "name").order_by("unit__display_order", "id")


# ---------------------------------------------------------------------------------------------------
# The access gate


def may_read(user: User) -> bool:
    return bool(user.is_authenticated and (reads_whole_region(user) or (user.is_reporter and user.unit_id)))


def require_reader(user: User) -> None:
    if not may_read(user):
        raise PermissionDenied("您的角色不能查看周调度。")


def require_office(user: User) -> None:
    if not user.is_coordinator:
        raise PermissionDenied("该操作需由调度员（重点项目办）完成。")


def weekly_scope(user: User) -> QuerySet[Project]:
    """Projects whose weekly reports the user may read: the region's for the office and leaders, else only the
    projects of the reporter's own unit."""
    projects = visible_projects(user)
    if reads_whole_region(user):
        return projects
    return projects.filter(unit_id=user.unit_id) if user.unit_id else Project.objects.none()


def get_project_for_user(user: User, pk: int, *, write: bool = False) -> Project:
    """The project, or 404 outside the user's weekly scope; 403 when the user may read it but not write."""
    project = weekly_scope(user).select_related("unit", "leader").filter(pk=pk).first()
    if project is None:
        raise Http404("项目不存在或无权查看。")
    if write and not may_write_project(user, project):
        raise PermissionDenied("您只能查看该项目的周报，不能填报。")
    return project


def get_week_project_for_user(
    user: User, pk: int, week: Week, *, write: bool = False, config: WeeklySettings | None = None
) -> Project:
    """The project of that week's report page: in the user's scope and in the week's set, else 404."""
    project = get_project_for_user(user, pk, write=write)
    if not week_projects(week, config=config).filter(pk=project.pk).exists():
        raise Http404("该项目未列入周调度。")
    return project


def report_for(project: Project, week: Week) -> WeeklyReport | None:
    return WeeklyReport.objects.filter(project=project, week_start=week.start).first()


def report_editable(
    user: User, project: Project, week: Week, report: WeeklyReport | None, *, today: datetime.date
) -> bool:
    """Whether the form may be saved: the user writes the project, the week has begun, and its report (if any) is
    still a draft or returned."""
    return bool(
        may_write_project(user, project) and week.start <= today and (report is None or report.is_editable)
    )


def get_report_for_user(user: User, pk: int, *, write: bool = False) -> WeeklyReport:
    report = WeeklyReport.objects.select_related("project").filter(pk=pk).first()
    if report is None:
        raise Http404("周报不存在或无权查看。")
    get_project_for_user(user, report.project_id, write=write)
    return report


def report_problems(report: WeeklyReport | None) -> list[Problem]:
    if report is None:
        return []
    return [link.problem for link in report.problem_links.select_related("problem", "problem__lead_unit")]


# ---------------------------------------------------------------------------------------------------
# The week's list


def week_rows(user: User, week: Week, *, status: str = "", config: WeeklySettings | None = None) -> QuerySet[Project]:
    """The week's projects in the user's scope, in unit order; `status` filters by the week's report status
    ("MISSING": no report yet)."""
    rows = week_projects(week, user=user, config=config).select_related("unit")
    rows = rows.order_by("unit__display_order", "unit_id", "id")
    if status == "MISSING":
        rows = rows.exclude(Exists(WeeklyReport.objects.filter(project=OuterRef("pk"), week_start=week.start)))
    elif status in WeeklyReport.Status.values:
        rows = rows.filter(
            Exists(WeeklyReport.objects.filter(project=OuterRef("pk"), week_start=week.start, status=status))
        )
    return rows


def reports_of(week: Week, project_ids: list[int]) -> dict[int, WeeklyReport]:
    """The week's reports of the given projects, by project id (one query)."""
    return {r.project_id: r for r in WeeklyReport.objects.filter(week_start=week.start, project_id__in=project_ids)}


# ---------------------------------------------------------------------------------------------------
# Missed deadline and the sheet


def late_projects(week: Week, *, deadline: datetime.date, today: datetime.date, user: User | None = None,
                  config: WeeklySettings | None = None) -> QuerySet[Project]:
    """The week's projects with no report first sent on or before the deadline, once the deadline has passed."""
    if today <= deadline:
        return Project.objects.none()
    on_time = WeeklyReport.objects.filter(
        project=OuterRef("pk"), week_start=week.start, first_submitted_date__lte=deadline
    )
    return week_projects(week, user=user, config=config).filter(~Exists(on_time))


def missed_units(week: Week, *, deadline: datetime.date, today: datetime.date, user: User | None = None,
                 config: WeeklySettings | None = None) -> list[dict]:
    """Units that missed the weekly deadline, each with how many of its projects were late: [{"unit_id",
    "unit__name", "late"}], in unit order (one query)."""
    late = late_projects(week, deadline=deadline, today=today, user=user, config=config)
    return list(
        late.order_by()
        .values("unit_id", "unit__name", "unit__display_order")
        .annotate(late=Count("id"))
        .order_by("unit__display_order", "unit_id")
    )


@dataclass
class Sheet:
    """The 周调度 sheet of a week, as the HTML page, the .xlsx and the .docx show it."""

    week: Week
    deadline: datetime.date
    as_of: datetime.date
    deadline_passed: bool
    reported: list[WeeklyReport] = field(default_factory=list)
    missing: list[Project] = field(default_factory=list)
    new_problems: list[Problem] = field(default_factory=list)
    overdue_problems: list[Problem] = field(default_factory=list)
    missed_units: list[dict] = field(default_factory=list)
    # A project's missing row says why: no report at all, a draft not sent, or returned and not sent again.
    missing_status: dict[int, str] = field(default_factory=dict)

    @property
    def scheduled_count(self) -> int:
        return len(self.reported) + len(self.missing)


def weekly_sheet(*, week: Week, today: datetime.date, user: User | None = None) -> Sheet:
    """The week's sheet for the weekly meeting: each reported project's progress (submitted reports), the projects
    with no submitted report, the problems raised during the week and the problems overdue at the week's end (or
    today, for the running week) — all of the week's projects in the user's scope — and the units that missed the
    deadline. A fixed number of queries whatever the number of projects."""
    config = weekly_settings()
    deadline = deadline_for(week, config)
    as_of = min(week.end, today)
    projects = week_projects(week, user=user, config=config)
    reported = list(
        WeeklyReport.objects.filter(week_start=week.start, status=WeeklyReport.Status.SUBMITTED, project__in=projects)
        .select_related("project", "project__unit")
        .prefetch_related(Prefetch("problem_links", queryset=WeeklyProblem.objects.select_related("problem")))
        .order_by("project__unit__display_order", "project__unit_id", "project_id")
    )
    sent = WeeklyReport.objects.filter(
        project=OuterRef("pk"), week_start=week.start, status=WeeklyReport.Status.SUBMITTED
    )
    missing = list(
        projects.filter(~Exists(sent)).select_related("unit").order_by("unit__display_order", "unit_id", "id")
    )
    unsent = WeeklyReport.objects.filter(week_start=week.start, project_id__in=[p.pk for p in missing])
    missing_status = {pk: label for pk, label in _unsent_labels(unsent)}
    problems = Problem.objects.filter(kind=Problem.Kind.PROBLEM, project__in=projects).select_related(
        "project", "lead_unit"
    )
    new_problems = list(
        problems.filter(raised_date__gte=week.start, raised_date__lte=as_of).order_by("raised_date", "id")
    )
    overdue_problems = list(
        problems.filter(coordination.overdue_on(as_of), raised_date__lte=as_of).order_by("first_deadline", "id")
    )
    return Sheet(
        week=week,
        deadline=deadline,
        as_of=as_of,
        deadline_passed=today > deadline,
        reported=reported,
        missing=missing,
        new_problems=new_problems,
        overdue_problems=overdue_problems,
        missed_units=missed_units(week, deadline=deadline, today=today, user=user, config=config),
        missing_status=missing_status,
    )


def _unsent_labels(reports: QuerySet[WeeklyReport]):
    labels = {WeeklyReport.Status.DRAFT: "草稿未报送", WeeklyReport.Status.RETURNED: "已退回待重报"}
    for pk, status in reports.values_list("project_id", "status"):
        yield pk, labels.get(status, "")


# ---------------------------------------------------------------------------------------------------
# A project's timeline

TIMELINE_WEEKS = 26


@dataclass
class TimelineWeek:
    week: Week
    report: WeeklyReport | None
    problems: list[Problem]


def timeline(project: Project, *, last: Week, weeks_back: int = TIMELINE_WEEKS) -> list[TimelineWeek]:
    """The project's weeks from `last` back `weeks_back` weeks, newest first, each with its report (or None) and
    the problems raised from it; weeks before the project's first report are left out (two queries)."""
    first = Week(last.start - datetime.timedelta(days=7 * (weeks_back - 1)))
    reports = {
        r.week_start: r
        for r in WeeklyReport.objects.filter(project=project, week_start__gte=first.start, week_start__lte=last.start)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("problem_links", queryset=WeeklyProblem.objects.select_related("problem", "problem__lead_unit"))
        )
    }
    if not reports:
        return []
    earliest = min(reports)
    rows = []
    week = last
    while week.start >= earliest:
        report = reports.get(week.start)
        rows.append(TimelineWeek(week, report, [link.problem for link in report.problem_links.all()] if report else []))
        week = week.previous()
    return rows
