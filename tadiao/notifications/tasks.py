"""Background delivery of the outbox, run by `tadiao db_worker`. No arguments: a run sends whatever is due."""

from django.tasks import task


@task()
def deliver_notifications_task() -> None:
    from django.utils import timezone

    from tadiao.lib import leases
    from tadiao.notifications import services

    leases.recover_all(now=timezone.now())  # jobs a dead worker left running, found as the next task starts
    services.deliver_from_worker()
