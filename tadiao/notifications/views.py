"""Notification pages: decorators → access gate → one service or query call → render or redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tadiao.notifications import forms, queries, services
from tadiao.notifications.models import Message, Outbox

PAGE_SIZE = 20


def _inbox_url(request) -> str:
    """Back to the inbox with the filters and page the user was on."""
    back = request.POST.get("next", "")
    if back.startswith(reverse("notifications:inbox")) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return back
    return reverse("notifications:inbox")


# ---------------------------------------------------------------------------------------------------
# 消息中心


@require_GET
def inbox(request):
    filters = queries.InboxFilters.from_query(request.GET)
    page = Paginator(queries.inbox_rows(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "filters": filters, "kinds": Message.Kind.choices, "current": request.get_full_path()},
    )


@require_GET
def message_open(request, pk: int):
    """Mark the message read and follow its link (a path inside this site only)."""
    message = queries.get_message_for_user(request.user, pk)
    services.mark_read(message=message, by=request.user, now=timezone.now())
    if message.link.startswith("/") and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None):
        return redirect(message.link)
    return redirect("notifications:inbox")


@require_POST
def message_read(request, pk: int):
    message = queries.get_message_for_user(request.user, pk)
    services.mark_read(message=message, by=request.user, now=timezone.now())
    return redirect(_inbox_url(request))


@require_POST
def read_all(request):
    kind = request.POST.get("kind", "")
    count = services.mark_all_read(
        by=request.user, now=timezone.now(), kind=kind if kind in Message.Kind.values else ""
    )
    messages.success(request, f"已将 {count} 条消息标记为已读。")
    return redirect(_inbox_url(request))


@require_GET
def unread_badge(request):
    """The header's unread count, fetched by htmx once the page has loaded: pages themselves pay no query for
    it. The count comes from the context processor (one COUNT query)."""
    return render(request, "notifications/partials/unread_badge.html")


# ---------------------------------------------------------------------------------------------------
# 通知渠道


@require_GET
def channels(request):
    return render(
        request,
        "notifications/channels.html",
        {"channels": queries.list_channels(request.user), "failed": queries.failed_outbox(request.user)},
    )


def channel_create(request):
    queries.require_channel_manager(request.user)
    form = forms.ChannelForm(request.POST or None, units=queries.channel_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.create_channel(data=form.channel_data(), by=request.user)
        except services.NotificationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已添加通知渠道：{channel}")
            return redirect("notifications:channels")
    return render(request, "notifications/channel_form.html", {"form": form, "creating": True})


def channel_edit(request, pk: int):
    channel = queries.get_channel_for_user(request.user, pk)
    units = queries.channel_units(request.user)
    if request.method == "POST":
        form = forms.ChannelForm(request.POST, units=units)
        if form.is_valid():
            try:
                services.update_channel(
                    channel=channel, data=form.channel_data(), expected_version=form.cleaned_data["version"] or 0,
                    by=request.user,
                )
            except services.NotificationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"通知渠道“{channel.name}”已保存。")
                return redirect("notifications:channels")
    else:
        form = forms.ChannelForm(
            units=units,
            initial={
                "type": channel.type, "name": channel.name, "webhook_url": channel.webhook_url,
                "email_recipients": channel.email_recipients, "kinds": channel.kinds, "events": channel.events,
                "units": list(channel.units.all()), "enabled": channel.enabled, "version": channel.version,
            },
        )
    return render(
        request,
        "notifications/channel_form.html",
        {
            "form": form,
            "channel": channel,
            "creating": False,
            "failed": queries.failed_outbox(request.user, channel=channel),
        },
    )


@require_POST
def channel_delete(request, pk: int):
    channel = queries.get_channel_for_user(request.user, pk)
    services.delete_channel(channel=channel, by=request.user)
    messages.success(request, f"已删除通知渠道：{channel.name}")
    return redirect("notifications:channels")


@require_POST
def channel_test(request, pk: int):
    """Queue a 测试消息 and try it at once, so the office sees whether the robot answers."""
    channel = queries.get_channel_for_user(request.user, pk)
    now = timezone.now()
    row = services.queue_test_message(channel=channel, by=request.user, now=now)
    if not channel.enabled:
        messages.warning(request, "测试消息已加入队列，但该渠道未启用，启用后才会发送。")
        return redirect("notifications:channels")
    services.deliver_due(now=now, outbox_ids=[row.pk])
    row.refresh_from_db()
    if row.status == Outbox.Status.SENT:
        messages.success(request, f"测试消息已发送到“{channel.name}”，请在群内或邮箱查看。")
    elif row.status == Outbox.Status.FAILED:
        messages.error(request, f"测试消息发送失败：{row.last_error}。")
    elif row.attempts:
        messages.error(request, f"测试消息发送失败：{row.last_error}。系统会按退避策略自动重试。")
    else:
        messages.warning(request, "该渠道一分钟内发送已达 20 条上限，测试消息已排队，稍后自动发送。")
        services.schedule_delivery()
    return redirect("notifications:channels")


@require_POST
def outbox_retry(request):
    channel = request.POST.get("channel", "")
    rows = queries.failed_rows_to_retry(
        request.user,
        channel_id=int(channel) if channel.isdigit() else None,
        ids=[int(i) for i in request.POST.getlist("outbox") if i.isdigit()],
    )
    count = services.retry_outbox(rows=rows, by=request.user, now=timezone.now())
    messages.success(request, f"已将 {count} 条发送失败的消息重新加入发送队列。")
    return redirect("notifications:channels")

