"""Accounts users can manage (issue 10 point 5): their own password change under the 等保 rule, a forced change of
every generated password, the idle timeout, login names without case, and the administrator's reset/disable pages
(403 for everyone else) — each audited."""

import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tadiao.audit.models import AuditEvent
from tadiao.org import services
from tadiao.org.auth import LAST_SEEN_KEY, CharacterClassesValidator
from tadiao.org.models import User
from tests.conftest import PASSWORD, login
from tests.factories import UserFactory
from tests.org.conftest import last_event

pytestmark = pytest.mark.django_db

IP = "10.1.2.3"
GOOD = "Tadiao#2026x"


def log_in(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=IP)


def change(client, current: str, new: str, again: str | None = None):
    return client.post("/accounts/password/", {"current_password": current, "new_password1": new,
                                               "new_password2": new if again is None else again}, REMOTE_ADDR=IP)


# --- the password rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("password,ok", [
    ("Abcdef12", True),       # upper, lower, digit
    ("abcdef1!", True),       # lower, digit, symbol
    ("ABCDEF!!", False),      # two classes
    ("abcdefgh", False),      # one class
    ("Ab1!", False),          # four classes but too short
    ("汉字汉字汉字Ab", False),  # Chinese characters are no class: upper + lower only
    ("汉字汉字A1!x", True),
])
def test_the_character_classes_rule(password, ok):
    validator = CharacterClassesValidator(min_length=8, min_classes=3)
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError) as exc:
            validator.validate(password)
        assert exc.value.messages == ["密码至少 8 位，并且至少包含大写字母、小写字母、数字、符号中的 3 种。"]


def test_the_rule_is_one_of_the_configured_validators():
    with pytest.raises(ValidationError) as exc:
        validate_password("ABCDEFGHJK")
    assert "密码至少 8 位，并且至少包含大写字母、小写字母、数字、符号中的 3 种。" in exc.value.messages
    validate_password(services.generate_password())  # what the system hands out passes its own rule


# --- self-service change ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["reporter_a", "coordinator", "leader", "sysadmin", "auditor"])
def test_every_user_has_the_password_page(client, request, actor):
    login(client, request.getfixturevalue(actor))
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "当前密码" in page.content.decode() and page["Cache-Control"] == "no-store"
    assert 'href="/accounts/password/"' in client.get("/accounts/password/").content.decode()  # header link


def test_change_own_password(client, reporter_a):
    log_in(client, "reporter_a")
    response = change(client, PASSWORD, GOOD)
    assert response.status_code == 302 and response.url == "/"
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(GOOD)
    assert client.get("/projects/").status_code == 200  # this session goes on
    event = last_event("org.user.password_changed")
    assert (event.actor, event.ip, event.object_id, event.message) == (reporter_a, IP, str(reporter_a.pk),
                                                                       "用户自行修改密码")
    assert GOOD not in str(event.changes) + event.message
    client.post("/accounts/logout/")
    assert log_in(client, "reporter_a", GOOD).status_code == 302


def test_wrong_current_password_is_refused_and_audited(client, reporter_a):
    log_in(client, "reporter_a")
    response = change(client, "not-it", GOOD)
    assert response.status_code == 200 and "当前密码不正确。" in response.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(PASSWORD)
    event = last_event("org.user.password_change_failed")
    assert (event.actor, event.result, event.message) == (reporter_a, "FAILURE", "修改密码失败：当前密码不正确")


@pytest.mark.parametrize("new,again,message", [
    ("abcdefghij", None, "密码至少 8 位，并且至少包含大写字母、小写字母、数字、符号中的 3 种。"),
    ("Ab1!", None, "密码至少 8 位"),
    ("Reporter_a1", None, "密码跟 用户名 太相似了。"),
    (GOOD, "Tadiao#2026y", "两次输入的新密码不一致。"),
    (PASSWORD, None, "新密码不能与当前密码相同。"),
])
def test_bad_new_passwords_are_refused_in_chinese(client, reporter_a, new, again, message):
    log_in(client, "reporter_a")
    response = change(client, PASSWORD, new, again)
    assert response.status_code == 200
    assert message in response.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="org.user.password_changed").exists()


# --- forced change of a generated password -----------------------------------------------------------------------


