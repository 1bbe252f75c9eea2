"""The download: coordinators only (a reporter never gets other units' projects, a leader reads the pages but does
not publish), the coordinator's region only, Chinese errors, flat query count."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.oc4ids.validation import validation_errors
from tests.conftest import login
from tests.oc4ids.conftest import full_project

pytestmark = pytest.mark.django_db
URL = "/projects/export/oc4ids/"


def test_the_coordinator_downloads_the_region(client, coordinator, built, project_b, other_region_coordinator):
    login(client, coordinator)
    response = client.get(URL + "?as_of=2026-11-23")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="oc4ids_20261123.json"'
    package = json.loads(response.content)
    assert validation_errors(package) == []
    assert package["uri"] == "http://testserver/projects/export/oc4ids/?as_of=2026-11-23"
    assert package["publisher"] == {"name": "青山市发展和改革局"}
    assert sorted(p["title"] for p in package["projects"]) == ["东城大道改造工程", "西湖街道城市更新"]  # not 远山县水厂
    assert {p["id"] for p in package["projects"]} >= {"oc4ids-tadiao-2024-330999-48-01-123456"}
    # the as-of date decides the months
    months = next(p for p in package["projects"] if p["title"] == "东城大道改造工程")["transactions"]
    assert [t["id"] for t in months] == ["2026-01", "2026-02"]
    early = json.loads(client.get(URL + "?as_of=2026年1月31日").content)
    road = next(p for p in early["projects"] if p["title"] == "东城大道改造工程")
    assert [t["id"] for t in road["transactions"]] == ["2026-01"]


def test_everyone_else_is_refused(client, built, reporter_a, reporter_b, leader, sysadmin, auditor):
    for user in (reporter_a, reporter_b, leader, sysadmin, auditor):
        login(client, user)
        response = client.get(URL)
        assert response.status_code == 403, user
        assert "东城大道改造工程" not in response.content.decode()


def test_the_ledger_links_the_download_for_coordinators_only(client, coordinator, reporter_a, leader, built):
    login(client, coordinator)
    assert 'id="oc4ids-link"' in client.get("/projects/").text
    for user in (reporter_a, leader):
        login(client, user)
        assert 'id="oc4ids-link"' not in client.get("/projects/").text


def test_a_bad_date_is_a_chinese_error(client, coordinator, built):
    login(client, coordinator)
    response = client.get(URL + "?as_of=2026-13-01")
    assert response.status_code == 400
    assert "截至日期“2026-13-01”格式不正确" in response.content.decode()


def test_no_project_sends_back_to_the_ledger(client, coordinator):
    login(client, coordinator)
    response = client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == "/projects/"
    assert "没有可导出的项目" in response.text


def test_query_count_is_flat(client, coordinator, unit_a, unit_b):
    """Nine queries at N and 2N projects: (1) the session, (2) the user, (3) the coordinator's unit and (4) its region
    (the publisher's name and the access gate's scope; read once, then cached on the user), then the package's five:
    (5) the projects with unit, region, supervising department and industry, (6) annual plans, (7) approvals with
    their checklist item, (8) funding, (9) the reported months."""
    login(client, coordinator)
    counts = []
    for n in (4, 8):
        for i in range(n - (4 if n == 8 else 0)):
            full_project(unit_a if i % 2 else unit_b, i + n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200 and len(json.loads(response.content)["projects"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts == [9, 9], counts
