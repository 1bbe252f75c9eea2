"""Leaders' instructions (批示) on a problem or a project: the one write a leader makes, shown prominently,
notified to the units involved."""

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.coordination.models import Instruction
from tadiao.notifications.models import Message
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_leader_instructs_on_a_problem(client, today, leader, problem_a, dept_user, reporter_a):
    login(client, leader)
    r = client.post(f"/coordination/problems/{problem_a.pk}/instruct/", {"content": "请自然资源局本周内解决"})
    assert r.status_code == 302
    item = Instruction.objects.get()
    assert (item.problem, item.leader, item.project) == (problem_a, leader, None)
    assert AuditEvent.objects.filter(action="coordination.instruction.created").exists()
    assert {m.user for m in Message.objects.filter(kind="INSTRUCTION")} == {dept_user, reporter_a}
    login(client, reporter_a)
    page = client.get(f"/coordination/problems/{problem_a.pk}/").content.decode()
    assert 'id="instructions"' in page and "请自然资源局本周内解决" in page


def test_leader_instructs_on_a_project_shown_on_its_page(client, today, leader, project_a, reporter_a):
    login(client, leader)
    page = client.get(f"/projects/{project_a.pk}/").content.decode()
    assert f"/coordination/projects/{project_a.pk}/instruct/" in page
    r = client.post(f"/coordination/projects/{project_a.pk}/instruct/", {"content": "加快开工"})
    assert r["Location"] == f"/projects/{project_a.pk}/"
    assert Message.objects.filter(user=reporter_a, kind="INSTRUCTION").count() == 1
    login(client, reporter_a)
    page = client.get(f"/projects/{project_a.pk}/").content.decode()
    assert 'id="project-instructions"' in page and "加快开工" in page
    assert f"/coordination/projects/{project_a.pk}/instruct/" not in page  # only leaders write
    assert f"/coordination/problems/new/?project={project_a.pk}" in page


def test_only_leaders_instruct(client, today, reporter_a, reporter_b, coordinator, problem_a, project_a):
    for user, expected in ((reporter_a, 403), (coordinator, 403), (reporter_b, 404)):
        login(client, user)
        assert client.post(f"/coordination/problems/{problem_a.pk}/instruct/", {"content": "x"}).status_code == expected
    login(client, reporter_b)
    assert client.post(f"/coordination/projects/{project_a.pk}/instruct/", {"content": "x"}).status_code == 404
    login(client, reporter_a)
    assert client.post(f"/coordination/projects/{project_a.pk}/instruct/", {"content": "x"}).status_code == 403
    assert not Instruction.objects.exists()


def test_empty_instruction_is_refused(client, today, leader, problem_a):
    login(client, leader)
    r = client.post(f"/coordination/problems/{problem_a.pk}/instruct/", {"content": ""}, follow=True)
    assert "请填写批示内容" in r.content.decode() and not Instruction.objects.exists()
