"""经济指标 pages: decorators → access gate → one service or query call → render or redirect."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadiao.economy import exports, forms, queries, services
from tadiao.economy.models import INDICATOR_UNITS, MAX_YEAR, MIN_YEAR, Indicator, period_label
from tadiao.lib.forms import error_text, posted_version
from tadiao.lib.paging import PAGE_SIZES, page_of
from tadiao.lib.xlsx import xlsx_response


def _today() -> datetime.date:
    return timezone.localdate()


def _period(request, region) -> tuple[int, int, bool]:
    """The period asked for (?period=2024-10), else the latest entered; and whether the request's was invalid."""
    text = request.GET.get("period", "").strip()
    period = queries.parse_period(text) if text else None
    invalid = bool(text) and period is None
    if period is None:
        period = queries.default_period(region=region, today=_today())
    return period[0], period[1], invalid


def _overview(request) -> dict:
    queries.require_reader(request.user)
    region = queries.user_region(request.user)
    year, month, invalid = _period(request, region)
    data = queries.overview(year=year, month=month, region=region)
    return {**data, "region": region, "invalid": invalid, "label": period_label(year, month),
            "period": f"{year}-{month:02d}"}


@require_GET
def overview(request):
    context = _overview(request)
    return render(request, "economy/overview.html", {**context, "may_write": queries.may_write(request.user)})


@require_GET
def overview_export(request):
    context = _overview(request)
    return xlsx_response(f"经济指标_{context['period']}.xlsx", exports.overview_sheets(context))


@require_GET
def figure_list(request):
    queries.require_reader(request.user)
    filters = queries.FigureFilters.from_query(request.GET)
    return render(request, "economy/figure_list.html", {
        "page": page_of(request, queries.figure_rows(request.user, filters)),
        "filters": filters,
        "regions": queries.visible_regions(request.user),
        "indicators": Indicator.choices,
        "units": INDICATOR_UNITS,
        "page_sizes": PAGE_SIZES,
        "may_write": queries.may_write(request.user),
    })


@require_http_methods(["GET", "POST"])
def figure_create(request):
    queries.require_writer(request.user)
    regions = queries.visible_regions(request.user)
    form = forms.FigureForm(request.POST or None, regions=regions, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            figure = services.create_figure(data=form.figure_data(), by=request.user)
        except services.EconomyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已录入：{figure}")
            if "another" in request.POST:
                return redirect(f"{request.path}?region={figure.region_id}&period={figure.year}-{figure.month:02d}")
            return redirect("economy:figures")
    return render(request, "economy/figure_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def figure_edit(request, pk: int):
    figure = queries.get_figure_for_user(request.user, pk, write=True)
    regions = queries.visible_regions(request.user)
    if request.method == "POST":
        form = forms.FigureForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                services.update_figure(figure=figure, data=form.figure_data(),
                                       expected_version=form.cleaned_data["version"] or 0, by=request.user)
            except services.EconomyError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已保存：{figure}")
                return redirect("economy:figures")
    else:
        form = forms.FigureForm(regions=regions, initial=forms.FigureForm.initial_of(figure))
    return render(request, "economy/figure_form.html", {"form": form, "figure": figure, "creating": False})


@require_POST
def figure_delete(request, pk: int):
    figure = queries.get_figure_for_user(request.user, pk, write=True)
    version = posted_version(request)
    try:
        services.delete_figure(figure=figure, expected_version=version, by=request.user)
    except services.EconomyError as exc:
        messages.error(request, exc.message)
        return redirect("economy:figure_edit", pk=figure.pk)
    messages.success(request, f"已删除：{figure}")
    return redirect("economy:figures")


@require_http_methods(["GET", "POST"])
def targets(request):
    if request.method == "POST":
        queries.require_writer(request.user)
    else:
        queries.require_reader(request.user)
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or _today().year)
    except ValueError:
        year = _today().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度超出范围。")
    region = queries.user_region(request.user)
    regions = list(queries.visible_regions(request.user))
    if request.method == "POST":
        form = forms.TargetsForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                outcome = services.set_targets(year=year, targets=form.targets(), by=request.user)
            except services.EconomyError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{year}年目标增速已保存：新设 {outcome.created} 项，"
                                          f"修改 {outcome.updated} 项，清除 {outcome.cleared} 项。")
                return redirect(f"{request.path}?year={year}")
        else:
            messages.error(request, error_text(form))
    else:
        stored = queries.targets_of(year=year, region=region)
        form = forms.TargetsForm(regions=regions, initial={
            forms.TargetsForm.name_of(region_id, code): growth for (region_id, code), growth in stored.items()})
    return render(request, "economy/targets.html", {
        "form": form, "year": year, "years": range(_today().year + 1, _today().year - 5, -1),
        "indicators": Indicator.choices, "may_write": queries.may_write(request.user),
    })
