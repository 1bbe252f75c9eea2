"""The job lifecycle: store an upload as a queued job, run it (read the sheet, find the header row, hand the
rows to the sheet's writer, write the error workbook when rows are wrong), and fail the jobs whose worker
stopped (the recovery, and the check the job page makes)."""

import datetime
import itertools
import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

import tadiao.imports.services.running as running  # the module itself: a test replaces a name in it
from tadiao.imports import queries, registry, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import SheetOutcome
from tadiao.imports.services.base import ImportFailed, JobLost, Row
from tadiao.imports.services.ledger import import_ledger
from tadiao.imports.services.plans import import_plans
from tadiao.imports.services.progress import import_progress
from tadiao.imports.services.running import _fail, _heartbeat, _succeed
from tadiao.imports.services.units import import_units
from tadiao.lib import leases, xlsx

logger = logging.getLogger(__name__)

# Data rows one import may hold: a cap that protects the server, not the size of the work. The ledger streams (its
# rows are validated and written in chunks, memory does not grow with them); the other sheets are read whole.
MAX_ROWS = 10000
LEDGER_MAX_ROWS = 200000
ROW_LIMITS = {ImportJob.Kind.LEDGER: LEDGER_MAX_ROWS}
HEADER_SCAN = 10  # the header row is looked for among the first rows (a title line may come first)

# What a constraint hit while writing most likely was, by import kind.
CONFLICT_EXAMPLES = {
    ImportJob.Kind.LEDGER: "如项目名称或代码重复",
    ImportJob.Kind.PLANS: "如他人同时录入了同一项目同一年度的计划",
    ImportJob.Kind.PROGRESS: "如他人同时填报了同一项目同一月份的月报",
    ImportJob.Kind.UNITS: "如单位名称重复",
    ImportJob.Kind.TRIPS: "如他人同时登记了同一次外出招商",
    ImportJob.Kind.LEADS: "如他人同时登记了同一项目的招商线索",
    ImportJob.Kind.ECONOMY: "如他人同时录入了同一区划同一期间的指标",
    ImportJob.Kind.APPROVALS: "如他人同时录入了同一项目的同一前期手续",
}


INTERRUPTED = "后台任务进程中断，请重新导入。未导入任何数据。"


# --- jobs -------------------------------------------------------------------------------------------------

def create_job(*, kind: str, by, content: File, original_name: str) -> ImportJob:
    """Store the workbook under MEDIA_ROOT/imports/ as a queued job. The caller runs or enqueues it."""
    if kind not in ImportJob.Kind.values:
        raise ImportFailed("未知的导入类型。")
    job = ImportJob(kind=kind, created_by=by, original_name=(original_name or "upload.xlsx")[:255])
    job.file.save("upload.xlsx", content, save=False)
    job.save()
    return job


