"""Writes of monthly reporting: periods, saving, submitting, reviewing reports, closing and reopening months.

Every write is one transaction with its audit event; report saves are conditional on the version the user saw.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.lib.dates import cn_date, month_end
from tadiao.lib.versioning import save_if_unchanged, unchanged, update_if_unchanged
from tadiao.notifications import services as notifications
from tadiao.notifications import webhooks
from tadiao.org.models import Unit, User
from tadiao.projects import services as project_services
from tadiao.projects.lifecycle import crosses_start, gaps_text, project_dates, stages_passed_without_date
from tadiao.projects.models import Project, Stage, stage_rank
from tadiao.reporting import hooks, photos, queries
from tadiao.reporting.models import MonthlyReport, Period, ReportingSettings, ReportPhoto, UnitPhotoSetting
from tadiao.reporting.queries import reporting_settings

REPORT_FIELDS = [
    "investment_completed", "progress_text", "workers_on_site", "stage_reached", "stage_reached_date", "problems"
]


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
def update_settings(
    *,
    deadline_day: int,
    time_progress_basis: str,
    by: User,
    photo_max_distance_km: Decimal | None = None,
) -> ReportingSettings:
    """The monthly deadline day (applies to periods opened from now on), the 序时进度 basis and the distance beyond
    which a site photo is marked 存疑 (unchanged when None)."""
    _require_coordinator(by, "修改填报设置")
    if not 1 <= deadline_day <= 28:
        raise ReportingError("每月填报截止日应在 1–28 日之间。")
    if time_progress_basis not in ReportingSettings.TimeProgressBasis.values:
        raise ReportingError("未知的序时进度口径。")
    if photo_max_distance_km is not None and not Decimal("0.1") <= photo_max_distance_km <= Decimal("100"):
        raise ReportingError("照片拍摄位置的最大距离应在 0.1–100 公里之间。")
    settings = reporting_settings()
    fields = ["deadline_day", "time_progress_basis", "photo_max_distance_km"]
    before = audit.snapshot(settings, fields)
    values: dict[str, Any] = {"deadline_day": deadline_day, "time_progress_basis": time_progress_basis}
    if photo_max_distance_km is not None:
        values["photo_max_distance_km"] = photo_max_distance_km.quantize(Decimal("0.01"))
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(values))
    changes = audit.diff(before, values)
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
    if data.get("stage_reached_date"):
        if not data.get("stage_reached"):
            raise ReportingError("填写了达到阶段日期，请同时选择达到的阶段（或清空日期）。")
        if data["stage_reached_date"] > month_end(period.month):
            raise ReportingError(f"达到阶段日期不能晚于本月最后一天（{cn_date(month_end(period.month))}）。")
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
    # A refused change leaves `report` as it was (the page renders it with the refusal).
    if not update_if_unchanged(report, expected_version=expected_version, **values):
        raise ReportConflictError()


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
    webhooks.emit(event="report.submitted", data=_report_event(report), now=report.submitted_at)
    return report


def _report_event(report: MonthlyReport) -> dict:
    """A report's data in a Webhook event (docs/webhooks.md): ids, names, the month — no texts of the report."""
    project = report.project
    return {
        "report_id": report.pk, "project_id": project.pk, "project_code": project.code, "project_name": project.name,
        "unit_id": project.unit_id, "unit_name": project.unit.name, "month": f"{report.period.month:%Y-%m}",
        "status": report.status,
    }


@dataclass(frozen=True)
class StageAdvance:
    """What approving a report did to its project's lifecycle (shown to the office after the approval)."""

    from_stage: str
    to_stage: str
    actual_date: datetime.date
    skipped: str  # what the move passed without (a stage's date, approvals before 开工); "" for a normal move

    @property
    def message(self) -> str:
        text = (
            f"项目已按月报从{Stage(self.from_stage).label}推进到{Stage(self.to_stage).label}"
            f"（{cn_date(self.actual_date)}）"
        )
        if self.skipped:
            text += f"；注意：{self.skipped}，已作为重点项目办审核通过的跳过记录在案，请督促补齐"
        return text + "。"


def _advance_from_report(report: MonthlyReport, *, by: User, today: datetime.date) -> StageAdvance | None:
    """Advance the project to the stage the approved report reached, through the lifecycle service a manual advance
    uses (so the same date-order and skip rules apply, with the same transition and audit event). Never
    backwards: a stage at or before the project's current one moves nothing.

    The date is the one the report gives, else the month's last day — or the approval day when that is earlier
    (the lifecycle refuses future dates). The approver is the office, which may pass a stage without its date or
    reach 开工 before the required approvals with a reason: approving the report is that decision, and the reason
    says it came from the report; the gaps are kept on the transition and in the audit event, and shown."""
    stage = report.stage_reached
    # Locked and read afresh: the version check of the lifecycle service then compares with the row as it is now,
    # so an edit of the project made since the office opened the report cannot make the approval fail.
    project = Project.objects.select_for_update().get(pk=report.project_id)
    if not stage or project.is_cancelled or stage_rank(stage) <= stage_rank(project.stage):
        return None
    actual_date = report.stage_reached_date or min(month_end(report.period.month), today)
    from_stage = project.stage
    # What the move passes without, in the lifecycle's own words (the service applies the same rule).
    dates = project_dates(project)
    dates[stage] = actual_date
    missing = stages_passed_without_date(from_stage=from_stage, to_stage=stage, dates=dates)
    approvals = project_services.approvals_missing_before_start(project) if crosses_start(from_stage, stage) else []
    skipped = gaps_text(missing, approvals) if missing or approvals else ""
    try:
        project_services.advance_stage(
            project=project,
            stage=stage,
            actual_date=actual_date,
            by=by,
            today=today,
            expected_version=project.version,
            reason=f"月报审核通过（{report.period}）",
            source=f"{report.period}月报审核通过",
        )
    except project_services.ProjectError as exc:
        raise ReportingError(
            f"月报填报的达到阶段为{Stage(stage).label}，但项目不能据此推进：{exc.message}"
            "请核对月报的达到阶段及日期（或先修正项目的阶段日期）后再审核；月报未审核通过。"
        ) from exc
    return StageAdvance(from_stage=from_stage, to_stage=stage, actual_date=actual_date, skipped=skipped)


