"""Escalation: one code path for problems and supervision items; by the daily command or task, or by the office.
Idempotent: a second run the same day changes nothing."""

import datetime
import io

import pytest
from django.core.management import call_command

from tadiao.audit.models import AuditEvent
from tadiao.coordination import queries, services, tasks
from tadiao.coordination.models import CoordinationSettings, Problem, ProblemEvent, Status
from tadiao.notifications.models import Message
from tests.conftest import TODAY, login
from tests.coordination.conftest import make_problem

pytestmark = pytest.mark.django_db
D = datetime.date


def _state(problem):
    problem.refresh_from_db()
    return problem.level, problem.deadline, problem.needs_decision, problem.version


def test_overdue_problem_moves_up_one_level_with_a_new_time_limit(problem_a, dept_user, reporter_a, leader):
    outcome = services.run_escalation(today=TODAY)
    assert outcome.escalated == [problem_a.pk]
    level, deadline, flagged, _ = _state(problem_a)
    # LAND: 15 working days from Monday 23 Nov 2026 → 14 Dec; the first time limit is kept for 按期办结.
    assert (level, deadline, flagged) == (2, D(2026, 12, 14), False)
    assert problem_a.first_deadline == D(2026, 11, 20)
    event = problem_a.events.get()
    assert (event.action, event.from_level, event.to_level, event.by, event.date) == ("ESCALATED", 1, 2, None, TODAY)
    assert "自动升级" in event.note
    audit = AuditEvent.objects.get(action="coordination.problem.escalated")
    assert audit.changes["level"] == [1, 2] and audit.actor_name.startswith("系统")
    # The units involved and, from level 2, the region's leaders are told.
    assert {m.user.username for m in Message.objects.filter(kind="ESCALATED")} == {"dept", "reporter_a", "leader"}


def test_running_twice_the_same_day_changes_nothing(problem_a, project_a, dept):
    due_soon = make_problem(project_a, dept, title="临期问题", deadline=D(2026, 11, 24))
    out = io.StringIO()
    call_command("escalate", "--today", "2026-11-23", stdout=out)
    assert "升级 1 件" in out.getvalue() and "临期提醒 1 件" in out.getvalue()
    before = (_state(problem_a), _state(due_soon), ProblemEvent.objects.count(), AuditEvent.objects.count(),
              Message.objects.count())
    out = io.StringIO()
    call_command("escalate", "--today", "2026-11-23", stdout=out)
    assert "升级 0 件，标记超期待决定 0 件，临期提醒 0 件" in out.getvalue()
    after = (_state(problem_a), _state(due_soon), ProblemEvent.objects.count(), AuditEvent.objects.count(),
             Message.objects.count())
    assert after == before


def test_due_soon_reminder_once_per_deadline(project_a, dept, dept_user):
    # Reminder window 2 working days: on Friday 20 Nov a deadline of Tuesday 24 Nov is due soon, Wed 25 is not.
    soon = make_problem(project_a, dept, raised=D(2026, 11, 2), deadline=D(2026, 11, 24), title="临期")
    later = make_problem(project_a, dept, raised=D(2026, 11, 2), deadline=D(2026, 11, 25), title="不临期")
    assert services.run_escalation(today=D(2026, 11, 20)).reminded == [soon.pk]
    # Monday 23rd: the 25th is now within the window; the 24th was reminded already.
    assert services.run_escalation(today=D(2026, 11, 23)).reminded == [later.pk]
    assert Message.objects.filter(user=dept_user, kind="DUE_SOON").count() == 2


def test_flag_setting_leaves_the_decision_to_the_office(problem_a, coordinator, client):
    CoordinationSettings.objects.filter(pk=1).update(overdue_action="FLAG")
    assert services.run_escalation(today=TODAY).flagged == [problem_a.pk]
    assert services.run_escalation(today=D(2026, 11, 24)).flagged == []  # flagged once
    level, _, flagged, _ = _state(problem_a)
    assert (level, flagged) == (1, True)
    assert Message.objects.filter(user=coordinator, kind="OVERDUE").count() == 1
    assert list(problem_a.events.values_list("action", flat=True)) == ["FLAGGED"]
    login(client, coordinator)
    page = client.get("/coordination/problems/?state=decision").content.decode()
    assert problem_a.title in page
    # The office decides: escalate by hand — the same code path.
    client.post(f"/coordination/problems/{problem_a.pk}/escalate/", {"version": problem_a.version, "text": "会商决定"})
    level, _, flagged, _ = _state(problem_a)
    assert (level, flagged) == (2, False)
    assert problem_a.events.last().note == "会商决定"


def test_level_four_is_flagged_not_escalated(project_a, dept):
    top = make_problem(project_a, dept, level=4)
    outcome = services.run_escalation(today=TODAY)
    assert outcome.escalated == [] and outcome.flagged == [top.pk]


def test_extend_clears_the_flag(problem_a, coordinator):
    Problem.objects.filter(pk=problem_a.pk).update(needs_decision=True)
    problem_a.refresh_from_db()
    services.extend_deadline(problem=problem_a, deadline=D(2026, 12, 4), note="企业补件", by=coordinator,
                             today=TODAY, expected_version=problem_a.version)
    assert _state(problem_a)[1:3] == (D(2026, 12, 4), False)


def test_resolved_and_closed_items_are_not_escalated(project_a, dept):
    make_problem(project_a, dept, status=Status.RESOLVED, resolved=D(2026, 11, 19))
    make_problem(project_a, dept, status=Status.CLOSED, resolved=D(2026, 11, 19))
    assert services.run_escalation(today=TODAY).escalated == []


def test_supervision_items_escalate_through_the_same_path(coordinator, unit_b):
    meeting = services.create_meeting(data={"date": D(2026, 11, 2), "kind": "WEEKLY", "title": "第45周例会",
                                            "chair": None, "location": "", "attendees": "", "minutes": ""},
                                      by=coordinator)
    item = services.add_decision(meeting=meeting, data={"title": "完成征迁", "description": "月底前完成",
                                                        "lead_unit": unit_b, "deadline": D(2026, 11, 20)},
                                 by=coordinator, today=D(2026, 11, 2))
    assert services.run_escalation(today=TODAY).escalated == [item.pk]
    assert _state(item)[0] == 2
    assert [p.pk for p in queries.overdue_problems(as_of=TODAY, kinds=["SUPERVISION"])] == []


def test_overdue_list_and_function(client, today, coordinator, problem_a, project_a, dept):
    on_time = make_problem(project_a, dept, title="未到期", deadline=D(2026, 11, 30))
    assert list(queries.overdue_problems(as_of=TODAY)) == [problem_a]
    assert list(queries.overdue_problems(as_of=D(2026, 12, 1))) == [problem_a, on_time]
    login(client, coordinator)
    page = client.get("/coordination/overdue/").content.decode()
    assert problem_a.title in page and "未到期" not in page


def test_bad_date_is_a_chinese_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式应为"):
        call_command("escalate", "--today", "2026-13-01")


def test_schedule_queues_one_daily_run(settings):
    from django_tasks_db.models import DBTaskResult

    now = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai
    assert tasks._next_run(now).isoformat() == "2026-11-24T00:30:00+08:00"
    tasks.schedule_daily_escalation(now)
    tasks.schedule_daily_escalation(now)
    assert DBTaskResult.objects.filter(task_path__endswith="daily_escalation_task").count() == 1
