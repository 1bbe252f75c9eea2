"""Every edit page saved exactly as it was rendered changes nothing and writes no audit event (issue 15 ①).

Each test opens the edit page through the test client, reads the form back from the HTML as a browser would send it
(ticked boxes, selected options, hidden fields; tests/formpost.py) and posts it unchanged."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Project, Tag
from tests.conftest import login
from tests.formpost import rendered_form


def stored(obj) -> dict:
    """Every stored column of the row and the ids of its many-to-many relations, read fresh."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    values = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}
    for m2m in fresh._meta.many_to_many:
        values[m2m.name] = sorted(o.pk for o in getattr(fresh, m2m.name).all())
    return values


def save_unchanged(client, url: str, *, action: str | None = None, has: str | None = None, submit=None):
    """GET the page, post its form back as rendered; the response of the POST."""
    page = client.get(url)
    assert page.status_code == 200
    form = rendered_form(page.content.decode(), action=action, has=has)
    return client.post(form.action or url, form.data(submit=submit))


def assert_saved_unchanged(client, url, obj, **kwargs):
    before, events = stored(obj), AuditEvent.objects.count()
    response = save_unchanged(client, url, **kwargs)
    messages = [str(m) for m in response.wsgi_request._messages] if hasattr(response, "wsgi_request") else []
    assert not any("有误" in m or "不能" in m for m in messages), messages
    assert response.status_code in (200, 302), re.findall(r'class="alert[^>]*>([^<]+)', response.content.decode())
    assert stored(obj) == before
    assert AuditEvent.objects.count() == events, list(AuditEvent.objects.values("action", "changes"))[events:]
    return response


# ---------------------------------------------------------------------------------------------------
# projects


@pytest.fixture
def tagged_project(project_a, unit_b, office_unit):
    from tests.factories import LeaderFactory

    project_a.tags.set([Tag.objects.get_or_create(name="招商引资")[0], Tag.objects.get_or_create(name="智能化改造")[0]])
    Tag.objects.get_or_create(name="专项债")
    project_a.code = "2026-330999-04-01-123456"
    project_a.leader = LeaderFactory(name="钱副市长")
    project_a.supervising_department = office_unit
    project_a.content = "新建厂房 3 万平方米\n购置设备 120 台"
    project_a.in_statistics = True
    project_a.statistics_month = datetime.date(2026, 3, 1)
    project_a.land_area = Decimal("85.50")
    project_a.latitude, project_a.longitude = Decimal("30.123456"), Decimal("120.654321")
    project_a.planned_started_date = datetime.date(2026, 12, 1)
    project_a.save()
    return project_a


@pytest.mark.parametrize("who", ["reporter_a", "coordinator"])
def test_project_edit_saved_unchanged(client, request, tagged_project, who):
    login(client, request.getfixturevalue(who))
    response = assert_saved_unchanged(client, f"/projects/{tagged_project.pk}/edit/", tagged_project, has="version")
    assert response.status_code == 302
    assert sorted(t.name for t in tagged_project.tags.all()) == ["招商引资", "智能化改造"]


def test_project_edit_changing_only_the_code_keeps_the_tags(client, reporter_a, tagged_project):
    login(client, reporter_a)
    url = f"/projects/{tagged_project.pk}/edit/"
    form = rendered_form(client.get(url).content.decode(), has="version")
    data = form.data()
    data["code"] = ["2026-330999-04-01-654321"]
    assert client.post(url, data).status_code == 302
    project = Project.objects.get(pk=tagged_project.pk)
    assert project.code == "2026-330999-04-01-654321"
    assert sorted(t.name for t in project.tags.all()) == ["招商引资", "智能化改造"]
    event = AuditEvent.objects.get(action="projects.project.updated")
    assert event.changes == {"code": ["2026-330999-04-01-123456", "2026-330999-04-01-654321"]}


# ---------------------------------------------------------------------------------------------------
# Every other edit page, on the demo county (realistic rows: several units, roles, tags, helping units…)

@pytest.fixture(scope="module")
def _demo_county(django_db_setup, django_db_blocker):
    from django.db import transaction

    from tadiao.demo import services as demo_services

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # The pages read today's date: the demo is loaded as of the same day.
            demo_services.load_demo(today=timezone.localdate())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_county, db):
    from tests.factories import UserFactory

    office = _user("diaodu").unit
    UserFactory(username="admin", full_name="系统管理员", unit=office, is_sysadmin=True)


def _user(username):
    from tadiao.org.models import User

    return User._base_manager.get(username=username)


def _trip():
    from tadiao.attraction.models import Trip

    return "diaodu", Trip.objects.order_by("pk").first(), "/attraction/trips/{pk}/edit/", {"action": ""}


def _lead():
    from tadiao.attraction.models import Lead

    return "diaodu", Lead.objects.order_by("pk").first(), "/attraction/leads/{pk}/edit/", {"has": "version"}


def _meeting():
    from tadiao.coordination.models import Meeting

    meeting = Meeting.objects.filter(attendee_units__isnull=False).order_by("pk").first()
    return "diaodu", meeting, "/coordination/meetings/{pk}/edit/", {"has": "version"}


