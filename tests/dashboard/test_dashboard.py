"""The 驾驶舱 page: figures for the user's scope, chart options, flat query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.attraction.models import Recognition
from tadiao.coordination.models import Status
from tadiao.projects.models import Project, Stage
from tadiao.reporting import services as reporting
from tadiao.reporting.models import Period
from tests.attraction.conftest import make_lead, make_trip
from tests.conftest import login
from tests.coordination.conftest import make_problem
from tests.economy.conftest import fig, target
from tests.factories import AnnualPlanFactory, ProjectFactory, RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ledger(unit_a, unit_b, coordinator, reporter_a):
    started = ProjectFactory(
        unit=unit_a,
        name="东城开工项目",
        stage=Stage.STARTED,
        started_date=D(2026, 2, 1),
        planned_started_date=D(2026, 1, 15),
        total_investment=Decimal("30000"),
    )
    ProjectFactory(
        unit=unit_b,
        name="西湖签约项目",
        stage=Stage.SIGNED,
        signed_date=D(2026, 1, 5),
        total_investment=Decimal("20000"),
    )
    AnnualPlanFactory(project=started, year=2026, planned_investment=Decimal("1200"))
    for month, amount in [(3, "100"), (4, "300")]:
        period = reporting.open_period(month=D(2026, month, 1), by=coordinator)
        report = reporting.save_report(
            project=started,
            period=period,
            data={"investment_completed": Decimal(amount)},
            by=reporter_a,
            expected_version=None,
        )
        reporting.submit_report(report=report, by=reporter_a, expected_version=report.version)
    return started


def _charts(response):
    body = response.content.decode()

    def option(chart_id):
        start = body.index(f'<script id="{chart_id}" type="application/json">') + len(
            f'<script id="{chart_id}" type="application/json">'
        )
        return json.loads(body[start : body.index("</script>", start)])

    return option


def test_figures_and_charts(client, coordinator, ledger):
    login(client, coordinator)
    response = client.get("/dashboard/?as_of=2026-04-30")
    assert response.status_code == 200
    figures = {f["label"]: f["value"] for f in response.context["figures"]}
    assert figures["项目总数"] == "2 个"
    assert figures["总投资"] == "5.00 亿元"
    assert figures["1—4月完成投资"] == "0.04 亿元"  # 400 万元
    assert figures["年度投资完成率"] == "33.33%"  # 400 / 1 200
    assert figures["开工率"] == "50.00%"
    option = _charts(response)
    funnel = {d["name"]: d["value"] for d in option("chart-funnel")["series"][0]["data"]}
    assert (funnel["谋划储备"], funnel["签约"], funnel["立项"], funnel["开工"], funnel["竣工"]) == (2, 2, 1, 1, 0)
    assert option("chart-funnel")["series"][0]["data"][4]["url"] == "/projects/?stage=STARTED"
    investment = option("chart-investment")["series"]
    assert investment[0]["data"] == [0.0, 0.0, 100.0, 300.0]
    assert investment[1]["data"] == [0.0, 0.0, 100.0, 400.0]
    assert investment[2]["data"] == [100.0, 200.0, 300.0, 400.0]  # 1 200 × m / 12
    ranking = option("chart-ranking")["series"][0]["data"]
    assert [d["value"] for d in ranking] == [33.33]
    milestones = option("chart-milestones")["series"]
    assert {"value": ["2026-01-15", "东城开工项目"], "stage": "开工", "url": f"/projects/{ledger.pk}/"} in milestones[
        0
    ]["data"]
    warned = option("chart-warnings")
    assert warned["yAxis"]["data"] == ["西湖街道"]  # signed 5 January, not started 115 days later: red


def test_reporter_sees_own_unit_and_admins_are_refused(client, reporter_b, sysadmin, ledger):
    login(client, reporter_b)
    figures = {f["label"]: f["value"] for f in client.get("/dashboard/?as_of=2026-04-30").context["figures"]}
    assert figures["项目总数"] == "1 个"
    login(client, sysadmin)
    assert client.get("/dashboard/").status_code == 403


def _grow(region, n: int, offset: int) -> None:
    """n more units, each with what every card reads: projects (started, planned, reported), a trip, a lead with
    its log, a signed project, a problem past its deadline, and a town's economic figure below its target."""
    for i in range(offset, offset + n):
        unit = UnitFactory(name=f"增长单位{i}", region=region, display_order=10 + i)
        project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=D(2026, 3, 1),
                                 planned_started_date=D(2026, 2, 1), longitude=Decimal(f"120.{10 + i}"),
                                 latitude=Decimal("30.1"))  # a point on the small map
        AnnualPlanFactory(project=project, year=2026)
        ProjectFactory(unit=unit, stage=Stage.SIGNED, signed_date=D(2026, 2, 1))
        make_trip(unit, D(2026, 3, 10))
        make_lead(unit, start=D(2026, 1, 10), follow_ups=[D(2026, 2, 1)])
        make_problem(project, unit, raised=D(2026, 3, 1), deadline=D(2026, 3, 20), status=Status.IN_PROGRESS)
        town = RegionFactory(code=f"{region.code}{200 + i:03d}000", name=f"增长镇{i}", level="TOWNSHIP", parent=region)
        fig(town, year=2026, month=3, growth="5.00", parent="6.00")
        target(town, growth="6.50", year=2026)


