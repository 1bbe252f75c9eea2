"""The lifecycle service: forward only, dates in order, coordinator-only reversals with a reason, all recorded."""

import datetime

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.projects import services
from tadiao.projects.models import Project, Stage, StageTransition
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db
D = datetime.date


def _start_properly(project, by):
    """签约 → 立项 → 开工 with every date, the approvals required before start 已办结 (issue 15 ③)."""
    from tadiao.projects.models import ApprovalKind, ProjectApproval

    for kind in ApprovalKind.objects.filter(required_before_start=True):
        ProjectApproval.objects.create(project=project, kind=kind, status="DONE", completed_date=D(2026, 4, 1))
    services.advance_stage(project=project, stage=Stage.SIGNED, actual_date=D(2026, 3, 5), by=by, today=TODAY)
    services.advance_stage(project=project, stage=Stage.APPROVED, actual_date=D(2026, 3, 20), by=by, today=TODAY)
    services.advance_stage(project=project, stage=Stage.STARTED, actual_date=D(2026, 5, 1), by=by, today=TODAY)


def test_advance_moves_forward_records_transition_and_audit(project_a, reporter_a):
    # Issue 15 ③: 签约 → 开工 directly is now refused to a reporter; the project goes through 立项 with its date.
    _start_properly(project_a, reporter_a)
    project = Project.objects.get(pk=project_a.pk)
    assert (project.stage, project.signed_date, project.started_date) == (Stage.STARTED, D(2026, 3, 5), D(2026, 5, 1))
    assert project.version == 4
    kinds = list(StageTransition.objects.filter(project=project).values_list("from_stage", "to_stage", "actual_date"))
    assert kinds == [
        (Stage.RESERVE, Stage.SIGNED, D(2026, 3, 5)),
        (Stage.SIGNED, Stage.APPROVED, D(2026, 3, 20)),
        (Stage.APPROVED, Stage.STARTED, D(2026, 5, 1)),
    ]
    event = AuditEvent.objects.filter(action="projects.project.stage_advanced").order_by("id").last()
    assert event.actor == reporter_a
    assert event.changes == {"stage": ["APPROVED", "STARTED"], "started_date": [None, "2026-05-01"]}


def test_start_before_signing_is_refused_with_clear_message(project_a, reporter_a):
    services.advance_stage(project=project_a, stage=Stage.SIGNED, actual_date=D(2026, 3, 5), by=reporter_a, today=TODAY)
    with pytest.raises(services.LifecycleError) as refused:
        services.advance_stage(
            project=project_a, stage=Stage.STARTED, actual_date=D(2026, 3, 1), by=reporter_a, today=TODAY
        )
    assert refused.value.message == "开工日期（2026-03-01）不能早于签约日期（2026-03-05）。"
    assert Project.objects.get(pk=project_a.pk).stage == Stage.SIGNED


def test_backward_and_same_stage_refused(project_a, reporter_a):
    services.advance_stage(
        project=project_a, stage=Stage.APPROVED, actual_date=D(2026, 3, 5), by=reporter_a, today=TODAY
    )
    for stage in (Stage.SIGNED, Stage.APPROVED):
        with pytest.raises(services.LifecycleError, match="只能向后推进"):
            services.advance_stage(
                project=project_a, stage=stage, actual_date=D(2026, 4, 1), by=reporter_a, today=TODAY
            )


def test_future_date_refused(project_a, reporter_a):
    with pytest.raises(services.LifecycleError, match="不能晚于今天"):
        services.advance_stage(
            project=project_a, stage=Stage.SIGNED, actual_date=D(2026, 11, 24), by=reporter_a, today=TODAY
        )


def test_rollback_needs_coordinator_and_reason_and_clears_later_dates(project_a, reporter_a, coordinator):
    _start_properly(project_a, reporter_a)  # issue 15 ③: no more 签约 → 开工 for a reporter
    with pytest.raises(services.LifecycleError, match="需由调度员"):
        services.roll_back_stage(project=project_a, stage=Stage.SIGNED, reason="误报", by=reporter_a)
    with pytest.raises(services.LifecycleError, match="必须填写原因"):
        services.roll_back_stage(project=project_a, stage=Stage.SIGNED, reason="  ", by=coordinator)
    services.roll_back_stage(project=project_a, stage=Stage.SIGNED, reason="开工日期误报", by=coordinator)
    project = Project.objects.get(pk=project_a.pk)
    assert (project.stage, project.signed_date, project.started_date) == (Stage.SIGNED, D(2026, 3, 5), None)
    transition = StageTransition.objects.filter(project=project).last()
    assert (transition.kind, transition.reason, transition.by) == ("ROLLBACK", "开工日期误报", coordinator)
    event = AuditEvent.objects.get(action="projects.project.stage_rolled_back")
    assert event.changes["stage"] == ["STARTED", "SIGNED"]
    assert event.changes["started_date"] == ["2026-05-01", None]


