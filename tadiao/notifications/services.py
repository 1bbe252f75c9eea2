"""Writes of notifications, as the other apps and the views call them (`services.notify(...)`), and the delivery
of the outbox to the channels, which this module holds itself.

Where each part lives (every name is importable from here, as before the split):

- notifications.messages   `notify()` (in-app messages plus outbox rows, inside the caller's transaction),
                           `mark_read`, `mark_all_read`, NotificationError;
- notifications.channels   configuring channels (`create_channel`, `update_channel`, `delete_channel`,
                           `may_manage_channels`), `queue_test_message`, `retry_outbox`;
- notifications.queueing   `schedule_delivery` and the delivery queue the task module connects at app load
                           (the services never import the tasks, which call them);
- this module              delivery: the retry policy, sending to DingTalk / WeCom robots and by mail (`send`,
                           `_post_json`; the tests replace `send_mail` and HTTP_TIMEOUT here), `deliver_due` and
                           the worker's run `deliver_from_worker`.

Delivery never holds a transaction open across a network call: a row is claimed by a conditional UPDATE that
pushes its due time ahead (a lease), the request goes out, and the outcome is written afterwards.
"""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count
from django.utils import timezone

from tadiao.notifications import webhooks
from tadiao.notifications.channels import (
    CHANNEL_FIELDS,
    ConcurrentEditError,
    create_channel,
    delete_channel,
    may_manage_channels,
    queue_test_message,
    retry_outbox,
    update_channel,
)
from tadiao.notifications.messages import NotificationError, mark_all_read, mark_read, notify
from tadiao.notifications.models import Channel, DeliveryAttempt, Message, Outbox
from tadiao.notifications.queueing import book_delivery, connect_delivery_queue, schedule_delivery

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "BATCH",
    "CHANNEL_FIELDS",
    "GIVE_UP_AFTER_DAYS",
    "HTTP_TIMEOUT",
    "LEASE",
    "PERMANENT_ERRCODES",
    "RATE_LIMIT",
    "RATE_WINDOW",
    "ConcurrentEditError",
    "DeliveryError",
    "DeliveryRun",
    "NotificationError",
    "backoff",
    "connect_delivery_queue",
    "create_channel",
    "delete_channel",
    "deliver_due",
    "deliver_from_worker",
    "dingtalk_signed_url",
    "give_up_after",
    "mark_all_read",
    "mark_read",
    "may_manage_channels",
    "message_text",
    "notify",
    "queue_test_message",
    "retry_outbox",
    "schedule_delivery",
    "send",
    "update_channel",
]

# ---------------------------------------------------------------------------------------------------
# Delivery

BACKOFF_BASE = datetime.timedelta(minutes=1)
BACKOFF_CAP = datetime.timedelta(hours=1)
GIVE_UP_AFTER_DAYS = 3  # default of settings.NOTIFICATION_GIVE_UP_AFTER (days)
RATE_LIMIT = 20  # sends per robot per RATE_WINDOW: DingTalk's and WeCom's documented limit
RATE_WINDOW = datetime.timedelta(seconds=60)
LEASE = datetime.timedelta(minutes=2)
HTTP_TIMEOUT = 10  # seconds
BATCH = 500

# Robot errcodes that no retry can fix (the channel's configuration is wrong): the row fails at once.
# 310000 DingTalk: signature mismatch, keyword not in the message, or IP not on the whitelist;
# 300001 DingTalk: invalid access_token; 93000 WeCom: invalid webhook key.
# HTTP 4xx other than 429 is permanent too (see _post_json). Every other errcode (130101 "send too fast" among
# them), HTTP 429 and 5xx, timeouts and connection errors are transient: retried until the row is too old.
PERMANENT_ERRCODES = frozenset({310000, 300001, 93000})


