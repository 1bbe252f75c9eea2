"""Writes of notifications: `notify()` (in-app messages plus outbox rows, inside the caller's transaction),
marking messages read, configuring channels, and delivering the outbox to the channels.

Delivery never holds a transaction open across a network call: a row is claimed by a conditional UPDATE that
pushes its due time ahead (a lease), the request goes out, and the outcome is written afterwards.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from tadiao.notifications.models import Channel, Message, Outbox
from tadiao.org.models import Unit, User

logger = logging.getLogger(__name__)


def _recipients(*, users: Iterable[User], units: Iterable[Unit], exclude: User | None) -> list[User]:
    """The given users plus the active 填报员 of the given units, each once, in a stable order."""
    user_ids = {u.pk for u in users}
    unit_ids = {u.pk for u in units}
    found: dict[int, User] = {}
    if user_ids:
        for u in User.objects.filter(pk__in=user_ids, is_active=True).only("id", "unit_id"):
            found[u.pk] = u
    if unit_ids:
        for u in User.objects.filter(unit_id__in=unit_ids, is_active=True, is_reporter=True).only("id", "unit_id"):
            found[u.pk] = u
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
    enabled = Channel.objects.filter(enabled=True).prefetch_related("units")
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


def schedule_delivery() -> None:
    """Ask the worker to deliver once the current transaction commits (nothing is sent for a rollback)."""
    from tadiao.notifications import tasks  # tasks imports this module

    def enqueue() -> None:
        try:
            tasks.deliver_notifications_task.enqueue()
        except Exception:  # the rows stay pending: the next run or `tadiao deliver_notifications` sends them
            logger.exception("通知投递任务入队失败")

    transaction.on_commit(enqueue)


def deliver_from_worker() -> None:
    """Filled in with the delivery below."""
