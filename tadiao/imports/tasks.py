"""Background work of imports, run by `tadiao db_worker`. Ids are passed, never objects."""

import datetime

from django.tasks import task
from django.utils import timezone

from tadiao.imports.services import jobs
from tadiao.lib import leases


@task()
def run_import_task(job_id: int, today: str | None = None) -> None:
    """`today` is the upload's date (ISO), taken by the view: a job queued overnight still judges "future
    months" by the day it was uploaded. Tasks queued before it was passed run with the worker's date."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    leases.recover_all(now=timezone.now())  # jobs a dead worker left running, found as the next task starts
    jobs.run_import(job_id=job_id, today=day)
