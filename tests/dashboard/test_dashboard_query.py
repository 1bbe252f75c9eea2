"""dashboard.queries.dashboard: the 驾驶舱's figures computed without a request, checked against a small county
worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from tadiao.dashboard.queries import Dashboard, dashboard
from tadiao.indicators.queries import Scope
from tadiao.projects.models import Stage
from tadiao.reporting import services as reporting
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def county(unit_a, unit_b, coordinator, reporter_a):
    """东城镇: a project started 1 February, 30 000 万元, planned 1 200 万元 for 2026, reported 100 (March) and
    300 (April). 西湖街道: a project signed 5 January, 20 000 万元, not started. March is closed on 5 April."""
    started = ProjectFactory(
        unit=unit_a, stage=Stage.STARTED, signed_date=None, started_date=D(2026, 2, 1),
        total_investment=Decimal("30000"),
    )
    ProjectFactory(unit=unit_b, stage=Stage.SIGNED, signed_date=D(2026, 1, 5), total_investment=Decimal("20000"))
    AnnualPlanFactory(project=started, year=2026, planned_investment=Decimal("1200"))
    for month, amount in [(3, "100"), (4, "300")]:
        period = reporting.open_period(month=D(2026, month, 1), by=coordinator)
        report = reporting.save_report(
            project=started, period=period, data={"investment_completed": Decimal(amount)}, by=reporter_a,
            expected_version=None,
        )
        reporting.submit_report(report=report, by=reporter_a, expected_version=report.version)
        if month == 3:
            reporting.close_period(period=period, by=coordinator, today=D(2026, 4, 5), reason="月末后关账")
    return started


def _figures(page: Dashboard) -> dict[str, tuple[str, str | None]]:
    return {f["label"]: (f["value"], f["change"]) for f in page.figures}


def test_whole_county_by_hand(coordinator, county):
    page = dashboard(coordinator, Scope(), D(2026, 4, 30))
    figures = _figures(page)
    assert figures["项目总数"] == ("2 个", None)
    assert figures["总投资"] == ("5.00 亿元", None)  # 30 000 + 20 000 万元
    assert figures["年度计划投资"] == ("0.12 亿元", None)  # 1 200 万元
    assert figures["1—4月完成投资"] == ("0.04 亿元", None)  # 100 + 300 万元
    # Against March's snapshot (as of 31 March: 100 / 1 200 = 8.33%): now 400 / 1 200 = 33.33%, 25.00 points up.
    assert figures["年度投资完成率"] == ("33.33%", "25.00")
    assert figures["开工率"] == ("50.00%", "0.00")  # 1 of 2 started, then as now
    assert figures["序时进度"] == ("33.33%", None)  # 4 / 12 months
    # Red now: 西湖街道's project, signed 115 days ago (red from 90). Red on 31 March: 东城镇's project, 8.33% of a
    # 25.00% time progress (red below 60% of it); 西湖街道's, 85 days, only yellow. One then, one now.
    assert figures["红灯项目"] == ("1 个", "+0 个")
    assert page.red == 1
    assert page.earlier is not None and page.earlier.period.month == D(2026, 3, 1)
    assert page.indicators.counts_by_stage[Stage.STARTED] == 1
    assert set(page.charts) == {"chart-funnel", "chart-investment", "chart-ranking", "chart-warnings",
                                "chart-milestones"}


def test_a_unit_in_the_scope_bar(coordinator, county, unit_a):
    figures = _figures(dashboard(coordinator, Scope(unit_id=unit_a.pk), D(2026, 4, 30)))
    assert figures["项目总数"] == ("1 个", None)
    assert figures["总投资"] == ("3.00 亿元", None)
    assert figures["开工率"][0] == "100.00%"  # 1 of 1
    assert figures["红灯项目"][0] == "0 个"


def test_a_reporter_reads_only_its_unit(reporter_b, county):
    page = dashboard(reporter_b, Scope(), D(2026, 4, 30))
    figures = _figures(page)
    assert figures["项目总数"] == ("1 个", None)
    assert figures["总投资"] == ("2.00 亿元", None)
    assert figures["年度投资完成率"][0] == "—"  # no plan: no denominator
    assert figures["红灯项目"][0] == "1 个"
    assert page.economy is None  # a unit's reporter reads no economic figures
