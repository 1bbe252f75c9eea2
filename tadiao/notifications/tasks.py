"""Background delivery of the outbox, run by `tadiao db_worker`. No arguments: a run sends whatever is due."""

from django.tasks import task


@task()
def deliver_notifications_task() -> None:
    from tadiao.notifications import services

    services.deliver_from_worker()
