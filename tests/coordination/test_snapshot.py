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
from tadiao.coordination.models import Status
from tadiao.indicators.models import Snapshot
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
    reporting.close_period(period=period, by=coordinator)
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