def _figure():
    from tadiao.economy.models import Figure

    return "diaodu", Figure.objects.order_by("pk").first(), "/economy/figures/{pk}/edit/", {"action": ""}


def _channel():
    from tadiao.notifications.models import Channel
    from tadiao.org.models import Unit

    channel = Channel.objects.create(
        type=Channel.Type.DINGTALK, name="发改局钉钉群", webhook_url="https://oapi.dingtalk.com/robot/send?access_token=x",
        secret="SEC123", kinds=[], enabled=True,
    )
    channel.units.set(Unit.objects.order_by("pk")[:2])
    return "admin", channel, "/notifications/channels/{pk}/edit/", {"has": "version"}


def _region():
    from tadiao.org.models import Region

    return "admin", Region.objects.exclude(parent=None).order_by("pk").first(), "/org/regions/{pk}/", {"has": "name"}


def _unit():
    from tadiao.org.models import Unit

    return "admin", Unit.objects.order_by("pk").first(), "/org/units/{pk}/", {"has": "kind"}


def _leader():
    from tadiao.org.models import Leader

    return "admin", Leader.objects.order_by("pk").first(), "/org/leaders/{pk}/", {"has": "title"}


def _account():
    return "admin", _user("diaodu"), "/org/users/{pk}/", {"has": "full_name"}


def _report():
    from tadiao.reporting.models import MonthlyReport, Period
    from tadiao.reporting.queries import owed_reports_for_user

    period = Period.objects.filter(closed_at=None).order_by("-month").first()
    report = MonthlyReport.objects.filter(period=period, status__in=["DRAFT", "RETURNED"]).first()
    if report is None:  # early in a month: a draft with every field filled, as a reporter leaves it
        project = owed_reports_for_user(_user("diaodu"), period).first()
        report = MonthlyReport.objects.create(
            project=project, period=period, investment_completed=Decimal("123.45"), progress_text="主体结构施工至三层",
            workers_on_site=35,
        )
    url = f"/reporting/projects/{report.project_id}/{report.period.month:%Y-%m}/"
    return "diaodu", report, url, {"has": "version", "submit": "save"}


def _approval():
    from tadiao.projects.models import ProjectApproval

    approval = ProjectApproval.objects.exclude(department="").order_by("pk").first()
    url = f"/projects/{approval.project_id}/"
    return "diaodu", approval, url, {"action": f"/projects/{approval.project_id}/approvals/{approval.kind_id}/"}


def _bulletin_settings():
    from tadiao.bulletins.models import BulletinSettings

    return "diaodu", BulletinSettings.objects.get_or_create()[0], "/bulletins/settings/", {"has": "issuer"}


def _coordination_settings():
    from tadiao.coordination.models import CoordinationSettings

    return "diaodu", CoordinationSettings.objects.get_or_create()[0], "/coordination/settings/", {"action": ""}


CASES = {
    "trip": _trip,
    "lead": _lead,
    "meeting": _meeting,
    "figure": _figure,
    "channel": _channel,
    "region": _region,
    "unit": _unit,
    "leader": _leader,
    "user": _account,
    "report": _report,
    "approval": _approval,
    "bulletin_settings": _bulletin_settings,
    "coordination_settings": _coordination_settings,
}


def _problem_assignment():
    from tadiao.coordination.models import Problem

    problem = Problem.objects.filter(helping_units__isnull=False, status="IN_PROGRESS").order_by("pk").first()
    url = f"/coordination/problems/{problem.pk}/"
    return "diaodu", problem, url, {"action": f"{url}assign/"}


def _assessment_scheme():
    from tadiao.indicators.models import AssessmentScheme

    scheme = AssessmentScheme.objects.order_by("-year").first()
    return "diaodu", scheme, "/indicators/assessment/settings/", {"has": "unit_kinds"}


def _bulletin():
    from tadiao.bulletins import services as bulletins
    from tadiao.reporting.models import Period

    period = Period.objects.exclude(closed_at=None).filter(snapshot__isnull=False).order_by("-month").first()
    bulletin = bulletins.create_bulletin(period=period, by=_user("diaodu"), today=timezone.localdate())
    return "diaodu", bulletin, "/bulletins/{pk}/edit/", {"has": "title"}


def _economy_targets():
    from tadiao.economy.models import Target

    target = Target.objects.filter(year=timezone.localdate().year).order_by("pk").first()
    return "diaodu", target, "/economy/targets/", {"has": "year"}


CASES.update(
    {
        "problem_assignment": _problem_assignment,
        "assessment_scheme": _assessment_scheme,
        "bulletin": _bulletin,
        "economy_targets": _economy_targets,
    }
)


@pytest.mark.parametrize("case", list(CASES))
def test_edit_page_saved_unchanged(client, demo, case):
    username, obj, url, kwargs = CASES[case]()
    assert obj is not None, case
    login(client, _user(username))
    assert_saved_unchanged(client, url.format(pk=obj.pk), obj, **kwargs)
