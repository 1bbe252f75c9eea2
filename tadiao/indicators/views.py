"""Indicator pages: the overview for a scope, the warnings list (exportable), unit rankings, rate definitions
and targets. Decorators → access gate → query calls → render."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadiao.indicators import events, forms, params, queries, rankings, services, snapshots, target_services, warnings
from tadiao.indicators.models import RateDefinition, Target, WarningRule
from tadiao.indicators.targets import MEASURE_NOTES
from tadiao.lib.forms import error_text, posted_version
from tadiao.lib.paging import Counted, query_without_page
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.org.http import AuthedRequest
from tadiao.org.models import User
from tadiao.projects.models import Level, Project, Stage
from tadiao.projects.queries import visible_projects


def _require_reader(user: User) -> None:
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看指标。")


def scoped_projects(request: AuthedRequest) -> QuerySet[Project]:
    return params.scoped_projects(request.user, params.scope_from(request))


@require_GET
def overview(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    as_of = params.as_of_from(request)
    scope = params.scope_from(request)
    page = snapshots.overview(request.user, scope, as_of, compare_to=request.GET.get("compare"))
    period_events = dict(page.result.events)
    if since := events.parse_since(request.GET.get("events_since"), as_of=as_of):
        # 自某日以来: one more aggregate query, only when asked for.
        (period_events["since"],) = events.count_events(
            params.scoped_projects(request.user, scope), as_of=as_of, periods=[events.since(since, as_of)]
        )
    return render(
        request,
        "indicators/overview.html",
        {
            "result": page.result,
            "rows": page.rows,
            "earlier": page.earlier,
            "comparison": page.comparison,
            "not_compared": page.not_compared,
            "snapshot_choices": queries.closed_snapshots(),
            "changes": page.changes,
            "as_of": as_of,
            "scope": scope,
            "choices": params.scope_choices(request.user),
            "stage_counts": [(code, label, page.result.counts_by_stage[code]) for code, label in Stage.choices],
            "events": period_events,
            "events_since": since,
            "event_labels": events.EVENT_LABELS,
        },
    )


def _warning_rows(request: AuthedRequest, as_of: datetime.date) -> tuple["warnings.LitProjects", list[WarningRule]]:
    return warnings.warned_of_light(scoped_projects(request), as_of=as_of, light=request.GET.get("light", ""))


@require_GET
def warning_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    as_of = params.as_of_from(request)
    projects, rules = _warning_rows(request, as_of)
    totals = warnings.light_totals(scoped_projects(request), as_of=as_of, rules=rules)
    # The totals give the list's length: no second lighting of every project to count them.
    light = request.GET.get("light", "")
    known = totals[light] if light in ("red", "yellow") else totals["red"] + totals["yellow"]
    page: Page[Any] = Paginator(Counted(projects, known), 50).get_page(request.GET.get("page"))
    rows = [(p, warnings.explain(p, as_of=as_of, rules=rules)) for p in page]
    return render(
        request,
        "indicators/warnings.html",
        {
            "page": page,
            "rows": rows,
            "totals": totals,
            "as_of": as_of,
            "light": request.GET.get("light", ""),
            "scope": params.scope_from(request),
            "choices": params.scope_choices(request.user),
            "query": query_without_page(request),
            "labels": warnings.LIGHT_LABELS,
        },
    )


@require_GET
def warning_export(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    as_of = params.as_of_from(request)
    projects, rules = _warning_rows(request, as_of)
    body = (
        [
            n,
            p.unit.name,
            p.name,
            warnings.LIGHT_LABELS[p.light],
            "；".join(t for _, _, t in warnings.explain(p, as_of=as_of, rules=rules)),
        ]
        for n, p in enumerate(projects.iterator(chunk_size=2000), start=1)
    )
    sheet = XlsxSheet(
        "预警项目",
        ["序号", "责任单位", "项目名称", "预警", "原因"],
        body,
        widths=[6, 16, 40, 8, 80],
        preamble=[[f"预警项目清单（统计日期 {as_of:%Y-%m-%d}）"]],
    )
    return xlsx_response(f"预警项目_{as_of:%Y%m%d}.xlsx", [sheet], large=True)


@require_GET
def ranking_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    as_of = params.as_of_from(request)
    result = rankings.units_ranked(scoped_projects(request), as_of=as_of)
    return render(
        request,
        "indicators/rankings.html",
        {
            "rankings": result,
            "as_of": as_of,
            "scope": params.scope_from(request),
            "choices": params.scope_choices(request.user),
        },
    )


def _require_coordinator(user: User) -> None:
    if not user.is_coordinator:
        raise PermissionDenied("指标口径与目标需由调度员（重点项目办）配置。")


def _settings_context(
    request: AuthedRequest, *, rate_form: forms.RateDefinitionForm | None = None, preview: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "definitions": RateDefinition.objects.all(),
        "targets": Target.objects.select_related("rate", "unit", "region"),
        "rules": WarningRule.objects.all(),
        "rate_form": rate_form or forms.RateDefinitionForm(),
        "preview": preview,
        "target_form": forms.target_form_for(request.user),
        "measure_notes": MEASURE_NOTES,
        "is_coordinator": request.user.is_coordinator,
        "levels": Level.choices,
    }


@require_GET
def settings_page(request: AuthedRequest) -> HttpResponse:
    """Rate definitions, targets and warning rules; a coordinator adds local definitions and targets here."""
    _require_reader(request.user)
    return render(request, "indicators/settings.html", _settings_context(request))


def _preview(request: AuthedRequest, form: forms.RateDefinitionForm) -> dict[str, Any]:
    """The rate the form describes over the user's whole region today, computed without saving anything."""
    as_of = timezone.localdate()
    data = form.cleaned_data
    result = queries.preview_rate(
        visible_projects(request.user),
        measure=data["measure"],
        numerator=data["numerator"],
        denominator=data["denominator"],
        as_of=as_of,
    )
    text = RateDefinition(measure=data["measure"], numerator=data["numerator"], denominator=data["denominator"])
    return {"result": result, "as_of": as_of, "conditions": text.conditions_text()}


