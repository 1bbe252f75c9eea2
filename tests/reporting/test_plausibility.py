"""Issue 15, point 7: a month's figure above the year's plan, or a since-start total above the project's total
investment, is saved only when the reporter confirms it; an annual plan far below what was reported is warned of.

东城镇智能装备产业园: total investment 5 000 万元, 2026 plan 1 000 万元 (the factories' figures).
"""

import datetime
import io
from decimal import Decimal

import pytest
from PIL import Image

from tadiao.audit.models import AuditEvent
from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport
from tests.conftest import login
from tests.factories import AnnualPlanFactory

pytestmark = pytest.mark.django_db
MONTH = "2026-11"


@pytest.fixture
def period(coordinator):
    return services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)


@pytest.fixture
def planned(project_a):
    AnnualPlanFactory(project=project_a, year=2026, planned_investment=Decimal("1000"))
    return project_a


def _form(**extra):
    return {"investment_completed": "25000", "progress_text": "厂房主体施工", "workers_on_site": "60", **extra}


def test_a_figure_25_times_the_plan_is_refused_until_confirmed(client, reporter_a, period, planned):
    login(client, reporter_a)
    url = f"/reporting/projects/{planned.pk}/{MONTH}/"
    response = client.post(url, _form())
    body = response.content.decode()
    assert response.status_code == 200
    assert "填报的数字明显异常，尚未保存" in body
    # 25 000 / 1 000 = 2 500%; since start 0 + 25 000 > 5 000.
    assert "本月完成投资 25,000.00 万元，超过该项目2026年度计划投资 1,000.00 万元（为年度计划的 2500.00%）" in body
    assert "加上本月，项目累计完成投资将达 25,000.00 万元，超过项目总投资 5,000.00 万元" in body
    assert 'name="confirm_warnings"' in body
    assert not MonthlyReport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="reporting.report").exists()

    response = client.post(url, _form(confirm_warnings="on"))
    assert response.status_code == 302
    report = MonthlyReport.objects.get(project=planned, period=period)
    assert report.investment_completed == Decimal("25000")
    assert report.confirmed_warnings.splitlines()[0].startswith("本月完成投资 25,000.00 万元，超过")
    event = AuditEvent.objects.get(action="reporting.report.created")
    assert event.changes["confirmed_warnings"][1] == report.confirmed_warnings
    # The reviewer sees what the reporter confirmed.
    body = client.get(url).content.decode()
    assert 'id="confirmed-warnings"' in body and "为年度计划的 2500.00%" in body


def test_a_plausible_figure_saves_without_a_question(client, reporter_a, period, planned):
    login(client, reporter_a)
    response = client.post(f"/reporting/projects/{planned.pk}/{MONTH}/", _form(investment_completed="300"))
    assert response.status_code == 302
    assert MonthlyReport.objects.get(project=planned).confirmed_warnings == ""


def test_the_since_start_total_above_the_total_investment_is_questioned(
    client, coordinator, reporter_a, period, planned
):
    october = services.open_period(month=datetime.date(2026, 10, 1), by=coordinator)
    services.save_report(project=planned, period=october, data={"investment_completed": Decimal("900")},
                         by=reporter_a, expected_version=None)
    september = services.open_period(month=datetime.date(2026, 9, 1), by=coordinator)
    MonthlyReport.objects.create(project=planned, period=september, investment_completed=Decimal("3900"))
    login(client, reporter_a)
    url = f"/reporting/projects/{planned.pk}/{MONTH}/"
    # 3 900 + 900 + 250 = 5 050 > 5 000; 250 is below the plan: only the since-start warning.
    body = client.post(url, _form(investment_completed="250")).content.decode()
    assert "加上本月，项目累计完成投资将达 5,050.00 万元，超过项目总投资 5,000.00 万元" in body
    assert "超过该项目2026年度计划投资" not in body
    assert not MonthlyReport.objects.filter(period__month=datetime.date(2026, 11, 1)).exists()
    # 200 brings it to exactly 5 000: allowed without a question.
    assert client.post(url, _form(investment_completed="200")).status_code == 302


def test_submitting_a_questioned_figure_needs_the_confirmation_too(client, reporter_a, period, planned):
    login(client, reporter_a)
    url = f"/reporting/projects/{planned.pk}/{MONTH}/"
    client.post(url, _form(submit="1"))
    assert not MonthlyReport.objects.exists()
    client.post(url, _form(submit="1", confirm_warnings="on"))
    assert MonthlyReport.objects.get().status == "SUBMITTED"


def test_an_annual_plan_below_the_reported_investment_is_warned_of(client, coordinator, reporter_a, project_a):
    """The issue's 3.79 万元 plan: 95 万元 reported gives 2506.60% (95 / 3.79 = 25.0660…)."""
    october = services.open_period(month=datetime.date(2026, 10, 1), by=coordinator)
    MonthlyReport.objects.create(project=project_a, period=october, investment_completed=Decimal("95"))
    login(client, reporter_a)
    response = client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "3.79"},
                           follow=True)
    body = response.content.decode()
    assert "已保存2026年度计划。" in body
    assert ("2026年度计划投资 3.79 万元，低于该项目本年已填报的完成投资 95.00 万元，年度投资完成率将达 2506.60%"
            in body)
    response = client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "9000"},
                           follow=True)
    assert "2026年度计划投资 9,000.00 万元，超过项目总投资 5,000.00 万元" in response.content.decode()
    response = client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "800"},
                           follow=True)
    assert "请核对" not in response.content.decode()


# ---------------------------------------------------------------------------------------------------
# Point 8: one upload limit, read by the hint and by the check


def _jpeg(size=(640, 480)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.effect_noise(size, 80).convert("RGB").save(buffer, "JPEG", quality=95)
    buffer.name = "现场.jpg"
    buffer.seek(0)
    return buffer


def test_the_photo_hint_and_the_check_read_the_one_upload_setting(client, settings, reporter_a, period, planned):
    report = services.save_report(project=planned, period=period, data={}, by=reporter_a, expected_version=None)
    login(client, reporter_a)
    url = f"/reporting/projects/{planned.pk}/{MONTH}/"
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024  # README: TADIAO_UPLOAD_MAX_BYTES, 20 MB
    assert 'id="photo-hint">JPG/PNG，单张不超过 20 MB。' in client.get(url).content.decode()

    photo = _jpeg()
    size = len(photo.getvalue())
    settings.UPLOAD_MAX_BYTES = 10 * 1024  # 10 KB: the noise photo is larger
    assert size > 10 * 1024
    assert 'id="photo-hint">JPG/PNG，单张不超过 10 KB。' in client.get(url).content.decode()
    response = client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": photo}, follow=True)
    assert "照片“现场.jpg”超过 10 KB，请压缩后再上传。" in response.content.decode()
    assert not report.photos.exists()

    settings.UPLOAD_MAX_BYTES = size  # exactly the limit: accepted
    again = io.BytesIO(photo.getvalue())
    again.name = "现场.jpg"
    response = client.post(f"/reporting/reports/{report.pk}/photos/", {"photo": again}, follow=True)
    assert "照片已上传。" in response.content.decode()
