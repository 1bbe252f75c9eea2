"""/api/v1/warnings (the rule engine over the caller's projects), /snapshots (the whole region's: office and
leaders only) and /work-items (attraction's gate: a reporter sees its own unit)."""

import datetime

import pytest
from django.utils import timezone

from tadiao.indicators.models import Snapshot
from tadiao.projects.models import Stage
from tadiao.reporting.models import Period
from tests.factories import ProjectFactory

D = datetime.date


def _red(unit, name):
    """Signed on 1 March and not started: 121 days by 30 June, beyond the default rule's 90 → red."""
    return ProjectFactory(unit=unit, name=name, stage=Stage.SIGNED, signed_date=D(2026, 3, 1))


def test_warnings_three_actors(api_as, reporter_a, reporter_b, leader, unit_a, unit_b):
    mine, theirs = _red(unit_a, "甲"), _red(unit_b, "乙")
    ProjectFactory(unit=unit_a, name="绿")
    row = api_as(reporter_a).get("/warnings", as_of="2026-06-30").json()["results"]
    assert [r["id"] for r in row] == [mine.pk] and row[0]["light_label"] == "红灯"
    assert row[0]["reasons"] and row[0]["reasons"][0].startswith("红灯：")
    assert [r["id"] for r in api_as(reporter_b).get("/warnings", as_of="2026-06-30").json()["results"]] == [theirs.pk]
    both = api_as(leader).get("/warnings", as_of="2026-06-30", light="red").json()
    assert [r["id"] for r in both["results"]] == [mine.pk, theirs.pk]
    assert api_as(leader, name="二").get("/warnings", as_of="2026-06-30", light="yellow").json()["count"] == 0


def _snapshot(month: D) -> Snapshot:
    period = Period.objects.create(month=month, deadline=month.replace(day=25), status=Period.Status.CLOSED)
    return Snapshot.objects.create(period=period, as_of=month.replace(day=28), data={"indicators": {"x": 1}},
                                   created_at=timezone.now())


def test_snapshots_for_the_office_and_leaders_only(api_as, reporter_a, leader, coordinator):
    _snapshot(D(2026, 9, 1))
    _snapshot(D(2026, 10, 1))
    assert [s["month"] for s in api_as(leader).get("/snapshots").json()["results"]] == ["2026-10", "2026-09"]
    assert api_as(coordinator).get("/snapshots/2026-09").json()["data"] == {"indicators": {"x": 1}}
    assert api_as(leader, name="二").get("/snapshots/2026-08").status_code == 404
    assert api_as(reporter_a).get("/snapshots").status_code == 403
    assert api_as(reporter_a, name="二").get("/snapshots/2026-09").status_code == 403


def test_work_items_three_actors(api_as, reporter_a, reporter_b, leader, unit_a, unit_b, office_unit):
    assert [u["name"] for u in api_as(reporter_a).get("/work-items").json()["units"]] == ["东城镇"]
    assert [u["name"] for u in api_as(reporter_b).get("/work-items").json()["units"]] == ["西湖街道"]
    everyone = api_as(leader).get("/work-items", start="2026-01-01", end="2026-11-23").json()
    assert [u["name"] for u in everyone["units"]] == ["市发展和改革局", "东城镇", "西湖街道"]
    assert everyone["totals"]["trips"] == 0 and len(everyone["blank_unit_ids"]) == 3
    assert api_as(leader, name="二").get("/work-items", start="2026-05-01", end="2026-01-01").status_code == 422


@pytest.mark.parametrize("n", [2, 4])
def test_lists_query_counts_are_flat(api_as, coordinator, unit_a, n, django_assert_num_queries):
    for i in range(n):
        _red(unit_a, f"红{i}")
        _snapshot(D(2025, i + 1, 1))
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the active rules, the reporting settings (序时进度),
    # the scope region, the count, the page with its lights
    with django_assert_num_queries(7):
        assert client.get("/warnings", as_of="2026-06-30").json()["count"] == n
    # the token and its user's unit, the rate-limit UPDATE, the count, the page (period joined)
    with django_assert_num_queries(4):
        assert client.get("/snapshots").json()["count"] == n


@pytest.mark.parametrize("n", [2, 4])
def test_work_items_query_count_is_flat(api_as, coordinator, region, n, django_assert_num_queries):
    from tests.factories import UnitFactory

    for _ in range(n):
        UnitFactory(region=region)
    client = api_as(coordinator)
    with django_assert_num_queries(7) as captured:
        assert len(client.get("/work-items").json()["units"]) == n + 1
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the units, then the work items'
    # own fixed queries (trips, leads, signed projects by unit)
    assert len(captured.captured_queries) == 7
