"""Writes of monthly reporting: periods, saving, submitting, reviewing reports, closing and reopening months.

Every write is one transaction with its audit event; report saves are conditional on the version the user saw.
"""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.lib.dates import cn_date
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.notifications import services as notifications
from tadiao.org.models import Unit, User
from tadiao.projects.models import Project
from tadiao.reporting import hooks, queries
from tadiao.reporting.models import MonthlyReport, Period, ReportingSettings, ReportPhoto
from tadiao.reporting.queries import reporting_settings

PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}
THUMBNAIL_SIZE = (320, 240)
REPORT_FIELDS = ["investment_completed", "progress_text", "workers_on_site", "stage_reached", "problems"]


class ReportingError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReportConflictError(ReportingError):
    def __init__(self):
        super().__init__("该月报已被他人修改（您看到的不是最新内容），您的修改没有保存。请刷新页面，核对后重新填写。")


class ImplausibleFigureError(ReportingError):
    """A figure the plausibility checks question, saved only once the reporter confirms it."""

    def __init__(self, warnings: list[str]):
        super().__init__("填报的数字明显异常，尚未保存：请核对；确认无误请勾选“我已核对，数字无误”后再保存。")
        self.warnings = warnings


def _report_link(report: MonthlyReport) -> str:
    return f"/reporting/projects/{report.project_id}/{report.period.month:%Y-%m}/"


def _notify_unit(*, report: MonthlyReport, kind: str, title: str, body: str, by: User) -> None:
    """The reporters of the project's unit, in-app and through the configured channels (inside the transaction)."""
    notifications.notify(
        kind=kind,
        title=title,
        body=body,
        link=_report_link(report),
        units=[report.project.unit],
        exclude=by if by.is_authenticated else None,
    )


def _require_coordinator(by: User, action: str) -> None:
    if not by.is_coordinator:
        raise ReportingError(f"{action}需由调度员（重点项目办）操作。")


def _require_open(period: Period) -> None:
    if period.is_closed:
        raise ReportingError(f"{period}已关账，不能再修改。如确需修改，请调度员填写原因后重新开账。")


@transaction.atomic
def update_settings(*, deadline_day: int, time_progress_basis: str, by: User) -> ReportingSettings:
    """The monthly deadline day (applies to periods opened from now on) and the 序时进度 basis."""
    _require_coordinator(by, "修改填报设置")
    if not 1 <= deadline_day <= 28:
        raise ReportingError("每月填报截止日应在 1–28 日之间。")
    if time_progress_basis not in ReportingSettings.TimeProgressBasis.values:
        raise ReportingError("未知的序时进度口径。")
    settings = reporting_settings()
    before = audit.snapshot(settings, ["deadline_day", "time_progress_basis"])
    settings.deadline_day, settings.time_progress_basis = deadline_day, time_progress_basis
    settings.save(update_fields=["deadline_day", "time_progress_basis"])
    changes = audit.diff(before, {"deadline_day": deadline_day, "time_progress_basis": time_progress_basis})
    if changes:
        audit.record(actor=by, action="reporting.settings.updated", obj=settings, changes=changes)
    return settings


@transaction.atomic
def open_period(*, month: datetime.date, by: User) -> Period:
    """The period of a month, created with the configured deadline day when it does not exist yet."""
    month = month.replace(day=1)
    period, created = Period.objects.get_or_create(
        month=month, defaults={"deadline": month.replace(day=reporting_settings().deadline_day)}
    )
    if created:
        audit.record(
            actor=by,
            action="reporting.period.opened",
            obj=period,
            changes={"month": [None, month], "deadline": [None, period.deadline]},
        )
    return period


