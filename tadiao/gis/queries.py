"""Reads of the map: the current boundary, the project points of the user's scope with their warning lights, and
each area's rate computed by the indicators engine in one grouped pass (never one query per township)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.urls import reverse

from tadiao.gis import charts
from tadiao.gis.models import BoundaryMap, MapArea
from tadiao.indicators import queries as indicators
from tadiao.indicators import warnings
from tadiao.indicators.models import RateDefinition
from tadiao.lib.numbers import percent_value
from tadiao.org.models import Unit, User
from tadiao.projects.extensions import PickerMap
from tadiao.projects.models import Project
from tadiao.projects.queries import ProjectFilters, project_rows, visible_projects

DEFAULT_RATE = "start_rate"


def current_boundary() -> BoundaryMap | None:
    """The map in use, without its (large) GeoJSON: one query."""
    return BoundaryMap.objects.filter(is_current=True).defer("areas_geojson").first()


def boundary_geojson(pk: int) -> dict | None:
    """The areas of one uploaded map as GeoJSON (served to the browser, which registers it with ECharts)."""
    row = BoundaryMap.objects.filter(pk=pk).values("areas_geojson").first()
    return row["areas_geojson"] if row else None


def uploads() -> QuerySet[BoundaryMap]:
    return BoundaryMap.objects.defer("areas_geojson", "outline").select_related("uploaded_by")


def map_areas(boundary: BoundaryMap) -> list[MapArea]:
    return list(MapArea.objects.filter(boundary=boundary).select_related("region").order_by("region__path"))


def shading_rates() -> list[RateDefinition]:
    """The rates a user may shade the areas by: every active definition (开工率, 年度投资完成率, the 五率 …)."""
    return indicators.active_definitions()


def chosen_rate(code: str, rates: list[RateDefinition]) -> RateDefinition | None:
    """The rate asked for; 开工率 when the parameter is absent; None when shading is turned off ("none")."""
    if code == "none":
        return None
    by_code = {d.code: d for d in rates}
    return by_code.get(code) or by_code.get(DEFAULT_RATE) or (rates[0] if rates else None)


def filtered_projects(user: User, filters: ProjectFilters) -> QuerySet[Project]:
    """The projects the map is about: the project list's access gate and filters, without the list's columns."""
    return filters.apply(visible_projects(user))


def map_projects(user: User, filters: ProjectFilters, *, plan_year: int) -> QuerySet[Project]:
    """The same projects with what a point shows (the unit joined), as the project list reads them."""
    return project_rows(user, filters, plan_year=plan_year).prefetch_related(None)


LOCATED = Q(latitude__isnull=False, longitude__isnull=False)


def map_points(projects: QuerySet[Project], *, as_of: datetime.date) -> tuple[list[Project], int]:
    """The located projects with their warning light (`light`), and how many have no location: two queries.

    The light is computed for the located projects only: it is the costly part of the query (every rule's
    subqueries), and a province has tens of thousands of projects, most of them never placed on the map."""
    located = list(warnings.with_lights(projects.filter(LOCATED), as_of=as_of, rules=warnings.active_rules()))
    missing = projects.exclude(LOCATED).count()
    return located, missing


@dataclass
class AreaRate:
    """A rate over the projects of an area's units (the numerator and denominator are sums over the units)."""

    area: MapArea
    numerator: Decimal | int
    denominator: Decimal | int

    @property
    def percent(self) -> Decimal | None:
        return percent_value(self.numerator, self.denominator)


def _area_of(path: str, areas_by_path: dict[str, MapArea]) -> MapArea | None:
    """The area whose region is the unit's region or its nearest ancestor ("/39/3907/390781/…/")."""
    parts = path.strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        area = areas_by_path.get("/" + "/".join(parts[:depth]) + "/")
        if area is not None:
            return area
    return None


