"""月度进展: each row is one project's monthly report for one month, written submitted or approved, all
or nothing; a month not opened yet is opened."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.imports import parsing, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.imports.services.base import BATCH, ImportFailed, Row, _chunks, _lock_unchanged
from tadiao.imports.services.running import _succeed
from tadiao.imports.services.validation import (
    _cell,
    _column_labels,
    _first_rows,
    _keyed_rows,
    _KeyedRow,
    _required,
)
from tadiao.reporting import services as reporting
from tadiao.reporting.models import MonthlyReport, Period

REPORT_DONE = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED)
REPORT_STATUS_FIELDS = ["status", "return_reason", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]


def import_progress(*, job: ImportJob, by, rows: Sequence[Row], today: datetime.date) -> SheetOutcome:
    """Create or update each row's MonthlyReport(project, month), all or nothing.

    Imported by a coordinator (or at the command line without --user) a report is approved, by a reporter
    submitted. A submitted or approved report whose content would change may be overwritten only by a
    coordinator; a row that changes nothing is no overwrite, so re-importing the same rows changes nothing.
    A month after `today`'s, or a closed month, is refused; a month not opened yet is opened.
    """
    columns = _column_labels(sheets.PROGRESS_COLUMNS, sheets.PROGRESS_EXTRA_COLUMNS)
    extra = [key for key in sheets.PROGRESS_EXTRA_COLUMNS if rows and key in rows[0].values]
    this_month = today.replace(day=1)

    def parse(row: Row, errors: list[str]) -> dict[str, Any]:
        month = _required(row, "month", columns["month"], parsing.parse_month, errors)
        if month is not None and month > this_month:
            errors.append(f"{columns['month']}：{month.year}年{month.month}月还没有到，不能导入未来月份的进展。")
        values = {
            "month": month,
            "investment_completed": _required(row, "investment_completed", columns["investment_completed"],
                                              parsing.parse_money, errors),
            "progress_text": parsing.cell_text(row.values.get("progress_text")),
        }
        if "workers_on_site" in extra:
            values["workers_on_site"] = _cell(row, "workers_on_site", columns["workers_on_site"], parsing.parse_int,
                                              errors)
        if "problems" in extra:
            values["problems"] = parsing.cell_text(row.values.get("problems"))
        return values

    parsed = _keyed_rows(job=job, by=by, rows=rows, parse=parse)
    months = sorted({item.values["month"] for item in parsed if item.values["month"] is not None})
    periods = {p.month: p for p in Period.objects.filter(month__in=months).order_by()} if months else {}
    for item in parsed:
        period = periods.get(item.values["month"])
        if period is not None and period.is_closed:
            item.errors.append(f"{period}已关账，不能导入。")
    _first_rows(parsed, lambda item: (item.project.pk, item.values["month"])
                if item.project is not None and item.values["month"] is not None else None,
                "与第 {line} 行是同一项目同一月份的进展，请合并为一行。")

    existing = _load_reports(parsed, periods)
    coordinating = by is None or by.is_coordinator  # the command line without --user acts for the office
    status = MonthlyReport.Status.APPROVED if coordinating else MonthlyReport.Status.SUBMITTED
    now = timezone.now()
    created: list[tuple[MonthlyReport, datetime.date, dict[str, Any]]] = []
    updated: list[tuple[MonthlyReport, int, dict[str, Any]]] = []
    for item in parsed:
        if item.errors:
            continue
        assert item.project is not None
        data = {key: value for key, value in item.values.items() if key != "month"}
        month = item.values["month"]
        report = existing.get((item.project.pk, month))
        if report is None:
            report = MonthlyReport(project=item.project, **data)
            _set_report_status(report, status=status, by=by, now=now)
            changes = audit.created(data) | {"status": [None, status]}
            created.append((report, month, changes))
            continue
        before = audit.snapshot(report, [*data, "status"])
        # Nothing new is no overwrite; an approved report is not sent back to 已报送 by a reporter's same row.
        if not audit.diff(before, data) and report.status in (status, MonthlyReport.Status.APPROVED):
            continue
        if report.status in REPORT_DONE and not coordinating:
            item.errors.append("该月报已报送/审核，不能覆盖。")
            continue
        read_version = report.version
        for key, value in data.items():
            setattr(report, key, value)
        _set_report_status(report, status=status, by=by, now=now)
        report.version, report.updated_at = read_version + 1, now
        updated.append((report, read_version, audit.diff(before, {**data, "status": report.status})))
    errors = {p.row.line: p.errors for p in parsed if p.errors}
    if errors:
        return SheetOutcome(total=len(rows), errors=errors)

    outcome = SheetOutcome(total=len(rows), created=len(created), updated=len(updated),
                      unchanged=len(rows) - len(created) - len(updated))
    with transaction.atomic():
        opened = _open_periods({month for _, month, _ in created},
                               written={report.period.month for report, _, _ in updated}, by=by)
        for report, month, _ in created:
            report.period = opened[month]
        # The version other people's open pages hold: bumped here, so their save is refused as a conflict.
        _lock_unchanged(MonthlyReport, {report.pk: version for report, version, _ in updated}, field="version",
                        noun="月报")
        MonthlyReport.objects.bulk_create([report for report, _, _ in created], batch_size=BATCH)
        if updated:
            MonthlyReport.objects.bulk_update(
                [report for report, _, _ in updated],
                ["investment_completed", "progress_text", *extra, *REPORT_STATUS_FIELDS, "version", "updated_at"],
                batch_size=BATCH,
            )
        audit.record_many(
            actor=by, actor_name="" if by else CLI_ACTOR,
            events=[("reporting.report.imported", report, changes) for report, _, changes in created]
            + [("reporting.report.imported", report, changes) for report, _, changes in updated],
        )
        _succeed(job, by=by, outcome=outcome, noun="月报", measure="份")
    return outcome


def _set_report_status(report: MonthlyReport, *, status: str, by, now: datetime.datetime) -> None:
    """An imported report is submitted (by a reporter) or approved (by a coordinator) at once."""
    if status == MonthlyReport.Status.APPROVED:
        report.reviewed_at, report.reviewed_by = now, by
    else:
        report.submitted_at, report.submitted_by = now, by
    report.status, report.return_reason = status, ""


def _load_reports(parsed: list[_KeyedRow], periods: dict[datetime.date, Period]
                  ) -> dict[tuple[int, datetime.date], MonthlyReport]:
    """The existing reports of the rows' projects in the rows' months, by (project id, month), with their
    project and period attached. Months without a period have no report: no query for a new month."""
    projects = {item.project.pk: item.project for item in parsed if item.project is not None}
    by_id = {period.pk: period for period in periods.values()}
    found: dict[tuple[int, datetime.date], MonthlyReport] = {}
    if not by_id:
        return found
    for chunk in _chunks(projects):
        for report in MonthlyReport.objects.filter(project_id__in=chunk, period_id__in=sorted(by_id)).order_by():
            report.project, report.period = projects[report.project_id], by_id[report.period_id]
            found[(report.project_id, report.period.month)] = report
    return found


def _open_periods(months: set[datetime.date], *, written: set[datetime.date], by) -> dict[datetime.date, Period]:
    """The periods of every month written to (`months`: of new reports; `written`: of updated ones), locked
    and still open; a month of `months` not opened yet is opened now (the reporting service's rule: its
    deadline on the configured day, and its audit event)."""
    wanted = sorted(months | written)
    if not wanted:
        return {}
    periods = {p.month: p for p in Period.objects.select_for_update().filter(month__in=wanted).order_by()}
    if any(period.is_closed for period in periods.values()):  # the rows were checked against open months
        raise ImportFailed("导入期间有月份被关账，未导入任何数据，请重新导入。")
    for month in sorted(months - periods.keys()):
        periods[month] = reporting.open_period(month=month, by=by)
    return periods
