"""Issue 15, point 4: returning, approving and reopening tell the unit's reporters — in the message centre and
through the channels configured for that kind — and nobody else."""

import datetime

import pytest

from tadiao.notifications.models import Channel, Message, Outbox
from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport
from tests.conftest import login
from tests.factories import AnnualPlanFactory, UserFactory

pytestmark = pytest.mark.django_db
MONTH = "2026-11"


@pytest.fixture
def period(coordinator):
    return services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)


@pytest.fixture
def submitted(period, project_a, reporter_a):
    AnnualPlanFactory(project=project_a, year=2026)
    report = services.save_report(
        project=project_a, period=period, data={"progress_text": "主体封顶"}, by=reporter_a, expected_version=None
    )
    return services.submit_report(report=report, by=reporter_a, expected_version=report.version)


@pytest.fixture
def second_reporter_a(unit_a):
    return UserFactory(username="reporter_a2", full_name="孙填报", unit=unit_a, is_reporter=True)


@pytest.fixture
def channels(unit_a, unit_b):
    """A robot for report returns, one for every kind but only 西湖街道, and an e-mail list for problems only."""
    returns = Channel.objects.create(
        type=Channel.Type.DINGTALK, name="月报退回群", webhook_url="http://127.0.0.1:9/robot/send",
        kinds=["REPORT_RETURNED"],
    )
    west = Channel.objects.create(type=Channel.Type.WECOM, name="西湖街道群", webhook_url="http://127.0.0.1:9/x")
    west.units.set([unit_b])
    problems = Channel.objects.create(
        type=Channel.Type.EMAIL, name="问题邮箱", email_recipients="office@example.com", kinds=["ASSIGNED"]
    )
    return {"returns": returns, "west": west, "problems": problems}


def test_a_return_tells_the_units_reporters_with_project_month_and_reason(
    client, coordinator, reporter_a, second_reporter_a, reporter_b, submitted, channels
):
    login(client, coordinator)
    client.post(
        f"/reporting/reports/{submitted.pk}/review/",
        {"decision": "return", "reason": "本月完成投资与形象进度不符，请核实", "version": submitted.version},
    )
    assert MonthlyReport.objects.get(pk=submitted.pk).status == "RETURNED"
    messages = Message.objects.filter(kind="REPORT_RETURNED")
    assert sorted(m.user.username for m in messages) == ["reporter_a", "reporter_a2"]
    message = messages.first()
    assert message.title == "月报被退回：东城镇智能装备产业园（2026年11月）"
    assert "退回原因：本月完成投资与形象进度不符，请核实。" in message.body
    assert message.link == f"/reporting/projects/{submitted.project_id}/{MONTH}/"
    assert not Message.objects.filter(user__in=[reporter_b, coordinator]).exists()
    # Outbox: the robot for returns carries it; 西湖街道's robot and the problems-only mailbox do not.
    [row] = Outbox.objects.all()
    assert (row.channel, row.kind, row.title) == (channels["returns"], "REPORT_RETURNED", message.title)
    # The reporter sees it in the message centre.
    login(client, reporter_a)
    assert "月报被退回：东城镇智能装备产业园（2026年11月）" in client.get("/notifications/").content.decode()


def test_an_approval_tells_the_units_reporters(client, coordinator, reporter_a, reporter_b, submitted, channels):
    channels["returns"].kinds = ["REPORT_RETURNED", "REPORT_APPROVED"]
    channels["returns"].save()
    login(client, coordinator)
    client.post(f"/reporting/reports/{submitted.pk}/review/", {"decision": "approve", "version": submitted.version})
    [message] = Message.objects.filter(kind="REPORT_APPROVED")
    assert message.user == reporter_a
    assert message.title == "月报审核通过：东城镇智能装备产业园（2026年11月）"
    assert [r.channel for r in Outbox.objects.all()] == [channels["returns"]]


def test_returning_an_approved_report_says_it_is_reopened(client, coordinator, reporter_a, submitted):
    report = services.approve_report(report=submitted, by=coordinator, expected_version=submitted.version)
    login(client, coordinator)
    client.post(
        f"/reporting/reports/{report.pk}/review/",
        {"decision": "return", "reason": "补充现场照片", "version": report.version},
    )
    message = Message.objects.get(kind="REPORT_RETURNED")
    assert "（已审核通过的月报重新退回修改）" in message.body and "补充现场照片" in message.body


def test_reopening_a_month_tells_the_reporters_of_the_units_that_owe_reports(
    client, coordinator, reporter_a, reporter_b, submitted, period, channels
):
    services.close_period(period=period, by=coordinator, today=datetime.date(2026, 12, 1), reason="按期关账")
    channels["returns"].kinds = ["REPORT_REOPENED"]
    channels["returns"].save()
    login(client, coordinator)
    client.post(f"/reporting/periods/{period.pk}/reopen/", {"reason": "东城镇补报开工日期"})
    # Only 东城镇 owes a report this month (西湖街道 has no project in the 2026 plan).
    [message] = Message.objects.filter(kind="REPORT_REOPENED")
    assert message.user == reporter_a
    assert message.title == "2026年11月月度填报已重新开账"
    assert "原因：东城镇补报开工日期" in message.body
    assert [r.channel for r in Outbox.objects.all()] == [channels["returns"]]


def test_a_refused_return_sends_nothing(client, coordinator, submitted, channels):
    login(client, coordinator)
    client.post(f"/reporting/reports/{submitted.pk}/review/", {"decision": "return", "reason": "",
                                                               "version": submitted.version})
    assert not Message.objects.exists() and not Outbox.objects.exists()
