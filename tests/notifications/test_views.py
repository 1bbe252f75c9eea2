"""消息中心 and 通知渠道 pages: access rules, filters, marking read, the header count, channel configuration
(audited), the test button against the fake robot, the retry button, and query counts at N and 2N."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.notifications import services
from tadiao.notifications.models import Channel, Message, Outbox
from tests.conftest import login

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def _messages(user, n, kind=Message.Kind.ASSIGNED):
    for i in range(n):
        services.notify(kind=kind, title=f"消息{i}", body="正文", link="/projects/", users=[user], now=NOW)


# ---------------------------------------------------------------------------------------------------
# 消息中心


def test_inbox_shows_only_own_messages(client, reporter_a, reporter_b):
    _messages(reporter_a, 2)
    _messages(reporter_b, 1, kind=Message.Kind.RETURNED)
    response = login(client, reporter_a).get("/notifications/")
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert {m.user_id for m in rows} == {reporter_a.pk} and len(rows) == 2


@pytest.mark.parametrize("action", ["read", "open"])
def test_another_users_message_is_404_and_untouched(client, reporter_a, reporter_b, coordinator, action):
    _messages(reporter_b, 1)
    message = Message.objects.get()
    for actor in (reporter_a, coordinator):  # another unit's reporter and the office alike
        login(client, actor)
        response = client.post(f"/notifications/{message.pk}/read/") if action == "read" else client.get(
            f"/notifications/{message.pk}/open/"
        )
        assert response.status_code == 404
    assert Message.objects.get().read_at is None


def test_owner_marks_read_and_opens_link(client, reporter_a):
    _messages(reporter_a, 2)
    first, second = Message.objects.order_by("id")
    login(client, reporter_a)
    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?unread=1"
    response = client.get(f"/notifications/{second.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert not AuditEvent.objects.filter(action__startswith="notifications.").exists()  # reading is not audited


def test_open_never_redirects_outside(client, reporter_a):
    services.notify(kind=Message.Kind.OTHER, title="外链", link="//evil.example/x", users=[reporter_a])
    response = login(client, reporter_a).get(f"/notifications/{Message.objects.get().pk}/open/")
    assert response["Location"] == "/notifications/"


def test_next_parameter_cannot_leave_the_inbox(client, reporter_a):
    _messages(reporter_a, 1)
    response = login(client, reporter_a).post(
        f"/notifications/{Message.objects.get().pk}/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_filters_and_read_all(client, reporter_a, reporter_b):
    _messages(reporter_a, 3)
    _messages(reporter_a, 2, kind=Message.Kind.OVERDUE)
    _messages(reporter_b, 1)
    login(client, reporter_a)
    assert client.get("/notifications/?kind=OVERDUE").context["page"].paginator.count == 2
    assert client.get("/notifications/?kind=BOGUS").context["page"].paginator.count == 5
    client.post("/notifications/read-all/", {"kind": "OVERDUE"})
    assert client.get("/notifications/?unread=1").context["page"].paginator.count == 3
    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 3 条消息标记为已读" in response.content.decode()
    assert client.get("/notifications/?unread=1").context["page"].paginator.count == 0
    assert Message.objects.filter(user=reporter_b, read_at__isnull=True).count() == 1  # others' untouched


def test_pagination(client, reporter_a):
    _messages(reporter_a, 25)
    login(client, reporter_a)
    assert len(client.get("/notifications/").context["page"].object_list) == 20
    page2 = client.get("/notifications/?page=2").context["page"]
    assert len(page2.object_list) == 5 and page2.number == 2


def test_header_shows_unread_count(client, reporter_a, reporter_b):
    _messages(reporter_a, 3)
    _messages(reporter_b, 5)
    login(client, reporter_a)
    page = client.get("/notifications/").content.decode()
    assert 'id="header-messages"' in page and 'hx-get="/notifications/unread/"' in page
    with CaptureQueriesContext(connection) as ctx:
        badge = client.get("/notifications/unread/").content.decode()
    # session, user, the COUNT of unread messages
    assert len(ctx.captured_queries) == 3
    assert re.search(r'<span class="badge[^>]*>3</span>', badge)
    client.post("/notifications/read-all/")
    assert "badge" not in client.get("/notifications/unread/").content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# session, user, the page's COUNT, the user's unit (header), the page's rows; the nav and the unread badge
# (loaded by htmx afterwards) run none.
def test_inbox_queries_do_not_grow_with_rows(client, reporter_a):
    login(client, reporter_a)
    _messages(reporter_a, 10)
    at_n = _count(client, "/notifications/?unread=1")
    _messages(reporter_a, 10)
    at_2n = _count(client, "/notifications/?unread=1")
    assert at_n == at_2n == 5


# ---------------------------------------------------------------------------------------------------
# 通知渠道


@pytest.mark.parametrize(
    "url", ["/notifications/channels/", "/notifications/channels/new/"]
)
def test_channel_pages_for_office_and_sysadmin_only(client, coordinator, sysadmin, reporter_a, leader, auditor, url):
    for user in (coordinator, sysadmin):
        assert login(client, user).get(url).status_code == 200
    for user in (reporter_a, leader, auditor):
        assert login(client, user).get(url).status_code == 403


def test_channel_writes_refused_to_others(client, reporter_a, leader):
    channel = Channel.objects.create(type=Channel.Type.WECOM, name="群", webhook_url="http://127.0.0.1:9/x")
    for user in (reporter_a, leader):
        login(client, user)
        assert client.post(f"/notifications/channels/{channel.pk}/edit/", {"name": "改"}).status_code == 403
        assert client.post(f"/notifications/channels/{channel.pk}/delete/").status_code == 403
        assert client.post(f"/notifications/channels/{channel.pk}/test/").status_code == 403
        assert client.post("/notifications/outbox/retry/").status_code == 403
    assert Channel.objects.get().name == "群" and not Outbox.objects.exists()
    assert login(client, leader).get("/notifications/channels/999/edit/").status_code == 403
    assert login(client, reporter_a).get("/notifications/channels/999/edit/").status_code == 403


def test_create_edit_delete_channel_audited(client, coordinator, unit_a, robot):
    login(client, coordinator)
    response = client.post("/notifications/channels/new/", {
        "type": "DINGTALK", "name": "调度群", "webhook_url": robot.dingtalk_url, "secret": robot.secret,
        "kinds": ["OVERDUE", "ESCALATED"], "units": [unit_a.pk], "enabled": "on",
    })
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.secret, channel.kinds) == (robot.secret, ["OVERDUE", "ESCALATED"])
    assert list(channel.units.all()) == [unit_a]
    created = AuditEvent.objects.get(action="notifications.channel.created")
    assert created.changes["secret"] == [None, "******"]  # the secret never reaches the audit log
    assert robot.secret not in str(created.changes)
    # Edit with the secret left empty keeps it.
    response = client.post(f"/notifications/channels/{channel.pk}/edit/", {
        "type": "DINGTALK", "name": "调度群（新）", "webhook_url": robot.dingtalk_url, "secret": "",
        "enabled": "on", "version": channel.version,
    })
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.secret, channel.kinds, channel.units.count()) == ("调度群（新）", robot.secret, [], 0)
    updated = AuditEvent.objects.get(action="notifications.channel.updated")
    assert updated.changes["name"] == ["调度群", "调度群（新）"]
    # A stale version is refused.
    response = client.post(f"/notifications/channels/{channel.pk}/edit/", {
        "type": "DINGTALK", "name": "过时", "webhook_url": robot.dingtalk_url, "version": 1,
    })
    assert "已被他人修改" in response.content.decode()
    assert client.post(f"/notifications/channels/{channel.pk}/delete/").status_code == 302
    assert not Channel.objects.exists()
    assert AuditEvent.objects.filter(action="notifications.channel.deleted").count() == 1


@pytest.mark.parametrize("data, error", [
    ({"type": "WECOM", "name": "无地址"}, "机器人渠道须填写 Webhook 地址。"),
    ({"type": "WECOM", "name": "坏地址", "webhook_url": "ftp://x"}, "Webhook 地址格式不正确"),
    ({"type": "EMAIL", "name": "无收件人"}, "邮件渠道须填写收件人邮箱。"),
    ({"type": "EMAIL", "name": "坏邮箱", "email_recipients": "a@b.cn, 不是邮箱"}, "邮箱地址不正确：不是邮箱"),
])
def test_channel_form_errors_in_chinese(client, sysadmin, data, error):
    response = login(client, sysadmin).post("/notifications/channels/new/", data)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Channel.objects.exists()


def test_test_button_sends_to_the_robot(client, coordinator, robot):
    channel = Channel.objects.create(type=Channel.Type.WECOM, name="企业微信群", webhook_url=robot.wecom_url)
    response = login(client, coordinator).post(f"/notifications/channels/{channel.pk}/test/", follow=True)
    assert "测试消息已发送到“企业微信群”" in response.content.decode()
    assert robot.texts("wecom")[0].startswith("【其他】测试消息")
    assert AuditEvent.objects.filter(action="notifications.channel.tested").count() == 1


@pytest.mark.parametrize("mode, shown, status", [
    ("errcode", "errcode 310000", Outbox.Status.FAILED),  # a wrong configuration: retrying cannot help
    ("500", "HTTP 500", Outbox.Status.PENDING),  # retried later, not lost
])
def test_test_button_reports_robot_failure(client, coordinator, robot, mode, shown, status):
    robot.mode = mode
    channel = Channel.objects.create(type=Channel.Type.WECOM, name="企业微信群", webhook_url=robot.wecom_url)
    page = login(client, coordinator).post(f"/notifications/channels/{channel.pk}/test/", follow=True)
    page = page.content.decode()
    assert f"测试消息发送失败：{shown}" in page
    assert ("按退避策略自动重试" in page) == (status == Outbox.Status.PENDING)
    assert Outbox.objects.get().status == status


def test_failed_rows_listed_and_retried(client, coordinator, robot):
    channel = Channel.objects.create(type=Channel.Type.WECOM, name="企业微信群", webhook_url=robot.wecom_url)
    row = Outbox.objects.create(
        channel=channel, kind="OVERDUE", title="逾期提醒", status=Outbox.Status.FAILED, attempts=8,
        last_error="HTTP 500", next_attempt_at=NOW, created_at=NOW,
    )
    login(client, coordinator)
    page = client.get("/notifications/channels/").content.decode()
    assert "逾期提醒" in page and "HTTP 500" in page and "重试失败消息" in page
    response = client.post("/notifications/outbox/retry/", {"outbox": [row.pk]}, follow=True)
    assert "已将 1 条发送失败的消息重新加入发送队列" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Outbox.Status.PENDING, 0)
    assert AuditEvent.objects.filter(action="notifications.outbox.retried").count() == 1


def test_no_outside_address_in_templates():
    folder = Path(services.__file__).parent / "templates"
    for template in folder.rglob("*.html"):
        assert not re.search(r"https?://", template.read_text()), template
