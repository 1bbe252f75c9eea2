"""The access gates of 招商引资: who reads it, which units, trips and leads a user sees, and the
get_*_for_user gates (404 outside the scope, 403 on a write the user may not make)."""


from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tadiao.attraction.models import Lead, Trip
from tadiao.org.models import Unit, User
from tadiao.org.queries import reads_business_data, reads_whole_region, scope_region
from tadiao.projects.models import Project
from tadiao.projects.queries import may_write_project, visible_projects


def may_read(user: User) -> bool:
    """The business roles read 招商引资; the system and audit administrators do not (三员分立)."""
    return reads_business_data(user)


def require_reader(user: User) -> None:
    if not may_read(user):
        raise PermissionDenied("您的角色不能查看招商引资数据。")


def visible_units(user: User) -> QuerySet[Unit]:
    """The active units whose 招商引资 the user reads: their region's, or only their own unit's."""
    if not may_read(user):
        return Unit.objects.none()
    if reads_whole_region(user):
        region = scope_region(user)
        if region is None:
            return Unit.objects.none()
        return Unit.objects.filter(region__path__startswith=region.path, is_active=True).order_by("display_order", "id")
    return Unit.objects.filter(pk=user.unit_id).order_by("display_order", "id")


def visible_trips(user: User) -> QuerySet[Trip]:
    """Trips the user may read: their region's for coordinators and leaders, else their own unit's."""
    if not may_read(user):
        return Trip.objects.none()
    if reads_whole_region(user):
        region = scope_region(user)
        if region is None:
            return Trip.objects.none()
        return Trip.objects.filter(unit__region__path__startswith=region.path)
    return Trip.objects.filter(unit_id=user.unit_id)


def may_create_trips(user: User) -> bool:
    return bool(user.is_coordinator or (user.is_reporter and user.unit_id))


def may_write_trip(user: User, trip: Trip) -> bool:
    """Coordinators write every trip they see; a reporter its own unit's; leaders only read."""
    return bool(user.is_coordinator or (user.is_reporter and trip.unit_id == user.unit_id))


def get_trip_for_user(user: User, pk: int, *, write: bool = False) -> Trip:
    """The trip, or 404 outside the user's scope; 403 when the user may read it but not write (and for the
    administrators, who read no 招商引资)."""
    require_reader(user)
    trip = visible_trips(user).select_related("unit", "created_by").filter(pk=pk).first()
    if trip is None:
        raise Http404("外出招商记录不存在或无权查看。")
    if write and not may_write_trip(user, trip):
        raise PermissionDenied("您只能查看该外出招商记录，不能修改。")
    return trip


def units_for_trip_form(user: User) -> QuerySet[Unit]:
    """The units a user may record trips for."""
    if user.is_coordinator:
        return visible_units(user)
    if user.is_reporter and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def visible_leads(user: User) -> QuerySet[Lead]:
    """Leads of the projects the user may read (the projects' access gate decides)."""
    if not may_read(user):
        return Lead.objects.none()
    return Lead.objects.filter(project__in=visible_projects(user).values("pk"))


def get_lead_for_user(user: User, pk: int, *, write: bool = False) -> Lead:
    """The lead, or 404 outside the user's scope; 403 when the user may read it but not write (and for the
    administrators)."""
    require_reader(user)
    lead = visible_leads(user).select_related("project", "project__unit", "industry").filter(pk=pk).first()
    if lead is None:
        raise Http404("招商线索不存在或无权查看。")
    if write and not may_write_project(user, lead.project):
        raise PermissionDenied("您只能查看该招商线索，不能修改。")
    return lead


def get_project_for_recognition(user: User, pk: int, *, write: bool = False) -> Project:
    """A signed project, or 404 outside the scope (or not signed); 403 on a decision by anyone but the office."""
    require_reader(user)
    project = visible_projects(user).select_related("unit").filter(pk=pk, signed_date__isnull=False).first()
    if project is None:
        raise Http404("签约项目不存在或无权查看。")
    if write and not user.is_coordinator:
        raise PermissionDenied("签约项目认定只能由调度员（重点项目办）操作。")
    return project