def area_rates(
    projects: QuerySet[Project], *, areas: list[MapArea], definition: RateDefinition, as_of: datetime.date
) -> list[AreaRate]:
    """The rate per area, the engine's own definition: the engine groups the projects by unit in SQL (one query for a
    count rate, two for an investment rate), and each unit's numerator and denominator are added to the area its
    region lies in. A project belongs to the area of its 责任单位's region — the same rule as a region scope of the
    indicators pages — so a county department's projects count in no township. One more query reads the units."""
    unit_paths = dict(
        Unit.objects.filter(pk__in=projects.order_by().values("unit_id")).values_list("pk", "region__path")
    )
    by_unit = indicators.rates_by_unit(projects, as_of=as_of, definitions=[definition], unit_ids=list(unit_paths))
    areas_by_path = {a.region.path: a for a in areas}
    zero = Decimal("0") if definition.measure == RateDefinition.Measure.INVESTMENT else 0
    totals = {a.pk: AreaRate(a, zero, zero) for a in areas}
    for unit_id, path in unit_paths.items():
        area = _area_of(path, areas_by_path)
        if area is None:
            continue
        rate = by_unit[unit_id][definition.code]
        totals[area.pk].numerator += rate.numerator
        totals[area.pk].denominator += rate.denominator
    return [totals[a.pk] for a in areas]


@dataclass
class MapPage:
    """The map as the page and its JSON show it: the ECharts option, the boundary drawn, the rate the areas are
    shaded by (None: no shading) with each area's value, and the counts under the map (`shown` projects with
    coordinates, `missing` without)."""

    option: dict
    boundary: BoundaryMap | None
    definition: RateDefinition | None
    area_rates: list | None
    shown: int
    missing: int


def map_page(
    user: User, filters: ProjectFilters, *, as_of: datetime.date, color_by: str, rate: RateDefinition | None
) -> MapPage:
    """The map of the user's filtered projects on `as_of`, points coloured by `color_by`, areas shaded by `rate`."""
    boundary = current_boundary()
    points, missing = map_points(map_projects(user, filters, plan_year=filters.year or as_of.year), as_of=as_of)
    rates_of_areas = None
    if boundary is not None and rate is not None:
        rates_of_areas = area_rates(
            filtered_projects(user, filters), areas=map_areas(boundary), definition=rate, as_of=as_of
        )
    option = charts.map_option(
        boundary=boundary, area_rates=rates_of_areas, definition=rate, projects=points, color_by=color_by
    )
    return MapPage(
        option=option,
        boundary=boundary,
        definition=rate,
        area_rates=rates_of_areas,
        shown=len(points),
        missing=missing,
    )



def picker_map() -> PickerMap:
    """The project form's location picker (registered in projects.extensions by GisConfig.ready): the current map's
    areas and outline, no project (one query). Its clicks give WGS-84 / CGCS2000, the system of the boundary."""
    boundary = current_boundary()
    option = charts.map_option(boundary=boundary, area_rates=None, definition=None, projects=[], color_by="stage")
    return PickerMap(
        option=option,
        geojson_url=reverse("gis:boundary_geojson", args=[boundary.pk]) if boundary is not None else "",
        convert_url=reverse("gis:convert"),
    )


@dataclass
class SmallMap:
    """The 驾驶舱's small map: the option (points coloured by warning light), the boundary's GeoJSON URL ("" while
    none is uploaded) and the counts under it."""

    option: dict
    geojson_url: str
    shown: int
    missing: int


def small_map(projects: QuerySet[Project], *, as_of: datetime.date) -> SmallMap:
    """The already-gated, scoped `projects` as points coloured by their warning light on `as_of`, no area shading:
    two queries (the boundary, the projects with their lights and units) whatever the number of projects."""
    boundary = current_boundary()
    points, missing = map_points(projects.select_related("unit"), as_of=as_of)
    option = charts.map_option(boundary=boundary, area_rates=None, definition=None, projects=points, color_by="light")
    option["geo"]["label"]["show"] = False  # a small map: township names would cover the points
    return SmallMap(
        option=option,
        geojson_url=reverse("gis:boundary_geojson", args=[boundary.pk]) if boundary is not None else "",
        shown=len(points),
        missing=missing,
    )
