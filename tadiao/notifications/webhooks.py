"""Outbound events (Webhook 订阅): an outside system subscribes an address to some of EVENTS; when one happens, the
service that made it calls `emit()` inside its own transaction, which writes one outbox row per enabled
subscription to that event. The outbox then delivers them like the robots' rows — the same backoff, give-up and
per-channel rate limit — as a POST of the stored JSON body signed with the subscription's secret:

    Content-Type: application/json
    X-Tadiao-Event: report.submitted
    X-Tadiao-Delivery: <the payload's "id", a UUID, the same on every retry>
    X-Tadiao-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>

Body: {"event": …, "id": …, "occurred_at": ISO 8601 with the zone, "data": {…}}; dates ISO, decimals as strings.
See docs/webhooks.md for every event's data keys.
"""

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from tadiao.notifications.models import WEBHOOK_EVENTS, Channel, Message, Outbox
from tadiao.notifications.queueing import schedule_delivery

EVENTS = WEBHOOK_EVENTS
PING = "ping"  # the 测试消息 of a webhook subscription
SIGNATURE_HEADER = "X-Tadiao-Signature"


def signature(secret: str, body: bytes) -> str:
    """The X-Tadiao-Signature value: "sha256=" + hex HMAC-SHA256 of the raw body keyed by the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_body(*, event: str, data: dict[str, Any], now: datetime.datetime) -> tuple[str, str]:
    """(delivery id, JSON body) of one delivery; the body is stored as is, so every retry sends the same bytes."""
    delivery = str(uuid.uuid4())
    body = {"event": event, "id": delivery, "occurred_at": timezone.localtime(now).isoformat(), "data": data}
    return delivery, json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _row(channel: Channel, *, event: str, data: dict[str, Any], now: datetime.datetime) -> Outbox:
    delivery, body = build_body(event=event, data=data, now=now)
    title = f"Webhook 事件：{EVENTS.get(event, event)}（{delivery}）"
    return Outbox(
        channel=channel, kind=Message.Kind.OTHER, title=title[:200], event=event, payload=body,
        next_attempt_at=now, created_at=now,
    )


def emit(*, event: str, data: dict[str, Any], now: datetime.datetime | None = None) -> int:
    """Called inside the transaction of the change: one outbox row per enabled subscription to `event` (none for
    a rollback); delivery is booked for the commit. Returns the number of rows."""
    if event not in EVENTS:
        raise ValueError(f"未知的 Webhook 事件：{event}")
    now = now or timezone.now()
    subscribed = [
        c for c in Channel.objects.filter(type=Channel.Type.WEBHOOK, enabled=True).order_by("id")
        if event in (c.events or [])
    ]
    if subscribed:
        Outbox.objects.bulk_create([_row(c, event=event, data=data, now=now) for c in subscribed])
        schedule_delivery()
    return len(subscribed)


def ping_row(channel: Channel, *, by: str, now: datetime.datetime) -> Outbox:
    """An unsaved test row for a subscription: event "ping", whatever events it subscribes to."""
    return _row(channel, event=PING, data={"channel": channel.name, "by": by}, now=now)


class WebhookFailed(Exception):
    """The subscriber did not take the delivery; services.send turns it into its DeliveryError."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def post(channel: Channel, row: Outbox, *, timeout: float) -> None:
    """POST the row's stored body to the subscription; any 2xx is success. 4xx but 429 is permanent (WebhookFailed
    with permanent=True); 5xx, 429, timeouts and connection errors are retried."""
    raw = row.payload.encode()
    delivery = json.loads(row.payload).get("id", "") if row.payload else ""
    request = urllib.request.Request(
        channel.webhook_url, data=raw, method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "tadiao-webhook/1",
            "X-Tadiao-Event": row.event,
            "X-Tadiao-Delivery": delivery,
            SIGNATURE_HEADER: signature(channel.secret, raw),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise WebhookFailed(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) from exc
    except TimeoutError as exc:
        raise WebhookFailed("连接超时") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WebhookFailed(f"无法连接：{getattr(exc, 'reason', exc)}") from exc
    if not 200 <= status < 300:
        raise WebhookFailed(f"HTTP {status}")
