"""/api/v1/imports: the 审批事项 sheet uploaded by a script — the same gate, job, service and audit as the import
page (imports.queries.allowed_kinds, services.jobs, the background task) — and a job's status with its row
errors, the job being its creator's alone (anyone else gets 404, as on the page)."""

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, Router, Schema
from ninja import Status as Answer
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tadiao.api.core import Message
from tadiao.api.fields import described
from tadiao.imports import queries, tasks
from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs
from tadiao.lib import xlsx

router = Router(tags=["数据导入"])


class RowError(Schema):
    line: int = described("Excel 行号（与上传文件中的行号一致）")
    messages: list[str] = described("该行的全部错误（中文）")


class JobOut(Schema):
    id: int = described("导入任务 ID")
    kind: str = described("导入类型代码，如 APPROVALS")
    kind_label: str = described("导入类型（中文）")
    status: str = described("状态代码：QUEUED 排队中、RUNNING 处理中、SUCCEEDED 成功、FAILED 失败")
    status_label: str = described("状态（中文）")
    original_name: str = described("上传的文件名")
    summary: str = described("结果说明（中文）；未结束时为空")
    progress_done: int = described("已处理行数")
    progress_total: int = described("总行数")
    created: int = described("新增条数")
    updated: int = described("更新条数")
    unchanged: int = described("未变化条数")
    error_row_count: int = described("有错误的行数（有则未导入任何数据）")
    errors: list[RowError] = described("每个有错误的行，按行号")
    created_at: datetime.datetime = described("提交时间")
    finished_at: datetime.datetime | None = described("完成时间")
    url: str = described("本任务的接口地址")


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk, "kind": job.kind, "kind_label": job.get_kind_display(), "status": job.status,
        "status_label": job.get_status_display(), "original_name": job.original_name, "summary": job.summary,
        "progress_done": job.progress_done, "progress_total": job.progress_total, "created": job.created_count,
        "updated": job.updated_count, "unchanged": job.unchanged_count, "error_row_count": job.error_row_count,
        "errors": [{"line": line, "messages": messages} for line, messages in queries.job_row_errors(job)],
        "created_at": job.created_at, "finished_at": job.finished_at,
        "url": reverse("api-v1:import_detail", args=[job.pk]),
    }


@router.post("/imports/approvals", response={202: JobOut, 400: Message, 403: Message, 422: Message},
             summary="导入审批事项（在线审批监管平台导出的 .xlsx）")
def import_approvals(request: HttpRequest, file: File[UploadedFile]) -> Answer:
    """multipart/form-data，字段 `file` 为 .xlsx（工作表“审批事项”，表头：项目代码、事项名称、审批部门、
    办理状态、受理日期、办结日期、批复文号）。与导入页面相同：调度员可导入本区划的项目，
    填报员只能导入本单位的项目，领导 403。文件存为导入任务并在后台处理，立即返回 202 与任务；
    用 GET /imports/{id} 查看结果与每行的错误。全部行通过校验才写入。"""
    if ImportJob.Kind.APPROVALS not in queries.allowed_kinds(request.user):
        raise HttpError(403, "您没有导入审批事项的权限。")
    try:
        xlsx.check_upload(file, name=file.name or "", size=file.size)
    except xlsx.XlsxError as exc:
        raise HttpError(400, str(exc)) from exc
    today = timezone.localdate().isoformat()
    with transaction.atomic():
        job = jobs.create_job(kind=ImportJob.Kind.APPROVALS, by=request.user, content=file,
                              original_name=file.name or "")
        transaction.on_commit(lambda: tasks.run_import_task.enqueue(job.id, today))
    return Answer(202, _job_out(job))


@router.get("/imports/{job_id}", response={200: JobOut, 404: Message}, url_name="import_detail",
            summary="导入任务的状态与错误")
def import_detail(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """导入任务只有提交者本人可以查看，其他人 404。失败时 `errors` 列出每个有错误的行（行号与中文说明）。"""
    job = jobs.check_job(job=queries.get_job_for_user(request.user, job_id), now=timezone.now())
    return _job_out(job)
