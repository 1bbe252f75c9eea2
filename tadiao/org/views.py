"""Pages of the system administrator: regions, units, leaders and users (everyone else gets 403); and every
user's own password page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tadiao.lib.xlsx import XlsxSheet, xlsx_response
from tadiao.org import forms, queries, services
from tadiao.org.http import AuthedRequest
from tadiao.org.models import Leader, Region, Unit, User

PAGE_SIZE = 50
UNIT_ORDERING = {"order": ("display_order", "id"), "name": ("name", "id")}


def sysadmin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The access gate of every organisation page: the system administrator only (三员分立 keeps the
    audit administrator out too)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_sysadmin):
            raise PermissionDenied("仅系统管理员可以管理组织机构和用户。")
        return view(request, *args, **kwargs)

    return wrapper


def _refused(form: BaseForm, exc: services.OrgError) -> None:
    """Shows a service's refusal on the form field it concerns."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _form_page(request: AuthedRequest, form: BaseForm, save: Callable[[dict[str, Any]], str], *,
               next_url: str, template: str, context: dict[str, Any]) -> HttpResponse:
    """The create/edit pattern: a valid POST calls `save(cleaned_data)`, which returns the success message;
    a service's refusal goes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            message = save(form.cleaned_data)
        except services.OrgError as exc:
            _refused(form, exc)
        else:
            messages.success(request, message)
            return redirect(next_url)
    return render(request, template, {"form": form, **context})


# ---------------------------------------------------------------------------------------------------
# Regions


@sysadmin_required
def regions(request: AuthedRequest) -> HttpResponse:
    return render(request, "org/regions.html", {"rows": queries.region_tree()})


@sysadmin_required
def region_create(request: AuthedRequest) -> HttpResponse:
    return _form_page(
        request, forms.RegionForm(request.POST or None),
        lambda data: f"已新增区划：{services.create_region(by=request.user, **data).name}",
        next_url="org:regions", template="org/region_form.html", context={"region": None},
    )


@sysadmin_required
def region_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk)
    initial = {"code": region.code, "name": region.name, "level": region.level, "parent": region.parent_id}

    def save(data: dict[str, Any]) -> str:
        services.update_region(region=region, by=request.user, **data)
        return f"已保存区划：{data['name']}"

    return _form_page(request, forms.RegionForm(request.POST or None, initial=initial, region=region), save,
                      next_url="org:regions", template="org/region_form.html", context={"region": region})


# ---------------------------------------------------------------------------------------------------
# Units


def _filtered_units(request: AuthedRequest) -> tuple[forms.UnitFilterForm, Any]:
    """The units matching the list's filters (shared by the page and its export)."""
    filters = forms.UnitFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    units = queries.list_units(search=data.get("q", "").strip(), kind=data.get("kind", ""))
    return filters, units.order_by(*UNIT_ORDERING.get(data.get("sort") or "order", UNIT_ORDERING["order"]))


