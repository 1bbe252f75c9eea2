"""Issue 15 ③: skipping a stage, or starting before the required approvals are done, is refused to a reporter with a
message naming what is missing, allowed to the office only with a reason (recorded and audited), and the skipped
stage keeps its light in the warnings."""

import datetime
from decimal import Decimal

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.indicators import warnings
from tadiao.indicators.models import WarningRule
from tadiao.projects import services
from tadiao.projects.models import ApprovalKind, Project, ProjectApproval, Stage, StageTransition
from tests.conftest import TODAY, login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date

ALL_MISSING = (
    "开工前须办结的前期手续未办结：用地规划许可（未办）、土地出让/不动产权证（未办）、环评批复（未办）、"
    "工程规划许可（未办）、施工许可（未办）"
)


@pytest.fixture
def signed(unit_a):
    """Signed on 10 January 2026, nothing since: every approval 未办, as in the issue."""
    return ProjectFactory(
        unit=unit_a, name="东城镇新材料项目", stage=Stage.SIGNED, signed_date=D(2026, 1, 10),
        planned_approved_date=D(2026, 3, 1),
    )


def _approval(project, name, status, completed=None):
    ProjectApproval.objects.create(
        project=project, kind=ApprovalKind.objects.get(name=name), status=status, completed_date=completed
    )


def test_the_standard_checklist_requires_five_approvals_before_start():
    assert list(ApprovalKind.objects.filter(required_before_start=True).values_list("name", flat=True)) == [
        "用地规划许可", "土地出让/不动产权证", "环评批复", "工程规划许可", "施工许可",
    ]


def test_reporter_skipping_approved_is_refused_naming_the_stage_and_the_approvals(signed, reporter_a):
    _approval(signed, "环评批复", "IN_PROGRESS")
    _approval(signed, "施工许可", "WITH_GAPS")  # 容缺受理 counts as done
    with pytest.raises(services.LifecycleError) as refused:
        services.advance_stage(project=signed, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=reporter_a,
                               today=TODAY)
    assert refused.value.message == (
        "不能从签约直接推进到开工：立项没有实际日期；开工前须办结的前期手续未办结：用地规划许可（未办）、"
        "土地出让/不动产权证（未办）、环评批复（办理中）、工程规划许可（未办）。请先逐级推进并填写各阶段实际日期、"
        "办结（或容缺受理）前期手续；确需跳过的，请重点项目办（调度员）填写原因后推进。"
    )
    project = Project.objects.get(pk=signed.pk)
    assert (project.stage, project.started_date, project.version) == (Stage.SIGNED, None, 1)
    assert not StageTransition.objects.filter(project=signed).exists()
    assert not AuditEvent.objects.filter(action="projects.project.stage_advanced").exists()


def test_reporter_is_refused_through_the_page_too(client, signed, reporter_a):
    login(client, reporter_a)
    response = client.post(
        f"/projects/{signed.pk}/advance/",
        {"stage": "STARTED", "actual_date": "2026-11-02", "version": "1", "reason": "企业急于开工"},
        follow=True,
    )
    page = response.content.decode()
    assert "不能从签约直接推进到开工：立项没有实际日期；" + ALL_MISSING in page
    assert Project.objects.get(pk=signed.pk).stage == Stage.SIGNED


def test_reporter_may_not_pass_signing_without_its_date_once_in_talks(unit_a, reporter_a):
    talks = ProjectFactory(unit=unit_a, stage=Stage.NEGOTIATING, negotiating_date=D(2026, 2, 1))
    with pytest.raises(services.LifecycleError, match="不能从在谈直接推进到立项：签约没有实际日期。"):
        services.advance_stage(project=talks, stage=Stage.APPROVED, actual_date=D(2026, 5, 1), by=reporter_a,
                               today=TODAY)


def test_a_government_project_goes_from_reserve_to_approved(unit_a, reporter_a):
    # 在谈/签约 are optional: government-invested projects never sign.
    project = ProjectFactory(unit=unit_a, stage=Stage.RESERVE)
    services.advance_stage(project=project, stage=Stage.APPROVED, actual_date=D(2026, 5, 1), by=reporter_a,
                           today=TODAY)
    assert Project.objects.get(pk=project.pk).stage == Stage.APPROVED


