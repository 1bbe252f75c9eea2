"""Upload a workbook, watch the job, download the error report or an empty template. Thin views: the
gate is queries.allowed_kinds / queries.get_job_for_user, the work is in services.jobs and the task."""

import io
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tadiao.imports import queries, tasks
from tadiao.imports.forms import UploadForm
from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs
from tadiao.lib import xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET", "POST"])
def new(request):
    kinds = queries.allowed_kinds(request.user)
    if not kinds:
        raise PermissionDenied("您没有导入数据的权限。")
    # A kind is always chosen: without one the browser refused to send the form and the page seemed to do nothing.
    # The monthly progress is what units import every month; otherwise the first kind offered.
    default = ImportJob.Kind.PROGRESS if ImportJob.Kind.PROGRESS in kinds else kinds[0]
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial={"kind": default})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        today = timezone.localdate().isoformat()
        with transaction.atomic():
            job = jobs.create_job(kind=form.cleaned_data["kind"], by=request.user, content=upload,
                                      original_name=upload.name)
            # The worker must see the committed job row.
            transaction.on_commit(lambda: tasks.run_import_task.enqueue(job.id, today))
        return redirect("imports:detail", pk=job.pk)
    return render(request, "imports/new.html", {
        "form": form,
        "kinds": [ImportJob.Kind(k) for k in kinds],
        "jobs": queries.recent_jobs(request.user),
        "max_mb": xlsx.max_upload_bytes() // (1024 * 1024),
    })


@require_GET
def detail(request, pk: int):
    job = queries.get_job_for_user(request.user, pk)
    job = jobs.check_job(job=job, now=timezone.now())  # a job whose worker died is shown failed
    if request.htmx:  # the progress poll: only the status block
        return render(request, "imports/partials/job_status.html", {"job": job})
    return render(request, "imports/detail.html", {"job": job})


@require_GET
def errors(request, pk: int):
    job = queries.get_job_for_user(request.user, pk)
    if not job.error_file:
        raise Http404("该导入任务没有错误报告。")
    stem = Path(job.original_name).stem or "导入"
    return FileResponse(job.error_file.open("rb"), as_attachment=True, filename=f"{stem}-错误报告.xlsx",
                        content_type=XLSX_TYPE)


@require_GET
def template(request, kind: str):
    kind = kind.upper()
    if kind not in ImportJob.Kind.values:
        raise Http404("没有这种导入模板。")
    if kind not in queries.allowed_kinds(request.user):
        raise PermissionDenied("您没有导入该类数据的权限。")
    content = queries.template_workbook(user=request.user, kind=kind)
    return FileResponse(io.BytesIO(content), as_attachment=True, content_type=XLSX_TYPE,
                        filename=f"{ImportJob.Kind(kind).label}导入模板.xlsx")