@sysadmin_required
def units(request: AuthedRequest) -> HttpResponse:
    filters, rows = _filtered_units(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/units.html", {"filters": filters, "page": page})


@sysadmin_required
def units_export(request: AuthedRequest) -> HttpResponse:
    _, rows = _filtered_units(request)
    sheet = XlsxSheet(
        "单位",
        ["排序", "单位名称", "单位类型", "所属区划", "区划代码", "状态"],
        ([u.display_order, u.name, u.get_kind_display(), u.region.name, u.region.code,
          "启用" if u.is_active else "停用"] for u in rows),
        widths=[8, 30, 10, 16, 16, 8],
    )
    return xlsx_response(f"单位名单_{timezone.localdate():%Y%m%d}.xlsx", [sheet])


@sysadmin_required
def unit_create(request: AuthedRequest) -> HttpResponse:
    return _form_page(
        request, forms.UnitForm(request.POST or None, creating=True),
        lambda data: f"已新增单位：{services.create_unit(by=request.user, **data).name}",
        next_url="org:units", template="org/unit_form.html", context={"unit": None},
    )


@sysadmin_required
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    initial = {"name": unit.name, "kind": unit.kind, "region": unit.region_id,
               "display_order": unit.display_order, "is_active": unit.is_active}

    def save(data: dict[str, Any]) -> str:
        services.update_unit(unit=unit, by=request.user, **data)
        return f"已保存单位：{data['name']}"

    return _form_page(request, forms.UnitForm(request.POST or None, initial=initial), save,
                      next_url="org:units", template="org/unit_form.html", context={"unit": unit})


# ---------------------------------------------------------------------------------------------------
# Leaders


@sysadmin_required
def leaders(request: AuthedRequest) -> HttpResponse:
    return render(request, "org/leaders.html", {"leaders": queries.list_leaders()})


@sysadmin_required
def leader_create(request: AuthedRequest) -> HttpResponse:
    return _form_page(
        request, forms.LeaderForm(request.POST or None, creating=True),
        lambda data: f"已新增领导：{services.create_leader(by=request.user, **data)}",
        next_url="org:leaders", template="org/leader_form.html", context={"leader": None},
    )


@sysadmin_required
def leader_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    leader = get_object_or_404(Leader, pk=pk)
    initial = {"name": leader.name, "title": leader.title, "display_order": leader.display_order,
               "is_active": leader.is_active}

    def save(data: dict[str, Any]) -> str:
        services.update_leader(leader=leader, by=request.user, **data)
        return "已保存领导信息。"

    return _form_page(request, forms.LeaderForm(request.POST or None, initial=initial), save,
                      next_url="org:leaders", template="org/leader_form.html", context={"leader": leader})


# ---------------------------------------------------------------------------------------------------
# Users


def _password_page(request: AuthedRequest, user: User, password: str, *, created: bool) -> HttpResponse:
    """The generated password, shown this once: rendered in the POST's answer, never put in the session
    or a message cookie, and not cached."""
    response = render(request, "org/user_password.html", {"account": user, "password": password, "created": created})
    response["Cache-Control"] = "no-store"
    return response


@sysadmin_required
def users(request: AuthedRequest) -> HttpResponse:
    filters = forms.UserFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.list_users(search=data.get("q", "").strip(), role=data.get("role", ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/users.html", {"filters": filters, "page": page})


@sysadmin_required
def user_create(request: AuthedRequest) -> HttpResponse:
    form = forms.UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.create_user(by=request.user, **form.cleaned_data)
        except services.OrgError as exc:
            _refused(form, exc)
        else:
            return _password_page(request, user, password, created=True)
    return render(request, "org/user_form.html", {"form": form, "account": None})


@sysadmin_required
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.select_related("unit", "leader"), pk=pk)
    initial = {"full_name": account.full_name, "phone": account.phone, "unit": account.unit_id,
               "leader": account.leader_id, "roles": [str(role) for role in account.roles]}

    def save(data: dict[str, Any]) -> str:
        services.update_user(user=account, by=request.user, **data)
        return f"已保存用户：{account.username}"

    return _form_page(request, forms.UserForm(request.POST or None, initial=initial, user=account), save,
                      next_url="org:users", template="org/user_form.html", context={"account": account})


@sysadmin_required
@require_POST
def user_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    password = services.reset_password(user=account, by=request.user)
    if account.pk == request.user.pk:  # keep the administrator's own session alive
        account.refresh_from_db()
        update_session_auth_hash(request, account)
    return _password_page(request, account, password, created=False)


@sysadmin_required
@require_POST
def user_toggle_active(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    # The wanted state, not "flip": two administrators clicking at once must not undo each other.
    active = request.POST.get("active") == "1"
    try:
        account = services.set_user_active(user=account, by=request.user, active=active)
    except services.OrgError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if account.is_active else '停用'}用户：{account.username}")
    return redirect("org:user_edit", pk=account.pk)


# ---------------------------------------------------------------------------------------------------
# The user's own password (every logged-in user; the only page open while a generated password is held)


def password_change(request: AuthedRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST or None)
    forced = request.user.must_change_password
    if request.method == "POST" and form.is_valid():
        try:
            user = services.change_password(user=request.user, current_password=form.cleaned_data["current_password"],
                                            new_password=form.cleaned_data["new_password1"])
        except services.PasswordChangeError as exc:
            for message in exc.messages:
                form.add_error(exc.field, message)
        else:
            update_session_auth_hash(request, user)  # the password changed: keep this session, end the others
            messages.success(request, "密码已修改。")
            return redirect("home")
    response = render(request, "org/password_change.html", {"form": form, "forced": forced})
    response["Cache-Control"] = "no-store"
    return response
