"""Meetings: the office records them, adopts the proposed agenda (open problems, red-warning projects, blank units),
turns decisions into supervision items tracked like problems, exports the minutes as .docx."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from docx.oxml.ns import qn

from tadiao.attraction.models import Rank, Trip
from tadiao.coordination.models import AgendaItem, Meeting, Problem, Status
from tadiao.indicators import warnings
from tadiao.notifications.models import Message
from tadiao.projects.models import Project, Stage
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem
from tests.factories import LeaderFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def meeting(coordinator):
    chair = LeaderFactory(name="赵市长", title="市长")
    return Meeting.objects.create(date=D(2026, 11, 23), kind="WEEKLY", title="第47周项目调度例会", chair=chair,
                                  location="三楼会议室", attendees="各乡镇街道分管负责人", created_by=coordinator)


def test_create_and_edit_meeting(client, today, coordinator, unit_a):
    login(client, coordinator)
    r = client.post("/coordination/meetings/new/", {"date": "2026-11-23", "kind": "MONTHLY", "title": "11月月例会",
                                                    "attendee_units": [unit_a.pk]})
    meeting = Meeting.objects.get()
    assert r["Location"] == f"/coordination/meetings/{meeting.pk}/"
    assert list(meeting.attendee_units.all()) == [unit_a]
    data = {"date": "2026-11-24", "kind": "MONTHLY", "title": "11月月例会（改期）", "version": meeting.version}
    assert client.post(f"/coordination/meetings/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "11月月例会（改期）" and meeting.version == 2
    r = client.post(f"/coordination/meetings/{meeting.pk}/edit/", data)  # stale version
    assert "已被他人处理或修改" in r.content.decode()


def test_proposed_agenda_draws_problems_red_projects_blank_units(client, today, coordinator, meeting, project_a,
                                                                 dept, unit_a, unit_b):
    make_problem(project_a, dept, title="用地指标", deadline=D(2026, 11, 20))  # overdue
    make_problem(project_a, dept, title="未到期一级问题", deadline=D(2026, 12, 20))  # level 1, not due: left out
    red = ProjectFactory(unit=unit_b, name="签约两年未开工项目", stage=Stage.SIGNED, signed_date=D(2024, 10, 1))
    assert red in warnings.warned_projects(Project.objects.filter(pk=red.pk), as_of=TODAY,
                                           rules=warnings.active_rules()).filter(light=warnings.RED)
    Trip.objects.create(unit=unit_a, departure_date=D(2026, 5, 1), return_date=D(2026, 5, 2), leading_cadre="甲",
                        rank=Rank.DIVISION, destination="上海")
    login(client, coordinator)
    page = client.get(f"/coordination/meetings/{meeting.pk}/").content.decode()
    assert "用地指标" in page and "未到期一级问题" not in page
    assert "推进红灯项目：签约两年未开工项目" in page
    assert "督促招商引资空白单位：西湖街道" in page and "空白单位：东城镇" not in page
    client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"adopt": "1"})
    client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"adopt": "1"})  # again: nothing doubled
    texts = list(AgendaItem.objects.values_list("text", flat=True))
    assert len(texts) == len(set(texts)) and any("红灯" in t for t in texts) and any("用地指标" in t for t in texts)
    client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"text": "其他事项"})
    assert AgendaItem.objects.order_by("-position").first().text == "其他事项"


def test_decision_becomes_a_supervision_item(client, today, coordinator, meeting, unit_b, reporter_b, leader):
    login(client, coordinator)
    client.post(f"/coordination/meetings/{meeting.pk}/decisions/", {
        "title": "完成西湖片区征迁", "description": "12月底前完成", "lead_unit": unit_b.pk})
    item = Problem.objects.get()
    assert (item.kind, item.meeting, item.lead_unit, item.status, item.raised_by_unit) == (
        "SUPERVISION", meeting, unit_b, Status.PENDING, coordinator.unit)
    assert item.deadline == D(2026, 12, 7)  # OTHER: 10 working days from Monday 23 Nov
    assert Message.objects.filter(user=reporter_b, kind="SUPERVISION").count() == 1
    # Tracked like a problem: unit B's reporter sees it in its inbox and the supervision list, gives feedback.
    login(client, reporter_b)
    assert "完成西湖片区征迁" in client.get("/coordination/inbox/").content.decode()
    assert "完成西湖片区征迁" in client.get("/coordination/supervision/").content.decode()
    client.post(f"/coordination/problems/{item.pk}/accept/", {"version": item.version})
    client.post(f"/coordination/problems/{item.pk}/resolve/", {"version": item.version + 1, "text": "已完成征迁"})
    item.refresh_from_db()
    assert item.status == Status.RESOLVED
    # The office (the raising side) closes it.
    login(client, coordinator)
    client.post(f"/coordination/problems/{item.pk}/close/", {"version": item.version})
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    login(client, leader)
    assert client.post(f"/coordination/meetings/{meeting.pk}/decisions/", {"title": "x"}).status_code == 403


def test_minutes_docx_text_and_fonts(client, today, coordinator, meeting, unit_b):
    login(client, coordinator)
    client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"text": "通报11月项目进展"})
    client.post(f"/coordination/meetings/{meeting.pk}/decisions/", {
        "title": "完成西湖片区征迁", "description": "12月底前完成", "lead_unit": unit_b.pk, "deadline": "2026-12-31"})
    r = client.get(f"/coordination/meetings/{meeting.pk}/minutes.docx")
    assert r.status_code == 200 and "wordprocessingml" in r["Content-Type"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "第47周项目调度例会纪要"
    assert "主持：赵市长（市长）" in text and "1. 通报11月项目进展" in text
    assert "完成西湖片区征迁：12月底前完成（责任单位：西湖街道；办结时限：2026年12月31日）" in text
    title_fonts = doc.paragraphs[0].runs[0]._element.rPr.rFonts
    assert title_fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body_fonts = doc.paragraphs[2].runs[0]._element.rPr.rFonts
    assert body_fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_meeting_access(client, today, meeting, reporter_a, leader):
    login(client, leader)
    assert client.get(f"/coordination/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"/coordination/meetings/{meeting.pk}/minutes.docx").status_code == 200
    assert client.get(f"/coordination/meetings/{meeting.pk}/edit/").status_code == 403
    assert client.post(f"/coordination/meetings/{meeting.pk}/agenda/", {"text": "x"}).status_code == 403
    login(client, reporter_a)
    assert client.get(f"/coordination/meetings/{meeting.pk}/").status_code == 403
    assert client.get(f"/coordination/meetings/{meeting.pk}/minutes.docx").status_code == 403
    assert client.get("/coordination/meetings/99999/").status_code == 403


def _grow(coordinator, n, offset):
    for i in range(n):
        Meeting.objects.create(date=D(2026, 11, 1 + i), kind="WEEKLY", title=f"例会{offset + i}",
                               chair=LeaderFactory(name=f"领导{offset + i}", title="副市长"), created_by=coordinator)


# List (5): session, user, count, the user's unit (page header), the page's rows (chair joined, supervision items
# counted in the same query). Export (3): session, user, rows.
@pytest.mark.parametrize("url,expected", [("/coordination/meetings/?per_page=100", 5),
                                          ("/coordination/meetings/export.xlsx", 3)])
def test_meeting_list_queries_flat(client, today, coordinator, url, expected):
    login(client, coordinator)
    _grow(coordinator, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(coordinator, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected
