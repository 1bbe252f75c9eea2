"""Issue 16 point 6: a command for every setup step, so that an office can script a deployment and a test can build
a county without a Python shell. Each command acts as the `--as` user (whose roles are checked as the page checks
them), goes through the page's service and audit event, and refuses in Chinese."""

import datetime
import io
import os
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tadiao.attraction.models import Recognition
from tadiao.audit.models import AuditEvent
from tadiao.org.models import Region, User
from tadiao.projects.models import Batch
from tadiao.reporting import services as reporting
from tadiao.reporting.models import MonthlyReport, Period
from tests.attraction.conftest import make_signed
from tests.factories import AnnualPlanFactory, ProjectFactory, UserFactory

D = datetime.date
TADIAO = str(Path(sys.executable).with_name("tadiao"))


def run(name: str, *args, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(name, *args, stdout=out, **extra)
    return out.getvalue()


def refused(name: str, *args, stdin: str | None = None) -> str:
    with pytest.raises(CommandError) as caught:
        run(name, *args, stdin=stdin)
    return str(caught.value)


def event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


# ---------------------------------------------------------------------------------------------------
# The acting user, for every command


COMMANDS = {
    "create_region": ["--code", "330999001000", "--name", "城关街道", "--level", "TOWNSHIP", "--parent", "330999"],
    "create_user": ["wangwu", "--full-name", "王五", "--role", "LEADER"],
    "recognise": ["1", "--status", "RECOGNISED"],
    "create_batch": ["--number", "8", "--date", "2026-06-30"],
    "open_period": ["--month", "2026-12"],
    "close_period": ["--month", "2026-12", "--yes"],
    "set_target": ["--year", "2026", "--kind", "count", "--measure", "started", "--value", "20"],
}
# Who may run each command: the role the page requires.
ALLOWED = {"create_region": "sysadmin", "create_user": "sysadmin", "recognise": "coordinator",
           "create_batch": "coordinator", "open_period": "coordinator", "close_period": "coordinator",
           "set_target": "coordinator"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", COMMANDS)
def test_the_acting_user_is_required_known_active_and_allowed(name, reporter_a, coordinator, sysadmin):
    args = COMMANDS[name]
    assert refused(name, *args) == "请用 --as 用户名 指定操作人（按该用户的角色检查权限，并记入审计日志）。"
    assert refused(name, *args, "--as", "nobody") == "找不到用户：nobody"
    UserFactory(username="retired", is_coordinator=True, is_active=False)
    assert refused(name, *args, "--as", "retired") == "用户 retired 已停用，不能操作。"
    # A reporter may do none of these; the office's coordinator none of the system administrator's, and back.
    for wrong in ("reporter_a", "coordinator" if ALLOWED[name] == "sysadmin" else "sysadmin"):
        message = refused(name, *args, "--as", wrong)
        assert message.startswith(f"用户 {wrong}（") and "无权执行：" in message, message
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------------
# create_region


@pytest.mark.django_db
def test_create_region(sysadmin, region):
    output = run("create_region", "--as", "sysadmin", "--code", "330999001000", "--name", "城关街道",
                 "--level", "TOWNSHIP", "--parent", "330999")
    assert output == "已新增区划：城关街道（330999001000，乡镇（街道），上级区划 青山市（330999））。\n"
    town = Region.objects.get(code="330999001000")
    assert (town.name, town.level, town.parent, town.path) == ("城关街道", "TOWNSHIP", region,
                                                               "/330999/330999001000/")
    created = event("org.region.created")
    assert (created.actor, created.object_id, created.changes["name"]) == (sysadmin, str(town.pk), [None, "城关街道"])
    # The level by its Chinese label too.
    run("create_region", "--as", "sysadmin", "--code", "330999101000", "--name", "白沙镇", "--level", "乡镇（街道）",
        "--parent", "330999")
    assert Region.objects.get(code="330999101000").level == "TOWNSHIP"


@pytest.mark.django_db
def test_create_region_refusals(sysadmin, region):
    def refuse(*args):
        return refused("create_region", "--as", "sysadmin", *args)

    assert refuse("--code", "330999001000") == "缺少参数：--name 名称、--level 层级。"
    assert refuse("--code", "330999001000", "--name", "城关街道", "--level", "村") == (
        "未知层级：“村”，应为 PROVINCE（省）、CITY（市）、COUNTY（县（市、区））、TOWNSHIP（乡镇（街道））之一。")
    assert refuse("--code", "330999001000", "--name", "城关街道", "--level", "TOWNSHIP", "--parent", "330888") == (
        "找不到上级区划：区划代码 330888 不存在。")
    # The page's form and service, word for word.
    assert refuse("--code", "33099", "--name", "某地", "--level", "COUNTY", "--parent", "330999") == (
        "区划代码：区划代码应为 6 位（县级及以上）或 12 位（乡镇街道）数字。")
    assert refuse("--code", "330182", "--name", "安澜市", "--level", "COUNTY") == (
        "一个系统只有一个顶级区划（现为 青山市），请选择上级区划。")
    assert refuse("--code", "330999", "--name", "重复", "--level", "TOWNSHIP", "--parent", "330999") == (
        "乡镇（街道）使用 12 位统计用区划代码，例如 330182001000。")
    assert Region.objects.count() == 1 and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_create_region_makes_the_root_of_an_empty_deployment(sysadmin, region):
    # The suite's fixtures need a region for the administrator's unit; take it away to start from nothing.
    sysadmin.unit.users.update(unit=None)
    sysadmin.unit.delete()
    region.delete()
    assert run("create_region", "--as", "sysadmin", "--code", "330182", "--name", "安澜市", "--level", "COUNTY") == (
        "已新增区划：安澜市（330182，县（市、区），顶级区划）。\n")
    assert Region.objects.get().path == "/330182/"


# ---------------------------------------------------------------------------------------------------
# create_user


@pytest.mark.django_db
def test_create_user_prints_the_password_once(sysadmin, unit_a):
    output = run("create_user", "zhangsan", "--as", "sysadmin", "--full-name", "张三", "--unit", "东城镇",
                 "--role", "REPORTER", "--role", "领导", "--phone", "13800000000")
    lines = output.splitlines()
    assert lines[0] == "已创建用户 zhangsan（张三，填报员、领导，东城镇）。"
    assert lines[1].startswith("初始密码：") and lines[2].startswith("此密码只显示这一次")
    password = lines[1].removeprefix("初始密码：")
    user = User.objects.get(username="zhangsan")
    assert (user.full_name, user.unit, user.phone, user.is_reporter, user.is_leader, user.is_coordinator) == (
        "张三", unit_a, "13800000000", True, True, False)
    assert user.check_password(password) and len(password) == 12
    created = event("org.user.created")
    assert (created.actor, created.object_id, created.changes["roles"]) == (
        sysadmin, str(user.pk), [None, "填报员、领导"])
    assert password not in str(created.changes)


@pytest.mark.django_db
def test_create_user_refusals(sysadmin, unit_a, reporter_a):
    def refuse(*args):
        return refused("create_user", "--as", "sysadmin", *args)

    assert refuse("--full-name", "张三") == "缺少参数：用户名、--role 角色。"
    assert refuse("zhangsan", "--full-name", "张三", "--role", "BOSS") == (
        "未知角色：“BOSS”，应为 REPORTER（填报员）、COORDINATOR（调度员）、LEADER（领导）、SYSADMIN（系统管理员）、"
        "AUDITOR（审计管理员）之一。")
    assert refuse("zhangsan", "--full-name", "张三", "--role", "REPORTER", "--unit", "无此单位") == (
        "找不到单位：无此单位")
    assert refuse("zhangsan", "--full-name", "张三", "--role", "REPORTER") == "所属单位：填报员必须属于一个单位。"
    assert refuse("zhangsan", "--full-name", "张三", "--role", "SYSADMIN", "--role", "LEADER") == (
        "角色：系统管理员和审计管理员不能兼任其他角色（三员分立）")
    assert refuse("reporter_a", "--full-name", "张三", "--role", "LEADER") == "用户名“reporter_a”已被使用。"
    assert not User.objects.filter(username="zhangsan").exists() and not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------------
# recognise


@pytest.mark.django_db
def test_recognise_by_code_and_by_id(coordinator, unit_a):
    project = make_signed(unit_a, D(2026, 3, 1), name="东城镇签约项目")
    project.code = "2026-330999-04-01-000001"
    project.save(update_fields=["code"])
    assert run("recognise", "2026-330999-04-01-000001", "--as", "coordinator", "--status", "RECOGNISED") == (
        "东城镇签约项目：已认定。\n")
    assert Recognition.objects.get(project=project).status == "RECOGNISED"
    decided = event("attraction.recognition.decided")
    assert (decided.actor, decided.changes["status"]) == (coordinator, ["PENDING", "RECOGNISED"])

    # 不予认定 needs a reason, as on the page; the refusal changes nothing.
    assert refused("recognise", str(project.pk), "--as", "coordinator", "--status", "REJECTED") == (
        "东城镇签约项目：原因：不予认定须填写原因。")
    assert Recognition.objects.get(project=project).status == "RECOGNISED"
    assert run("recognise", str(project.pk), "--as", "coordinator", "--status", "不予认定", "--reason",
               "城建项目不计入") == "东城镇签约项目：不予认定，原因：城建项目不计入。\n"
    recognition = Recognition.objects.get(project=project)
    assert (recognition.status, recognition.reason, recognition.decided_by) == (
        "REJECTED", "城建项目不计入", coordinator)
    assert event("attraction.recognition.decided").changes == {
        "status": ["RECOGNISED", "REJECTED"], "reason": ["", "城建项目不计入"]}
    assert run("recognise", str(project.pk), "--as", "coordinator", "--status", "pending") == (
        "东城镇签约项目：待认定。\n")


@pytest.mark.django_db
def test_recognise_refusals(coordinator, unit_a):
    unsigned = ProjectFactory(unit=unit_a, name="未签约项目")
    assert refused("recognise", "--as", "coordinator", "--status", "RECOGNISED") == "缺少参数：项目代码或编号。"
    assert refused("recognise", "2026-330999-04-01-999999", "--as", "coordinator", "--status", "RECOGNISED") == (
        "找不到项目：2026-330999-04-01-999999（请填项目代码或项目编号）。")
    assert refused("recognise", str(unsigned.pk), "--as", "coordinator", "--status", "RECOGNISED") == (
        f"{unsigned.pk}：签约项目不存在或无权查看。")
    assert refused("recognise", str(unsigned.pk), "--as", "coordinator", "--status", "OK") == (
        "未知认定结果：“OK”，应为 PENDING（待认定）、RECOGNISED（已认定）、REJECTED（不予认定）之一。")
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------------
# create_batch


@pytest.mark.django_db
def test_create_batch(coordinator):
    output = run("create_batch", "--as", "coordinator", "--number", "8", "--date", "2026-06-30", "--note", "年中开工")
    assert output == "已创建第8期（2026年6月30日）。\n"
    batch = Batch.objects.get(number=8)
    assert (batch.date, batch.note) == (D(2026, 6, 30), "年中开工")
    created = event("projects.batch.created")
    assert (created.actor, created.object_id, created.changes["number"]) == (coordinator, str(batch.pk), [None, 8])
    # The date as the page's date fields accept it.
    run("create_batch", "--as", "coordinator", "--number", "9", "--date", "2026年9月30日")
    assert Batch.objects.get(number=9).date == D(2026, 9, 30)


@pytest.mark.django_db
def test_create_batch_refusals(coordinator):
    def refuse(*args):
        return refused("create_batch", "--as", "coordinator", *args)

    assert refuse("--number", "8") == "缺少参数：--date 日期。"
    assert refuse("--number", "8", "--date", "2026-13-01") == "日期：输入一个有效的日期。"
    assert refuse("--number", "0", "--date", "2026-06-30") == "期数：期数应为正整数。"
    assert refuse("--number", "八", "--date", "2026-06-30") == "期数：输入整数。"
    run("create_batch", "--as", "coordinator", "--number", "8", "--date", "2026-06-30")
    assert refuse("--number", "8", "--date", "2026-07-30") == "第8期已存在。"
    assert Batch.objects.count() == 1 and AuditEvent.objects.filter(action="projects.batch.created").count() == 1


# ---------------------------------------------------------------------------------------------------
# open_period / close_period


@pytest.mark.django_db
def test_open_period(coordinator):
    assert run("open_period", "--as", "coordinator", "--month", "2026-12") == (
        "已开启2026年12月填报，截止日期 2026年12月25日。\n")
    period = Period.objects.get(month=D(2026, 12, 1))
    assert (period.deadline, period.status) == (D(2026, 12, 25), "OPEN")
    opened = event("reporting.period.opened")
    assert (opened.actor, opened.object_id) == (coordinator, str(period.pk))
    # Opening it again changes nothing and records nothing.
    run("open_period", "--as", "coordinator", "--month", "2026-12")
    assert Period.objects.count() == 1 and AuditEvent.objects.filter(action="reporting.period.opened").count() == 1
    for bad in ("2026-13", "2026/12", "十二月", "2026-1"):
        assert refused("open_period", "--as", "coordinator", "--month", bad) == (
            f"--month 应为 YYYY-MM 格式的年月（如 2026-12），而不是“{bad}”。")


def _owed(unit, name):
    project = ProjectFactory(unit=unit, name=name)
    AnnualPlanFactory(project=project, year=2026)
    return project


def _report(project, period, by, status):
    report = reporting.save_report(project=project, period=period, data={"progress_text": "施工中"}, by=by,
                                   expected_version=None)
    MonthlyReport.objects.filter(pk=report.pk).update(status=status)


@pytest.fixture
def december(db, coordinator, unit_a, unit_b, reporter_a, reporter_b):
    """December 2026, deadline the 25th. 东城镇 owes three reports: approved, draft, missing; 西湖街道 two:
    submitted, returned. On 3 December: 22 days to the deadline, 4 of 5 outstanding in 2 units."""
    period = reporting.open_period(month=D(2026, 12, 1), by=coordinator)
    a1, a2, _a3 = (_owed(unit_a, f"东城项目{n}") for n in (1, 2, 3))
    b1, b2 = (_owed(unit_b, f"西湖项目{n}") for n in (1, 2))
    _report(a1, period, reporter_a, "APPROVED")
    _report(a2, period, reporter_a, "DRAFT")
    _report(b1, period, reporter_b, "SUBMITTED")
    _report(b2, period, reporter_b, "RETURNED")
    return period


CLOSE = ("close_period", "--as", "coordinator", "--month", "2026-12", "--today", "2026-12-03")


def test_close_period_shows_the_summary_and_requires_a_reason(december):
    with pytest.raises(CommandError) as caught:
        out = io.StringIO()
        call_command(*CLOSE, "--yes", stdout=out)
    assert str(caught.value) == ("填报截止日期尚未到（还有22天）；还有4份月报未审核通过（涉及2个单位）。"
                                 "确需现在关账，请用 --reason 填写关账原因。")
    assert out.getvalue().splitlines() == [
        "关账确认：2026年12月月度填报",
        "填报截止日期：2026年12月25日（距截止还有 22 天）",
        "今天：2026年12月3日",
        "指标快照统计日期：2026年12月3日（关账当日，早于月末；超期、预警等均按这一天计算）",
        "应报月报 5 份：审核通过 1 份，已报送待审核 1 份，草稿未报送 1 份，已退回未重报 1 份，未填报 1 份。",
        "各单位（未完成多的在前）：单位 | 应报 | 审核通过 | 已报送待审核 | 草稿未报送 | 已退回未重报 | 未填报 | 未完成",
        "  东城镇 | 3 | 1 | 0 | 1 | 0 | 1 | 2",
        "  西湖街道 | 2 | 0 | 1 | 0 | 1 | 0 | 2",
        "  合计 | 5 | 1 | 1 | 1 | 1 | 1 | 4",
        "现在关账需要说明原因：填报截止日期尚未到（还有22天）；还有4份月报未审核通过（涉及2个单位）。"
        "关账后本月数据锁定，未报送的月报不能再填报，通报和考评按快照统计。",
    ]
    assert Period.objects.get(pk=december.pk).status == "OPEN"
    assert not AuditEvent.objects.filter(action="reporting.period.closed").exists()


def test_close_period_asks_for_confirmation(december, coordinator):
    reason = ("--reason", "年底提前关账")
    # No answer (end of input) or another answer: nothing closes.
    assert refused(*CLOSE, *reason, stdin="") == "未确认，2026年12月未关账。"
    assert refused(*CLOSE, *reason, stdin="no\n") == "未确认，2026年12月未关账。"
    assert Period.objects.get(pk=december.pk).status == "OPEN"
    output = run(*CLOSE, *reason, stdin="是\n")
    assert "确认关账（锁定2026年12月数据）？输入 yes 或 是 确认：" in output
    assert output.endswith("2026年12月已关账，数据不再变动；指标快照统计日期为2026年12月3日。\n")
    period = Period.objects.get(pk=december.pk)
    assert (period.status, period.close_reason, period.closed_by, period.snapshot.as_of) == (
        "CLOSED", "年底提前关账", coordinator, D(2026, 12, 3))
    closed = event("reporting.period.closed")
    assert (closed.actor, closed.message) == (coordinator, "年底提前关账")
    assert (closed.changes["reports_outstanding"], closed.changes["days_to_deadline"]) == ([None, 4], [None, 22])
    # Closed already: said, not refused (a deployment script may run it twice).
    assert run(*CLOSE, "--yes") == "2026年12月已关账。\n"


@pytest.mark.django_db
def test_close_period_without_a_reason_once_everything_is_approved_and_the_deadline_passed(coordinator, unit_a,
                                                                                          reporter_a):
    november = reporting.open_period(month=D(2026, 11, 1), by=coordinator)
    _report(_owed(unit_a, "东城项目"), november, reporter_a, "APPROVED")
    output = run("close_period", "--as", "coordinator", "--month", "2026-11", "--today", "2026-12-03", "--yes")
    assert "填报截止日期：2026年11月25日（已过截止日期 8 天）" in output
    assert "指标快照统计日期：2026年11月30日（月末）" in output and "需要说明原因" not in output
    assert "确认关账" not in output  # --yes: not asked
    assert Period.objects.get(pk=november.pk).status == "CLOSED"
    assert event("reporting.period.closed").actor == coordinator


@pytest.mark.django_db
def test_close_period_refusals(coordinator):
    def refuse(*args):
        return refused("close_period", "--as", "coordinator", *args)

    assert refuse("--yes") == "缺少参数：--month 月份。"
    assert refuse("--month", "2027-01", "--yes") == "2027年1月尚未开启填报，不能关账。"
    assert refuse("--month", "2026-12", "--today", "2026-12-32", "--yes") == (
        "--today 应为 YYYY-MM-DD 格式的日期（如 2026-06-30），而不是“2026-12-32”。")
    reporting.open_period(month=D(2026, 12, 1), by=coordinator)
    assert refuse("--month", "2026-12", "--today", "2026-11-30", "--reason", "试", "--yes") == (
        "2026年12月尚未开始，不能关账。")
    assert refuse("--month", "2026-12", "--reason", "长" * 301, "--yes") == "关账原因：关账原因不能超过 300 字。"


# ---------------------------------------------------------------------------------------------------
# The real entry point: `tadiao …` in a subprocess, on the test's database


class SharedDatabase:
    """The database a `tadiao` subprocess shares with this test: PostgreSQL's test database itself (the test
    commits: transaction=True), or SQLite's in-memory test database handed over as a file and taken back."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.sqlite = connection.vendor == "sqlite"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "TADIAO_DATA_DIR": str(self.data_dir), "DJANGO_SETTINGS_MODULE": "tadiao.settings",
               "TADIAO_DB_CONN_MAX_AGE": "0", "DATABASE_URL": ""}
        if not self.sqlite:
            s = connection.settings_dict
            auth = urllib.parse.quote(s["USER"] or "", safe="")
            if s["PASSWORD"]:
                auth += ":" + urllib.parse.quote(s["PASSWORD"], safe="")
            env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess:
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.data_dir / "tadiao.sqlite3")
            connection.connection.backup(target)
            target.close()
        result = subprocess.run([TADIAO, *args], env=self.env(), capture_output=True, text=True, timeout=120)
        if self.sqlite:
            source = sqlite3.connect(self.data_dir / "tadiao.sqlite3")
            source.backup(connection.connection)
            source.close()
        return result


@pytest.mark.django_db(transaction=True)
def test_through_the_tadiao_script(tmp_path, coordinator):
    shared = SharedDatabase(tmp_path)
    result = shared.run("create_batch", "--as", "coordinator", "--number", "7", "--date", "2026年3月31日")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "已创建第7期（2026年3月31日）。\n"
    assert Batch.objects.get(number=7).date == D(2026, 3, 31)
    assert event("projects.batch.created").actor == coordinator
    refusal = shared.run("open_period", "--as", "nobody", "--month", "2026-12")
    assert refusal.returncode == 1 and refusal.stderr.strip() == "CommandError: 找不到用户：nobody"
    assert not Period.objects.exists()
