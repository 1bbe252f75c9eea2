"""Background work of the bulletin, run by `tadiao db_worker`. Ids are passed, never objects."""

from django.tasks import task

from tadiao.bulletins import services


@task()
def generate_bulletin_task(bulletin_id: int, user_id: int | None = None) -> None:
    """Render the queued bulletin's .docx (and .pdf); `user_id` is who asked, for the audit log."""
    services.run_generation(bulletin_id=bulletin_id, by_id=user_id)
