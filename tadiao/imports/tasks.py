"""Background work of imports, run by `tadiao db_worker`. Ids are passed, never objects."""

from django.tasks import task

from tadiao.imports import services


@task()
def run_import_task(job_id: int) -> None:
    services.run_import(job_id=job_id)
