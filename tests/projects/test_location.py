"""The project form's location (issue "The field side", point 5): coordinates pasted or typed from 高德/腾讯 (GCJ-02)
or 百度 (BD-09) are stored as WGS-84, checked against published conversion pairs; the map picker is on the page when a
boundary is uploaded, a notice when not; a point outside China is refused in Chinese."""

import math
from decimal import Decimal

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.gis import services as gis
from tadiao.org.models import Region
from tadiao.projects.models import Project
from tests.conftest import login
from tests.factories import RegionFactory
from tests.formpost import rendered_form
from tests.gis.conftest import county_file

pytestmark = pytest.mark.django_db

# googollee/eviltransform's published pairs (python/test.py): (WGS-84), (GCJ-02).
SHANGHAI_WGS, SHANGHAI_GCJ = (121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)
BEIJING_WGS, BEIJING_GCJ = (116.377817, 39.911954), (116.38404722455657, 39.91334545536069)
SHENZHEN_WGS, SHENZHEN_GCJ = (113.912316, 22.543847), (113.9171764808363, 22.540796131694766)


def baidu_from_gcj(lng: float, lat: float) -> tuple[float, float]:
    """Baidu's published GCJ-02 → BD-09 formula, written out here independently of tadiao.lib.geo."""
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


@pytest.fixture
def boundary(sysadmin, region):
    RegionFactory(code="330999001000", name="东城镇", level=Region.Level.TOWNSHIP, parent=region)
    RegionFactory(code="330999002000", name="西湖街道", level=Region.Level.TOWNSHIP, parent=region)
    return gis.upload_boundary(
        content=county_file(), file_name="青山市.geojson", name="", approval_number="", by=sysadmin
    ).boundary


def post_edit(client, project, **changes):
    """The edit page as rendered, with the given fields changed, posted back."""
    page = client.get(f"/projects/{project.pk}/edit/")
    form = rendered_form(page.content.decode(), has="version")
    data = form.data()
    for name, value in changes.items():
        data[name] = [value]
    return client.post(f"/projects/{project.pk}/edit/", data)


def stored(project) -> tuple[Decimal | None, Decimal | None]:
    fresh = Project.objects.get(pk=project.pk)
    return fresh.longitude, fresh.latitude


def test_pasted_gcj02_is_stored_as_wgs84(client, reporter_a, project_a):
    login(client, reporter_a)
    text = f"{SHANGHAI_GCJ[0]},{SHANGHAI_GCJ[1]}"
    response = post_edit(client, project_a, coordinates=text, coordinate_system="gcj02")
    assert response.status_code == 302
    # 121.5272106, 31.1774276 rounded to the six decimals stored
    assert stored(project_a) == (Decimal("121.527211"), Decimal("31.177428"))
    event = AuditEvent.objects.get(action="projects.project.updated")
    assert event.actor == reporter_a
    assert event.changes["longitude"] == [None, "121.527211"]
    assert event.changes["latitude"] == [None, "31.177428"]


def test_pasted_latitude_first_is_recognised(client, reporter_a, project_a):
    login(client, reporter_a)
    text = f"{SHANGHAI_GCJ[1]} {SHANGHAI_GCJ[0]}"  # a GPS app copies latitude first
    assert post_edit(client, project_a, coordinates=text, coordinate_system="gcj02").status_code == 302
    assert stored(project_a) == (Decimal("121.527211"), Decimal("31.177428"))


def test_pasted_bd09_is_stored_as_wgs84(client, coordinator, project_a):
    login(client, coordinator)
    bd = baidu_from_gcj(*BEIJING_GCJ)
    text = f"{bd[0]:.12f},{bd[1]:.12f}"
    assert post_edit(client, project_a, coordinates=text, coordinate_system="bd09").status_code == 302
    assert stored(project_a) == (Decimal("116.377817"), Decimal("39.911954"))


