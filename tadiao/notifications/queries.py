"""Reads of notifications and their access gates: a user reads and touches only its own messages; the office
(调度员) and the system administrator manage the channels."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tadiao.notifications.models import Channel, Message, Outbox
from tadiao.notifications.services import may_manage_channels
from tadiao.org.models import Unit, User
from tadiao.org.queries import units_in_scope

# ---------------------------------------------------------------------------------------------------
# Messages


@dataclass
class InboxFilters:
    kind: str = ""
    unread: bool = False

    @classmethod
    def from_query(cls, query) -> "InboxFilters":
        kind = query.get("kind", "")
        return cls(kind=kind if kind in Message.Kind.values else "", unread=query.get("unread") == "1")


def inbox_rows(user: User, filters: InboxFilters) -> QuerySet[Message]:
    rows = Message.objects.filter(user=user).order_by("-created_at", "-id")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    return rows


def get_message_for_user(user: User, pk: int) -> Message:
    """Another user's message is as good as absent: 404, whoever asks."""
    message = Message.objects.filter(pk=pk, user_id=user.pk).first() if user.is_authenticated else None
    if message is None:
        raise Http404("没有这条消息。")
    return message


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(user=user, read_at__isnull=True).count()


# ---------------------------------------------------------------------------------------------------
# Channels


def require_channel_manager(user: User) -> None:
    if not may_manage_channels(user):
        raise PermissionDenied("只有调度员和系统管理员可以配置通知渠道。")


def list_channels(user: User) -> QuerySet[Channel]:
    require_channel_manager(user)
    return Channel.objects.prefetch_related("units").annotate(
        pending=Count("outbox", filter=Q(outbox__status=Outbox.Status.PENDING)),
        failed=Count("outbox", filter=Q(outbox__status=Outbox.Status.FAILED)),
    ).order_by("name", "id")


def get_channel_for_user(user: User, pk: int) -> Channel:
    require_channel_manager(user)
    channel = Channel.objects.prefetch_related("units").filter(pk=pk).first()
    if channel is None:
        raise Http404("没有这个通知渠道。")
    return channel


def failed_outbox(user: User, *, channel: Channel | None = None, limit: int = 100) -> QuerySet[Outbox]:
    """Rows given up on after the last attempt, newest first: what the office should look at and retry."""
    require_channel_manager(user)
    rows = Outbox.objects.filter(status=Outbox.Status.FAILED).select_related("channel").order_by("-id")
    if channel is not None:
        rows = rows.filter(channel=channel)
    return rows[:limit]


def channel_units(user: User) -> QuerySet[Unit]:
    """Units a channel may be limited to: the manager's region's active units."""
    return units_in_scope(user).filter(is_active=True).order_by("display_order", "id")


def failed_rows_to_retry(user: User, *, channel_id: int | None = None, ids: list[int] | None = None) -> list[Outbox]:
    """The failed rows the retry button names: all, one channel's, or the ticked ones."""
    require_channel_manager(user)
    rows = Outbox.objects.filter(status=Outbox.Status.FAILED)
    if channel_id is not None:
        rows = rows.filter(channel_id=channel_id)
    if ids:
        rows = rows.filter(pk__in=ids)
    return list(rows.only("id"))
