"""Recovery of deliveries a stopped worker left half-done (lib.leases calls it when a worker or a task starts).

An outbox row being sent holds a lease: its next_attempt_at is pushed LEASE ahead and an attempt is recorded
with no outcome yet (ok is null). A worker killed during the send leaves both behind. Once the lease has lapsed
the attempt is closed as interrupted, and a delivery run is booked for when the row falls due again: the
delivery is resumed, not lost (at least once: a robot may show a message twice if the kill came after the
robot took it).
"""

import datetime

from tadiao.notifications import services, tasks
from tadiao.notifications.models import DeliveryAttempt, Outbox

INTERRUPTED = "后台任务进程中断，将自动重新发送。"


def recover_interrupted_deliveries(*, now: datetime.datetime) -> int:
    """Close the attempts whose worker stopped (no outcome within the lease) and make sure a delivery run is
    booked for the pending rows. Returns how many attempts were closed."""
    closed = DeliveryAttempt.objects.filter(ok__isnull=True, at__lt=now - services.LEASE).update(
        ok=False, error=INTERRUPTED
    )
    due = (Outbox.objects.filter(status=Outbox.Status.PENDING, channel__enabled=True)
           .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first())
    if due is not None:
        # One chain of runs: nothing is booked when a run no later than this one is already queued.
        tasks.book_delivery(max(due, now))
    return closed
