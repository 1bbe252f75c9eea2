"""Reads of 招商引资: the access gates, the trip / lead / recognition lists, and the three work items (三项工作)
computed set-based per unit, with the pure comparisons between snapshots (零的突破, 连续空白).

Definitions used throughout (shown on the 三项工作 page too):

- a **trip** counts in a period when its departure date (出发日期) is in the period;
- a **lead** counts in a period when it was in talks at some time in the period — talks began (开始接洽日期) on
  or before the period's last day and had not ended (流失 or 签约, 结束日期) before its first day — or when it
  has a follow-up dated in the period;
- a **signed project** counts when its signing date (签约日期) is in the period and it has not been rejected
  (不予认定): 已认定 and 待认定 projects count (issue 4.3: rejected ones do not). Its signed investment is the
  project's 总投资.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from tadiao.attraction.models import FollowUp, Lead, Likelihood, Rank, Recognition, Trip
from tadiao.lib.params import date_param, int_param
from tadiao.org.models import Unit, User
from tadiao.org.queries import reads_business_data, reads_whole_region, scope_region
from tadiao.projects.models import Project, Stage
from tadiao.projects.queries import may_write_project, visible_projects

ZERO_ITEMS = {"trips": 0, "leads": 0, "signed": 0, "signed_investment": None}

# ---------------------------------------------------------------------------------------------------
# Access


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


# ---------------------------------------------------------------------------------------------------
# Query-string helpers: unknown or malformed values are ignored (and listed), never an error page.


# ---------------------------------------------------------------------------------------------------
# Trips

TRIP_SORTS = {
    "-departure": ("-departure_date", "-id"),
    "departure": ("departure_date", "id"),
    "unit": ("unit__display_order", "unit_id", "-departure_date", "-id"),
    "rank": ("rank", "-departure_date", "-id"),
    "destination": ("destination", "-departure_date", "-id"),
}
TRIP_SORT_LABELS = {
    "-departure": "出发日期（新→旧）",
    "departure": "出发日期（旧→新）",
    "unit": "按单位",
    "rank": "职级",
    "destination": "目的地",
}


@dataclass
class TripFilters:
    """The trip list's filters: unit, departure between two dates, rank, a search over destination, cadre
    and firms visited; and the sort."""

    unit: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    rank: str = ""
    q: str = ""
    sort: str = "-departure"
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "TripFilters":
        filters = cls(q=(params.get("q") or "").strip()[:100])
        filters.unit = int_param(params, "unit", filters.invalid, "单位")
        filters.start = date_param(params, "start", filters.invalid, "起始日期")
        filters.end = date_param(params, "end", filters.invalid, "截止日期")
        rank = params.get("rank", "")
        filters.rank = rank if rank in Rank.values else ""
        sort = params.get("sort", "-departure")
        filters.sort = sort if sort in TRIP_SORTS else "-departure"
        return filters

    def apply(self, trips: QuerySet[Trip]) -> QuerySet[Trip]:
        if self.unit:
            trips = trips.filter(unit_id=self.unit)
        if self.start:
            trips = trips.filter(departure_date__gte=self.start)
        if self.end:
            trips = trips.filter(departure_date__lte=self.end)
        if self.rank:
            trips = trips.filter(rank=self.rank)
        if self.q:
            q = self.q
            trips = trips.filter(
                Q(destination__icontains=q) | Q(leading_cadre__icontains=q) | Q(firms_visited__icontains=q)
            )
        return trips.order_by(*TRIP_SORTS[self.sort])


def trip_rows(user: User, filters: TripFilters) -> QuerySet[Trip]:
    """The filtered trips with their unit: one query per page whatever its length."""
    return filters.apply(visible_trips(user)).select_related("unit")


# ---------------------------------------------------------------------------------------------------
# Leads


def last_follow_up_subquery(*, as_of: datetime.date | None = None) -> Subquery:
    """The date of a lead's last follow-up (on or before `as_of`), from the log: never stored, never stale."""
    log = FollowUp.objects.filter(lead=OuterRef("pk"))
    if as_of is not None:
        log = log.filter(date__lte=as_of)
    return Subquery(log.order_by().values("lead").annotate(last=Max("date")).values("last")[:1])


def _open_on(day: datetime.date) -> Q:
    """The lead was open on `day`: talks had begun and had not ended (closed on a later day, or not at all)."""
    return Q(start_date__lte=day) & (Q(closed_date__isnull=True) | Q(closed_date__gt=day))


