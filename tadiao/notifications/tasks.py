"""Background delivery of the outbox, run by `tadiao db_worker`. No arguments: a run sends whatever is due.

This module calls the services; they never import it back (no services ↔ tasks circle): they book runs through
`book_delivery`, which NotificationsConfig.ready() connects to them (services.connect_delivery_queue).
"""

import datetime

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from tadiao.lib import leases
from tadiao.notifications import services


@task()
def deliver_notifications_task() -> None:
    leases.recover_all(now=timezone.now())  # jobs a dead worker left running, found as the next task starts
    services.deliver_from_worker()


def book_delivery(when: datetime.datetime | None = None) -> None:
    """Queue a delivery run: at once (`when` None), or at `when` unless a queued run already comes no later
    (one chain of runs, not many)."""
    if when is None:
        deliver_notifications_task.enqueue()
    else:
        _enqueue_at(deliver_notifications_task, when)


def _enqueue_at(task, when: datetime.datetime) -> None:
    """Enqueue `task` to run at `when`, unless a queued run of it already comes no later (one chain, not many)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = task.get_backend()
    if not backend.supports_defer:
        return  # the immediate backend (tests) cannot wait: the command or the next notify() picks the rows up
    if not isinstance(backend, DatabaseBackend):  # duplicates are harmless: a run finds nothing due
        task.using(run_after=when).enqueue()
        return
    queued = DBTaskResult.objects.filter(task_path=task.module_path, status="READY").filter(
        Q(run_after__lte=when) | Q(run_after=get_date_max())
    )
    if not queued.exists():
        task.using(run_after=when).enqueue()
