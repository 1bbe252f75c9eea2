"""Users: roles with 三员分立 (form, service and database), passwords generated and shown once,
deactivation instead of deletion — each write audited with old → new."""

import pytest
from axes.models import AccessAttempt
from django.db import IntegrityError, transaction

from tadiao.audit.models import AuditEvent
from tadiao.org import services
from tadiao.org.models import User
from tests.factories import LeaderFactory, UserFactory
from tests.org.conftest import last_event

pytestmark = pytest.mark.django_db

SEPARATION = "系统管理员和审计管理员不能兼任其他角色（三员分立）"


def test_create_user_shows_the_password_once(sys_client, unit_a):
    response = sys_client.post("/org/users/new/", {
        "username": "wang_tb", "full_name": "王填报", "phone": "13800000000", "unit": unit_a.pk,
        "roles": ["reporter"]})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    assert len(password) == 12 and password in response.content.decode()
    user = User.objects.get(username="wang_tb")
    assert user.check_password(password)
    assert (user.unit, user.is_reporter, user.is_coordinator, user.is_active) == (unit_a, True, False, True)
    event = last_event("org.user.created")
    assert event.changes["roles"] == [None, "填报员"]
    assert event.changes["unit"] == [None, "东城镇"]
    assert password not in str(event.changes) and password not in event.message
    # Not kept anywhere for a second look: the edit page does not show it.
    assert password not in sys_client.get(f"/org/users/{user.pk}/").content.decode()


def test_create_with_several_roles(sys_client, office_unit):
    sys_client.post("/org/users/new/", {
        "username": "zhou", "full_name": "周调度", "unit": office_unit.pk, "roles": ["coordinator", "leader"]})
    user = User.objects.get(username="zhou")
    assert user.is_coordinator and user.is_leader and not user.is_reporter


@pytest.mark.parametrize("roles", [["sysadmin", "reporter"], ["auditor", "leader"], ["sysadmin", "auditor"]])
def test_role_separation_refused_in_the_form(sys_client, office_unit, roles):
    response = sys_client.post("/org/users/new/", {
        "username": "bad", "full_name": "兼任", "unit": office_unit.pk, "roles": roles})
    assert response.status_code == 200
    assert SEPARATION in response.content.decode()
    assert not User.objects.filter(username="bad").exists()
    assert not AuditEvent.objects.filter(action="org.user.created").exists()


def test_role_separation_refused_on_edit(sys_client, reporter_a):
    response = sys_client.post(f"/org/users/{reporter_a.pk}/", {
        "full_name": "张填报", "unit": reporter_a.unit_id, "roles": ["reporter", "auditor"]})
    assert SEPARATION in response.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.is_reporter and not reporter_a.is_auditor


def test_role_separation_refused_by_the_service(sysadmin, unit_a, reporter_a):
    with pytest.raises(services.RoleSeparationError) as exc:
        services.create_user(by=sysadmin, username="x", full_name="x", unit=unit_a, roles=["sysadmin", "leader"])
    assert exc.value.message == SEPARATION
    with pytest.raises(services.RoleSeparationError):
        services.update_user(user=reporter_a, by=sysadmin, full_name="张填报", phone="", unit=unit_a, leader=None,
                             roles=["reporter", "sysadmin"])


@pytest.mark.parametrize("fields", [
    {"is_sysadmin": True}, {"is_auditor": True}, {"is_reporter": False, "is_sysadmin": True, "is_auditor": True}])
def test_role_separation_backstop_is_the_database(reporter_a, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=reporter_a.pk).update(**fields)


def test_role_separation_backstop_on_insert(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="forced", is_coordinator=True, is_auditor=True)


def test_reporter_needs_a_unit_and_someone_needs_a_role(sys_client):
    response = sys_client.post("/org/users/new/", {"username": "a", "full_name": "甲", "roles": ["reporter"]})
    assert "填报员必须属于一个单位。" in response.content.decode()
    response = sys_client.post("/org/users/new/", {"username": "a", "full_name": "甲"})
    assert "请至少选择一个角色。" in response.content.decode()


def test_username_taken_case_insensitively(sys_client, reporter_a):
    response = sys_client.post("/org/users/new/", {
        "username": "Reporter_A", "full_name": "重名", "unit": reporter_a.unit_id, "roles": ["reporter"]})
    assert "用户名“Reporter_A”已被使用。" in response.content.decode()


