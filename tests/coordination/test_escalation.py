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
    # Escalated, with a new time limit (14 Dec), but its first one (20 Nov) has passed: still overdue.
    assert [p.pk for p in queries.overdue_problems(as_of=TODAY, kinds=["SUPERVISION"])] == [item.pk]


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


def test_escalated_item_stays_overdue_from_its_first_deadline(client, monkeypatch, coordinator, dept_user, project_a,
                                                              dept):
    # Due Tuesday 20 Oct; the daily job on Wednesday 21 Oct moves it to level 2 with a new time limit: LAND, 15
    # working days after 21 Oct (22–23, 26–30 Oct, 2–6, 9–11 Nov; no holiday in between) → Wednesday 11 Nov.
    item = make_problem(project_a, dept, title="用地指标", raised=D(2026, 10, 9), deadline=D(2026, 10, 20),
                        status=Status.IN_PROGRESS)
    not_due = make_problem(project_a, dept, title="未到期", raised=D(2026, 10, 9), deadline=D(2026, 11, 5))
    assert services.run_escalation(today=D(2026, 10, 21)).escalated == [item.pk]
    item.refresh_from_db()
    assert (item.level, item.deadline, item.first_deadline) == (2, D(2026, 11, 11), D(2026, 10, 20))
    # On 31 Oct the new time limit has not passed, but the first one has: overdue, 31 Oct − 20 Oct = 11 days.
    as_of = D(2026, 10, 31)
    assert list(queries.overdue_problems(as_of=as_of)) == [item]
    assert item.is_overdue(as_of) and not not_due.is_overdue(as_of)
    [row] = queries.problems_as_json(units=[dept], as_of=as_of)["overdue"]
    assert (row["title"], row["deadline"], row["current_deadline"], row["days_overdue"]) == (
        "用地指标", "2026-10-20", "2026-11-11", 11)
    # Statistics, 1 Jan–31 Oct: 2 problems, none resolved, 1 overdue (not_due's time limit is 5 Nov).
    stats = queries.problem_statistics(units=[dept], start=D(2026, 1, 1), end=as_of, as_of=as_of)
    assert (stats["total"], stats["resolved"], stats["overdue"]) == (2, 0, 1)
    assert queries.inbox_counts(dept_user, today=as_of)["overdue"] == 1
    # The overdue list of the day (and its export) shows it; the item not yet due is not in it.
    monkeypatch.setattr("tadiao.coordination.views._today", lambda: as_of)
    login(client, coordinator)
    page = client.get("/coordination/overdue/").content.decode()
    assert "用地指标" in page and "未到期" not in page and "初始 2026-10-20" in page
    assert client.get("/coordination/overdue/export.xlsx").status_code == 200
    # Resolved on 3 Nov: no longer overdue from then on, still overdue as of 31 Oct.
    services.resolve(problem=item, content="已落实指标", by=dept_user, today=D(2026, 11, 3),
                     expected_version=item.version)
    assert list(queries.overdue_problems(as_of=D(2026, 11, 4))) == []
    assert list(queries.overdue_problems(as_of=as_of)) == [item]


def test_one_refused_item_does_not_stop_the_run(monkeypatch, project_a, dept, dept_user):
    first = make_problem(project_a, dept, title="甲", deadline=D(2026, 11, 18))
    refused = make_problem(project_a, dept, title="乙", deadline=D(2026, 11, 19))
    last = make_problem(project_a, dept, title="丙", deadline=D(2026, 11, 20))
    from tadiao.coordination.services import escalation

    real_escalate = escalation._escalate

    def escalate_but_refuse_one(problem, **kwargs):
        # Writes everything (level, history, audit, messages), then is refused: all of it must be rolled back.
        real_escalate(problem, **kwargs)
        if problem.pk == refused.pk:
            raise services.ConcurrentEditError()
        return problem

    monkeypatch.setattr(escalation, "_escalate", escalate_but_refuse_one)
    out, err = io.StringIO(), io.StringIO()
    call_command("escalate", "--today", "2026-11-23", stdout=out, stderr=err)
    assert "升级 2 件，标记超期待决定 0 件，临期提醒 0 件，跳过 1 件。" in out.getvalue()
    assert f"跳过事项 {refused.pk}：该事项已被他人处理或修改" in err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert (_state(first)[0], _state(refused)[0], _state(last)[0]) == (2, 1, 2)
    assert _state(refused)[1] == D(2026, 11, 19)
    assert not refused.events.exists()
    assert AuditEvent.objects.filter(action="coordination.problem.escalated").count() == 2
    # The department's reporter is told of the two escalations only.
    assert sorted(Message.objects.filter(user=dept_user, kind="ESCALATED").values_list("title", flat=True)) == [
        "升级协调（二级：分管领导）：丙", "升级协调（二级：分管领导）：甲"]
    # The next run tries it again.
    monkeypatch.setattr(escalation, "_escalate", real_escalate)
    outcome = services.run_escalation(today=TODAY)
    assert (outcome.escalated, outcome.skipped) == ([refused.pk], [])
