"""Recognition (认定) of signed projects: by the coordinator only, a reason for a rejection, audited; a rejected
project does not count as signed in the three work items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.attraction import queries, services
from tadiao.attraction.models import Recognition
from tadiao.audit.models import AuditEvent
from tests.attraction.conftest import D, make_signed
from tests.conftest import login
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
PERIOD = {"start": D(2026, 1, 1), "end": D(2026, 11, 23)}


def test_coordinator_recognises_then_rejects_with_a_reason(client, coordinator, signed_a, unit_a):
    login(client, coordinator)
    url = f"/attraction/recognitions/{signed_a.pk}/"
    assert client.post(url, {"status": "RECOGNISED"}).status_code == 302
    assert Recognition.objects.get(project=signed_a).status == "RECOGNISED"
    assert queries.work_items([unit_a], **PERIOD)[unit_a.pk]["signed"] == 1

    body = client.post(url, {"status": "REJECTED"}, follow=True).content.decode()
    assert "不予认定须填写原因。" in body
    assert Recognition.objects.get(project=signed_a).status == "RECOGNISED"

    client.post(url, {"status": "REJECTED", "reason": "城建项目不计入"})
    recognition = Recognition.objects.get(project=signed_a)
    assert (recognition.status, recognition.reason, recognition.decided_by) == (
        "REJECTED", "城建项目不计入", coordinator
    )
    assert queries.work_items([unit_a], **PERIOD)[unit_a.pk] == {
        "trips": 0, "leads": 0, "signed": 0, "signed_investment": None
    }
    events = AuditEvent.objects.filter(action="attraction.recognition.decided").order_by("id")
    assert [e.changes["status"] for e in events] == [["PENDING", "RECOGNISED"], ["RECOGNISED", "REJECTED"]]
    assert events[1].changes["reason"] == ["", "城建项目不计入"]


def test_pending_counts_until_rejected_and_is_listed(client, leader, signed_a, unit_a):
    # Issue 4.3: only a rejection takes a signed project out of the work items; 待认定 still counts.
    assert queries.work_items([unit_a], **PERIOD)[unit_a.pk]["signed"] == 1
    login(client, leader)
    response = client.get("/attraction/recognitions/", {"status": "PENDING"})
    assert [p.name for p in response.context["page"]] == ["东城镇签约项目"]
    assert "待认定" in response.content.decode()


def test_list_filters(client, coordinator, unit_a, unit_b):
    make_signed(unit_a, D(2026, 3, 1), name="甲", status=Recognition.Status.RECOGNISED)
    make_signed(unit_a, D(2026, 4, 1), name="乙", status=Recognition.Status.REJECTED, reason="规模不足")
    make_signed(unit_b, D(2025, 4, 1), name="丙")
    login(client, coordinator)

    def names(**params):
        return [p.name for p in client.get("/attraction/recognitions/", params).context["page"]]

    assert names() == ["乙", "甲", "丙"]
    assert names(status="REJECTED") == ["乙"]
    assert names(status="PENDING") == ["丙"]
    assert names(unit=unit_b.pk) == ["丙"]
    assert names(start="2026-01-01", end="2026-03-31") == ["甲"]


def test_only_signed_projects_can_be_decided(coordinator, unit_a):
    from tests.factories import ProjectFactory

    project = ProjectFactory(unit=unit_a)
    with pytest.raises(services.AttractionError, match="只有已签约"):
        services.decide_recognition(project=project, status="RECOGNISED", by=coordinator)


def test_reporter_may_not_decide(reporter_a, signed_a):
    with pytest.raises(services.AttractionError, match="只能由调度员"):
        services.decide_recognition(project=signed_a, status="RECOGNISED", by=reporter_a)


def _grow(region, n, offset):
    for i in range(n):
        unit = UnitFactory(region=region, name=f"认定单位{offset + i}")
        make_signed(unit, D(2026, 3, 1), status=Recognition.Status.RECOGNISED)
        make_signed(unit, D(2026, 4, 1), status=Recognition.Status.REJECTED, reason="规模不足")
        make_signed(unit, D(2026, 5, 1))


# List (7): session, user, the user's unit and region (the scope), count, the page's rows (unit, recognition and
# its decider joined), the filter bar's units.
def test_list_queries_flat(client, coordinator, region):
    login(client, coordinator)
    _grow(region, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/attraction/recognitions/?per_page=100").status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/attraction/recognitions/?per_page=100").status_code == 200
    assert len(ctx.captured_queries) == at_n == 7
