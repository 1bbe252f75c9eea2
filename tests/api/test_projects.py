"""/api/v1/projects: the same gate as the project pages — own unit and reader see, another unit gets 404 — and a
flat number of queries whatever the number of rows."""

from decimal import Decimal

import pytest

from tadiao.projects.models import FundingSource, Level, ProjectFunding, Stage
from tests.factories import AnnualPlanFactory, ProjectFactory


def test_list_three_actors(api_as, reporter_a, reporter_b, leader, project_a, project_b):
    assert [r["name"] for r in api_as(reporter_a).get("/projects").json()["results"]] == [project_a.name]
    assert [r["name"] for r in api_as(reporter_b).get("/projects").json()["results"]] == [project_b.name]
    answer = api_as(leader).get("/projects").json()
    assert answer["count"] == 2 and {r["name"] for r in answer["results"]} == {project_a.name, project_b.name}


def test_list_uses_the_list_pages_filters(api_as, coordinator, unit_a):
    city = ProjectFactory(unit=unit_a, name="市重点甲", level=Level.CITY, total_investment=Decimal("12000"))
    ProjectFactory(unit=unit_a, name="县重点乙", level=Level.COUNTY)
    client = api_as(coordinator)
    assert [r["id"] for r in client.get("/projects", level="CITY").json()["results"]] == [city.pk]
    assert [r["id"] for r in client.get("/projects", q="乙").json()["results"]] != [city.pk]
    row = client.get("/projects", tag="亿元以上").json()["results"][0]
    assert row["total_investment"] == "12000.00" and "亿元以上" in row["tags"]
    assert client.get("/projects", unit="x").status_code == 422
    wrong = client.get("/projects", level="PROVINCE", sort="size")
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "请求参数有误：不是可选的值：level=PROVINCE、sort=size"


def test_pages_are_stable_and_link_the_next(api_as, coordinator, unit_a):
    made = [ProjectFactory(unit=unit_a).pk for _ in range(5)]
    client = api_as(coordinator)
    first = client.get("/projects", limit=2).json()
    assert first["count"] == 5 and first["next"] == "/api/v1/projects?limit=2&page=2"
    second = client.get("/projects", limit=2, page=2).json()
    third = client.get("/projects", limit=2, page=3).json()
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert ids == sorted(made) and third["next"] is None


def test_detail_three_actors(api_as, reporter_a, reporter_b, leader, project_a):
    AnnualPlanFactory(project=project_a, year=2026, planned_investment=Decimal("800.50"))
    ProjectFunding.objects.create(project=project_a, source=FundingSource.SPECIAL_BOND, planned=Decimal("300"))
    own = api_as(reporter_a).get(f"/projects/{project_a.pk}")
    assert own.status_code == 200
    body = own.json()
    assert body["may_write"] is True and body["annual_plans"][0]["planned_investment"] == "800.50"
    assert body["fundings"][0]["source_label"] == "专项债"
    assert [s["stage"] for s in body["stages"]] == list(Stage.values)
    reader = api_as(leader).get(f"/projects/{project_a.pk}")
    assert reader.status_code == 200 and reader.json()["may_write"] is False
    other = api_as(reporter_b).get(f"/projects/{project_a.pk}")
    assert other.status_code == 404 and other.json()["detail"] == "项目不存在或无权查看。"


def test_admins_read_no_business_data(api_as, sysadmin, auditor, project_a):
    for user in (sysadmin, auditor):
        assert api_as(user, name=f"t{user.pk}").get("/projects").status_code == 403


def test_no_token_no_answer(client, project_a):
    answer = client.get("/api/v1/projects")
    assert answer.status_code == 401 and "令牌" in answer.json()["detail"]
    assert client.get("/api/v1/projects", headers={"Authorization": "Bearer tdk_wrong"}).status_code == 401
    assert client.post(f"/api/v1/problems/{project_a.pk}/replies", {}, content_type="application/json"
                       ).status_code == 401  # a write without token nor session: 401, not a CSRF refusal


@pytest.mark.parametrize("n", [3, 6])
def test_list_query_count_is_flat(api_as, coordinator, unit_a, n, django_assert_num_queries):
    for i in range(n):
        project = ProjectFactory(unit=unit_a, name=f"项目{i}")
        AnnualPlanFactory(project=project, year=2026)
        project.tags.create(name=f"标签{i}")
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the count, the page (with its year's
    # plan as a subquery), the page's tags
    with django_assert_num_queries(6):
        assert len(client.get("/projects", year=2026).json()["results"]) == n
