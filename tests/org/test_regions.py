"""Regions: codes checked against the tree, the materialised path, and moving a subtree in one UPDATE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.org import services
from tadiao.org.models import Region
from tests.org.conftest import last_event

pytestmark = pytest.mark.django_db


def test_create_township_below_the_root(sys_client, region):
    response = sys_client.post("/org/regions/new/", {
        "code": "330999101000", "name": "东城镇", "level": "TOWNSHIP", "parent": region.pk})
    assert response.status_code == 302
    town = Region.objects.get(code="330999101000")
    assert town.path == "/330999/330999101000/"
    event = last_event("org.region.created")
    assert event.object_id == str(town.pk)
    assert event.changes["name"] == [None, "东城镇"]
    assert event.changes["level"] == [None, "乡镇（街道）"]
    assert event.changes["parent"] == [None, "青山市"]


@pytest.mark.parametrize("data,message", [
    ({"code": "330999101", "level": "TOWNSHIP"}, "区划代码应为 6 位（县级及以上）或 12 位（乡镇街道）数字。"),
    ({"code": "330999", "level": "TOWNSHIP"}, "乡镇（街道）使用 12 位统计用区划代码"),
    ({"code": "330999101000", "level": "COUNTY"}, "县级及以上区划使用 6 位 GB/T 2260 代码"),
    ({"code": "330888101000", "level": "TOWNSHIP"}, "区划代码应以上级区划 青山市（330999）的前缀 330999 开头"),
    ({"code": "330998", "level": "CITY"}, "层级“市”不能设在“县（市、区）”青山市之下"),
])
def test_create_refuses_codes_that_do_not_fit(sys_client, region, data, message):
    response = sys_client.post("/org/regions/new/", {"name": "某地", "parent": region.pk, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Region.objects.filter(name="某地").exists()


def test_only_one_root(sys_client, region):
    response = sys_client.post("/org/regions/new/", {"code": "320000", "name": "江苏省", "level": "PROVINCE"})
    assert "一个系统只有一个顶级区划（现为 青山市）" in response.content.decode()


def test_duplicate_code_refused(sys_client, region):
    response = sys_client.post("/org/regions/new/", {"code": "330999", "name": "重复", "level": "COUNTY"})
    assert "区划代码 330999 已存在" in response.content.decode()


def test_rename_records_old_and_new(sys_client, tree):
    jiande = tree["jiande"]
    response = sys_client.post(f"/org/regions/{jiande.pk}/", {
        "code": "330182", "name": "建德市（县级市）", "level": "COUNTY", "parent": tree["hangzhou"].pk})
    assert response.status_code == 302
    assert last_event("org.region.updated").changes == {"name": ["建德市", "建德市（县级市）"]}


def test_moving_a_region_rewrites_its_subtree_paths_in_one_update(sysadmin, tree):
    """撤县设区: 建德市 330182 becomes 宁波市 330214; its townships follow."""
    with CaptureQueriesContext(connection) as ctx:
        services.update_region(region=tree["jiande"], by=sysadmin, code="330214", name="建德区",
                               level=Region.Level.COUNTY, parent=tree["ningbo"])
    paths = dict(Region.objects.values_list("code", "path"))
    assert paths["330214"] == "/330000/330200/330214/"
    assert paths["330182001000"] == "/330000/330200/330214/330182001000/"
    assert paths["330182100000"] == "/330000/330200/330214/330182100000/"
    assert paths["330100"] == "/330000/330100/"
    rewrites = [q["sql"] for q in ctx.captured_queries
                if q["sql"].startswith("UPDATE") and "org_region" in q["sql"] and "path" in q["sql"]]
    assert len(rewrites) == 2  # the region itself, then all its descendants at once
    event = last_event("org.region.updated")
    assert event.changes["code"] == ["330182", "330214"]
    assert event.changes["parent"] == ["杭州市", "宁波市"]
    assert event.changes["path"] == ["/330000/330100/330182/", "/330000/330200/330214/"]
    assert event.message == "同时更新了 2 个下级区划的路径"


def test_changing_a_city_code_moves_grandchildren(sysadmin, tree):
    services.update_region(region=tree["hangzhou"], by=sysadmin, code="330199", name="杭州市",
                           level=Region.Level.CITY, parent=tree["province"])
    tree["t1"].refresh_from_db()
    assert tree["t1"].path == "/330000/330199/330182/330182001000/"
    tree["ningbo"].refresh_from_db()
    assert tree["ningbo"].path == "/330000/330200/"


def test_a_region_cannot_move_below_itself(sysadmin, tree):
    with pytest.raises(services.OrgError, match="上级区划不能是该区划本身或其下级"):
        services.update_region(region=tree["hangzhou"], by=sysadmin, code="330100", name="杭州市",
                               level=Region.Level.CITY, parent=tree["jiande"])


def test_level_must_stay_above_descendants(sysadmin, tree):
    with pytest.raises(services.OrgError, match="下级区划层级不能高于或等于它本身"):
        services.update_region(region=tree["hangzhou"], by=sysadmin, code="330100", name="杭州市",
                               level=Region.Level.COUNTY, parent=tree["province"])


def test_the_edit_form_offers_no_parent_inside_the_subtree(sys_client, tree):
    body = sys_client.get(f"/org/regions/{tree['hangzhou'].pk}/").content.decode()
    assert f'value="{tree["ningbo"].pk}"' in body
    assert f'value="{tree["jiande"].pk}"' not in body


def test_tree_list_shows_every_region_in_path_order(sys_client, tree):
    body = sys_client.get("/org/regions/").content.decode()
    names = ["浙江省", "杭州市", "建德市", "新安江街道", "梅城镇", "宁波市"]
    positions = [body.index(name) for name in names]
    assert positions == sorted(positions)
