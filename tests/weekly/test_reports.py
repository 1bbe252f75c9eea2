"""A scheduled project's weekly report through the real pages: three actors, draft → submitted → returned, the
version check, problems that become coordination problems, and the refusals an official may meet."""

import datetime

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.coordination.models import Problem, ProblemEvent
from tadiao.notifications.models import Message
from tadiao.weekly.models import WeeklyProblem, WeeklyReport
from tests.conftest import TODAY, login
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from tests.weekly.conftest import LAST_WEEK, THIS_WEEK, make_report

pytestmark = pytest.mark.django_db

URL = "/weekly/projects/{pk}/{week}/"
FORM = {"progress_text": "完成3号厂房钢结构吊装", "next_week_plan": "屋面板安装", "workers_on_site": "126"}


def url(project, week=THIS_WEEK) -> str:
    return URL.format(pk=project.pk, week=week.param)


def test_three_actors_on_the_report_page(client, today, scheduled, reporter_a, reporter_b, leader):
    project_a, _ = scheduled
    report = make_report(project_a, status="SUBMITTED")
    returning = f"/weekly/reports/{report.pk}/return/"
    login(client, reporter_a)
    page = client.get(url(project_a))
    assert page.status_code == 200 and "东城镇智能装备产业园主体结构施工" in page.text
    login(client, leader)
    page = client.get(url(project_a))
    assert page.status_code == 200 and "保存并报送" not in page.text and 'id="return-form"' not in page.text
    assert client.post(url(project_a), FORM).status_code == 403
    assert client.post(returning, {"reason": "领导退回", "version": "1"}).status_code == 403
    login(client, reporter_b)
    assert client.get(url(project_a)).status_code == 404
    assert client.post(url(project_a), FORM).status_code == 404
    assert client.post(returning, {"reason": "别的单位退回", "version": "1"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "SUBMITTED"
    assert client.get(f"/weekly/projects/{project_a.pk}/").status_code == 404  # the timeline too


def test_a_reporter_does_not_see_a_project_its_unit_only_handles_a_problem_on(client, today, scheduled, reporter_b,
                                                                              unit_b):
    project_a, _ = scheduled
    problem = Problem.objects.create(
        project=project_a, title="用地", description="缺指标", raised_by_unit=project_a.unit, raised_date=TODAY,
        lead_unit=unit_b, deadline=TODAY, first_deadline=TODAY,
    )
    assert problem.pk
    login(client, reporter_b)
    assert client.get(f"/projects/{project_a.pk}/").status_code == 200  # the registry lets it read the project
    assert client.get(url(project_a)).status_code == 404  # weekly reporting stays with the owning unit
    assert "weekly-timeline-link" not in client.get(f"/projects/{project_a.pk}/").text
    assert project_a.name not in client.get("/weekly/").text


def test_draft_submit_return_and_resubmit(client, today, scheduled, reporter_a, coordinator):
    project_a, _ = scheduled
    login(client, reporter_a)
    response = client.post(url(project_a), {**FORM, "save": "1"}, follow=True)
    assert "周报已保存（草稿）。" in response.text
    report = WeeklyReport.objects.get()
    assert (report.week_start, report.status, report.workers_on_site, report.version) == (
        datetime.date(2026, 11, 23), "DRAFT", 126, 1)

    response = client.post(url(project_a), {**FORM, "workers_on_site": "130", "version": "1", "submit": "1"},
                           follow=True)
    assert "周报已报送重点项目办。" in response.text
    report.refresh_from_db()
    assert (report.status, report.workers_on_site, report.first_submitted_date, report.version) == (
        "SUBMITTED", 130, TODAY, 3)
    # Submitted: the form is closed and a post is refused.
    response = client.post(url(project_a), {**FORM, "version": "3", "save": "1"})
    assert "该周报已报送，不能再修改" in response.text

    # Only the office returns a report: the unit's reporter and a leader are refused, another unit too.
    assert client.post(f"/weekly/reports/{report.pk}/return/", {"reason": "自己退回", "version": "3"}).status_code \
        == 403
    login(client, coordinator)
    page = client.get(url(project_a))
    assert 'id="return-form"' in page.text
    response = client.post(f"/weekly/reports/{report.pk}/return/", {"reason": "", "version": "3"}, follow=True)
    assert "退回周报必须填写退回原因。" in response.text
    response = client.post(f"/weekly/reports/{report.pk}/return/", {"reason": "施工人数与现场不符", "version": "3"},
                           follow=True)
    assert "已退回：东城镇智能装备产业园" in response.text
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("RETURNED", "施工人数与现场不符")
    message = Message.objects.get(user=reporter_a)
    assert message.kind == "RETURNED" and "施工人数与现场不符" in message.body
    assert message.link == url(project_a)

    login(client, reporter_a)
    page = client.get(url(project_a))
    assert "已退回，原因：施工人数与现场不符" in page.text
    client.post(url(project_a), {**FORM, "workers_on_site": "98", "version": "4", "submit": "1"})
    report.refresh_from_db()
    # Sent again on a later day, the first submission's day stays (it decides whether the deadline was met).
    assert (report.status, report.workers_on_site, report.first_submitted_date) == ("SUBMITTED", 98, TODAY)
    assert list(AuditEvent.objects.filter(object_type="weekly.weeklyreport").order_by("id").values_list(
        "action", flat=True)) == [
        "weekly.report.created", "weekly.report.updated", "weekly.report.submitted", "weekly.report.returned",
        "weekly.report.updated", "weekly.report.submitted",
    ]


def test_no_lost_update(client, today, scheduled, reporter_a, coordinator):
    project_a, _ = scheduled
    report = make_report(project_a, progress_text="初稿")
    login(client, coordinator)
    client.post(url(project_a), {**FORM, "progress_text": "调度员修改", "version": "1", "save": "1"})
    login(client, reporter_a)  # still holding the page at version 1
    response = client.post(url(project_a), {**FORM, "progress_text": "填报员修改", "version": "1", "save": "1"})
    assert "已被他人修改" in response.text
    report.refresh_from_db()
    assert (report.progress_text, report.version) == ("调度员修改", 2)
    # A second "first" save of a report someone else has just created is a conflict too, not an overwrite.
    project_b = ProjectFactory(unit=project_a.unit, level="PROVINCIAL")
    make_report(project_b, progress_text="别人先建")
    response = client.post(url(project_b), {**FORM, "save": "1"})
    assert "已被他人修改" in response.text
    assert WeeklyReport.objects.get(project=project_b).progress_text == "别人先建"


def test_a_problem_becomes_a_coordination_problem(client, today, scheduled, reporter_a, region):
    project_a, _ = scheduled
    water = UnitFactory(name="市水务集团", region=region, display_order=9)
    water_clerk = UserFactory(username="water", unit=water, is_reporter=True)
    login(client, reporter_a)
    page = client.get(url(project_a))
    assert "市水务集团" in page.text  # the lead-unit choices are the region's units
    response = client.post(url(project_a), {
        **FORM, "save": "1", "problem_title": "施工用水管网未接通", "problem_category": "UTILITIES",
        "problem_description": "临时施工用水仍靠水车拉运。诉求：请协调水务集团接通 DN200 管网。",
        "problem_lead_unit": water.pk,
    }, follow=True)
    assert "周报已保存（草稿）。" in response.text
    problem = Problem.objects.get()
    report = WeeklyReport.objects.get()
    assert WeeklyProblem.objects.get().report == report and WeeklyProblem.objects.get().problem == problem
    # A reporter naming another unit only proposes it (建议牵头单位): its own unit stays lead until the office confirms.
    assert (problem.project, problem.raised_by_unit, problem.lead_unit, problem.proposed_lead_unit, problem.status,
            problem.raised_date) == (project_a, project_a.unit, project_a.unit, water, "PENDING", TODAY)
    # Routed and audited as every problem is: the history's first row, the coordination audit event; the proposed
    # unit is not told before the office confirms; the weekly report records the link.
    assert ProblemEvent.objects.get(problem=problem).action == "RAISED"
    assert AuditEvent.objects.filter(action="coordination.problem.raised", object_id=str(problem.pk)).exists()
    assert not Message.objects.filter(user=water_clerk).exists()
    link = AuditEvent.objects.get(action="weekly.report.problem_raised")
    assert link.changes == {"problem": [None, "施工用水管网未接通"], "lead_unit": project_a.unit.name,
                            "proposed_lead_unit": "市水务集团"}
    assert "施工用水管网未接通" in response.text and 'id="report-problems"' in response.text


def test_problem_fields_are_checked_in_chinese(client, today, scheduled, reporter_a):
    project_a, _ = scheduled
    login(client, reporter_a)
    response = client.post(url(project_a), {**FORM, "save": "1", "problem_title": "缺电", "problem_category": "OTHER"})
    assert "提出问题时请填写问题描述及诉求。" in response.text and "提出问题时请选择牵头单位。" in response.text
    response = client.post(url(project_a), {"progress_text": "", "workers_on_site": "-3", "problem_category": "OTHER"})
    assert "请填写本周进展。" in response.text and "现场施工人数不能为负数。" in response.text
    response = client.post(url(project_a), {**FORM, "workers_on_site": "很多", "problem_category": "OTHER"})
    assert "现场施工人数请填写整数。" in response.text
    assert not WeeklyReport.objects.exists() and not Problem.objects.exists()


def test_refusals(client, today, scheduled, reporter_a, unit_a):
    project_a, _ = scheduled
    login(client, reporter_a)
    # A week not begun yet.
    response = client.post(url(project_a, THIS_WEEK.next()), {**FORM, "save": "1"})
    assert "2026年第49周尚未开始，不能提前填报。" in response.text
    # A project the office has not scheduled.
    general = ProjectFactory(unit=unit_a, level="GENERAL")
    assert client.get(url(general)).status_code == 404
    # A malformed week in the address.
    assert client.get(f"/weekly/projects/{project_a.pk}/2026-49/").status_code == 404
    # A late report for last week is still accepted (and counted late, see the sheet).
    client.post(url(project_a, LAST_WEEK), {**FORM, "submit": "1"})
    assert WeeklyReport.objects.get(week_start=LAST_WEEK.start).first_submitted_date == TODAY


def test_a_dropped_project_keeps_its_past_weeks(client, today, scheduled, reporter_a, config):
    project_a, _ = scheduled
    make_report(project_a, LAST_WEEK, status="SUBMITTED")
    config.levels = ["CITY"]
    config.save()
    login(client, reporter_a)
    assert client.get(url(project_a, LAST_WEEK)).status_code == 200
    assert client.get(url(project_a)).status_code == 404