class DeliveryError(Exception):
    """A channel refused or did not take a message; the text is stored as the row's last error.
    `permanent`: retrying cannot help (a wrong webhook, token or signature), the row is failed at once."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(BACKOFF_BASE * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_CAP)


def give_up_after() -> datetime.timedelta:
    """How old a row may grow while its channel keeps failing before it is marked failed:
    settings.NOTIFICATION_GIVE_UP_AFTER days (default 3)."""
    return datetime.timedelta(days=getattr(settings, "NOTIFICATION_GIVE_UP_AFTER", GIVE_UP_AFTER_DAYS))


def dingtalk_signed_url(url: str, secret: str, *, now: datetime.datetime) -> str:
    """DingTalk 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, url-encoded."""
    timestamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def message_text(row: Outbox) -> str:
    kind = Message.Kind(row.kind).label if row.kind in Message.Kind.values else row.kind
    lines = [f"【{kind}】{row.title}"]
    if row.body:
        lines.append(row.body)
    if row.link:
        lines.append(f"查看：{getattr(settings, 'TADIAO_SITE_URL', '').rstrip('/')}{row.link}")
    return "\n".join(lines)


def _post_json(url: str, payload: dict) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:  # 4xx but 429 (too many requests): the address itself is refused
        raise DeliveryError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) from exc
    except TimeoutError as exc:
        raise DeliveryError("连接超时") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"无法连接：{reason}") from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise DeliveryError("机器人返回的不是 JSON") from exc
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise DeliveryError(f"errcode {errcode}：{errmsg}", permanent=errcode in PERMANENT_ERRCODES)


def send(channel: Channel, row: Outbox, *, now: datetime.datetime) -> None:
    """Hand one row to its channel; raises DeliveryError when it did not arrive."""
    if channel.type == Channel.Type.WEBHOOK:
        try:
            webhooks.post(channel, row, timeout=HTTP_TIMEOUT)
        except webhooks.WebhookFailed as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        return
    text = message_text(row)
    if channel.type == Channel.Type.DINGTALK:
        url = channel.webhook_url
        if channel.secret:
            url = dingtalk_signed_url(url, channel.secret, now=now)
        _post_json(url, {"msgtype": "text", "text": {"content": text[:2000]}})
    elif channel.type == Channel.Type.WECOM:
        # WeCom's limit is 2048 bytes of UTF-8: 600 CJK characters stay well inside it.
        _post_json(channel.webhook_url, {"msgtype": "text", "text": {"content": text[:600]}})
    elif channel.type == Channel.Type.EMAIL:
        try:
            send_mail(f"【塔吊】{row.title}", text, None, channel.recipient_list, fail_silently=False)
        except Exception as exc:  # SMTP refusals, connection errors: all are retried
            raise DeliveryError(f"邮件发送失败：{exc}") from exc
    else:
        raise DeliveryError(f"未知的渠道类型：{channel.type}")


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0  # real attempts that failed (the row is retried later, or given up on)
    given_up: int = 0  # rows marked failed: a permanent error, or too old (give_up_after) while still failing
    held: int = 0  # due rows not tried because their channel failed earlier in this run; no attempt charged
    deferred: int = 0  # due rows left for later by the rate limit
    next_due: datetime.datetime | None = None  # when the next run has something to do


def _recent_sends(channel_ids: set[int], now: datetime.datetime) -> dict[int, int]:
    rows = (
        DeliveryAttempt.objects.filter(channel_id__in=channel_ids, at__gt=now - RATE_WINDOW)
        .values("channel_id")
        .annotate(n=Count("id"))
    )
    return {r["channel_id"]: r["n"] for r in rows}


def _window_frees_at(channel_id: int, now: datetime.datetime) -> datetime.datetime:
    """When the oldest send in the channel's window leaves it, making room for one more."""
    sends = DeliveryAttempt.objects.filter(channel_id=channel_id, at__gt=now - RATE_WINDOW).order_by("-at")
    oldest = sends.values_list("at", flat=True)[RATE_LIMIT - 1 : RATE_LIMIT].first()
    return (oldest or now) + RATE_WINDOW


def _too_old(row: Outbox, now: datetime.datetime) -> bool:
    return row.created_at <= now - give_up_after()


def _fail(row: Outbox, exc: DeliveryError, now: datetime.datetime, run: DeliveryRun) -> None:
    """Record a real attempt that failed: fail the row for good on a permanent error or when it is too old,
    otherwise back off (1, 2, 4 … minutes, at most an hour)."""
    row.attempts += 1
    row.last_error = str(exc)[:500]
    if exc.permanent:
        row.status = Outbox.Status.FAILED
        row.last_error = f"{exc}（重试无法解决，请检查渠道配置）"[:500]
    elif _too_old(row, now):
        row.status = Outbox.Status.FAILED
        row.last_error = f"{exc}（超过 {_days(give_up_after())} 仍未发送成功，不再自动重试）"[:500]
    else:
        row.next_attempt_at = now + backoff(row.attempts)
    if row.status == Outbox.Status.FAILED:
        run.given_up += 1
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    run.failed += 1


def _days(span: datetime.timedelta) -> str:
    days = span / datetime.timedelta(days=1)
    return f"{days:g} 天" if days >= 1 else f"{span / datetime.timedelta(hours=1):g} 小时"