@require_POST
def definition_create(request: AuthedRequest) -> HttpResponse:
    """Save a new rate, or (the 预览 button) show its current value and keep the form as filled in."""
    _require_coordinator(request.user)
    form = forms.RateDefinitionForm(request.POST)
    previewing = request.POST.get("action") == "preview"
    if form.is_valid():
        if previewing:
            context = _settings_context(request, rate_form=form, preview=_preview(request, form))
            return render(request, "indicators/settings.html", context)
        try:
            services.create_rate_definition(**form.values(), by=request.user)
        except services.IndicatorConfigError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新增比率：{form.cleaned_data['name']}")
            return redirect("indicators:settings")
    return render(request, "indicators/settings.html", _settings_context(request, rate_form=form))


@require_http_methods(["GET", "POST"])
def definition_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_coordinator(request.user)
    definition = get_object_or_404(RateDefinition, pk=pk)
    form = forms.RateDefinitionForm(request.POST or None, definition=definition)
    preview = None
    if request.method == "POST":
        if form.is_valid():
            if request.POST.get("action") == "preview":
                preview = _preview(request, form)
            else:
                try:
                    services.update_rate_definition(
                        definition=definition,
                        **form.values(),
                        expected_version=posted_version(request),
                        by=request.user,
                    )
                except services.IndicatorConfigError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, f"已保存比率：{definition.name}")
                    return redirect("indicators:settings")
    context = {"definition": definition, "rate_form": form, "preview": preview}
    return render(request, "indicators/definition_edit.html", context)


@require_POST
def target_save(request: AuthedRequest) -> HttpResponse:
    """A rate, count or amount target (the same service as `tadiao set_target`)."""
    _require_coordinator(request.user)
    form = forms.target_form_for(request.user, request.POST)
    if form.is_valid():
        try:
            target_services.set_target(**form.cleaned_data, by=request.user)
            messages.success(request, "目标已保存。")
        except target_services.TargetError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, error_text(form))
    return redirect("indicators:settings")


@require_POST
def warning_rule_save(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_coordinator(request.user)
    rule = get_object_or_404(WarningRule, pk=pk)
    form = forms.WarningRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("indicators:settings")
    try:
        services.update_warning_rule(rule=rule, **form.cleaned_data, by=request.user)
        messages.success(request, f"已保存预警规则：{rule.name}")
    except services.IndicatorConfigError as exc:
        messages.error(request, exc.message)
    return redirect("indicators:settings")