@transaction.atomic
def approve_report(
    *, report: MonthlyReport, by: User, expected_version: int, today: datetime.date | None = None
) -> MonthlyReport:
    """Approve a submitted report. When it reports a stage beyond the project's, the project advances to it in the
    same transaction (see _advance_from_report); `report.stage_advance` then says how (else None).
    `today` is the office's day (the views pass it; the default is only for scripts)."""
    _require_coordinator(by, "审核月报")
    _require_open(report.period)
    if report.status != MonthlyReport.Status.SUBMITTED:
        raise ReportingError(f"只有已报送的月报可以审核通过（当前：{report.get_status_display()}）。")
    today = today or timezone.localdate()
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
    report.stage_advance = _advance_from_report(report, by=by, today=today)
    webhooks.emit(event="report.approved", data=_report_event(report), now=report.reviewed_at)
    _notify_unit(
        report=report,
        kind="REPORT_APPROVED",
        title=f"月报审核通过：{report.project.name}（{report.period}）",
        body=f"{report.project.name}{report.period}的月报已由重点项目办审核通过。"
        + (report.stage_advance.message if report.stage_advance else ""),
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


@transaction.atomic
def set_photo_location_units(*, units: list[Unit], by: User) -> list[Unit]:
    """The units whose stored site photos keep the GPS position and shooting time (all others keep no EXIF at
    all). Set by the office or the sysadmin; each unit changed is audited."""
    if not (by.is_coordinator or by.is_sysadmin):
        raise ReportingError("设置照片是否保留拍摄位置需由调度员（重点项目办）或系统管理员操作。")
    wanted = {unit.pk for unit in units}
    current = set(
        UnitPhotoSetting.objects.filter(keep_photo_location=True).values_list("unit_id", flat=True)
    )
    changed = Unit.objects.filter(pk__in=wanted ^ current).order_by("display_order", "id")
    for unit in changed:
        keep = unit.pk in wanted
        UnitPhotoSetting.objects.update_or_create(unit=unit, defaults={"keep_photo_location": keep})
        audit.record(
            actor=by,
            action="reporting.settings.photo_location",
            obj=unit,
            changes={"keep_photo_location": [not keep, keep]},
        )
    return list(changed)


@transaction.atomic
def add_photo(*, report: MonthlyReport, upload: UploadedFile, by: User, now: datetime.datetime) -> ReportPhoto:
    """Check a site photo (size in bytes, format, pixels — from the header, before decoding), read its shooting
    time and GPS position, and store a fresh copy written by Pillow without metadata (the GPS position and the
    shooting time stay only when the unit keeps the location) plus a thumbnail."""
    _require_open(report.period)
    limit = queries.photo_max_bytes()
    if upload.size > limit:
        raise ReportingError(f"照片“{upload.name}”超过 {queries.size_text(limit)}，请压缩后再上传。")
    upload.seek(0)
    try:
        image = photos.open_checked(upload.read(), name=upload.name, max_pixels=queries.image_max_pixels())
    except photos.PhotoError as exc:
        raise ReportingError(exc.message) from exc
    evidence = photos.read_evidence(image)
    keep_location = queries.keeps_photo_location(report.project.unit_id)
    stored, (width, height) = photos.reencode(image, keep_location=keep_location)
    photo = ReportPhoto(
        report=report,
        original_name=upload.name[:200],
        uploaded_at=now,
        uploaded_by=by,
        taken_at=evidence.taken_at,
        latitude=evidence.latitude,
        longitude=evidence.longitude,
    )
    photo.image.save(f"photo.{photos.PHOTO_FORMATS[image.format]}", ContentFile(stored), save=False)
    photo.thumbnail.save(
        f"{report.pk}-{now:%Y%m%d%H%M%S%f}.jpg", ContentFile(photos.thumbnail(image)), save=False
    )
    # Set after the file is saved: the field's own dimension update reads the file back and comes out empty for a
    # ContentFile; these are the dimensions of what was written.
    photo.width, photo.height = width, height
    photo.save()
    audit.record(
        actor=by,
        action="reporting.photo.added",
        obj=report,
        changes={
            "photo": [None, photo.original_name],
            "taken_at": [None, evidence.taken_at],
            "latitude": [None, evidence.latitude],
            "longitude": [None, evidence.longitude],
            "location_kept": [None, keep_location],
        },
    )
    return photo
