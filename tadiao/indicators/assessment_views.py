"""Quarterly assessment (季度考评) pages: the scores of a quarter with each unit's working, the export, and the
scheme settings. Decorators → access gate → one query or service call → render.

Access: coordinators and leaders see every unit and read the scheme; only a coordinator edits it (403 for
others). A unit reporter (填报员) sees its own unit's score, rank and working only: another unit's working is
404, the scheme settings 403. Other roles get 403."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadiao.indicators import assessment, assessment_forms, assessment_services
from tadiao.indicators.assessment import AssessmentError
from tadiao.indicators.models import AssessmentItem, AssessmentScheme, Snapshot
from tadiao.lib.forms import error_text
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.org.http import AuthedRequest
from tadiao.org.models import Unit, User


def _require_reader(user: User) -> None:
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看季度考评。")


def _sees_all(user: User) -> bool:
    return user.is_coordinator or user.is_leader


def _require_scheme_reader(user: User) -> None:
    if not _sees_all(user):
        raise PermissionDenied("考评方案由调度员配置，领导可查看。")


def _require_coordinator(user: User) -> None:
    if not user.is_coordinator:
        raise PermissionDenied("考评方案需由调度员（重点项目办）配置。")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _quarter(request: HttpRequest) -> tuple[int, int]:
    """The quarter asked for; by default the quarter of the latest snapshot, else the current quarter."""
    year, quarter = _int(request.GET.get("year")), _int(request.GET.get("quarter"))
    if year and 2000 <= year <= 2100 and quarter in (1, 2, 3, 4):
        return year, quarter
    latest = Snapshot.objects.select_related("period").order_by("-period__month").first()
    month = latest.period.month if latest else timezone.localdate()
    return month.year, (month.month - 1) // 3 + 1


def _scheme(request: HttpRequest) -> AssessmentScheme | None:
    pk = _int(request.GET.get("scheme"))
    return AssessmentScheme.objects.filter(pk=pk).first() if pk else None


def _result(request: AuthedRequest) -> assessment.Assessment:
    year, quarter = _quarter(request)
    result = assessment.compute(year=year, quarter=quarter, scheme=_scheme(request))
    if not _sees_all(request.user):
        # A reporter's own unit only; its rank stays its rank among all units.
        result.scores = [s for s in result.scores if s.unit_id == request.user.unit_id]
    return result


def _query(result: assessment.Assessment, request: HttpRequest) -> str:
    query = f"year={result.year}&quarter={result.quarter}"
    if request.GET.get("scheme") and result.scheme:
        query += f"&scheme={result.scheme.pk}"
    return query


@require_GET
def assessment_page(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    result = _result(request)
    today = timezone.localdate()
    return render(
        request,
        "indicators/assessment.html",
        {
            "result": result,
            "query": _query(result, request),
            "sees_all": _sees_all(request.user),
            "unit_count": len(result.scores) if _sees_all(request.user) else None,
            "years": range(today.year + 1, today.year - 5, -1),
            "quarters": assessment.QUARTER_NAMES.items(),
            "schemes": AssessmentScheme.objects.filter(is_active=True),
            "base_count": sum(1 for i in result.items if i.kind == AssessmentItem.Kind.BASE),
        },
    )


@require_GET
def assessment_unit(request: AuthedRequest, unit_id: int) -> HttpResponse:
    """One unit's working: a panel for htmx, a page otherwise."""
    _require_reader(request.user)
    if not _sees_all(request.user) and request.user.unit_id != unit_id:
        raise Http404("没有找到该单位的考评结果。")
    result = _result(request)
    score = next((s for s in result.scores if s.unit_id == unit_id), None)
    if score is None:
        raise Http404("没有找到该单位的考评结果。")
    context = {"result": result, "score": score, "query": _query(result, request)}
    if getattr(request, "htmx", False):
        return render(request, "indicators/assessment_working.html", context)
    return render(request, "indicators/assessment_unit.html", context)


@require_GET
def assessment_export(request: AuthedRequest) -> HttpResponse:
    _require_reader(request.user)
    result = _result(request)
    if result.snapshot is None or result.scheme is None:
        messages.error(request, f"{result.label}尚无可导出的考评结果。")
        return redirect(f"{reverse('indicators:assessment')}?{_query(result, request)}")
    headers = ["名次", "单位", *[f"{i.name}（{i.weight.normalize():f}分）" for i in result.items]]
    headers += ["基础分", "加分", "扣分", "总分", "约谈"]
    body = [
        [
            s.rank,
            s.name,
            *[i.score for i in s.items],
            s.base,
            s.bonus,
            s.deduction,
            s.total,
            "是" if s.interview else "",
        ]
        for s in result.scores
    ]
    source = f"依据{result.snapshot.period}快照{'（季末月份尚未关账，暂按此月计算）' if result.provisional else ''}"
    scores = XlsxSheet(
        "季度考评",
        headers,
        body,
        widths=[6, 18, *[12] * len(result.items), 10, 8, 8, 10, 6],
        preamble=[[f"{result.label}考评结果（{result.scheme}）"], [f"{source}；排序规则：{result.tie_rule}。"]],
    )
    working = XlsxSheet(
        "计分过程",
        ["单位", "考评项目", "得分", "计分过程"],
        [[s.name, i.name, i.score, "\n".join(i.working)] for s in result.scores for i in s.items],
        widths=[18, 12, 8, 100],
    )
    filename = f"季度考评_{result.year}Q{result.quarter}.xlsx"
    return xlsx_response(filename, [scores, working])


def _settings_context(
    request: AuthedRequest,
    scheme: AssessmentScheme | None,
    *,
    scheme_form: assessment_forms.SchemeForm | None = None,
    formset: assessment_forms.BaseItemFormSet | None = None,
) -> dict[str, Any]:
    names = assessment.rate_names()
    return {
        "scheme": scheme,
        "schemes": AssessmentScheme.objects.all(),
        "rules": [
            (i, assessment.describe_rule(i.rule, kind=i.kind, weight=i.weight, rate_names=names))
            for i in (scheme.items.all() if scheme else [])
        ],
        "scheme_form": scheme_form
        or (
            assessment_forms.SchemeForm(
                initial={
                    "version": scheme.version,
                    "name": scheme.name,
                    "year": scheme.year,
                    "bottom_n": scheme.bottom_n,
                    "unit_kinds": scheme.unit_kinds,
                    "description": scheme.description,
                    "is_active": scheme.is_active,
                }
            )
            if scheme
            else None
        ),
        "formset": formset
        or (
            assessment_forms.ItemFormSet(initial=assessment_forms.initial_items(scheme), prefix="items")
            if scheme
            else None
        ),
        "copy_form": assessment_forms.CopyForm(),
        "is_coordinator": request.user.is_coordinator,
        "measures": assessment.measure_choices(names),
        "kind_labels": dict(Unit.Kind.choices),
    }


@require_http_methods(["GET", "POST"])
def assessment_settings(request: AuthedRequest) -> HttpResponse:
    """The scheme chosen by ?scheme= (default: the first active one); a coordinator saves it by POST."""
    if request.method == "POST":
        _require_coordinator(request.user)
    else:
        _require_scheme_reader(request.user)
    pk = _int(request.GET.get("scheme"))
    schemes = AssessmentScheme.objects.all()
    scheme = get_object_or_404(schemes, pk=pk) if pk else schemes.first()
    if request.method == "GET" or scheme is None:
        return render(request, "indicators/assessment_settings.html", _settings_context(request, scheme))
    scheme_form = assessment_forms.SchemeForm(request.POST)
    formset = assessment_forms.ItemFormSet(request.POST, prefix="items")
    if not scheme_form.is_valid() or not formset.is_valid():
        errors = [error_text(scheme_form)] if scheme_form.errors else []
        errors += [f"第{n}行：{error_text(f)}" for n, f in enumerate(formset.forms, start=1) if f.errors]
        errors += [str(e) for e in formset.non_form_errors()]
        messages.error(request, "；".join(errors))
    else:
        try:
            assessment_services.save_scheme(
                scheme=scheme, **scheme_form.cleaned_data, items=formset.items(), by=request.user
            )
            messages.success(request, f"已保存考评方案：{scheme_form.cleaned_data['name']}")
            return redirect(f"{reverse('indicators:assessment_settings')}?scheme={scheme.pk}")
        except AssessmentError as exc:
            messages.error(request, exc.message)
    context = _settings_context(request, scheme, scheme_form=scheme_form, formset=formset)
    return render(request, "indicators/assessment_settings.html", context, status=400)


@require_POST
def assessment_scheme_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_coordinator(request.user)
    scheme = get_object_or_404(AssessmentScheme, pk=pk)
    form = assessment_forms.CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(f"{reverse('indicators:assessment_settings')}?scheme={scheme.pk}")
    try:
        copy = assessment_services.copy_scheme(scheme=scheme, **form.cleaned_data, by=request.user)
    except AssessmentError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('indicators:assessment_settings')}?scheme={scheme.pk}")
    messages.success(request, f"已复制为新方案“{copy.name}”（未启用），请调整后启用。")
    return redirect(f"{reverse('indicators:assessment_settings')}?scheme={copy.pk}")
