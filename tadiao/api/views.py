"""Personal API token pages: every user's own (create — the secret shown once —, list, revoke) and the system
administrator's list of everyone's tokens (revoke any). Thin: gate → one service or query call → render."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tadiao.api import forms, queries, services
from tadiao.api.models import ApiToken
from tadiao.lib.paging import page_of


def _page(request: HttpRequest, form: forms.TokenForm, secret: str = "") -> HttpResponse:
    today = timezone.localdate()
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "rows": [(t, t.state_on(today)) for t in queries.tokens_of(request.user)]},
    )
    response["Cache-Control"] = "no-store"  # the page may hold a secret shown once
    return response


def my_tokens(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens and the form; POST: create one and show its secret on this answer only."""
    today = timezone.localdate()
    if request.method == "POST":
        form = forms.TokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = services.create_token(
                    user=request.user, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"],
                    read_only=form.cleaned_data["read_only"], now=timezone.now(), today=today,
                )
            except services.TokenError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已创建令牌“{token.name}”。请立即复制保存：离开本页后将无法再次查看。")
                return _page(request, forms.TokenForm(initial=_default_expiry(today)), secret)
        return _page(request, form)
    return _page(request, forms.TokenForm(initial=_default_expiry(today)))


def _default_expiry(today: datetime.date) -> dict:
    return {"expires_on": today + datetime.timedelta(days=90)}


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner revokes their token; the system administrator anyone's (others: 404, the token is not theirs)."""
    rows = ApiToken.objects.all() if request.user.is_sysadmin else queries.tokens_of(request.user)
    token = get_object_or_404(rows.select_related("user"), pk=pk)
    try:
        services.revoke_token(token=token, by=request.user, now=timezone.now())
        messages.success(request, f"已吊销令牌“{token.name}”。")
    except services.TokenError as exc:
        messages.error(request, exc.message)
    if request.user.is_sysadmin and token.user_id != request.user.pk:
        return redirect("api:all_tokens")
    return redirect("api:my_tokens")


@require_GET
def all_tokens(request: HttpRequest) -> HttpResponse:
    if not request.user.is_sysadmin:
        raise PermissionDenied("仅系统管理员可以查看所有用户的 API 令牌。")
    today = timezone.localdate()
    page = page_of(request, queries.all_tokens())
    return render(request, "api/all_tokens.html", {"page": page, "rows": [(t, t.state_on(today)) for t in page]})
