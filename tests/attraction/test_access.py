"""Every 招商引资 view and export with the standard actors: the owning unit's reporter (reads and writes its own),
a reader (leader: reads, 403 on writes), another unit's reporter (404 on unit A's objects), the coordinator
(writes region-wide), and the system and audit administrators (403: they read no business data)."""

import pytest

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.projects.models import Stage
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/attraction/trips/",
    "/attraction/trips/export.xlsx",
    "/attraction/leads/",
    "/attraction/leads/export.xlsx",
    "/attraction/recognitions/",
    "/attraction/work-items/",
    "/attraction/work-items/export.xlsx",
]


@pytest.fixture
def world(trip_a, trip_b, lead_a, lead_b, signed_a, unit_a):
    talks = ProjectFactory(unit=unit_a, stage=Stage.NEGOTIATING, name="东城镇待登记项目")
    return {"trip": trip_a, "lead": lead_a, "signed": signed_a, "talks": talks}


def _object_urls(w):
    """(method, url, data) of every page and write on unit A's objects."""
    trip, lead = w["trip"], w["lead"]
    trip_form = {
        "unit": trip.unit_id, "departure_date": "2026-03-10", "return_date": "2026-03-12", "leading_cadre": "张镇长",
        "rank": "DIVISION", "destination": "深圳", "results": "改", "version": trip.version,
    }
    lead_form = {"investor": "改", "likelihood": "HIGH", "start_date": "2026-09-01", "version": lead.version}
    return {
        "read": [("get", f"/attraction/leads/{lead.pk}/", None)],
        "write": [
            ("get", f"/attraction/trips/{trip.pk}/edit/", None),
            ("post", f"/attraction/trips/{trip.pk}/edit/", trip_form),
            ("post", f"/attraction/trips/{trip.pk}/delete/", {"version": trip.version}),
            ("get", f"/attraction/leads/new/{w['talks'].pk}/", None),
            ("post", f"/attraction/leads/new/{w['talks'].pk}/", {**lead_form, "investor": "新"}),
            ("get", f"/attraction/leads/{lead.pk}/edit/", None),
            ("post", f"/attraction/leads/{lead.pk}/edit/", lead_form),
            ("post", f"/attraction/leads/{lead.pk}/follow-ups/", {"date": "2026-11-20", "content": "回访"}),
            ("post", f"/attraction/leads/{lead.pk}/close/",
             {"status": "LOST", "closed_date": "2026-11-20", "reason": "撤资", "version": lead.version}),
            ("post", f"/attraction/leads/{lead.pk}/reopen/", {"version": lead.version}),
        ],
        "decide": [("post", f"/attraction/recognitions/{w['signed'].pk}/", {"status": "RECOGNISED"})],
    }


def _call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def _nothing_written(w):
    trip = Trip.objects.get(pk=w["trip"].pk)
    lead = Lead.objects.get(pk=w["lead"].pk)
    assert (trip.results, trip.version) == ("", 1)
    assert (lead.investor, lead.status, lead.version) == ("上海某科技有限公司", "ACTIVE", 1)
    assert FollowUp.objects.filter(lead=lead).count() == 1
    assert not Lead.objects.filter(project=w["talks"]).exists()
    assert not Recognition.objects.exists()


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("actor", ["reporter_a", "reporter_b", "leader", "coordinator"])
def test_business_roles_read_the_lists(client, world, url, actor, request, today):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [*LISTS, "/attraction/trips/new/"])
@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_get_403_on_lists(client, world, url, actor, request, today):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_get_403_on_objects(client, world, actor, request, today):
    login(client, request.getfixturevalue(actor))
    urls = _object_urls(world)
    for method, url, data in urls["read"] + urls["write"] + urls["decide"]:
        assert _call(client, method, url, data).status_code == 403, url
    _nothing_written(world)


def test_other_units_reporter_gets_404(client, reporter_b, world, today):
    login(client, reporter_b)
    urls = _object_urls(world)
    for method, url, data in urls["read"] + urls["write"] + urls["decide"]:
        assert _call(client, method, url, data).status_code == 404, url
    _nothing_written(world)


def test_leader_reads_and_gets_403_on_writes(client, leader, world, today):
    login(client, leader)
    urls = _object_urls(world)
    for method, url, data in urls["read"]:
        assert _call(client, method, url, data).status_code == 200, url
    for method, url, data in urls["write"] + urls["decide"]:
        assert _call(client, method, url, data).status_code == 403, url
    assert client.get("/attraction/trips/new/").status_code == 403
    assert client.post("/attraction/trips/new/", {}).status_code == 403
    _nothing_written(world)


def test_owner_reporter_writes_but_does_not_decide(client, reporter_a, world, today):
    login(client, reporter_a)
    urls = _object_urls(world)
    for method, url, data in urls["read"] + urls["write"]:
        assert _call(client, method, url, data).status_code in (200, 302), url
    assert client.get("/attraction/trips/new/").status_code == 200
    for method, url, data in urls["decide"]:
        assert _call(client, method, url, data).status_code == 403
    # The edits went through; the delete / close that followed carried the version seen before them: refused.
    assert Trip.objects.get(pk=world["trip"].pk).results == "改"
    assert Lead.objects.get(pk=world["lead"].pk).investor == "改"
    assert FollowUp.objects.filter(lead=world["lead"], content="回访").exists()
    assert Lead.objects.filter(project=world["talks"]).exists()


def test_coordinator_writes_and_decides(client, coordinator, world, today):
    login(client, coordinator)
    urls = _object_urls(world)
    for method, url, data in urls["read"] + urls["write"] + urls["decide"]:
        assert _call(client, method, url, data).status_code in (200, 302), url
    assert Recognition.objects.get(project=world["signed"]).status == "RECOGNISED"


def test_lists_and_exports_are_scoped(client, reporter_a, reporter_b, world, today):
    login(client, reporter_b)
    body = client.get("/attraction/trips/").content.decode()
    assert "杭州" in body and "深圳" not in body
    assert "西湖街道总部项目" in client.get("/attraction/leads/").content.decode()
    assert "东城镇新材料项目" not in client.get("/attraction/leads/").content.decode()
    assert "东城镇签约项目" not in client.get("/attraction/recognitions/").content.decode()
    assert "深圳".encode() not in client.get("/attraction/trips/export.xlsx").content  # compressed, but never there
    rows = client.get("/attraction/work-items/").context["rows"]
    assert [r["unit"].name for r in rows] == ["西湖街道"]
    # A reporter filtering on another unit gets nothing, not that unit's rows.
    assert len(client.get("/attraction/trips/", {"unit": world["trip"].unit_id}).context["page"]) == 0