def test_a_new_account_must_change_its_generated_password_first(client, sysadmin, unit_a):
    login(client, sysadmin)
    created = client.post("/org/users/new/", {"username": "xinren", "full_name": "新人", "unit": unit_a.pk,
                                               "roles": ["reporter"]})
    password = created.context["password"]
    client.post("/accounts/logout/")

    assert log_in(client, "xinren", password).status_code == 302
    for url in ["/", "/projects/", "/reporting/", "/notifications/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/accounts/password/", url
    hx = client.get("/projects/", headers={"HX-Request": "true"})
    assert hx["HX-Redirect"] == "/accounts/password/"
    page = client.get("/accounts/password/").content.decode()
    assert 'id="forced-change"' in page and "取消" not in page

    assert change(client, password, GOOD).status_code == 302
    user = User.objects.get(username="xinren")
    assert not user.must_change_password and user.check_password(GOOD)
    assert client.get("/projects/").status_code == 200
    event = last_event("org.user.password_changed")
    assert (event.actor, event.message, event.changes) == (user, "首次登录修改初始密码",
                                                           {"must_change_password": [True, False]})


def test_logging_out_stays_possible_before_the_change(client, reporter_a):
    User.objects.filter(pk=reporter_a.pk).update(must_change_password=True)
    log_in(client, "reporter_a")
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_reset_password_must_be_changed_at_the_next_login(client, sysadmin, reporter_a):
    login(client, sysadmin)
    password = client.post(f"/org/users/{reporter_a.pk}/reset-password/").context["password"]
    reporter_a.refresh_from_db()
    assert reporter_a.must_change_password
    assert "首次登录须修改" in last_event("org.user.password_reset").message
    assert "（尚未修改系统生成的密码）" in client.get(f"/org/users/{reporter_a.pk}/").content.decode()
    client.post("/accounts/logout/")
    log_in(client, "reporter_a", password)
    assert client.get("/projects/").url == "/accounts/password/"


def test_first_run_demo_accounts_must_change_their_passwords(db, settings):
    import datetime

    from tadiao.demo import services as demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    result = demo.first_run(today=datetime.date(2026, 11, 23))
    usernames = [c.username for c in result.credentials]
    assert "admin" in usernames and len(usernames) > 1
    assert set(User.objects.filter(username__in=usernames).values_list("must_change_password", flat=True)) == {True}


# --- idle timeout ------------------------------------------------------------------------------------------


def idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_logged_out_after_30_minutes_without_a_request(client, reporter_a):
    assert settings.IDLE_SECONDS == 1800
    log_in(client, "reporter_a")
    idle_for(client, 1799)
    assert client.get("/projects/").status_code == 200
    idle_for(client, 1800)
    response = client.get("/projects/", REMOTE_ADDR=IP)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/projects/")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "超过 30 分钟未操作，已自动退出，请重新登录。" in page
    event = last_event("auth.idle_logout")
    assert (event.actor, event.ip, event.message) == (reporter_a, IP, "超过 30 分钟未操作，自动退出登录")
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_the_limit_comes_from_the_settings(client, reporter_a, settings):
    settings.IDLE_SECONDS = 120
    log_in(client, "reporter_a")
    idle_for(client, 121)
    response = client.get("/projects/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/"
    assert "超过 2 分钟未操作" in last_event("auth.idle_logout").message


def test_each_request_moves_the_clock_but_writes_the_session_at_most_once_a_minute(client, reporter_a):
    log_in(client, "reporter_a")
    started = client.session[LAST_SEEN_KEY]
    assert abs(started - time.time()) < 5  # the login starts the clock
    idle_for(client, 30)
    before = client.session[LAST_SEEN_KEY]
    client.get("/projects/")
    assert client.session[LAST_SEEN_KEY] == before  # within the minute: no session write
    idle_for(client, 61)
    client.get("/projects/")
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


# --- login names without case ------------------------------------------------------------------------------


@pytest.fixture
def diaodu(office_unit):
    return UserFactory(username="diaodu", full_name="调度员甲", unit=office_unit, is_coordinator=True)


def test_login_name_is_case_insensitive(client, diaodu):
    assert log_in(client, "DIAODU").status_code == 302
    assert client.session["_auth_user_id"] == str(diaodu.pk)
    assert last_event("auth.login").actor == diaodu


def test_a_name_differing_only_by_case_is_refused(client, sysadmin, diaodu, office_unit):
    login(client, sysadmin)
    response = client.post("/org/users/new/", {"username": "DiaoDu", "full_name": "另一人", "unit": office_unit.pk,
                                                "roles": ["coordinator"]})
    assert response.status_code == 200 and "用户名“DiaoDu”已被使用。" in response.content.decode()
    assert User.objects.filter(username__iexact="diaodu").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        User.objects.create(username="DIAODU")


def test_lockout_counts_every_spelling_of_a_name(client, diaodu):
    for name in ["diaodu", "DIAODU", "DiaoDu", "diaoDU"][: settings.AXES_FAILURE_LIMIT - 1]:
        log_in(client, name, "wrong")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"diaodu"}
    log_in(client, "Diaodu", "wrong")
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert log_in(client, "diaodu").status_code != 302  # locked out, whatever the spelling


# --- the administrator's pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["reporter_a", "coordinator", "leader", "auditor"])
def test_only_the_sysadmin_resets_or_disables(client, request, actor, reporter_b):
    login(client, request.getfixturevalue(actor))
    assert client.get(f"/org/users/{reporter_b.pk}/").status_code == 403
    assert client.post(f"/org/users/{reporter_b.pk}/reset-password/").status_code == 403
    assert client.post(f"/org/users/{reporter_b.pk}/toggle-active/", {"active": "0"}).status_code == 403
    reporter_b.refresh_from_db()
    assert reporter_b.is_active and reporter_b.check_password(PASSWORD) and not reporter_b.must_change_password
    assert not AuditEvent.objects.filter(action__in=["org.user.password_reset", "org.user.deactivated"]).exists()


def test_disabling_a_user_ends_their_session(client, sysadmin, reporter_a):
    login(client, reporter_a)
    assert client.get("/projects/").status_code == 200
    services.set_user_active(user=reporter_a, by=sysadmin, active=False)
    response = client.get("/projects/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    event = last_event("org.user.deactivated")
    assert (event.actor, event.object_id) == (sysadmin, str(reporter_a.pk))
