"""Issue "Open interfaces", point 6: Webhook subscriptions. Each of the events is written to the outbox by the
real service in its transaction, one row per enabled subscription to it, and POSTed signed (HMAC-SHA256 of the
raw body, checked here independently) with the outbox's retries; the office configures them, audited without
the secret."""

import datetime
import json

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.coordination import services as coordination
from tadiao.notifications import services
from tadiao.notifications.models import Channel, Outbox
from tadiao.projects import services as projects
from tadiao.projects.models import Stage
from tadiao.reporting import services as reporting
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem
from tests.factories import AnnualPlanFactory, UnitFactory
from tests.webhook_receiver import SECRET, Receiver, receiver_fixture, subscribe  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
ALL = ["report.submitted", "report.approved", "stage.advanced", "problem.escalated", "bulletin.published"]


def _deliver(now=NOW):
    return services.deliver_due(now=now + datetime.timedelta(minutes=5))  # after the rows' created_at (the clock)


def _submitted(coordinator, project_a, reporter_a):
    period = reporting.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    AnnualPlanFactory(project=project_a, year=2026)
    report = reporting.save_report(
        project=project_a, period=period, data={"progress_text": "主体封顶"}, by=reporter_a, expected_version=None
    )
    return reporting.submit_report(report=report, by=reporter_a, expected_version=report.version)


def test_report_submitted_and_approved_are_posted_signed(receiver, coordinator, project_a, reporter_a):
    subscribe(receiver, ALL)
    report = _submitted(coordinator, project_a, reporter_a)
    reporting.approve_report(report=report, by=coordinator, expected_version=report.version, today=TODAY)
    run = services.deliver_due(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1))
    assert run.sent == 2 and run.failed == 0
    assert [e["event"] for e in receiver.events()] == ["report.submitted", "report.approved"]
    for request, body in zip(receiver.received, receiver.events(), strict=True):
        assert Receiver.signature_ok(request)
        assert not Receiver.signature_ok(request, secret="another-secret")
        assert request["headers"]["Content-Type"] == "application/json"
        assert request["headers"]["X-Tadiao-Event"] == body["event"]
        assert request["headers"]["X-Tadiao-Delivery"] == body["id"] and len(body["id"]) == 36
        assert request["path"] == "/hooks/tadiao"
        assert set(body) == {"event", "id", "occurred_at", "data"}
        assert datetime.datetime.fromisoformat(body["occurred_at"]).utcoffset() == datetime.timedelta(hours=8)
    submitted, approved = receiver.events()
    assert submitted["data"] == {
        "report_id": report.pk, "project_id": project_a.pk, "project_code": project_a.code,
        "project_name": project_a.name, "unit_id": project_a.unit_id, "unit_name": "东城镇", "month": "2026-11",
        "status": "SUBMITTED",
    }
    assert approved["data"]["status"] == "APPROVED"
    assert "主体封顶" not in json.dumps(receiver.events(), ensure_ascii=False)  # no texts of the report


def test_stage_advanced(receiver, coordinator, project_a):
    subscribe(receiver, ["stage.advanced"])
    projects.advance_stage(
        project=project_a, stage=Stage.NEGOTIATING, actual_date=datetime.date(2026, 11, 2), by=coordinator,
        today=TODAY,
    )
    assert _deliver(datetime.datetime.now(datetime.UTC)).sent == 1
    [event] = receiver.events()
    assert event["event"] == "stage.advanced"
    assert {k: event["data"][k] for k in ("project_id", "from_stage", "to_stage", "actual_date", "skipped")} == {
        "project_id": project_a.pk, "from_stage": "RESERVE", "to_stage": "NEGOTIATING", "actual_date": "2026-11-02",
        "skipped": False,
    }
    assert Receiver.signature_ok(receiver.received[0])


def test_problem_escalated(receiver, coordinator, project_a, region):
    subscribe(receiver, ["problem.escalated"])
    problem = make_problem(project_a, UnitFactory(name="市自然资源局", region=region))
    coordination.escalate(problem=problem, reason="久拖未决。", by=coordinator, today=TODAY,
                          expected_version=problem.version)
    assert _deliver(datetime.datetime.now(datetime.UTC)).sent == 1
    [event] = receiver.events()
    assert event["event"] == "problem.escalated"
    assert {k: event["data"][k] for k in ("problem_id", "from_level", "to_level", "deadline", "by")} == {
        "problem_id": problem.pk, "from_level": 1, "to_level": 2, "deadline": "2026-12-14", "by": "office",
    }
    assert "缺少用地指标" not in receiver.received[0]["raw"].decode()  # the description stays inside


def test_unsubscribed_and_disabled_subscriptions_get_nothing(receiver, coordinator, project_a):
    subscribe(receiver, ["report.approved"], name="只要审核")
    subscribe(receiver, ALL, name="已停用", enabled=False)
    Channel.objects.create(type=Channel.Type.WECOM, name="企业微信", webhook_url="http://127.0.0.1:9/x")
    projects.advance_stage(
        project=project_a, stage=Stage.NEGOTIATING, actual_date=datetime.date(2026, 11, 2), by=coordinator,
        today=TODAY,
    )
    assert not Outbox.objects.exists()  # neither the other event's subscriber, the disabled one, nor a robot


