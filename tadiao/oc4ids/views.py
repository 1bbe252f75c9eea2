"""The OC4IDS download: role check → one query call → a JSON attachment."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from tadiao.lib.dates import parse_date
from tadiao.oc4ids import queries
from tadiao.oc4ids.package import EmptyPackage
from tadiao.org.http import AuthedRequest


@require_GET
def download(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_coordinator:
        raise PermissionDenied(queries.COORDINATORS_ONLY)
    text = request.GET.get("as_of", "").strip()
    try:
        as_of = parse_date(text) if text else timezone.localdate()
    except ValueError:
        return HttpResponseBadRequest(
            f"截至日期“{text}”格式不正确，应为 2026-12-03 或 2026年12月3日。", content_type="text/plain; charset=utf-8"
        )
    try:
        package = queries.package_for_user(
            request.user, as_of=as_of, published=timezone.now(), uri=request.build_absolute_uri()
        )
    except EmptyPackage as exc:
        messages.error(request, str(exc))
        return redirect("projects:list")
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="oc4ids_{as_of:%Y%m%d}.json"'
    return response
