"""The 周调度 list pages: three actors each, and query counts flat at N and 2N rows."""

import pytest

from tadiao.coordination.models import Problem
from tadiao.projects.models import Level
from tadiao.weekly.models import ScopeEntry, WeeklyProblem
from tests.conftest import TODAY, login
from tests.factories import ProjectFactory
from tests.weekly.conftest import LAST_WEEK, THIS_WEEK, make_report

pytestmark = pytest.mark.django_db


def _rows(unit, n: int, office_unit):
    """n projects of `unit` with last week's report sent (each with a problem raised from it), n more with a draft
    only; and one exception on the settings page per project."""
    for i in range(n):
        project = ProjectFactory(unit=unit, level=Level.CITY)
        report = make_report(project, LAST_WEEK, status="SUBMITTED", submitted=LAST_WEEK.end)
        problem = Problem.objects.create(
            project=project, title=f"问题{i}", description="—", raised_by_unit=unit, raised_date=LAST_WEEK.start,
            lead_unit=office_unit, deadline=LAST_WEEK.start, first_deadline=LAST_WEEK.start,
        )
        WeeklyProblem.objects.create(report=report, problem=problem)
        make_report(ProjectFactory(unit=unit, level=Level.CITY), LAST_WEEK)
        ScopeEntry.objects.create(project=project, kind="INCLUDE", added_at=report.created_at)


def test_list_three_actors(client, today, scheduled, reporter_a, reporter_b, leader, coordinator):
    project_a, _ = scheduled
    make_report(project_a, progress_text="甲方本周进展")
    login(client, reporter_a)
    text = client.get("/weekly/").text
    assert "东城镇智能装备产业园" in text and "西湖街道城市更新" not in text and "甲方本周进展" in text
    assert 'id="office-links"' not in text
    login(client, reporter_b)
    text = client.get("/weekly/").text
    assert "西湖街道城市更新" in text and "东城镇智能装备产业园" not in text
    login(client, leader)
    text = client.get("/weekly/").text
    assert "东城镇智能装备产业园" in text and "西湖街道城市更新" in text and 'id="office-links"' in text
    login(client, coordinator)
    text = client.get("/weekly/?status=MISSING").text
    assert "西湖街道城市更新" in text and "东城镇智能装备产业园" not in text
    text = client.get("/weekly/?status=DRAFT").text
    assert "东城镇智能装备产业园" in text and "西湖街道城市更新" not in text
    assert "2026年第48周" in client.get("/weekly/").text and "2026年11月27日" in client.get("/weekly/").text


def test_roles_without_business_data_are_refused(client, sysadmin, auditor, today):
    for user in (sysadmin, auditor):
        login(client, user)
        for url in ("/weekly/", "/weekly/sheet/", "/weekly/missed/", "/weekly/sheet.xlsx", "/weekly/settings/"):
            assert client.get(url).status_code == 403


def test_timeline_three_actors(client, today, scheduled, reporter_a, reporter_b, leader):
    project_a, _ = scheduled
    make_report(project_a, LAST_WEEK.previous(), status="SUBMITTED", progress_text="三周前进展")
    make_report(project_a, THIS_WEEK, progress_text="本周草稿")
    for user in (reporter_a, leader):
        login(client, user)
        text = client.get(f"/weekly/projects/{project_a.pk}/").text
        # Newest first, the week with no report marked 未报, nothing before the first report.
        assert text.index("2026年第48周") < text.index("2026年第47周") < text.index("2026年第46周")
        assert "三周前进展" in text and "本周草稿" in text and "未报" in text and "2026年第45周" not in text
    login(client, reporter_b)
    assert client.get(f"/weekly/projects/{project_a.pk}/").status_code == 404
    # The project page links to it.
    login(client, reporter_a)
    assert f'href="/weekly/projects/{project_a.pk}/"' in client.get(f"/projects/{project_a.pk}/").text


@pytest.mark.parametrize("n", [3, 6])
def test_query_counts_are_flat(client, today, config, unit_a, office_unit, coordinator, reporter_a, n,
                               django_assert_num_queries):
    _rows(unit_a, n, office_unit)
    week = LAST_WEEK.param
    login(client, coordinator)
    # session, user, settings, the user's unit and region (scope), the count, the page of projects, their reports,
    # the calendar (deadline)
    with django_assert_num_queries(9):
        assert client.get(f"/weekly/?week={week}&per_page=100").status_code == 200
    # session, user, settings, calendar, unit and region (scope), the sent reports, their problems, the projects
    # without a sent report, their drafts' status, the new problems, the overdue problems, the late units
    with django_assert_num_queries(13):
        assert client.get(f"/weekly/sheet/?week={week}").status_code == 200
    with django_assert_num_queries(13):  # the same for the two downloads
        assert client.get(f"/weekly/sheet.xlsx?week={week}").status_code == 200
    with django_assert_num_queries(13):
        assert client.get(f"/weekly/sheet.docx?week={week}").status_code == 200
    # session, user, settings, calendar, unit and region (scope), the late units
    with django_assert_num_queries(7):
        assert client.get(f"/weekly/missed/?week={week}").status_code == 200
    # session, user, settings, its tags, unit and region (scope), the count and page of exceptions, the scheduled
    # count, the tag choices, the project choices
    with django_assert_num_queries(11):
        assert client.get("/weekly/settings/?per_page=100").status_code == 200

    login(client, reporter_a)
    # session, user, settings, the count, the page of projects, their reports, the calendar, the header's unit
    with django_assert_num_queries(8):
        assert client.get(f"/weekly/?week={week}&per_page=100").status_code == 200
    # session, user, settings, calendar, the sent reports, their problems, the projects without a sent report,
    # their drafts' status, the new problems, the overdue problems, the late units, the header's unit
    with django_assert_num_queries(12):
        assert client.get(f"/weekly/sheet/?week={week}").status_code == 200


@pytest.mark.parametrize("n", [3, 6])
def test_timeline_query_count_is_flat(client, today, config, unit_a, office_unit, reporter_a, n,
                                      django_assert_num_queries):
    project = ProjectFactory(unit=unit_a, level=Level.CITY)
    week = THIS_WEEK
    for i in range(n):
        report = make_report(project, week, status="SUBMITTED")
        problem = Problem.objects.create(
            project=project, title=f"问题{i}", description="—", raised_by_unit=unit_a, raised_date=TODAY,
            lead_unit=office_unit, deadline=TODAY, first_deadline=TODAY,
        )
        WeeklyProblem.objects.create(report=report, problem=problem)
        week = week.previous()
    login(client, reporter_a)
    # session, user, the project, its reports, their problems, the header's unit
    with django_assert_num_queries(6):
        text = client.get(f"/weekly/projects/{project.pk}/").text
    assert text.count("问题") >= n
