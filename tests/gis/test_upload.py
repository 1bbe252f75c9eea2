"""The system administrator's boundary upload: validated, matched to the regions, stored, audited; everyone else 403."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tadiao.audit.models import AuditEvent
from tadiao.gis.models import BoundaryMap, MapArea
from tests.conftest import login
from tests.gis.conftest import EAST_HALF, SQUARE, WEST_HALF, collection, county_file, feature

pytestmark = pytest.mark.django_db
URL = "/gis/boundary/"


def _post(client, content: bytes, *, follow=False, **fields):
    upload = SimpleUploadedFile("青山市.geojson", content, "application/geo+json")
    return client.post(URL, {"file": upload, **fields}, follow=follow)


def test_sysadmin_uploads_a_boundary(client, sysadmin, towns):
    login(client, sysadmin)
    response = _post(client, county_file(), name="", approval_number="浙S（2026）12号")
    assert "文件不超过 5.0 MB" in client.get(URL).content.decode()
    assert response.status_code == 302
    boundary = BoundaryMap.objects.get()
    assert boundary.is_current and boundary.approval_number == "浙S（2026）12号"
    assert boundary.name == "青山市行政区划图"  # the outline's region named it
    assert boundary.outline == SQUARE  # 青山市 contains the two others: it is drawn as the outline, not an area
    assert boundary.bbox == [120.0, 30.0, 120.2, 30.2]
    areas = {a.name: a.region for a in MapArea.objects.filter(boundary=boundary)}
    assert areas == {"东城镇": towns["东城镇"], "西湖街道": towns["西湖街道"]}
    features = boundary.areas_geojson["features"]
    assert [f["properties"] for f in features] == [
        {"name": "东城镇", "code": "330999001000", "region": towns["东城镇"].pk},
        {"name": "西湖街道", "code": "330999002000", "region": towns["西湖街道"].pk},
    ]
    event = AuditEvent.objects.get(action="gis.boundary.uploaded")
    assert event.actor == sysadmin and event.object_id == str(boundary.pk)
    assert event.changes["areas"] == [None, 2] and event.changes["approval_number"] == [None, "浙S（2026）12号"]

    page = client.get(URL)
    assert "审图号：浙S（2026）12号" in page.content.decode()
    assert "区域 2 个：东城镇、西湖街道；含本级边界轮廓" in page.content.decode()


def test_a_new_upload_becomes_current_and_the_old_one_is_kept(client, sysadmin, boundary):
    login(client, sysadmin)
    _post(client, collection(feature({"name": "东城镇"}, WEST_HALF)), approval_number="")
    current = BoundaryMap.objects.get(is_current=True)
    assert current.pk != boundary.pk
    assert BoundaryMap.objects.count() == 2
    boundary.refresh_from_db()
    assert not boundary.is_current


def test_a_township_without_a_boundary_is_a_warning_not_an_error(client, sysadmin, towns):
    login(client, sysadmin)
    response = _post(client, collection(feature({"name": "东城镇"}, WEST_HALF)), follow=True)
    assert BoundaryMap.objects.filter(is_current=True).exists()
    text = response.content.decode()
    assert "以下乡镇（街道）在地图上没有边界，其项目点仍会显示，但不参与区域着色：西湖街道" in text


@pytest.mark.parametrize(
    "content,message",
    [
        # A name no region has: refused, listing the names (decided: an error, not a warning — a township silently
        # missing from the map would read as "no projects there").
        (
            collection(feature({"name": "东城镇"}, WEST_HALF), feature({"name": "南山乡"}, EAST_HALF),
                       feature({"name": "北岭乡"}, EAST_HALF)),
            "以下要素与青山市的行政区划对不上：南山乡、北岭乡",
        ),
        (collection(feature({"name": "东城镇"}, [[120.0, 30.0], [120.1, 30.1]], "LineString")),
         "第 1 个要素（东城镇）的几何类型为 LineString，只接受面（Polygon 或 MultiPolygon）"),
        (collection(feature({"name": "东城镇"}, [[[500000, 3300000], [500100, 3300000], [500100, 3300100],
                                                 [500000, 3300000]]])),
         "超出经纬度范围（经度 -180～180，纬度 -90～90）：可能是投影坐标"),
        (collection(feature({"name": "东城镇"}, [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1]]])),
         "边界环未闭合"),
        (collection(feature({"name": "东城镇"}, [[[120.0, 30.0], [120.1, 30.0], [120.0, 30.0]]])),
         "边界环少于 4 个点"),
        (collection(feature({"name": "东城镇"}, [[[120.0, "30"], [120.1, 30.0], [120.1, 30.1], [120.0, 30.0]]])),
         "有不是数字的坐标"),
        (collection(feature({}, WEST_HALF)), "第 1 个要素（无名称）没有名称（name）或区划代码（code）属性"),
        (collection(feature({"name": "东城镇"}, WEST_HALF), feature({"code": "330999001000"}, EAST_HALF)),
         "以下区划有多个要素，请合并为一个（可用 MultiPolygon）：东城镇"),
        (json.dumps({"type": "Feature", "geometry": None}).encode(), "文件应是 GeoJSON 要素集合"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "文件中没有要素"),
        (b'{"type": "FeatureCollection",\n "features": [', "文件不是有效的 JSON（第 2 行"),
        ("东城镇".encode("gbk"), "文件不是 UTF-8 编码的文本"),
    ],
)
def test_bad_files_are_refused_in_chinese(client, sysadmin, towns, content, message):
    login(client, sysadmin)
    response = _post(client, content)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "边界文件有误，未保存" in text
    assert not BoundaryMap.objects.exists()
    assert not AuditEvent.objects.filter(action="gis.boundary.uploaded").exists()


def test_nested_regions_cannot_both_be_areas(client, sysadmin, towns, region):
    from tests.factories import RegionFactory

    RegionFactory(code="330999001001", name="东城村", level="TOWNSHIP", parent=towns["东城镇"])
    login(client, sysadmin)
    response = _post(
        client,
        collection(feature({"name": "东城镇"}, WEST_HALF), feature({"name": "东城村"}, WEST_HALF),
                   feature({"name": "西湖街道"}, EAST_HALF)),
    )
    assert "上下级区划不能同时作为区域（请只保留一级）：东城镇与东城村" in response.content.decode()
    assert not BoundaryMap.objects.exists()


def test_a_name_two_regions_share_must_be_told_by_code(client, sysadmin, towns, region):
    from tests.factories import RegionFactory

    RegionFactory(code="330999003000", name="东城镇", level="TOWNSHIP", parent=region)
    login(client, sysadmin)
    response = _post(client, collection(feature({"name": "东城镇"}, WEST_HALF)))
    assert "以下名称对应多个行政区划，请在要素属性中填写 code 区划代码：东城镇" in response.content.decode()
    response = _post(client, collection(feature({"name": "东城镇", "code": "330999003000"}, WEST_HALF)))
    assert response.status_code == 302
    assert MapArea.objects.get().region.code == "330999003000"


def test_the_size_limit_is_a_setting(client, sysadmin, towns, settings):
    settings.GIS_BOUNDARY_MAX_BYTES = 200
    login(client, sysadmin)
    content = county_file()
    assert len(content) > 200
    response = _post(client, content)
    text = response.content.decode()
    assert f"文件过大（{len(content)} 字节），边界文件不能超过 200 字节：请先抽稀（简化）边界线再上传。" in text
    assert "文件不超过 200 字节" in text
    assert not BoundaryMap.objects.exists()


def test_projected_file_lists_each_problem_once_per_feature(client, sysadmin, towns):
    bad = [[[500000, 3300000], [500100, 3300000], [500100, 3300100], [500000, 3300000]]]
    login(client, sysadmin)
    response = _post(client, collection(*[feature({"name": "东城镇"}, bad) for _ in range(25)]))
    text = response.content.decode()
    assert text.count("可能是投影坐标") == 20
    assert "……另有 5 处问题未列出" in text


@pytest.mark.parametrize("actor", ["coordinator", "leader", "reporter_a", "auditor"])
def test_only_the_sysadmin_may_upload(client, request, towns, actor):
    login(client, request.getfixturevalue(actor))
    assert client.get(URL).status_code == 403
    assert _post(client, county_file()).status_code == 403
    assert not BoundaryMap.objects.exists()


def test_the_geojson_endpoint(client, boundary, sysadmin, coordinator, reporter_a, auditor):
    url = f"/gis/boundary/{boundary.pk}.json"
    for user in (sysadmin, coordinator, reporter_a):
        login(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert [f["properties"]["name"] for f in response.json()["features"]] == ["东城镇", "西湖街道"]
        assert "max-age" in response["Cache-Control"]
    login(client, auditor)
    assert client.get(url).status_code == 403
    login(client, coordinator)
    assert client.get(f"/gis/boundary/{boundary.pk + 99}.json").status_code == 404
