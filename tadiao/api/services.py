"""Writes of the open API's own data: personal tokens (created, revoked — audited) and the per-token request
counter (not audited: it is bookkeeping, not a business write)."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import Case, When

from tadiao.api.models import ApiToken
from tadiao.audit import services as audit
from tadiao.org.models import User

SECRET_PREFIX = "tdk_"
MAX_ACTIVE_TOKENS = 20
MAX_DAYS = 366


class TokenError(Exception):
    """A refused token write; the message is the Chinese text the user sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(
    *, user: User, name: str, expires_on: datetime.date, read_only: bool, now: datetime.datetime,
    today: datetime.date,
) -> tuple[ApiToken, str]:
    """A new token of the user and its secret (returned once: only its hash is stored)."""
    name = name.strip()
    if not name:
        raise TokenError("请填写令牌名称（例如“统计局数据同步”）。")
    if expires_on <= today:
        raise TokenError("有效期应晚于今天。")
    if expires_on > today + datetime.timedelta(days=MAX_DAYS):
        raise TokenError("有效期最长一年，请选择更早的日期。")
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_on__gte=today)
    if active.filter(name=name).exists():
        raise TokenError(f"您已有名为“{name}”的有效令牌，请换一个名称。")
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"每人最多 {MAX_ACTIVE_TOKENS} 个有效令牌，请先吊销不用的令牌。")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_secret(secret), read_only=read_only,
        created_at=now, expires_on=expires_on,
    )
    audit.record(
        actor=user, action="api.token.created", obj=token,
        changes=audit.created({"name": name, "prefix": token.prefix, "expires_on": expires_on, "read_only": read_only}),
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User, now: datetime.datetime) -> ApiToken:
    """Revoke a token: its owner, or a system administrator for anyone's. Revoking twice is refused."""
    if token.user_id != by.pk and not by.is_sysadmin:
        raise TokenError("只能吊销自己的令牌。")
    if token.revoked_at is not None:
        raise TokenError("该令牌已吊销。")
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by):
        raise TokenError("该令牌已吊销。")
    token.revoked_at, token.revoked_by = now, by
    audit.record(
        actor=by, action="api.token.revoked", obj=token,
        changes={"revoked_at": [None, now], "user": str(token.user)},
    )
    return token


def count_request(*, token: ApiToken, now: datetime.datetime, limit: int) -> int:
    """Count one request of the token in the current minute and note its last use; returns 0 when counted, else the
    seconds until the next minute (the request is over the limit and is not counted).

    One conditional UPDATE: a new minute restarts the count at 1; within the minute the count goes up only while
    below the limit. Every worker shares the row, so the limit holds across processes."""
    window = int(now.timestamp()) // 60
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(~Q(rate_window=window) | Q(rate_count__lt=limit))
        .update(
            rate_count=Case(When(rate_window=window, then=F("rate_count") + 1), default=Value(1)),
            rate_window=window,
            last_used_at=now,
        )
    )
    if counted:
        return 0
    return 60 - int(now.timestamp()) % 60
