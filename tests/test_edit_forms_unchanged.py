"""Every edit page saved exactly as it was rendered changes nothing and writes no audit event (issue 15 ①).

Each test opens the edit page through the test client, reads the form back from the HTML as a browser would send it
(ticked boxes, selected options, hidden fields; tests/formpost.py) and posts it unchanged."""

import datetime
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Project, Tag
from tests.conftest import login
from tests.formpost import rendered_form


def stored(obj) -> dict:
    """Every stored column of the row and the ids of its many-to-many relations, read fresh."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
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
    assert response.status_code in (200, 302), response.status_code
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
