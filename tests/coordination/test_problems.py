"""Problems: raising (from a project or a monthly report), the lifecycle 待受理 → 办理中 → 已办结 → 已销号 or 退回,
reopening with history kept, versioned writes, audit, notifications, attachments."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tadiao.audit.models import AuditEvent
from tadiao.coordination import services
from tadiao.coordination.models import Problem, ProblemEvent, Status
from tadiao.notifications.models import Message
from tests.conftest import TODAY, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_raise_from_project_page(client, today, reporter_a, project_a, dept, dept_user, unit_b, reporter_b,
                                 coordinator):
    login(client, reporter_a)
    assert client.get(f"/coordination/problems/new/?project={project_a.pk}").status_code == 200
    r = client.post("/coordination/problems/new/", {
        "project": project_a.pk, "title": "用地指标不足", "category": "LAND", "description": "缺 20 亩用地指标",
        "lead_unit": dept.pk, "helping_units": [unit_b.pk],
    })
    problem = Problem.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/coordination/problems/{problem.pk}/"
    # LAND: 15 working days from Monday 23 Nov 2026 → Monday 14 Dec.
    assert problem.deadline == problem.first_deadline == D(2026, 12, 14)
    assert (problem.status, problem.level, problem.raised_by_unit_id, problem.raised_date) == (
        Status.PENDING, 1, reporter_a.unit_id, TODAY)
    assert list(problem.events.values_list("action", flat=True)) == ["RAISED"]
    assert AuditEvent.objects.filter(action="coordination.problem.raised", object_id=str(problem.pk)).exists()
    # Issue 15: a reporter naming another unit only proposes it — the raising unit stays the lead of record and
    # the office, not the proposed or the helping unit, is told (see test_lead_proposal.py for the rest).
    assert (problem.lead_unit_id, problem.proposed_lead_unit_id) == (reporter_a.unit_id, dept.pk)
    assert set(Message.objects.filter(kind="ASSIGNED").values_list("user__username", flat=True)) == {"coordinator"}


def test_raise_from_monthly_report_link(client, today, reporter_a, project_a, dept):
    from tadiao.reporting.models import MonthlyReport, Period

    period = Period.objects.create(month=D(2026, 11, 1), deadline=D(2026, 11, 25))
    report = MonthlyReport.objects.create(project=project_a, period=period)
    login(client, reporter_a)
    page = client.get(f"/reporting/projects/{project_a.pk}/2026-11/").content.decode()
    assert f"/coordination/problems/new/?project={project_a.pk}&amp;report={report.pk}" in page
    client.post("/coordination/problems/new/", {
        "project": project_a.pk, "report": report.pk, "title": "资金缺口", "category": "FUNDS", "description": "缺资金",
        "lead_unit": dept.pk, "deadline": "2026-11-30",
    })
    problem = Problem.objects.get()
    assert problem.report_id == report.pk and problem.deadline == D(2026, 11, 30)


def test_raise_refused_for_other_units_project_and_bad_input(client, today, reporter_b, reporter_a, project_a, dept):
    login(client, reporter_b)
    assert client.get(f"/coordination/problems/new/?project={project_a.pk}").status_code == 404
    login(client, reporter_a)
    r = client.post("/coordination/problems/new/", {"project": project_a.pk, "title": "", "category": "LAND",
                                                    "description": "", "lead_unit": dept.pk, "deadline": "2026-11-01"})
    page = r.content.decode()
    assert r.status_code == 200 and "请填写标题" in page and not Problem.objects.exists()
    assert client.get("/coordination/problems/new/?project=abc").status_code == 404


def _act(client, problem, action, **data):
    problem.refresh_from_db()
    return client.post(f"/coordination/problems/{problem.pk}/{action}/", {"version": problem.version, **data})


def test_full_lifecycle_with_reopen_keeps_history(client, today, reporter_a, dept_user, problem_a):
    login(client, dept_user)
    _act(client, problem_a, "accept")
    client.post(f"/coordination/problems/{problem_a.pk}/reply/", {"content": "已对接自然资源部门"})
    _act(client, problem_a, "resolve", text="已调剂 20 亩指标")
    problem_a.refresh_from_db()
    assert problem_a.status == Status.RESOLVED and problem_a.resolved_date == TODAY
    # Only the raising side closes: the handler may not.
    r = _act(client, problem_a, "close")
    problem_a.refresh_from_db()
    assert problem_a.status == Status.RESOLVED
    assert "只有提出方可以销号" in client.get(r["Location"]).content.decode()
    login(client, reporter_a)
    _act(client, problem_a, "close", text="问题已解决")
    problem_a.refresh_from_db()
    assert problem_a.status == Status.CLOSED and problem_a.closed_date == TODAY
    _act(client, problem_a, "reopen", text="指标未实际下达")
    problem_a.refresh_from_db()
    assert problem_a.status == Status.IN_PROGRESS and problem_a.resolved_date is None and problem_a.closed_date is None
    # The deadline had passed (20 Nov): a new one, 15 working days (LAND) from today.
    assert problem_a.deadline == D(2026, 12, 14) and problem_a.first_deadline == D(2026, 11, 20)
    assert list(problem_a.events.values_list("action", flat=True)) == ["ACCEPTED", "RESOLVED", "CLOSED", "REOPENED"]
    assert [r.content for r in problem_a.replies.all()] == ["已对接自然资源部门", "【办结】已调剂 20 亩指标"]
    actions = set(AuditEvent.objects.filter(object_id=str(problem_a.pk)).values_list("action", flat=True))
    assert {"coordination.problem.accepted", "coordination.problem.replied", "coordination.problem.resolved",
            "coordination.problem.closed", "coordination.problem.reopened"} <= actions
    # The raiser was told of the reply and of the resolution; the handler of the reopening.
    assert Message.objects.filter(user=reporter_a, kind="REPLIED").count() == 2
    assert Message.objects.filter(user=dept_user, kind="RETURNED").count() == 1
    page = client.get(f"/coordination/problems/{problem_a.pk}/").content.decode()
    assert "重新打开" in page and "销号" in page and "指标未实际下达" in page


def test_return_with_reason_and_resubmit(client, today, reporter_a, dept_user, problem_a):
    login(client, dept_user)
    r = _act(client, problem_a, "return", text="")
    assert "退回须填写原因" in client.get(r["Location"]).content.decode()
    _act(client, problem_a, "return", text="不属本单位职责")
    problem_a.refresh_from_db()
    assert (problem_a.status, problem_a.return_reason) == (Status.RETURNED, "不属本单位职责")
    assert Message.objects.filter(user=reporter_a, kind="RETURNED").exists()
    login(client, reporter_a)
    _act(client, problem_a, "resubmit", text="已补充材料")
    problem_a.refresh_from_db()
    assert problem_a.status == Status.PENDING and problem_a.return_reason == ""


def test_versioned_transition_refuses_a_stale_page(client, today, dept_user, problem_a):
    login(client, dept_user)
    stale = problem_a.version
    _act(client, problem_a, "accept")
    r = client.post(f"/coordination/problems/{problem_a.pk}/resolve/", {"version": stale, "text": "完成"})
    assert "已被他人处理或修改" in client.get(r["Location"]).content.decode()
    problem_a.refresh_from_db()
    assert problem_a.status == Status.IN_PROGRESS
    with pytest.raises(services.ConcurrentEditError):
        services.resolve(problem=problem_a, content="x", by=dept_user, today=TODAY, expected_version=stale)


def test_wrong_transitions_say_why(dept_user, reporter_a, problem_a):
    with pytest.raises(services.CoordinationError, match="当前状态为“待受理”，不能销号"):
        services.close(problem=problem_a, note="", by=reporter_a, today=TODAY, expected_version=problem_a.version)
    with pytest.raises(services.CoordinationError, match="只有牵头单位可以受理"):
        services.accept(problem=problem_a, by=reporter_a, today=TODAY, expected_version=problem_a.version)
    assert not ProblemEvent.objects.exists()


def test_coordinator_reassigns(client, today, coordinator, problem_a, unit_b, reporter_b, dept):
    login(client, coordinator)
    client.post(f"/coordination/problems/{problem_a.pk}/assign/", {
        "lead_unit": unit_b.pk, "helping_units": [dept.pk], "deadline": "2026-12-01", "version": problem_a.version})
    problem_a.refresh_from_db()
    assert problem_a.lead_unit_id == unit_b.pk and problem_a.deadline == D(2026, 12, 1)
    assert list(problem_a.helping_units.all()) == [dept]
    assert Message.objects.filter(user=reporter_b, kind="ASSIGNED").exists()


def test_attachments_limited_and_served_to_readers_only(client, settings, reporter_a, reporter_b, leader, problem_a):
    settings.COORDINATION_ATTACHMENT_MAX_BYTES = 100
    login(client, reporter_a)
    url = f"/coordination/problems/{problem_a.pk}/attachments/"
    client.post(url, {"file": SimpleUploadedFile("用地红线.pdf", b"%PDF-1.4 small")})
    r = client.post(url, {"file": SimpleUploadedFile("大文件.pdf", b"x" * 101)})
    assert "超过" in client.get(r["Location"]).content.decode()
    r = client.post(url, {"file": SimpleUploadedFile("脚本.exe", b"MZ")})
    assert "类型不允许上传" in client.get(r["Location"]).content.decode()
    item = problem_a.attachments.get()
    assert item.original_name == "用地红线.pdf" and item.size == 14
    assert str(settings.MEDIA_ROOT) in item.file.path and "problem_files" in item.file.name
    r = client.get(f"/coordination/attachments/{item.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 small"
    login(client, leader)
    assert client.get(f"/coordination/attachments/{item.pk}/").status_code == 200
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", b"x")}).status_code == 403
    login(client, reporter_b)
    assert client.get(f"/coordination/attachments/{item.pk}/").status_code == 404


def test_administrators_read_nothing(client, sysadmin, auditor, problem_a):
    for user in (sysadmin, auditor):
        login(client, user)
        assert client.get("/coordination/problems/").status_code == 403
        assert client.get(f"/coordination/problems/{problem_a.pk}/").status_code == 403


def test_inactive_reporter_gets_no_message(reporter_a, project_a, dept):
    UserFactory(username="gone", unit=dept, is_reporter=True, is_active=False)
    services.raise_problem(project=project_a, data={"title": "t", "category": "OTHER", "description": "d",
                                                    "lead_unit": dept}, by=reporter_a, today=TODAY)
    assert not Message.objects.filter(user__username="gone").exists()


def test_overdue_is_judged_on_the_day(problem_a):
    assert problem_a.is_overdue(TODAY) and not problem_a.is_overdue(D(2026, 11, 20))
