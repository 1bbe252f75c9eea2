"""Another `today` moves the dates, not the projects: the same county, still consistent."""

import datetime

import pytest

from tadiao.attraction.models import Trip
from tadiao.demo import services
from tadiao.indicators.models import Snapshot
from tadiao.projects.lifecycle import date_order_errors, project_dates
from tadiao.projects.models import STAGE_PLANNED_FIELD, Nature, Project
from tadiao.reporting.models import MonthlyReport, Period
from tests.demo.test_load_demo import EXPECTED_STAGES


@pytest.mark.parametrize("today", [datetime.date(2027, 1, 2), datetime.date(2030, 6, 30)])
def test_another_today_gives_the_same_projects_with_consistent_dates(db, today):
    summary = services.load_demo(today=today)
    assert summary.by_stage == EXPECTED_STAGES
    assert summary.plan_years == [today.year - 1, today.year]
    for project in Project.objects.all():
        actual = project_dates(project)
        planned = {stage: getattr(project, name) for stage, name in STAGE_PLANNED_FIELD.items()}
        assert date_order_errors(actual) == date_order_errors(planned) == [], project.name
        assert all(day is None or day <= today for day in actual.values())
        if project.nature == Nature.CONTINUING:
            assert project.started_date.year < today.year
    # January of last year to this month: all closed but this one; this year's closed months and last December
    # frozen (in January, last December alone).
    assert summary.periods == 12 + today.month and summary.closed_periods == 11 + today.month
    assert Period.objects.get(status=Period.Status.OPEN).month == today.replace(day=1)
    assert summary.snapshots == Snapshot.objects.count() == today.month
    assert not MonthlyReport.objects.filter(period__month__gt=today).exists()
    assert not MonthlyReport.objects.filter(submitted_at__date__gt=today).exists()
    # The last closed month's bulletin still names a handful of blank units and some that broke zero.
    snapshots = [s.data["attraction"] for s in Snapshot.objects.order_by("as_of")]
    assert 5 <= len(snapshots[-1]["blank_unit_ids"]) <= 10
    if len(snapshots) > 1:
        assert snapshots[-1]["broke_zero_unit_ids"]
    assert not Trip.objects.filter(return_date__gt=today).exists()
    assert summary.batches >= 3 and summary.bond_batches == 2
