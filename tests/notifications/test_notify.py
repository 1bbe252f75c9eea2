"""notify(): recipients, outbox rows per channel, and nothing left behind by a rollback."""

import pytest
from django.db import transaction

from tadiao.notifications import services
from tadiao.notifications.models import Channel, Message, Outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_users_and_unit_reporters_deduplicated_minus_exclude(reporter_a, reporter_b, coordinator, unit_a):
    second = UserFactory(username="reporter_a2", unit=unit_a, is_reporter=True)
    UserFactory(username="gone", unit=unit_a, is_reporter=True, is_active=False)
    UserFactory(username="viewer_a", unit=unit_a)  # not a 填报员: does not handle the unit's work
    count = services.notify(
        kind=Message.Kind.ASSIGNED, title="新交办问题", users=[reporter_a, coordinator], units=[unit_a],
        exclude=coordinator,
    )
    assert count == 2
    assert set(Message.objects.values_list("user__username", flat=True)) == {"reporter_a", second.username}


def test_notify_writes_one_outbox_row_per_carrying_channel(reporter_a, unit_a, unit_b):
    ding = Channel.objects.create(type=Channel.Type.DINGTALK, name="钉钉", webhook_url="http://127.0.0.1:9/robot")
    Channel.objects.create(type=Channel.Type.WECOM, name="停用", webhook_url="http://127.0.0.1:9/x", enabled=False)
    Channel.objects.create(
        type=Channel.Type.WECOM, name="只推逾期", webhook_url="http://127.0.0.1:9/y", kinds=[Message.Kind.OVERDUE]
    )
    only_b = Channel.objects.create(type=Channel.Type.WECOM, name="西湖", webhook_url="http://127.0.0.1:9/z")
    only_b.units.set([unit_b])
    services.notify(kind=Message.Kind.ASSIGNED, title="交办", units=[unit_a])
    assert list(Outbox.objects.values_list("channel", flat=True)) == [ding.pk]


def test_rollback_leaves_no_message_and_no_outbox_row(reporter_a, unit_a):
    Channel.objects.create(type=Channel.Type.DINGTALK, name="钉钉", webhook_url="http://127.0.0.1:9/robot")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(kind=Message.Kind.RETURNED, title="退回", units=[unit_a])
        raise RuntimeError
    assert not Message.objects.exists()
    assert not Outbox.objects.exists()
