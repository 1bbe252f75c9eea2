"""Channels (通知渠道): configured by the office (调度员) and the system administrator, each change audited; a test
message for one channel, and failed outbox rows put back in the queue.

Re-exported by notifications.services.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.notifications import webhooks
from tadiao.notifications.messages import NotificationError
from tadiao.notifications.models import Channel, Message, Outbox
from tadiao.notifications.queueing import schedule_delivery
from tadiao.org.models import User

CHANNEL_FIELDS = ["type", "name", "webhook_url", "secret", "email_recipients", "kinds", "events", "enabled"]


class ConcurrentEditError(NotificationError):
    def __init__(self):
        super().__init__("该渠道已被他人修改，您看到的不是最新内容。请刷新页面后重新操作。")


def may_manage_channels(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_sysadmin))


def _check_manager(by: User) -> None:
    if not may_manage_channels(by):
        raise NotificationError("只有调度员和系统管理员可以配置通知渠道。")


def _channel_snapshot(channel: Channel) -> dict:
    values = audit.snapshot(channel, [*CHANNEL_FIELDS, "units"])
    # The signing secret never goes into the audit log; only whether it changed.
    values["secret"] = "******" if channel.secret else ""
    return values


def _check_channel_values(data: dict) -> None:
    if data["type"] == Channel.Type.EMAIL:
        if not data.get("email_recipients", "").strip():
            raise NotificationError("邮件渠道须填写收件人邮箱。")
    elif not data.get("webhook_url", "").strip():
        raise NotificationError("机器人渠道须填写 Webhook 地址。")
    if data["type"] == Channel.Type.WEBHOOK:
        unknown = [e for e in data.get("events") or [] if e not in webhooks.EVENTS]
        if unknown or not data.get("events"):
            raise NotificationError("Webhook 订阅须至少选择一个事件。")
        stored_secret = bool(data.get("pk")) and Channel.objects.filter(pk=data["pk"]).exclude(secret="").exists()
        if not data.get("secret") and not stored_secret:
            raise NotificationError("Webhook 订阅须填写签名密钥。")
    duplicate = Channel.objects.filter(name=data["name"])
    if data.get("pk"):
        duplicate = duplicate.exclude(pk=data["pk"])
    if duplicate.exists():
        raise NotificationError(f"已有名为“{data['name']}”的通知渠道。")


@transaction.atomic
def create_channel(*, data: dict, by: User) -> Channel:
    """`data`: the CHANNEL_FIELDS and `units` (a list of units; empty = every unit)."""
    _check_manager(by)
    _check_channel_values(data)
    channel = Channel.objects.create(**{k: data[k] for k in CHANNEL_FIELDS if k in data})
    channel.units.set(data.get("units") or [])
    audit.record(
        actor=by, action="notifications.channel.created", obj=channel,
        changes=audit.created(_channel_snapshot(channel)),
    )
    return channel


@transaction.atomic
def update_channel(*, channel: Channel, data: dict, expected_version: int, by: User) -> Channel:
    _check_manager(by)
    _check_channel_values({**data, "pk": channel.pk})
    # Edited on a copy of the stored row: a refused save leaves `channel` as the page showed it.
    stored = Channel.objects.prefetch_related("units").get(pk=channel.pk)
    before = _channel_snapshot(stored)
    fields = [k for k in CHANNEL_FIELDS if k in data]
    if "secret" in fields and not data["secret"]:
        fields.remove("secret")  # an empty secret field on the form keeps the stored one
    edited = {name: data[name] for name in [*fields, *(["units"] if "units" in data else [])]}
    if stored.version == expected_version and unchanged(stored, edited):
        return channel  # saved as shown: no new version, no audit event
    for name in fields:
        setattr(stored, name, data[name])
    if not save_if_unchanged(stored, fields, expected_version=expected_version):
        raise ConcurrentEditError()
    if "units" in data:
        stored.units.set(data["units"] or [])  # drops the prefetched units: the snapshot reads them again
    changes = audit.diff(before, _channel_snapshot(stored))
    channel.refresh_from_db()
    if changes:
        audit.record(actor=by, action="notifications.channel.updated", obj=channel, changes=changes)
    return channel


@transaction.atomic
def delete_channel(*, channel: Channel, by: User) -> None:
    _check_manager(by)
    audit.record(
        actor=by, action="notifications.channel.deleted", obj=channel,
        changes=audit.removed(_channel_snapshot(channel)),
    )
    channel.delete()


@transaction.atomic
def queue_test_message(*, channel: Channel, by: User, now: datetime.datetime) -> Outbox:
    """A 测试消息 for one channel, whatever kinds and units it carries; sent like any other row."""
    _check_manager(by)
    if channel.type == Channel.Type.WEBHOOK:
        row = webhooks.ping_row(channel, by=str(by), now=now)
        row.save()
    else:
        row = Outbox.objects.create(
            channel=channel, kind=Message.Kind.OTHER, title="测试消息",
            body=f"这是一条来自塔吊重点项目调度平台的测试消息，由{by}发送。收到即表示“{channel.name}”配置正确。",
            next_attempt_at=now, created_at=now,
        )
    audit.record(actor=by, action="notifications.channel.tested", obj=channel)
    return row


@transaction.atomic
def retry_outbox(*, rows: Iterable[Outbox], by: User, now: datetime.datetime) -> int:
    """Put failed rows back in the queue with a fresh count of attempts."""
    _check_manager(by)
    ids = [r.pk for r in rows]
    count = Outbox.objects.filter(pk__in=ids, status=Outbox.Status.FAILED).update(
        status=Outbox.Status.PENDING, attempts=0, next_attempt_at=now
    )
    if count:
        audit.record(
            actor=by, action="notifications.outbox.retried", obj=None, changes={"outbox": ids, "count": count}
        )
        schedule_delivery()
    return count

