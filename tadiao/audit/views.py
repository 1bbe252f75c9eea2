"""The audit log page and its export, for the audit administrator alone (三员分立: not the sysadmin).

There is no edit or delete anywhere: the log is append-only, and the database enforces it.
"""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tadiao.audit import queries
from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent
from tadiao.lib.forms import DateInput
from tadiao.lib.xlsx import XlsxSheet, xlsx_response

PAGE_SIZE = 50


def auditor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The access gate of the audit log: the audit administrator only; the system administrator is kept
    out on purpose, so the person who manages accounts cannot read (or cover) their own traces."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_auditor):
            raise PermissionDenied("仅审计管理员可以查看审计日志。")
        return view(request, *args, **kwargs)

    return wrapper


class EventFilterForm(forms.Form):
    """The filters of the page. (Kept here: the audit app has only this one form.)"""

    date_from = forms.DateField(label="开始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="结束日期", required=False, widget=DateInput())
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditEvent.Result.choices])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部操作"), *queries.action_choices()]
        self.fields["object_type"].choices = [("", "全部类型"), *queries.object_type_choices()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned

    def describe(self) -> str:
        """The valid filters in Chinese, "操作=组织机构（全部），结果=失败", for the export's own audit event."""
        parts = []
        for name, value in self.criteria().items():
            field = self.fields[name]
            shown = dict(field.choices).get(value, value) if isinstance(field, forms.ChoiceField) else value
            parts.append(f"{field.label}={shown}")
        return "，".join(parts)

    def criteria(self) -> dict:
        """The valid filters, for `queries.filter_events`; an invalid one is left out (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}


def _filtered(request: HttpRequest) -> tuple[EventFilterForm, object]:
    filters = EventFilterForm(request.GET or None)
    criteria = filters.criteria()
    if "actor" in criteria:
        criteria["actor"] = criteria["actor"].strip()
    return filters, queries.filter_events(**criteria)


@auditor_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    filters, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/list.html",
                  {"filters": filters, "page": page, "rows": queries.event_rows(page.object_list)})


@auditor_required
@require_safe
def event_export(request: HttpRequest) -> HttpResponse:
    filters, events = _filtered(request)
    if filters.is_bound and not filters.is_valid():  # never export more than the person asked for
        messages.error(request, "筛选条件有误，请修改后再导出。")
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    total = events.count()
    if total > queries.EXPORT_LIMIT:
        messages.error(
            request, f"符合条件的记录有 {total} 条，超过单次导出上限 {queries.EXPORT_LIMIT} 条，请缩小日期范围。")
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    sheet = XlsxSheet("审计日志", queries.EXPORT_HEADERS, queries.export_rows(events),
                      widths=[20, 14, 16, 18, 10, 24, 50, 6, 40, 26])
    response = xlsx_response(f"审计日志_{timezone.localtime():%Y%m%d_%H%M}.xlsx", [sheet], large=True)
    audit.record_export(by=request.user, total=total, criteria=filters.describe())
    return response
