"""Delivery a dead worker left half-done (issue 10, point 3): its attempt is closed as interrupted once the
lease lapsed, and a delivery run is booked so the row is sent again, not lost."""

import datetime

import pytest
from django_tasks_db.models import DBTaskResult

from tadiao.notifications import recovery, services
from tadiao.notifications.models import Channel, DeliveryAttempt, Outbox

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def test_an_interrupted_send_is_closed_and_a_run_is_booked():
    channel = Channel.objects.create(type=Channel.Type.WECOM, name="企业微信群", webhook_url="http://127.0.0.1:9/x")
    # What a worker killed during the HTTP request leaves: the row's due time pushed a lease ahead, an attempt
    # without an outcome, and no run booked (the killed run would have booked the next one at its end).
    row = Outbox.objects.create(channel=channel, kind="ASSIGNED", title="问题已交办", created_at=T0,
                                next_attempt_at=T0 + services.LEASE)
    attempt = DeliveryAttempt.objects.create(outbox=row, channel=channel, at=T0)

    assert recovery.recover_interrupted_deliveries(now=T0 + services.LEASE - datetime.timedelta(seconds=1)) == 0
    attempt.refresh_from_db()
    assert attempt.ok is None  # perhaps still on its way: within the lease
    # A run is booked for when the row falls due again, the end of its lease.
    booked = DBTaskResult.objects.get(task_path="tadiao.notifications.tasks.deliver_notifications_task")
    assert booked.status == "READY" and booked.run_after == T0 + services.LEASE

    assert recovery.recover_interrupted_deliveries(now=T0 + services.LEASE + datetime.timedelta(seconds=1)) == 1
    attempt.refresh_from_db()
    assert (attempt.ok, attempt.error) == (False, "后台任务进程中断，将自动重新发送。")
    row.refresh_from_db()
    assert row.status == Outbox.Status.PENDING  # still to be sent
    assert DBTaskResult.objects.count() == 1  # the run booked is still the one: no second chain