def test_edit_profile_and_roles_are_two_events(sys_client, reporter_a, unit_b):
    leader = LeaderFactory(name="赵一", title="副市长")
    response = sys_client.post(f"/org/users/{reporter_a.pk}/", {
        "full_name": "张填报", "phone": "0571-1234", "unit": unit_b.pk, "leader": leader.pk,
        "roles": ["reporter", "leader"]})
    assert response.status_code == 302
    reporter_a.refresh_from_db()
    assert reporter_a.unit == unit_b and reporter_a.is_leader and reporter_a.leader == leader
    updated = last_event("org.user.updated")
    assert updated.changes == {"phone": ["", "0571-1234"], "unit": ["东城镇", "西湖街道"],
                               "leader": [None, "赵一（副市长）"]}
    roles = last_event("org.user.roles_changed")
    assert roles.changes == {"roles": ["填报员", "填报员、领导"]}
    assert roles.object_id == str(reporter_a.pk) and roles.actor_name == "系统管理员"


def test_sysadmin_cannot_drop_own_role(sys_client, sysadmin):
    response = sys_client.post(f"/org/users/{sysadmin.pk}/", {
        "full_name": "系统管理员", "unit": sysadmin.unit_id, "roles": ["coordinator"]})
    assert "不能取消自己的系统管理员角色" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_sysadmin


def test_reset_password(sys_client, reporter_a):
    AccessAttempt.objects.create(username="reporter_a", ip_address="10.0.0.9", user_agent="x",
                                 failures_since_start=5)
    response = sys_client.post(f"/org/users/{reporter_a.pk}/reset-password/")
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(password) and not reporter_a.check_password("tadiao-test-pw")
    assert not AccessAttempt.objects.filter(username="reporter_a").exists()  # the lockout is lifted
    event = last_event("org.user.password_reset")
    assert event.object_id == str(reporter_a.pk)
    assert password not in event.message and event.changes == {}


def test_reset_own_password_keeps_the_session(sys_client, sysadmin):
    sys_client.post(f"/org/users/{sysadmin.pk}/reset-password/")
    # Still logged in; a generated password is to be changed first (issue 10), so the page sends there.
    response = sys_client.get("/org/users/")
    assert response.status_code == 302 and response.url == "/accounts/password/"
    assert sys_client.get("/accounts/password/").status_code == 200


def test_generated_passwords_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(services.generate_password())


def test_deactivate_and_reactivate(sys_client, client, reporter_a):
    response = sys_client.post(f"/org/users/{reporter_a.pk}/toggle-active/", {"active": "0"})
    assert response.status_code == 302
    reporter_a.refresh_from_db()
    assert not reporter_a.is_active
    assert last_event("org.user.deactivated").changes == {"is_active": [True, False]}
    # Posting the same state again changes nothing (two administrators clicking at once).
    sys_client.post(f"/org/users/{reporter_a.pk}/toggle-active/", {"active": "0"})
    assert AuditEvent.objects.filter(action="org.user.deactivated").count() == 1
    sys_client.post(f"/org/users/{reporter_a.pk}/toggle-active/", {"active": "1"})
    reporter_a.refresh_from_db()
    assert reporter_a.is_active
    assert last_event("org.user.reactivated").changes == {"is_active": [False, True]}
    assert User.objects.filter(pk=reporter_a.pk).exists()  # never deleted


def test_deactivated_user_cannot_log_in(sysadmin, client, reporter_a):
    services.set_user_active(user=reporter_a, by=sysadmin, active=False)
    response = client.post("/accounts/login/", {"username": "reporter_a", "password": "tadiao-test-pw"},
                           REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_sysadmin_cannot_deactivate_self(sys_client, sysadmin):
    sys_client.post(f"/org/users/{sysadmin.pk}/toggle-active/", {"active": "0"})
    sysadmin.refresh_from_db()
    assert sysadmin.is_active
    assert "不能停用自己的账号。" in sys_client.get(f"/org/users/{sysadmin.pk}/").content.decode()


def test_list_search_and_role_filter(sys_client, reporter_a, reporter_b, coordinator, auditor):
    body = sys_client.get("/org/users/", {"q": "张"}).content.decode()
    assert "reporter_a" in body and "reporter_b" not in body
    page = sys_client.get("/org/users/", {"role": "auditor"}).context["page"]
    assert [u.username for u in page] == ["auditor"]
    page = sys_client.get("/org/users/", {"role": "reporter"}).context["page"]
    assert [u.username for u in page] == ["reporter_a", "reporter_b"]


def test_users_paginated(sys_client, unit_a):
    UserFactory.create_batch(51, unit=unit_a, is_reporter=True)
    assert len(sys_client.get("/org/users/").context["page"].object_list) == 50
    assert len(sys_client.get("/org/users/", {"page": "2"}).context["page"].object_list) == 2  # + sysadmin
