"""问题协调与督办 pages: decorators → access gate → one service or query call → render or redirect."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.coordination import forms, minutes, queries, services
from tadiao.coordination.models import Attachment, Category, Level, Meeting, Problem, Status, WorkdayAdjustment
from tadiao.lib.dates import parse_date
from tadiao.lib.forms import error_text
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.projects.queries import get_project_for_user


def _today() -> datetime.date:
    return timezone.localdate()


def _list_context(request, filters, rows, **extra) -> dict:
    return {
        "page": page_of(request, rows),
        "filters": filters,
        "units": queries.lead_unit_choices(request.user),
        "statuses": Status.choices,
        "states": list(queries.STATE_FILTERS.items()),
        "categories": Category.choices,
        "levels": Level.choices,
        "sorts": list(queries.SORT_LABELS.items()),
        "query": query_without_page(request),
        "page_sizes": PAGE_SIZES,
        "today": _today(),
        **extra,
    }


LIST_HEADERS = [
    "序号",
    "类型",
    "标题",
    "项目",
    "类别",
    "提出单位",
    "提出日期",
    "牵头单位",
    "配合单位",
    "办结时限",
    "初始办结时限",
    "层级",
    "状态",
    "超期",
]


def _export(filename: str, title: str, rows, today: datetime.date):
    lines = (
        [
            n,
            p.get_kind_display(),
            p.title,
            p.project.name if p.project else "",
            p.get_category_display(),
            p.raised_by_unit.name,
            p.raised_date,
            p.lead_unit.name,
            "、".join(u.name for u in p.helping_units.all()),
            p.deadline,
            p.first_deadline,
            p.get_level_display(),
            p.get_status_display(),
            "是" if p.is_overdue(today) else "",
        ]
        for n, p in enumerate(rows, start=1)
    )
    sheet = XlsxSheet(title, LIST_HEADERS, lines, widths=[6, 8, 30, 24, 10, 14, 12, 14, 20, 12, 12, 18, 8, 6])
    return xlsx_response(f"{filename}_{today:%Y%m%d}.xlsx", [sheet])


# ---------------------------------------------------------------------------------------------------
# Lists: problems, supervision items, inbox, overdue


def _kind_list(request, kind: str, template_title: str, export_url: str):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    rows = queries.problem_rows(request.user, filters, kind=kind, today=_today())
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title=template_title,
            export_url=export_url,
            kind=kind,
            list_url=request.path,
        ),
    )


def _kind_export(request, kind: str, filename: str):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    return _export(filename, filename, queries.problem_rows(request.user, filters, kind=kind, today=_today()), _today())


@require_GET
def problem_list(request):
    return _kind_list(request, Problem.Kind.PROBLEM, "问题协调", "coordination:problems_export")


@require_GET
def problem_export(request):
    return _kind_export(request, Problem.Kind.PROBLEM, "问题诉求")


@require_GET
def supervision_list(request):
    return _kind_list(request, Problem.Kind.SUPERVISION, "督办事项", "coordination:supervision_export")


@require_GET
def supervision_export(request):
    return _kind_export(request, Problem.Kind.SUPERVISION, "督办事项")


def _require_inbox(user) -> None:
    queries.require_reader(user)
    if not (user.unit_id and (user.is_reporter or user.is_coordinator)):
        raise PermissionDenied("我的待办仅供单位填报员和调度员使用。")


@require_GET
def inbox(request):
    _require_inbox(request.user)
    today = _today()
    # Read once for the list's 临期 filter and the figures above it.
    due_soon_end = queries.due_soon_until(today)
    filters = queries.ProblemFilters.from_query(request.GET)
    rows = queries.inbox_rows(request.user, filters, today=today, due_soon_end=due_soon_end)
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title=f"我的待办（{request.user.unit}）",
            export_url="coordination:inbox_export",
            counts=queries.inbox_counts(request.user, today=today, due_soon_end=due_soon_end),
            list_url=request.path,
            inbox=True,
        ),
    )


@require_GET
def inbox_export(request):
    _require_inbox(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    return _export("我的待办", "我的待办", queries.inbox_rows(request.user, filters, today=_today()), _today())


@require_GET
def overdue(request):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    filters.state = "overdue"
    kind = Problem.Kind.SUPERVISION if request.GET.get("supervision") == "1" else Problem.Kind.PROBLEM
    rows = queries.problem_rows(request.user, filters, kind=kind, today=_today())
    return render(
        request,
        "coordination/problem_list.html",
        _list_context(
            request,
            filters,
            rows,
            title="超期事项",
            export_url="coordination:overdue_export",
            list_url=request.path,
            overdue_page=True,
        ),
    )


@require_GET
def overdue_export(request):
    queries.require_reader(request.user)
    filters = queries.ProblemFilters.from_query(request.GET)
    filters.state = "overdue"
    kind = Problem.Kind.SUPERVISION if request.GET.get("supervision") == "1" else Problem.Kind.PROBLEM
    return _export(
        "超期事项", "超期事项", queries.problem_rows(request.user, filters, kind=kind, today=_today()), _today()
    )


# ---------------------------------------------------------------------------------------------------
# One problem


def problem_create(request):
    user = request.user
    queries.require_reader(user)
    try:
        project_pk = int(request.GET.get("project") or request.POST.get("project") or "")
    except ValueError:
        raise Http404("请从项目页面或月报页面提出问题。") from None
    project = get_project_for_user(user, project_pk)
    if not (user.is_coordinator or (user.is_reporter and project.unit_id == user.unit_id)):
        raise PermissionDenied("只能为本单位的项目提出问题。")
    report = None
    report_pk = request.GET.get("report") or request.POST.get("report")
    if report_pk and report_pk.isdigit():
        report = project.monthly_reports.filter(pk=int(report_pk)).first()
    # The office names the lead; a reporter may propose any unit of its county, its own unit first (the default).
    units = queries.lead_unit_choices(user) if user.is_coordinator else queries.proposable_lead_units(user)
    form = forms.ProblemForm(request.POST or None, units=units, proposing=not user.is_coordinator,
                             initial={"title": "", "category": "OTHER", "lead_unit": user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.raise_problem(
                project=project, data=form.problem_data(), by=user, today=_today(), report=report
            )
        except services.CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"问题已提出，已通知牵头单位：{problem.lead_unit}")
            return redirect("coordination:problem", pk=problem.pk)
    return render(
        request,
        "coordination/problem_form.html",
        {
            "form": form,
            "project": project,
            "report": report,
            "category_days": [(Category(code).label, days) for code, days in queries.category_days().items()],
        },
    )


@require_GET
def problem_detail(request, pk: int):
    user = request.user
    problem = queries.get_problem_for_user(user, pk)
    today = _today()
    involved = queries.is_involved(user, problem)
    units = queries.lead_unit_choices(user) if user.is_coordinator else None
    helping_units = list(problem.helping_units.all())
    return render(
        request,
        "coordination/problem_detail.html",
        {
            "problem": problem,
            "today": today,
            "overdue": problem.is_overdue(today),
            "helping_units": helping_units,
            "replies": queries.replies(problem),
            "history": queries.history(problem),
            "attachments": problem.attachments.all(),
            "instructions": queries.instructions_for_problem(problem),
            "is_raiser": queries.is_raiser(user, problem),
            "is_handler": queries.is_handler(user, problem) or user.is_coordinator,
            "may_reply": (involved or user.is_coordinator) and problem.status != Status.CLOSED,
            "is_coordinator": user.is_coordinator,
            "is_leader": user.is_leader,
            "assign_form": forms.AssignForm(
                units=units,
                initial={
                    "lead_unit": problem.proposed_lead_unit_id or problem.lead_unit_id,
                    "helping_units": [u.pk for u in helping_units],
                    # The stored deadline: left empty, the form would move it to a fresh default when re-assigned.
                    "deadline": problem.deadline,
                    "version": problem.version,
                },
            )
            if units is not None
            else None,
            "max_mb": services.attachment_max_bytes() // (1024 * 1024) or 1,
        },
    )


ACTIONS = {
    "accept": ("受理", lambda p, f, by, today, v: services.accept(problem=p, by=by, today=today, expected_version=v)),
    "resolve": (
        "办结",
        lambda p, f, by, today, v: services.resolve(
            problem=p, content=f["text"], by=by, today=today, expected_version=v
        ),
    ),
    "return": (
        "退回",
        lambda p, f, by, today, v: services.return_problem(
            problem=p, reason=f["text"], by=by, today=today, expected_version=v
        ),
    ),
    "resubmit": (
        "重新提交",
        lambda p, f, by, today, v: services.resubmit(problem=p, note=f["text"], by=by, today=today, expected_version=v),
    ),
    "close": (
        "销号",
        lambda p, f, by, today, v: services.close(problem=p, note=f["text"], by=by, today=today, expected_version=v),
    ),
    "reopen": (
        "重新打开",
        lambda p, f, by, today, v: services.reopen(problem=p, reason=f["text"], by=by, today=today, expected_version=v),
    ),
    "escalate": (
        "升级",
        lambda p, f, by, today, v: services.escalate(
            problem=p, reason=f["text"], by=by, today=today, expected_version=v
        ),
    ),
    "extend": (
        "延期",
        lambda p, f, by, today, v: services.extend_deadline(
            problem=p, deadline=f["deadline"] or today, note=f["text"], by=by, today=today, expected_version=v
        ),
    ),
}


@require_POST
def problem_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("没有这项操作。")
    problem = queries.get_problem_for_user(request.user, pk, write=True)
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("coordination:problem", pk=pk)
    label, run = ACTIONS[action]
    try:
        run(problem, form.cleaned_data, request.user, _today(), form.cleaned_data["version"] or 0)
    except services.CoordinationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{label}。")
    return redirect("coordination:problem", pk=pk)


@require_POST
def problem_assign(request, pk: int):
    problem = queries.get_problem_for_user(request.user, pk, write=True)
    if not request.user.is_coordinator:
        raise PermissionDenied("只有调度员（重点项目办）可以交办。")
    form = forms.AssignForm(request.POST, units=queries.lead_unit_choices(request.user))
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.assign(
                problem=problem,
                lead_unit=form.cleaned_data["lead_unit"],
                helping_units=form.cleaned_data["helping_units"],
                deadline=form.cleaned_data["deadline"],
                by=request.user,
                today=_today(),
                expected_version=form.cleaned_data["version"],
            )
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已交办。")
    return redirect("coordination:problem", pk=pk)


@require_POST
def problem_reply(request, pk: int):
    problem = queries.get_problem_for_user(request.user, pk, write=True)
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.reply(problem=problem, content=form.cleaned_data["content"], by=request.user, today=_today())
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "回复已发送。")
    return redirect("coordination:problem", pk=pk)


@require_POST
def attachment_upload(request, pk: int):
    problem = queries.get_problem_for_user(request.user, pk, write=True)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.add_attachment(
                problem=problem, upload=form.cleaned_data["file"], by=request.user, now=timezone.now()
            )
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "附件已上传。")
    return redirect("coordination:problem", pk=pk)


@require_GET
def attachment_file(request, pk: int):
    item = get_object_or_404(Attachment.objects.only("pk", "problem_id", "file", "original_name"), pk=pk)
    queries.get_problem_for_user(request.user, item.problem_id)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@require_POST
def problem_instruct(request, pk: int):
    problem = queries.get_problem_for_instruction(request.user, pk)
    form = forms.InstructionForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.add_instruction(problem=problem, content=form.cleaned_data["content"], by=request.user)
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "批示已发送相关单位。")
    return redirect("coordination:problem", pk=pk)


@require_POST
def project_instruct(request, project_pk: int):
    project = get_project_for_user(request.user, project_pk)
    if not request.user.is_leader:
        raise PermissionDenied("只有领导可以作出批示。")
    form = forms.InstructionForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.add_instruction(project=project, content=form.cleaned_data["content"], by=request.user)
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "批示已发送相关单位。")
    return redirect("projects:detail", pk=project.pk)


# ---------------------------------------------------------------------------------------------------
# Statistics


def _statistics_args(request):
    today = _today()
    invalid: list[str] = []
    start = _date(request.GET.get("start"), invalid, "起始日期") or datetime.date(today.year, 1, 1)
    end = _date(request.GET.get("end"), invalid, "截止日期") or today
    return start, end, today, invalid


def _date(raw, invalid, label):
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        invalid.append(label)
        return None


def _require_statistics(user) -> None:
    queries.require_reader(user)
    if not (user.is_coordinator or user.is_leader):
        raise PermissionDenied("问题统计仅供调度员和领导查看。")


@require_GET
def statistics(request):
    _require_statistics(request.user)
    start, end, today, invalid = _statistics_args(request)
    units = list(queries.lead_unit_choices(request.user))
    return render(
        request,
        "coordination/statistics.html",
        {
            "stats": queries.problem_statistics(units=units, start=start, end=end, as_of=today),
            "start": start,
            "end": end,
            "invalid": invalid,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def statistics_export(request):
    _require_statistics(request.user)
    start, end, today, _ = _statistics_args(request)
    stats = queries.problem_statistics(
        units=list(queries.lead_unit_choices(request.user)), start=start, end=end, as_of=today
    )
    units = XlsxSheet(
        "按单位",
        ["排名", "牵头单位", "问题数", "办结", "按期办结", "超期", "办结率（%）", "按期办结率（%）", "平均办结天数"],
        (
            [
                r["rank"],
                r["unit"],
                r["total"],
                r["resolved"],
                r["resolved_on_time"],
                r["overdue"],
                r["resolution_rate"] or "—",
                r["on_time_rate"] or "—",
                r["average_days"] or "—",
            ]
            for r in stats["by_unit"]
        ),
        widths=[6, 20, 8, 8, 10, 8, 12, 14, 12],
    )
    categories = XlsxSheet("按类别", ["类别", "问题数"], ([r["label"], r["count"]] for r in stats["by_category"]))
    levels = XlsxSheet("按层级", ["层级", "问题数"], ([r["label"], r["count"]] for r in stats["by_level"]))
    totals = XlsxSheet(
        "合计",
        ["问题数", "办结", "按期办结", "超期", "办结率（%）", "按期办结率（%）", "平均办结天数"],
        [
            [
                stats["total"],
                stats["resolved"],
                stats["resolved_on_time"],
                stats["overdue"],
                stats["resolution_rate"] or "—",
                stats["on_time_rate"] or "—",
                stats["average_days"] or "—",
            ]
        ],
    )
    return xlsx_response(f"问题统计_{today:%Y%m%d}.xlsx", [totals, units, categories, levels])


# ---------------------------------------------------------------------------------------------------
# Meetings


@require_GET
def meeting_list(request):
    queries.require_meeting_reader(request.user)
    kind = request.GET.get("kind", "")
    q = (request.GET.get("q") or "").strip()[:100]
    return render(
        request,
        "coordination/meeting_list.html",
        {
            "page": page_of(request, queries.meeting_rows(request.user, kind=kind, q=q)),
            "kind": kind,
            "q": q,
            "kinds": Meeting.Kind.choices,
            "query": query_without_page(request),
            "page_sizes": PAGE_SIZES,
            "may_create": request.user.is_coordinator,
        },
    )


@require_GET
def meeting_export(request):
    queries.require_meeting_reader(request.user)
    rows = queries.meeting_rows(
        request.user, kind=request.GET.get("kind", ""), q=(request.GET.get("q") or "").strip()[:100]
    )
    sheet = XlsxSheet(
        "会议",
        ["序号", "会议日期", "类型", "会议名称", "主持领导", "地点", "督办事项数"],
        (
            [n, m.date, m.get_kind_display(), m.title, str(m.chair or ""), m.location, m.n_items]
            for n, m in enumerate(rows, start=1)
        ),
        widths=[6, 12, 10, 30, 16, 16, 10],
    )
    return xlsx_response(f"会议_{_today():%Y%m%d}.xlsx", [sheet])


def _meeting_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def meeting_create(request):
    queries.require_meeting_reader(request.user)
    if not request.user.is_coordinator:
        raise PermissionDenied("只有调度员可以登记会议。")
    units = queries.lead_unit_choices(request.user)
    form = forms.MeetingForm(request.POST or None, units=units, initial={"date": _today(), "kind": "WEEKLY"})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(data=_meeting_data(form), by=request.user)
        except services.CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "会议已登记。")
            return redirect("coordination:meeting", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form, "creating": True})


def meeting_edit(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk, write=True)
    units = queries.lead_unit_choices(request.user)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, units=units)
        if form.is_valid():
            try:
                services.update_meeting(
                    meeting=meeting,
                    data=_meeting_data(form),
                    by=request.user,
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except services.CoordinationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "会议已保存。")
                return redirect("coordination:meeting", pk=meeting.pk)
    else:
        form = forms.MeetingForm(
            units=units,
            initial={
                **{k: getattr(meeting, k) for k in services.MEETING_FIELDS},
                "version": meeting.version,
                "attendee_units": [u.pk for u in meeting.attendee_units.all()],
            },
        )
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting, "creating": False})


@require_GET
def meeting_detail(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk)
    units = queries.lead_unit_choices(request.user)
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda.all(),
            "items": meeting.supervision_items.select_related("lead_unit").order_by("id"),
            "attendee_units": meeting.attendee_units.all(),
            "proposed": queries.proposed_agenda(request.user, as_of=_today()) if request.user.is_coordinator else [],
            "decision_form": forms.DecisionForm(units=units),
            "is_coordinator": request.user.is_coordinator,
            "today": _today(),
        },
    )


@require_POST
def meeting_agenda(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk, write=True)
    if request.POST.get("adopt") == "1":
        items = queries.proposed_agenda(request.user, as_of=_today())
        chosen = set(request.POST.getlist("pick"))
        items = [i for n, i in enumerate(items) if not chosen or str(n) in chosen]
    else:
        form = forms.AgendaForm(request.POST)
        if not form.is_valid():
            messages.error(request, error_text(form))
            return redirect("coordination:meeting", pk=pk)
        items = [{"text": form.cleaned_data["text"]}]
    try:
        n = services.add_agenda_items(meeting=meeting, items=items, by=request.user)
    except services.CoordinationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已加入 {n} 项议题。")
    return redirect("coordination:meeting", pk=pk)


@require_POST
def meeting_decision(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk, write=True)
    form = forms.DecisionForm(request.POST, units=queries.lead_unit_choices(request.user))
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        try:
            services.add_decision(meeting=meeting, data=form.cleaned_data, by=request.user, today=_today())
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已形成督办事项并通知责任单位。")
    return redirect("coordination:meeting", pk=pk)


@require_GET
def meeting_minutes(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk)
    return minutes.docx_response(meeting)


# ---------------------------------------------------------------------------------------------------
# Calendar and settings (the office)


def _require_office(user) -> None:
    queries.require_reader(user)
    if not user.is_coordinator:
        raise PermissionDenied("只有调度员可以维护节假日安排和办结时限。")


def calendar(request):
    user = request.user
    queries.require_reader(user)
    if request.method == "POST":
        _require_office(user)
    form = forms.AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_workday_adjustment(
                date=form.cleaned_data["date"],
                is_workday=form.cleaned_data["is_workday"],
                note=form.cleaned_data["note"],
                by=user,
            )
        except services.CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "节假日安排已保存。")
            return redirect("coordination:calendar")
    try:
        year = int(request.GET.get("year") or _today().year)
    except ValueError:
        year = _today().year
    rows = WorkdayAdjustment.objects.filter(date__year=year)
    return render(
        request,
        "coordination/calendar.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "may_edit": user.is_coordinator,
        },
    )


@require_POST
def calendar_delete(request):
    _require_office(request.user)
    try:
        day = datetime.date.fromisoformat(request.POST.get("date", ""))
        services.delete_workday_adjustment(date=day, by=request.user)
    except ValueError:
        messages.error(request, "日期无效。")
    except services.CoordinationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除该日期的调整。")
    return redirect("coordination:calendar")


def coordination_settings(request):
    _require_office(request.user)
    config = queries.coordination_settings()
    initial = {
        "overdue_action": config.overdue_action,
        "due_soon_days": config.due_soon_days,
        "version": config.version,
        **{f"days_{k}": v for k, v in queries.category_days().items()},
    }
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                overdue_action=form.cleaned_data["overdue_action"],
                due_soon_days=form.cleaned_data["due_soon_days"],
                category_days=form.category_days(),
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except services.CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "问题协调设置已保存。")
            return redirect("coordination:settings")
    return render(request, "coordination/settings.html", {"form": form})