def _stale(*, as_of: datetime.date, days: int, strict: bool = True) -> Q:
    """Open on `as_of`, talks begun more than `days` days before, and no follow-up in the last `days` days;
    a cancelled project (终止) is left out: there is nothing left to follow up.

    With days=30: a last follow-up 31 days before `as_of` is stale, 30 days before is not. With strict=False
    the bound is included (30 days before is stale too): the warning rules' yellow threshold ("at least").
    """
    cutoff = as_of - datetime.timedelta(days=days)
    if strict:
        recent = FollowUp.objects.filter(lead=OuterRef("pk"), date__gte=cutoff, date__lte=as_of)
        begun = Q(start_date__lt=cutoff)
    else:
        recent = FollowUp.objects.filter(lead=OuterRef("pk"), date__gt=cutoff, date__lte=as_of)
        begun = Q(start_date__lte=cutoff)
    return _open_on(as_of) & begun & Q(project__is_cancelled=False) & ~Exists(recent)


def stale_lead_exists(*, as_of: datetime.date, days: int, strict: bool) -> Exists:
    """For a Project queryset: its lead has gone `days` days (strict: more than) without a follow-up on `as_of`.
    The warning rule engine's measure 招商线索无跟进天数 is built on this."""
    return Exists(Lead.objects.filter(_stale(as_of=as_of, days=days, strict=strict), project=OuterRef("pk")))


def last_follow_up_or_start(*, as_of: datetime.date) -> Coalesce:
    """For a Project queryset: the date talks were last followed up on or before `as_of` — the last follow-up,
    else the day talks began (None without a lead). Used to say "已 N 天无跟进"."""
    last = FollowUp.objects.filter(lead__project=OuterRef("pk"), date__lte=as_of)
    last = last.order_by().values("lead").annotate(m=Max("date")).values("m")[:1]
    began = Lead.objects.filter(project=OuterRef("pk")).values("start_date")[:1]
    return Coalesce(Subquery(last), Subquery(began))


def leads_without_follow_up(projects: QuerySet[Project], *, as_of: datetime.date, days: int = 30) -> QuerySet[Project]:
    """The projects (of `projects`) whose lead has had no follow-up for more than `days` days on `as_of`
    (一月内无进度更新须说明原因): set-based, one query when evaluated.

    A lead counts when it is open on `as_of` (talks begun on or before it, not lost or signed by then) and its
    talks began more than `days` days before; its last follow-up is then older than `days` days, or it has
    none. A cancelled project (终止) raises no such warning: there is nothing left to follow up.
    """
    stale = Lead.objects.filter(_stale(as_of=as_of, days=days))
    return projects.filter(Exists(stale.filter(project=OuterRef("pk"))))


LEAD_SORTS = {
    "unit": ("project__unit__display_order", "project__unit_id", "project_id"),
    "-last": (F("last_follow_up_date").desc(nulls_last=True), "project_id"),
    "last": (F("last_follow_up_date").asc(nulls_first=True), "project_id"),
    "-investment": (F("intended_investment").desc(nulls_last=True), "project_id"),
    "start": ("start_date", "project_id"),
}
LEAD_SORT_LABELS = {
    "unit": "按单位",
    "last": "最近跟进（久→近）",
    "-last": "最近跟进（近→久）",
    "-investment": "意向投资额（高→低）",
    "start": "开始接洽日期",
}


@dataclass
class LeadFilters:
    """The lead list's filters: unit, status, likelihood, "no follow-up for more than N days", a search over
    the project name and the investor; and the sort."""

    unit: int | None = None
    status: str = ""
    likelihood: str = ""
    stale_days: int | None = None
    q: str = ""
    sort: str = "unit"
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params) -> "LeadFilters":
        filters = cls(q=(params.get("q") or "").strip()[:100])
        filters.unit = int_param(params, "unit", filters.invalid, "单位")
        filters.stale_days = int_param(params, "stale", filters.invalid, "未跟进天数")
        if filters.stale_days is not None and not 0 <= filters.stale_days <= 3650:
            filters.invalid.append("未跟进天数")
            filters.stale_days = None
        status = params.get("status", "")
        filters.status = status if status in Lead.Status.values else ""
        likelihood = params.get("likelihood", "")
        filters.likelihood = likelihood if likelihood in Likelihood.values else ""
        sort = params.get("sort", "unit")
        filters.sort = sort if sort in LEAD_SORTS else "unit"
        return filters

    def apply(self, leads: QuerySet[Lead], *, as_of: datetime.date) -> QuerySet[Lead]:
        if self.unit:
            leads = leads.filter(project__unit_id=self.unit)
        if self.status:
            leads = leads.filter(status=self.status)
        if self.likelihood:
            leads = leads.filter(likelihood=self.likelihood)
        if self.stale_days is not None:
            leads = leads.filter(_stale(as_of=as_of, days=self.stale_days))
        if self.q:
            leads = leads.filter(Q(project__name__icontains=self.q) | Q(investor__icontains=self.q))
        return leads.order_by(*LEAD_SORTS[self.sort])