def test_typed_gcj02_fields_are_converted_without_javascript(client, reporter_a, project_a):
    # No paste: the longitude and latitude fields hold 高德's coordinates and the system says so.
    login(client, reporter_a)
    response = post_edit(
        client, project_a, longitude="113.917176", latitude="22.540796", coordinate_system="gcj02"
    )
    assert response.status_code == 302
    lng, lat = stored(project_a)
    # The typed GCJ-02 point is the published one rounded to 6 decimals (≤ 5e-7°): WGS-84 within 1e-6°.
    assert abs(lng - Decimal("113.912316")) <= Decimal("0.000001")
    assert abs(lat - Decimal("22.543847")) <= Decimal("0.000001")


def test_wgs84_is_stored_as_typed(client, reporter_a, project_a):
    login(client, reporter_a)
    assert post_edit(client, project_a, longitude="120.123456", latitude="30.654321").status_code == 302
    assert stored(project_a) == (Decimal("120.123456"), Decimal("30.654321"))
    login(client, reporter_a)
    assert post_edit(client, project_a, coordinates="120.5,30.25", coordinate_system="wgs84").status_code == 302
    assert stored(project_a) == (Decimal("120.500000"), Decimal("30.250000"))


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"coordinates": "2.35,48.85", "coordinate_system": "gcj02"}, "coordinates", "坐标不在我国范围内"),
        ({"coordinates": "1201.5,30.2"}, "coordinates", "经度应在 -180～180"),
        ({"coordinates": "120.5"}, "coordinates", "请填写两个数字"),
        ({"longitude": "2.35", "latitude": "48.85", "coordinate_system": "bd09"}, "coordinate_system", "我国范围内"),
        ({"longitude": "120.5", "latitude": "", "coordinate_system": "gcj02"}, "coordinate_system", "同时填写"),
    ],
)
def test_bad_coordinates_are_refused_in_chinese(client, reporter_a, project_a, changes, field, message):
    login(client, reporter_a)
    events = AuditEvent.objects.count()
    response = post_edit(client, project_a, **changes)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert stored(project_a) == (None, None)
    assert AuditEvent.objects.count() == events


def test_new_project_with_pasted_gcj02(client, reporter_a, unit_a):
    login(client, reporter_a)
    data = {
        "name": "深圳湾配套项目",
        "unit": unit_a.pk,
        "level": "COUNTY",
        "category": "INDUSTRY",
        "nature": "NEW",
        "total_investment": "5000",
        "stage": "RESERVE",
        "coordinates": f"{SHENZHEN_GCJ[0]},{SHENZHEN_GCJ[1]}",
        "coordinate_system": "gcj02",
    }
    assert client.post("/projects/new/", data).status_code == 302
    project = Project.objects.get(name="深圳湾配套项目")
    assert (project.longitude, project.latitude) == (Decimal("113.912316"), Decimal("22.543847"))
    event = AuditEvent.objects.get(action="projects.project.created")
    assert event.changes["longitude"] == [None, "113.912316"]


def test_picker_map_on_the_form_when_a_boundary_is_uploaded(client, reporter_a, project_a, boundary):
    login(client, reporter_a)
    for url in (f"/projects/{project_a.pk}/edit/", "/projects/new/"):
        page = client.get(url).content.decode()
        assert f'data-geojson="/gis/boundary/{boundary.pk}.json"' in page
        assert 'data-convert="/gis/convert/"' in page
        assert 'id="location-option"' in page
        assert "尚未上传行政区划边界" not in page
        assert "vendor/echarts/echarts.min.js" in page


def test_without_a_boundary_the_form_shows_a_notice_and_the_fields(client, reporter_a, project_a):
    login(client, reporter_a)
    page = client.get(f"/projects/{project_a.pk}/edit/").content.decode()
    assert "尚未上传行政区划边界" in page
    assert 'id="location-option"' not in page
    for name in ("longitude", "latitude", "coordinates", "coordinate_system"):
        assert f'name="{name}"' in page
