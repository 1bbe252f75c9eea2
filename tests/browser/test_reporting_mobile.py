"""The reporter's pages on a phone (390×844): the report list and the report form have no horizontal scroll, with
and without the plausibility warning shown; the fill-in path works there."""

import datetime
from decimal import Decimal

import pytest

from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser, live_server):
    # Not is_mobile: Chromium's mobile emulation widens the layout viewport to the content, so window.innerWidth
    # would grow with an overflowing page and the check below could never fail.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def _widths(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_report_list_and_form_fit_a_phone(phone, screenshot_dir, coordinator, reporter_a, unit_a):
    period = services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    projects = [
        ProjectFactory(unit=unit_a, name=name)
        for name in (
            "年产5万吨高性能纤维材料及配套智能化生产线建设项目", "东城镇污水管网改造工程", "东城镇智能装备产业园"
        )
    ]
    for project in projects:
        AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal("1000"))
    services.save_report(
        project=projects[1], period=period, data={"investment_completed": Decimal("120.5"),
                                                  "progress_text": "管网铺设完成 3.2 公里，检查井砌筑 40 座"},
        by=reporter_a, expected_version=None,
    )

    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto("/reporting/?month=2026-11")
    phone.wait_for_selector("#report-table")
    phone.screenshot(path=screenshot_dir / "reporting-list-390.png", full_page=True)
    assert phone.evaluate(NO_SCROLL), _widths(phone)
    # The table fits too (rather than scrolling sideways inside its wrapper), 填报 within reach.
    table_fits = "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('#report-table'))"
    assert phone.evaluate(table_fits)
    assert phone.locator("#report-table a", has_text="填报").first.is_visible()

    phone.click(f'a[href="/reporting/projects/{projects[0].pk}/2026-11/"]')
    phone.wait_for_selector("#id_investment_completed")
    assert phone.evaluate(NO_SCROLL), _widths(phone)
    phone.fill("#id_investment_completed", "25000")
    phone.fill("#id_progress_text", "钢结构厂房吊装完成")
    phone.click("button[name=save]")
    phone.wait_for_selector("#plausibility-warnings")
    phone.screenshot(path=screenshot_dir / "reporting-form-warning-390.png", full_page=True)
    assert phone.evaluate(NO_SCROLL), _widths(phone)
    assert not MonthlyReport.objects.filter(project=projects[0]).exists()
    phone.check("#id_confirm_warnings")
    phone.click("button[name=save]")
    phone.wait_for_selector("text=月报已保存（草稿）。")
    assert phone.evaluate(NO_SCROLL), _widths(phone)
    assert MonthlyReport.objects.get(project=projects[0]).investment_completed == Decimal("25000")