def test_a_failure_is_retried_with_backoff_then_delivered(receiver, coordinator, project_a):
    subscribe(receiver, ["stage.advanced"])
    receiver.statuses = [500]
    projects.advance_stage(
        project=project_a, stage=Stage.NEGOTIATING, actual_date=datetime.date(2026, 11, 2), by=coordinator,
        today=TODAY,
    )
    row = Outbox.objects.get()
    first = row.created_at + datetime.timedelta(seconds=1)
    run = services.deliver_due(now=first)
    row.refresh_from_db()
    assert (run.sent, run.failed, row.status, row.attempts, row.last_error) == (0, 1, "PENDING", 1, "HTTP 500")
    assert row.next_attempt_at == first + datetime.timedelta(minutes=1)  # the outbox's backoff
    assert services.deliver_due(now=first + datetime.timedelta(seconds=30)).sent == 0  # not due yet
    assert services.deliver_due(now=first + datetime.timedelta(minutes=1)).sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("SENT", 2)
    one, two = receiver.received
    assert one["raw"] == two["raw"] and one["headers"]["X-Tadiao-Delivery"] == two["headers"]["X-Tadiao-Delivery"]


def test_a_4xx_fails_at_once_a_429_is_retried(receiver, coordinator, project_a):
    subscribe(receiver, ["stage.advanced"])
    receiver.statuses = [429, 410]
    projects.advance_stage(
        project=project_a, stage=Stage.NEGOTIATING, actual_date=datetime.date(2026, 11, 2), by=coordinator,
        today=TODAY,
    )
    row = Outbox.objects.get()
    at = row.created_at + datetime.timedelta(seconds=1)
    services.deliver_due(now=at)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("PENDING", "HTTP 429")
    services.deliver_due(now=at + datetime.timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == "FAILED" and row.last_error.startswith("HTTP 410（重试无法解决")


def test_a_rollback_leaves_no_row(receiver, coordinator, project_a):
    subscribe(receiver, ["stage.advanced"])
    with pytest.raises(projects.ProjectError):  # a future date: refused after nothing was written
        projects.advance_stage(
            project=project_a, stage=Stage.NEGOTIATING, actual_date=datetime.date(2026, 12, 2), by=coordinator,
            today=TODAY,
        )
    assert not Outbox.objects.exists()


# ---------------------------------------------------------------------------------------------------
# The page (通知渠道, type Webhook 订阅)


def _form(receiver, **extra):
    return {
        "type": "WEBHOOK", "name": "市大数据平台", "webhook_url": receiver.url, "secret": SECRET,
        "events": ["report.submitted", "stage.advanced"], "enabled": "on", **extra,
    }


def test_the_office_subscribes_edits_and_disables_audited_without_the_secret(client, receiver, coordinator):
    login(client, coordinator)
    assert "订阅的事件" in client.get("/notifications/channels/new/").content.decode()
    response = client.post("/notifications/channels/new/", _form(receiver))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.type, channel.secret, channel.events) == ("WEBHOOK", SECRET, ["report.submitted", "stage.advanced"])
    page = client.get("/notifications/channels/").content.decode()
    assert "签名密钥 ******" in page and SECRET not in page and "月报报送、项目阶段推进" in page
    assert SECRET not in client.get(f"/notifications/channels/{channel.pk}/edit/").content.decode()
    response = client.post(
        f"/notifications/channels/{channel.pk}/edit/",
        _form(receiver, secret="", events=["bulletin.published"], enabled="", version=channel.version),
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.secret, channel.events, channel.enabled) == (SECRET, ["bulletin.published"], False)
    created, updated = AuditEvent.objects.filter(action__startswith="notifications.channel").order_by("id")
    assert created.action == "notifications.channel.created" and created.changes["secret"] == [None, "******"]
    assert updated.changes["events"] == [["report.submitted", "stage.advanced"], ["bulletin.published"]]
    assert updated.changes["enabled"] == [True, False] and "secret" not in updated.changes
    assert not AuditEvent.objects.filter(changes__icontains=SECRET).exists()


def test_a_subscription_needs_an_http_address_a_secret_and_an_event(client, receiver, coordinator):
    login(client, coordinator)
    for data, error in [
        (_form(receiver, webhook_url="ftp://example.org/x"), "应以 http:// 或 https:// 开头"),
        (_form(receiver, secret=""), "须填写签名密钥"),
        (_form(receiver, events=[]), "至少选择一个事件"),
    ]:
        response = client.post("/notifications/channels/new/", data)
        assert response.status_code == 200 and error in response.content.decode()
    assert not Channel.objects.exists()


def test_the_test_button_pings_the_subscriber(client, receiver, coordinator):
    channel = subscribe(receiver, ["report.approved"])
    login(client, coordinator)
    client.post(f"/notifications/channels/{channel.pk}/test/")
    [ping] = receiver.events()
    assert ping["event"] == "ping" and Receiver.signature_ok(receiver.received[0])
    assert Outbox.objects.get().status == "SENT"


@pytest.mark.parametrize("actor", ["reporter_a", "leader", "auditor"])
def test_only_the_office_and_the_sysadmin_configure(client, receiver, actor, request):
    channel = subscribe(receiver, ALL)
    login(client, request.getfixturevalue(actor))
    assert client.get("/notifications/channels/").status_code == 403
    assert client.post("/notifications/channels/new/", _form(receiver, name="偷偷订阅")).status_code == 403
    assert client.post(f"/notifications/channels/{channel.pk}/edit/", _form(receiver)).status_code == 403
    assert Channel.objects.count() == 1 and Channel.objects.get().events == ALL
