"""周调度 pages: decorators → access gate → one service or query call → render or redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadiao.coordination import queries as coordination
from tadiao.lib.forms import error_text, posted_version
from tadiao.lib.paging import page_of
from tadiao.lib.xlsx import xlsx_response
from tadiao.projects.queries import may_write_project
from tadiao.weekly import exports, forms, queries, services
from tadiao.weekly.models import ScopeEntry, WeeklyReport
from tadiao.weekly.weeks import Week, WeekError


def _today():
    return timezone.localdate()


def _week(request) -> Week:
    """?week=2026-W49, else the current week (a bad value is said, not an error page)."""
    today = _today()
    raw = (request.GET.get("week") or "").strip()
    if raw:
        try:
            return Week.parse(raw)
        except WeekError as exc:
            messages.warning(request, f"{exc}；已显示本周。")
    return Week.of(today)


def _url_week(value: str) -> Week:
    try:
        return Week.parse(value)
    except WeekError as exc:
        raise Http404(str(exc)) from exc


@require_GET
def week_list(request):
    user = request.user
    queries.require_reader(user)
    week = _week(request)
    status = request.GET.get("status", "")
    config = queries.weekly_settings()
    page = page_of(request, queries.week_rows(user, week, status=status, config=config))
    reports = queries.reports_of(week, [p.pk for p in page])
    return render(
        request,
        "weekly/week_list.html",
        {
            "week": week,
            "this_week": Week.of(_today()),
            "deadline": queries.deadline_for(week, config),
            "page": page,
            "rows": [(project, reports.get(project.pk)) for project in page],
            "status": status,
            "statuses": WeeklyReport.Status.choices,
            "is_coordinator": user.is_coordinator,
            "is_reporter_only": user.is_reporter and not (user.is_coordinator or user.is_leader),
        },
    )


@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int, week: str):
    user = request.user
    queries.require_reader(user)
    week = _url_week(week)
    config = queries.weekly_settings()
    project = queries.get_week_project_for_user(user, pk, week, write=request.method == "POST", config=config)
    report = queries.report_for(project, week)
    today = _today()
    units = coordination.lead_unit_choices(user)
    if request.method == "POST":
        form = forms.ReportForm(request.POST, units=units)
        if form.is_valid():
            try:
                report = services.save_report(
                    project=project, week=week, data=form.report_data(), problem=form.problem_data(), by=user,
                    today=today, expected_version=form.cleaned_data["version"],
                )
                if "submit" in request.POST:
                    services.submit_report(report=report, by=user, today=today, expected_version=report.version)
                    messages.success(request, "周报已报送重点项目办。")
                else:
                    messages.success(request, "周报已保存（草稿）。")
                return redirect("weekly:report", pk=project.pk, week=week.param)
            except services.WeeklyError as exc:
                form.add_error(None, exc.message)
    elif report is not None:
        form = forms.ReportForm(
            initial={**{f: getattr(report, f) for f in services.REPORT_FIELDS}, "version": report.version}, units=units
        )
    else:
        form = forms.ReportForm(units=units)
    may_write = may_write_project(user, project)
    return render(
        request,
        "weekly/report_form.html",
        {
            "project": project,
            "week": week,
            "deadline": queries.deadline_for(week, config),
            "report": report,
            "form": form,
            "problems": queries.report_problems(report),
            "may_write": may_write,
            "editable": queries.report_editable(user, project, week, report, today=today),
            "is_coordinator": user.is_coordinator,
        },
    )


@require_POST
def report_return(request, pk: int):
    queries.require_office(request.user)
    report = queries.get_report_for_user(request.user, pk, write=True)
    form = forms.ReturnForm(request.POST)
    form.is_valid()
    try:
        services.return_report(
            report=report, reason=form.cleaned_data.get("reason", ""), by=request.user,
            expected_version=posted_version(request),
        )
        messages.success(request, f"已退回：{report.project}")
    except services.WeeklyError as exc:
        messages.error(request, exc.message)
    return redirect("weekly:report", pk=report.project_id, week=Week(report.week_start).param)


@require_GET
def project_timeline(request, pk: int):
    user = request.user
    queries.require_reader(user)
    project = queries.get_project_for_user(user, pk)
    this_week = Week.of(_today())
    return render(
        request,
        "weekly/timeline.html",
        {"project": project, "rows": queries.timeline(project, last=this_week), "this_week": this_week,
         "weeks_back": queries.TIMELINE_WEEKS},
    )


def _sheet(request) -> queries.Sheet:
    queries.require_reader(request.user)
    return queries.weekly_sheet(week=_week(request), today=_today(), user=request.user)


@require_GET
def sheet(request):
    return render(request, "weekly/sheet.html", {"sheet": _sheet(request)})


@require_GET
def sheet_xlsx(request):
    data = _sheet(request)
    return xlsx_response(exports.filename(data, "xlsx"), exports.sheets(data))


@require_GET
def sheet_docx(request):
    data = _sheet(request)
    response = HttpResponse(exports.docx_bytes(data), content_type=exports.DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, exports.filename(data, "docx"))
    return response


@require_GET
def missed(request):
    user = request.user
    queries.require_reader(user)
    week = _week(request)
    today = _today()
    config = queries.weekly_settings()
    deadline = queries.deadline_for(week, config)
    return render(
        request,
        "weekly/missed.html",
        {
            "week": week,
            "deadline": deadline,
            "passed": today > deadline,
            "units": queries.missed_units(week, deadline=deadline, today=today, user=user, config=config),
        },
    )


@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    if not (user.is_coordinator or user.is_leader):
        raise PermissionDenied("周调度范围由重点项目办设置。")
    config = queries.weekly_settings()
    if request.method == "POST":
        queries.require_office(user)
        form = forms.SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_settings(
                    levels=form.cleaned_data["levels"], with_leader=form.cleaned_data["with_leader"],
                    tags=list(form.cleaned_data["tags"]), deadline_weekday=form.cleaned_data["deadline_weekday"],
                    by=user, expected_version=form.cleaned_data["version"] or 0,
                )
                messages.success(request, "周调度范围已保存。")
                return redirect("weekly:settings")
            except services.WeeklyError as exc:
                form.add_error(None, exc.message)
    else:
        form = forms.SettingsForm(
            initial={
                "levels": config.levels,
                "with_leader": config.with_leader,
                "tags": list(config.tags.all()),
                "deadline_weekday": config.deadline_weekday,
                "version": config.version,
            }
        )
    return render(
        request,
        "weekly/settings.html",
        {
            "form": form,
            "exception_form": forms.ExceptionForm(projects=queries.exception_choices(user)),
            "entries": page_of(request, queries.scope_entries(user)),
            "scheduled_count": queries.weekly_projects(user=user, config=config).count(),
            "is_coordinator": user.is_coordinator,
        },
    )


@require_POST
def exception_add(request):
    user = request.user
    queries.require_office(user)
    form = forms.ExceptionForm(request.POST, projects=queries.exception_choices(user))
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            entry = services.set_exception(
                project=form.cleaned_data["project"], kind=form.cleaned_data["kind"], note=form.cleaned_data["note"],
                by=user, now=timezone.now(),
            )
            messages.success(request, f"{entry.get_kind_display()}：{entry.project}")
        except services.WeeklyError as exc:
            messages.error(request, exc.message)
    return redirect("weekly:settings")


@require_POST
def exception_remove(request, pk: int):
    user = request.user
    queries.require_office(user)
    entry = get_object_or_404(ScopeEntry.objects.select_related("project"), pk=pk)
    queries.get_project_for_user(user, entry.project_id, write=True)
    services.remove_exception(entry=entry, by=user)
    messages.success(request, f"已取消例外：{entry.project}")
    return redirect("weekly:settings")
