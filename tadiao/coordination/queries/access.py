"""The access gates of 问题协调与督办: problems and supervision items, meetings, and the units a user may
name as lead.

Who sees what:
- the office (调度员) and leaders (领导) see every item of their region (by the raising or the lead unit);
- a unit's reporter (填报员) sees the items that involve its unit: raised by it, led or helped by it, or about
  one of its projects. Leaders only read (and write instructions, 批示).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from tadiao.coordination.models import Attachment, Meeting, Problem, Status
from tadiao.org.models import Region, Unit, User
from tadiao.org.queries import reads_business_data, reads_whole_region, scope_region


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


def get_problem_for_assignment(user: User, pk: int) -> Problem:
    """The item the office assigns (交办): 404 outside the scope, 403 for anyone but the office."""
    problem = get_problem_for_user(user, pk, write=True)
    if not user.is_coordinator:
        raise PermissionDenied("只有调度员（重点项目办）可以交办。")
    return problem


def may_handle(user: User, problem: Problem) -> bool:
    """The lead unit's reporters (see is_handler) and the office: they accept, resolve and return."""
    return is_handler(user, problem) or user.is_coordinator


def may_reply(user: User, problem: Problem) -> bool:
    """Anyone involved and the office, until the item is closed (销号) — the rule services.reply enforces."""
    return (is_involved(user, problem) or user.is_coordinator) and problem.status != Status.CLOSED


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """An attachment, read through its item's gate: 404 when the attachment or the item is out of reach."""
    item = get_object_or_404(Attachment.objects.only("pk", "problem_id", "file", "original_name"), pk=pk)
    get_problem_for_user(user, item.problem_id)
    return item


def may_raise_problem(user: User, project) -> bool:
    """The office raises a problem on any project it sees; a unit's reporter on its own unit's projects (the rule
    services.raise_problem enforces)."""
    return bool(user.is_coordinator or (user.is_reporter and project.unit_id == user.unit_id))


def get_project_for_raising(user: User, project_pk: int):
    """The project a problem is raised on: 404 outside the user's scope, 403 unless `may_raise_problem`."""
    from tadiao.projects.queries import get_project_for_user  # projects' gate reads coordination's (a cycle)

    require_reader(user)
    project = get_project_for_user(user, project_pk)
    if not may_raise_problem(user, project):
        raise PermissionDenied("只能为本单位的项目提出问题。")
    return project


def report_for_raising(project, report_pk: int):
    """The monthly report a problem is raised from, when it is one of the project's; None otherwise."""
    return project.monthly_reports.filter(pk=report_pk).first()


def get_project_for_instruction(user: User, project_pk: int):
    """The project a leader instructs on: 404 outside the scope, 403 for anyone but a leader."""
    from tadiao.projects.queries import get_project_for_user  # projects' gate reads coordination's (a cycle)

    project = get_project_for_user(user, project_pk)
    if not user.is_leader:
        raise PermissionDenied("只有领导可以作出批示。")
    return project


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


def require_meeting_writer(user: User) -> None:
    """Registering a meeting: the office only (others who read meetings get 403)."""
    require_meeting_reader(user)
    if not user.is_coordinator:
        raise PermissionDenied("只有调度员可以登记会议。")


def get_meeting_for_user(user: User, pk: int, *, write: bool = False) -> Meeting:
    require_meeting_reader(user)
    meeting = visible_meetings(user).select_related("chair", "created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404("会议不存在。")
    if write and not user.is_coordinator:
        raise PermissionDenied("您只能查看该会议，不能修改。")
    return meeting


def require_inbox_user(user: User) -> None:
    """My unit's work (我的待办) is for the units' reporters and the office."""
    require_reader(user)
    if not (user.unit_id and (user.is_reporter or user.is_coordinator)):
        raise PermissionDenied("我的待办仅供单位填报员和调度员使用。")


def require_statistics_reader(user: User) -> None:
    """问题统计 is for the office and the leaders."""
    require_reader(user)
    if not (user.is_coordinator or user.is_leader):
        raise PermissionDenied("问题统计仅供调度员和领导查看。")


def require_office(user: User) -> None:
    """The calendar's and the settings' writes: the office only."""
    require_reader(user)
    if not user.is_coordinator:
        raise PermissionDenied("只有调度员可以维护节假日安排和办结时限。")


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


def lead_unit_options(user: User) -> QuerySet[Unit]:
    """The lead units offered when raising a problem: the office names any unit of its region; a reporter proposes
    one of its county's (its own unit first, the default)."""
    return lead_unit_choices(user) if user.is_coordinator else proposable_lead_units(user)


def projects_handled_by_unit(unit_id: int) -> QuerySet:
    """Ids of the projects of the items the unit leads or helps: the projects' access gate lets the unit read
    them (a department handler sees the project a problem is about)."""
    return Problem.objects.filter(handled_by_unit(unit_id), project__isnull=False).values("project_id")
