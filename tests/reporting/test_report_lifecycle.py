"""Report → lifecycle (issue 11 point 1): approving a report whose stage reached is beyond the project's advances the
project through the same lifecycle service as a manual advance, audited as coming from the report; never backwards;
a returned report moves nothing; the next computation of indicators sees the new stage."""

import datetime

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.indicators.queries import compute_indicators
from tadiao.projects.models import Project, Stage, StageTransition
from tadiao.reporting import services, views
from tadiao.reporting.models import MonthlyReport
from tests.conftest import login
from tests.factories import AnnualPlanFactory

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def period(coordinator):
    return services.open_period(month=NOV, by=coordinator)


@pytest.fixture
def signed(project_a):
    project_a.stage, project_a.signed_date = Stage.SIGNED, datetime.date(2026, 3, 1)
    project_a.save(update_fields=["stage", "signed_date"])
    AnnualPlanFactory(project=project_a, year=2026)
    return project_a


def _submitted(project, period, reporter, **data):
    report = services.save_report(
        project=project, period=period, data={"progress_text": "按计划推进", **data}, by=reporter, expected_version=None
    )
    return services.submit_report(report=report, by=reporter, expected_version=report.version)


def _review(client, report, decision, today, monkeypatch, reason=""):
    monkeypatch.setattr(views, "_today", lambda: today)
    return client.post(
        f"/reporting/reports/{report.pk}/review/",
        {"decision": decision, "version": report.version, "reason": reason},
        follow=True,
    ).content.decode()


def test_approval_advances_one_stage_with_the_reports_date(client, coordinator, reporter_a, period, signed,
                                                           monkeypatch):
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED,
                        stage_reached_date=datetime.date(2026, 11, 10))
    login(client, coordinator)
    body = _review(client, report, "approve", datetime.date(2026, 12, 3), monkeypatch)
    assert "项目已按月报从签约推进到立项（2026年11月10日）。" in body
    project = Project.objects.get(pk=signed.pk)
    assert (project.stage, project.approved_date) == (Stage.APPROVED, datetime.date(2026, 11, 10))
    transition = StageTransition.objects.get(project=project)
    assert (transition.kind, transition.from_stage, transition.to_stage, transition.reason, transition.by) == (
        StageTransition.Kind.ADVANCE, Stage.SIGNED, Stage.APPROVED, "2026年11月月报审核通过", coordinator
    )
    event = AuditEvent.objects.get(action="projects.project.stage_advanced")
    assert event.changes["stage"] == ["SIGNED", "APPROVED"]
    assert event.changes["source"] == [None, "2026年11月月报审核通过"]
    assert "skipped" not in event.changes
    assert MonthlyReport.objects.get(pk=report.pk).status == "APPROVED"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 12, 3), datetime.date(2026, 11, 30)),  # after the month: its last day
        (datetime.date(2026, 11, 20), datetime.date(2026, 11, 20)),  # within it: the approval day, not the future
    ],
)
def test_without_a_date_the_months_end_or_the_approval_day(client, coordinator, reporter_a, period, signed,
                                                           monkeypatch, today, expected):
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED)
    login(client, coordinator)
    _review(client, report, "approve", today, monkeypatch)
    assert Project.objects.get(pk=signed.pk).approved_date == expected


def test_a_skip_is_approved_with_the_reason_and_shown(client, coordinator, reporter_a, period, signed, monkeypatch):
    # 签约 → 开工 passes 立项 without its date (and the approvals required before start are not done): a reporter
    # could not do this by hand; the office's approval of the report is the decision, with the report as reason.
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.STARTED,
                        stage_reached_date=datetime.date(2026, 11, 8))
    login(client, coordinator)
    body = _review(client, report, "approve", datetime.date(2026, 12, 3), monkeypatch)
    assert "项目已按月报从签约推进到开工（2026年11月8日）；注意：立项没有实际日期" in body
    assert "alert alert-warning" in body
    project = Project.objects.get(pk=signed.pk)
    assert (project.stage, project.started_date, project.approved_date) == (
        Stage.STARTED, datetime.date(2026, 11, 8), None
    )
    assert StageTransition.objects.get(project=project).reason == "月报审核通过（2026年11月）"
    event = AuditEvent.objects.get(action="projects.project.stage_advanced")
    assert event.changes["skipped"][1].startswith("立项没有实际日期")
    assert event.message == "月报审核通过（2026年11月）"


