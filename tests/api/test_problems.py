"""/api/v1/problems: coordination's gate (the raising, leading and helping units see an item, another unit gets 404,
leaders read but cannot reply) and coordination's reply service."""

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.coordination.models import Problem, Reply, Status
from tests.coordination.conftest import make_problem
from tests.factories import ProjectFactory, UnitFactory, UserFactory


@pytest.fixture
def dept(region):
    return UnitFactory(name="市自然资源局", region=region, display_order=5)


@pytest.fixture
def problem_a(project_a, dept):
    return make_problem(project_a, dept)


def test_list_and_detail_three_actors(api_as, reporter_a, reporter_b, leader, problem_a, project_b, dept):
    theirs = make_problem(project_b, dept)
    assert [r["id"] for r in api_as(reporter_a).get("/problems").json()["results"]] == [problem_a.pk]
    assert {r["id"] for r in api_as(leader).get("/problems").json()["results"]} == {problem_a.pk, theirs.pk}
    detail = api_as(reporter_a, name="二").get(f"/problems/{problem_a.pk}").json()
    assert detail["lead_unit"]["name"] == "市自然资源局" and detail["may_reply"] is True
    assert api_as(leader, name="二").get(f"/problems/{problem_a.pk}").json()["may_reply"] is False
    assert api_as(reporter_b).get(f"/problems/{problem_a.pk}").status_code == 404


def test_supervision_items_by_kind(api_as, coordinator, problem_a, project_a, dept):
    item = make_problem(project_a, dept, kind=Problem.Kind.SUPERVISION)
    assert [r["id"] for r in api_as(coordinator).get("/problems", kind="SUPERVISION").json()["results"]] == [item.pk]
    assert api_as(coordinator, name="二").get("/problems", kind="MEETING").status_code == 422


def test_reply_three_actors(api_as, reporter_a, reporter_b, leader, problem_a):
    url = f"/problems/{problem_a.pk}/replies"
    assert api_as(reporter_b).send("post", url, {"content": "越权"}).status_code == 404
    assert api_as(leader).send("post", url, {"content": "批示"}).status_code == 403
    empty = api_as(reporter_a, name="空").send("post", url, {"content": "  "})
    assert empty.status_code == 400 and empty.json()["detail"] == "请填写回复内容。"
    answer = api_as(reporter_a, name="对接").send("post", url, {"content": "请尽快协调"})
    assert answer.status_code == 201 and [r["content"] for r in answer.json()["replies"]] == ["请尽快协调"]
    assert Reply.objects.get().author == reporter_a
    event = AuditEvent.objects.get(action="coordination.problem.replied")
    assert event.message == "经 API 令牌“对接”"


def test_no_reply_to_a_closed_item(api_as, reporter_a, project_a, dept):
    closed = make_problem(project_a, dept, status=Status.CLOSED, resolved=project_a.created_at.date())
    answer = api_as(reporter_a).send("post", f"/problems/{closed.pk}/replies", {"content": "还有"})
    assert answer.status_code == 400 and "已销号" in answer.json()["detail"]


@pytest.mark.parametrize("n", [3, 6])
def test_list_query_count_is_flat(api_as, coordinator, unit_a, dept, region, n, django_assert_num_queries):
    helper = UnitFactory(region=region)
    for _ in range(n):
        make_problem(ProjectFactory(unit=unit_a), dept, helping=[helper])
    UserFactory(unit=dept, is_reporter=True)
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the count, the page (project, units
    # and meeting joined), the page's helping units
    with django_assert_num_queries(6):
        assert len(client.get("/problems").json()["results"]) == n
