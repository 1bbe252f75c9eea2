"""Every page needs a logged-in user except the login page, static files and the health check; a user idle for
too long is logged out; a user holding a generated password changes it before anything else."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from tadiao.org.auth import LAST_SEEN_KEY

# The web-app manifest and the service worker are fetched by the browser itself, without or beside a session.
PWA_FILES = ("/manifest.webmanifest", "/sw.js")
# The open API (/api/v1/) authenticates each request itself (a personal token or the session) and answers 401.
OPEN_PREFIXES = ("/accounts/login/", "/static/", "/healthz", "/api/v1/", *PWA_FILES)


class LoginRequiredEverywhereMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Logs the user out after settings.IDLE_SECONDS without a request (audited as auth.idle_logout).

    The last request's time is kept in the session, but written only when it is older than a tenth of the limit
    (at most a minute): a page full of htmx requests must not write the session on each. The user is therefore
    logged out between IDLE_SECONDS minus that step and IDLE_SECONDS after their last request, never later."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and request.path not in PWA_FILES:  # the browser's own checks are no activity
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int) and now - last >= settings.IDLE_SECONDS:
                # read by audit.auth_events; HttpRequest declares no such attribute (setattr would trip ruff B010)
                request.tadiao_logout_reason = "idle"  # type: ignore[attr-defined]
                logout(request)
                messages.info(request, f"超过 {settings.IDLE_SECONDS // 60} 分钟未操作，已自动退出，请重新登录。")
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not isinstance(last, int) or now - last >= min(60, settings.IDLE_SECONDS // 10):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password was generated (new account, reset by the administrator, first run) sees only the
    password page until they chose their own; logging out stays possible."""

    ALLOWED = ("/accounts/password/", "/accounts/logout/", "/static/", "/healthz", *PWA_FILES)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and user.must_change_password and not request.path.startswith(self.ALLOWED):
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(reverse("password_change"))
            return redirect("password_change")
        return self.get_response(request)
