def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


def test_pages_need_login(client, db):
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_sends_each_role_to_its_page(client, reporter_a, sysadmin, auditor):
    from tests.conftest import login

    for user, target in [(reporter_a, "/projects/"), (sysadmin, "/org/users/"), (auditor, "/audit/")]:
        login(client, user)
        assert client.get("/")["Location"] == target


def test_errors_are_chinese_pages_not_stack_traces(client, leader, project_a):
    from tests.conftest import login

    login(client, leader)
    forbidden = client.get(f"/projects/{project_a.pk}/edit/")
    assert forbidden.status_code == 403
    assert "您只能查看该项目，不能修改。" in forbidden.content.decode()
    missing = client.get("/projects/999999/")
    assert missing.status_code == 404
    assert "不在您的查看范围内" in missing.content.decode()


def test_stale_form_gets_a_chinese_csrf_page(db, reporter_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a)
    response = client.post("/projects/new/", {})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_healthz_needs_no_login(client, db):
    assert client.get("/healthz").content == b"ok"
