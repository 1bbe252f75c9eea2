"""/api/v1/reports: read through reporting's gate; save and submit through reporting's services with the form's
version check; every write audited with the token's name."""

import datetime
from decimal import Decimal

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport
from tests.factories import AnnualPlanFactory, ProjectFactory

MONTH = datetime.date(2026, 11, 1)


@pytest.fixture
def period(coordinator):
    return services.open_period(month=MONTH, by=coordinator)


def _body(**extra) -> dict:
    return {"investment_completed": "120.50", "progress_text": "主体结构施工", "workers_on_site": 35, **extra}


def test_save_three_actors(api_as, reporter_a, reporter_b, leader, project_a, period):
    own = api_as(reporter_a).send("put", f"/projects/{project_a.pk}/reports/2026-11", _body())
    assert own.status_code == 200, own.content
    body = own.json()
    assert body["investment_completed"] == "120.50" and body["status"] == "DRAFT" and body["version"] == 1
    assert api_as(leader).send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(version=1)).status_code == 403
    other = api_as(reporter_b).send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(version=1))
    assert other.status_code == 404
    report = MonthlyReport.objects.get()
    assert report.investment_completed == Decimal("120.50") and report.version == 1


def test_save_is_audited_with_the_tokens_name(api_as, reporter_a, project_a, period):
    api_as(reporter_a, name="统计局数据同步").send("put", f"/projects/{project_a.pk}/reports/2026-11", _body())
    event = AuditEvent.objects.get(action="reporting.report.created")
    assert event.actor == reporter_a and event.message == "经 API 令牌“统计局数据同步”"


def test_a_stale_version_is_refused_as_on_the_form(api_as, reporter_a, project_a, period):
    client = api_as(reporter_a)
    client.send("put", f"/projects/{project_a.pk}/reports/2026-11", _body())
    assert client.send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(progress_text="二", version=1)
                       ).json()["version"] == 2
    stale = client.send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(progress_text="三", version=1))
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert MonthlyReport.objects.get().progress_text == "二"


def test_form_rules_apply(api_as, reporter_a, project_a, period):
    client = api_as(reporter_a)
    negative = client.send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(investment_completed="-1"))
    assert negative.status_code == 422 and negative.json()["detail"] == "本月完成投资（万元）：本月完成投资不能为负数。"
    missing = client.send("put", f"/projects/{project_a.pk}/reports/2026-11", {"progress_text": "x"})
    assert missing.status_code == 422 and "investment_completed：缺少必填项" in missing.json()["detail"]
    assert client.send("put", f"/projects/{project_a.pk}/reports/2026-12", _body()).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_implausible_figures_need_confirmation(api_as, reporter_a, project_a, period):
    AnnualPlanFactory(project=project_a, year=2026, planned_investment=Decimal("100"))
    client = api_as(reporter_a)
    huge = _body(investment_completed="90000")
    refused = client.send("put", f"/projects/{project_a.pk}/reports/2026-11", huge)
    assert refused.status_code == 422 and refused.json()["warnings"]
    assert not MonthlyReport.objects.exists()
    confirmed = client.send("put", f"/projects/{project_a.pk}/reports/2026-11", {**huge, "confirm_warnings": True})
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_warnings"] == refused.json()["warnings"]


def test_submit_three_actors(api_as, reporter_a, reporter_b, leader, project_a, period):
    report = services.save_report(project=project_a, period=period, data={"investment_completed": Decimal("5"),
                                  "progress_text": "开挖"}, by=reporter_a, expected_version=None)
    assert api_as(reporter_b).send("post", f"/reports/{report.pk}/submit", {"version": 1}).status_code == 404
    assert api_as(leader).send("post", f"/reports/{report.pk}/submit", {"version": 1}).status_code == 403
    done = api_as(reporter_a).send("post", f"/reports/{report.pk}/submit", {"version": 1})
    assert done.status_code == 200 and done.json()["status"] == "SUBMITTED"
    again = api_as(reporter_a, name="二").send("post", f"/reports/{report.pk}/submit", {"version": 2})
    assert again.status_code == 400 and "不能重复报送" in again.json()["detail"]


def test_save_and_submit_at_once(api_as, reporter_a, project_a, period):
    answer = api_as(reporter_a).send("put", f"/projects/{project_a.pk}/reports/2026-11", _body(submit=True))
    assert answer.status_code == 200 and answer.json()["status"] == "SUBMITTED"


def test_list_and_detail_three_actors(api_as, reporter_a, reporter_b, leader, project_a, project_b, period):
    mine = services.save_report(project=project_a, period=period, data={"progress_text": "甲"}, by=reporter_a,
                                expected_version=None)
    theirs = services.save_report(project=project_b, period=period, data={"progress_text": "乙"}, by=reporter_b,
                                  expected_version=None)
    assert [r["id"] for r in api_as(reporter_a).get("/reports").json()["results"]] == [mine.pk]
    assert [r["id"] for r in api_as(leader).get("/reports", month="2026-11").json()["results"]] == [mine.pk, theirs.pk]
    assert api_as(leader, name="l2").get("/reports", month="2026-10").json()["count"] == 0
    assert api_as(reporter_a, name="a2").get(f"/reports/{mine.pk}").json()["progress_text"] == "甲"
    assert api_as(leader, name="l3").get(f"/reports/{mine.pk}").status_code == 200
    assert api_as(reporter_b, name="b2").get(f"/reports/{mine.pk}").status_code == 404


@pytest.mark.parametrize("n", [3, 6])
def test_list_query_count_is_flat(api_as, coordinator, unit_a, period, n, django_assert_num_queries):
    for i in range(n):
        project = ProjectFactory(unit=unit_a)
        services.save_report(project=project, period=period, data={"progress_text": f"{i}"}, by=coordinator,
                             expected_version=None)
    client = api_as(coordinator)
    # the token and its user's unit, the rate-limit UPDATE, the scope region, the count, the page (with project,
    # unit and period joined)
    with django_assert_num_queries(5):
        assert len(client.get("/reports").json()["results"]) == n
