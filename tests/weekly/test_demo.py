"""The demo county shows 周调度 on first start: scheduled projects, reports of the last weeks, a late unit."""

import datetime

import pytest

from tadiao.weekly import queries
from tadiao.weekly.models import WeeklyProblem, WeeklyReport
from tadiao.weekly.weeks import Week

TODAY = datetime.date(2026, 11, 25)  # a Wednesday: the running week's deadline (Friday) has not come


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    from django.db import transaction

    from tadiao.demo import services

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield services.load_demo(today=TODAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo, db):
    return _demo


def test_demo_weekly(demo):
    scheduled = queries.weekly_projects()
    assert 20 <= scheduled.count() <= 200
    assert not scheduled.filter(is_cancelled=True).exists()
    this_week, last_week = Week.of(TODAY), Week.of(TODAY).previous()
    reports = WeeklyReport.objects.all()
    assert reports.filter(week_start__gt=this_week.start).count() == 0  # nothing for weeks not begun
    assert reports.filter(week_start=this_week.start, first_submitted_date__gt=TODAY).count() == 0
    last = queries.weekly_sheet(week=last_week, today=TODAY)
    assert last.deadline_passed and len(last.reported) > len(last.missing) > 0
    assert last.missed_units  # some units were late or silent
    assert reports.filter(status=WeeklyReport.Status.RETURNED).exists()
    running = queries.weekly_sheet(week=this_week, today=TODAY)
    assert not running.deadline_passed and running.missed_units == []
    assert reports.filter(week_start=this_week.start, status=WeeklyReport.Status.DRAFT).exists()
    # Weekly reports carry no investment at all; started projects report their workers on site.
    assert reports.exclude(workers_on_site=None).exists()
    # Problems raised during a reported week (not from a monthly report) show as raised from that week's report.
    links = WeeklyProblem.objects.select_related("report", "problem")
    assert links.exists()
    assert all(Week.of(link.problem.raised_date).start == link.report.week_start for link in links)