def test_coordinator_without_a_reason_is_refused(client, signed, coordinator):
    with pytest.raises(services.LifecycleError) as refused:
        services.advance_stage(project=signed, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=coordinator,
                               today=TODAY, reason="  ")
    assert refused.value.message == f"推进到开工须填写原因：立项没有实际日期；{ALL_MISSING}。"
    login(client, coordinator)
    page = client.post(
        f"/projects/{signed.pk}/advance/", {"stage": "STARTED", "actual_date": "2026-11-02", "version": "1"},
        follow=True,
    ).content.decode()
    assert "推进到开工须填写原因：立项没有实际日期；" in page
    assert Project.objects.get(pk=signed.pk).stage == Stage.SIGNED


def test_coordinator_with_a_reason_is_allowed_recorded_and_audited(client, signed, coordinator):
    login(client, coordinator)
    detail = client.get(f"/projects/{signed.pk}/").content.decode()
    assert "跳过阶段或前期手续未办结的原因（调度员）" in detail
    response = client.post(
        f"/projects/{signed.pk}/advance/",
        {"stage": "STARTED", "actual_date": "2026-11-02", "version": "1", "reason": "县政府专题会议同意先行开工"},
        follow=True,
    )
    assert "项目已推进到开工阶段。" in response.content.decode()
    project = Project.objects.get(pk=signed.pk)
    assert (project.stage, project.approved_date, project.started_date) == (Stage.STARTED, None, D(2026, 11, 2))
    transition = StageTransition.objects.get(project=signed)
    assert (transition.from_stage, transition.to_stage, transition.reason, transition.by) == (
        Stage.SIGNED, Stage.STARTED, "县政府专题会议同意先行开工", coordinator,
    )
    event = AuditEvent.objects.get(action="projects.project.stage_advanced")
    assert event.message == "县政府专题会议同意先行开工"
    assert event.changes == {
        "stage": ["SIGNED", "STARTED"],
        "started_date": [None, "2026-11-02"],
        "skipped": [None, f"立项没有实际日期；{ALL_MISSING}"],
    }
    assert "，原因：县政府专题会议同意先行开工" in response.content.decode()


def test_the_skipped_stage_keeps_its_red_light(signed, coordinator, unit_a, reporter_a):
    not_approved = WarningRule.objects.create(
        code="signed_not_approved", name="签约后未立项", measure="DAYS_SIGNED_NOT_APPROVED",
        yellow=Decimal("30"), red=Decimal("60"),
    )
    past_planned = WarningRule.objects.create(
        code="past_planned_stage", name="超过阶段计划日期", measure="DAYS_PAST_PLANNED_STAGE",
        yellow=Decimal("1"), red=Decimal("30"),
    )
    # A project that went through 立项 properly, for contrast: same signing and plan, 立项 on 20 February.
    proper = ProjectFactory(
        unit=unit_a, name="东城镇按序推进项目", stage=Stage.SIGNED, signed_date=D(2026, 1, 10),
        planned_approved_date=D(2026, 3, 1),
    )
    for kind in ApprovalKind.objects.filter(required_before_start=True):
        ProjectApproval.objects.create(project=proper, kind=kind, status="DONE", completed_date=D(2026, 3, 1))
    services.advance_stage(project=proper, stage=Stage.APPROVED, actual_date=D(2026, 2, 20), by=reporter_a,
                           today=TODAY)
    services.advance_stage(project=proper, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=reporter_a,
                           today=TODAY)
    services.advance_stage(project=signed, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=coordinator,
                           today=TODAY, reason="县政府专题会议同意先行开工")

    rules = [not_approved, past_planned]
    lit = {p.name: p for p in warnings.with_lights(Project.objects.all(), as_of=TODAY, rules=rules)}
    skipped = lit["东城镇新材料项目"]
    # Signed 10 January → 23 November: 317 days without 立项 > 60 → red; planned 立项 1 March passed 267 days
    # without an actual date > 30 → red. Both although the project's stage is now 开工.
    assert (TODAY - D(2026, 1, 10)).days == 317 and (TODAY - D(2026, 3, 1)).days == 267
    assert (getattr(skipped, f"w_{not_approved.pk}"), getattr(skipped, f"w_{past_planned.pk}")) == (
        warnings.RED, warnings.RED,
    )
    assert skipped.light == warnings.RED
    assert next(reason for _, _, reason in warnings.explain(skipped, as_of=TODAY, rules=rules)) == (
        "红灯：签约后未立项（已 317 天）"
    )
    # The project that reached 立项 on 20 February (41 days after signing, before its planned date) is green.
    assert lit["东城镇按序推进项目"].light == warnings.GREEN


def test_which_approvals_are_required_is_configured_by_the_office(client, signed, coordinator, reporter_a):
    signed.approved_date, signed.stage = D(2026, 2, 20), Stage.APPROVED
    signed.save()
    _approval(signed, "施工许可", "DONE", completed=D(2026, 10, 30))
    login(client, reporter_a)
    assert "开工前须办结" in client.get("/projects/approval-kinds/").content.decode()
    assert client.post("/projects/approval-kinds/", {"required_before_start": []}).status_code == 403
    login(client, coordinator)
    permit = ApprovalKind.objects.get(name="施工许可")
    eia = ApprovalKind.objects.get(name="环评批复")
    page = client.get("/projects/approval-kinds/").content.decode()
    assert f'name="required_before_start" value="{permit.pk}" checked' in page
    client.post("/projects/approval-kinds/", {"required_before_start": [permit.pk, eia.pk]})
    event = AuditEvent.objects.get(action="projects.approval_kinds.required_before_start_set")
    assert event.changes == {
        "required_before_start": [
            ["用地规划许可", "土地出让/不动产权证", "环评批复", "工程规划许可", "施工许可"],
            ["环评批复", "施工许可"],
        ]
    }
    with pytest.raises(services.LifecycleError) as refused:
        services.advance_stage(project=signed, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=reporter_a,
                               today=TODAY)
    assert "开工前须办结的前期手续未办结：环评批复（未办）。" in refused.value.message
    client.post("/projects/approval-kinds/", {"required_before_start": [permit.pk]})
    services.advance_stage(project=signed, stage=Stage.STARTED, actual_date=D(2026, 11, 2), by=reporter_a,
                           today=TODAY)
    assert Project.objects.get(pk=signed.pk).stage == Stage.STARTED
    # Saving the same choice again changes nothing and is not audited again.
    client.post("/projects/approval-kinds/", {"required_before_start": [permit.pk]})
    assert AuditEvent.objects.filter(action="projects.approval_kinds.required_before_start_set").count() == 2


def _new_project(unit, **extra):
    return {
        "name": "东城镇直接录入项目", "unit": unit.pk, "level": "COUNTY", "category": "INDUSTRY", "nature": "NEW",
        "total_investment": "20000", **extra,
    }


def test_creating_a_started_project_follows_the_same_rule(client, unit_a, reporter_a, coordinator):
    login(client, reporter_a)
    data = _new_project(unit_a, stage="STARTED", actual_signed_date="2026-02-03", actual_started_date="2026-04-08")
    page = client.post("/projects/new/", data).content.decode()
    refusal = "不能新建处于开工阶段的项目：立项没有实际日期；" + ALL_MISSING
    assert refusal + "。请按已办结的阶段新建、登记前期手续后逐级推进；" in page
    assert not Project.objects.filter(name="东城镇直接录入项目").exists()
    login(client, coordinator)
    page = client.post("/projects/new/", data).content.decode()
    assert "新建处于开工阶段的项目须填写原因：立项没有实际日期；" in page
    response = client.post("/projects/new/", {**data, "reason": "续建项目，前期手续已于往年办结"})
    assert response.status_code == 302
    project = Project.objects.get(name="东城镇直接录入项目")
    assert (project.stage, project.approved_date) == (Stage.STARTED, None)
    assert StageTransition.objects.get(project=project).reason == "新建项目（续建项目，前期手续已于往年办结）"
    event = AuditEvent.objects.get(action="projects.project.created")
    assert event.message == "续建项目，前期手续已于往年办结"
    assert event.changes["skipped"] == [None, f"立项没有实际日期；{ALL_MISSING}"]