# The page (44, whatever the number of units and rows): session, user, unit, region (the scope); the indicators —
# reporting settings, rate definitions, the COUNT rates in one query, the plan sums and the completion sums (one
# query each for the year totals, the started projects and the 双过半 check), counts by stage, targets, the events
# of the month and of 1—N月 (one aggregate); the last snapshot; the units
# with projects, rate definitions, rates / plans / completions by unit (3), warning rules, reporting settings,
# warning lights by unit; total investment; 三项工作: units in scope, trips, leads, signings, the earlier
# snapshots' blank lists (compared with the last snapshot read above); economy: latest period, its figures with
# targets; problems: totals, by category, by level, by unit; the monthly investment chart; the milestone chart; the
# small map (5): the current boundary, the warning rules, the reporting settings, the located projects with their
# lights and units in one query, the count of those without a location; the scope bar's units, industries and
# batches, and the closed months to compare with (issue 15: any of them).
def test_query_count_is_flat(client, coordinator, unit_a, unit_b, region, ledger):
    reporting.close_period(
        period=Period.objects.get(month=D(2026, 3, 1)), by=coordinator, today=D(2026, 4, 5), reason="月末后关账"
    )
    login(client, coordinator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/?as_of=2026-04-30").status_code == 200
        return len(ctx.captured_queries)

    _grow(region, 5, 0)
    at_n = count()
    _grow(region, 5, 5)
    assert count() == at_n == 40


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</div>", start)]


def test_attraction_work_items_blank_units_and_broke_zero(client, coordinator, ledger, unit_a, unit_b):
    # March closed with 东城镇 having a trip: 市发展和改革局 and 西湖街道 blank in the snapshot. In April 西湖街道
    # makes a trip: it breaks zero; 市发展和改革局 is blank for the second snapshot running (March and now).
    make_trip(unit_a, D(2026, 2, 10))
    # 西湖街道's only signing was rejected (不予认定): it does not count, so 西湖街道 is blank in March.
    Recognition.objects.create(project=Project.objects.get(name="西湖签约项目"), status="REJECTED", reason="城建项目")
    reporting.close_period(
        period=Period.objects.get(month=D(2026, 3, 1)), by=coordinator, today=D(2026, 4, 5), reason="月末后关账"
    )
    make_trip(unit_b, D(2026, 4, 10), destination="深圳")
    login(client, coordinator)
    page = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    work = page[page.index('id="attraction-work"') : page.index('id="blank-units"')]
    assert "外出招商</div><div class=\"fs-5 fw-semibold\">2 次" in work
    blank = _section(page, "blank-units")
    assert "1 个" in blank and "市发展和改革局" in blank and "连续2次" in blank and "西湖街道" not in blank
    broke = _section(page, "broke-zero")
    assert "2026年3月" in broke and "西湖街道" in broke and "东城镇" not in broke


def test_economy_below_target_and_below_parent(client, coordinator, reporter_a, region, ledger):
    # 1—3月 2026: the county's GDP grows 5.80% against a 6.50% target (0.70 below) and its parent's 6.10%
    # (0.30 below); 1—5月, after the as-of date, is not shown.
    fig(region, year=2026, month=3, growth="5.80", parent="6.10")
    target(region, growth="6.50", year=2026)
    fig(region, year=2026, month=5, growth="7.00", parent="6.10")
    login(client, coordinator)
    page = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    card = page[page.index('id="economy-summary"') :]
    card = card[: card.index('<div class="col-12">')]
    assert "2026年1—3月" in card
    assert "低于年度目标 1 项" in card and "青山市 GDP：增长 5.80%，目标 6.50%，低 0.70 个百分点" in card
    assert "低于上级增速 1 项" in card and "上级 6.10%，低 0.30 个百分点" in card
    # A unit's reporter reads no economic figures: the card is not there.
    login(client, reporter_a)
    assert 'id="economy-summary"' not in client.get("/dashboard/?as_of=2026-04-30").content.decode()


def test_problem_figures(client, coordinator, reporter_b, ledger, unit_a, unit_b):
    # Led by 东城镇: one resolved on time, one open past its deadline on 30 April → 办结率 50.00%, 按期 50.00%.
    make_problem(ledger, unit_a, raised=D(2026, 3, 1), deadline=D(2026, 3, 20), status=Status.RESOLVED,
                 resolved=D(2026, 3, 15))
    make_problem(ledger, unit_a, title="电力增容", raised=D(2026, 4, 1), deadline=D(2026, 4, 20),
                 status=Status.IN_PROGRESS)
    login(client, coordinator)
    page = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    card = page[page.index('id="problem-summary"') :]
    card = card[: card.index('<div class="col-12">')]
    for label, value in [("问题总数", "2 个"), ("已办结", "1 个"), ("办结率", "50.00%"), ("按期办结率", "50.00%"),
                         ("超期未办结", "1 个"), ("平均办结天数", "14.00")]:
        assert f'{label}</div><div class="fs-5 fw-semibold' in card
        assert value in card[card.index(f"{label}</div>") :][:80]
    assert "1. 东城镇（50.00%）" in card
    # 西湖街道's reporter sees only what its own unit leads: none.
    login(client, reporter_b)
    page = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    card = page[page.index('id="problem-summary"') :]
    assert "0 个" in card[: card.index('<div class="col-12">')]
