"""The reporter's weekly pages on a phone (390 × 844): one column, no horizontal scroll, the report filled in and
sent from the phone; and the office's 周调度 sheet at 1440 px."""

import pytest

from tadiao.projects.models import Level
from tadiao.weekly.models import WeeklyReport, WeeklySettings
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True,
        locale="zh-CN", base_url=live_server.url,
    )
    page = context.new_page()
    yield page
    context.close()


def test_reporter_fills_in_the_weekly_report_on_a_phone(phone, screenshot_dir, reporter_a, unit_a, unit_b):
    WeeklySettings.objects.update_or_create(pk=1, defaults={"levels": [Level.PROVINCIAL]})
    project = ProjectFactory(name="年产12万套新能源汽车一体化压铸件及配套零部件智能制造产业化项目", unit=unit_a,
                             level=Level.PROVINCIAL)
    ProjectFactory(name="西湖街道省重点项目", unit=unit_b, level=Level.PROVINCIAL)

    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto("/weekly/")
    rows = phone.locator("#weekly-table tbody tr")
    assert rows.count() == 1 and "未填报" in rows.first.inner_text()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    # One column: the row's cells are stacked, each as wide as the row.
    boxes = [c.bounding_box() for c in rows.first.locator("td").all()]
    assert len({round(b["x"]) for b in boxes}) == 1 and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    phone.screenshot(path=screenshot_dir / "weekly-list-390.png", full_page=True)

    rows.first.locator("a.fw-semibold").click()
    phone.wait_for_selector("#weekly-form")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    # Large touch targets: the send button is at least 44 px high and the fields fill the width.
    send = phone.locator("button[name=submit]").bounding_box()
    progress = phone.locator("#id_progress_text").bounding_box()
    assert send["height"] >= 44 and progress["width"] > 300
    phone.fill("#id_progress_text", "完成压铸车间钢结构吊装，设备基础浇筑完成80%")
    phone.fill("#id_next_week_plan", "屋面板安装")
    phone.fill("#id_workers_on_site", "86")
    phone.click("#problem-fields summary")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    phone.screenshot(path=screenshot_dir / "weekly-form-390.png", full_page=True)
    phone.click("button[name=submit]")
    phone.wait_for_selector("text=周报已报送重点项目办。")
    assert phone.inner_text("#report-status") == "已报送"
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    report = WeeklyReport.objects.get(project=project)
    assert (report.status, report.workers_on_site) == ("SUBMITTED", 86)


def test_office_sheet_at_1440(browser, live_server, screenshot_dir, coordinator, reporter_a, unit_a):
    WeeklySettings.objects.update_or_create(pk=1, defaults={"levels": [Level.CITY]})
    ProjectFactory(name="东城镇市重点项目", unit=unit_a, level=Level.CITY)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, "coordinator", PASSWORD)
        page.wait_for_url("**/dashboard/")
        page.goto("/weekly/")
        page.wait_for_selector("#weekly-table")
        assert page.locator("nav a.nav-link.active").inner_text() == "周调度"  # the menu entry
        page.click("#office-links >> text=周调度表")
        page.wait_for_selector("#sheet-missing")
        assert "东城镇市重点项目" in page.inner_text("#sheet-missing")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        with page.expect_download() as download:
            page.click("#sheet-xlsx")
        assert download.value.suggested_filename.endswith(".xlsx")
        page.screenshot(path=screenshot_dir / "weekly-sheet-1440.png", full_page=True)
    finally:
        context.close()
