"""/api/v1/indicators (the JSON of `tadiao indicators --json`, over the caller's projects), /units and /regions:
a reporter sees only its own unit."""

import datetime
import json

import pytest
from django.core.management import call_command

from tadiao.org.models import Unit
from tadiao.projects.models import Stage
from tests.factories import ProjectFactory, RegionFactory, UnitFactory

AS_OF = datetime.date(2026, 11, 23)


def _started(unit, n: int) -> None:
    for _ in range(n):
        ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=datetime.date(2026, 3, 1),
                       approved_date=datetime.date(2026, 2, 1))


def test_indicators_three_actors(api_as, reporter_a, reporter_b, leader, unit_a, unit_b, capsys):
    _started(unit_a, 2)
    ProjectFactory(unit=unit_b)  # not started
    mine = api_as(reporter_a).get("/indicators", as_of="2026-11-23").json()
    assert mine["counts_by_stage"]["started"] == 2 and mine["rates"]["start_rate"]["denominator"] == 2
    theirs = api_as(reporter_b).get("/indicators", as_of="2026-11-23").json()
    assert theirs["rates"]["start_rate"]["numerator"] == 0 and theirs["rates"]["start_rate"]["denominator"] == 1
    everything = api_as(leader).get("/indicators", as_of="2026-11-23").json()
    assert everything["rates"]["start_rate"]["percent"] == "66.67"
    call_command("indicators", "--as-of", "2026-11-23", "--json")
    assert everything == json.loads(capsys.readouterr().out)  # the same object as the command's
    narrowed = api_as(leader, name="二").get("/indicators", as_of="2026-11-23", unit=unit_b.pk).json()
    assert narrowed["rates"]["start_rate"]["denominator"] == 1
    assert api_as(reporter_a, name="二").get("/indicators", as_of="2026-11-23", unit=unit_b.pk
                                              ).json()["rates"]["start_rate"]["denominator"] == 0


def test_units_and_regions_three_actors(api_as, reporter_a, reporter_b, leader, unit_a, unit_b, region):
    assert [u["name"] for u in api_as(reporter_a).get("/units").json()["results"]] == ["东城镇"]
    assert [u["name"] for u in api_as(reporter_b).get("/units").json()["results"]] == ["西湖街道"]
    names = [u["name"] for u in api_as(leader).get("/units").json()["results"]]
    assert names == ["市发展和改革局", "东城镇", "西湖街道"]
    assert [r["id"] for r in api_as(reporter_a, name="二").get("/regions").json()["results"]] == [region.pk]
    assert [r["code"] for r in api_as(leader, name="二").get("/regions").json()["results"]] == [region.code]


@pytest.mark.parametrize("n", [3, 6])
def test_lists_query_counts_are_flat(api_as, coordinator, region, n, django_assert_num_queries):
    for i in range(n):
        child = RegionFactory(parent=region, code=f"330999{100 + i:06d}", name=f"乡{i}", level="TOWNSHIP")
        UnitFactory(region=child, kind=Unit.Kind.STREET)
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the count, the page
    with django_assert_num_queries(5):
        assert client.get("/units").json()["count"] == n + 1
    with django_assert_num_queries(5):
        assert client.get("/regions").json()["count"] == n + 1
