"""Creating and editing projects through the pages: Chinese messages for bad input, audit of every change."""

import datetime
from decimal import Decimal

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Project, Stage, Tag
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _form(unit, **extra):
    data = {
        "name": "年产5万吨高性能纤维材料项目",
        "unit": unit.pk,
        "level": "PROVINCIAL",
        "category": "INDUSTRY",
        "nature": "NEW",
        "total_investment": "125000.50",
        "stage": "RESERVE",
    }
    data.update(extra)
    return data


def test_reporter_creates_an_approved_project_with_its_dates(client, reporter_a, unit_a):
    # Issue 15 ③: a reporter may no longer create a project at 开工 (no 立项 date, no approvals recorded): at 立项.
    login(client, reporter_a)
    smart = Tag.objects.get(name="智能化改造")
    response = client.post(
        "/projects/new/",
        _form(
            unit_a,
            stage="APPROVED",
            actual_signed_date="2026/2/3",
            actual_approved_date="2026年4月8日",
            code="2026-330999-04-01-123456",
            tags=[smart.pk],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="年产5万吨高性能纤维材料项目")
    assert (project.stage, project.signed_date, project.approved_date) == (
        Stage.APPROVED,
        datetime.date(2026, 2, 3),
        datetime.date(2026, 4, 8),
    )
    assert project.total_investment == Decimal("125000.50")
    assert project.derived_tags == ["亿元以上", "10亿元以上"]
    event = AuditEvent.objects.get(action="projects.project.created")
    assert event.actor == reporter_a
    assert event.changes["name"] == [None, "年产5万吨高性能纤维材料项目"]
    assert event.changes["tags"] == [None, ["智能化改造"]]
    detail = client.get(response["Location"]).content.decode()
    assert "125,000.50 万元（12.50 亿元）" in detail


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"total_investment": "-5"}, "总投资（万元）不能为负数。"),
        ({"total_investment": "abc"}, "总投资（万元）请填写数字。"),
        ({"code": "2026-33-04-01-1"}, "项目代码格式应为 NNNN-NNNNNN-NN-NN-NNNNNN"),
        ({"name": ""}, "请填写项目名称。"),
        ({"industry_code": "Z99"}, "国民经济行业代码（GB/T 4754）应为门类字母加 2–4 位数字"),
        ({"in_statistics": "on"}, "入库纳统的项目请填写纳统月份。"),
        (
            {"stage": "STARTED", "actual_signed_date": "2026-05-01", "actual_started_date": "2026-04-01"},
            "开工日期（2026-04-01）不能早于签约日期（2026-05-01）。",
        ),
        (
            {"stage": "SIGNED", "actual_signed_date": "2026-05-01", "actual_completed_date": "2026-06-01"},
            "当前阶段为签约，不能填写竣工的实际日期。",
        ),
        ({"actual_signed_date": "2026-13-01"}, "输入一个有效的日期。"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(client, reporter_a, unit_a, extra, message):
    login(client, reporter_a)
    response = client.post("/projects/new/", _form(unit_a, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="projects.").exists()


def test_duplicate_name_in_same_unit_refused(client, reporter_a, unit_a):
    ProjectFactory(name="年产5万吨高性能纤维材料项目", unit=unit_a)
    login(client, reporter_a)
    response = client.post("/projects/new/", _form(unit_a))
    assert "该责任单位下已有同名项目。" in response.content.decode()


def test_duplicate_code_refused(client, reporter_a, unit_a):
    ProjectFactory(name="另一个项目", unit=unit_a, code="2026-330999-04-01-123456")
    login(client, reporter_a)
    response = client.post("/projects/new/", _form(unit_a, code="2026-330999-04-01-123456"))
    assert "该项目代码已被其他项目使用。" in response.content.decode()


def test_edit_records_old_and_new_values(client, coordinator, project_a, unit_b):
    login(client, coordinator)
    data = {
        "name": project_a.name,
        "unit": unit_b.pk,
        "level": "CITY",
        "category": "INDUSTRY",
        "nature": "NEW",
        "total_investment": "8000",
        "planned_started_date": "2026-12-01",
        "version": project_a.version,
    }
    assert client.post(f"/projects/{project_a.pk}/edit/", data).status_code == 302
    event = AuditEvent.objects.get(action="projects.project.updated")
    assert event.changes["level"] == ["COUNTY", "CITY"]
    assert event.changes["total_investment"] == ["5000.00", "8000"]
    assert event.changes["unit"] == ["东城镇", "西湖街道"]
    assert event.changes["planned_started_date"] == [None, "2026-12-01"]
    assert "name" not in event.changes
    project = Project.objects.get(pk=project_a.pk)
    assert (project.unit_id, project.version) == (unit_b.pk, 2)


def test_approval_plan_and_funding_are_saved_and_audited(client, reporter_a, project_a):
    from tadiao.projects.models import ApprovalKind

    login(client, reporter_a)
    kind = ApprovalKind.objects.get(name="环评批复")
    response = client.post(
        f"/projects/{project_a.pk}/approvals/{kind.pk}/",
        {"status": "DONE", "department": "生态环境局", "applied_date": "2026-03-01", "completed_date": "2026-03-21"},
        follow=True,
    )
    assert "已保存前期手续：环评批复" in response.content.decode()
    approval = project_a.approvals.get(kind=kind)
    assert approval.days_taken == 20
    response = client.post(
        f"/projects/{project_a.pk}/approvals/{kind.pk}/",
        {"status": "DONE", "applied_date": "2026-03-21", "completed_date": "2026-03-01"},
        follow=True,
    )
    assert "办结日期不能早于申报日期。" in response.content.decode()
    response = client.post(
        f"/projects/{project_a.pk}/funding/",
        {"source": "BANK_LOAN", "planned": "100", "in_place": "50", "spent": "60"},
        follow=True,
    )
    assert "已支出不能超过到位资金。" in response.content.decode()
    client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "1200.5"})
    client.post(f"/projects/{project_a.pk}/plans/", {"year": "2026", "planned_investment": "1300"})
    events = AuditEvent.objects.filter(action="projects.annual_plan.saved").order_by("id")
    assert [e.changes["planned_investment"] for e in events] == [[None, "1200.5"], ["1200.50", "1300"]]
    assert AuditEvent.objects.filter(action="projects.approval.saved").count() == 1