def run_import(*, job_id: int, today: datetime.date) -> ImportJob:
    """Run a queued job to its end: SUCCEEDED with counts, or FAILED with a summary (and an error
    workbook when rows were wrong). Never raises for bad input; a job already taken is left alone.

    `today` is the date the user asked for the import (月度进展 refuses months after it).
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, worker=leases.worker_identity(), heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:  # a second delivery of the same task: the first one owns the job
        return job
    try:
        _run(job, today=today)
    except JobLost:
        logger.warning("import job %s was failed by the recovery while it ran; its writes were rolled back", job_id)
    except (ImportFailed, xlsx.XlsxError) as exc:
        _fail(job, summary=str(exc))
    except IntegrityError:
        logger.warning("import job %s hit a constraint while writing", job_id, exc_info=True)
        example = CONFLICT_EXAMPLES.get(job.kind, "如他人同时录入了同一数据")
        _fail(job, summary=f"导入时与他人同时进行的修改冲突（{example}），未导入任何数据，请重新导入。")
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(job, summary="导入过程中发生内部错误，未导入任何数据。请联系系统管理员。")
    job.refresh_from_db()
    return job


def _run(job: ImportJob, *, today: datetime.date) -> None:
    sheet_name, columns, optional = sheets.sheet_for(job.kind)
    _check_allowed(job.created_by, job.kind)
    path = job.file.path
    xlsx.check_archive(path)  # again, before parsing: a job may not have come through the upload form
    table = xlsx.open_sheet(path, sheet=sheet_name)
    head = list(itertools.islice(table, HEADER_SCAN))
    # The first required column marks the header row, under any of its accepted names.
    found = [xlsx.find_header_row(head, marker=name, scan=HEADER_SCAN) for name in next(iter(columns.values()))]
    header_index = min((index for index in found if index is not None), default=None)
    if header_index is None:
        raise ImportFailed(
            f"工作表“{sheet_name}”的前 10 行中找不到表头（应包含：{'、'.join(n[0] for n in columns.values())}）。"
        )
    positions, missing = xlsx.map_columns(head[header_index], {**columns, **optional})
    missing = [name for name in missing if name not in {n[0] for n in optional.values()}]
    if missing:
        raise ImportFailed(f"工作表“{sheet_name}”缺少表头：{'、'.join(missing)}。请使用导入模板的表头。")
    if job.kind in sheets.PROJECT_KEY_KINDS and "code" not in positions and not {"name", "unit"} <= positions.keys():
        raise ImportFailed(f"工作表“{sheet_name}”缺少表头：须有“项目代码”，或同时有“项目名称”和“责任单位”，"
                           "用来确定每行是哪个项目。请使用导入模板的表头。")
    del head

    def data_rows() -> Iterator[Row]:
        """The data rows, read again on each call (one row in memory at a time)."""
        for index, cells in enumerate(table, start=1):
            if index <= header_index + 1 or all(xlsx.is_blank(c) for c in cells):
                continue
            yield Row(line=index, values={key: (cells[pos] if pos < len(cells) else "")
                                          for key, pos in positions.items()})

    if next(data_rows(), None) is None:
        raise ImportFailed(f"工作表“{sheet_name}”中没有数据行。")
    limit = ROW_LIMITS.get(job.kind, MAX_ROWS)
    total = table.height - header_index - 1  # blank rows included: counted only when it matters
    if total > limit:
        total = sum(1 for _ in data_rows())
    if total > limit:
        raise ImportFailed(f"共 {total} 行，超过每次导入的上限 {limit} 行，请分批导入。")

    # Every sheet's service runs from here: the importer was checked above, the progress starts here.
    running._start_progress(job, total)  # looked up at call time: a test replaces it there
    app = registry.app_sheet(job.kind)
    if job.kind == ImportJob.Kind.LEDGER:  # streams: read in chunks, twice (validate, then write)
        outcome = import_ledger(job=job, by=job.created_by, rows=data_rows)
    else:
        rows = list(data_rows())
        if app is not None:
            outcome = _run_app_sheet(job, app, rows=rows, today=today)
        elif job.kind == ImportJob.Kind.PROGRESS:
            outcome = import_progress(job=job, by=job.created_by, rows=rows, today=today)
        else:
            service = {ImportJob.Kind.UNITS: import_units, ImportJob.Kind.PLANS: import_plans}[job.kind]
            outcome = service(job=job, by=job.created_by, rows=rows)
        del rows
    if outcome.errors:
        _heartbeat(job)
        with tempfile.TemporaryFile() as content:
            sheets.write_error_workbook(content, sheet_name=sheet_name, table=table, header_index=header_index,
                                        errors=outcome.errors)
            content.seek(0)
            job.error_file.save(f"{uuid.uuid4().hex}.xlsx", File(content), save=False)
        job.error_row_count = len(outcome.errors)
        job.progress_done = job.progress_total = outcome.total  # every row was checked
        job.save(update_fields=["error_file", "error_row_count", "progress_done", "progress_total"])
        raise ImportFailed(
            f"共 {outcome.total} 行，其中 {len(outcome.errors)} 行有错误，未导入任何数据。"
            "请下载错误报告，按“错误原因”列修改后重新导入。"
        )


def _run_app_sheet(job: ImportJob, app: registry.AppSheet, *, rows: list[Row], today: datetime.date) -> SheetOutcome:
    """Another app's sheet: it validates and writes all or nothing; the job's bookkeeping stays here, in the
    same transaction as the app's write (a worker killed between the two would otherwise leave the rows written
    under a job the recovery fails as "nothing imported")."""
    try:
        with transaction.atomic():
            extra = {"today": today} if app.needs_today else {}
            outcome = app.run(rows=rows, by=job.created_by, **extra)
            if not outcome.errors:
                _succeed(job, by=job.created_by, outcome=outcome, noun=app.noun, measure=app.measure)
    except app.refusals as exc:
        raise ImportFailed(str(exc)) from exc
    return outcome


def recover_stale_jobs(*, now: datetime.datetime, job_ids: Iterable[int] | None = None,
                       alive: leases.Alive = leases.process_alive) -> int:
    """Fail every running job (or those of `job_ids`) whose worker stopped (lib.leases.is_abandoned) with
    INTERRUPTED. The import's rows are written in one transaction with the job's success, so a job still
    running has written nothing: it is failed, not resumed, and the user imports the file again. Returns how
    many jobs were failed."""
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).select_related("created_by")
    if job_ids is not None:
        running = running.filter(pk__in=list(job_ids))
    failed = 0
    for job in running:
        if leases.is_abandoned(heartbeat_at=job.heartbeat_at, worker=job.worker, now=now, alive=alive):
            # Only if its heartbeat is still the one judged: a job that just renewed its lease is alive.
            failed += _fail(job, summary=INTERRUPTED, now=now, heartbeat_at=job.heartbeat_at)
    if failed:
        logger.warning("%s import job(s) abandoned by a stopped worker were failed", failed)
    return failed


def check_job(*, job: ImportJob, now: datetime.datetime) -> ImportJob:
    """The job as its page shows it: a running job whose worker stopped is failed first (no query unless it
    is)."""
    if job.status == ImportJob.Status.RUNNING and leases.is_abandoned(
        heartbeat_at=job.heartbeat_at, worker=job.worker, now=now
    ):
        recover_stale_jobs(now=now, job_ids=[job.pk])
        job.refresh_from_db()
    return job


def _check_allowed(by, kind: str) -> None:
    # None is the operator at the command line without --user: the server's own account may import all.
    if by is not None and kind not in queries.allowed_kinds(by):
        raise ImportFailed(f"{by} 无权导入{ImportJob.Kind(kind).label}数据。")