@pytest.mark.parametrize("action,flag", [("suspend", "is_suspended"), ("cancel", "is_cancelled")])
def test_suspend_and_cancel_need_coordinator_and_reason(project_a, reporter_a, coordinator, action, flag):
    with pytest.raises(services.LifecycleError, match="需由调度员"):
        services.change_flag(project=project_a, action=action, reason="环保管控", by=reporter_a)
    with pytest.raises(services.LifecycleError, match="必须填写原因"):
        services.change_flag(project=project_a, action=action, reason="", by=coordinator)
    services.change_flag(project=project_a, action=action, reason="企业投资计划改变", by=coordinator)
    project = Project.objects.get(pk=project_a.pk)
    assert getattr(project, flag) is True
    assert AuditEvent.objects.filter(object_id=str(project.pk), message="企业投资计划改变").count() == 1


def test_cancelled_project_cannot_advance_until_restored(project_a, reporter_a, coordinator):
    services.change_flag(project=project_a, action="cancel", reason="企业投资计划改变", by=coordinator)
    with pytest.raises(services.LifecycleError, match="已终止"):
        services.advance_stage(
            project=project_a, stage=Stage.SIGNED, actual_date=D(2026, 3, 5), by=reporter_a, today=TODAY
        )
    services.change_flag(project=project_a, action="restore", reason="重新签约", by=coordinator)
    services.advance_stage(project=project_a, stage=Stage.SIGNED, actual_date=D(2026, 3, 5), by=reporter_a, today=TODAY)
    kinds = list(StageTransition.objects.filter(project=project_a).values_list("kind", flat=True))
    assert kinds == ["CANCEL", "RESTORE", "ADVANCE"]


def test_stale_version_is_a_conflict_not_a_lost_update(project_a, reporter_a, coordinator):
    seen_version = project_a.version
    services.advance_stage(
        project=project_a, stage=Stage.SIGNED, actual_date=D(2026, 3, 5), by=coordinator, today=TODAY
    )
    stale = Project.objects.get(pk=project_a.pk)
    stale.version = seen_version
    with pytest.raises(services.ConcurrentEditError):
        services.advance_stage(
            project=stale,
            stage=Stage.APPROVED,
            actual_date=D(2026, 4, 1),
            by=reporter_a,
            today=TODAY,
            expected_version=seen_version,
        )
    assert Project.objects.get(pk=project_a.pk).stage == Stage.SIGNED


def test_advance_through_the_page_shows_the_new_stage_and_history(client, reporter_a, project_a):
    login(client, reporter_a)
    response = client.post(
        f"/projects/{project_a.pk}/advance/",
        {"stage": "SIGNED", "actual_date": "2026年3月5日", "version": project_a.version},
        follow=True,
    )
    body = response.content.decode()
    assert "项目已推进到签约阶段。" in body
    assert "谋划储备 → 签约" in body
    response = client.post(
        f"/projects/{project_a.pk}/advance/",
        {"stage": "STARTED", "actual_date": "2026-03-01", "version": project_a.version + 1},
        follow=True,
    )
    assert "开工日期（2026-03-01）不能早于签约日期（2026-03-05）。" in response.content.decode()


def test_two_people_editing_the_same_project_get_a_conflict_message(client, reporter_a, coordinator, project_a):
    form = {
        "name": project_a.name,
        "unit": project_a.unit_id,
        "level": "COUNTY",
        "category": "INDUSTRY",
        "nature": "NEW",
        "total_investment": "5000",
        "version": project_a.version,
    }
    login(client, coordinator)
    assert client.post(f"/projects/{project_a.pk}/edit/", {**form, "investor": "甲公司"}).status_code == 302
    login(client, reporter_a)
    response = client.post(f"/projects/{project_a.pk}/edit/", {**form, "investor": "乙公司"})
    assert "该项目已被他人修改" in response.content.decode()
    assert Project.objects.get(pk=project_a.pk).investor == "甲公司"


def test_detail_and_list_show_the_light_and_why(client, coordinator, unit_a):
    from tests.factories import ProjectFactory

    # Signed more than 90 days before today without starting: red by the default rule.
    late = ProjectFactory(unit=unit_a, name="签约久未开工", stage=Stage.SIGNED, signed_date=TODAY.replace(year=2025))
    login(client, coordinator)
    detail = client.get(f"/projects/{late.pk}/").content.decode()
    assert "红灯：签约后 90 天未开工（桩基进场）" in detail
    listing = client.get("/projects/").content.decode()
    assert 'title="红灯"' in listing