def lead_rows(user: User, filters: LeadFilters, *, as_of: datetime.date) -> QuerySet[Lead]:
    """The filtered leads with their project, unit and industry, the derived last follow-up date and the
    latest entry of the log: one query per page whatever its length."""
    latest = FollowUp.objects.filter(lead=OuterRef("pk")).order_by("-date", "-id")
    return (
        filters.apply(visible_leads(user).annotate(last_follow_up_date=last_follow_up_subquery()), as_of=as_of)
        .select_related("project", "project__unit", "industry")
        .annotate(latest_content=Subquery(latest.values("content")[:1]))
    )


def follow_up_log(lead: Lead) -> QuerySet[FollowUp]:
    return lead.follow_ups.select_related("by").order_by("-date", "-id")


def negotiating_without_lead(user: User) -> QuerySet[Project]:
    """Visible projects at 在谈 whose lead is not registered yet (so the unit can register it)."""
    return (
        visible_projects(user)
        .filter(stage=Stage.NEGOTIATING, lead__isnull=True)
        .select_related("unit")
        .order_by("unit__display_order", "id")
    )


def lead_filter_units(user: User) -> list[Unit]:
    return list(visible_units(user).only("id", "name"))


# ---------------------------------------------------------------------------------------------------
# Recognition (认定)

RECOGNITION_FILTERS = dict(Recognition.Status.choices)


def recognition_status_expr():
    """A signed project's recognition status; no row is 待认定."""
    return Coalesce(F("recognition__status"), Value(Recognition.Status.PENDING))


def signed_project_rows(
    user: User,
    *,
    unit_id: int | None = None,
    status: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Project]:
    """The visible signed projects (签约日期 set) with their recognition: one query per page."""
    projects = visible_projects(user).filter(signed_date__isnull=False) if may_read(user) else Project.objects.none()
    if unit_id:
        projects = projects.filter(unit_id=unit_id)
    if start:
        projects = projects.filter(signed_date__gte=start)
    if end:
        projects = projects.filter(signed_date__lte=end)
    projects = projects.select_related("unit", "recognition", "recognition__decided_by").annotate(
        recognition_status=recognition_status_expr()
    )
    if status in RECOGNITION_FILTERS:
        projects = projects.filter(recognition_status=status)
    return projects.order_by("-signed_date", "id")


# ---------------------------------------------------------------------------------------------------
# The three work items (三项工作)


def lead_active_in(*, start: datetime.date, end: datetime.date) -> Q:
    """A lead active in the period: in talks at some time in it, or followed up in it (see the module doc)."""
    in_talks = Q(start_date__lte=end) & (Q(closed_date__isnull=True) | Q(closed_date__gte=start))
    followed = Exists(FollowUp.objects.filter(lead=OuterRef("pk"), date__gte=start, date__lte=end))
    return in_talks | Q(followed)


