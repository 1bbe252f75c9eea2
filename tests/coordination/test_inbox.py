"""我的待办 per unit (lead or helping; due soon; overdue) and the project gate for the units that handle problems."""

import datetime

import pytest

from tadiao.coordination.models import Status
from tadiao.projects.queries import get_project_for_user, may_write_project, visible_projects
from tests.conftest import login
from tests.coordination.conftest import make_problem
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def items(project_a, project_b, dept, unit_b):
    return {
        "overdue": make_problem(project_a, dept, title="甲-超期", deadline=D(2026, 11, 20)),
        "soon": make_problem(project_b, dept, title="乙-临期", deadline=D(2026, 11, 25), status=Status.IN_PROGRESS),
        "later": make_problem(project_a, unit_b, title="丙-配合", deadline=D(2026, 12, 31), helping=[dept]),
        "done": make_problem(project_a, dept, title="丁-已办结", status=Status.RESOLVED, resolved=D(2026, 11, 10)),
        "other": make_problem(project_a, unit_b, title="戊-无关", deadline=D(2026, 12, 31)),
    }


def test_inbox_lists_my_units_open_items_most_urgent_first(client, today, dept_user, items):
    login(client, dept_user)
    page = client.get("/coordination/inbox/").content.decode()
    assert page.index("甲-超期") < page.index("乙-临期") < page.index("丙-配合")
    assert "丁-已办结" not in page and "戊-无关" not in page
    # 23 Nov: 1 overdue (20 Nov); due soon within 2 working days (≤ 25 Nov): 1; open: 3.
    assert "待办 3" in page and "临期 1" in page and "超期 1" in page
    page = client.get("/coordination/inbox/?state=overdue").content.decode()
    assert "甲-超期" in page and "乙-临期" not in page
    page = client.get("/coordination/inbox/?state=due_soon").content.decode()
    assert "乙-临期" in page and "甲-超期" not in page
    r = client.get("/coordination/inbox/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_inbox_of_the_raising_unit_is_empty(client, today, reporter_a, items):
    login(client, reporter_a)
    page = client.get("/coordination/inbox/").content.decode()
    assert "待办 0" in page


def test_project_gate_lets_handling_units_read_only(dept_user, items, project_a, project_b, unit_a, reporter_a,
                                                    reporter_b):
    unrelated = ProjectFactory(unit=unit_a, name="无关项目")
    assert set(visible_projects(dept_user)) == {project_a, project_b}
    assert get_project_for_user(dept_user, project_a.pk) == project_a
    assert not may_write_project(dept_user, project_a)
    with pytest.raises(Exception) as exc:
        get_project_for_user(dept_user, unrelated.pk)
    assert exc.type.__name__ == "Http404"
    with pytest.raises(Exception) as exc:
        get_project_for_user(dept_user, project_a.pk, write=True)
    assert exc.type.__name__ == "PermissionDenied"
    # Unit B leads "丙" and "戊" on project A: it reads project A now; unit A's own view is unchanged.
    assert set(visible_projects(reporter_b)) == {project_b, project_a}
    assert set(visible_projects(reporter_a)) == {project_a, unrelated}


def test_visible_projects_has_no_duplicates_and_one_query(dept_user, items, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(visible_projects(dept_user))
    assert len(rows) == len(set(rows)) == 2
