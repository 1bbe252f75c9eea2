"""The audit log page and its export: the audit administrator only, filters, old → new, the .xlsx."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.audit import queries
from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent
from tadiao.org import services as org
from tests.conftest import login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URLS = ["/audit/", "/audit/export.xlsx"]


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def event(when: datetime.datetime, action: str, *, actor_name="系统管理员", object_type="org.unit", result="SUCCESS",
          changes=None, **extra) -> AuditEvent:
    return AuditEvent.objects.create(at=when, action=action, actor_name=actor_name, object_type=object_type,
                                     object_id="1", object_repr="东城镇", result=result, changes=changes or {},
                                     ip="10.0.0.1", **extra)


@pytest.fixture
def events(db):
    """Five events around midnight of 22/23 November (Beijing time)."""
    return {
        "late": event(at(2026, 11, 22, 23, 30), "org.unit.updated", changes={"name": ["东城镇", "东城街道"]}),
        "early": event(at(2026, 11, 23, 0, 10), "org.user.roles_changed", object_type="org.user",
                       changes={"roles": ["填报员", "填报员、调度员"]}),
        "failed": event(at(2026, 11, 23, 8, 0), "auth.login_failed", actor_name="zhang", object_type="",
                        result="FAILURE"),
        "login": event(at(2026, 11, 23, 9, 0), "auth.login", actor_name="张填报", object_type="org.user"),
        "old": event(at(2026, 10, 1, 12, 0), "org.unit.created", changes={"name": [None, "东城镇"]}),
    }


@pytest.mark.parametrize("actor", ["sysadmin", "reporter_a", "leader", "coordinator"])
@pytest.mark.parametrize("url", URLS)
def test_everyone_but_the_auditor_gets_403(client, request, actor, url):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_auditor_opens_the_log(audit_client, events, url):
    assert audit_client.get(url).status_code == 200


def test_no_writes_through_the_page(audit_client, events):
    assert audit_client.post("/audit/").status_code == 405
    assert audit_client.post("/audit/export.xlsx").status_code == 405
    assert AuditEvent.objects.count() == 5 + 1  # + the auditor's login


def ids(response) -> list[int]:
    """The events listed, less the auditor's own login (force_login is audited too)."""
    rows = response.context["rows"]
    return [row.event.pk for row in rows if (row.event.action, row.event.actor_name) != ("auth.login", "审计管理员")]


def test_newest_first_with_beijing_time_and_changes(audit_client, events):
    response = audit_client.get("/audit/")
    assert ids(response) == [events[k].pk for k in ("login", "failed", "early", "late", "old")]
    body = response.content.decode()
    assert "2026-11-22 23:30:00" in body  # stored as 15:30 UTC, shown in Asia/Shanghai
    assert "单位名称: 东城镇 → 东城街道" in body
    assert "角色: 填报员 → 填报员、调度员" in body
    assert "单位名称: 空 → 东城镇" in body
    assert "10.0.0.1" in body and "失败" in body


def test_date_range_is_in_beijing_days(audit_client, events):
    assert ids(audit_client.get("/audit/", {"date_to": "2026-11-22"})) == [events["late"].pk, events["old"].pk]
    assert set(ids(audit_client.get("/audit/", {"date_from": "2026-11-23"}))) == {
        events["login"].pk, events["failed"].pk, events["early"].pk}
    both = audit_client.get("/audit/", {"date_from": "2026-11-22", "date_to": "2026-11-22"})
    assert ids(both) == [events["late"].pk]


def test_reversed_dates_are_reported(audit_client, events):
    response = audit_client.get("/audit/", {"date_from": "2026-11-23", "date_to": "2026-11-01"})
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_filter_by_actor_action_type_and_result(audit_client, events, reporter_a):
    assert ids(audit_client.get("/audit/", {"actor": "张"})) == [events["login"].pk]
    assert ids(audit_client.get("/audit/", {"action": "auth.login"})) == [events["login"].pk]
    assert ids(audit_client.get("/audit/", {"action": "auth.*"})) == [events["login"].pk, events["failed"].pk]
    assert ids(audit_client.get("/audit/", {"action": "org.user.*"})) == [events["early"].pk]
    assert ids(audit_client.get("/audit/", {"object_type": "org.user"})) == [events["login"].pk, events["early"].pk]
    assert ids(audit_client.get("/audit/", {"result": "FAILURE"})) == [events["failed"].pk]
    assert ids(audit_client.get("/audit/", {"action": "org.*", "actor": "系统", "date_from": "2026-11-01"})) == [
        events["early"].pk, events["late"].pk]


def test_actor_filter_also_matches_the_user_name(audit_client, reporter_a):
    audit.record(actor=reporter_a, action="auth.login", obj=reporter_a)
    assert len(ids(audit_client.get("/audit/", {"actor": "reporter_a"}))) == 1


