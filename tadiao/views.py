"""Site-wide views that belong to no app: the home redirect, the health check, the CSRF failure page, and the two
files that make the site installable on a phone (the web-app manifest and the service worker)."""

import functools
import hashlib
import json
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

APP_NAME = "塔吊 · 重点项目调度平台"
THEME_COLOR = "#0b4f9c"


def home(request):
    user = request.user
    if user.is_sysadmin:
        return redirect("org:users")
    if user.is_auditor:
        return redirect("audit:list")
    if user.is_coordinator or user.is_leader:
        return redirect("dashboard:home")
    return redirect("projects:list")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def manifest(request: HttpRequest) -> HttpResponse:
    """The web-app manifest: the phone's home-screen name and icons; the app opens at / like the site."""
    data = {
        "name": APP_NAME,
        "short_name": "塔吊调度",
        "description": "重点项目建设与招商引资调度：月报、周报、照片、问题协调。",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f3f5f8",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static(f"tadiao/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any"}
            for size in (192, 512)
        ] + [
            {"src": static("tadiao/icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/manifest+json; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@functools.cache
def static_version() -> str:
    """A short fingerprint of the static files shipped (names, sizes, modification times): a new release gives
    the service worker a new cache name, so the phone drops the old copies. Computed once per process."""
    digest = hashlib.sha256(b"tadiao")
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            digest.update(path.encode())
            try:
                info = os.stat(storage.path(path))
            except (NotImplementedError, OSError):
                continue
            digest.update(f"{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def _version() -> str:
    if settings.DEBUG:  # a developer's edited files: a fresh fingerprint on each fetch of the worker
        static_version.cache_clear()
    return static_version()


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from / so that its scope is the whole site. It caches our static files only;
    every page, form post and data request goes to the server as if it were not there."""
    response = render(
        request,
        "pwa/sw.js",
        {"static_url": settings.STATIC_URL, "version": _version()},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
