"""Monthly reporting pages with the three standard actors, the full cycle through the pages, flat query counts."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import login
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
MONTH = "2026-11"


@pytest.fixture
def period(coordinator):
    return services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)


@pytest.fixture
def planned_a(project_a):
    AnnualPlanFactory(project=project_a, year=2026)
    return project_a


def _form(**extra):
    return {"investment_completed": "350.5", "progress_text": "厂房钢结构吊装完成60%", "workers_on_site": "85", **extra}


def test_reporter_fills_saves_and_submits(client, reporter_a, period, planned_a):
    login(client, reporter_a)
    listing = client.get(f"/reporting/?month={MONTH}").content.decode()
    assert planned_a.name in listing and "未填报" in listing
    url = f"/reporting/projects/{planned_a.pk}/{MONTH}/"
    assert client.post(url, _form()).status_code == 302
    report = MonthlyReport.objects.get(project=planned_a, period=period)
    assert (report.status, str(report.investment_completed), report.workers_on_site) == ("DRAFT", "350.50", 85)
    response = client.post(url, _form(version=report.version, submit="1"), follow=True)
    assert "月报已报送，等待重点项目办审核。" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).status == "SUBMITTED"


def test_negative_investment_gets_a_chinese_message(client, reporter_a, period, planned_a):
    login(client, reporter_a)
    response = client.post(f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form(investment_completed="-1"))
    assert "本月完成投资不能为负数。" in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_stale_page_gets_a_conflict_message(client, reporter_a, coordinator, period, planned_a):
    report = services.save_report(
        project=planned_a, period=period, data={"progress_text": "初稿"}, by=reporter_a, expected_version=None
    )
    login(client, coordinator)
    client.post(f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form(version=report.version, progress_text="调度员改"))
    login(client, reporter_a)
    response = client.post(
        f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form(version=report.version, progress_text="填报员改")
    )
    assert "您的修改没有保存" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).progress_text == "调度员改"


def test_other_units_reporter_gets_404_everywhere(client, reporter_a, reporter_b, period, planned_a):
    report = services.save_report(project=planned_a, period=period, data={}, by=reporter_a, expected_version=None)
    login(client, reporter_b)
    assert planned_a.name not in client.get(f"/reporting/?month={MONTH}").content.decode()
    assert client.get(f"/reporting/projects/{planned_a.pk}/{MONTH}/").status_code == 404
    assert client.post(f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form()).status_code == 404
    assert client.post(f"/reporting/reports/{report.pk}/photos/", {}).status_code == 404


def test_leader_reads_but_gets_403_on_writes(client, leader, reporter_a, period, planned_a):
    report = services.save_report(project=planned_a, period=period, data={}, by=reporter_a, expected_version=None)
    login(client, leader)
    assert client.get(f"/reporting/projects/{planned_a.pk}/{MONTH}/").status_code == 200
    assert client.post(f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form()).status_code == 403
    assert client.post(f"/reporting/reports/{report.pk}/photos/", {}).status_code == 403
    assert client.post(f"/reporting/reports/{report.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/reporting/periods/{period.pk}/close/").status_code == 403


def test_reporter_cannot_review_close_or_open(client, reporter_a, period, planned_a):
    report = services.save_report(project=planned_a, period=period, data={}, by=reporter_a, expected_version=None)
    login(client, reporter_a)
    assert client.post(f"/reporting/reports/{report.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/reporting/periods/{period.pk}/close/").status_code == 403
    assert client.post("/reporting/periods/open/", {"month": "2026-12"}).status_code == 403


def test_coordinator_returns_approves_and_closes(client, coordinator, reporter_a, period, planned_a):
    report = services.save_report(project=planned_a, period=period, data={}, by=reporter_a, expected_version=None)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    login(client, coordinator)
    response = client.post(
        f"/reporting/reports/{report.pk}/review/",
        {"decision": "return", "reason": "", "version": report.version},
        follow=True,
    )
    assert "退回月报必须填写退回原因。" in response.content.decode()
    client.post(
        f"/reporting/reports/{report.pk}/review/",
        {"decision": "return", "reason": "请补充照片", "version": report.version},
    )
    assert MonthlyReport.objects.get(pk=report.pk).status == "RETURNED"
    # A returned report is outstanding: closing needs a reason (issue 15).
    client.post(f"/reporting/periods/{period.pk}/close/", {"reason": "东城镇月报退回后未重报，按期关账"})
    assert Period.objects.get(pk=period.pk).status == "CLOSED"
    login(client, reporter_a)
    response = client.post(f"/reporting/projects/{planned_a.pk}/{MONTH}/", _form(version=report.version + 1))
    assert "已关账" in response.content.decode()


def test_photo_upload_and_access(client, reporter_a, reporter_b, period, planned_a):
    report = services.save_report(project=planned_a, period=period, data={}, by=reporter_a, expected_version=None)
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(buffer, "JPEG")
    buffer.name = "现场.jpg"
    buffer.seek(0)
    login(client, reporter_a)
    response = client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": buffer}, follow=True)
    body = response.content.decode()
    assert "照片已上传。" in body, body[body.find("td-main") : body.find("td-main") + 600]
    photo = report.photos.get()
    assert client.get(f"/reporting/photos/{photo.pk}/thumb/").status_code == 200
    login(client, reporter_b)
    assert client.get(f"/reporting/photos/{photo.pk}/full/").status_code == 404
    login(client, reporter_a)
    response = client.post(
        f"/reporting/reports/{report.pk}/photos/", {"photo": io.BytesIO(b"%PDF-1.4 not a photo")}, follow=True
    )
    assert "只能上传 JPG 或 PNG 照片" in response.content.decode()


def test_overdue_units_are_listed_for_the_coordinator_not_the_reporter(client, coordinator, reporter_a, planned_a):
    # October 2026's deadline (the 25th) is in the past for every run of this test.
    october = services.open_period(month=datetime.date(2026, 10, 1), by=coordinator)
    login(client, coordinator)
    assert "逾期未报单位（1 个）：东城镇" in client.get("/reporting/?month=2026-10").content.decode()
    login(client, reporter_a)
    assert "逾期未报单位" not in client.get("/reporting/?month=2026-10").content.decode()
    report = services.save_report(project=planned_a, period=october, data={}, by=reporter_a, expected_version=None)
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    login(client, coordinator)
    assert "逾期未报单位" not in client.get("/reporting/?month=2026-10").content.decode()


# List (9): session, user, unit, region, the period, count, the page's projects (units joined), their reports,
# overdue units (one query with subqueries) — the same at N and 2N projects.
def test_list_query_count_is_flat(client, coordinator, period, unit_a, unit_b):
    login(client, coordinator)

    def add(n):
        for i in range(n):
            project = ProjectFactory(unit=(unit_a, unit_b)[i % 2])
            AnnualPlanFactory(project=project, year=2026)
            services.save_report(project=project, period=period, data={}, by=coordinator, expected_version=None)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reporting/?month={MONTH}").status_code == 200
        return len(ctx.captured_queries)

    add(5)
    at_n = count()
    add(5)
    assert count() == at_n


def test_coordinator_sets_the_deadline_day_for_later_periods(client, coordinator, reporter_a, period):
    login(client, reporter_a)
    assert client.post("/reporting/settings/", {"deadline_day": "20", "time_progress_basis": "DAYS"}).status_code == 403
    login(client, coordinator)
    response = client.post("/reporting/settings/", {"deadline_day": "31", "time_progress_basis": "DAYS"}, follow=True)
    assert "截止日应在 1–28 日之间。" in response.content.decode()
    client.post("/reporting/settings/", {"deadline_day": "20", "time_progress_basis": "DAYS"})
    december = services.open_period(month=datetime.date(2026, 12, 1), by=coordinator)
    assert december.deadline == datetime.date(2026, 12, 20)
    assert Period.objects.get(pk=period.pk).deadline == datetime.date(2026, 11, 25)  # opened earlier: unchanged
    from tadiao.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="reporting.settings.updated").changes == {
        "deadline_day": [25, 20],
        "time_progress_basis": ["MONTHS", "DAYS"],
    }
