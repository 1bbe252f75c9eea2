"""Background work of coordination, run by `tadiao db_worker`: the daily overdue check.

django-tasks-db has no cron: the task, once started (`tadiao escalate --schedule`), runs the check and enqueues
itself for the next day at 00:30 local time. A pending run already queued is never queued twice, so
`--schedule` may be repeated (e.g. in a deploy script). Without a worker, run `tadiao escalate` from cron.
"""

import datetime

from django.tasks import task
from django.utils import timezone

from tadiao.coordination import services

RUN_AT = datetime.time(0, 30)


def _next_run(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    when = local.replace(hour=RUN_AT.hour, minute=RUN_AT.minute, second=0, microsecond=0)
    return when if when > local else when + datetime.timedelta(days=1)


def _pending_exists() -> bool:
    from django_tasks_db.models import DBTaskResult

    name = f"{daily_escalation_task.module_path}"
    return DBTaskResult.objects.filter(task_path=name, status__in=["READY", "RUNNING"]).exists()


def schedule_daily_escalation(now: datetime.datetime | None = None) -> datetime.datetime:
    """Queue the next daily run unless one is already waiting; returns its time."""
    when = _next_run(now or timezone.now())
    if not _pending_exists():
        daily_escalation_task.using(run_after=when).enqueue()
    return when


@task()
def daily_escalation_task() -> None:
    """Runs the check for the worker's today, then queues tomorrow's run."""
    try:
        services.run_escalation(today=timezone.localdate())
    finally:
        when = _next_run(timezone.now())
        daily_escalation_task.using(run_after=when).enqueue()
