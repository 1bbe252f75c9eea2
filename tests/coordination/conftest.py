"""Builders for 问题协调 tests: problems at a given state, the department that handles them, a fixed clock."""

import datetime

import pytest

from tadiao.coordination.models import Problem, Status
from tadiao.org.models import Unit
from tests.conftest import TODAY
from tests.factories import UnitFactory, UserFactory

D = datetime.date
RAISED = D(2026, 11, 2)
DUE = D(2026, 11, 20)


def make_problem(project, lead_unit, *, raised_by_unit=None, raised=RAISED, deadline=DUE,
                 status=Status.PENDING, level=1, helping=(), resolved=None, first_deadline=None, **extra) -> Problem:
    """A problem written straight to the table (the services are tested on their own)."""
    problem = Problem.objects.create(
        project=project, title=extra.pop("title", f"{project.name if project else ''}用地指标"), category=extra.pop(
            "category", "LAND"), description="缺少用地指标", raised_by_unit=raised_by_unit or project.unit,
        raised_date=raised, lead_unit=lead_unit, deadline=deadline, first_deadline=first_deadline or deadline,
        status=status, level=level, resolved_date=resolved,
        closed_date=extra.pop("closed", resolved if status == Status.CLOSED else None),
        return_reason=extra.pop("return_reason", "不属职责" if status == Status.RETURNED else ""), **extra,
    )
    problem.helping_units.set(helping)
    return problem


@pytest.fixture
def today(monkeypatch):
    """The views' clock, fixed at the suite's TODAY (Monday 2026-11-23)."""
    monkeypatch.setattr("tadiao.coordination.views._today", lambda: TODAY)
    return TODAY


@pytest.fixture
def dept(region) -> Unit:
    return UnitFactory(name="市自然资源局", kind=Unit.Kind.DEPARTMENT, region=region, display_order=5)


@pytest.fixture
def dept_user(dept):
    return UserFactory(username="dept", full_name="钱经办", unit=dept, is_reporter=True)


@pytest.fixture
def problem_a(project_a, dept):
    """Raised by unit A on its project, led by the department, due last Friday (overdue today)."""
    return make_problem(project_a, dept, deadline=D(2026, 11, 20))
