"""Dates are typed and shown as 2026-12-03 or 2026年12月3日 whatever the browser's language (issue 15, point 5):
the date fields are text inputs with our own parsing, not <input type="date">, which Chromium shows in the
browser's locale (12/03/2026 in English)."""

import datetime

import pytest

from tadiao.coordination.models import Meeting, Problem
from tadiao.lib.dates import parse_date
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem
from tests.test_chinese_ui import read_page

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def today(monkeypatch):
    """The coordination views' clock, fixed at the suite's TODAY (2026-11-23)."""
    monkeypatch.setattr("tadiao.coordination.views._today", lambda: TODAY)
    return TODAY


@pytest.mark.parametrize("text", ["2026-12-03", "2026-12-3", "2026年12月3日", "2026年12月03日", " 2026 年 12 月 3 日 ",
                                  "2026/12/3", "20261203"])
def test_both_forms_parse(text):
    assert parse_date(text) == D(2026, 12, 3)


@pytest.mark.parametrize("text", ["12/03/2026", "2026-13-01", "2026年2月30日", "明天", ""])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("typed", ["2026年11月30日", "2026-11-30"])
def test_a_form_post_takes_either_form(client, today, reporter_a, project_a, typed):
    login(client, reporter_a)
    response = client.post("/coordination/problems/new/", {
        "project": project_a.pk, "title": "资金缺口", "category": "FUNDS", "description": "缺资金",
        "lead_unit": reporter_a.unit_id, "deadline": typed})
    assert response.status_code == 302
    assert Problem.objects.get().deadline == D(2026, 11, 30)


def test_a_bad_date_gets_a_chinese_message(client, today, reporter_a, project_a):
    login(client, reporter_a)
    response = client.post("/coordination/problems/new/", {
        "project": project_a.pk, "title": "资金缺口", "category": "FUNDS", "description": "缺资金",
        "lead_unit": reporter_a.unit_id, "deadline": "11/30/2026"})
    assert response.status_code == 200 and "请输入有效的日期，如 2026-11-30。" in response.content.decode()
    assert not Problem.objects.exists()


def test_date_fields_are_text_inputs_showing_iso(client, today, coordinator, project_a, unit_b):
    meeting = Meeting.objects.create(date=D(2026, 12, 3), kind="MONTHLY", title="12月月例会")
    login(client, coordinator)
    page = client.get(f"/coordination/meetings/{meeting.pk}/edit/").content.decode()
    assert '<input type="text" name="date" value="2026-12-03" placeholder="2026-12-03"' in page
    problem = make_problem(project_a, unit_b, deadline=D(2026, 12, 3))
    page = client.get(f"/coordination/problems/{problem.pk}/").content.decode()
    assert 'type="date"' not in page and 'name="deadline" value="2026-12-03" placeholder="2026-12-03"' in page


def test_query_string_filters_take_either_form(client, auditor, coordinator):
    login(client, auditor)
    form = client.get("/audit/", {"date_from": "2026年11月1日", "date_to": "2026-11-30"}).context["filters"]
    assert form.is_valid() and form.cleaned_data["date_from"] == D(2026, 11, 1)
    login(client, coordinator)
    page = client.get("/attraction/trips/", {"start": "2026年1月1日", "end": "2026-11-30"}).content.decode()
    assert 'name="start" value="2026-01-01"' in page and "已忽略无效的筛选条件" not in page
    bad, _ = read_page(client.get("/attraction/trips/", {"start": "1/1/2026"}).content.decode())
    assert "已忽略无效的筛选条件：起始日期" in bad
