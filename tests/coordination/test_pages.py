"""Every page renders for the office and for the handling unit, in Chinese, without an outside address."""

import re

import pytest

from tadiao.coordination.models import Meeting
from tests.conftest import login

pytestmark = pytest.mark.django_db
OUTSIDE = re.compile(r"(src|href)=\"(https?:)?//", re.I)


def test_pages_render(client, today, coordinator, dept_user, problem_a, project_a):
    meeting = Meeting.objects.create(date=today, kind="DISPATCH", title="调度会", created_by=coordinator)
    pages = [
        "/coordination/problems/", "/coordination/problems/?state=bad&level=9&unit=x&sort=zzz",
        f"/coordination/problems/{problem_a.pk}/", f"/coordination/problems/new/?project={project_a.pk}",
        "/coordination/inbox/", "/coordination/overdue/", "/coordination/supervision/", "/coordination/statistics/",
        "/coordination/meetings/", "/coordination/meetings/new/", f"/coordination/meetings/{meeting.pk}/",
        f"/coordination/meetings/{meeting.pk}/edit/", "/coordination/calendar/", "/coordination/calendar/?year=x",
        "/coordination/settings/",
    ]
    login(client, coordinator)
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert not OUTSIDE.search(r.content.decode()), url
    assert "已忽略无效的筛选条件：层级、单位" in client.get(pages[1]).content.decode()
    login(client, dept_user)
    page = client.get(f"/coordination/problems/{problem_a.pk}/").content.decode()
    assert "受理" in page and "办结" in page and "退回" in page and "确认销号" not in page
