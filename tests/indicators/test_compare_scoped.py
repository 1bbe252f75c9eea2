"""`tadiao indicators --compare-to` with `--unit` and `--level` (issue "The figures the meeting quotes", point 5):
the snapshot keeps per-unit and per-level figures and the command compares like with like. Figures by hand.

Projects (start rate = started on or before the day / projects in scope):
  东城镇  A1 省重点 started 2026-04-01; A2 省重点 signed 2026-03-01, starts 2026-06-02; A3 县区重点 reserve;
          A4 县区重点 reserve, registered in June (after the May snapshot)
  西湖街道 B1 省重点 signed 2026-02-01; B2 县区重点 started 2026-05-10
  南山园区 no project, no trip, no lead: blank in May and now

May snapshot (as of 5-31) → 30 June:
  东城镇           1/3 = 33.33%  → 2/4 = 50.00%   (+16.67; started +1, signed −1, reserve +1)
  省重点            1/3 = 33.33%  → 2/3 = 66.67%   (+33.34; started +1, signed −1)
  东城镇 × 省重点    1/2 = 50.00%  → 2/2 = 100.00%  (+50.00)
  东城镇 × 县区重点  0/1 = 0.00%   → 0/2 = 0.00%    (0.00; reserve +1)
  西湖街道          1/2 = 50.00%  → 1/2 = 50.00%   (0.00)
  国家重点 / 南山园区 no project either time: every rate "—" (null), no count changes
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.indicators import queries, scoped_snapshots
from tadiao.indicators.formatting import indicators_as_json
from tadiao.indicators.models import RateDefinition, Snapshot, Target
from tadiao.indicators.snapshots import snapshot_data
from tadiao.projects.models import Level, Project, Stage
from tadiao.reporting import services as reporting
from tadiao.reporting.models import MonthlyReport, Period
from tests.factories import AnnualPlanFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PROVINCIAL, COUNTY = Level.PROVINCIAL, Level.COUNTY


@pytest.fixture
def may_then_june(coordinator, unit_a, unit_b, unit_c):
    ProjectFactory(unit=unit_a, level=PROVINCIAL, stage=Stage.STARTED, started_date=D(2026, 4, 1))
    a2 = ProjectFactory(unit=unit_a, level=PROVINCIAL, stage=Stage.SIGNED, signed_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_a, level=COUNTY, stage=Stage.RESERVE)
    ProjectFactory(unit=unit_b, level=PROVINCIAL, stage=Stage.SIGNED, signed_date=D(2026, 2, 1))
    ProjectFactory(unit=unit_b, level=COUNTY, stage=Stage.STARTED, started_date=D(2026, 5, 10))
    may = reporting.open_period(month=D(2026, 5, 1), by=coordinator)
    reporting.close_period(period=may, by=coordinator, today=D(2026, 6, 1), reason="测试关账")
    Project.objects.filter(pk=a2.pk).update(stage=Stage.STARTED, started_date=D(2026, 6, 2))
    ProjectFactory(unit=unit_a, level=COUNTY, stage=Stage.RESERVE)
    return may


@pytest.fixture
def unit_c(region):
    return UnitFactory(name="南山园区", kind="PARK", region=region, display_order=3)


def _cli(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-05", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_snapshot_keeps_per_unit_and_per_level_figures(may_then_june, unit_a):
    scopes = Snapshot.objects.get(period=may_then_june).data["scopes"]
    dongcheng = scopes["by_unit"][str(unit_a.pk)]
    assert dongcheng["rates"]["start_rate"] == {"numerator": 1, "denominator": 3, "percent": "33.33"}
    # Kept small: stages without projects and rates over an empty set ("—") are left out.
    assert dongcheng["counts_by_stage"] == {"reserve": 1, "signed": 1, "started": 1}
    assert "completed_to_producing" not in dongcheng["rates"]
    assert dongcheng["by_level"]["PROVINCIAL"]["rates"]["start_rate"]["percent"] == "50.00"
    assert dongcheng["by_level"]["COUNTY"]["rates"]["start_rate"] == {"numerator": 0, "denominator": 1,
                                                                      "percent": "0.00"}
    assert scopes["by_level"]["PROVINCIAL"]["rates"]["start_rate"]["percent"] == "33.33"
    # Only levels with projects (PostgreSQL's jsonb keeps no key order: compared as a set).
    assert set(scopes["by_level"]) == {"PROVINCIAL", "COUNTY"}


def test_compare_unit_with_the_units_snapshot_figures(may_then_june):
    data = _cli("--unit", "东城镇")
    changes = data["compare_to"]
    assert changes["period"] == "2026-05"
    assert changes["scope"] == {"unit": "东城镇", "level": None}
    assert changes["rates"]["start_rate"] == "16.67"
    assert (changes["counts_by_stage"]["started"], changes["counts_by_stage"]["signed"],
            changes["counts_by_stage"]["reserve"]) == (1, -1, 1)
    assert _cli("--unit", "西湖街道")["compare_to"]["rates"]["start_rate"] == "0.00"


def test_compare_level_and_unit_with_level(may_then_june):
    changes = _cli("--level", "省重点")["compare_to"]
    assert changes["scope"] == {"unit": None, "level": "provincial"}
    assert changes["rates"]["start_rate"] == "33.34"
    assert (changes["counts_by_stage"]["started"], changes["counts_by_stage"]["signed"]) == (1, -1)
    assert changes["counts_by_stage"]["reserve"] == 0
    changes = _cli("--unit", "东城镇", "--level", "PROVINCIAL")["compare_to"]
    assert changes["rates"]["start_rate"] == "50.00"
    changes = _cli("--unit", "东城镇", "--level", "县区重点")["compare_to"]
    assert changes["rates"]["start_rate"] == "0.00" and changes["counts_by_stage"]["reserve"] == 1


def test_scope_without_projects_compares_as_empty(may_then_june):
    changes = _cli("--level", "国家重点")["compare_to"]
    assert changes["rates"]["start_rate"] is None and set(changes["counts_by_stage"].values()) == {0}
    data = _cli("--unit", "南山园区")
    assert data["compare_to"]["rates"]["start_rate"] is None
    # Blank streaks per unit: 南山园区 blank in May's snapshot and now.
    assert data["blank_units"] == ["南山园区"] and data["blank_streaks"] == {"南山园区": 2}
    assert data["broke_zero_units"] == []


def test_text_output_names_the_scope(may_then_june):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-05", "--unit", "东城镇",
                 "--level", "省重点", stdout=out)
    text = out.getvalue()
    assert "与2026年5月快照中东城镇、省重点的数字相比：" in text and "开工率提高 50.00 个百分点" in text


def test_old_snapshot_without_scoped_figures_says_so(may_then_june):
    snapshot = Snapshot.objects.get(period=may_then_june)
    data = dict(snapshot.data)
    del data["scopes"]  # frozen before per-unit and per-level figures were kept
    Snapshot.objects.filter(pk=snapshot.pk).update(data=data)
    changes = _cli("--unit", "东城镇")["compare_to"]
    assert changes["rates"] is None and changes["counts_by_stage"] is None
    assert changes["not_compared"] == ("2026年5月的快照冻结于按单位、按级别保存数字之前，没有东城镇的数字，不能比较；"
                                       "全域数字可去掉 --unit / --level 比较。")
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-05", "--level", "省重点", stdout=out)
    assert "没有省重点的数字，不能比较" in out.getvalue()
    # The whole region still compares.
    assert _cli()["compare_to"]["rates"]["start_rate"] == "10.00"  # 2/5 = 40.00% → 3/6 = 50.00%


def _report(project, month: D, amount: str, status: str) -> None:
    period = Period.objects.get_or_create(month=month, defaults={"deadline": month.replace(day=25)})[0]
    MonthlyReport.objects.create(project=project, period=period, investment_completed=Decimal(amount), status=status)


@pytest.fixture
def invested(unit_a, unit_b):
    """As of 2026-06-30, 年度投资完成率 = 1—6月 reported (submitted or approved) / 2026 plan, and 开工项目投资完成率 the
    same over started projects:
      东城镇 A1 省重点 started  plan 100, reported 10 (Mar) + 20 (Jun) = 30; 2025's 500 and July's 70 left out
      东城镇 A2 县区重点 signed plan 300, reported 60; a draft of 999 left out
      西湖街道 B1 省重点 started plan 200, reported 150
    东城镇 90 / 400 = 22.50% (not the mean of 30% and 20%), 省重点 180 / 300 = 60.00% (not the mean of 30% and 75%),
    县区重点 60 / 300 = 20.00%, 东城镇 × 省重点 30 / 100 = 30.00%; started: 东城镇 30 / 100, 县区重点 none ("—": left
    out).
    """
    a1 = ProjectFactory(unit=unit_a, level=PROVINCIAL, stage=Stage.STARTED, started_date=D(2026, 3, 1))
    a2 = ProjectFactory(unit=unit_a, level=COUNTY, stage=Stage.SIGNED, signed_date=D(2026, 2, 1))
    b1 = ProjectFactory(unit=unit_b, level=PROVINCIAL, stage=Stage.STARTED, started_date=D(2026, 1, 5))
    for project, planned in ((a1, "100"), (a2, "300"), (b1, "200")):
        AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal(planned))
    AnnualPlanFactory(project=a1, year=2025, planned_investment=Decimal("900"))
    _report(a1, D(2025, 12, 1), "500", "APPROVED")
    _report(a1, D(2026, 3, 1), "10", "APPROVED")
    _report(a1, D(2026, 6, 1), "20", "SUBMITTED")
    _report(a1, D(2026, 7, 1), "70", "APPROVED")
    _report(a2, D(2026, 4, 1), "60", "APPROVED")
    _report(a2, D(2026, 5, 1), "999", "DRAFT")
    _report(b1, D(2026, 2, 1), "150", "APPROVED")


def test_investment_rates_are_recomputed_from_summed_amounts(invested, unit_a, unit_b):
    figures = scoped_snapshots.scoped_figures(Project.objects.all(), as_of=D(2026, 6, 30),
                                              definitions=queries.active_definitions())
    annual, started = "annual_investment_completion", "started_investment_completion"
    dongcheng = figures["by_unit"][str(unit_a.pk)]
    assert dongcheng["rates"][annual] == {"numerator": "90.00", "denominator": "400.00", "percent": "22.50"}
    assert dongcheng["rates"][started] == {"numerator": "30.00", "denominator": "100.00", "percent": "30.00"}
    assert figures["by_unit"][str(unit_b.pk)]["rates"][annual]["percent"] == "75.00"
    assert figures["by_level"]["PROVINCIAL"]["rates"][annual] == {
        "numerator": "180.00", "denominator": "300.00", "percent": "60.00"
    }
    assert figures["by_level"]["PROVINCIAL"]["rates"][started]["percent"] == "60.00"
    assert figures["by_level"]["COUNTY"]["rates"][annual]["percent"] == "20.00"
    assert started not in figures["by_level"]["COUNTY"]["rates"]
    assert dongcheng["by_level"]["PROVINCIAL"]["rates"][annual]["percent"] == "30.00"
    assert dongcheng["by_level"]["COUNTY"]["rates"][annual] == {
        "numerator": "60.00", "denominator": "300.00", "percent": "20.00"
    }
    # The count rates sum the same way: 开工率 东城镇 1 / 2, 省重点 2 / 2.
    assert dongcheng["rates"]["start_rate"] == {"numerator": 1, "denominator": 2, "percent": "50.00"}
    assert figures["by_level"]["PROVINCIAL"]["rates"]["start_rate"]["percent"] == "100.00"


def test_snapshot_ranks_units_by_the_same_summed_figures(invested, unit_a, unit_b):
    # The units' rates (rankings, 较上期 per unit) come from the same (unit, level) groups as "scopes": every rate
    # kept, a rate over an empty set as 0 / 0 with no percent.
    data = snapshot_data(Project.objects.all(), as_of=D(2026, 6, 30))
    units = {row["id"]: row["rates"] for row in data["units"]}
    assert set(units) == {unit_a.pk, unit_b.pk}
    assert units[unit_a.pk]["annual_investment_completion"] == {
        "numerator": "90.00", "denominator": "400.00", "percent": "22.50"
    }
    assert units[unit_b.pk]["started_investment_completion"] == {
        "numerator": "150.00", "denominator": "200.00", "percent": "75.00"
    }
    assert units[unit_a.pk]["start_rate"] == {"numerator": 1, "denominator": 2, "percent": "50.00"}
    assert units[unit_a.pk]["completed_to_producing"] == {"numerator": 0, "denominator": 0, "percent": None}
    assert data["scopes"]["by_unit"][str(unit_a.pk)]["rates"]["annual_investment_completion"]["percent"] == "22.50"
    # 年度投资完成率 ranks 西湖街道 (75.00%) before 东城镇 (22.50%).
    assert data["rankings"]["annual_investment_completion"] == [unit_b.pk, unit_a.pk]


@pytest.mark.parametrize("n", [1, 2])
def test_scoped_figures_queries_flat(region, n):
    # 1, whatever the units, levels and rates: the projects grouped by (unit, level, stage reached) with every count
    # rate's conditional counts and, joined to their year's plan and 1—N月 reports, one conditional sum of each per
    # investment selection. Per-unit and per-level figures are summed from those groups (this was 1 + 3 + 3 per
    # level with projects + 3 per level for its units: 16 here, 34 with all five levels).
    definitions = queries.active_definitions()
    for i in range(3 * n):
        unit = UnitFactory(region=region, display_order=i)
        for j in range(2 * n):
            ProjectFactory(unit=unit, level=[PROVINCIAL, COUNTY][j % 2], stage=Stage.STARTED,
                           started_date=D(2026, 3, 1 + j))
    with CaptureQueriesContext(connection) as captured:
        figures = scoped_snapshots.scoped_figures(Project.objects.all(), as_of=D(2026, 6, 30),
                                                  definitions=definitions)
    assert len(captured) == 1
    assert len(figures["by_unit"]) == 3 * n
    assert figures["by_level"]["COUNTY"]["counts_by_stage"]["started"] == 3 * n * n


def test_snapshot_region_figures_summed_from_the_groups_agree_with_compute_indicators(invested, unit_a):
    # The snapshot sums the whole region's stage counts, rates and annual totals from the (unit, level) groups
    # rather than running compute_indicators' passes again; targets and events are compute_indicators' own.
    # By hand: plans 100 + 300 + 200 = 600 (A1's 2025 plan left out), reported 30 + 60 + 150 = 240; started A1, B1;
    # signed A2; 开工率 2 / 3; the 省重点 开工率 target: A1 and B1 started, 2 / 2.
    start_rate = RateDefinition.objects.get(code="start_rate")
    Target.objects.create(year=2026, kind=Target.Kind.RATE, rate=start_rate, level=PROVINCIAL,
                          deadline=D(2026, 6, 30), percent=Decimal("85"))
    as_of = D(2026, 6, 30)
    figures = snapshot_data(Project.objects.all(), as_of=as_of)["indicators"]
    assert figures == indicators_as_json(queries.compute_indicators(Project.objects.all(), as_of=as_of))
    assert figures["annual_investment"] == {"planned": "600.00", "completed": "240.00"}
    assert (figures["counts_by_stage"]["started"], figures["counts_by_stage"]["signed"]) == (2, 1)
    assert figures["rates"]["start_rate"] == {"numerator": 2, "denominator": 3, "percent": "66.67"}
    assert figures["rates"]["annual_investment_completion"]["percent"] == "40.00"
    assert [t["actual"] for t in figures["targets"]] == ["100.00"]
