"""Builders for 周调度 tests: a fixed clock (Monday 2026-11-23, ISO week 48), a rule that schedules 省重点 and 市重点
projects, and the standard actors' projects at those levels."""

import datetime

import pytest

from tadiao.projects.models import Level
from tadiao.weekly.models import WeeklyReport, WeeklySettings
from tadiao.weekly.weeks import Week
from tests.conftest import TODAY

D = datetime.date
THIS_WEEK = Week(D(2026, 11, 23))  # 2026-W48, due Friday 2026-11-27
LAST_WEEK = Week(D(2026, 11, 16))  # 2026-W47, was due Friday 2026-11-20


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("tadiao.weekly.views._today", lambda: TODAY)
    monkeypatch.setattr("tadiao.coordination.views._today", lambda: TODAY)
    return TODAY


@pytest.fixture
def config(db) -> WeeklySettings:
    config, _ = WeeklySettings.objects.get_or_create(pk=1)
    config.levels = [Level.PROVINCIAL, Level.CITY]
    config.save()
    return config


@pytest.fixture
def scheduled(config, project_a, project_b):
    """Unit A's project is 省重点, unit B's 市重点: both scheduled weekly."""
    project_a.level = Level.PROVINCIAL
    project_a.save()
    project_b.level = Level.CITY
    project_b.save()
    return project_a, project_b


def make_report(project, week=THIS_WEEK, *, status=WeeklyReport.Status.DRAFT, submitted=None, **values):
    """A report written straight to the table (the services are tested on their own)."""
    if status != WeeklyReport.Status.DRAFT and submitted is None:
        submitted = week.start + datetime.timedelta(days=3)
    return WeeklyReport.objects.create(
        project=project,
        week_start=week.start,
        progress_text=values.pop("progress_text", f"{project.name}主体结构施工"),
        status=status,
        first_submitted_date=submitted,
        return_reason=values.pop("return_reason", "请补充施工人数" if status == WeeklyReport.Status.RETURNED else ""),
        **values,
    )


@pytest.fixture
def now():
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10, 0)))