def test_indicators_of_the_next_computation_see_the_new_stage(client, coordinator, reporter_a, period, signed,
                                                              monkeypatch):
    as_of = datetime.date(2026, 11, 30)
    scope = Project.objects.filter(pk=signed.pk)
    before = compute_indicators(scope, as_of=as_of, with_targets=False).counts_by_stage
    assert (before["SIGNED"], before["STARTED"]) == (1, 0)
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.STARTED,
                        stage_reached_date=datetime.date(2026, 11, 8))
    login(client, coordinator)
    _review(client, report, "approve", datetime.date(2026, 12, 3), monkeypatch)
    after = compute_indicators(scope, as_of=as_of, with_targets=False).counts_by_stage
    assert (after["SIGNED"], after["STARTED"]) == (0, 1)


def test_a_report_never_moves_a_project_backwards(client, coordinator, reporter_a, period, signed, monkeypatch):
    signed.stage, signed.approved_date = Stage.APPROVED, datetime.date(2026, 6, 1)
    signed.save(update_fields=["stage", "approved_date"])
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.SIGNED)
    login(client, coordinator)
    body = _review(client, report, "approve", datetime.date(2026, 12, 3), monkeypatch)
    assert "已审核通过" in body and "项目已按月报" not in body
    assert Project.objects.get(pk=signed.pk).stage == Stage.APPROVED
    assert not StageTransition.objects.exists()


def test_a_returned_report_moves_nothing(client, coordinator, reporter_a, period, signed, monkeypatch):
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED)
    login(client, coordinator)
    _review(client, report, "return", datetime.date(2026, 12, 3), monkeypatch, reason="请补充立项文号")
    assert Project.objects.get(pk=signed.pk).stage == Stage.SIGNED
    assert not StageTransition.objects.exists()


def test_an_impossible_date_refuses_the_approval_and_moves_nothing(client, coordinator, reporter_a, period, signed,
                                                                  monkeypatch):
    signed.signed_date = datetime.date(2026, 11, 15)
    signed.save(update_fields=["signed_date"])
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED,
                        stage_reached_date=datetime.date(2026, 11, 10))  # before the signing
    login(client, coordinator)
    body = _review(client, report, "approve", datetime.date(2026, 12, 3), monkeypatch)
    assert (
        "月报填报的达到阶段为立项，但项目不能据此推进：立项日期（2026-11-10）不能早于签约日期（2026-11-15）。" in body
    )
    assert "月报未审核通过。" in body
    assert MonthlyReport.objects.get(pk=report.pk).status == "SUBMITTED"
    assert Project.objects.get(pk=signed.pk).stage == Stage.SIGNED
    assert not AuditEvent.objects.filter(action="reporting.report.approved").exists()


def test_a_project_edited_meanwhile_does_not_fail_the_approval(client, coordinator, reporter_a, period, signed,
                                                               monkeypatch):
    report = _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED)
    # Someone saves the project after the office opened the report (its version moves on).
    Project.objects.filter(pk=signed.pk).update(content="补充建设内容", version=signed.version + 3)
    services.approve_report(report=report, by=coordinator, expected_version=report.version,
                            today=datetime.date(2026, 12, 3))
    project = Project.objects.get(pk=signed.pk)
    assert (project.stage, project.content, project.version) == (Stage.APPROVED, "补充建设内容", signed.version + 4)


def test_the_stage_date_is_checked_when_saved(reporter_a, period, signed):
    with pytest.raises(services.ReportingError, match="达到阶段日期不能晚于本月最后一天（2026年11月30日）"):
        _submitted(signed, period, reporter_a, stage_reached=Stage.APPROVED,
                   stage_reached_date=datetime.date(2026, 12, 1))
    with pytest.raises(services.ReportingError, match="请同时选择达到的阶段"):
        _submitted(signed, period, reporter_a, stage_reached="", stage_reached_date=datetime.date(2026, 11, 1))


def test_the_form_takes_the_stage_date(client, reporter_a, period, signed):
    login(client, reporter_a)
    url = f"/reporting/projects/{signed.pk}/2026-11/"
    assert 'name="stage_reached_date"' in client.get(url).content.decode()
    client.post(url, {"investment_completed": "10", "progress_text": "立项批复下达", "stage_reached": "APPROVED",
                      "stage_reached_date": "2026年11月10日"})
    assert MonthlyReport.objects.get(project=signed).stage_reached_date == datetime.date(2026, 11, 10)