@transaction.atomic
def save_report(
    *,
    project: Project,
    period: Period,
    data: dict[str, Any],
    by: User,
    expected_version: int | None,
    confirmed: bool = False,
) -> MonthlyReport:
    """Create or edit a project's report. `expected_version` is None only for a report not created yet.

    A month's investment that the plausibility checks question (queries.report_warnings) is refused with
    ImplausibleFigureError unless `confirmed`; the confirmed warnings are stored on the report and audited."""
    _require_open(period)
    if data.get("investment_completed") is not None and data["investment_completed"] < Decimal("0"):
        raise ReportingError("本月完成投资不能为负数。")
    if "investment_completed" in data:
        warnings = queries.report_warnings(project=project, period=period, investment=data["investment_completed"])
        if warnings and not confirmed:
            raise ImplausibleFigureError(warnings)
        data = {**data, "confirmed_warnings": "\n".join(warnings)}
    report = MonthlyReport.objects.filter(project=project, period=period).first()
    if report is None:
        if expected_version is not None:
            raise ReportConflictError()
        report = MonthlyReport.objects.create(project=project, period=period, **data)
        audit.record(
            actor=by,
            action="reporting.report.created",
            obj=report,
            changes=audit.created(data),
        )
        return report
    if expected_version is None or report.version != expected_version:
        raise ReportConflictError()
    if report.status in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED):
        raise ReportingError(f"该月报{report.get_status_display()}，不能再修改；如需修改请联系调度员退回。")
    if unchanged(report, data):
        return report  # saved as shown: no new version, no audit event
    before = audit.snapshot(report, list(data))
    for name, value in data.items():
        setattr(report, name, value)
    if not save_if_unchanged(report, list(data), expected_version=expected_version):
        raise ReportConflictError()
    report.refresh_from_db()
    changes = audit.diff(before, data)
    if changes:
        audit.record(actor=by, action="reporting.report.updated", obj=report, changes=changes)
    return report


def _set_status(report: MonthlyReport, *, expected_version: int, **values) -> None:
    # Not save_if_unchanged, which writes the object's own attributes: a refused change must leave `report` as
    # it was (the edit page renders it with the refusal).
    updated = MonthlyReport.objects.filter(pk=report.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ReportConflictError()
    report.refresh_from_db()


@transaction.atomic
def submit_report(*, report: MonthlyReport, by: User, expected_version: int) -> MonthlyReport:
    _require_open(report.period)
    if report.status not in (MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED):
        raise ReportingError(f"该月报{report.get_status_display()}，不能重复报送。")
    old = report.status
    _set_status(
        report,
        expected_version=expected_version,
        status=MonthlyReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=by,
        return_reason="",
    )
    audit.record(actor=by, action="reporting.report.submitted", obj=report, changes={"status": [old, report.status]})
    return report


@transaction.atomic
def approve_report(*, report: MonthlyReport, by: User, expected_version: int) -> MonthlyReport:
    _require_coordinator(by, "审核月报")
    _require_open(report.period)
    if report.status != MonthlyReport.Status.SUBMITTED:
        raise ReportingError(f"只有已报送的月报可以审核通过（当前：{report.get_status_display()}）。")
    _set_status(
        report,
        expected_version=expected_version,
        status=MonthlyReport.Status.APPROVED,
        reviewed_at=timezone.now(),
        reviewed_by=by,
    )
    audit.record(
        actor=by,
        action="reporting.report.approved",
        obj=report,
        changes={"status": [MonthlyReport.Status.SUBMITTED, report.status]},
    )
    _notify_unit(
        report=report,
        kind="REPORT_APPROVED",
        title=f"月报审核通过：{report.project.name}（{report.period}）",
        body=f"{report.project.name}{report.period}的月报已由重点项目办审核通过。",
        by=by,
    )
    return report


@transaction.atomic
def return_report(*, report: MonthlyReport, reason: str, by: User, expected_version: int) -> MonthlyReport:
    _require_coordinator(by, "退回月报")
    _require_open(report.period)
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError("退回月报必须填写退回原因。")
    if report.status not in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED):
        raise ReportingError(f"只有已报送或已通过的月报可以退回（当前：{report.get_status_display()}）。")
    old = report.status
    _set_status(
        report,
        expected_version=expected_version,
        status=MonthlyReport.Status.RETURNED,
        return_reason=reason[:300],
        reviewed_at=timezone.now(),
        reviewed_by=by,
    )
    audit.record(
        actor=by,
        action="reporting.report.returned",
        obj=report,
        message=reason,
        changes={"status": [old, report.status], "return_reason": ["", report.return_reason]},
    )
    again = "（已审核通过的月报重新退回修改）" if old == MonthlyReport.Status.APPROVED else ""
    _notify_unit(
        report=report,
        kind="REPORT_RETURNED",
        title=f"月报被退回：{report.project.name}（{report.period}）",
        body=f"{report.project.name}{report.period}的月报被重点项目办退回{again}，退回原因：{report.return_reason}。"
        f"请修改后在截止日期（{cn_date(report.period.deadline)}）前重新报送。",
        by=by,
    )
    return report


