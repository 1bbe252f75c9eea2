"""一张图 pages: the map of the user's projects, its data as JSON, the boundary GeoJSON it draws, the system
administrator's upload page and the coordinate converter. Decorators → access gate → queries or one service call."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tadiao.gis import charts, forms, queries, services
from tadiao.gis.geojson import GeoJSONError
from tadiao.lib import geo
from tadiao.lib.paging import query_without_page
from tadiao.lib.params import date_param
from tadiao.projects.queries import ProjectFilters, filter_choices


def _require_map_reader(user) -> None:
    """The map shows business data: the coordinator, the leader and a unit's reporter (its own projects only)."""
    if not (user.is_coordinator or user.is_leader or (user.is_reporter and user.unit_id)):
        raise PermissionDenied("您的角色不能查看一张图。")


def _require_sysadmin(user) -> None:
    if not user.is_sysadmin:
        raise PermissionDenied("仅系统管理员可以上传地图边界。")


def _map(request) -> dict:
    """What the page and its JSON share: the option, the chosen settings and the counts under the map."""
    user = request.user
    filters = ProjectFilters.from_query(request.GET)
    as_of = date_param(request.GET, "as_of", filters.invalid, "截至日期") or timezone.localdate()
    color_by = request.GET.get("color") or "stage"
    if color_by not in charts.COLOR_BY:
        filters.invalid.append("项目点颜色")
        color_by = "stage"
    rates = queries.shading_rates()
    asked = request.GET.get("rate", "")
    definition = queries.chosen_rate(asked, rates)
    if asked not in ("", "none") and (definition is None or definition.code != asked):
        filters.invalid.append("区域着色指标")
    page = queries.map_page(user, filters, as_of=as_of, color_by=color_by, rate=definition)
    return {
        "option": page.option,
        "boundary": page.boundary,
        "filters": filters,
        "color_by": color_by,
        "rates": rates,
        "definition": definition,
        "area_rates": page.area_rates,
        "shown": page.shown,
        "missing": page.missing,
        "as_of": as_of,
    }


@require_GET
def map_page(request):
    _require_map_reader(request.user)
    context = _map(request)
    return render(
        request,
        "gis/map.html",
        {
            **context,
            "choices": filter_choices(request.user),
            "color_choices": list(charts.COLOR_BY.items()),
            "query": query_without_page(request),
        },
    )


@require_GET
def map_data(request):
    """The same map as JSON, for a page that redraws without reloading (the dashboard's small map, an API)."""
    _require_map_reader(request.user)
    context = _map(request)
    boundary = context["boundary"]
    return JsonResponse(
        {
            "option": context["option"],
            "geojson": boundary_url(boundary),
            "approval_number": boundary.approval_number if boundary else "",
            "shown": context["shown"],
            "missing": context["missing"],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def boundary_url(boundary) -> str:
    return reverse("gis:boundary_geojson", args=[boundary.pk]) if boundary else ""


@require_GET
def boundary_geojson(request, pk: int):
    """An uploaded map's areas. A map never changes once uploaded (a new upload gets a new id): browsers keep it."""
    user = request.user
    if not user.is_sysadmin:
        _require_map_reader(user)
    data = queries.boundary_geojson(pk)
    if data is None:
        raise Http404("地图不存在。")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "private, max-age=86400, immutable"
    return response


def boundary_admin(request):
    """The system administrator's page: the current map (a preview of its areas), the upload form, earlier uploads.

    The preview shows no project: 三员分立 keeps the system administrator out of business data."""
    _require_sysadmin(request.user)
    form = forms.BoundaryUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.upload_boundary(
                content=upload.read(),
                file_name=upload.name,
                name=form.cleaned_data["name"],
                approval_number=form.cleaned_data["approval_number"],
                by=request.user,
            )
        except (services.BoundaryError, GeoJSONError) as exc:
            problems = exc.problems
            form.add_error("file", "边界文件有误，未保存，请按下列问题修改后重新上传。")
        else:
            boundary = result.boundary
            messages.success(request, f"已上传地图边界：{boundary.name}，区域 {boundary.areas.count()} 个。")
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("gis:boundary")
    boundary = queries.current_boundary()
    preview = None
    if boundary is not None:
        preview = charts.map_option(boundary=boundary, area_rates=None, definition=None, projects=[], color_by="stage")
    return render(
        request,
        "gis/boundary.html",
        {
            "form": form,
            "problems": problems,
            "boundary": boundary,
            "areas": queries.map_areas(boundary) if boundary else [],
            "preview": preview,
            "uploads": queries.uploads()[:20],
            "limit": forms.size_text(settings.GIS_BOUNDARY_MAX_BYTES),
        },
    )


@require_GET
def convert(request):
    """坐标转换: coordinates copied from 高德/腾讯 (GCJ-02) or 百度 (BD-09) to the WGS-84 that tadiao stores.
    With ?format=json the answer is JSON (for a location picker)."""
    _require_map_reader(request.user)
    form = forms.ConvertForm(request.GET if "text" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        lng, lat = form.cleaned_data["point"]
        wgs_lng, wgs_lat = geo.to_wgs84(lng, lat, system=form.cleaned_data["system"])
        result = {"longitude": f"{wgs_lng:.6f}", "latitude": f"{wgs_lat:.6f}", "system": form.cleaned_data["system"]}
    if request.GET.get("format") == "json":
        if result is None:
            errors = "；".join(e for errs in form.errors.values() for e in errs) if form.is_bound else "请填写坐标。"
            return JsonResponse({"error": errors}, status=400, json_dumps_params={"ensure_ascii": False})
        return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
    return render(request, "gis/convert.html", {"form": form, "result": result})
