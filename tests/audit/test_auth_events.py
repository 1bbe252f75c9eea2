"""Logins, failed logins and lockouts (django-axes) reach the audit log, with the client's address."""

import pytest
from django.conf import settings

from tadiao.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

IP = "10.20.30.40"


def post_login(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=IP)


def test_login_is_audited(client, reporter_a):
    response = post_login(client, "reporter_a", "tadiao-test-pw")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor, event.actor_name, event.ip, event.result) == (reporter_a, "张填报", IP, "SUCCESS")
    assert event.object_type == "org.user" and event.object_id == str(reporter_a.pk)


def test_logout_is_audited(client, reporter_a):
    post_login(client, "reporter_a", "tadiao-test-pw")
    client.post("/accounts/logout/", REMOTE_ADDR=IP)
    assert AuditEvent.objects.get(action="auth.logout").actor == reporter_a


def test_failed_login_is_audited(client, reporter_a):
    response = post_login(client, "reporter_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor, event.actor_name, event.ip, event.result) == (None, "reporter_a", IP, "FAILURE")
    assert "wrong" not in event.message  # the typed password is never stored


def test_failed_login_of_an_unknown_name_is_audited(client, db):
    post_login(client, "nobody", "x")
    assert AuditEvent.objects.get(action="auth.login_failed").actor_name == "nobody"


def test_lockout_after_the_failure_limit(client, reporter_a):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert post_login(client, "reporter_a", "wrong").status_code == 200
    assert not AuditEvent.objects.filter(action="auth.locked_out").exists()
    response = post_login(client, "reporter_a", "wrong")
    assert response.status_code == 429
    assert "账号已临时锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == limit
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert (locked.actor_name, locked.ip, locked.result) == ("reporter_a", IP, "FAILURE")
    # Locked: even the right password is refused, and the attempt is audited again.
    response = post_login(client, "reporter_a", "tadiao-test-pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 2


def test_lockout_is_per_user_and_address(client, reporter_a, reporter_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "reporter_a", "wrong")
    assert post_login(client, "reporter_b", "tadiao-test-pw").status_code == 302
