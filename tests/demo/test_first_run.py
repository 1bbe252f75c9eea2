"""The demo commands: load_demo's summary and refusals; first_run creates the accounts once, prints passwords once."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tadiao.audit.models import AuditEvent
from tadiao.demo import data, services
from tadiao.org.models import User
from tadiao.projects.models import Project
from tests.demo.helpers import counts
from tests.factories import RegionFactory

ADMIN_LINE = re.compile(r"已创建系统管理员账号 admin，初始密码：(\S+?)（只显示这一次，请登录后修改）")
DEMO_LINE = re.compile(r"^\s+(\w+)\s+初始密码：(\S+)", re.MULTILINE)
SKIPPED = "数据库已初始化，跳过演示数据。"


@pytest.fixture
def fast_hashing(settings):
    # first_run hashes seven passwords; the production hasher would spend seconds on it in every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_load_demo_command_prints_a_chinese_summary(db):
    out = run("load_demo", "--today", "2026-11-23")
    assert "已加载演示数据：安澜市" in out
    assert "单位 120 个" in out and f"项目 {services.PROJECT_COUNT} 个" in out
    assert "2025、2026 年" in out
    before = counts()
    out = run("load_demo", "--today", "2026-11-23")
    assert "演示数据已存在" in out
    assert counts() == before


def test_load_demo_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("load_demo", "--today", "23.11.2026")


def test_load_demo_refuses_a_database_with_real_data(db):
    RegionFactory()
    with pytest.raises(CommandError, match="只能加载到空数据库"):
        run("load_demo", "--today", "2026-11-23")
    assert not Project.objects.exists()


# --- first_run ------------------------------------------------------------------------------------------


def login_ok(client, username: str, password: str) -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and client.session.get("_auth_user_id") == str(
        User.objects.get(username=username).pk)


def test_first_run_creates_the_admin_once_and_prints_the_password_once(db, client, fast_hashing):
    out = run("first_run", "--today", "2026-11-23")
    match = ADMIN_LINE.search(out)
    assert match, out
    password = match.group(1)
    assert out.count(password) == 1
    assert len(password) >= 12
    admin = User.objects.get(username="admin")
    assert admin.is_sysadmin and admin.roles == ["sysadmin"]
    assert not admin.is_superuser
    assert Project.objects.count() == services.PROJECT_COUNT
    assert AuditEvent.objects.filter(action="demo.loaded").count() == 1
    created = AuditEvent.objects.get(action="org.user.created", object_id=str(admin.pk))
    assert created.actor_name == "系统" and created.changes["roles"] == [None, "系统管理员"]
    assert password not in str(created.changes) + created.message
    assert AuditEvent.objects.filter(action="org.user.password_reset").count() == len(data.DEMO_USERS)

    # Every demo account got its own password, printed once.
    printed = dict(DEMO_LINE.findall(out))
    assert set(printed) == {username for username, *_ in data.DEMO_USERS}
    assert len(set(printed.values()) | {password}) == len(printed) + 1
    assert all(User.objects.get(username=u).check_password(p) for u, p in printed.items())

    assert login_ok(client, "admin", password)
    client.logout()
    assert login_ok(client, "diaodu", printed["diaodu"])

    before = counts()
    again = run("first_run", "--today", "2026-11-23")
    assert again == SKIPPED + "\n"
    # Nothing new but the login and logout events of the two sign-ins above.
    after = counts()
    assert {k: v for k, v in after.items() if k != "audit.AuditEvent"} == {
        k: v for k, v in before.items() if k != "audit.AuditEvent"}
    assert after["audit.AuditEvent"] == before["audit.AuditEvent"]


def test_first_run_after_load_demo_still_creates_the_admin(db, fast_hashing):
    run("load_demo", "--today", "2026-11-23")
    out = run("first_run", "--today", "2026-11-23")
    assert ADMIN_LINE.search(out)
    assert "已加载演示数据" not in out  # it was there already
    assert AuditEvent.objects.filter(action="demo.loaded").count() == 1
    assert Project.objects.count() == services.PROJECT_COUNT


def test_first_run_skips_when_someone_can_log_in(db, fast_hashing):
    User.objects.create_user(username="zhangsan", password="a-long-password-1")
    assert run("first_run") == SKIPPED + "\n"
    assert not Project.objects.exists()
    assert not User.objects.filter(username="admin").exists()


def test_first_run_on_real_data_creates_only_the_admin(db, fast_hashing):
    RegionFactory()
    out = run("first_run")
    assert "未加载演示数据" in out
    assert ADMIN_LINE.search(out)
    assert not Project.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


def test_generated_passwords_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        password = services.generate_password()
        validate_password(password)
        assert not set(password) & set("0O1lI")
