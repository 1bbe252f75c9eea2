"""Every coordination view with the standard actors: the owning unit's reporter (reads and writes its unit's
problems), a reader (leader: reads, 403 on writes, writes only 批示), another unit's reporter (404 on unit A's
problems; lists show it nothing of A's), and the department that handles the problem (reads it and its project).
Meetings and statistics belong to the office and the leaders: a reporter gets 403 there (no unit owns them)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.coordination.models import Problem, Status
from tests.conftest import login
from tests.coordination.conftest import make_problem
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db

LISTS = ["/coordination/problems/", "/coordination/problems/export.xlsx", "/coordination/overdue/",
         "/coordination/overdue/export.xlsx", "/coordination/supervision/", "/coordination/supervision/export.xlsx"]


def _writes(p):
    return [
        (f"/coordination/problems/{p.pk}/reply/", {"content": "进展"}),
        (f"/coordination/problems/{p.pk}/accept/", {"version": p.version}),
        (f"/coordination/problems/{p.pk}/attachments/", {}),
        (f"/coordination/problems/{p.pk}/assign/", {"lead_unit": p.lead_unit_id, "version": p.version}),
    ]


def test_owner_reads_and_writes(client, today, reporter_a, problem_a):
    login(client, reporter_a)
    for url in LISTS:
        assert client.get(url).status_code == 200, url
    page = client.get("/coordination/problems/").content.decode()
    assert problem_a.title in page
    assert client.get(f"/coordination/problems/{problem_a.pk}/").status_code == 200
    r = client.post(f"/coordination/problems/{problem_a.pk}/reply/", {"content": "请尽快协调"})
    assert r.status_code == 302 and problem_a.replies.count() == 1
    # The raiser is not the handler: accepting is refused with a message, not an error page.
    r = client.post(f"/coordination/problems/{problem_a.pk}/accept/", {"version": problem_a.version}, follow=True)
    assert "只有牵头单位可以受理" in r.content.decode()


def test_leader_reads_and_gets_403_on_writes(client, today, leader, problem_a):
    login(client, leader)
    for url in LISTS:
        assert client.get(url).status_code == 200, url
    assert problem_a.title in client.get("/coordination/problems/").content.decode()
    assert client.get(f"/coordination/problems/{problem_a.pk}/").status_code == 200
    for url, data in _writes(problem_a):
        assert client.post(url, data).status_code == 403, url
    assert client.get("/coordination/inbox/").status_code == 403
    assert client.get(f"/coordination/problems/new/?project={problem_a.project_id}").status_code == 403


def test_other_units_reporter_gets_404(client, today, reporter_b, problem_a):
    login(client, reporter_b)
    assert problem_a.title not in client.get("/coordination/problems/").content.decode()
    assert client.get(f"/coordination/problems/{problem_a.pk}/").status_code == 404
    for url, data in _writes(problem_a):
        assert client.post(url, data).status_code == 404, url
    assert client.post(f"/coordination/problems/{problem_a.pk}/instruct/", {"content": "x"}).status_code == 404
    assert client.get(f"/coordination/problems/{problem_a.pk}/bogus/").status_code == 405
    assert client.post(f"/coordination/problems/{problem_a.pk}/bogus/").status_code == 404


def test_handling_department_reads_the_problem_and_its_project_read_only(client, today, dept_user, problem_a,
                                                                         unit_a):
    other = ProjectFactory(unit=unit_a, name="东城镇另一个项目")
    login(client, dept_user)
    assert client.get(f"/coordination/problems/{problem_a.pk}/").status_code == 200
    assert client.get(f"/projects/{problem_a.project_id}/").status_code == 200
    assert client.get(f"/projects/{problem_a.project_id}/edit/").status_code == 403
    assert client.get(f"/projects/{other.pk}/").status_code == 404


def test_meetings_and_statistics_are_the_office_s(client, today, reporter_a, leader, coordinator):
    for user, expected in ((reporter_a, 403), (leader, 200), (coordinator, 200)):
        login(client, user)
        for url in ("/coordination/meetings/", "/coordination/meetings/export.xlsx", "/coordination/statistics/",
                    "/coordination/statistics/export.xlsx"):
            assert client.get(url).status_code == expected, (user, url)
    login(client, leader)
    assert client.get("/coordination/meetings/new/").status_code == 403
    assert client.get("/coordination/settings/").status_code == 403


def test_anonymous_is_sent_to_login(client, problem_a):
    r = client.get("/coordination/problems/")
    assert r.status_code in (302, 403)


# --- queries flat at N and 2N --------------------------------------------------------------------------


def _grow(region, dept, n, offset, *, kind=Problem.Kind.PROBLEM):
    for i in range(n):
        unit = UnitFactory(region=region, name=f"问题单位{offset + i}")
        project = ProjectFactory(unit=unit, name=f"问题项目{offset + i}")
        make_problem(project, dept, helping=[unit], status=Status.IN_PROGRESS, kind=kind,
                     raised_by_unit=dept if kind == Problem.Kind.SUPERVISION else None)


# Lists (8): session, user, the user's unit, its region (scope), count, the filter bar's units, the page's rows
# (project, units, meeting joined), the helping units (one prefetch). Exports (6): the same without count and
# filter bar. The due-soon window (settings row, calendar) is read only under the 临期 filter.
@pytest.mark.parametrize("url,expected,kind", [
    ("/coordination/problems/?per_page=100", 8, "PROBLEM"),
    ("/coordination/problems/export.xlsx", 6, "PROBLEM"),
    ("/coordination/supervision/?per_page=100", 8, "SUPERVISION"),
    ("/coordination/overdue/?per_page=100", 8, "PROBLEM"),
    ("/coordination/overdue/export.xlsx", 6, "PROBLEM"),
])
def test_lists_queries_flat(client, today, coordinator, region, dept, url, expected, kind):
    login(client, coordinator)
    _grow(region, dept, 5, 0, kind=kind)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, dept, 5, 5, kind=kind)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected


# Inbox (10): session, user, settings and calendar (the due-soon window, read once for the list and the figures),
# the unit (title), the three figures in one aggregate (open, due soon, overdue), count, the unit's region (filter
# bar), rows, helping units. Export (4): session, user, rows, helping units.
@pytest.mark.parametrize("url,expected", [("/coordination/inbox/?per_page=100", 10),
                                          ("/coordination/inbox/export.xlsx", 4)])
def test_inbox_queries_flat(client, today, dept_user, region, dept, url, expected):
    login(client, dept_user)
    _grow(region, dept, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, dept, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected
