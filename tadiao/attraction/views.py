"""招商引资 pages: decorators → access gate → one service or query call → render or redirect."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.attraction import forms, queries, services, standing
from tadiao.attraction.models import Lead, Likelihood, Rank, Recognition
from tadiao.lib.forms import error_text, posted_version
from tadiao.lib.paging import PAGE_SIZES, page_of, query_without_page
from tadiao.lib.params import date_param, int_param
from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.projects.queries import get_project_for_user, may_write_project


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------
# Trips (外出招商)


@require_GET
def trip_list(request):
    queries.require_reader(request.user)
    filters = queries.TripFilters.from_query(request.GET)
    return render(
        request,
        "attraction/trip_list.html",
        {
            "page": page_of(request, queries.trip_rows(request.user, filters)),
            "filters": filters,
            "units": queries.lead_filter_units(request.user),
            "ranks": Rank.choices,
            "sorts": list(queries.TRIP_SORT_LABELS.items()),
            "query": query_without_page(request),
            "page_sizes": PAGE_SIZES,
            "may_create": queries.may_create_trips(request.user),
        },
    )


@require_GET
def trip_export(request):
    queries.require_reader(request.user)
    filters = queries.TripFilters.from_query(request.GET)
    rows = (
        [
            n,
            t.unit.name,
            t.departure_date,
            t.return_date,
            t.leading_cadre,
            t.get_rank_display(),
            t.destination,
            t.firms_visited,
            t.results,
            t.next_step,
        ]
        for n, t in enumerate(queries.trip_rows(request.user, filters).iterator(chunk_size=2000), start=1)
    )
    # The headers are the import sheet's: an exported workbook can be edited and imported back.
    sheet = XlsxSheet(
        "外出招商",
        ["序号", "单位", "出发日期", "返回日期", "带队领导", "职级", "目的地", "拜访企业", "取得成果", "下一步工作"],
        rows,
        widths=[6, 16, 12, 12, 12, 8, 16, 36, 36, 30],
    )
    return xlsx_response(f"外出招商_{_today():%Y%m%d}.xlsx", [sheet], large=True)


def trip_create(request):
    user = request.user
    if not queries.may_create_trips(user):
        queries.require_reader(user)
        raise PermissionDenied("您的角色不能登记外出招商。")
    units = queries.units_for_trip_form(user)
    form = forms.TripForm(request.POST or None, units=units, initial={"unit": user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            trip = services.create_trip(data=form.trip_data(), by=user)
        except services.AttractionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记外出招商：{trip}")
            return redirect("attraction:trips")
    return render(request, "attraction/trip_form.html", {"form": form, "creating": True})


def trip_edit(request, pk: int):
    trip = queries.get_trip_for_user(request.user, pk, write=True)
    units = queries.units_for_trip_form(request.user)
    if request.method == "POST":
        form = forms.TripForm(request.POST, instance=trip, units=units)
        if form.is_valid():
            try:
                services.update_trip(
                    trip=trip,
                    data=form.trip_data(),
                    expected_version=form.cleaned_data["version"] or 0,
                    by=request.user,
                )
            except services.AttractionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "外出招商记录已保存。")
                return redirect("attraction:trips")
    else:
        form = forms.TripForm(instance=trip, units=units, initial={"version": trip.version})
    return render(request, "attraction/trip_form.html", {"form": form, "trip": trip, "creating": False})


@require_POST
def trip_delete(request, pk: int):
    trip = queries.get_trip_for_user(request.user, pk, write=True)
    version = posted_version(request)
    try:
        services.delete_trip(trip=trip, expected_version=version, by=request.user)
    except services.AttractionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除该外出招商记录。")
    return redirect("attraction:trips")


# ---------------------------------------------------------------------------------------------------
# Leads (招商线索)


@require_GET
def lead_list(request):
    queries.require_reader(request.user)
    filters = queries.LeadFilters.from_query(request.GET)
    return render(
        request,
        "attraction/lead_list.html",
        {
            "page": page_of(request, queries.lead_rows(request.user, filters, as_of=_today())),
            "filters": filters,
            "units": queries.lead_filter_units(request.user),
            "statuses": Lead.Status.choices,
            "likelihoods": Likelihood.choices,
            "sorts": list(queries.LEAD_SORT_LABELS.items()),
            "query": query_without_page(request),
            "page_sizes": PAGE_SIZES,
            "unregistered": queries.negotiating_without_lead(request.user)[:50],
            "may_register": request.user.is_coordinator or request.user.is_reporter,
            "today": _today(),
        },
    )


@require_GET
def lead_export(request):
    queries.require_reader(request.user)
    filters = queries.LeadFilters.from_query(request.GET)
    rows = (
        [
            n,
            lead.project.name,
            lead.project.unit.name,
            lead.investor,
            lead.intended_investment,
            lead.industry.name if lead.industry else "",
            lead.get_likelihood_display(),
            lead.start_date,
            lead.last_follow_up_date,
            lead.latest_content or "",
            lead.get_status_display(),
            lead.closed_date,
            lead.lost_reason,
        ]
        for n, lead in enumerate(
            queries.lead_rows(request.user, filters, as_of=_today()).iterator(chunk_size=2000), start=1
        )
    )
    sheet = XlsxSheet(
        "招商线索",
        [
            "序号", "项目名称", "责任单位", "投资方", "意向投资额（万元）", "产业", "签约可能性", "开始接洽日期",
            "最近跟进日期", "最近跟进情况", "状态", "结束日期", "流失原因",
        ],
        rows,
        widths=[6, 30, 16, 24, 14, 12, 10, 12, 12, 36, 8, 12, 30],
    )
    return xlsx_response(f"招商线索_{_today():%Y%m%d}.xlsx", [sheet], large=True)


@require_GET
def lead_detail(request, pk: int):
    lead = queries.get_lead_for_user(request.user, pk)
    may_write = may_write_project(request.user, lead.project)
    return render(
        request,
        "attraction/lead_detail.html",
        {
            "lead": lead,
            "log": queries.follow_up_log(lead),
            "may_write": may_write,
            "follow_up_form": forms.FollowUpForm(initial={"date": _today()}),
            "close_form": forms.CloseLeadForm(
                initial={"closed_date": _today(), "version": lead.version, "status": Lead.Status.LOST}
            ),
        },
    )


def lead_create(request, project_pk: int):
    queries.require_reader(request.user)
    project = get_project_for_user(request.user, project_pk, write=True)
    form = forms.LeadForm(
        request.POST or None,
        initial={"investor": project.investor, "start_date": project.negotiating_date or _today(),
                 "industry": project.industry_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(project=project, data=form.lead_data(), by=request.user, today=_today())
        except services.AttractionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记招商线索：{project.name}")
            return redirect("attraction:lead_detail", pk=lead.pk)
    return render(request, "attraction/lead_form.html", {"form": form, "project": project, "creating": True})


def lead_edit(request, pk: int):
    lead = queries.get_lead_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = forms.LeadForm(request.POST, instance=lead)
        if form.is_valid():
            try:
                services.update_lead(
                    lead=lead,
                    data=form.lead_data(),
                    expected_version=form.cleaned_data["version"] or 0,
                    by=request.user,
                    today=_today(),
                )
            except services.AttractionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "招商线索已保存。")
                return redirect("attraction:lead_detail", pk=lead.pk)
    else:
        form = forms.LeadForm(instance=lead, initial={"version": lead.version})
    return render(
        request, "attraction/lead_form.html", {"form": form, "project": lead.project, "lead": lead, "creating": False}
    )


@require_POST
def lead_close(request, pk: int):
    lead = queries.get_lead_for_user(request.user, pk, write=True)
    form = forms.CloseLeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "结束线索填写有误：" + error_text(form))
        return redirect("attraction:lead_detail", pk=lead.pk)
    data = form.cleaned_data
    try:
        services.close_lead(
            lead=lead,
            status=data["status"],
            closed_date=data["closed_date"],
            reason=data["reason"],
            expected_version=data["version"],
            by=request.user,
            today=_today(),
        )
    except services.AttractionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"线索已结束：{lead.get_status_display()}。")
    return redirect("attraction:lead_detail", pk=lead.pk)


@require_POST
def lead_reopen(request, pk: int):
    lead = queries.get_lead_for_user(request.user, pk, write=True)
    version = posted_version(request)
    try:
        services.reopen_lead(lead=lead, expected_version=version, by=request.user)
    except services.AttractionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "线索已重新打开。")
    return redirect("attraction:lead_detail", pk=lead.pk)


@require_POST
def follow_up_add(request, pk: int):
    lead = queries.get_lead_for_user(request.user, pk, write=True)
    form = forms.FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "跟进记录填写有误：" + error_text(form))
        return redirect("attraction:lead_detail", pk=lead.pk)
    try:
        services.add_follow_up(
            lead=lead,
            date=form.cleaned_data["date"],
            content=form.cleaned_data["content"],
            by=request.user,
            today=_today(),
        )
    except services.AttractionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已添加跟进记录。")
    return redirect("attraction:lead_detail", pk=lead.pk)


# ---------------------------------------------------------------------------------------------------
# Recognition (认定)


def _recognition_params(request) -> dict:
    invalid: list[str] = []
    params = {
        "unit_id": int_param(request.GET, "unit", invalid, "单位"),
        "status": request.GET.get("status", "") if request.GET.get("status", "") in Recognition.Status.values else "",
        "start": date_param(request.GET, "start", invalid, "起始日期"),
        "end": date_param(request.GET, "end", invalid, "截止日期"),
    }
    return {**params, "invalid": invalid}


@require_GET
def recognition_list(request):
    queries.require_reader(request.user)
    params = _recognition_params(request)
    invalid = params.pop("invalid")
    return render(
        request,
        "attraction/recognition_list.html",
        {
            "page": page_of(request, queries.signed_project_rows(request.user, **params)),
            "params": params,
            "invalid": invalid,
            "units": queries.lead_filter_units(request.user),
            "statuses": Recognition.Status.choices,
            "query": query_without_page(request),
            "page_sizes": PAGE_SIZES,
            "is_coordinator": request.user.is_coordinator,
        },
    )


@require_POST
def recognition_decide(request, project_pk: int):
    project = queries.get_project_for_recognition(request.user, project_pk, write=True)
    form = forms.RecognitionForm(request.POST)
    # Back to the list as it was filtered; only a query string, re-encoded, so never another address.
    back = QueryDict(request.POST.get("next", "")).urlencode()
    target = reverse("attraction:recognitions") + (f"?{back}" if back else "")
    if not form.is_valid():
        messages.error(request, f"{project.name}：" + error_text(form))
        return redirect(target)
    try:
        recognition = services.decide_recognition(
            project=project, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"], by=request.user
        )
    except services.AttractionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{project.name}：{recognition.get_status_display()}。")
    return redirect(target)


# ---------------------------------------------------------------------------------------------------
# The three work items (三项工作)


def _period(request) -> tuple[datetime.date, datetime.date, list[str]]:
    """The period asked for; by default 1 January of this year to today."""
    today = _today()
    invalid: list[str] = []
    start = date_param(request.GET, "start", invalid, "起始日期") or today.replace(month=1, day=1)
    end = date_param(request.GET, "end", invalid, "截止日期") or today
    if end < start:
        invalid.append("截止日期早于起始日期，已改为默认期间")
        start, end = today.replace(month=1, day=1), today
    return start, end, invalid


def _work_items(request):
    queries.require_reader(request.user)
    start, end, invalid = _period(request)
    units = list(queries.visible_units(request.user))
    items = queries.work_items(units, start=start, end=end)
    sort = request.GET.get("sort", "unit")
    sort = sort if sort in queries.WORK_ITEM_SORTS else "unit"
    blank = queries.blank_units(units, start=start, end=end, items=items)
    # 零的突破 / 连续空白 against closed months' snapshots: handed in by indicators (standing.py).
    compared = standing.standing(
        units, blank_ids=[u.pk for u in blank], start=start, end=end, compare=request.GET.get("compare")
    )
    return {
        "comparison": compared.comparison,
        "snapshot_choices": compared.snapshot_choices,
        "standing": compared.standing,
        "start": start,
        "end": end,
        "invalid": invalid,
        "sort": sort,
        "rows": queries.work_item_rows(units, items, sort=sort),
        "blank": blank,
        "totals": queries.work_item_totals(items),
        "unit_ids": [u.pk for u in units],
    }


@require_GET
def work_items(request):
    context = _work_items(request)
    start, end = context["start"], context["end"]
    return render(
        request,
        "attraction/work_items.html",
        {
            **context,
            "sorts": list(queries.WORK_ITEM_SORTS.items()),
            "query": request.GET.urlencode(),
            # The figures the meeting quotes (by rank, recognition, industry, category, origin; leads; 去年以来).
            "breakdown": queries.breakdowns.breakdown(context["unit_ids"], start=start, end=end),
            "rank_labels": queries.breakdowns.RANK_LABELS,
            "recognition_labels": queries.breakdowns.RECOGNITION_LABELS,
            "breakdown_tables": queries.breakdowns.SIGNING_TABLES,
        },
    )


@require_GET
def work_items_export(request):
    context = _work_items(request)
    start, end = context["start"], context["end"]
    title = f"三项工作（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"
    table = XlsxSheet(
        "三项工作",
        ["序号", "单位", "外出招商（次）", "招商线索（个）", "签约项目（个）", "签约投资（万元）", "是否空白"],
        [
            [
                n, r["unit"].name, r["trips"], r["leads"], r["signed"], r["signed_investment"],
                "空白" if r["blank"] else "",
            ]
            for n, r in enumerate(context["rows"], start=1)
        ],
        widths=[6, 20, 14, 14, 18, 16, 10],
        preamble=[[title]],
    )
    blank = XlsxSheet(
        "空白单位",
        ["序号", "单位"],
        [[n, u.name] for n, u in enumerate(context["blank"], start=1)],
        widths=[6, 24],
        preamble=[[f"三项工作均为零的单位（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"]],
    )
    return xlsx_response(f"三项工作_{start:%Y%m%d}-{end:%Y%m%d}.xlsx", [table, blank])
