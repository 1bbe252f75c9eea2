"""Count and amount targets over the county of tests/indicators/county.py (as of 20 April 2026): every actual,
completion percent and gap worked out by hand; the service, its audit, `tadiao set_target` and the pages."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.economy.models import Figure
from tadiao.indicators import queries
from tadiao.indicators.models import RateDefinition, Target, TargetMeasure
from tadiao.indicators.target_services import TargetError, set_target
from tadiao.projects.models import FundingSource, Project, ProjectFunding, Stage
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import login
from tests.factories import ProjectFactory, RegionFactory, UnitFactory
from tests.indicators.county import AS_OF, D, build

pytestmark = pytest.mark.django_db
C, A = Target.Kind.COUNT, Target.Kind.AMOUNT


def _period(month: int) -> Period:
    start = D(2026, month, 1)
    return Period.objects.get_or_create(month=start, defaults={"deadline": start.replace(day=25)})[0]


def _report(project, month: int, amount: str, status: str = "APPROVED") -> None:
    MonthlyReport.objects.create(project=project, period=_period(month), investment_completed=Decimal(amount),
                                 status=status)


@pytest.fixture
def county(unit_a, unit_b, region):
    """The county, plus money: reports A1 Mar 300 (approved), A1 Apr 200 (submitted), A2 Feb 500 (draft, not
    counted), B1 Jan 100 (基础设施) → 600 万元, of which 产业类 500; funds in place A1 800 and C1 200 (signed),
    B1 999 (never signed, not counted) → 1000; 固定资产投资 of the county 12.50 亿元 in 1—3月 (1—5月's 20.00 comes
    after the as-of month)."""
    p = build(unit_a, unit_b)
    _report(p["A1"], 3, "300")
    _report(p["A1"], 4, "200", status="SUBMITTED")
    _report(p["A2"], 2, "500", status="DRAFT")
    _report(p["B1"], 1, "100")
    ProjectFunding.objects.create(project=p["A1"], source=FundingSource.SELF_RAISED, in_place=Decimal("800"))
    ProjectFunding.objects.create(project=p["C1"], source=FundingSource.BANK_LOAN, in_place=Decimal("200"))
    ProjectFunding.objects.create(project=p["B1"], source=FundingSource.LOCAL_FISCAL, in_place=Decimal("999"))
    for month, value in ((3, "12.50"), (5, "20.00")):
        Figure.objects.create(region=region, year=2026, month=month, indicator="FIXED_ASSET_INVESTMENT",
                              value=Decimal(value), growth=Decimal("5.00"))
    return p


def _target(kind: str, measure: str, value: str, **scope) -> Target:
    return Target.objects.create(year=2026, kind=kind, measure=measure, value=Decimal(value),
                                 deadline=D(2026, 12, 31), **scope)


def _results() -> dict[int, tuple]:
    found = queries.evaluate_targets(Project.objects.all(), as_of=AS_OF)
    return {t.target.pk: (t.actual, t.percent, t.gap) for t in found}


def test_count_and_amount_targets(county, unit_b, region):
    started = _target(C, TargetMeasure.STARTED, "3")  # A1, A2 → 2 / 3
    started_b = _target(C, TargetMeasure.STARTED, "2", unit=unit_b)  # B2 starts 4-25 → 0 / 2
    signed_prov = _target(C, TargetMeasure.SIGNED, "1", level="PROVINCIAL")  # A1
    completed = _target(C, TargetMeasure.COMPLETED, "4")  # B1 (B3 after the as-of date)
    investment = _target(A, TargetMeasure.PROJECT_INVESTMENT, "1000")
    industrial = _target(A, TargetMeasure.INDUSTRIAL_PROJECT_INVESTMENT, "1000")
    funds = _target(A, TargetMeasure.FUNDS_IN_PLACE, "2000")
    fixed = _target(A, TargetMeasure.FIXED_ASSET_INVESTMENT, "8400000")
    town = RegionFactory(code="330999100000", name="无数据镇", level="TOWNSHIP", parent=region)
    no_figure = _target(A, TargetMeasure.FIXED_ASSET_INVESTMENT, "1000", region=town)
    got = _results()
    assert got[started.pk] == (2, Decimal("66.67"), -1)
    assert got[started_b.pk] == (0, Decimal("0.00"), -2)
    assert got[signed_prov.pk] == (1, Decimal("100.00"), 0)
    assert got[completed.pk] == (1, Decimal("25.00"), -3)
    assert got[investment.pk] == (Decimal("600.00"), Decimal("60.00"), Decimal("-400.00"))
    assert got[industrial.pk] == (Decimal("500.00"), Decimal("50.00"), Decimal("-500.00"))
    assert got[funds.pk] == (Decimal("1000.00"), Decimal("50.00"), Decimal("-1000.00"))
    # 12.50 亿元 = 125 000 万元 of 8 400 000: 1.488… → 1.49%
    assert got[fixed.pk] == (Decimal("125000.00"), Decimal("1.49"), Decimal("-8275000.00"))
    assert got[no_figure.pk] == (None, None, None)


def test_a_deadline_before_the_as_of_date_stops_the_count(county):
    half = Target.objects.create(year=2026, kind=C, measure=TargetMeasure.STARTED, value=Decimal("2"),
                                 deadline=D(2026, 3, 31))
    assert _results()[half.pk] == (1, Decimal("50.00"), -1)  # A2 (3-20); A1 starts 4-10, after the deadline


def test_a_rate_target_of_a_unit(county, unit_a):
    rate = RateDefinition.objects.get(code="start_rate")
    target = Target.objects.create(year=2026, rate=rate, unit=unit_a, deadline=D(2026, 6, 30),
                                   percent=Decimal("40"))
    # 东城镇: A1, A2 started of A1, A2, A3, C1 → 50.00%, 10 points above
    assert _results()[target.pk] == (Decimal("50.00"), None, Decimal("10.00"))


def test_the_targets_in_the_cli_json(county, unit_b):
    _target(C, TargetMeasure.STARTED, "2", unit=unit_b)
    _target(A, TargetMeasure.PROJECT_INVESTMENT, "1000")
    Target.objects.create(year=2026, rate=RateDefinition.objects.get(code="start_rate"), level="PROVINCIAL",
                          deadline=D(2026, 6, 30), percent=Decimal("85"))
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-04-20", "--json", stdout=out)
    targets = json.loads(out.getvalue())["targets"]
    assert targets == [
        {"kind": "rate", "rate": "start_rate", "measure": None, "level": "provincial", "unit": None, "region": None,
         "region_name": None, "deadline": "2026-06-30", "target": "85.00", "actual": "100.00", "gap": "15.00",
         "percent": None, "units": "%"},
        {"kind": "count", "rate": None, "measure": "started", "level": None, "unit": "西湖街道", "region": None,
         "region_name": None, "deadline": "2026-12-31", "target": 2, "actual": 0, "gap": -2, "percent": "0.00",
         "units": "个"},
        {"kind": "amount", "rate": None, "measure": "project_investment", "level": None, "unit": None,
         "region": None, "region_name": None, "deadline": "2026-12-31", "target": "1000.00", "actual": "600.00",
         "gap": "-400.00", "percent": "60.00", "units": "万元"},
    ]
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-04-20", stdout=out)
    assert "新开工项目（西湖街道，2026年12月31日前）：目标 2 个，实际 0 个，完成 0.00%，差 2 个" in out.getvalue()
    assert ("重点项目完成投资（全部，2026年12月31日前）：目标 1,000.00 万元，实际 600.00 万元，完成 60.00%，"
            "差 400.00 万元") in out.getvalue()


# Targets cost a fixed number of queries whatever the number of projects: the targets (with rate, unit, region),
# all count targets in one aggregate, all project-investment targets in one, 招商到位资金 in one, the root region
# and one figure per economic target (here one).
def test_query_count_is_flat(county, region):
    _target(C, TargetMeasure.STARTED, "3")
    _target(C, TargetMeasure.COMPLETED, "3", level="PROVINCIAL")
    _target(A, TargetMeasure.PROJECT_INVESTMENT, "1000")
    _target(A, TargetMeasure.INDUSTRIAL_PROJECT_INVESTMENT, "1000")
    _target(A, TargetMeasure.FUNDS_IN_PLACE, "1000")
    _target(A, TargetMeasure.FIXED_ASSET_INVESTMENT, "1000")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            queries.evaluate_targets(Project.objects.all(), as_of=AS_OF)
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        unit = UnitFactory(region=region)
        for _ in range(n):
            project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=D(2026, 2, 2),
                                     signed_date=D(2026, 1, 2))
            _report(project, 2, "10")
            ProjectFunding.objects.create(project=project, source=FundingSource.SELF_RAISED, in_place=Decimal("1"))

    grow(5)
    at_n = count()
    grow(5)
    assert count() == at_n == 6
    assert _results()[Target.objects.get(measure=TargetMeasure.STARTED).pk][0] == 2 + 10


def test_the_service_audits_and_refuses_in_chinese(county, coordinator, reporter_a, unit_a, region):
    target = set_target(year=2026, kind=C, measure=TargetMeasure.STARTED, value=Decimal("20"), by=coordinator)
    assert (target.deadline, target.value, target.rate) == (D(2026, 12, 31), Decimal("20"), None)
    event = AuditEvent.objects.get(action="indicators.target.saved")
    assert event.changes["measure"] == [None, "STARTED"] and event.changes["value"] == [None, "20.00"]
    assert set_target(year=2026, kind=C, measure=TargetMeasure.STARTED, value=Decimal("25"), by=coordinator) == target
    target.refresh_from_db()
    assert target.value == Decimal("25")
    assert AuditEvent.objects.filter(action="indicators.target.saved").count() == 2
    set_target(year=2026, kind=C, measure=TargetMeasure.STARTED, value=Decimal("25"), by=coordinator)
    assert AuditEvent.objects.filter(action="indicators.target.saved").count() == 2  # nothing changed
    refusals = [
        (dict(kind=C, measure=TargetMeasure.STARTED, value=Decimal("2.5")), "个数目标应为整数。"),
        (dict(kind=C, measure=TargetMeasure.PROJECT_INVESTMENT, value=Decimal("5")), "该计量内容是金额目标"),
        (dict(kind=A, measure=TargetMeasure.FUNDS_IN_PLACE, value=Decimal("-1")), "目标值不能为负数。"),
        (dict(kind=C, measure=TargetMeasure.STARTED, value=Decimal("1"), unit=unit_a, region=region),
         "不能同时指定"),
        (dict(kind=C, measure=TargetMeasure.STARTED, value=Decimal("1"), deadline=D(2027, 1, 1)), "时限应在 2026 年内"),
        (dict(kind=Target.Kind.RATE, value=Decimal("50")), "比率目标请选择指标。"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(TargetError, match=message):
            set_target(year=2026, by=coordinator, **kwargs)
    with pytest.raises(TargetError, match="调度员"):
        set_target(year=2026, kind=C, measure=TargetMeasure.STARTED, value=Decimal("1"), by=reporter_a)
    assert AuditEvent.objects.filter(action="indicators.target.saved").count() == 2


def test_set_target_command(county, coordinator, reporter_a, region):
    out = io.StringIO()
    call_command("set_target", "--as", "coordinator", "--year", "2026", "--kind", "amount", "--measure",
                 "fixed_asset_investment", "--value", "840亿元", stdout=out)
    target = Target.objects.get()
    assert (target.kind, target.measure, target.value) == (A, "FIXED_ASSET_INVESTMENT", Decimal("8400000.00"))
    assert out.getvalue().strip() == "已保存目标：2026年 全部固定资产投资 840.00 亿元（12月31日前）"
    call_command("set_target", "--as", "coordinator", "--year", "2026", "--kind", "个数", "--measure", "新开工项目",
                 "--value", "12", "--unit", "西湖街道", "--deadline", "2026-06-30", stdout=io.StringIO())
    call_command("set_target", "--as", "coordinator", "--year", "2026", "--kind", "rate", "--measure", "start_rate",
                 "--value", "85", "--level", "省重点", "--deadline", "2026-06-30", stdout=io.StringIO())
    assert Target.objects.count() == 3
    assert AuditEvent.objects.filter(action="indicators.target.saved", actor=coordinator).count() == 3
    rate = Target.objects.get(kind=Target.Kind.RATE)
    assert (rate.rate.code, rate.level, rate.percent) == ("start_rate", "PROVINCIAL", Decimal("85.00"))
    errors = [
        (["--as", "reporter_a", "--year", "2026", "--kind", "count", "--measure", "started", "--value", "1"],
         "无权执行"),
        (["--as", "coordinator", "--year", "2026", "--kind", "count", "--measure", "started"],
         "缺少参数：--value 目标值"),
        (["--as", "coordinator", "--year", "2026", "--kind", "ratio", "--measure", "started", "--value", "1"],
         "--kind 应为 rate"),
        (["--as", "coordinator", "--year", "2026", "--kind", "count", "--measure", "nothing", "--value", "1"],
         "未知的计量内容“nothing”"),
        (["--as", "coordinator", "--year", "2026", "--kind", "count", "--measure", "started", "--value", "3亿"],
         "--value 应为不小于 0 的数字"),
        (["--as", "coordinator", "--year", "2026", "--kind", "count", "--measure", "started", "--value", "1.5"],
         "个数目标应为整数。"),
        (["--as", "coordinator", "--year", "2026", "--kind", "count", "--measure", "started", "--value", "1",
          "--unit", "无此单位"], "找不到单位“无此单位”"),
    ]
    for argv, message in errors:
        with pytest.raises(CommandError, match=message):
            call_command("set_target", *argv, stdout=io.StringIO())
    assert Target.objects.count() == 3


def test_the_settings_page_saves_every_kind(client, county, coordinator, leader, reporter_a, unit_b):
    target = {"year": "2026", "kind": "COUNT", "measure": "STARTED", "unit": unit_b.pk, "value": "12"}
    for reader in (leader, reporter_a):
        login(client, reader)
        assert client.post("/indicators/settings/targets/", target).status_code == 403
    login(client, coordinator)
    client.post("/indicators/settings/targets/", target)
    saved = Target.objects.get()
    assert (saved.kind, saved.unit, saved.value, saved.deadline) == (C, unit_b, Decimal("12"), D(2026, 12, 31))
    response = client.post("/indicators/settings/targets/", {**target, "value": "1.5"}, follow=True)
    assert "个数目标应为整数。" in response.content.decode()
    response = client.post("/indicators/settings/targets/", {**target, "measure": ""}, follow=True)
    assert "个数、金额目标请选择计量内容。" in response.content.decode()
    page = client.get("/indicators/settings/").content.decode()
    assert "新开工项目" in page and "西湖街道" in page and "12 个" in page and "招商到位资金" in page
    assert Target.objects.count() == 1


def test_the_overview_and_dashboard_show_events_and_targets(client, county, coordinator):
    _target(C, TargetMeasure.STARTED, "3")
    _target(A, TargetMeasure.FIXED_ASSET_INVESTMENT, "8400000")
    login(client, coordinator)
    for url in ("/indicators/?as_of=2026-04-20", "/dashboard/?as_of=2026-04-20"):
        page = client.get(url).content.decode()
        assert 'id="events"' in page and "1—4月" in page and "不再建设" in page
        assert 'data-kind="count"' in page and "66.67%" in page and "-1 个" in page
        # 840 亿元 against 12.50 亿元: 1.49%, 827.50 亿元 short
        assert "840.00 亿元" in page and "12.50 亿元" in page and "1.49%" in page and "-827.50 亿元" in page


# The overview page with count and amount targets and 自某日以来 costs, beyond the same page without them, six
# queries whatever the number of projects: the count targets (one aggregate), the project-investment targets (one),
# 招商到位资金 (one), the root region and its figure (固定资产投资), and the events since the date (one aggregate).
def test_the_overview_query_count_is_flat(client, county, coordinator, region):
    def count(query: dict) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/indicators/", query).status_code == 200
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        unit = UnitFactory(region=region)
        for _ in range(n):
            project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=D(2026, 2, 2),
                                     signed_date=D(2026, 1, 2), planned_started_date=D(2026, 3, 1))
            _report(project, 2, "10")
            ProjectFunding.objects.create(project=project, source=FundingSource.SELF_RAISED, in_place=Decimal("1"))

    login(client, coordinator)
    plain = {"as_of": "2026-04-20"}
    full = {**plain, "events_since": "2026-03-01"}
    grow(5)
    before = count(plain)
    for measure, value in ((TargetMeasure.STARTED, "3"), (TargetMeasure.COMPLETED, "3"),
                           (TargetMeasure.PROJECT_INVESTMENT, "1000"), (TargetMeasure.FUNDS_IN_PLACE, "1000"),
                           (TargetMeasure.FIXED_ASSET_INVESTMENT, "1000")):
        _target(C if measure in (TargetMeasure.STARTED, TargetMeasure.COMPLETED) else A, measure, value)
    at_n = count(full)
    grow(5)
    assert count(full) == at_n == before + 6
