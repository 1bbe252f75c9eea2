"""Reads for imports: who may import what, and the one access gate for jobs."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tadiao.imports import registry
from tadiao.imports.models import ImportJob
from tadiao.imports.sheets import ERROR_COLUMN, sheet_for
from tadiao.lib import xlsx
from tadiao.org.queries import units_in_scope


def allowed_kinds(user) -> list[str]:
    """The import kinds a user may run: the ledger, annual plans and monthly progress for coordinators and
    unit reporters (each row then limited to their region or their unit), units for the system
    administrator. Leaders and the audit administrator import nothing."""
    kinds = []
    if user.is_authenticated and (user.is_coordinator or (user.is_reporter and user.unit_id)):
        kinds += [ImportJob.Kind.LEDGER, ImportJob.Kind.PLANS, ImportJob.Kind.PROGRESS]
    if user.is_authenticated and user.is_sysadmin:
        kinds.append(ImportJob.Kind.UNITS)
    return kinds + registry.app_kinds_for(user)


def writable_unit_ids(user) -> set[int] | None:
    """The units whose rows `user` may import (projects, trips …); None: all — the operator at the command
    line without --user."""
    if user is None:
        return None
    if user.is_coordinator:
        return set(units_in_scope(user).values_list("pk", flat=True))
    if user.is_reporter and user.unit_id:
        return {user.unit_id}
    return set()


def get_job_for_user(user, pk: int) -> ImportJob:
    """A job is its creator's alone: anyone else gets 404, as if it did not exist."""
    return get_object_or_404(ImportJob, pk=pk, created_by_id=user.pk)


def recent_jobs(user, *, limit: int = 10) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by_id=user.pk).order_by("-created_at", "-id")[:limit]


def template_workbook(*, user, kind: str) -> bytes:
    """The import template for `kind`, its example row using the user's own unit where there is one."""
    from tadiao.imports import sheets
    from tadiao.org.queries import root_region
    from tadiao.projects.models import Industry

    example_unit = user.unit.name if user.unit_id else ""
    if not example_unit:
        first = units_in_scope(user).first()
        example_unit = first.name if first else "东城镇"
    root = root_region()
    return sheets.template_workbook(
        kind=kind, example_unit=example_unit, example_region_code=root.code if root else "330999",
        industries=list(Industry.objects.values_list("name", flat=True)),
    )


def job_row_errors(job: ImportJob) -> list[tuple[int, list[str]]]:
    """(Excel line, messages) of every wrong row of a failed job, read back from its error workbook (the 错误原因
    column beside the rows as uploaded); [] when the job has none."""
    if not job.error_file:
        return []
    with job.error_file.open("rb") as handle:
        rows = xlsx.read_sheet(handle, sheet=sheet_for(job.kind)[0])
    header = next((i for i, row in enumerate(rows) if ERROR_COLUMN in [str(c) for c in row]), None)
    if header is None:
        return []
    column = [str(c) for c in rows[header]].index(ERROR_COLUMN)
    found = []
    for index in range(header + 1, len(rows)):
        text = str(rows[index][column]).strip() if column < len(rows[index]) else ""
        if text:
            found.append((index + 1, text.splitlines()))
    return found
