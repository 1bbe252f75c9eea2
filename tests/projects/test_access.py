"""Every project view and export with the three standard actors: the owning unit's reporter (writes), a reader
(leader: reads, 403 on writes) and another unit's reporter (404)."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db

READ_URLS = ["/projects/{pk}/"]
WRITE_GETS = ["/projects/{pk}/edit/"]
WRITE_POSTS = [
    ("/projects/{pk}/edit/", {"name": "x"}),
    ("/projects/{pk}/advance/", {"stage": "SIGNED", "actual_date": "2026-01-05", "version": "1"}),
    ("/projects/{pk}/status/", {"action": "suspend", "reason": "环保管控", "version": "1"}),
    ("/projects/{pk}/approvals/{kind}/", {"status": "IN_PROGRESS"}),
    ("/projects/{pk}/plans/", {"year": "2026", "planned_investment": "100"}),
    ("/projects/{pk}/funding/", {"source": "BANK_LOAN", "planned": "1", "in_place": "1", "spent": "0"}),
]


@pytest.fixture
def kind():
    from tadiao.projects.models import ApprovalKind

    return ApprovalKind.objects.first()


def test_owner_reporter_reads_and_writes(client, reporter_a, project_a, kind):
    login(client, reporter_a)
    assert client.get(f"/projects/{project_a.pk}/").status_code == 200
    assert client.get(f"/projects/{project_a.pk}/edit/").status_code == 200
    response = client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "100"})
    assert response.status_code == 302
    assert project_a.annual_plans.get(year=2026).planned_investment == 100


@pytest.mark.parametrize("url", READ_URLS + WRITE_GETS)
def test_other_units_reporter_gets_404(client, reporter_b, project_a, url):
    login(client, reporter_b)
    assert client.get(url.format(pk=project_a.pk)).status_code == 404


@pytest.mark.parametrize("url,data", WRITE_POSTS)
def test_other_units_reporter_gets_404_on_writes(client, reporter_b, project_a, kind, url, data):
    login(client, reporter_b)
    assert client.post(url.format(pk=project_a.pk, kind=kind.pk), data).status_code == 404


def test_leader_reads_everything_in_region(client, leader, project_a, project_b):
    login(client, leader)
    assert client.get(f"/projects/{project_a.pk}/").status_code == 200
    body = client.get("/projects/").content.decode()
    assert project_a.name in body and project_b.name in body


@pytest.mark.parametrize("url", WRITE_GETS)
def test_leader_gets_403_on_write_pages(client, leader, project_a, url):
    login(client, leader)
    assert client.get(url.format(pk=project_a.pk)).status_code == 403


@pytest.mark.parametrize("url,data", WRITE_POSTS)
def test_leader_gets_403_on_writes(client, leader, project_a, kind, url, data):
    login(client, leader)
    assert client.post(url.format(pk=project_a.pk, kind=kind.pk), data).status_code == 403


def test_leader_cannot_create(client, leader):
    login(client, leader)
    assert client.get("/projects/new/").status_code == 403


@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_do_not_read_projects(client, request, actor, project_a):
    login(client, request.getfixturevalue(actor))
    assert client.get("/projects/").status_code == 403
    assert client.get("/projects/export.xlsx").status_code == 403
    assert client.get(f"/projects/{project_a.pk}/").status_code == 404


def test_reporter_list_and_export_hold_only_own_unit(client, reporter_b, project_a, project_b):
    from python_calamine import CalamineWorkbook

    login(client, reporter_b)
    body = client.get("/projects/").content.decode()
    assert project_b.name in body and project_a.name not in body
    # Another unit's id in the filter does not widen the scope.
    body = client.get(f"/projects/?unit={project_a.unit_id}").content.decode()
    assert project_a.name not in body
    rows = (
        CalamineWorkbook.from_filelike(_bytes(client.get("/projects/export.xlsx")))
        .get_sheet_by_name("项目")
        .to_python()
    )
    assert [r[1] for r in rows[1:]] == [project_b.name]


def test_reporter_can_only_assign_own_unit(client, reporter_a, unit_b):
    login(client, reporter_a)
    response = client.post(
        "/projects/new/",
        {
            "name": "越权项目",
            "unit": unit_b.pk,
            "level": "COUNTY",
            "category": "INDUSTRY",
            "nature": "NEW",
            "total_investment": "100",
            "stage": "RESERVE",
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_coordinator_action_refused_for_reporter(client, reporter_a, project_a):
    login(client, reporter_a)
    response = client.post(
        f"/projects/{project_a.pk}/status/", {"action": "cancel", "reason": "计划改变", "version": "1"}, follow=True
    )
    assert "终止项目需由调度员（重点项目办）操作。" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.is_cancelled is False


def _bytes(response):
    import io

    return io.BytesIO(response.content)
