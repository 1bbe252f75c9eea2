"""Monthly reporting services: owed reports, submit/approve/return, closing, conflicts, photos, overdue units."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tadiao.audit.models import AuditEvent
from tadiao.reporting import queries, services
from tadiao.reporting.models import MonthlyReport, Period
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def period(coordinator):
    return services.open_period(month=datetime.date(2026, 11, 17), by=coordinator)


def _report(project, period, by, **data):
    values = {"investment_completed": Decimal("120.50"), "progress_text": "主体结构施工至三层", **data}
    return services.save_report(project=project, period=period, data=values, by=by, expected_version=None)


def test_period_gets_the_configured_deadline(period):
    assert (period.month, period.deadline, period.status) == (NOV, datetime.date(2026, 11, 25), "OPEN")
    assert AuditEvent.objects.filter(action="reporting.period.opened").count() == 1


def test_owed_reports_are_planned_not_cancelled_projects_of_the_scope(period, unit_a, unit_b, reporter_a):
    owed = ProjectFactory(unit=unit_a)
    AnnualPlanFactory(project=owed, year=2026)
    AnnualPlanFactory(project=ProjectFactory(unit=unit_a), year=2025)  # not in this year's plan
    AnnualPlanFactory(project=ProjectFactory(unit=unit_a, is_cancelled=True), year=2026)
    AnnualPlanFactory(project=ProjectFactory(unit=unit_b), year=2026)  # another unit's
    assert list(queries.owed_reports_for_user(reporter_a, period)) == [owed]


def test_submit_approve_and_return_cycle(period, project_a, reporter_a, coordinator):
    report = _report(project_a, period, reporter_a)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    assert report.status == MonthlyReport.Status.SUBMITTED
    with pytest.raises(services.ReportingError, match="需由调度员"):
        services.approve_report(report=report, by=reporter_a, expected_version=report.version)
    with pytest.raises(services.ReportingError, match="必须填写退回原因"):
        services.return_report(report=report, reason=" ", by=coordinator, expected_version=report.version)
    services.return_report(report=report, reason="投资额与进度不符", by=coordinator, expected_version=report.version)
    assert (report.status, report.return_reason) == ("RETURNED", "投资额与进度不符")
    report = services.save_report(
        project=project_a,
        period=period,
        data={"investment_completed": Decimal("80")},
        by=reporter_a,
        expected_version=report.version,
    )
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    services.approve_report(report=report, by=coordinator, expected_version=report.version)
    assert report.status == "APPROVED"
    assert report.investment_completed == Decimal("80.00")
    actions = list(
        AuditEvent.objects.filter(object_type="reporting.monthlyreport").order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "reporting.report.created",
        "reporting.report.submitted",
        "reporting.report.returned",
        "reporting.report.updated",
        "reporting.report.submitted",
        "reporting.report.approved",
    ]


def test_submitted_report_cannot_be_edited(period, project_a, reporter_a):
    report = _report(project_a, period, reporter_a)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    with pytest.raises(services.ReportingError, match="不能再修改"):
        services.save_report(
            project=project_a,
            period=period,
            data={"progress_text": "x"},
            by=reporter_a,
            expected_version=report.version,
        )


def test_two_saves_from_the_same_version_do_not_lose_an_edit_silently(period, project_a, reporter_a, coordinator):
    report = _report(project_a, period, reporter_a)
    seen = report.version
    services.save_report(
        project=project_a, period=period, data={"progress_text": "甲的修改"}, by=reporter_a, expected_version=seen
    )
    with pytest.raises(services.ReportConflictError) as conflict:
        services.save_report(
            project=project_a, period=period, data={"progress_text": "乙的修改"}, by=coordinator, expected_version=seen
        )
    assert "您的修改没有保存" in conflict.value.message
    assert MonthlyReport.objects.get(pk=report.pk).progress_text == "甲的修改"
    # A second "new report" from a stale page is a conflict too, not a duplicate.
    with pytest.raises(services.ReportConflictError):
        services.save_report(project=project_a, period=period, data={}, by=coordinator, expected_version=None)


def test_closed_period_refuses_changes_until_reopened_with_reason(period, project_a, reporter_a, coordinator):
    report = _report(project_a, period, reporter_a)
    services.close_period(period=period, by=coordinator, today=datetime.date(2026, 12, 1), reason="数据已核")
    with pytest.raises(services.ReportingError, match="已关账"):
        services.submit_report(report=MonthlyReport.objects.get(pk=report.pk), by=reporter_a, expected_version=1)
    with pytest.raises(services.ReportingError, match="必须填写原因"):
        services.reopen_period(period=period, reason="", by=coordinator)
    with pytest.raises(services.ReportingError, match="需由调度员"):
        services.reopen_period(period=period, reason="数据更正", by=reporter_a)
    services.reopen_period(period=period, reason="东城镇数据更正", by=coordinator)
    report = MonthlyReport.objects.get(pk=report.pk)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    assert AuditEvent.objects.get(action="reporting.period.reopened").message == "东城镇数据更正"


def test_overdue_units_after_the_deadline(period, unit_a, unit_b, reporter_a):
    done, late = ProjectFactory(unit=unit_a), ProjectFactory(unit=unit_b)
    for project in (done, late):
        AnnualPlanFactory(project=project, year=2026)
    report = _report(done, period, reporter_a)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    assert list(queries.overdue_units(period, today=datetime.date(2026, 11, 25))) == []
    assert list(queries.overdue_units(period, today=datetime.date(2026, 11, 26))) == [unit_b]


def _png(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_is_checked_stored_and_thumbnailed(period, project_a, reporter_a, settings):
    report = _report(project_a, period, reporter_a)
    now = timezone.now()
    photo = services.add_photo(report=report, upload=SimpleUploadedFile("工地.png", _png()), by=reporter_a, now=now)
    assert (photo.width, photo.height, photo.original_name) == (800, 600, "工地.png")
    assert photo.image.path.startswith(str(settings.MEDIA_ROOT))
    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.size == (320, 240)
    with pytest.raises(services.ReportingError, match="不是有效的图片文件"):
        services.add_photo(
            report=report, upload=SimpleUploadedFile("假图.jpg", b"not an image"), by=reporter_a, now=now
        )
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(services.ReportingError, match="只能上传 JPG 或 PNG"):
        services.add_photo(report=report, upload=SimpleUploadedFile("动图.gif", gif.getvalue()), by=reporter_a, now=now)


def test_period_str_is_chinese_month(period):
    assert str(period) == "2026年11月"
    assert Period.objects.count() == 1
