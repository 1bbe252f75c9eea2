"""Trips (外出招商): the list with filters, sorting and pagination, the export of the filtered rows, the forms
with Chinese messages, versioned edits, and the audit trail."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.attraction import services
from tadiao.attraction.models import Rank, Trip
from tadiao.audit.models import AuditEvent
from tests.attraction.conftest import D, make_trip
from tests.conftest import login
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trips(unit_a, unit_b):
    return {
        "shenzhen": make_trip(unit_a, D(2026, 3, 10), cadre="张镇长", destination="深圳", firms_visited="甲科技公司"),
        "shanghai": make_trip(unit_a, D(2026, 6, 1), cadre="刘书记", destination="上海", rank=Rank.BUREAU),
        "hangzhou": make_trip(unit_b, D(2026, 4, 2), cadre="李主任", destination="杭州", rank=Rank.SECTION),
        "old": make_trip(unit_b, D(2025, 11, 2), cadre="李主任", destination="宁波", rank=Rank.SECTION),
    }


def _names(response):
    return [t.destination for t in response.context["page"]]


def test_list_default_sort_is_latest_departure_first(client, coordinator, trips):
    login(client, coordinator)
    assert _names(client.get("/attraction/trips/")) == ["上海", "杭州", "深圳", "宁波"]
    assert _names(client.get("/attraction/trips/", {"sort": "departure"})) == ["宁波", "深圳", "杭州", "上海"]
    assert _names(client.get("/attraction/trips/", {"sort": "unit"})) == ["上海", "深圳", "杭州", "宁波"]


def test_list_filters(client, coordinator, trips, unit_b):
    login(client, coordinator)
    assert _names(client.get("/attraction/trips/", {"unit": unit_b.pk})) == ["杭州", "宁波"]
    assert _names(client.get("/attraction/trips/", {"start": "2026-01-01", "end": "2026-04-30"})) == ["杭州", "深圳"]
    assert _names(client.get("/attraction/trips/", {"rank": "SECTION"})) == ["杭州", "宁波"]
    assert _names(client.get("/attraction/trips/", {"q": "甲科技"})) == ["深圳"]
    assert _names(client.get("/attraction/trips/", {"q": "上海"})) == ["上海"]
    response = client.get("/attraction/trips/", {"start": "2026-02-30", "unit": "x", "rank": "BOGUS"})
    assert len(response.context["page"]) == 4
    assert response.context["filters"].invalid == ["单位", "起始日期"]


def test_list_pagination(client, coordinator, unit_a):
    for day in range(1, 26):
        make_trip(unit_a, D(2026, 1, day))
    login(client, coordinator)
    first = client.get("/attraction/trips/")
    assert len(first.context["page"]) == 20 and first.context["page"].paginator.count == 25
    assert len(client.get("/attraction/trips/", {"page": 2}).context["page"]) == 5
    assert len(client.get("/attraction/trips/", {"per_page": 50}).context["page"]) == 25


def test_export_has_the_filtered_rows_with_the_import_headers(client, coordinator, trips, unit_a):
    login(client, coordinator)
    content = client.get("/attraction/trips/export.xlsx", {"unit": unit_a.pk, "sort": "departure"}).content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("外出招商").to_python()
    assert rows[0] == ["序号", "单位", "出发日期", "返回日期", "带队领导", "职级", "目的地", "拜访企业", "取得成果",
                       "下一步工作"]
    assert [r[6] for r in rows[1:]] == ["深圳", "上海"]
    assert rows[1][1:6] == ["东城镇", D(2026, 3, 10), D(2026, 3, 12), "张镇长", "处级"]


def _form(unit, **extra):
    return {
        "unit": unit.pk, "departure_date": "2026-11-02", "return_date": "2026-11-05", "leading_cadre": "陈镇长",
        "rank": "DIVISION", "destination": "广州", "firms_visited": "丙公司", "results": "达成意向",
        "next_step": "邀请来访", **extra,
    }


def test_reporter_creates_a_trip_for_its_unit(client, reporter_a, unit_a):
    login(client, reporter_a)
    response = client.post("/attraction/trips/new/", _form(unit_a))
    assert response.status_code == 302
    trip = Trip.objects.get()
    assert (trip.unit, trip.destination, trip.created_by) == (unit_a, "广州", reporter_a)
    event = AuditEvent.objects.get(action="attraction.trip.created")
    assert event.object_id == str(trip.pk) and event.changes["destination"] == [None, "广州"]


def test_reporter_cannot_create_for_another_unit(client, reporter_a, unit_b):
    login(client, reporter_a)
    body = client.post("/attraction/trips/new/", _form(unit_b)).content.decode()
    assert "只能选择您管理范围内的单位。" in body
    assert not Trip.objects.exists()


def test_coordinator_creates_for_any_unit_in_region(client, coordinator, unit_b):
    login(client, coordinator)
    assert client.post("/attraction/trips/new/", _form(unit_b)).status_code == 302
    assert Trip.objects.get().unit == unit_b


def test_form_messages_are_chinese(client, reporter_a, unit_a):
    login(client, reporter_a)
    body = client.post(
        "/attraction/trips/new/", _form(unit_a, return_date="2026-11-01", leading_cadre="", rank="")
    ).content.decode()
    assert "返回日期不能早于出发日期。" in body
    assert "请填写带队领导。" in body
    assert "请选择职级。" in body
    body = client.post("/attraction/trips/new/", _form(unit_a, departure_date="2026年13月1日")).content.decode()
    assert "出发日期格式不正确" in body


def test_duplicate_trip_refused(client, reporter_a, unit_a):
    login(client, reporter_a)
    client.post("/attraction/trips/new/", _form(unit_a))
    body = client.post("/attraction/trips/new/", _form(unit_a)).content.decode()
    assert "已登记同一天由同一领导带队前往该地" in body
    assert Trip.objects.count() == 1


def test_edit_versioned_and_audited(client, reporter_a, trips, unit_a):
    trip = trips["shenzhen"]
    login(client, reporter_a)
    form = _form(unit_a, departure_date="2026-03-10", return_date="2026-03-12", destination="深圳",
                 results="签约意向 2 个", version=trip.version)
    assert client.post(f"/attraction/trips/{trip.pk}/edit/", form).status_code == 302
    trip.refresh_from_db()
    assert (trip.results, trip.version) == ("签约意向 2 个", 2)
    event = AuditEvent.objects.get(action="attraction.trip.updated")
    assert event.changes["results"] == ["", "签约意向 2 个"]
    body = client.post(f"/attraction/trips/{trip.pk}/edit/", {**form, "results": "覆盖"}).content.decode()
    assert "已被他人修改" in body
    trip.refresh_from_db()
    assert trip.results == "签约意向 2 个"


def test_delete_audited(client, coordinator, trips):
    trip = trips["old"]
    login(client, coordinator)
    assert client.post(f"/attraction/trips/{trip.pk}/delete/", {"version": trip.version}).status_code == 302
    assert not Trip.objects.filter(pk=trip.pk).exists()
    assert AuditEvent.objects.get(action="attraction.trip.deleted").changes["destination"] == ["宁波", None]


def test_service_refuses_a_reporter_of_another_unit(reporter_b, unit_a):
    data = {"unit": unit_a, "departure_date": D(2026, 1, 1), "return_date": D(2026, 1, 2), "leading_cadre": "x",
            "rank": Rank.OTHER, "destination": "y"}
    with pytest.raises(services.AttractionError, match="只能登记本单位"):
        services.create_trip(data=data, by=reporter_b)


def test_update_checks_the_stored_unit_not_the_one_a_bound_form_put_on_the_trip(reporter_b, unit_a, unit_b):
    # A ModelForm bound to the trip sets the posted unit on it before the service runs: moving 东城镇's trip to
    # 西湖街道 must still be refused to 西湖街道's reporter, whose unit it never belonged to.
    trip = make_trip(unit_a, D(2026, 3, 1))
    trip.unit = unit_b
    data = {"unit": unit_b, "departure_date": D(2026, 3, 1), "return_date": D(2026, 3, 3), "leading_cadre": "王书记",
            "rank": Rank.DIVISION, "destination": "上海", "firms_visited": "", "results": "", "next_step": ""}
    with pytest.raises(services.AttractionError):
        services.update_trip(trip=trip, data=data, expected_version=trip.version, by=reporter_b)
    assert Trip.objects.get(pk=trip.pk).unit == unit_a


def test_database_refuses_return_before_departure(unit_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(unit=unit_a, departure_date=D(2026, 1, 5), return_date=D(2026, 1, 4), leading_cadre="x",
                            rank=Rank.OTHER, destination="y")


# --- queries flat at N and 2N --------------------------------------------------------------------------


def _grow(region, n, offset):
    for i in range(n):
        unit = UnitFactory(region=region, name=f"招商单位{offset + i}")
        make_trip(unit, D(2026, 3, 1))
        make_trip(unit, D(2026, 4, 1))


# List (7): session, user, the user's unit and region (the scope), count, the page's rows (unit joined), the filter
# bar's units. Export (5): session, user, unit, region, the rows (one chunk, unit joined).
@pytest.mark.parametrize("url,expected", [("/attraction/trips/?per_page=100", 7), ("/attraction/trips/export.xlsx", 5)])
def test_queries_flat(client, coordinator, region, url, expected):
    login(client, coordinator)
    _grow(region, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected
