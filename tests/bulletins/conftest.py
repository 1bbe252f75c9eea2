"""A small county for the five lists, every figure computed by hand.

As of 2026-11-23 (TODAY) with the window 2026-11-01 — 2026-12-31 (both days included):

| project | unit | dates (planned / actual)                                        | flags       | lists     |
|---------|------|-----------------------------------------------------------------|-------------|-----------|
| p1      | A    | signed 05-10, planned start 12-31 (window's last day)          | 智能化改造  | 1, 2, 5   |
| p2      | B    | signed 02-01, started 11-23 (= as of), planned completion 2027  |             | 3         |
| p3      | A    | signed 11-20, started 11-24 (day after as of), plan. start 10-31 |             | 1         |
| p4      | A    | signed 03-01, planned start 11-01 (window's first day)          | cancelled, 智能化改造 | 1, 2, 5 |
| p5      | A    | approved 08-01 (government, no signing), planned start 11-01    |             | 2         |
| p6      | A    | started 2025-04-01, completed 11-23 (= as of), plan. producing 12-31 |        | 4         |
| p7      | A    | started 2025-06-01, planned completion 11-01                    | suspended   | 3, 4      |
| p8      | A    | started 2024, completed 09-30 (before its plan 11-15), plan. producing 2027-01-01 | | —   |
| p9      | B    | started 01-05, planned completion 12-31                         | 智能化改造  | 3, 4, 5   |
| p10     | A    | started 01-01, planned completion 12-01                         | cancelled   | 3, 4      |

Lists: 1 签约未开工, 2 计划开工, 3 在建, 4 计划竣工/投产, 5 智能化改造. A cancelled project stays in every list it
was in (domain.md) and is marked 终止 (a suspended one 停工): pages badge it by the name, exports write 项目状态.

Figures (2026 plan; 1—11月 of submitted/approved reports; progress of the latest such report up to November):
  p1: plan 8 000.00; Sep approved 100.50 + Oct submitted 200.25 = 300.75 (Nov draft 999 and Dec 2025 50 left
      out); progress "桩基施工准备" (October's).
  p2: plan 5 000.00; Nov approved 1 200.00 (Oct returned 300 left out); progress "主体开工".
  p3, p5, p7: no plan, no reports: 0.00 and no progress.
  p9: plan 3 000.00 (the 2025 plan of 9 999 ignored); Jan 400.10 + Jun 600.20 = 1 000.30 (Dec submitted 50
      is after the as-of month); progress "主体封顶" (June's).
"""

import datetime
from decimal import Decimal

import pytest

from tadiao.org.models import Leader
from tadiao.projects.models import Level, Project, Stage, Tag
from tadiao.reporting.models import MonthlyReport, Period
from tests.factories import AnnualPlanFactory, ProjectFactory

WINDOW = "from=2026-11-01&to=2026-12-31"


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def period(month: str) -> Period:
    first = d(f"{month}-01")
    return Period.objects.get_or_create(month=first, defaults={"deadline": first.replace(day=25)})[0]


def report(project: Project, month: str, amount: str, status: str, text: str = "") -> MonthlyReport:
    return MonthlyReport.objects.create(
        project=project,
        period=period(month),
        investment_completed=Decimal(amount),
        status=status,
        progress_text=text,
    )


S, A, D, R = (
    MonthlyReport.Status.SUBMITTED,
    MonthlyReport.Status.APPROVED,
    MonthlyReport.Status.DRAFT,
    MonthlyReport.Status.RETURNED,
)


@pytest.fixture
def county(unit_a, unit_b) -> dict[str, Project]:
    smart = Tag.objects.get(name="智能化改造")
    li = Leader.objects.create(name="李明", title="副市长")
    p = {
        "p1": ProjectFactory(
            name="高端轴承智能工厂",
            unit=unit_a,
            level=Level.PROVINCIAL,
            total_investment=Decimal("20000"),
            leader=li,
            stage=Stage.SIGNED,
            signed_date=d("2026-05-10"),
            planned_started_date=d("2026-12-31"),
        ),
        "p2": ProjectFactory(
            name="西湖片区城市更新",
            unit=unit_b,
            total_investment=Decimal("12345.67"),
            stage=Stage.STARTED,
            signed_date=d("2026-02-01"),
            started_date=d("2026-11-23"),
            planned_completed_date=d("2027-06-30"),
        ),
        "p3": ProjectFactory(
            name="新材料中试基地",
            unit=unit_a,
            stage=Stage.SIGNED,
            signed_date=d("2026-11-20"),
            started_date=d("2026-11-24"),
            planned_started_date=d("2026-10-31"),
        ),
        "p4": ProjectFactory(
            name="数字经济产业园",
            unit=unit_a,
            stage=Stage.SIGNED,
            signed_date=d("2026-03-01"),
            planned_started_date=d("2026-11-01"),
            is_cancelled=True,
            cancelled_reason="企业投资计划改变",
        ),
        "p5": ProjectFactory(
            name="东城中学扩建",
            unit=unit_a,
            stage=Stage.APPROVED,
            approved_date=d("2026-08-01"),
            planned_started_date=d("2026-11-01"),
        ),
        "p6": ProjectFactory(
            name="智能家电生产线",
            unit=unit_a,
            stage=Stage.COMPLETED,
            started_date=d("2025-04-01"),
            completed_date=d("2026-11-23"),
            planned_completed_date=d("2026-10-31"),
            planned_producing_date=d("2026-12-31"),
        ),
        "p7": ProjectFactory(
            name="东城污水处理厂提标",
            unit=unit_a,
            stage=Stage.STARTED,
            started_date=d("2025-06-01"),
            planned_completed_date=d("2026-11-01"),
            is_suspended=True,
            suspended_reason="环保管控",
        ),
        "p8": ProjectFactory(
            name="物流园一期",
            unit=unit_a,
            stage=Stage.COMPLETED,
            started_date=d("2024-01-01"),
            completed_date=d("2026-09-30"),
            planned_completed_date=d("2026-11-15"),
            planned_producing_date=d("2027-01-01"),
        ),
        "p9": ProjectFactory(
            name="纺织印染数字化车间",
            unit=unit_b,
            stage=Stage.STARTED,
            started_date=d("2026-01-05"),
            planned_completed_date=d("2026-12-31"),
        ),
        "p10": ProjectFactory(
            name="农旅融合示范区",
            unit=unit_a,
            stage=Stage.STARTED,
            started_date=d("2026-01-01"),
            planned_completed_date=d("2026-12-01"),
            is_cancelled=True,
            cancelled_reason="用地调整",
        ),
    }
    for key in ("p1", "p4", "p9"):
        p[key].tags.add(smart)
    AnnualPlanFactory(project=p["p1"], year=2026, planned_investment=Decimal("8000"))
    AnnualPlanFactory(project=p["p2"], year=2026, planned_investment=Decimal("5000"))
    AnnualPlanFactory(project=p["p9"], year=2026, planned_investment=Decimal("3000"))
    AnnualPlanFactory(project=p["p9"], year=2025, planned_investment=Decimal("9999"))

    report(p["p1"], "2025-12", "50", A, "前期对接")
    report(p["p1"], "2026-09", "100.50", A, "完成土地平整")
    report(p["p1"], "2026-10", "200.25", S, "桩基施工准备")
    report(p["p1"], "2026-11", "999", D, "草稿不算")
    report(p["p2"], "2026-10", "300", R, "退回不算")
    report(p["p2"], "2026-11", "1200", A, "主体开工")
    report(p["p9"], "2026-01", "400.10", A, "基础施工")
    report(p["p9"], "2026-06", "600.20", A, "主体封顶")
    report(p["p9"], "2026-12", "50", S, "年底冲刺")
    return p


# ---------------------------------------------------------------------------------------------------
# The monthly bulletin: closed months with snapshots whose data is built by hand (tests/bulletins/snapshot_data.py)


def closed_month(month: str, data: dict):
    from django.utils import timezone

    from tadiao.indicators.models import Snapshot
    from tadiao.lib.dates import month_end

    p = period(month)
    p.status = Period.Status.CLOSED
    p.save(update_fields=["status"])
    Snapshot.objects.create(period=p, as_of=month_end(p.month), data=data, created_at=timezone.now())
    return p


@pytest.fixture
def october(db):
    """September and October 2026 closed, with the hand-built snapshots; October returned."""
    from tests.bulletins import snapshot_data

    closed_month("2026-09", snapshot_data.september())
    return closed_month("2026-10", snapshot_data.october())


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once (django.tasks picks the settings change up through setting_changed)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