def test_filter_choices_come_from_the_log(audit_client, events):
    form = audit_client.get("/audit/").context["filters"]
    actions = [value for value, _ in form.fields["action"].choices]
    assert actions == ["", "auth.*", "auth.login", "auth.login_failed", "org.*", "org.unit.*", "org.unit.created",
                       "org.unit.updated", "org.user.*", "org.user.roles_changed"]
    # The codes are the values; what the auditor reads is Chinese (issue 15).
    assert [label for _, label in form.fields["action"].choices] == [
        "全部操作", "登录（全部）", "登录成功", "登录失败", "组织机构（全部）", "组织机构·单位（全部）", "新增单位",
        "修改单位", "组织机构·用户（全部）", "变更角色"]
    assert form.fields["object_type"].choices == [("", "全部类型"), ("org.unit", "单位"), ("org.user", "用户")]


def test_pagination(audit_client, db):
    for i in range(53):
        event(at(2026, 11, 1, 8, 0) + datetime.timedelta(minutes=i), "org.unit.updated")
    page = audit_client.get("/audit/").context["page"]
    assert len(page.object_list) == 50 and page.paginator.count == 53 + 1  # + the auditor's login
    assert len(audit_client.get("/audit/", {"page": "2"}).context["page"].object_list) == 4


def test_events_written_by_services_show_on_the_page(audit_client, sysadmin, unit_a):
    org.update_unit(unit=unit_a, by=sysadmin, name="东城街道", kind="STREET", region=unit_a.region,
                    display_order=1, is_active=True)
    body = audit_client.get("/audit/", {"action": "org.unit.updated"}).content.decode()
    assert "单位名称: 东城镇 → 东城街道" in body and "单位类型: 乡镇 → 街道" in body


def read_xlsx(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_export_is_the_filtered_events(audit_client, events):
    response = audit_client.get("/audit/export.xlsx", {"action": "org.*", "page": "2"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.content)
    assert rows[0] == queries.EXPORT_HEADERS
    assert rows[0][6] == "变更（原值 → 新值）"
    # Issue 15: the 操作 column is Chinese; the code moved to the last column, 操作代码.
    assert [row[3] for row in rows[1:]] == ["变更角色", "修改单位", "新增单位"]
    assert [row[9] for row in rows[1:]] == ["org.user.roles_changed", "org.unit.updated", "org.unit.created"]
    assert rows[2] == [datetime.datetime(2026, 11, 22, 23, 30), "系统管理员", "10.0.0.1", "修改单位", "单位",
                       "东城镇", "单位名称: 东城镇 → 东城街道", "成功", "", "org.unit.updated"]
    # The export is itself audited, after the rows were read (so it is not in the file).
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_name == "审计管理员" and "3 条" in exported.message
    assert "操作=组织机构（全部）" in exported.message


def test_export_keeps_text_as_text(audit_client, db):
    event(at(2026, 11, 1, 8, 0), "org.unit.updated", changes={"name": ["=1+1", "=HYPERLINK(\"http://x\")"]})
    rows = read_xlsx(audit_client.get("/audit/export.xlsx", {"action": "org.*"}).content)
    assert rows[1][6] == "单位名称: =1+1 → =HYPERLINK(\"http://x\")"


def test_export_over_the_limit_is_refused(audit_client, events, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_LIMIT", 4)
    response = audit_client.get("/audit/export.xlsx", {"result": ""}, follow=True)
    assert "超过单次导出上限 4 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [8])
def test_list_queries_do_not_grow_with_rows(audit_client, n):
    # 1. session, 2. user, 3. the user's unit (base.html), 4. distinct action codes, 5. distinct object types
    # (the filter's choices), 6. count (paginator), 7. one page of events.
    def add(k):
        for i in range(k):
            event(at(2026, 11, 1, 8, 0) + datetime.timedelta(minutes=i), f"org.unit.a{i}",
                  changes={"name": ["a", "b"]})

    add(n)
    at_n = count_queries(audit_client, "/audit/?object_type=org.unit")
    add(n)
    assert count_queries(audit_client, "/audit/?object_type=org.unit") == at_n == 7


def test_export_queries_do_not_grow_with_rows(audit_client):
    # 1. session, 2. user, 3. action codes, 4. object types (the filter form's choices), 5. count (the export
    # limit), 6. the events, read in one pass, 7. the audit chain's head (issue 10), 8. the audit.exported insert.
    for _ in range(5):
        event(at(2026, 11, 1, 8, 0), "org.unit.updated")
    at_n = count_queries(audit_client, "/audit/export.xlsx")
    for _ in range(5):
        event(at(2026, 11, 1, 8, 0), "org.unit.updated")
    assert count_queries(audit_client, "/audit/export.xlsx") == at_n == 8


def test_export_with_a_bad_filter_is_refused(audit_client, events):
    response = audit_client.get("/audit/export.xlsx", {"action": "projects.*"}, follow=True)
    assert "筛选条件有误，请修改后再导出。" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