@transaction.atomic
def close_period(*, period: Period, by: User, today: datetime.date, reason: str = "") -> Period:
    """Close a month and freeze its snapshot as of the day of closing (or the month's end if that is earlier).

    A reason is required when reports are outstanding (anything not yet approved) or the deadline has not
    passed — queries.close_summary says which, and the page shows it before the coordinator confirms."""
    _require_coordinator(by, "关账")
    if period.is_closed:
        raise ReportingError(f"{period}已经关账。")
    if today < period.month:
        raise ReportingError(f"{period}尚未开始，不能关账。")
    reason = (reason or "").strip()
    summary = queries.close_summary(period, today=today)
    why = summary.reason_required_because
    if why and not reason:
        raise ReportingError("；".join(why) + "。确需现在关账，请填写关账原因。")
    closed = Period.objects.filter(pk=period.pk, status=Period.Status.OPEN).update(
        status=Period.Status.CLOSED, closed_at=timezone.now(), closed_by=by, close_reason=reason[:300]
    )
    if not closed:
        raise ReportingError(f"{period}已经关账。")
    period.refresh_from_db()
    audit.record(
        actor=by,
        action="reporting.period.closed",
        obj=period,
        message=reason,
        changes={
            "status": ["OPEN", "CLOSED"],
            "close_reason": ["", period.close_reason],
            "as_of": [None, summary.as_of],
            "days_to_deadline": [None, summary.days_to_deadline],
            "reports_outstanding": [None, summary.outstanding],
        },
    )
    # Closing publishes the month: its figures are frozen in the same transaction (indicators' hook, hooks.py).
    hooks.period_closed(period=period, by=by, as_of=summary.as_of)
    return period


@transaction.atomic
def reopen_period(*, period: Period, reason: str, by: User) -> Period:
    _require_coordinator(by, "重新开账")
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError("重新开账必须填写原因。")
    if not period.is_closed:
        raise ReportingError(f"{period}尚未关账。")
    Period.objects.filter(pk=period.pk).update(
        status=Period.Status.OPEN, closed_at=None, closed_by=None, close_reason=""
    )
    period.refresh_from_db()
    audit.record(
        actor=by, action="reporting.period.reopened", obj=period, message=reason, changes={"status": ["CLOSED", "OPEN"]}
    )
    # Every unit that owes reports for the month hears that it may edit them again.
    units = Unit.objects.filter(pk__in=queries.projects_owing_reports(period).values("unit_id"))
    notifications.notify(
        kind="REPORT_REOPENED",
        title=f"{period}月度填报已重新开账",
        body=f"重点项目办已将{period}的月度填报重新开账，原因：{reason}。如需修改本单位月报，请及时修改并报送。",
        link=f"/reporting/?month={period.month:%Y-%m}",
        units=list(units),
        exclude=by,
    )
    return period


def _checked_image(upload: UploadedFile):
    """The opened image when the upload really is a JPEG or PNG of acceptable size, else a clear refusal."""
    from PIL import Image, UnidentifiedImageError

    limit = queries.photo_max_bytes()
    if upload.size > limit:
        raise ReportingError(f"照片“{upload.name}”超过 {queries.size_text(limit)}，请压缩后再上传。")
    try:
        image = Image.open(upload)
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ReportingError(f"“{upload.name}”不是有效的图片文件，只能上传 JPG 或 PNG 照片。") from exc
    if image.format not in PHOTO_FORMATS:
        raise ReportingError(f"“{upload.name}”的格式为 {image.format}，只能上传 JPG 或 PNG 照片。")
    upload.seek(0)
    image = Image.open(upload)
    # Decompression bombs: Pillow refuses images over its pixel limit when they are loaded.
    image.load()
    return image


@transaction.atomic
def add_photo(*, report: MonthlyReport, upload: UploadedFile, by: User, now: datetime.datetime) -> ReportPhoto:
    _require_open(report.period)
    image = _checked_image(upload)
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    upload.seek(0)
    photo = ReportPhoto(report=report, original_name=upload.name[:200], uploaded_at=now, uploaded_by=by)
    photo.image.save(f"photo.{PHOTO_FORMATS[image.format]}", upload, save=False)
    photo.thumbnail.save(f"{report.pk}-{now:%Y%m%d%H%M%S%f}.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    audit.record(actor=by, action="reporting.photo.added", obj=report, changes={"photo": [None, photo.original_name]})
    return photo
