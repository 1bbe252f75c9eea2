"""A constructed project whose package is computed by hand in the tests, and the helpers that build more."""

import datetime
from decimal import Decimal

import pytest

from tadiao.oc4ids.package import PackageInfo
from tadiao.projects.models import AnnualPlan, ApprovalKind, FundingSource, ProjectApproval, ProjectFunding, Stage
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import TODAY
from tests.factories import ProjectFactory, UnitFactory, UserFactory

PUBLISHED = datetime.datetime(2026, 11, 23, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
PHONE = "13912345678"
PROBLEM = "缺少用地指标急需协调"
PROGRESS = "主体结构已封顶的保密描述"


def info(as_of: datetime.date = TODAY, prefix: str = "oc4ids-test-") -> PackageInfo:
    return PackageInfo(uri="urn:test:package", publisher="青山市发展和改革局", published=PUBLISHED, prefix=prefix,
                       as_of=as_of)


def period(month: datetime.date) -> Period:
    return Period.objects.get_or_create(month=month, defaults={"deadline": month.replace(day=25)})[0]


def report(project, month: datetime.date, amount: str, status: str = "APPROVED", **fields) -> MonthlyReport:
    return MonthlyReport.objects.create(
        project=project, period=period(month), investment_completed=Decimal(amount), status=status, **fields
    )


def full_project(unit, n: int = 0, **fields):
    """A project with a plan, two approvals, funding and three reported months (the query-count tests' row)."""
    project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=datetime.date(2026, 3, 10), **fields)
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=Decimal("1000.50"))
    for kind in ApprovalKind.objects.order_by("id")[:2]:
        ProjectApproval.objects.create(project=project, kind=kind, status="DONE",
                                       completed_date=datetime.date(2026, 2, 1))
    ProjectFunding.objects.create(project=project, source=FundingSource.SELF_RAISED, planned=Decimal("800"))
    for month in (1, 2, 3):
        report(project, datetime.date(2026, month, 1), f"{100 + n}.00")
    return project


@pytest.fixture
def supervisor(region):
    return UnitFactory(name="青山市交通运输局", kind="DEPARTMENT", region=region)


@pytest.fixture
def built(unit_a, supervisor, reporter_a):
    """东城镇's road project, reported on for 2026 (see test_package for the figures expected)."""
    reporter_a.phone = PHONE
    reporter_a.save(update_fields=["phone"])
    project = ProjectFactory(
        unit=unit_a,
        name="东城大道改造工程",
        code="2024-330999-48-01-123456",
        investor="青山交通投资集团有限公司",
        supervising_department=supervisor,
        industry_code="E4813",
        category="INFRASTRUCTURE",
        nature="RENOVATION",
        total_investment=Decimal("12345.67"),
        latitude=Decimal("30.123456"),
        longitude=Decimal("120.654321"),
        content="改造道路 5.2 公里",
        stage=Stage.STARTED,
        is_suspended=True,
        suspended_reason="环保管控停工的内部说明",
        approved_date=datetime.date(2026, 1, 20),
        planned_started_date=datetime.date(2026, 3, 1),
        started_date=datetime.date(2026, 3, 10),
        planned_completed_date=datetime.date(2026, 10, 31),
        planned_producing_date=datetime.date(2027, 5, 1),
    )
    AnnualPlan.objects.create(project=project, year=2026, planned_investment=Decimal("1000.50"))
    AnnualPlan.objects.create(project=project, year=2027, planned_investment=Decimal("2000"))
    done, gaps, pending, untouched = (
        ApprovalKind.objects.get_or_create(name=name)[0] for name in ("环评批复", "施工许可", "节能审查", "安全评价")
    )
    ProjectApproval.objects.create(project=project, kind=done, status="DONE", department="青山市生态环境局",
                                   planned_date=datetime.date(2026, 1, 15), completed_date=datetime.date(2026, 2, 1),
                                   note="审批人电话 13800001111")
    ProjectApproval.objects.create(project=project, kind=gaps, status="WITH_GAPS")
    ProjectApproval.objects.create(project=project, kind=pending, status="IN_PROGRESS",
                                   planned_date=datetime.date(2026, 12, 31))
    ProjectApproval.objects.create(project=project, kind=untouched, status="NOT_STARTED")
    ProjectFunding.objects.create(project=project, source=FundingSource.SPECIAL_BOND, planned=Decimal("3000"))
    ProjectFunding.objects.create(project=project, source=FundingSource.BANK_LOAN, planned=Decimal("0"))
    report(project, datetime.date(2026, 1, 1), "200.00", problems=PROBLEM, progress_text=PROGRESS,
           submitted_by=reporter_a)
    report(project, datetime.date(2026, 2, 1), "300.25", status="SUBMITTED")
    report(project, datetime.date(2026, 3, 1), "50.00", status="DRAFT")
    report(project, datetime.date(2026, 4, 1), "70.00", status="RETURNED", return_reason="数据有误请核实")
    report(project, datetime.date(2026, 5, 1), "0.00")
    report(project, datetime.date(2026, 12, 1), "999.00")  # after the as-of month
    return project


@pytest.fixture
def other_region_coordinator(db):
    from tests.factories import RegionFactory

    far = RegionFactory(code="330888", name="远山县")
    unit = UnitFactory(name="远山县发展和改革局", kind="DEPARTMENT", region=far)
    ProjectFactory(unit=unit, name="远山县水厂")
    return UserFactory(username="far_coordinator", unit=unit, is_coordinator=True)
