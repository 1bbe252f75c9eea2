"""Project registry pages: decorators → access gate → one service or query call → render or redirect."""

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.lib.forms import error_text
from tadiao.lib.numbers import percent_value
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.org.http import AuthedRequest
from tadiao.org.models import User
from tadiao.projects import batch_services, exports, extensions, forms, queries, services
from tadiao.projects.models import (
    ApprovalKind,
    Batch,
    BatchEntry,
    BondApplication,
    BondBatch,
    FundingSource,
    Project,
    ProjectApproval,
    Stage,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _today() -> datetime.date:
    return timezone.localdate()


def _require_project_reader(user: User) -> None:
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看项目台账。")


def _require_coordinator(user: User, message: str) -> None:
    """Batches and bond batches are the office's (调度员) to keep; everyone else who may read them gets 403."""
    if not user.is_coordinator:
        raise PermissionDenied(message)


BATCH_READ_ONLY = "“三个一批”由调度员（重点项目办）维护，您只能查看。"
BOND_BATCH_READ_ONLY = "专项债批次由调度员（重点项目办）创建，您只能查看。"


@require_GET
def project_list(request: AuthedRequest) -> HttpResponse:
    _require_project_reader(request.user)
    filters = queries.ProjectFilters.from_query(request.GET)
    plan_year = filters.year or _today().year
    page = page_of(request, queries.project_rows(request.user, filters, plan_year=plan_year))
    page.object_list = list(page.object_list)
    extensions.light_rows(page.object_list, as_of=_today())
    return render(
        request,
        "projects/project_list.html",
        {
            "page": page,
            "filters": filters,
            "choices": queries.filter_choices(request.user),
            "plan_year": plan_year,
            "query": query_without_page(request),
            "page_sizes": PAGE_SIZES,
            "may_create": queries.may_create_projects(request.user),
        },
    )


@require_GET
def project_export(request: AuthedRequest) -> HttpResponse:
    _require_project_reader(request.user)
    filters = queries.ProjectFilters.from_query(request.GET)
    plan_year = filters.year or _today().year
    return exports.project_ledger_response(
        queries.project_rows(request.user, filters, plan_year=plan_year), plan_year=plan_year, today=_today()
    )


@require_GET
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk)
    may_write = queries.may_write_project(request.user, project)
    light, light_reasons = extensions.light_of(project, as_of=_today())
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "may_write": may_write,
            "light": light,
            "light_reasons": light_reasons,
            "is_coordinator": request.user.is_coordinator,
            "timeline": queries.stage_timeline(project),
            "transitions": project.transitions.select_related("by"),
            "approvals": queries.approvals_checklist(project),
            "plans": project.annual_plans.all(),
            "fundings": project.fundings.all(),
            "tags": [t.name for t in project.tags.all()] + project.derived_tags,
            "advance_form": forms.AdvanceStageForm(project=project, initial={"actual_date": _today()}),
            "earlier_stages": Stage.choices[: Stage.values.index(project.stage)],
            "approval_statuses": ProjectApproval.Status.choices,
            "funding_sources": FundingSource.choices,
            "plan_form": forms.AnnualPlanForm(initial={"year": _today().year}),
        },
    )


