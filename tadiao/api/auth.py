"""Who calls the open API: a personal token (Authorization: Bearer tdk_…) or, from the browser, the session login
with its CSRF token. Either way the request acts as that user, through the same access gates as the pages."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.security.base import AuthBase

from tadiao.api import services
from tadiao.api.models import ApiToken
from tadiao.audit.context import current_via

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class RateLimited(HttpError):
    """429 with the seconds to wait (the handler sets Retry-After)."""

    def __init__(self, wait: int) -> None:
        limit = settings.TADIAO_API_RATE_LIMIT
        super().__init__(429, f"请求过于频繁：每个令牌每分钟最多 {limit} 次，请 {wait} 秒后再试。")
        self.wait = wait


class TokenAuth(HttpBearer):
    """A personal API token: unknown, expired, revoked or of a disabled user → 401; a read-only token writing → 403;
    beyond the per-minute limit → 429. Writes made with it are audited with the token's name."""

    openapi_description = "个人 API 令牌：在“我的 API 令牌”页面创建，请求头写 Authorization: Bearer <令牌>。"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(token_hash=services.hash_secret(token))
            .first()
        )
        if found is None or not found.is_active_on(timezone.localdate()) or not found.user.is_active:
            return None
        wait = services.count_request(token=found, now=timezone.now(), limit=settings.TADIAO_API_RATE_LIMIT)
        if wait:
            raise RateLimited(wait)
        if found.read_only and request.method not in SAFE_METHODS:
            raise HttpError(403, f"令牌“{found.name}”是只读令牌，不能修改数据。")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        current_via.set(f"经 API 令牌“{found.name}”")
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The session login (the pages' cookie); writes need the CSRF token (X-CSRFToken header), as forms do."""

    openapi_description = "浏览器登录会话（Cookie）；修改数据的请求须带 X-CSRFToken 请求头。"

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None  # no login session at all: 401 (not a CSRF refusal) for a script that forgot its token
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise HttpError(403, "CSRF 校验失败：请在请求头 X-CSRFToken 中带上页面的 CSRF 令牌。") from exc


AUTH: list[AuthBase] = [TokenAuth(), BrowserSessionAuth()]
