"""Monthly reporting pages: decorators → access gate → one service or query call → render or redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.lib.forms import error_text
from tadiao.lib.templatetags.tadiao_format import cndate
from tadiao.projects.queries import get_project_for_user, may_write_project
from tadiao.reporting import forms, queries, services
from tadiao.reporting.models import MonthlyReport, Period, ReportPhoto


def _require_reader(user) -> None:
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看月度填报。")


def _require_coordinator(user) -> None:
    if not user.is_coordinator:
        raise PermissionDenied("该操作需由调度员（重点项目办）完成。")


def _today():
    """The office's today (Asia/Shanghai); tests replace it to close a month on a given day."""
    return timezone.localdate()


def _month_url(period_or_month) -> str:
    month = period_or_month.month if isinstance(period_or_month, Period) else period_or_month
    return f"{month:%Y-%m}"


@require_GET
def report_list(request):
    user = request.user
    _require_reader(user)
    today = _today()
    month = queries.parse_month(request.GET.get("month"), default=today)
    period = queries.period_for_month(month)
    context = {
        "month": month,
        "month_param": _month_url(month),
        "period": period,
        "is_coordinator": user.is_coordinator,
    }
    if user.is_coordinator:
        current = queries.reporting_settings()
        context["settings_form"] = forms.SettingsForm(
            initial={
                "deadline_day": current.deadline_day,
                "time_progress_basis": current.time_progress_basis,
                "photo_max_distance_km": current.photo_max_distance_km,
            }
        )
        context["photo_location_form"] = forms.PhotoLocationForm(initial={"units": queries.photo_location_units()})
    if period is not None:
        status = request.GET.get("status", "")
        owed = queries.owed_reports_for_user(user, period, status=status)
        page = Paginator(owed, 50).get_page(request.GET.get("page"))
        reports = queries.reports_for_period(period, [p.pk for p in page])
        context.update(
            page=page,
            rows=[
                (project, reports.get(project.pk), queries.report_link(user, project, period, reports.get(project.pk)))
                for project in page
            ],
            awaiting_review=queries.awaiting_review_count(user, period) if user.is_coordinator else None,
            status=status,
            statuses=MonthlyReport.Status.choices,
            overdue_units=queries.overdue_units(period, today=today)
            if not user.is_reporter or user.is_coordinator
            else [],
        )
    return render(request, "reporting/report_list.html", context)


@require_POST
def settings_save(request):
    _require_coordinator(request.user)
    form = forms.SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.update_settings(**form.cleaned_data, by=request.user)
            messages.success(request, "填报设置已保存；新的截止日从下一次开启的月份起生效。")
        except services.ReportingError as exc:
            messages.error(request, exc.message)
    return redirect("reporting:list")


@require_POST
def photo_location_save(request):
    _require_coordinator(request.user)
    form = forms.PhotoLocationForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            changed = services.set_photo_location_units(units=list(form.cleaned_data["units"]), by=request.user)
            messages.success(request, f"照片位置设置已保存（{len(changed)} 个单位有变化）。")
        except services.ReportingError as exc:
            messages.error(request, exc.message)
    return redirect("reporting:list")


@require_POST
def period_open(request):
    _require_coordinator(request.user)
    month = queries.parse_month(request.POST.get("month"), default=_today())
    period = services.open_period(month=month, by=request.user)
    messages.success(request, f"已开启{period}填报，截止日期 {cndate(period.deadline)}。")
    return redirect(f"/reporting/?month={_month_url(period)}")


def period_close(request, pk: int):
    """GET: what closing would leave outstanding, by unit, and the confirmation form; POST: close (a reason is
    required when reports are outstanding or the deadline has not passed — the service refuses otherwise)."""
    _require_coordinator(request.user)
    period = get_object_or_404(Period, pk=pk)
    if period.is_closed:
        messages.info(request, f"{period}已关账。")
        return redirect(f"/reporting/?month={_month_url(period)}")
    today = _today()
    form = forms.CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.close_period(period=period, by=request.user, today=today, reason=form.cleaned_data["reason"])
                messages.success(
                    request,
                    f"{period}已关账，数据不再变动；指标快照统计日期为{cndate(period.snapshot.as_of)}。",
                )
                return redirect(f"/reporting/?month={_month_url(period)}")
            except services.ReportingError as exc:
                form.add_error(None, exc.message)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    summary = queries.close_summary(period, today=today)
    return render(
        request,
        "reporting/close_confirm.html",
        {
            "period": period,
            "summary": summary,
            "form": form,
            "month": _month_url(period),
            "statuses": queries.SUMMARY_STATUSES,
        },
    )


