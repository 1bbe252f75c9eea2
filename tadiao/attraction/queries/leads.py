"""招商线索: the follow-up log as subqueries (last follow-up, stale leads), the lead list with its sorts
and filters, and the projects in talks without a lead."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tadiao.attraction.models import FollowUp, Lead, Likelihood
from tadiao.attraction.queries.access import visible_leads, visible_units
from tadiao.lib.params import int_param
from tadiao.org.models import Unit, User
from tadiao.projects.models import Project, Stage
from tadiao.projects.queries import visible_projects


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
    # order_by(): one lead per project, and Lead's default ordering would join the unit for every project.
    began = Lead.objects.filter(project=OuterRef("pk")).order_by().values("start_date")[:1]
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
