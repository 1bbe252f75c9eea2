"""The warnings rule engine with the default rules, each light worked out by hand (as of 30 June 2026: 序时进度
50.00%)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.indicators import warnings
from tadiao.indicators.models import WarningRule
from tadiao.projects.models import Project, Stage
from tadiao.reporting.models import MonthlyReport, Period
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2026, 6, 30)


def _planned(unit, name, planned, reported, month=5):
    project = ProjectFactory(unit=unit, name=name, stage=Stage.STARTED)
    AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal(planned))
    if reported:
        period = Period.objects.get_or_create(month=D(2026, month, 1), defaults={"deadline": D(2026, month, 25)})[0]
        MonthlyReport.objects.create(
            project=project, period=period, investment_completed=Decimal(reported), status="APPROVED"
        )
    return project


@pytest.fixture
def ledger(unit_a, unit_b):
    p = {
        # rate 40% → 10 points behind: yellow (≥ 10); 80% of 序时进度: not under 80%.
        "w1": _planned(unit_a, "W1", "1000", "400"),
        # rate 19% → 31 behind: red (> 30); 38% of 序时进度: red (< 60%).
        "w2": _planned(unit_a, "W2", "1000", "190"),
        # rate 20% → 30 behind: only yellow by points; 40% of 序时进度: red.
        "w3": _planned(unit_b, "W3", "1000", "200"),
        # rate 50%: on time.
        "w4": _planned(unit_b, "W4", "1000", "500"),
        # signed 1 March, not started: 121 days > 90 → red.
        "w5": ProjectFactory(unit=unit_b, name="W5", stage=Stage.SIGNED, signed_date=D(2026, 3, 1)),
        # signed 1 May: 60 days ≥ 60 → yellow.
        "w6": ProjectFactory(unit=unit_b, name="W6", stage=Stage.SIGNED, signed_date=D(2026, 5, 1)),
        # planned start 15 March, not started: past it at the ends of June, May and April → red (3 months).
        "w7": ProjectFactory(unit=unit_a, name="W7", planned_started_date=D(2026, 3, 15)),
        # planned start 10 May: not yet past at the end of April → yellow only.
        "w8": ProjectFactory(unit=unit_a, name="W8", planned_started_date=D(2026, 5, 10)),
        # would be red, but cancelled projects carry no light.
        "w9": ProjectFactory(unit=unit_a, name="W9", stage=Stage.SIGNED, signed_date=D(2026, 1, 1), is_cancelled=True),
        # completed 1 October 2025, not producing: 272 days > 180 → red.
        "w10": ProjectFactory(
            unit=unit_b, name="W10", stage=Stage.COMPLETED, started_date=D(2025, 1, 1), completed_date=D(2025, 10, 1)
        ),
    }
    return p


def _lights(as_of=AS_OF):
    rows = warnings.with_lights(Project.objects.all(), as_of=as_of, rules=warnings.active_rules())
    return {row.name: row.light for row in rows}


def test_default_rules_light_each_project_as_worked_out(ledger):
    Y, R, G = warnings.YELLOW, warnings.RED, warnings.GREEN
    assert _lights() == {"W1": Y, "W2": R, "W3": R, "W4": G, "W5": R, "W6": Y, "W7": R, "W8": Y, "W9": G, "W10": R}


def test_reasons_name_the_rule_and_value(ledger):
    rules = warnings.active_rules()
    rows = {p.name: p for p in warnings.warned_projects(Project.objects.all(), as_of=AS_OF, rules=rules)}
    assert [text for _, _, text in warnings.explain(rows["W3"], as_of=AS_OF, rules=rules)] == [
        "黄灯：年度投资完成率低于序时进度（年度投资完成率 20.00%）",
        "红灯：年度投资完成率不足序时进度的八成（年度投资完成率 20.00%）",
    ]
    assert [text for _, _, text in warnings.explain(rows["W5"], as_of=AS_OF, rules=rules)] == [
        "红灯：签约后 90 天未开工（桩基进场）（已 121 天）"
    ]
    assert list(rows) == ["W2", "W7", "W3", "W5", "W10", "W1", "W8", "W6"]  # red first, then unit order


def test_counts_by_unit_and_totals(ledger, unit_a, unit_b):
    rules = warnings.active_rules()
    assert warnings.counts_by_unit(Project.objects.all(), as_of=AS_OF, rules=rules) == {
        unit_a.pk: {"red": 2, "yellow": 2},  # W2 W7 / W1 W8
        unit_b.pk: {"red": 3, "yellow": 1},  # W3 W5 W10 / W6
    }
    assert warnings.light_totals(Project.objects.all(), as_of=AS_OF, rules=rules) == {"red": 5, "yellow": 3}


def test_red_turns_back_once_caught_up(ledger):
    period = Period.objects.create(month=D(2026, 6, 1), deadline=D(2026, 6, 25))
    MonthlyReport.objects.create(
        project=ledger["w2"], period=period, investment_completed=Decimal("320"), status="SUBMITTED"
    )
    assert _lights()["W2"] == warnings.GREEN  # 510 of 1000 ≥ 50%


def test_rule_scope_and_thresholds_are_data(ledger):
    WarningRule.objects.filter(code="signed_not_started").update(levels=["PROVINCIAL"])
    assert _lights()["W5"] == warnings.GREEN
    WarningRule.objects.filter(code="signed_not_started").update(levels=[], red=Decimal("150"))
    assert _lights()["W5"] == warnings.YELLOW


def test_query_count_is_flat(ledger, unit_a):
    rules = warnings.active_rules()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            list(warnings.warned_projects(Project.objects.all(), as_of=AS_OF, rules=rules))
            warnings.counts_by_unit(Project.objects.all(), as_of=AS_OF, rules=rules)
        return len(ctx.captured_queries)

    at_n = count()
    for i in range(10):
        _planned(unit_a, f"X{i}", "1000", "100")
    # Each call: the reporting settings, then one query.
    assert count() == at_n == 4


def test_draft_reports_do_not_count(ledger):
    period = Period.objects.create(month=D(2026, 6, 1), deadline=D(2026, 6, 25))
    MonthlyReport.objects.create(project=ledger["w2"], period=period, investment_completed=Decimal("320"),
                                 status="DRAFT")
    assert _lights()["W2"] == warnings.RED  # still 190 of 1000 reported


def test_a_streak_compares_each_month_end_with_that_months_year_to_date(ledger):
    # 不足序时进度八成 red only when it held at the ends of June and May. W3 (200 reported in May, 20%): at the end
    # of May 序时进度 is 41.67%, 80% of it 33.33% > 20% → red both months. W2 got 300 more in June: 49% ≥ 40%.
    WarningRule.objects.filter(measure=WarningRule.Measure.PERCENT_OF_TIME_PROGRESS).update(streak_months=2)
    period = Period.objects.create(month=D(2026, 6, 1), deadline=D(2026, 6, 25))
    MonthlyReport.objects.create(project=ledger["w2"], period=period, investment_completed=Decimal("300"),
                                 status="APPROVED")
    rules = warnings.active_rules()
    rows = {p.name: p for p in warnings.with_lights(Project.objects.all(), as_of=AS_OF, rules=rules)}
    rule = next(r for r in rules if r.measure == WarningRule.Measure.PERCENT_OF_TIME_PROGRESS)
    assert getattr(rows["W3"], f"w_{rule.pk}") == warnings.RED
    assert getattr(rows["W2"], f"w_{rule.pk}") == warnings.GREEN
    assert rows["W2"].light == warnings.GREEN  # 49% against 50%: not 10 points behind either


def test_each_rule_is_evaluated_once_per_project(ledger):
    # The light, the filter on it and its ordering name each rule's level once (a CTE the projects join): the
    # reports are read by one grouped pass and the year's plans by one join, whatever the number of rules and
    # streak months — inlined annotations had repeated each correlated subquery at every reference.
    WarningRule.objects.filter(measure__in=warnings.INVESTMENT_MEASURES).update(streak_months=3)
    rules = warnings.active_rules()
    with CaptureQueriesContext(connection) as ctx:
        list(warnings.warned_projects(Project.objects.all(), as_of=AS_OF, rules=rules))
    sql = ctx.captured_queries[-1]["sql"]
    assert sql.count('FROM "reporting_monthlyreport"') == 1
    assert sql.count('JOIN "projects_annualplan"') == 1 and 'FROM "projects_annualplan"' not in sql


def test_lit_projects_keep_the_callers_scope(ledger, unit_a):
    lit = warnings.with_lights(Project.objects.filter(unit=unit_a), as_of=AS_OF, rules=warnings.active_rules())
    assert sorted(p.name for p in lit) == ["W1", "W2", "W7", "W8", "W9"]
    assert lit.count() == 5
    assert lit.filter(light=warnings.RED).count() == 2  # W2 W7
    assert [p.name for p in lit.order_by("name")[1:3]] == ["W2", "W7"]


def test_warned_rows_say_what_the_warned_projects_say(ledger, unit_a, unit_b):
    rules = warnings.active_rules()
    rows = warnings.warned_rows(Project.objects.all(), as_of=AS_OF, rules=rules)
    assert [row["name"] for row in rows] == ["W2", "W7", "W3", "W5", "W10", "W1", "W8", "W6"]
    w3 = next(row for row in rows if row["name"] == "W3")
    assert w3 == {"project_id": ledger["w3"].pk, "name": "W3", "unit_id": unit_b.pk, "unit": unit_b.name,
                  "light": warnings.RED, "reasons": ["黄灯：年度投资完成率低于序时进度（年度投资完成率 20.00%）",
                                                     "红灯：年度投资完成率不足序时进度的八成（年度投资完成率 20.00%）"]}
    w5 = next(row for row in rows if row["name"] == "W5")
    assert w5["reasons"] == ["红灯：签约后 90 天未开工（桩基进场）（已 121 天）"]
    assert warnings.counts_of_rows(rows) == {unit_a.pk: {"red": 2, "yellow": 2}, unit_b.pk: {"red": 3, "yellow": 1}}
