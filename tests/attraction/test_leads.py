"""Leads: registration at 在谈, the follow-up log and the derived last follow-up date, closing as lost (with a
reason, kept visible) or signed, and the "no follow-up for a month" condition (一月内无进度更新)."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.attraction import queries, services
from tadiao.attraction.models import FollowUp, Lead
from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Project, Stage
from tests.attraction.conftest import D, make_lead
from tests.conftest import TODAY, login
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


# --- no follow-up for more than 30 days -------------------------------------------------------------------


@pytest.fixture
def follow_up_cases(unit_a, unit_b):
    """As of 2026-11-23 (30 days before: 10-24; 31 days before: 10-23)."""
    return {
        "31 days": make_lead(
            unit_a, start=D(2026, 9, 1), name="三十一天", follow_ups=[D(2026, 9, 15), D(2026, 10, 23)]
        ),
        "30 days": make_lead(unit_a, start=D(2026, 9, 1), name="三十天", follow_ups=[D(2026, 10, 24)]),
        "none, begun 31 days ago": make_lead(unit_b, start=D(2026, 10, 23), name="无跟进三十一天"),
        "none, begun 30 days ago": make_lead(unit_b, start=D(2026, 10, 24), name="无跟进三十天"),
        "lost": make_lead(unit_a, start=D(2026, 1, 1), name="已流失", closed=D(2026, 6, 1), status=Lead.Status.LOST,
                          reason="投资方撤资"),
        "cancelled": make_lead(unit_a, start=D(2026, 1, 1), name="已终止", cancelled=True),
        # Only a follow-up after the as-of date: on 11-23 its last follow-up is still 9-1.
        "later entry": make_lead(
            unit_b, start=D(2026, 8, 1), name="后补记录", follow_ups=[D(2026, 9, 1), D(2026, 11, 30)]
        ),
    }


def test_leads_without_follow_up_for_more_than_30_days(follow_up_cases):
    stale = queries.leads_without_follow_up(Project.objects.all(), as_of=TODAY)
    assert set(stale.values_list("name", flat=True)) == {"三十一天", "无跟进三十一天", "后补记录"}


def test_leads_without_follow_up_days_configurable_and_scoped(follow_up_cases, unit_a):
    names = set(
        queries.leads_without_follow_up(Project.objects.all(), as_of=TODAY, days=29).values_list("name", flat=True)
    )
    assert names == {"三十一天", "三十天", "无跟进三十一天", "无跟进三十天", "后补记录"}
    in_a = queries.leads_without_follow_up(Project.objects.filter(unit=unit_a), as_of=TODAY)
    assert list(in_a.values_list("name", flat=True)) == ["三十一天"]


def test_leads_without_follow_up_is_one_query(follow_up_cases):
    with CaptureQueriesContext(connection) as ctx:
        list(queries.leads_without_follow_up(Project.objects.all(), as_of=TODAY))
    assert len(ctx.captured_queries) == 1


def test_list_filter_no_follow_up_over_n_days(client, coordinator, follow_up_cases, today):
    login(client, coordinator)
    response = client.get("/attraction/leads/", {"stale": "30"})
    assert {lead.project.name for lead in response.context["page"]} == {"三十一天", "无跟进三十一天", "后补记录"}
    response = client.get("/attraction/leads/", {"stale": "abc"})
    assert "未跟进天数" in response.context["filters"].invalid


def test_last_follow_up_date_is_derived(client, coordinator, follow_up_cases, today):
    login(client, coordinator)
    rows = {lead.project.name: lead for lead in client.get("/attraction/leads/?per_page=50").context["page"]}
    assert rows["三十一天"].last_follow_up_date == D(2026, 10, 23)
    assert rows["三十一天"].latest_content == "10月23日电话沟通"
    assert rows["无跟进三十天"].last_follow_up_date is None
    lead = follow_up_cases["31 days"]
    services.add_follow_up(lead=lead, date=D(2026, 11, 20), content="实地考察", by=coordinator, today=TODAY)
    rows = {lead.project.name: lead for lead in client.get("/attraction/leads/?per_page=50").context["page"]}
    assert rows["三十一天"].last_follow_up_date == D(2026, 11, 20)
    assert "三十一天" not in set(
        queries.leads_without_follow_up(Project.objects.all(), as_of=TODAY).values_list("name", flat=True)
    )


# --- the list ------------------------------------------------------------------------------------------


def test_lost_lead_stays_visible_with_its_reason(client, reporter_a, follow_up_cases, today):
    login(client, reporter_a)
    response = client.get("/attraction/leads/")
    names = {lead.project.name for lead in response.context["page"]}
    assert "已流失" in names and "无跟进三十天" not in names  # its own unit's leads only
    body = response.content.decode()
    assert "已流失" in body and "投资方撤资" in body
    lost = client.get("/attraction/leads/", {"status": "LOST"}).context["page"]
    assert [lead.project.name for lead in lost] == ["已流失"]


def test_list_filters_by_unit_and_search(client, coordinator, follow_up_cases, unit_b, today):
    login(client, coordinator)
    page = client.get("/attraction/leads/", {"unit": unit_b.pk}).context["page"]
    assert {lead.project.name for lead in page} == {"无跟进三十一天", "无跟进三十天", "后补记录"}
    page = client.get("/attraction/leads/", {"q": "后补"}).context["page"]
    assert [lead.project.name for lead in page] == ["后补记录"]


def test_unregistered_negotiating_projects_listed(client, reporter_a, unit_a, today):
    project = ProjectFactory(unit=unit_a, stage=Stage.NEGOTIATING, name="东城镇待登记项目")
    login(client, reporter_a)
    body = client.get("/attraction/leads/").content.decode()
    assert "东城镇待登记项目" in body
    assert f"/attraction/leads/new/{project.pk}/" in body


def test_export(client, coordinator, follow_up_cases, today):
    login(client, coordinator)
    content = client.get("/attraction/leads/export.xlsx", {"status": "LOST"}).content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("招商线索").to_python()
    assert rows[0][:4] == ["序号", "项目名称", "责任单位", "投资方"]
    assert len(rows) == 2
    assert rows[1][1] == "已流失" and rows[1][10] == "已流失" and rows[1][12] == "投资方撤资"


# --- writes --------------------------------------------------------------------------------------------


def test_register_lead_for_a_project_in_talks(client, reporter_a, unit_a, today):
    project = ProjectFactory(unit=unit_a, stage=Stage.NEGOTIATING, name="东城镇光伏项目")
    login(client, reporter_a)
    response = client.post(
        f"/attraction/leads/new/{project.pk}/",
        {
            "investor": "江苏某新能源公司", "intended_investment": "25000", "likelihood": "HIGH",
            "start_date": "2026-10-08",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(project=project)
    assert (lead.investor, lead.intended_investment, lead.status) == ("江苏某新能源公司", Decimal("25000"), "ACTIVE")
    assert AuditEvent.objects.filter(action="attraction.lead.created", object_id=str(lead.pk)).exists()


def test_register_lead_refused_outside_negotiating(client, reporter_a, unit_a, today):
    project = ProjectFactory(unit=unit_a, stage=Stage.RESERVE)
    login(client, reporter_a)
    body = client.post(
        f"/attraction/leads/new/{project.pk}/",
        {"investor": "某公司", "likelihood": "LOW", "start_date": "2026-10-08"},
    ).content.decode()
    assert "只有处于“在谈”阶段的项目才能登记招商线索" in body
    assert not Lead.objects.exists()


def test_form_messages_are_chinese(client, reporter_a, unit_a, today):
    project = ProjectFactory(unit=unit_a, stage=Stage.NEGOTIATING)
    login(client, reporter_a)
    body = client.post(
        f"/attraction/leads/new/{project.pk}/", {"intended_investment": "-1", "start_date": "2026/13/40"}
    ).content.decode()
    assert "请填写投资方。" in body
    assert "意向投资额不能为负数。" in body
    assert "开始接洽日期格式不正确" in body


def test_follow_up_added_and_audited(client, reporter_a, lead_a, today):
    login(client, reporter_a)
    data = {"date": "2026-11-20", "content": "签约前谈判"}
    response = client.post(f"/attraction/leads/{lead_a.pk}/follow-ups/", data)
    assert response.status_code == 302
    entry = FollowUp.objects.get(lead=lead_a, date=D(2026, 11, 20))
    assert entry.by == reporter_a
    assert AuditEvent.objects.filter(action="attraction.follow_up.added", object_id=str(entry.pk)).exists()
    body = client.get(f"/attraction/leads/{lead_a.pk}/").content.decode()
    assert "签约前谈判" in body and "10月01日电话沟通" in body


def test_follow_up_in_the_future_refused(client, reporter_a, lead_a, today):
    login(client, reporter_a)
    body = client.post(
        f"/attraction/leads/{lead_a.pk}/follow-ups/", {"date": "2026-11-24", "content": "x"}, follow=True
    ).content.decode()
    assert "跟进日期不能晚于今天。" in body
    assert lead_a.follow_ups.count() == 1


def test_close_as_lost_needs_a_reason(client, reporter_a, lead_a, today):
    login(client, reporter_a)
    data = {"status": "LOST", "closed_date": "2026-11-20", "version": lead_a.version}
    body = client.post(f"/attraction/leads/{lead_a.pk}/close/", data, follow=True).content.decode()
    assert "线索流失须填写原因。" in body
    assert Lead.objects.get(pk=lead_a.pk).status == Lead.Status.ACTIVE
    client.post(f"/attraction/leads/{lead_a.pk}/close/", {**data, "reason": "企业投资计划改变"})
    lead = Lead.objects.get(pk=lead_a.pk)
    assert (lead.status, lead.closed_date, lead.lost_reason) == ("LOST", D(2026, 11, 20), "企业投资计划改变")
    event = AuditEvent.objects.get(action="attraction.lead.lost", object_id=str(lead.pk))
    assert event.changes["lost_reason"] == ["", "企业投资计划改变"]
    # Still in the list, with its reason; no more follow-ups until it is reopened.
    assert lead.pk in [x.pk for x in client.get("/attraction/leads/").context["page"]]
    with pytest.raises(services.AttractionError, match="已流失"):
        services.add_follow_up(lead=lead, date=TODAY, content="x", by=reporter_a, today=TODAY)
    client.post(f"/attraction/leads/{lead.pk}/reopen/", {"version": lead.version})
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.ACTIVE


def test_close_as_signed_needs_the_project_signed(reporter_a, lead_a):
    with pytest.raises(services.AttractionError, match="尚未签约"):
        services.close_lead(lead=lead_a, status="SIGNED", closed_date=TODAY, expected_version=1, by=reporter_a,
                            today=TODAY)
    Project.objects.filter(pk=lead_a.project_id).update(stage=Stage.SIGNED, signed_date=D(2026, 11, 1))
    lead = Lead.objects.select_related("project").get(pk=lead_a.pk)
    services.close_lead(lead=lead, status="SIGNED", closed_date=D(2026, 11, 1), expected_version=1, by=reporter_a,
                        today=TODAY)
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.SIGNED


def test_edit_is_versioned(client, reporter_a, lead_a, today):
    login(client, reporter_a)
    data = {"investor": "新投资方", "likelihood": "HIGH", "start_date": "2026-09-01", "version": lead_a.version}
    assert client.post(f"/attraction/leads/{lead_a.pk}/edit/", data).status_code == 302
    assert Lead.objects.get(pk=lead_a.pk).investor == "新投资方"
    body = client.post(f"/attraction/leads/{lead_a.pk}/edit/", {**data, "investor": "再改"}).content.decode()
    assert "已被他人修改" in body
    assert Lead.objects.get(pk=lead_a.pk).investor == "新投资方"
    assert AuditEvent.objects.filter(action="attraction.lead.updated").count() == 1


# --- queries flat at N and 2N --------------------------------------------------------------------------


def _grow(region, n, offset):
    for i in range(n):
        unit = UnitFactory(region=region, name=f"线索单位{offset + i}")
        make_lead(unit, start=D(2026, 2, 1), follow_ups=[D(2026, 3, 1), D(2026, 4, 1)])


# List (8): session, user, the user's unit and region (the scope), count, the page's rows (project, unit and
# industry joined; the last follow-up date and the latest entry as subqueries), the filter bar's units, the
# projects in talks without a lead.
# Export (5): session, user, unit, region, the rows (one chunk).
@pytest.mark.parametrize("url,expected", [("/attraction/leads/?per_page=100", 8), ("/attraction/leads/export.xlsx", 5)])
def test_queries_flat(client, coordinator, region, today, url, expected):
    login(client, coordinator)
    _grow(region, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected


# Detail (6): session, user, unit, region, the lead (project, unit, industry joined), its log (with authors).
def test_detail_queries_flat(client, coordinator, unit_a, today):
    lead = make_lead(unit_a, start=D(2026, 2, 1), follow_ups=[D(2026, 3, n) for n in range(1, 6)])
    login(client, coordinator)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/attraction/leads/{lead.pk}/")
    at_n = len(ctx.captured_queries)
    for n in range(6, 11):
        FollowUp.objects.create(lead=lead, date=D(2026, 3, n), content="x", by=coordinator)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/attraction/leads/{lead.pk}/")
    assert len(ctx.captured_queries) == at_n == 6
