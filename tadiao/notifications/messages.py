"""In-app messages (消息中心) and `notify()`: the message each recipient sees, plus one outbox row per channel that
carries it, written inside the caller's transaction; delivery is booked for when that transaction commits.
Reading a message is not a business write: not audited.

Re-exported by notifications.services, where the other apps call `notify()`.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from tadiao.notifications.models import Channel, Message, Outbox
from tadiao.notifications.queueing import schedule_delivery
from tadiao.org.models import Unit, User


class NotificationError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _recipients(*, users: Iterable[User], units: Iterable[Unit], exclude: User | None) -> list[User]:
    """The given users plus the active 填报员 of the given units, each once, in a stable order."""
    user_ids = {u.pk for u in users}
    unit_ids = {u.pk for u in units}
    if not user_ids and not unit_ids:
        return []
    wanted = Q(pk__in=user_ids) | Q(unit_id__in=unit_ids, is_reporter=True)
    found = {u.pk: u for u in User.objects.filter(wanted, is_active=True).only("id", "unit_id")}
    if exclude is not None:
        found.pop(exclude.pk, None)
    return [found[pk] for pk in sorted(found)]


def _carries(channel: Channel, *, kind: str, unit_ids: set[int]) -> bool:
    if channel.kinds and kind not in channel.kinds:
        return False
    channel_units = {u.pk for u in channel.units.all()}
    return not channel_units or bool(channel_units & unit_ids)


def notify(
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    users: Iterable[User] = (),
    units: Iterable[Unit] = (),
    exclude: User | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Called inside the caller's transaction. Creates one in-app Message per recipient (the given users plus the
    active users of the given units who handle their unit's work — 填报员 — deduplicated, minus `exclude`) and one
    Outbox row per enabled channel that carries this kind and one of the units concerned (the given units and the
    recipients' units); returns the number of messages. Delivery is enqueued with transaction.on_commit, so a
    rollback leaves neither messages nor outbox rows and sends nothing."""
    if kind not in Message.Kind.values:
        raise ValueError(f"未知的消息类型：{kind}")
    now = now or timezone.now()
    title = title[:200]
    units = list(units)
    recipients = _recipients(users=list(users), units=units, exclude=exclude)
    Message.objects.bulk_create(
        [Message(user=u, kind=kind, title=title, body=body, link=link, created_at=now) for u in recipients]
    )
    unit_ids = {u.pk for u in units} | {u.unit_id for u in recipients if u.unit_id}
    # Webhook subscriptions receive events (webhooks.emit), not notifications.
    enabled = Channel.objects.filter(enabled=True).exclude(type=Channel.Type.WEBHOOK).prefetch_related("units")
    channels = [c for c in enabled if _carries(c, kind=kind, unit_ids=unit_ids)]
    if channels:
        Outbox.objects.bulk_create(
            [
                Outbox(channel=c, kind=kind, title=title, body=body, link=link, next_attempt_at=now, created_at=now)
                for c in channels
            ]
        )
        schedule_delivery()
    return len(recipients)


def mark_read(*, message: Message, by: User, now: datetime.datetime) -> None:
    if message.user_id != by.pk:
        raise NotificationError("只能标记自己的消息。")
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)


def mark_all_read(*, by: User, now: datetime.datetime, kind: str = "") -> int:
    unread = Message.objects.filter(user=by, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=now)

