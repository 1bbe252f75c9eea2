"""The report form's photo part on a phone (390×844) with the evidence gallery: a photo with its shooting time,
position and a 存疑 mark, one without EXIF — no horizontal scroll, for the reporter and for the reviewer."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tadiao.reporting import services
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import AnnualPlanFactory
from tests.reporting.photo_files import jpeg, plain_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def test_the_gallery_fits_a_phone(phone, screenshot_dir, coordinator, reporter_a, project_a):
    project_a.latitude, project_a.longitude = Decimal("30.000000"), Decimal("120.000000")
    project_a.save(update_fields=["latitude", "longitude"])
    AnnualPlanFactory(project=project_a, year=2026)
    period = services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    report = services.save_report(project=project_a, period=period, data={"progress_text": "主体封顶"},
                                  by=reporter_a, expected_version=None)
    now = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    far = jpeg(size=(1600, 1200), taken="2026:09:12 15:42:10", lat=30.03, lon=120.0,
               name="年产5万吨高性能纤维材料生产线主厂房钢结构吊装现场照片.jpg")
    services.add_photo(report=report, upload=SimpleUploadedFile(far.name, far.getvalue()), by=reporter_a, now=now)
    plain = plain_jpeg((1200, 1600))
    services.add_photo(report=report, upload=SimpleUploadedFile(plain.name, plain.getvalue()), by=reporter_a, now=now)

    for user in ("reporter_a", "coordinator"):
        phone.context.clear_cookies()
        log_in(phone, user, PASSWORD)
        phone.wait_for_url(lambda url: "/accounts/login/" not in url)
        phone.goto(f"/reporting/projects/{project_a.pk}/2026-11/")
        phone.wait_for_selector("#photos .photo-doubt")
        phone.screenshot(path=screenshot_dir / f"reporting-gallery-{user}-390.png", full_page=True)
        assert phone.evaluate(NO_SCROLL), phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert phone.locator("#photos .photo-no-evidence").inner_text() == "无拍摄信息"
        assert "距项目 3.34 公里" in phone.locator("#photos").inner_text()
