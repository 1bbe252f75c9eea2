"""A township reporter proposes a lead unit other than its own (issue 15, point 8); the office confirms it when
accepting (受理) or changes it when assigning (交办). Both are audited."""

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.coordination.models import Problem, Status
from tadiao.notifications.models import Message
from tadiao.org.models import Region, Unit
from tests.conftest import login
from tests.factories import ProjectFactory, RegionFactory, UnitFactory, UserFactory
from tests.test_chinese_ui import read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(region) -> Unit:
    """A 乡镇 in its own township-level region under the county (as in a real deployment and the demo)."""
    town = RegionFactory(code="330999101000", name="青山镇", level=Region.Level.TOWNSHIP, parent=region)
    return UnitFactory(name="青山镇", region=town, display_order=3)


@pytest.fixture
def town_reporter(township):
    return UserFactory(username="town", full_name="孙填报", unit=township, is_reporter=True)


@pytest.fixture
def town_project(township):
    return ProjectFactory(name="青山镇新材料产业园", unit=township)


def raise_via_form(client, reporter, project, lead_unit, **extra):
    login(client, reporter)
    return client.post("/coordination/problems/new/", {
        "project": project.pk, "title": "用地报批卡在省厅", "category": "LAND", "description": "需自然资源局牵头协调",
        "lead_unit": lead_unit.pk, **extra})


def test_the_form_offers_the_county_units_with_the_own_unit_first(client, today, town_reporter, town_project, dept):
    login(client, town_reporter)
    page = client.get(f"/coordination/problems/new/?project={town_project.pk}").content.decode()
    form = client.get(f"/coordination/problems/new/?project={town_project.pk}").context["form"]
    assert form["lead_unit"].value() == town_reporter.unit_id
    assert set(form.fields["lead_unit"].queryset) >= {town_reporter.unit, dept}
    assert "可建议其他单位，由重点项目办确认" in page and "Select an option" not in page
    # The help line names the categories in Chinese (it printed LAND=15 FUNDS=10 …).
    text, _ = read_page(page)
    assert "工作日，按国家法定节假日安排计算）：用地 15、资金 10、能耗 15" in text and "LAND" not in text


def test_a_proposal_is_stored_and_only_the_office_is_told(client, today, town_reporter, town_project, dept, dept_user,
                                                          coordinator):
    response = raise_via_form(client, town_reporter, town_project, dept)
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert (problem.lead_unit, problem.proposed_lead_unit, problem.status) == (town_reporter.unit, dept,
                                                                               Status.PENDING)
    raised = AuditEvent.objects.get(action="coordination.problem.raised")
    assert raised.changes["proposed_lead_unit"] == "市自然资源局" and raised.changes["lead_unit"] == "青山镇"
    assert list(Message.objects.values_list("user__username", "title")) == [
        ("coordinator", "待确认牵头单位：用地报批卡在省厅")]
    page = client.get(f"/coordination/problems/{problem.pk}/").content.decode()
    assert "建议由市自然资源局牵头，待重点项目办确认" in page
    login(client, coordinator)
    listed, _ = read_page(client.get("/coordination/problems/").content.decode())
    assert "青山镇\n建议：市自然资源局（待确认）" in listed


def test_proposing_the_own_unit_is_no_proposal(client, today, town_reporter, town_project):
    raise_via_form(client, town_reporter, town_project, town_reporter.unit)
    problem = Problem.objects.get()
    assert (problem.lead_unit, problem.proposed_lead_unit) == (town_reporter.unit, None)


def test_a_unit_outside_the_county_cannot_be_proposed(client, today, town_reporter, town_project):
    elsewhere = RegionFactory(code="330888", name="别的县", level=Region.Level.COUNTY)
    stranger = UnitFactory(name="别县发改局", kind=Unit.Kind.DEPARTMENT, region=elsewhere)
    response = raise_via_form(client, town_reporter, town_project, stranger)
    assert response.status_code == 200 and "所选牵头单位不存在。" in response.content.decode()
    assert not Problem.objects.exists()


@pytest.fixture
def proposed(client, today, town_reporter, town_project, dept):
    raise_via_form(client, town_reporter, town_project, dept)
    client.logout()
    return Problem.objects.get()


