"""Statistics as pure functions (figures computed by hand below), the page and its export."""

import datetime
import io
import json

import pytest

from tadiao.coordination.models import Problem, Status
from tadiao.coordination.queries import problem_statistics
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(project_a, project_b, unit_a, unit_b, dept):
    P = project_a
    # Led by the department: #1 resolved 11-10 on time (8 days), #2 resolved 11-23 after its first limit 11-20
    # (21 days), #3 open and overdue, #4 open, not yet due.
    make_problem(P, dept, raised=D(2026, 11, 2), deadline=D(2026, 11, 20), status=Status.RESOLVED,
                 resolved=D(2026, 11, 10), category="LAND")
    make_problem(P, dept, raised=D(2026, 11, 2), deadline=D(2026, 12, 10), first_deadline=D(2026, 11, 20),
                 status=Status.CLOSED, resolved=D(2026, 11, 23), category="LAND")
    make_problem(P, dept, raised=D(2026, 11, 2), deadline=D(2026, 11, 20), category="FUNDS", level=2)
    make_problem(P, dept, raised=D(2026, 11, 2), deadline=D(2026, 12, 1), category="OTHER", level=3)
    # Led by unit B: #5 resolved 10-11 on time (10 days); #6 resolved only after as_of (11-30), so open and overdue
    # as of 11-23.
    make_problem(project_b, unit_b, raised=D(2026, 10, 1), deadline=D(2026, 10, 20), status=Status.RESOLVED,
                 resolved=D(2026, 10, 11), category="LAND")
    make_problem(project_b, unit_b, raised=D(2026, 10, 1), deadline=D(2026, 10, 20), status=Status.RESOLVED,
                 resolved=D(2026, 11, 30), category="APPROVAL", level=4)
    # Left out: raised before the period, raised after as_of, and a supervision item.
    make_problem(P, unit_a, raised=D(2025, 12, 15), deadline=D(2025, 12, 31))
    make_problem(P, dept, raised=D(2026, 11, 24), deadline=D(2026, 11, 30))
    make_problem(None, unit_a, raised_by_unit=dept, kind=Problem.Kind.SUPERVISION, title="督办")
    return [unit_a, unit_b, dept]


def test_figures_by_hand(world, unit_b, dept):
    stats = problem_statistics(units=world, start=D(2026, 1, 1), end=D(2026, 12, 31), as_of=TODAY)
    json.dumps(stats)
    # 6 problems; resolved 3 (#1, #2, #5); on time 2 (#1, #5); overdue 2 (#3, #6).
    assert (stats["total"], stats["resolved"], stats["resolved_on_time"], stats["overdue"]) == (6, 3, 2, 2)
    assert stats["resolution_rate"] == "50.00"  # 3/6
    assert stats["on_time_rate"] == "33.33"  # 2/6
    assert stats["average_days"] == "13.00"  # (8 + 21 + 10) / 3
    by_category = {r["category"]: r["count"] for r in stats["by_category"]}
    assert by_category == {"LAND": 3, "FUNDS": 1, "OTHER": 1, "APPROVAL": 1, "ENERGY": 0, "ENVIRONMENT": 0,
                           "UTILITIES": 0, "DEMOLITION": 0, "CONSTRUCTION": 0, "LABOUR": 0}
    assert [(r["level"], r["count"]) for r in stats["by_level"]] == [(1, 3), (2, 1), (3, 1), (4, 1)]
    # Ranking: unit B (按期 1/2 = 50.00) before the department (1/4 = 25.00); unit A led nothing in the period.
    assert stats["by_unit"] == [
        {"unit_id": unit_b.pk, "unit": "西湖街道", "total": 2, "resolved": 1, "resolved_on_time": 1, "overdue": 1,
         "resolution_rate": "50.00", "on_time_rate": "50.00", "average_days": "10.00", "rank": 1},
        {"unit_id": dept.pk, "unit": "市自然资源局", "total": 4, "resolved": 2, "resolved_on_time": 1, "overdue": 1,
         "resolution_rate": "50.00", "on_time_rate": "25.00", "average_days": "14.50", "rank": 2},
    ]


def test_empty_denominators_are_null(world):
    stats = problem_statistics(units=world, start=D(2024, 1, 1), end=D(2024, 12, 31), as_of=TODAY)
    assert (stats["total"], stats["resolution_rate"], stats["on_time_rate"], stats["average_days"]) == (
        0, None, None, None)
    assert stats["by_unit"] == []


def test_58_82(region, dept):
    project = ProjectFactory(unit=dept)
    for i in range(17):
        make_problem(project, dept, status=Status.RESOLVED if i < 10 else Status.PENDING,
                     resolved=D(2026, 11, 10) if i < 10 else None)
    stats = problem_statistics(units=[dept], start=D(2026, 1, 1), end=TODAY, as_of=TODAY)
    assert stats["resolution_rate"] == "58.82"  # 10/17


def _grow(region, n, offset):
    units = []
    for i in range(n):
        unit = UnitFactory(region=region, name=f"统计单位{offset + i}")
        project = ProjectFactory(unit=unit)
        make_problem(project, unit, status=Status.RESOLVED, resolved=D(2026, 11, 10))
        make_problem(project, unit)
        units.append(unit)
    return units


def test_set_based_four_queries_at_n_and_2n(region, django_assert_num_queries):
    # totals (one aggregate), by category, by level, by unit: four GROUP BY queries whatever the size.
    units = _grow(region, 5, 0)
    with django_assert_num_queries(4):
        problem_statistics(units=units, start=D(2026, 1, 1), end=TODAY, as_of=TODAY)
    units += _grow(region, 5, 5)
    with django_assert_num_queries(4):
        stats = problem_statistics(units=units, start=D(2026, 1, 1), end=TODAY, as_of=TODAY)
    assert stats["total"] == 20 and stats["resolution_rate"] == "50.00"


def test_page_and_export(client, today, coordinator, world):
    login(client, coordinator)
    page = client.get("/coordination/statistics/?start=2026-01-01&end=2026-12-31").content.decode()
    assert "问题 6 件" in page and "33.33" in page and "市自然资源局" in page
    assert "已忽略" in client.get("/coordination/statistics/?start=bad").content.decode()
    r = client.get("/coordination/statistics/export.xlsx?start=2026-01-01&end=2026-12-31")
    assert r.status_code == 200
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    rows = book.get_sheet_by_name("按单位").to_python()
    assert rows[1][:3] == [1.0, "西湖街道", 2.0] or rows[1][:3] == [1, "西湖街道", 2]
