"""Writes of notifications: `notify()` (in-app messages plus outbox rows, inside the caller's transaction),
marking messages read, configuring channels, and delivering the outbox to the channels.

Delivery never holds a transaction open across a network call: a row is claimed by a conditional UPDATE that
pushes its due time ahead (a lease), the request goes out, and the outcome is written afterwards.
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.notifications.models import Channel, DeliveryAttempt, Message, Outbox
from tadiao.org.models import Unit, User

logger = logging.getLogger(__name__)


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


# How a delivery run reaches the worker: `book(when)` queues one now (when=None) or at `when`. It is
# tasks.book_delivery, connected by NotificationsConfig.ready(): the task module calls these services, so they
# do not import it back, and notify() is called inside other apps' services, which cannot pass it in.
_delivery_queue: Callable[[datetime.datetime | None], None] | None = None


def connect_delivery_queue(book: Callable[[datetime.datetime | None], None]) -> None:
    """Called once, at app load, with tasks.book_delivery."""
    global _delivery_queue
    _delivery_queue = book


def _book_delivery(when: datetime.datetime | None = None) -> None:
    if _delivery_queue is None:
        raise ImproperlyConfigured("通知投递队列未连接：NotificationsConfig.ready() 应连接 tasks.book_delivery。")
    _delivery_queue(when)


def schedule_delivery() -> None:
    """Ask the worker to deliver once the current transaction commits (nothing is sent for a rollback)."""

    def enqueue() -> None:
        try:
            _book_delivery()
        except Exception:  # the rows stay pending: the next run or `tadiao deliver_notifications` sends them
            logger.exception("通知投递任务入队失败")

    transaction.on_commit(enqueue)


class NotificationError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(NotificationError):
    def __init__(self):
        super().__init__("该渠道已被他人修改，您看到的不是最新内容。请刷新页面后重新操作。")


# ---------------------------------------------------------------------------------------------------
# Messages (消息中心). Reading is not a business write: not audited.


def mark_read(*, message: Message, by: User, now: datetime.datetime) -> None:
    if message.user_id != by.pk:
        raise NotificationError("只能标记自己的消息。")
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)


def mark_all_read(*, by: User, now: datetime.datetime, kind: str = "") -> int:
    unread = Message.objects.filter(user=by, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=now)


# ---------------------------------------------------------------------------------------------------
# Channels (通知渠道): configured by the office (调度员) and the system administrator; audited.

CHANNEL_FIELDS = ["type", "name", "webhook_url", "secret", "email_recipients", "kinds", "enabled"]


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
        _book_delivery(max(run.next_due, now + datetime.timedelta(seconds=1)))
    return run

