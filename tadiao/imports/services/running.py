"""A running job's own bookkeeping: its lease (heartbeat), its progress counter, and its end (succeeded
with the counts, or failed with a summary), each with its audit event."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.imports.services.base import JobLost

PROGRESS_EVERY = 200  # rows between two progress saves the upload page can show


def _fail(job: ImportJob, *, summary: str, now: datetime.datetime | None = None, **still: Any) -> bool:
    """Fail a running job with `summary` and its audit event; False (nothing written) when it is no longer
    running, or no longer matches `still` (e.g. the heartbeat the recovery judged)."""
    with transaction.atomic():
        now = now or timezone.now()
        if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, **still).update(
            status=ImportJob.Status.FAILED, summary=summary, finished_at=now,
        ):
            return False
        job.status, job.summary, job.finished_at = ImportJob.Status.FAILED, summary, now
        audit.record(actor=job.created_by, actor_name="" if job.created_by else CLI_ACTOR,
                     action=_action(job.kind), obj=job, result="FAILURE", message=summary)
    return True


# --- leases: a job whose worker died is failed, never left 处理中 -----------------------------------------

def _heartbeat(job: ImportJob, **values: Any) -> None:
    """Renew the job's lease (with `values`, e.g. its progress). Raises JobLost when the recovery has failed
    the job meanwhile: the run stops and writes nothing."""
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        **values, heartbeat_at=timezone.now()
    ):
        raise JobLost(job.pk)


def _action(kind: str) -> str:
    return f"imports.{kind.lower()}.imported"  # imports.ledger.imported, imports.plans.imported …


def _start_progress(job: ImportJob, total: int) -> None:
    job.progress_total, job.progress_done = total, 0
    _heartbeat(job, progress_total=total, progress_done=0)


def _progress(job: ImportJob, done: int) -> None:
    if done % PROGRESS_EVERY == 0 and done < job.progress_total:
        job.progress_done = done
        _heartbeat(job, progress_done=done)


def _succeed(job: ImportJob, *, by, outcome: SheetOutcome, noun: str, measure: str = "个") -> None:
    """Inside the write's transaction: the job succeeds with the rows, or (JobLost: the recovery failed it
    meanwhile) the rows are rolled back with it."""
    job.status = ImportJob.Status.SUCCEEDED
    job.created_count, job.updated_count, job.unchanged_count = outcome.created, outcome.updated, outcome.unchanged
    job.progress_done = job.progress_total = outcome.total
    job.summary = (f"共 {outcome.total} 行：新增 {outcome.created} {measure}{noun}，更新 {outcome.updated} {measure}，"
                   f"未变化 {outcome.unchanged} {measure}。")
    job.finished_at = timezone.now()
    fields = ["status", "created_count", "updated_count", "unchanged_count", "progress_done", "progress_total",
              "summary", "finished_at"]
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        **{name: getattr(job, name) for name in fields}
    ):
        raise JobLost(job.pk)
    audit.record(actor=by, actor_name="" if by else CLI_ACTOR, action=_action(job.kind), obj=job, changes={
        "file": job.original_name, "rows": outcome.total, "created": outcome.created,
        "updated": outcome.updated, "unchanged": outcome.unchanged,
    })
