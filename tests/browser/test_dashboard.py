"""The 驾驶舱 in Chromium: every chart renders from the locally served ECharts, and a click opens the filtered list."""

import datetime
import re
from decimal import Decimal

import pytest

from tadiao.projects.models import Stage
from tadiao.reporting import services as reporting
from tests.browser.conftest import log_in
from tests.browser.seed import seed_indicator_defaults
from tests.conftest import PASSWORD
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


@pytest.fixture(autouse=True)
def _indicator_defaults(db):
    # An earlier transactional test's flush empties the rate definitions the ranking chart needs: put them back.
    seed_indicator_defaults()


CHARTS = ["chart-funnel", "chart-investment", "chart-ranking", "chart-warnings", "chart-milestones"]


@pytest.fixture(autouse=True)
def _indicator_defaults(db):
    """A transactional test before this one (test_api_docs.py, alphabetically first) emptied the seeded rates."""
    seed_indicator_defaults()


def test_charts_render_and_click_through(page, screenshot_dir, coordinator, reporter_a, unit_a, unit_b):
    started = ProjectFactory(
        unit=unit_a,
        name="东城开工项目",
        stage=Stage.STARTED,
        started_date=D(2026, 2, 1),
        planned_started_date=D(2026, 1, 15),
    )
    ProjectFactory(unit=unit_b, name="西湖签约项目", stage=Stage.SIGNED, signed_date=D(2026, 1, 5))
    AnnualPlanFactory(project=started, year=2026, planned_investment=Decimal("1200"))
    period = reporting.open_period(month=D(2026, 3, 1), by=coordinator)
    report = reporting.save_report(
        project=started,
        period=period,
        data={"investment_completed": Decimal("300")},
        by=reporter_a,
        expected_version=None,
    )
    reporting.submit_report(report=report, by=reporter_a, expected_version=report.version)

    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/dashboard/?as_of=2026-04-30")
    for chart in CHARTS:
        page.wait_for_selector(f'[data-chart="{chart}"] canvas')
        series = page.evaluate(
            'id => echarts.getInstanceByDom(document.querySelector(`[data-chart="${id}"]`)).getOption().series.length',
            chart,
        )
        assert series >= 1, chart
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    # Click the one bar of the ranking (东城镇, 25.00%): it opens the project list filtered to that unit.
    ranking = page.locator('[data-chart="chart-ranking"]')
    ranking.scroll_into_view_if_needed()
    box = ranking.bounding_box()
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="chart-ranking"]'))
                 .convertToPixel({seriesIndex: 0}, [12, 0])"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(rf".*/projects/\?unit={unit_a.pk}$"))
    assert page.locator("#project-table tbody tr").count() == 1