def work_items(units: Iterable[Unit], *, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Each unit's three work items for the period [start, end], both days included:

    {unit_id: {"trips": n, "leads": n, "signed": n, "signed_investment": Decimal | None}} — every unit of
    `units` is present, zeros included (signed_investment is None when nothing was signed).

    - trips: trips departing in the period;
    - leads: leads active in the period — in talks at some time in it (talks began on or before `end`, and
      had not been lost or signed before `start`) or followed up in it;
    - signed: projects signed in the period (签约日期) not rejected (不予认定), with the sum of their 总投资.

    Three GROUP BY unit queries, whatever the number of units or rows (plus one when `units` is a queryset
    not yet evaluated).
    """
    ids = [u.pk for u in units]
    result = {pk: dict(ZERO_ITEMS) for pk in ids}
    if not ids:
        return result
    trips = (
        Trip.objects.filter(unit_id__in=ids, departure_date__gte=start, departure_date__lte=end)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in trips:
        result[row["unit_id"]]["trips"] = row["n"]
    leads = (
        Lead.objects.filter(project__unit_id__in=ids)
        .filter(lead_active_in(start=start, end=end))
        .order_by()
        .values("project__unit_id")
        .annotate(n=Count("pk"))
    )
    for row in leads:
        result[row["project__unit_id"]]["leads"] = row["n"]
    signed = (
        Project.objects.filter(unit_id__in=ids, signed_date__gte=start, signed_date__lte=end)
        .exclude(recognition__status=Recognition.Status.REJECTED)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    )
    for row in signed:
        result[row["unit_id"]]["signed"] = row["n"]
        result[row["unit_id"]]["signed_investment"] = row["investment"]
    return result


def is_blank(items: dict) -> bool:
    """空白: no trip, no lead and no signed project (rejected ones aside)."""
    return not (items["trips"] or items["leads"] or items["signed"])


def blank_units(
    units: Iterable[Unit], *, start: datetime.date, end: datetime.date, items: dict[int, dict] | None = None
) -> list[Unit]:
    """The units with all three work items zero in the period, in the configured unit order (排序, then id).

    Pass `items` (work_items' result for the same units and period) to avoid computing it again.
    """
    units = list(units)
    if items is None:
        items = work_items(units, start=start, end=end)
    blank = [u for u in units if is_blank(items[u.pk])]
    return sorted(blank, key=lambda u: (u.display_order, u.pk))


def broke_zero(previous_blank_ids: Iterable[int], current_blank_ids: Iterable[int], *,
               among: Iterable[int] | None = None) -> set[int]:
    """零的突破: the units blank in the previous snapshot and no longer blank now.

    `among` (optional): the units that exist now; a unit blank before but since removed or deactivated has
    not broken zero, so pass the current unit ids when some may have gone.
    """
    broke = set(previous_blank_ids) - set(current_blank_ids)
    return broke if among is None else broke & set(among)


def blank_streaks(history: list[set[int]], current: set[int]) -> dict[int, int]:
    """连续N次榜上有名: for each unit blank now, the number of consecutive snapshots ending now in which it
    was blank, the current one included (1: blank now, not in the previous snapshot).

    `history` holds the earlier snapshots' blank unit ids, oldest first; the last element is the snapshot
    just before the current one.
    """
    streaks = {}
    for unit_id in current:
        n = 1
        for earlier in reversed(history):
            if unit_id not in earlier:
                break
            n += 1
        streaks[unit_id] = n
    return streaks


WORK_ITEM_SORTS = {
    "unit": "按单位排序",
    "-trips": "外出招商（多→少）",
    "-leads": "招商线索（多→少）",
    "-signed": "签约项目（多→少）",
    "-signed_investment": "签约投资（高→低）",
    "trips": "外出招商（少→多）",
    "leads": "招商线索（少→多）",
    "signed": "签约项目（少→多）",
}


def work_item_rows(units: list[Unit], items: dict[int, dict], *, sort: str = "unit") -> list[dict]:
    """The table's rows, sorted by one column; ties (and the default) in the configured unit order."""
    rows = [{"unit": u, **items[u.pk], "blank": is_blank(items[u.pk])} for u in units]
    rows.sort(key=lambda r: (r["unit"].display_order, r["unit"].pk))
    key = sort.lstrip("-")
    if sort in WORK_ITEM_SORTS and key != "unit":
        # Stable sort: equal values keep the unit order. None (no signed investment) sorts as zero.
        rows.sort(key=lambda r: r[key] or 0, reverse=sort.startswith("-"))
    return rows


def _money(value) -> str | None:
    """万元 as a string with two decimals (SQLite's sums come back without them)."""
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")


def work_items_as_json(units: list[Unit], *, start: datetime.date, end: datetime.date) -> dict:
    """The work items of `units` for the period as JSON (snapshots, the CLI): a fixed number of queries."""
    items = work_items(units, start=start, end=end)
    totals = work_item_totals(items)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "totals": {**totals, "signed_investment": _money(totals["signed_investment"])},
        "units": [
            {"id": u.pk, "name": u.name, **items[u.pk], "signed_investment": _money(items[u.pk]["signed_investment"])}
            for u in units
        ],
        "blank_unit_ids": [u.pk for u in blank_units(units, start=start, end=end, items=items)],
    }


def work_item_totals(items: dict[int, dict]) -> dict:
    values = list(items.values())
    investments = [v["signed_investment"] for v in values if v["signed_investment"] is not None]
    return {
        "trips": sum(v["trips"] for v in values),
        "leads": sum(v["leads"] for v in values),
        "signed": sum(v["signed"] for v in values),
        "signed_investment": sum(investments) if investments else None,
    }