@dataclass
class _ChannelDown:
    """A channel whose request failed transiently in this run: when it is tried next, and why it failed."""

    retry_at: datetime.datetime
    error: str


def _hold(row: Outbox, down: _ChannelDown, now: datetime.datetime, run: DeliveryRun) -> None:
    """A due row whose channel already failed in this run (transiently): not sent and not charged an attempt;
    it waits for the channel's next try (the failed row's due time), or is given up on when too old. The
    UPDATE is conditional like a claim, so a row another deliverer has claimed meanwhile is left alone."""
    mine = Outbox.objects.filter(pk=row.pk, status=Outbox.Status.PENDING, next_attempt_at=row.next_attempt_at)
    if _too_old(row, now):
        reason = f"渠道持续发送失败（{down.error}），已超过 {_days(give_up_after())}，不再自动重试"
        if mine.update(status=Outbox.Status.FAILED, last_error=reason[:500]):
            run.given_up += 1
    elif mine.update(next_attempt_at=down.retry_at, last_error=f"本轮未发送：该渠道发送失败（{down.error}）"[:500]):
        run.held += 1


def deliver_due(*, now: datetime.datetime, outbox_ids: Iterable[int] | None = None) -> DeliveryRun:
    """Send the pending rows due at `now` (or only `outbox_ids`), oldest first, at most RATE_LIMIT per channel
    per RATE_WINDOW counted from the recorded attempts.

    Retry policy: a transient failure (5xx, 429, timeout, connection error, most errcodes) backs the row off
    exponentially up to an hour and it is retried until it is older than give_up_after(); a permanent one
    (PERMANENT_ERRCODES, HTTP 4xx but 429) fails it at once. A channel that fails transiently once in a run
    is not tried again in that run: its other due rows are held, uncharged, until its next try, so a robot
    that is down costs one request per run and loses nothing. After a permanent failure the channel's other
    rows are still tried, each getting its own answer (the rate limit bounds them)."""
    run = DeliveryRun()
    due = Outbox.objects.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=now, channel__enabled=True)
    if outbox_ids is not None:
        due = due.filter(pk__in=list(outbox_ids))
    rows = list(due.select_related("channel").order_by("id")[:BATCH])
    budget = {cid: RATE_LIMIT - n for cid, n in _recent_sends({r.channel_id for r in rows}, now).items()}
    channel_down: dict[int, _ChannelDown] = {}
    limited: set[int] = set()
    for row in rows:
        channel = row.channel
        if row.channel_id in channel_down:
            _hold(row, channel_down[row.channel_id], now, run)
            continue
        if budget.get(row.channel_id, RATE_LIMIT) <= 0:
            limited.add(row.channel_id)
            run.deferred += 1
            continue
        # Claim: only one deliverer (worker or command) sends a row; the lease lapses if this one dies.
        claimed = Outbox.objects.filter(
            pk=row.pk, status=Outbox.Status.PENDING, next_attempt_at=row.next_attempt_at
        ).update(next_attempt_at=now + LEASE)
        if not claimed:
            continue
        row.next_attempt_at = now + LEASE
        budget[row.channel_id] = budget.get(row.channel_id, RATE_LIMIT) - 1
        attempt = DeliveryAttempt.objects.create(outbox=row, channel=channel, at=now)
        try:
            send(channel, row, now=now)
        except DeliveryError as exc:
            attempt.ok, attempt.error = False, str(exc)[:500]
            attempt.save(update_fields=["ok", "error"])
            _fail(row, exc, now, run)
            if not exc.permanent:  # the channel's next try is the failed row's, even when that row was too old
                channel_down[row.channel_id] = _ChannelDown(now + backoff(row.attempts), str(exc))
        else:
            attempt.ok = True
            attempt.save(update_fields=["ok"])
            row.attempts += 1
            row.status, row.sent_at, row.last_error = Outbox.Status.SENT, now, ""
            row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            run.sent += 1
    candidates = [_window_frees_at(cid, now) for cid in limited]
    if len(rows) == BATCH:
        candidates.append(now)
    later = (
        Outbox.objects.filter(status=Outbox.Status.PENDING, next_attempt_at__gt=now, channel__enabled=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if later is not None:
        candidates.append(later)
    run.next_due = min(candidates) if candidates else None
    return run


def deliver_from_worker() -> DeliveryRun:
    """One worker run: deliver what is due, then book the next run for when something falls due again."""
    now = timezone.now()
    run = deliver_due(now=now)
    if run.next_due is not None:
        book_delivery(max(run.next_due, now + datetime.timedelta(seconds=1)))
    return run

