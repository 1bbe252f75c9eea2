"""Background work of the bulletin, run by `tadiao db_worker`. Ids are passed, never objects.

This module calls the services; they never import it back (no services ↔ tasks circle): the view hands
`enqueue_generation` to `services.request_generation`, which queues it for when its transaction commits.
"""

from django.tasks import task
from django.utils import timezone

from tadiao.bulletins import services
from tadiao.lib import leases


@task()
def generate_bulletin_task(bulletin_id: int, user_id: int | None = None) -> None:
    """Render the queued bulletin's .docx (and .pdf); `user_id` is who asked, for the audit log."""
    leases.recover_all(now=timezone.now())  # jobs a dead worker left running, found as the next task starts
    services.run_generation(bulletin_id=bulletin_id, by_id=user_id)


def enqueue_generation(bulletin_id: int, user_id: int | None = None) -> None:
    """Put the generation of a bulletin the service has marked 排队 on the worker's queue."""
    generate_bulletin_task.enqueue(bulletin_id, user_id)
