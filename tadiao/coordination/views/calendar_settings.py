"""The office's pages: the working-day calendar (节假日安排) and the coordination settings (办结时限, 超期处理)."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tadiao.coordination import forms, queries, services, views


def calendar(request):
    user = request.user
    queries.require_reader(user)
    if request.method == "POST":
        queries.require_office(user)
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
        year = int(request.GET.get("year") or views._today().year)
    except ValueError:
        year = views._today().year
    return render(
        request,
        "coordination/calendar.html",
        {
            "form": form,
            "rows": queries.adjustments_in_year(year),
            "year": year,
            "may_edit": user.is_coordinator,
        },
    )


@require_POST
def calendar_delete(request):
    queries.require_office(request.user)
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
    queries.require_office(request.user)
    form = forms.SettingsForm(request.POST or None, initial=queries.settings_values())
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
