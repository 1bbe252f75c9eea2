"""Closing a month freezes problem coordination in its snapshot (statistics, by unit, the overdue list), which the
bulletin drafts from and the quarterly assessment scores: worked out by hand.

October 2026, led by 市自然资源局 (the department): three problems raised this year —
- 用地: raised 1 September, first deadline 30 September, resolved 25 September (on time);
- 资金: raised 1 September, first deadline 15 September, resolved 10 October (late);
- 能耗: raised 1 October, deadline 20 October, still open on 31 October → 11 days overdue.
办结率 2/3 = 66.67%, 按期办结率 1/3 = 33.33%, average days to close (24 + 39) / 2 = 31.50.
"""

import datetime

import pytest

from tadiao.bulletins import drafting
from tadiao.coordination import services
from tadiao.coordination.models import Status
from tadiao.indicators.models import Snapshot
from tadiao.indicators.snapshots import snapshot_data
from tadiao.projects.models import Project
from tadiao.reporting import services as reporting
from tests.coordination.conftest import make_problem

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def october(coordinator, project_a, dept):
    make_problem(project_a, dept, title="用地指标", raised=D(2026, 9, 1), deadline=D(2026, 9, 30),
                 status=Status.RESOLVED, resolved=D(2026, 9, 25))
    make_problem(project_a, dept, title="资金缺口", raised=D(2026, 9, 1), deadline=D(2026, 9, 15),
                 status=Status.RESOLVED, resolved=D(2026, 10, 10))
    make_problem(project_a, dept, title="能耗指标", raised=D(2026, 10, 1), deadline=D(2026, 10, 20),
                 status=Status.IN_PROGRESS)
    period = reporting.open_period(month=D(2026, 10, 1), by=coordinator)
    reporting.close_period(period=period, by=coordinator, today=D(2026, 11, 5), reason="月末后关账")
    return Snapshot.objects.get(period=period).data


def test_snapshot_freezes_statistics_by_unit_and_overdue(october, dept):
    problems = october["problems"]
    stats = problems["statistics"]
    assert (stats["total"], stats["resolved"], stats["resolved_on_time"], stats["overdue"]) == (3, 2, 1, 1)
    assert (stats["resolution_rate"], stats["on_time_rate"], stats["average_days"]) == ("66.67", "33.33", "31.50")
    [row] = problems["by_unit"]
    assert (row["unit_id"], row["resolved"], row["resolved_on_time"], row["overdue"]) == (dept.pk, 2, 1, 1)
    [overdue] = problems["overdue"]
    assert (overdue["title"], overdue["lead_unit"], overdue["deadline"], overdue["days_overdue"]) == (
        "能耗指标", "市自然资源局", "2026-10-20", 11
    )


def test_bulletin_drafts_the_problem_section_from_the_snapshot(october):
    context = drafting.Context(month=D(2026, 10, 1), as_of=D(2026, 10, 31))
    draft = drafting.draft(october, earlier=None, context=context)
    [section] = [s for s in draft["sections"] if s["key"] == "problems"]
    assert "共收集项目建设问题3个，已办结2个，办结率66.67%，按期办结率33.33%，超期未办结1个。" in section["text"]
    assert "超过办理时限仍未办结的问题1个" in section["text"]
    assert "能耗指标（牵头单位市自然资源局，办理时限2026年10月20日，已超期11天）" in section["text"]
    [table] = [t for t in draft["tables"] if t["key"] == "problems"]
    assert table["rows"][0][2:] == ["能耗指标", "市自然资源局", "2026年10月20日", "11"]


def test_september_closed_in_october_freezes_the_figures_of_30_september(coordinator, project_a, dept, dept_user):
    """September, closed after 3 October: the snapshot is as of 30 September, whatever happened since.

    - 资金缺口 (FUNDS, 10 working days): raised 1 Sept, due 15 Sept; escalated by the job on 16 Sept with a new
      time limit 10 working days later (17, 18, Sunday 20 (调休上班), 21–24, 28–30 Sept; 25–27 中秋节) = 30 Sept;
      resolved on 3 Oct. As of 30 Sept: not resolved, first time limit passed → overdue 30 − 15 = 15 days.
    - 用地指标 (LAND, 15 working days): raised 1 Sept, due 18 Sept; escalated on 21 Sept with a new time limit 15
      working days later (22–24, 28–30 Sept, 8–9 Oct, Saturday 10 Oct (调休上班), 12–16, 19 Oct; 1–7 Oct 国庆节)
      = 19 Oct; still open. As of 30 Sept: overdue 30 − 18 = 12 days.
    - 能耗指标: raised 1 Sept, due 30 Sept, resolved 25 Sept (on time, 24 days).
    3 problems, resolved 1, on time 1, overdue 2: 办结率 = 按期办结率 = 1/3 = 33.33%, average days 24.00.
    (Judged by the current status and deadline instead, 资金缺口 would be resolved and 用地指标 due on 19 Oct:
    overdue 0.)
    """
    funds = make_problem(project_a, dept, title="资金缺口", category="FUNDS", raised=D(2026, 9, 1),
                         deadline=D(2026, 9, 15), status=Status.IN_PROGRESS)
    land = make_problem(project_a, dept, title="用地指标", category="LAND", raised=D(2026, 9, 1),
                        deadline=D(2026, 9, 18), status=Status.IN_PROGRESS)
    make_problem(project_a, dept, title="能耗指标", raised=D(2026, 9, 1), deadline=D(2026, 9, 30),
                 status=Status.RESOLVED, resolved=D(2026, 9, 25))
    assert services.run_escalation(today=D(2026, 9, 16)).escalated == [funds.pk]
    assert services.run_escalation(today=D(2026, 9, 21)).escalated == [land.pk]
    funds.refresh_from_db()
    land.refresh_from_db()
    assert (funds.deadline, land.deadline) == (D(2026, 9, 30), D(2026, 10, 19))
    services.resolve(problem=funds, content="资金已到位", by=dept_user, today=D(2026, 10, 3),
                     expected_version=funds.version)
    period = reporting.open_period(month=D(2026, 9, 1), by=coordinator)
    reporting.close_period(period=period, by=coordinator, today=D(2026, 10, 5), reason="月末后关账")
    snapshot = Snapshot.objects.get(period=period)
    assert snapshot.as_of == D(2026, 9, 30)
    problems = snapshot.data["problems"]
    stats = problems["statistics"]
    assert (stats["total"], stats["resolved"], stats["resolved_on_time"], stats["overdue"]) == (3, 1, 1, 2)
    assert (stats["resolution_rate"], stats["on_time_rate"], stats["average_days"]) == ("33.33", "33.33", "24.00")
    [row] = problems["by_unit"]
    assert (row["unit_id"], row["total"], row["resolved"], row["overdue"]) == (dept.pk, 3, 1, 2)
    assert [(r["title"], r["deadline"], r["current_deadline"], r["days_overdue"], r["status"], r["resolved_date"])
            for r in problems["overdue"]] == [
        ("资金缺口", "2026-09-15", "2026-09-30", 15, "已办结", "2026-10-03"),
        ("用地指标", "2026-09-18", "2026-10-19", 12, "办理中", None),
    ]
    # The same figures straight from the snapshot function.
    again = snapshot_data(Project.objects.all(), as_of=D(2026, 9, 30))["problems"]
    assert again["overdue"] == problems["overdue"] and again["statistics"] == stats
