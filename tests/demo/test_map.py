"""The demo county's map: a made-up boundary for its townships, every township's projects inside it, and the map page
drawing them all."""

import datetime

from tadiao.audit.models import AuditEvent
from tadiao.demo import data
from tadiao.gis.models import BoundaryMap, MapArea
from tadiao.lib import geo
from tadiao.org.models import Region, User
from tadiao.projects.models import Project
from tests.conftest import login

TODAY = datetime.date(2026, 11, 23)


def test_the_demo_county_has_a_boundary_of_its_townships(demo):
    boundary = BoundaryMap.objects.get(is_current=True)
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("path"))
    assert len(townships) == len(data.STREETS + data.TOWNS + data.TOWNSHIPS) == 25
    assert sorted(a.region_id for a in MapArea.objects.filter(boundary=boundary)) == sorted(t.pk for t in townships)
    assert [f["properties"]["name"] for f in boundary.areas_geojson["features"]] == [t.name for t in townships]
    assert len(boundary.outline) == 1  # 安澜市's own outline, drawn around the townships
    assert boundary.approval_number.endswith("（虚构，仅供演示）")
    # The whole demo load is still one audit event (the map is part of it).
    assert not AuditEvent.objects.filter(action="gis.boundary.uploaded").exists()


def test_each_township_project_lies_in_its_township_and_every_project_in_the_county(demo):
    boundary = BoundaryMap.objects.get(is_current=True)
    shapes = {f["properties"]["region"]: f["geometry"] for f in boundary.areas_geojson["features"]}
    outline = {"type": "Polygon", "coordinates": boundary.outline}
    in_township = 0
    for project in Project.objects.select_related("unit"):
        lng, lat = float(project.longitude), float(project.latitude)
        assert geo.in_geometry(lng, lat, outline), project.name
        if project.unit.region_id in shapes:
            assert geo.in_geometry(lng, lat, shapes[project.unit.region_id]), project.name
            in_township += 1
    assert in_township > 50  # the towns' own projects (the rest belong to departments, parks and platforms)


def test_the_streets_are_in_the_middle(demo):
    boundary = BoundaryMap.objects.get(is_current=True)
    lng0, lat0, lng1, lat1 = boundary.bbox
    centre = ((lng0 + lng1) / 2, (lat0 + lat1) / 2)
    containing = [f["properties"]["name"] for f in boundary.areas_geojson["features"]
                  if geo.in_geometry(*centre, f["geometry"])]
    assert containing == [data.STREETS[0]]  # 城关街道


def test_the_coordinator_sees_the_whole_demo_on_the_map(demo, client):
    login(client, User.objects.get(username="diaodu"))
    response = client.get("/gis/data/?as_of=2026-11-23")
    option = response.json()["option"]
    assert response.json()["shown"] == Project.objects.count() == 300
    shaded = next(s for s in option["series"] if s["type"] == "map")
    assert len(shaded["data"]) == 25
