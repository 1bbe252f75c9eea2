"""Indicators on a small ledger whose every figure is worked out by hand below."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.indicators import queries
from tadiao.indicators.models import RateDefinition, Target
from tadiao.projects.models import Level, Nature, Project, Stage
from tadiao.reporting.models import MonthlyReport, Period
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2026, 6, 30)


def _period(month: int) -> Period:
    start = D(2026, month, 1)
    return Period.objects.get_or_create(month=start, defaults={"deadline": start.replace(day=25)})[0]


def _report(project, month, amount, status="APPROVED"):
    MonthlyReport.objects.create(
        project=project, period=_period(month), investment_completed=Decimal(amount), status=status
    )


@pytest.fixture
def ledger(unit_a, unit_b):
    """Eight projects on 30 June 2026:

    P1 new, signed 1-10, approved 2-01, started 3-01, 省重点, plan 1000; reports Feb 50 (returned), Mar 100,
       Apr 200 (submitted), May 100 (draft), Jun 150 → year to date 100 + 200 + 150 = 450
    P2 signed 2-01, approved 4-01, not started, 省重点, plan 500
    P3 signed 2025-06-01, not approved, no plan
    P4 continuing, started 2024-05-01, completed 2026-05-20, producing 2026-06-15, plan 2000; report Feb 300,
       Jul 999 (after the as-of date) → 300
    P5 signed 5-01, approved 6-01, started 7-10 (after the as-of date), plan 100
    P6 new, signed 1-05, started 2-01, then cancelled; no plan (still in every denominator)
    P7 reserve, no dates
    P8 continuing, started 2023-01-01, plan 400, no report this year
    """
    p = {}
    p[1] = ProjectFactory(
        unit=unit_a,
        level=Level.PROVINCIAL,
        stage=Stage.STARTED,
        signed_date=D(2026, 1, 10),
        approved_date=D(2026, 2, 1),
        started_date=D(2026, 3, 1),
    )
    p[2] = ProjectFactory(
        unit=unit_a,
        level=Level.PROVINCIAL,
        stage=Stage.APPROVED,
        signed_date=D(2026, 2, 1),
        approved_date=D(2026, 4, 1),
    )
    p[3] = ProjectFactory(unit=unit_b, stage=Stage.SIGNED, signed_date=D(2025, 6, 1))
    p[4] = ProjectFactory(
        unit=unit_b,
        nature=Nature.CONTINUING,
        stage=Stage.PRODUCING,
        started_date=D(2024, 5, 1),
        completed_date=D(2026, 5, 20),
        producing_date=D(2026, 6, 15),
    )
    p[5] = ProjectFactory(
        unit=unit_b,
        stage=Stage.STARTED,
        signed_date=D(2026, 5, 1),
        approved_date=D(2026, 6, 1),
        started_date=D(2026, 7, 10),
    )
    p[6] = ProjectFactory(
        unit=unit_a,
        stage=Stage.STARTED,
        signed_date=D(2026, 1, 5),
        started_date=D(2026, 2, 1),
        is_cancelled=True,
        cancelled_reason="企业投资计划改变",
    )
    p[7] = ProjectFactory(unit=unit_a, stage=Stage.RESERVE)
    p[8] = ProjectFactory(unit=unit_b, nature=Nature.CONTINUING, stage=Stage.STARTED, started_date=D(2023, 1, 1))
    for number, planned in [(1, "1000"), (2, "500"), (4, "2000"), (5, "100"), (8, "400")]:
        AnnualPlanFactory(project=p[number], year=2026, planned_investment=Decimal(planned))
    AnnualPlanFactory(project=p[3], year=2025, planned_investment=Decimal("777"))
    _report(p[1], 2, "50", "RETURNED")
    _report(p[1], 3, "100")
    _report(p[1], 4, "200", "SUBMITTED")
    _report(p[1], 5, "100", "DRAFT")
    _report(p[1], 6, "150")
    _report(p[4], 2, "300")
    _report(p[4], 7, "999")
    return p


def _rate(result, code):
    r = result.rates[code]
    return r.numerator, r.denominator, r.percent


def test_every_indicator_by_hand(ledger):
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert result.counts_by_stage == {
        "RESERVE": 1,
        "NEGOTIATING": 0,
        "SIGNED": 1,
        "APPROVED": 2,
        "STARTED": 3,
        "COMPLETED": 0,
        "PRODUCING": 1,
        "AT_CAPACITY": 0,
    }
    assert _rate(result, "start_rate") == (4, 8, Decimal("50.00"))  # P1 P4 P6 P8
    assert _rate(result, "signed_to_approved") == (3, 5, Decimal("60.00"))  # of P1 P2 P3 P5 P6: P1 P2 P5
    assert _rate(result, "approved_to_started") == (1, 3, Decimal("33.33"))  # of P1 P2 P5: P1
    assert _rate(result, "completed_to_producing") == (1, 1, Decimal("100.00"))  # P4
    assert _rate(result, "producing_to_capacity") == (0, 1, Decimal("0.00"))
    assert _rate(result, "completion_rate") == (1, 4, Decimal("25.00"))
    assert _rate(result, "producing_rate") == (1, 4, Decimal("25.00"))
    # In this year's plan: P1 P2 P4 P5 P8; new and started this year: P1; continuing with reported work: P4.
    assert _rate(result, "start_or_resume_rate") == (2, 5, Decimal("40.00"))
    # Started and planned: P1 P4 P8 → (450 + 300) / (1000 + 2000 + 400) = 22.0588…%
    assert _rate(result, "started_investment_completion") == (Decimal("750.00"), Decimal("3400.00"), Decimal("22.06"))
    # All planned: (450 + 300) / (1000 + 500 + 2000 + 100 + 400) = 18.75%
    assert _rate(result, "annual_investment_completion") == (Decimal("750.00"), Decimal("4000.00"), Decimal("18.75"))
    assert (result.annual_planned, result.annual_completed) == (Decimal("4000.00"), Decimal("750.00"))
    assert result.time_progress == Decimal("50.00")
    assert result.progress_gap == Decimal("-31.25")


def test_scope_by_level_and_unit(ledger, unit_b):
    provincial = queries.Scope(level=Level.PROVINCIAL).apply(Project.objects.all())
    result = queries.compute_indicators(provincial, as_of=AS_OF)
    assert _rate(result, "start_rate") == (1, 2, Decimal("50.00"))
    assert _rate(result, "annual_investment_completion") == (Decimal("450.00"), Decimal("1500.00"), Decimal("30.00"))
    only_b = queries.Scope(unit_id=unit_b.pk).apply(Project.objects.all())
    assert _rate(queries.compute_indicators(only_b, as_of=AS_OF), "start_rate") == (2, 4, Decimal("50.00"))


def test_empty_denominator_is_none_not_zero(db):
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert _rate(result, "start_rate") == (0, 0, None)
    assert result.rates["annual_investment_completion"].percent is None
    assert result.progress_gap is None


def test_earlier_date_sees_earlier_figures(ledger):
    result = queries.compute_indicators(Project.objects.all(), as_of=D(2026, 2, 28))
    # Started by 28 Feb: P4 (2024), P6 (2-01), P8 (2023); P1 starts in March.
    assert _rate(result, "start_rate") == (3, 8, Decimal("37.50"))
    # Reports of January and February only: P4's 300 (P1's February report was returned).
    assert result.annual_completed == Decimal("300.00")
    assert result.time_progress == Decimal("16.67")


def test_days_basis_time_progress():
    assert queries.time_progress(D(2026, 6, 30), basis="DAYS") == Decimal("49.59")  # 181 / 365
    assert queries.time_progress(D(2024, 12, 31), basis="DAYS") == Decimal("100.00")


def test_targets_show_actual_target_and_gap(ledger):
    start_rate = RateDefinition.objects.get(code="start_rate")
    Target.objects.create(
        year=2026, rate=start_rate, level=Level.PROVINCIAL, deadline=D(2026, 6, 30), percent=Decimal("85")
    )
    Target.objects.create(year=2026, rate=start_rate, level="", deadline=D(2026, 9, 30), percent=Decimal("100"))
    targets = queries.compute_indicators(Project.objects.all(), as_of=AS_OF).targets
    assert [(t.actual, t.gap) for t in targets] == [
        (Decimal("50.00"), Decimal("-35.00")),
        (Decimal("50.00"), Decimal("-50.00")),
    ]


def test_local_rate_definition_is_used(ledger):
    RateDefinition.objects.create(
        code="smart_start_rate",
        name="亿元以上项目开工率",
        numerator={"reached": "STARTED"},
        denominator={"tags": ["亿元以上"]},
    )
    ledger[1].total_investment = Decimal("20000")
    ledger[1].save()
    ledger[2].total_investment = Decimal("10000")
    ledger[2].save()
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert _rate(result, "smart_start_rate") == (1, 2, Decimal("50.00"))


def _count(as_of):
    with CaptureQueriesContext(connection) as ctx:
        queries.compute_indicators(Project.objects.all(), as_of=as_of)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_projects(ledger, unit_a):
    # 6: settings, the definitions, every rate in one aggregate (the COUNT rates, and a conditional SUM of the
    # year's plans and of the year-to-date reports per INVESTMENT rate and for the year totals, over the projects
    # joined to both), counts by stage (GROUP BY), the targets (none here), the events of the month and of 1—N月
    # (one aggregate).
    at_n = _count(AS_OF)
    for project in ProjectFactory.create_batch(8, unit=unit_a, stage=Stage.STARTED, started_date=D(2026, 3, 3)):
        AnnualPlanFactory(project=project, year=2026)
        _report(project, 4, "10")
    assert _count(AS_OF) == at_n == 6


def test_cli_json_contract(ledger):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--level", "省重点", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2026-06-30"
    assert data["counts_by_stage"]["started"] == 1 and data["counts_by_stage"]["approved"] == 1
    assert data["rates"]["start_rate"] == {"numerator": 1, "denominator": 2, "percent": "50.00"}
    assert data["rates"]["completed_to_producing"] == {"numerator": 0, "denominator": 0, "percent": None}
    assert data["rates"]["annual_investment_completion"] == {
        "numerator": "450.00",
        "denominator": "1500.00",
        "percent": "30.00",
    }
    assert data["time_progress"] == "50.00"
    assert data["annual_investment"] == {"planned": "1500.00", "completed": "450.00"}
    for code in (
        "start_rate",
        "signed_to_approved",
        "approved_to_started",
        "started_investment_completion",
        "completed_to_producing",
        "producing_to_capacity",
        "annual_investment_completion",
    ):
        assert code in data["rates"]


def test_cli_unit_scope_and_errors(ledger):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--unit", "西湖街道", "--json", stdout=out)
    assert json.loads(out.getvalue())["rates"]["start_rate"]["percent"] == "50.00"
    with pytest.raises(CommandError, match="找不到单位"):
        call_command("indicators", "--as-of", "2026-06-30", "--unit", "不存在的镇", "--json")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("indicators", "--as-of", "2026/06/30", "--json")
    with pytest.raises(CommandError, match="未知的项目级别"):
        call_command("indicators", "--as-of", "2026-06-30", "--level", "特级")


def test_cli_text_output(ledger):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", stdout=out)
    text = out.getvalue()
    assert "开工率：50.00%（4 / 8）" in text
    assert "年度投资完成率低于序时进度 31.25 个百分点" in text


def test_unit_rankings_with_stated_tie_breaks(ledger, unit_a, unit_b, office_unit):
    from tadiao.indicators import rankings

    units = [office_unit, unit_a, unit_b]  # display order 0, 1, 2
    rows = rankings.unit_rows(Project.objects.all(), units=units, as_of=AS_OF)
    by_key = {r.key: r for r in rankings.rank_units(rows)}
    # 开工率: 东城镇 P1 P6 of P1 P2 P6 P7 = 2/4 = 50%; 西湖街道 P4 P8 of P3 P4 P5 P8 = 2/4 = 50%: tied on rate and on
    # started count, so unit order decides; the office has no project ("—") and goes last.
    assert [r.unit for r in by_key["start_rate"].rows] == [unit_a, unit_b, office_unit]
    # 年度投资完成率: 东城镇 450 / 1500 = 30%; 西湖街道 300 / 2500 = 12%.
    completion = by_key["annual_investment_completion"].rows
    assert [(r.unit, r.rates["annual_investment_completion"].percent) for r in completion] == [
        (unit_a, Decimal("30.00")),
        (unit_b, Decimal("12.00")),
        (office_unit, None),
    ]
    assert "相同时累计完成投资多者在前" in by_key["annual_investment_completion"].tie_rule
    # Red lights: 东城镇 P2 (0 of 500 planned: 50 points behind); 西湖街道 P3 (signed 2025, not started), P4 (15%),
    # P5 and P8 (nothing reported against a plan). Fewer reds rank higher.
    assert [(r.unit, r.red) for r in by_key["red_warnings"].rows] == [(office_unit, 0), (unit_a, 1), (unit_b, 4)]


def test_double_half(ledger):
    # 30 June: 年度投资完成率 18.75% (not half); 开工率 50.00% counts only once a 开工率 target exists.
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert result.double_half == {"time_half_gone": True, "investment": False, "start": None, "achieved": False}
    Target.objects.create(
        year=2026, rate=RateDefinition.objects.get(code="start_rate"), deadline=D(2026, 6, 30), percent=Decimal("50")
    )
    for number in (2, 5, 8):  # drop the plans of P2, P5, P8: (450 + 300) / (1 000 + 2 000) = 25%
        ledger[number].annual_plans.all().delete()
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert result.double_half == {"time_half_gone": True, "investment": False, "start": True, "achieved": False}
    MonthlyReport.objects.filter(project=ledger[4], period__month=D(2026, 2, 1)).update(
        investment_completed=Decimal("1050")
    )  # (450 + 1 050) / 3 000 = 50%
    result = queries.compute_indicators(Project.objects.all(), as_of=AS_OF)
    assert result.double_half == {"time_half_gone": True, "investment": True, "start": True, "achieved": True}
    early = queries.compute_indicators(Project.objects.all(), as_of=D(2026, 6, 29))
    assert early.double_half["time_half_gone"] is False


def test_scope_and_selection_by_batch(ledger):
    from tadiao.projects.models import Batch, BatchEntry

    seventh = Batch.objects.create(number=7, date=D(2026, 3, 1))
    eighth = Batch.objects.create(number=8, date=D(2026, 6, 1))
    BatchEntry.objects.create(batch=seventh, project=ledger[1], kind="START")
    BatchEntry.objects.create(batch=seventh, project=ledger[2], kind="START")
    BatchEntry.objects.create(batch=eighth, project=ledger[1], kind="SIGN")  # P1 in two batches
    in_seventh = queries.Scope(batch_id=seventh.pk).apply(Project.objects.all())
    assert _rate(queries.compute_indicators(in_seventh, as_of=AS_OF), "start_rate") == (1, 2, Decimal("50.00"))
    RateDefinition.objects.create(
        code="batch8_sign",
        name="第8期签约项目开工率",
        numerator={"reached": "STARTED"},
        denominator={"batches": [8], "batch_kinds": ["SIGN"]},
    )
    assert _rate(queries.compute_indicators(Project.objects.all(), as_of=AS_OF), "batch8_sign") == (
        1,
        1,
        Decimal("100.00"),
    )


def test_bad_batch_selection_is_refused():
    from tadiao.indicators.selection import SelectionError, validate

    with pytest.raises(SelectionError, match="期数"):
        validate({"batches": ["七"]})
    with pytest.raises(SelectionError, match="batch_kinds"):
        validate({"batches": [7], "batch_kinds": ["BUILD"]})
