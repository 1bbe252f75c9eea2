"""Reads of the organisation, and the scope helpers every access gate builds on."""

from django.db.models import Q, QuerySet

from tadiao.org.models import ROLE_FIELDS, Leader, Region, Role, Unit, User


def root_region() -> Region | None:
    """The deployment's root region (one per deployment)."""
    return Region.objects.filter(parent__isnull=True).order_by("id").first()


def scope_region(user: User) -> Region | None:
    """The region a coordinator or leader oversees: the region of their unit, else the root."""
    if user.unit is not None:  # no query when unit_id is None
        return user.unit.region
    return root_region()


def reads_whole_region(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_leader))


def reads_business_data(user: User) -> bool:
    """The business roles (调度员, 领导, a unit's 填报员) read business data; the system and audit administrators
    do not (三员分立)."""
    return bool(user.is_authenticated and (reads_whole_region(user) or (user.is_reporter and user.unit_id)))


def units_in_scope(user: User) -> QuerySet[Unit]:
    """Units whose business data the user may read: their region's units, or only their own unit."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if reads_whole_region(user) or user.is_sysadmin:
        region = scope_region(user)
        if region is None:
            return Unit.objects.none()
        return Unit.objects.filter(region__path__startswith=region.path)
    if user.is_reporter and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def regions_with_descendants(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path)


def list_regions() -> QuerySet[Region]:
    return Region.objects.select_related("parent").order_by("path")


def region_tree() -> list[tuple[Region, int]]:
    """Every region in tree order with its indentation: 0 for the root's level and above, one more per level."""
    return [(region, max(region.path.count("/") - 2, 0)) for region in list_regions()]


def list_units(*, search: str = "", kind: str = "") -> QuerySet[Unit]:
    units = Unit.objects.select_related("region").order_by("display_order", "id")
    if search:
        units = units.filter(name__icontains=search)
    if kind:
        units = units.filter(kind=kind)
    return units


def list_leaders() -> QuerySet[Leader]:
    return Leader.objects.order_by("display_order", "id")


def list_users(*, search: str = "", role: str = "") -> QuerySet[User]:
    users = User.objects.select_related("unit", "leader").order_by("username")
    if search:
        users = users.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    if role in Role.values:
        users = users.filter(**{ROLE_FIELDS[Role(role)]: True})
    return users
