"""The 驾驶舱 at 1440 × 900 (issue 15, point 8): every funnel label is drawn inside the chart, none cut off."""

import datetime

import pytest

from tadiao.projects.models import Stage
from tests.browser.conftest import log_in
from tests.browser.seed import seed_indicator_defaults
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _indicator_defaults(db):
    seed_indicator_defaults()
D = datetime.date

# Each funnel label's box in the chart's own pixels, from ECharts' label elements.
LABEL_BOXES = """id => {
  const chart = echarts.getInstanceByDom(document.querySelector(`[data-chart="${id}"]`));
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const boxes = [];
  for (let i = 0; i < data.count(); i++) {
    const label = data.getItemGraphicEl(i).getTextContent();
    const rect = label.getBoundingRect().clone();
    rect.applyTransform(label.getComputedTransform());
    boxes.push({text: label.style.text, x: rect.x, y: rect.y,
                right: rect.x + rect.width, bottom: rect.y + rect.height});
  }
  return {boxes: boxes, width: chart.getWidth(), height: chart.getHeight()};
}"""


def drawn(page, chart: str) -> None:
    """Wait for the chart's ECharts instance, then for its entry animation to end."""
    page.wait_for_function(
        "id => window.echarts && echarts.getInstanceByDom(document.querySelector(`[data-chart=\"${id}\"]`))",
        arg=chart,
        polling=200,
    )
    page.wait_for_timeout(1500)


def test_funnel_labels_fit_at_1440(page, screenshot_dir, coordinator, unit_a):
    for n in range(12):  # counts of several digits, as a county has
        ProjectFactory(unit=unit_a, stage=Stage.STARTED, signed_date=D(2026, 1, 5), started_date=D(2026, 2, 1 + n))
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/dashboard/?as_of=2026-04-30")
    drawn(page, "chart-funnel")
    result = page.evaluate(LABEL_BOXES, "chart-funnel")
    page.locator('[data-chart="chart-funnel"]').screenshot(path=screenshot_dir / "dashboard-funnel-1440.png")
    texts = [b["text"] for b in result["boxes"]]
    assert texts[0] == "谋划储备 12" and texts[4] == "开工 12" and texts[-1] == "达产 0"
    for box in result["boxes"]:
        assert 0 <= box["x"] and box["right"] <= result["width"], box
        assert 0 <= box["y"] and box["bottom"] <= result["height"], box


def test_ranking_outlier_is_capped_and_labelled_inside_the_chart(page, screenshot_dir, coordinator, reporter_a,
                                                                 reporter_b, unit_a, unit_b):
    from decimal import Decimal

    from tadiao.reporting import services as reporting
    from tests.factories import AnnualPlanFactory

    period = reporting.open_period(month=D(2026, 3, 1), by=coordinator)
    # 东城镇's plan typed as 3.79 万元: 95 / 3.79 = 2506.60%; 西湖街道 500 / 1 000 = 50.00%.
    for unit, reporter, plan, done in ((unit_a, reporter_a, "3.79", "95"), (unit_b, reporter_b, "1000", "500")):
        project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=D(2026, 2, 1))
        AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal(plan))
        report = reporting.save_report(project=project, period=period, data={"investment_completed": Decimal(done)},
                                       by=reporter, expected_version=None, confirmed=True)  # the outlier, confirmed
        reporting.submit_report(report=report, by=reporter, expected_version=report.version)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/dashboard/?as_of=2026-04-30")
    drawn(page, "chart-ranking")
    result = page.evaluate(LABEL_BOXES, "chart-ranking")
    page.locator('[data-chart="chart-ranking"]').screenshot(path=screenshot_dir / "dashboard-ranking-outlier.png")
    texts = [b["text"] for b in result["boxes"]]
    assert texts == ["50.00%", "2506.60%"]
    for box in result["boxes"]:
        assert 0 <= box["x"] and box["right"] <= result["width"], box
    axis_max = page.evaluate(
        "() => echarts.getInstanceByDom(document.querySelector('[data-chart=chart-ranking]')).getOption().xAxis[0].max"
    )
    assert axis_max == 200
