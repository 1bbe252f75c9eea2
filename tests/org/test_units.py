"""Units: list with search, kind filter, sort and pagination; create and edit audited; the export."""

import io

import pytest
from python_calamine import CalamineWorkbook

from tadiao.audit.models import AuditEvent
from tadiao.org import services
from tadiao.org.models import Unit
from tests.factories import UnitFactory
from tests.org.conftest import last_event

pytestmark = pytest.mark.django_db


def read_xlsx(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_create_unit_is_audited(sys_client, region):
    response = sys_client.post("/org/units/new/", {
        "name": "经济开发区管委会", "kind": "PARK", "region": region.pk, "display_order": "5"})
    assert response.status_code == 302
    unit = Unit.objects.get(name="经济开发区管委会")
    assert (unit.kind, unit.region, unit.display_order, unit.is_active) == ("PARK", region, 5, True)
    event = last_event("org.unit.created")
    assert event.actor.username == "sysadmin"
    assert event.object_type == "org.unit" and event.object_id == str(unit.pk)
    assert event.changes["name"] == [None, "经济开发区管委会"]
    assert event.changes["kind"] == [None, "园区"]


def test_edit_unit_records_old_and_new(sys_client, unit_a):
    response = sys_client.post(f"/org/units/{unit_a.pk}/", {
        "name": "东城街道", "kind": "STREET", "region": unit_a.region_id, "display_order": "1", "is_active": "on"})
    assert response.status_code == 302
    event = last_event("org.unit.updated")
    assert event.changes == {"name": ["东城镇", "东城街道"], "kind": ["乡镇", "街道"]}


def test_unchecking_active_is_a_deactivation(sys_client, unit_a):
    sys_client.post(f"/org/units/{unit_a.pk}/", {
        "name": "东城镇", "kind": "TOWNSHIP", "region": unit_a.region_id, "display_order": "1"})
    unit_a.refresh_from_db()
    assert not unit_a.is_active
    assert last_event("org.unit.deactivated").changes == {"is_active": [True, False]}


def test_deactivate_unit_service(sysadmin, unit_b):
    services.deactivate_unit(unit=unit_b, by=sysadmin)
    unit_b.refresh_from_db()
    assert not unit_b.is_active
    assert last_event("org.unit.deactivated").object_id == str(unit_b.pk)


def test_duplicate_name_refused_in_chinese(sys_client, unit_a, unit_b):
    response = sys_client.post(f"/org/units/{unit_b.pk}/", {
        "name": "东城镇", "kind": "STREET", "region": unit_b.region_id, "display_order": "2", "is_active": "on"})
    assert response.status_code == 200
    assert "单位“东城镇”已存在。" in response.content.decode()


def test_unchanged_save_writes_no_event(sys_client, unit_a):
    sys_client.post(f"/org/units/{unit_a.pk}/", {
        "name": "东城镇", "kind": "TOWNSHIP", "region": unit_a.region_id, "display_order": "1", "is_active": "on"})
    assert not AuditEvent.objects.filter(action__startswith="org.unit.").exists()


def test_search_filter_and_sort(sys_client, region, unit_a, unit_b, office_unit):
    UnitFactory(name="北山街道", kind=Unit.Kind.STREET, region=region, display_order=9)
    body = sys_client.get("/org/units/", {"q": "街道"}).content.decode()
    assert "西湖街道" in body and "北山街道" in body and "东城镇" not in body
    body = sys_client.get("/org/units/", {"kind": "DEPARTMENT"}).content.decode()
    assert "市发展和改革局" in body and "西湖街道" not in body
    by_order = sys_client.get("/org/units/", {"kind": "STREET", "sort": "order"}).content.decode()
    assert by_order.index("西湖街道") < by_order.index("北山街道")
    by_name = sys_client.get("/org/units/", {"kind": "STREET", "sort": "name"}).content.decode()
    assert by_name.index("北山街道") < by_name.index("西湖街道")  # code-point order: 北 < 西


def test_pagination_50_per_page(sys_client, region):
    UnitFactory.create_batch(55, region=region)
    page1 = sys_client.get("/org/units/").context["page"]
    assert len(page1.object_list) == 50 and page1.paginator.count == 56  # + the sysadmin's office
    page2 = sys_client.get("/org/units/", {"page": "2"}).context["page"]
    assert len(page2.object_list) == 6


def test_export_is_the_filtered_rows(sys_client, region, unit_a, unit_b, office_unit):
    UnitFactory(name="=HYPERLINK(\"http://x\")街道", kind=Unit.Kind.STREET, region=region, display_order=7)
    response = sys_client.get("/org/units/export.xlsx", {"kind": "STREET", "page": "3"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response.content)
    assert rows[0] == ["排序", "单位名称", "单位类型", "所属区划", "区划代码", "状态"]
    assert [row[1] for row in rows[1:]] == ["西湖街道", "=HYPERLINK(\"http://x\")街道"]
    assert rows[1] == [2.0, "西湖街道", "街道", "青山市", "330999", "启用"]


def test_export_link_keeps_the_filters(sys_client, unit_a):
    body = sys_client.get("/org/units/", {"q": "东", "kind": "TOWNSHIP"}).content.decode()
    assert "/org/units/export.xlsx?q=%E4%B8%9C&amp;kind=TOWNSHIP" in body