@require_POST
def period_reopen(request, pk: int):
    _require_coordinator(request.user)
    period = get_object_or_404(Period, pk=pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.reopen_period(period=period, reason=form.cleaned_data.get("reason", ""), by=request.user)
        messages.success(request, f"{period}已重新开账。")
    except services.ReportingError as exc:
        messages.error(request, exc.message)
    return redirect(f"/reporting/?month={_month_url(period)}")


def report_edit(request, project_pk: int, month: str):
    project = get_project_for_user(request.user, project_pk)
    period = queries.period_for_month(queries.parse_month(month, default=_today()))
    if period is None or month != _month_url(period):
        raise Http404("该月份尚未开启填报。")
    report = queries.report_of(project, period)
    may_write = may_write_project(request.user, project)
    pending_warnings: list[str] = []  # plausibility warnings of the figures just posted, awaiting confirmation
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("您只能查看该月报，不能修改。")
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.save_report(
                    project=project,
                    period=period,
                    data=form.report_data(),
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    confirmed=form.cleaned_data["confirm_warnings"],
                )
                if "submit" in request.POST:
                    services.submit_report(report=report, by=request.user, expected_version=report.version)
                    messages.success(request, "月报已报送，等待重点项目办审核。")
                else:
                    messages.success(request, "月报已保存（草稿）。")
                return redirect("reporting:edit", project_pk=project.pk, month=month)
            except services.ImplausibleFigureError as exc:
                pending_warnings = exc.warnings
                form.add_error(None, exc.message)
            except services.ReportingError as exc:
                form.add_error(None, exc.message)
    elif report is not None:
        form = forms.ReportForm(
            initial={**{f: getattr(report, f) for f in services.REPORT_FIELDS}, "version": report.version}
        )
    else:
        form = forms.ReportForm()
    editable = may_write and not period.is_closed and (report is None or report.status in ("DRAFT", "RETURNED"))
    return render(
        request,
        "reporting/report_form.html",
        {
            "project": project,
            "period": period,
            "report": report,
            "form": form,
            "editable": editable,
            "may_write": may_write,
            "is_coordinator": request.user.is_coordinator,
            "month": month,
            "photo_form": forms.PhotoForm(),
            "gallery": queries.report_gallery(report),
            "keeps_location": queries.keeps_photo_location(project.unit_id),
            "pending_warnings": pending_warnings,
            "confirmed_warnings": report.confirmed_warnings.splitlines() if report else [],
            "photo_limit": queries.size_text(queries.photo_max_bytes()),
            "photo_max_bytes": queries.photo_max_bytes(),
        },
    )


@require_POST
def report_review(request, pk: int):
    _require_coordinator(request.user)
    report = queries.get_report_for_user(request.user, pk, write=True)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    version = form.cleaned_data.get("version") or 0
    try:
        if request.POST.get("decision") == "approve":
            services.approve_report(report=report, by=request.user, expected_version=version, today=_today())
            advance = report.stage_advance
            if advance is not None and advance.skipped:
                messages.warning(request, f"已审核通过：{report.project}。{advance.message}")
            else:
                messages.success(request, f"已审核通过：{report.project}" + (f"。{advance.message}" if advance else ""))
        else:
            services.return_report(
                report=report, reason=form.cleaned_data.get("reason", ""), by=request.user, expected_version=version
            )
            messages.success(request, f"已退回：{report.project}")
    except services.ReportingError as exc:
        messages.error(request, exc.message)
    return redirect("reporting:edit", project_pk=report.project_id, month=_month_url(report.period))


def _wants_json(request) -> bool:
    """The photo form's script (photos.js) sends the file itself, to show a progress bar, and reads the answer."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@require_POST
def photo_upload(request, pk: int):
    report = queries.get_report_for_user(request.user, pk, write=True)
    back = reverse("reporting:edit", kwargs={"project_pk": report.project_id, "month": _month_url(report.period)})
    form = forms.PhotoForm(request.POST, request.FILES)
    error = None
    if not form.is_valid():
        error = error_text(form)
    else:
        try:
            services.add_photo(report=report, upload=form.cleaned_data["photo"], by=request.user, now=timezone.now())
        except services.ReportingError as exc:
            error = exc.message
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "message": error}, status=400)
        messages.success(request, "照片已上传。")
        return JsonResponse({"ok": True, "message": "照片已上传。", "redirect": back})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "照片已上传。")
    return redirect(back)


@require_GET
def photo_file(request, pk: int, variant: str):
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=pk)
    queries.get_report_for_user(request.user, photo.report_id)
    file = photo.thumbnail if variant == "thumb" else photo.image
    return FileResponse(file.open("rb"), content_type="image/jpeg" if variant == "thumb" else None)
