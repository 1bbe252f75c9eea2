"""One problem or supervision item: raising it, its page, its transitions (受理, 办结, 退回, 销号, 升级, 延期 …),
交办, replies, attachments, and leaders' instructions (批示) on it or on a project."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.coordination import forms, queries, services, views
from tadiao.lib.forms import error_text


def _int_or_404(raw: str | None, message: str) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Http404(message) from None


def problem_create(request):
    user = request.user
    queries.require_reader(user)
    raw_project = request.GET.get("project") or request.POST.get("project")
    project_pk = _int_or_404(raw_project, "请从项目页面或月报页面提出问题。")
    project = queries.get_project_for_raising(user, project_pk)
    report_pk = request.GET.get("report") or request.POST.get("report")
    report = queries.report_for_raising(project, int(report_pk)) if report_pk and report_pk.isdigit() else None
    form = forms.ProblemForm(
        request.POST or None,
        units=queries.lead_unit_options(user),
        proposing=not user.is_coordinator,
        initial={"title": "", "category": "OTHER", "lead_unit": user.unit_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.raise_problem(
                project=project, data=form.problem_data(), by=user, today=views._today(), report=report
            )
        except services.CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"问题已提出，已通知牵头单位：{problem.lead_unit}")
            return redirect("coordination:problem", pk=problem.pk)
    return render(
        request,
        "coordination/problem_form.html",
        {"form": form, "project": project, "report": report, "category_days": queries.category_deadlines()},
    )


def _assign_form(user, problem, helping_units) -> forms.AssignForm | None:
    """The office's 交办 form, filled with the item as stored (a proposed lead unit first); None for others."""
    if not user.is_coordinator:
        return None
    return forms.AssignForm(
        units=queries.lead_unit_choices(user),
        initial={
            "lead_unit": problem.proposed_lead_unit_id or problem.lead_unit_id,
            "helping_units": [u.pk for u in helping_units],
            # The stored deadline: left empty, the form would move it to a fresh default when re-assigned.
            "deadline": problem.deadline,
            "version": problem.version,
        },
    )


@require_GET
def problem_detail(request, pk: int):
    user = request.user
    problem = queries.get_problem_for_user(user, pk)
    today = views._today()
    may_reply = queries.may_reply(user, problem)
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
            "is_handler": queries.may_handle(user, problem),
            "may_reply": may_reply,
            "is_coordinator": user.is_coordinator,
            "is_leader": user.is_leader,
            "assign_form": _assign_form(user, problem, helping_units),
            "max_mb": services.attachment_max_mb(),
        },
    )


# The transitions a button on the item's page posts: (label, the service call with the form's text and deadline).
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
        run(problem, form.cleaned_data, request.user, views._today(), form.cleaned_data["version"] or 0)
    except services.CoordinationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{label}。")
    return redirect("coordination:problem", pk=pk)


@require_POST
def problem_assign(request, pk: int):
    problem = queries.get_problem_for_assignment(request.user, pk)
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
                today=views._today(),
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
            services.reply(
                problem=problem, content=form.cleaned_data["content"], by=request.user, today=views._today()
            )
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
    item = queries.get_attachment_for_user(request.user, pk)
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
    project = queries.get_project_for_instruction(request.user, project_pk)
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
