"""The 外出招商 list: its sorts and filters (unknown or malformed query-string values are ignored and
listed, never an error page)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tadiao.attraction.models import Rank, Trip
from tadiao.attraction.queries.access import visible_trips
from tadiao.lib.params import date_param, int_param
from tadiao.org.models import User

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
