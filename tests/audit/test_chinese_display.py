"""The audit log keeps codes in its data and shows Chinese (issue 15, point 5): action codes by their labels,
field names by the model's verbose names, choice values by their labels, on the page and in the export."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from tadiao.audit import services as audit
from tadiao.audit.models import AuditEvent
from tadiao.coordination import services as coordination
from tadiao.reporting import services as reporting
from tests.test_chinese_ui import problems_in, read_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_report(project_a, reporter_a, coordinator):
    period = reporting.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    report = reporting.save_report(project=project_a, period=period, by=reporter_a, expected_version=None,
                                   data={"investment_completed": Decimal("120.50"), "progress_text": "主体封顶"})
    reporting.submit_report(report=report, by=reporter_a, expected_version=report.version)
    reporting.approve_report(report=report, by=coordinator, expected_version=report.version)
    return report


@pytest.fixture
def land_problem(project_a, reporter_a, unit_a):
    return coordination.raise_problem(project=project_a, by=reporter_a, today=datetime.date(2026, 11, 23), data={
        "title": "用地指标未落实", "category": "LAND", "description": "缺 30 亩用地指标", "lead_unit": unit_a})


def rows_of(audit_client, **query) -> list:
    return audit_client.get("/audit/", query).context["rows"]


def test_an_approved_report_reads_as_chinese(audit_client, approved_report):
    body = audit_client.get("/audit/", {"action": "reporting.report.approved"}).content.decode()
    assert "月报审核通过" in body and "状态: 已报送 → 审核通过" in body
    submitted = rows_of(audit_client, action="reporting.report.submitted")[0]
    assert (submitted.action_label, submitted.changes) == ("提交月报", ["状态: 草稿 → 已报送"])
    # The data keeps the codes.
    event = AuditEvent.objects.get(action="reporting.report.approved")
    assert event.changes == {"status": ["SUBMITTED", "APPROVED"]}
    text, _ = read_page(body)
    assert "reporting.report.approved" not in text and "SUBMITTED" not in text and "APPROVED" not in text
    assert problems_in(text) == []


def test_a_problem_shows_its_category_and_level_by_label(audit_client, land_problem, coordinator):
    raised = rows_of(audit_client, action="coordination.problem.raised")[0]
    assert raised.action_label == "提出问题"
    assert "问题类别: 用地" in raised.changes and "类型: 问题诉求" in raised.changes
    coordination.escalate(problem=land_problem, by=coordinator, today=datetime.date(2026, 11, 24), reason="久拖未决",
                          expected_version=land_problem.version)
    escalated = rows_of(audit_client, action="coordination.problem.escalated")[0]
    assert escalated.action_label == "升级协调层级"
    assert "协调层级: 一级：责任单位 → 二级：分管领导" in escalated.changes


def test_category_time_limits_of_the_settings_are_named_in_chinese(audit_client, coordinator):
    config = coordination.queries.coordination_settings()
    coordination.update_settings(overdue_action="FLAG", due_soon_days=3, category_days={"LAND": 20}, by=coordinator,
                                 expected_version=config.version)
    changes = rows_of(audit_client, action="coordination.settings.updated")[0].changes
    assert "超期处理: 自动升级一级 → 标记超期，由调度员决定" in changes
    assert "用地办结时限（工作日）: 15 → 20" in changes


def test_a_code_recorded_by_a_newer_version_is_still_named_in_chinese(audit_client, unit_a):
    audit.record(actor=None, action="org.unit.merged", obj=unit_a)
    audit.record(actor=None, action="reporting.report.confirmed", obj=None)
    assert rows_of(audit_client, action="org.unit.merged")[0].action_label == "单位相关操作"
    assert rows_of(audit_client, action="reporting.report.confirmed")[0].action_label == "确认月报"


def test_the_export_is_chinese_and_keeps_the_code_last(audit_client, approved_report):
    response = audit_client.get("/audit/export.xlsx", {"action": "reporting.report.approved"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[1][3:] == ["月报审核通过", "月度进展", str(approved_report), "状态: 已报送 → 审核通过", "成功", "",
                           "reporting.report.approved"]