def project_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not queries.may_create_projects(user):
        raise PermissionDenied("您的角色不能新增项目。")
    units = queries.units_for_project_form(user)
    form = forms.NewProjectForm(
        request.POST or None, units=units, initial={"unit": user.unit_id}, coordinator=user.is_coordinator
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                data=form.project_data(),
                tags=list(form.cleaned_data["tags"]),
                stage=form.cleaned_data["stage"],
                actual_dates=form.actual_dates(),
                by=user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.ProjectError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新增项目：{project.name}")
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", _form_context(form, creating=True))


def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    units = queries.units_for_project_form(request.user)
    if request.method == "POST":
        form = forms.EditProjectForm(request.POST, instance=project, units=units)
        if form.is_valid():
            try:
                services.update_project(
                    project=project,
                    data=form.project_data(),
                    tags=list(form.cleaned_data["tags"]),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except services.ProjectError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "项目信息已保存。")
                return redirect("projects:detail", pk=project.pk)
    else:
        form = forms.EditProjectForm(instance=project, units=units, initial={"version": project.version})
    return render(request, "projects/project_form.html", _form_context(form, creating=False, project=project))


def _form_context(form: forms.ProjectForm, *, creating: bool, project: Project | None = None) -> dict[str, Any]:
    """The project form page: the form, and the location picker's map (None when the map app is not loaded)."""
    return {
        "form": form,
        "creating": creating,
        "project": project,
        "picker": extensions.picker_map(),
        "location_names": forms.LOCATION_FIELDS,
    }


def _done(request: HttpRequest, project: Project, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("projects:detail", pk=project.pk)


def _refused(request: HttpRequest, project: Project, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("projects:detail", pk=project.pk)


@require_POST
def project_advance(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    form = forms.AdvanceStageForm(request.POST, project=project)
    if not form.is_valid():
        return _refused(request, project, "请选择要推进到的阶段并填写正确的实际日期。")
    try:
        services.advance_stage(
            project=project,
            stage=form.cleaned_data["stage"],
            actual_date=form.cleaned_data["actual_date"],
            by=request.user,
            today=_today(),
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"] if request.user.is_coordinator else "",
        )
    except services.ProjectError as exc:
        return _refused(request, project, exc.message)
    return _done(request, project, f"项目已推进到{project.get_stage_display()}阶段。")


@require_POST
def project_change_status(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    form = forms.FlagForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, "操作参数不正确。")
    data = form.cleaned_data
    try:
        if data["action"] == "rollback":
            services.roll_back_stage(
                project=project,
                stage=data["stage"],
                reason=data["reason"],
                by=request.user,
                expected_version=data["version"],
            )
        else:
            services.change_flag(
                project=project,
                action=data["action"],
                reason=data["reason"],
                by=request.user,
                expected_version=data["version"],
            )
    except services.ProjectError as exc:
        return _refused(request, project, exc.message)
    return _done(request, project, "操作已完成。")


@require_POST
def approval_save(request: AuthedRequest, pk: int, kind_id: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    kind = get_object_or_404(ApprovalKind, pk=kind_id)
    form = forms.ApprovalForm(_with(request.POST, kind=kind.pk))
    if not form.is_valid():
        return _refused(request, project, "前期手续填写有误：" + error_text(form))
    try:
        services.save_approval(
            project=project, **{k: v for k, v in form.cleaned_data.items() if k != "kind"}, kind=kind, by=request.user
        )
    except services.ProjectError as exc:
        return _refused(request, project, exc.message)
    return _done(request, project, f"已保存前期手续：{kind.name}")


@require_POST
def annual_plan_save(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    form = forms.AnnualPlanForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, "年度计划填写有误：" + error_text(form))
    services.save_annual_plan(project=project, **form.cleaned_data, by=request.user)
    for warning in extensions.plan_warnings(
        project=project, year=form.cleaned_data["year"], planned_investment=form.cleaned_data["planned_investment"]
    ):
        messages.warning(request, f"年度计划已保存，但请核对：{warning}")
    return _done(request, project, f"已保存{form.cleaned_data['year']}年度计划。")


@require_POST
def funding_save(request: AuthedRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for_user(request.user, pk, write=True)
    form = forms.FundingForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, "资金来源填写有误：" + error_text(form))
    try:
        services.save_funding(project=project, **form.cleaned_data, by=request.user)
    except services.ProjectError as exc:
        return _refused(request, project, exc.message)
    return _done(request, project, "已保存资金来源。")


def approval_kinds(request: AuthedRequest) -> HttpResponse:
    """The approvals checklist's items and which of them must be done before 开工: the office sets this."""
    _require_project_reader(request.user)
    kinds = list(ApprovalKind.objects.all())
    if request.method == "POST":
        _require_coordinator(request.user, "开工前须办结的前期手续由调度员（重点项目办）设置，您只能查看。")
        chosen = set(request.POST.getlist("required_before_start"))
        services.set_required_before_start(
            required=[kind for kind in kinds if str(kind.pk) in chosen], by=request.user
        )
        messages.success(request, "已保存开工前须办结的前期手续。")
        return redirect("projects:approval_kinds")
    return render(
        request,
        "projects/approval_kinds.html",
        {"kinds": kinds, "is_coordinator": request.user.is_coordinator},
    )


def _with(data: QueryDict, **extra: object) -> QueryDict:
    merged = data.copy()
    for key, value in extra.items():
        merged[key] = str(value)
    return merged


# ---------------------------------------------------------------------------------------------------
# "三个一批" batches


def _number(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


@require_GET
def batch_list(request: AuthedRequest) -> HttpResponse:
    _require_project_reader(request.user)
    page = queries.batch_page(request.user, low=_number(request, "from"), high=_number(request, "to"), as_of=_today())
    return render(
        request,
        "projects/batch_list.html",
        {
            "batches": page.batches,
            "low": page.low,
            "high": page.high,
            "statistics": page.statistics,
            "totals": page.totals,
            "cancelled": page.cancelled,
            "campaign_rates": page.campaign_rates,
            "is_coordinator": request.user.is_coordinator,
            "batch_form": forms.BatchForm(),
        },
    )


@require_POST
def batch_create(request: AuthedRequest) -> HttpResponse:
    _require_coordinator(request.user, BATCH_READ_ONLY)
    form = forms.BatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            batch = batch_services.create_batch(**form.cleaned_data, by=request.user)
            messages.success(request, f"已创建{batch}。")
        except services.ProjectError as exc:
            messages.error(request, exc.message)
    return redirect("projects:batches")


@require_GET
def batch_detail(request: AuthedRequest, number: int) -> HttpResponse:
    _require_project_reader(request.user)
    batch = get_object_or_404(Batch, number=number)
    entries = queries.batch_entries(request.user, batch)
    return render(
        request,
        "projects/batch_detail.html",
        {
            "batch": batch,
            "entries": entries,
            "kinds": BatchEntry.Kind.choices,
            "is_coordinator": request.user.is_coordinator,
        },
    )


@require_POST
def batch_entry_add(request: AuthedRequest, number: int) -> HttpResponse:
    batch = get_object_or_404(Batch, number=number)
    _require_coordinator(request.user, BATCH_READ_ONLY)
    try:
        project = queries.find_project_for_user(request.user, request.POST.get("project", ""))
        batch_services.add_batch_entry(batch=batch, project=project, kind=request.POST.get("kind", ""), by=request.user)
        messages.success(request, f"已将{project.name}列入{batch}。")
    except ValueError as exc:
        messages.error(request, str(exc))
    except services.ProjectError as exc:
        messages.error(request, exc.message)
    return redirect("projects:batch_detail", number=number)


@require_POST
def batch_entry_remove(request: AuthedRequest, number: int, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(BatchEntry.objects.select_related("batch", "project"), pk=entry_id, batch__number=number)
    queries.get_project_for_user(request.user, entry.project_id)  # 404 outside the user's scope, before the 403
    _require_coordinator(request.user, BATCH_READ_ONLY)
    try:
        batch_services.remove_batch_entry(entry=entry, by=request.user)
        messages.success(request, "已移出。")
    except services.ProjectError as exc:
        messages.error(request, exc.message)
    return redirect("projects:batch_detail", number=number)


# ---------------------------------------------------------------------------------------------------
# Special-purpose bonds (专项债)


def _bond_rows(
    request: AuthedRequest,
) -> tuple["QuerySet[WithAnnotations[BondApplication, queries.BondFlags]]", datetime.date]:
    as_of = _today()
    rows = queries.bond_rows(
        request.user, batch_id=_number(request, "batch"), unit_id=_number(request, "unit"), as_of=as_of
    )
    return rows, as_of


@require_GET
def bond_list(request: AuthedRequest) -> HttpResponse:
    _require_project_reader(request.user)
    rows, as_of = _bond_rows(request)
    return render(
        request,
        "projects/bond_list.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "totals": queries.bond_totals(rows),
            "batches": BondBatch.objects.all(),
            "units": queries.unit_choices(request.user),
            "batch_id": request.GET.get("batch", ""),
            "unit_id": request.GET.get("unit", ""),
            "query": request.GET.urlencode(),
            "is_coordinator": request.user.is_coordinator,
            "may_edit": request.user.is_coordinator or request.user.is_reporter,
            "batch_form": forms.BondBatchForm(initial={"year": as_of.year}),
            "form": forms.BondApplicationForm(),
        },
    )


@require_GET
def bond_export(request: AuthedRequest) -> HttpResponse:
    _require_project_reader(request.user)
    rows, as_of = _bond_rows(request)
    body = (
        [
            n,
            r.batch.name,
            r.project.name,
            r.project.unit.name,
            r.requested,
            r.issued,
            r.issued_date,
            r.spent,
            percent_value(r.spent, r.issued),
            "是" if r.unspent_six_months else "",
        ]
        for n, r in enumerate(rows.iterator(chunk_size=2000), start=1)
    )
    sheet = XlsxSheet(
        "专项债",
        [
            "序号",
            "批次",
            "项目名称",
            "责任单位",
            "申报金额（万元）",
            "下达额度（万元）",
            "下达日期",
            "已支出（万元）",
            "支出率（%）",
            "下达满6个月未支出",
        ],
        body,
        widths=[6, 16, 36, 16, 14, 14, 12, 14, 10, 16],
    )
    return xlsx_response(f"专项债_{as_of:%Y%m%d}.xlsx", [sheet], large=True)


@require_POST
def bond_batch_create(request: AuthedRequest) -> HttpResponse:
    _require_coordinator(request.user, BOND_BATCH_READ_ONLY)
    form = forms.BondBatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            batch_services.create_bond_batch(**form.cleaned_data, by=request.user)
            messages.success(request, f"已创建专项债批次：{form.cleaned_data['name']}")
        except services.ProjectError as exc:
            messages.error(request, exc.message)
    return redirect("projects:bonds")


@require_POST
def bond_save(request: AuthedRequest) -> HttpResponse:
    form = forms.BondApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("projects:bonds")
    data = dict(form.cleaned_data)
    try:
        found = queries.find_project_for_user(request.user, data.pop("project"))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("projects:bonds")
    project = queries.get_project_for_user(request.user, found.pk, write=True)
    try:
        batch_services.save_bond_application(project=project, **data, by=request.user)
        messages.success(request, f"已保存专项债：{project.name}")
    except services.ProjectError as exc:
        messages.error(request, exc.message)
    return redirect("projects:bonds")