def act(client, user, problem, action, **data):
    login(client, user)
    problem.refresh_from_db()
    return client.post(f"/coordination/problems/{problem.pk}/{action}/", {"version": problem.version, **data},
                       follow=True)


def test_the_proposed_unit_cannot_accept_before_the_office_confirms(client, proposed, dept_user, town_reporter):
    # The proposed unit is not involved yet: the item is not in its scope until the office confirms.
    assert act(client, dept_user, proposed, "accept").status_code == 404
    # Nor can the raising unit, lead of record meanwhile, accept (or settle) it itself.
    login(client, town_reporter)
    assert "受理</button>" not in client.get(f"/coordination/problems/{proposed.pk}/").content.decode()
    response = act(client, town_reporter, proposed, "accept")
    assert "建议的牵头单位尚待重点项目办确认" in response.content.decode()
    proposed.refresh_from_db()
    assert (proposed.status, proposed.proposed_lead_unit_id) == (Status.PENDING, proposed.proposed_lead_unit_id)


def test_readers_and_other_units_cannot_confirm(client, proposed, leader, reporter_b):
    assert act(client, leader, proposed, "accept").status_code == 403
    assert act(client, reporter_b, proposed, "accept").status_code == 404
    login(client, reporter_b)
    assert client.get(f"/coordination/problems/{proposed.pk}/").status_code == 404
    proposed.refresh_from_db()
    assert proposed.proposed_lead_unit_id is not None and proposed.status == Status.PENDING


def test_the_office_confirms_by_accepting(client, proposed, coordinator, dept, dept_user, town_reporter):
    response = act(client, coordinator, proposed, "accept")
    assert "已受理。" in response.content.decode()
    proposed.refresh_from_db()
    assert (proposed.lead_unit, proposed.proposed_lead_unit, proposed.status) == (dept, None, Status.IN_PROGRESS)
    event = AuditEvent.objects.get(action="coordination.problem.accepted")
    assert event.changes["lead_unit"] == ["青山镇", "市自然资源局"]
    assert event.changes["proposed_lead_unit"] == ["市自然资源局", None]
    assert event.actor == coordinator
    assert Message.objects.filter(user=dept_user, title="交办：用地报批卡在省厅").exists()
    # Now the confirmed lead handles it.
    assert act(client, dept_user, proposed, "resolve", text="已协调省厅完成报批").status_code == 200
    proposed.refresh_from_db()
    assert proposed.status == Status.RESOLVED
    history = list(proposed.events.values_list("label", "note"))
    assert history[1] == ("受理", "牵头单位：市自然资源局（确认提出单位建议的牵头单位）")


def test_the_office_changes_the_lead_when_assigning(client, proposed, coordinator, unit_b, reporter_b, dept_user):
    login(client, coordinator)
    form = client.get(f"/coordination/problems/{proposed.pk}/").context["assign_form"]
    assert form["lead_unit"].value() == proposed.proposed_lead_unit_id  # the proposal is the default
    client.post(f"/coordination/problems/{proposed.pk}/assign/", {
        "lead_unit": unit_b.pk, "deadline": "2026-12-10", "version": proposed.version})
    proposed.refresh_from_db()
    assert (proposed.lead_unit, proposed.proposed_lead_unit) == (unit_b, None)
    event = AuditEvent.objects.get(action="coordination.problem.assigned")
    assert event.changes["proposed_lead_unit"] == ["市自然资源局", None]
    assert event.changes["lead_unit"] == ["青山镇", "西湖街道"]
    assert proposed.events.last().note == "牵头单位：西湖街道（未采纳提出单位建议的牵头单位市自然资源局）"
    assert Message.objects.filter(user=reporter_b, title="交办：用地报批卡在省厅").exists()
    assert not Message.objects.filter(user=dept_user).exists()
    # The audit log names the field in Chinese.
    auditor = UserFactory(username="aud", unit=coordinator.unit, is_auditor=True)
    login(client, auditor)
    body = client.get("/audit/", {"action": "coordination.problem.assigned"}).content.decode()
    assert "建议牵头单位: 市自然资源局 → 空" in body and "交办" in body
