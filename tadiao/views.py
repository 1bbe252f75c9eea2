"""Site-wide views that belong to no app: the home redirect, the health check, the CSRF failure page."""

from django.http import HttpResponse
from django.shortcuts import redirect, render


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
