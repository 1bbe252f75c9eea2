"""会议调度: the list and its export, registering and editing a meeting, its agenda, its decisions (督办事项) and
its minutes (.docx)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tadiao.coordination import exports, forms, minutes, queries, services, views
from tadiao.coordination.models import Meeting
from tadiao.lib.forms import error_text
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.xlsx import xlsx_response


def _meeting_filters(request) -> tuple[str, str]:
    """(kind, search text) from the query string."""
    return request.GET.get("kind", ""), (request.GET.get("q") or "").strip()[:100]


@require_GET
def meeting_list(request):
    queries.require_meeting_reader(request.user)
    kind, q = _meeting_filters(request)
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
    kind, q = _meeting_filters(request)
    sheet = exports.meeting_sheet(queries.meeting_rows(request.user, kind=kind, q=q))
    return xlsx_response(exports.filename("会议", views._today()), [sheet])


def _meeting_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def meeting_create(request):
    queries.require_meeting_writer(request.user)
    units = queries.lead_unit_choices(request.user)
    form = forms.MeetingForm(request.POST or None, units=units, initial={"date": views._today(), "kind": "WEEKLY"})
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
            "items": queries.supervision_items(meeting),
            "attendee_units": meeting.attendee_units.all(),
            "proposed": (
                queries.proposed_agenda(request.user, as_of=views._today()) if request.user.is_coordinator else []
            ),
            "decision_form": forms.DecisionForm(units=units),
            "is_coordinator": request.user.is_coordinator,
            "today": views._today(),
        },
    )


@require_POST
def meeting_agenda(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk, write=True)
    if request.POST.get("adopt") == "1":
        items = queries.picked_agenda(request.user, as_of=views._today(), picks=request.POST.getlist("pick"))
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
            services.add_decision(meeting=meeting, data=form.cleaned_data, by=request.user, today=views._today())
        except services.CoordinationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已形成督办事项并通知责任单位。")
    return redirect("coordination:meeting", pk=pk)


@require_GET
def meeting_minutes(request, pk: int):
    meeting = queries.get_meeting_for_user(request.user, pk)
    return minutes.docx_response(meeting)
