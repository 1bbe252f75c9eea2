"""Closing a month (关账), issue 15: a summary by unit first, a reason when anything is outstanding or the deadline
has not passed, the snapshot taken on the day of closing, and no 填报 links once the month is closed.

December 2026, deadline the 25th. 东城镇 (unit_a) owes three reports: one approved, one draft, one missing;
西湖街道 (unit_b) owes two: one submitted, one returned. Closing on 3 December: 22 days before the deadline,
4 of 5 reports outstanding, in 2 units.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.bulletins import queries as bulletin_queries
from tadiao.bulletins import services as bulletins
from tadiao.coordination.models import Status
from tadiao.indicators.models import Snapshot
from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import login
from tests.coordination.conftest import make_problem
from tests.factories import AnnualPlanFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date
MONTH = "2026-12"


@pytest.fixture
def on_day(monkeypatch):
    """Set the reporting pages' today."""

    def set_day(day: datetime.date) -> datetime.date:
        monkeypatch.setattr("tadiao.reporting.views._today", lambda: day)
        return day

    return set_day


@pytest.fixture
def december(coordinator):
    return services.open_period(month=D(2026, 12, 1), by=coordinator)


def _owed(unit, name):
    project = ProjectFactory(unit=unit, name=name)
    AnnualPlanFactory(project=project, year=2026)
    return project


def _report(project, period, by, status):
    report = services.save_report(
        project=project, period=period, data={"progress_text": "施工中"}, by=by, expected_version=None
    )
    if status != "DRAFT":
        MonthlyReport.objects.filter(pk=report.pk).update(status=status)
    return report


@pytest.fixture
def reports(december, unit_a, unit_b, reporter_a, reporter_b):
    a1, a2, a3 = (_owed(unit_a, f"东城项目{n}") for n in (1, 2, 3))
    b1, b2 = (_owed(unit_b, f"西湖项目{n}") for n in (1, 2))
    _report(a1, december, reporter_a, "APPROVED")
    _report(a2, december, reporter_a, "DRAFT")
    _report(b1, december, reporter_b, "SUBMITTED")
    _report(b2, december, reporter_b, "RETURNED")
    return {"approved": a1, "draft": a2, "missing": a3, "submitted": b1, "returned": b2}


def _cells(body: str, unit_name: str) -> list[str]:
    row = re.search(rf"<tr[^>]*><td>{unit_name}</td>(.*?)</tr>", body, re.S).group(1)
    return re.findall(r'<td class="num">(\d+)</td>', row)


def test_closing_shows_the_summary_by_unit_and_the_days_to_the_deadline(client, coordinator, reports, on_day):
    on_day(D(2026, 12, 3))
    login(client, coordinator)
    listing = client.get(f"/reporting/?month={MONTH}").content.decode()
    assert 'id="close-link"' in listing  # the list links to the summary; closing is not one click any more
    period = Period.objects.get(month=D(2026, 12, 1))
    body = client.get(f"/reporting/periods/{period.pk}/close/").content.decode()
    # columns: 应报, 审核通过, 已报送待审核, 草稿未报送, 已退回未重报, 未填报, 未完成
    assert _cells(body, "东城镇") == ["3", "1", "0", "1", "0", "1", "2"]
    assert _cells(body, "西湖街道") == ["2", "0", "1", "0", "1", "0", "2"]
    assert "应报月报 <strong>5</strong> 份：审核通过 <strong>1</strong> 份" in body
    assert "距截止还有 <strong class=\"text-danger\">22</strong> 天" in body
    assert "填报截止日期尚未到（还有22天）；还有4份月报未审核通过（涉及2个单位）" in body
    assert 'id="snapshot-as-of">2026年12月3日<' in body
    assert Period.objects.get(pk=period.pk).status == "OPEN"  # showing the summary changes nothing


def test_confirming_without_a_reason_is_refused_while_reports_are_outstanding(client, coordinator, reports, on_day):
    on_day(D(2026, 12, 3))
    login(client, coordinator)
    period = Period.objects.get(month=D(2026, 12, 1))
    response = client.post(f"/reporting/periods/{period.pk}/close/", {"reason": "  "})
    body = response.content.decode()
    assert response.status_code == 200
    assert "还有4份月报未审核通过（涉及2个单位）。确需现在关账，请填写关账原因。" in body
    assert Period.objects.get(pk=period.pk).status == "OPEN"
    assert not Snapshot.objects.exists()
    assert not AuditEvent.objects.filter(action="reporting.period.closed").exists()


def test_confirming_with_a_reason_closes_audits_and_dates_the_snapshot_the_day_of_closing(
    client, coordinator, reports, on_day
):
    on_day(D(2026, 12, 3))
    login(client, coordinator)
    period = Period.objects.get(month=D(2026, 12, 1))
    response = client.post(f"/reporting/periods/{period.pk}/close/", {"reason": "年底提前调度，市里要求12月3日报数"},
                           follow=True)
    assert "2026年12月已关账" in response.content.decode()
    period.refresh_from_db()
    assert (period.status, period.close_reason) == ("CLOSED", "年底提前调度，市里要求12月3日报数")
    event = AuditEvent.objects.get(action="reporting.period.closed")
    assert event.message == "年底提前调度，市里要求12月3日报数"
    assert event.changes["as_of"] == [None, "2026-12-03"]
    assert event.changes["days_to_deadline"] == [None, 22]
    assert event.changes["reports_outstanding"] == [None, 4]
    assert Snapshot.objects.get(period=period).as_of == D(2026, 12, 3)


def test_no_reason_is_needed_after_the_deadline_with_every_report_approved(client, coordinator, december, unit_a,
                                                                            reporter_a, on_day):
    _report(_owed(unit_a, "东城项目"), december, reporter_a, "APPROVED")
    on_day(D(2027, 1, 4))
    login(client, coordinator)
    body = client.get(f"/reporting/periods/{december.pk}/close/").content.decode()
    assert "（已过截止日期 10 天）" in body and 'id="close-warning"' not in body
    client.post(f"/reporting/periods/{december.pk}/close/", {"reason": ""})
    assert Period.objects.get(pk=december.pk).status == "CLOSED"
    # Closed after the month's end: the snapshot is as of the month's last day.
    assert Snapshot.objects.get(period=december).as_of == D(2026, 12, 31)


def test_a_reason_is_needed_before_the_deadline_even_with_nothing_outstanding(coordinator, december):
    with pytest.raises(services.ReportingError, match=r"填报截止日期尚未到（还有5天）。确需现在关账"):
        services.close_period(period=december, by=coordinator, today=D(2026, 12, 20))
    with pytest.raises(services.ReportingError, match="尚未开始"):
        services.close_period(period=december, by=coordinator, today=D(2026, 11, 30), reason="提前")


def test_the_bulletin_of_a_month_closed_on_3_december_calls_no_later_deadline_overdue(
    client, coordinator, project_a, december, on_day
):
    """The issue's case: a problem due on 24 December was called 已超期7天 (counted to 31 December)."""
    dept = UnitFactory(name="市自然资源局", display_order=5)
    make_problem(project_a, dept, title="用地指标", raised=D(2026, 11, 20), deadline=D(2026, 12, 24),
                 status=Status.IN_PROGRESS)
    make_problem(project_a, dept, title="电力增容", raised=D(2026, 11, 10), deadline=D(2026, 12, 1),
                 status=Status.IN_PROGRESS)
    on_day(D(2026, 12, 3))
    login(client, coordinator)
    client.post(f"/reporting/periods/{december.pk}/close/", {"reason": "提前关账"})
    snapshot = Snapshot.objects.get(period=december)
    assert snapshot.as_of == D(2026, 12, 3)
    # Only 电力增容 is overdue on 3 December: 2 days (1 December → 3 December).
    assert [(p["title"], p["days_overdue"]) for p in snapshot.data["problems"]["overdue"]] == [("电力增容", 2)]

    december.refresh_from_db()
    bulletin = bulletins.create_bulletin(period=december, by=coordinator, today=D(2026, 12, 4))
    text = "\n".join(s["text"] for s in bulletin.sections)
    assert "截至2026年12月3日" in text
    assert "电力增容（牵头单位市自然资源局，办理时限2026年12月1日，已超期2天）" in text
    assert "用地指标" not in text and "已超期7天" not in text
    content = bulletin_queries.content_for(bulletin, bulletin_queries.office_settings())
    assert content["as_of_text"] == "2026年12月3日"


def test_a_closed_month_shows_no_fill_in_links(client, coordinator, reporter_a, leader, december, unit_a, on_day):
    filed, missing = _owed(unit_a, "东城已报项目"), _owed(unit_a, "东城未报项目")
    report = _report(filed, december, reporter_a, "DRAFT")
    on_day(D(2026, 12, 28))
    login(client, reporter_a)
    # Open: the reporter sees 填报 for the missing report and 修改 for the draft (so the check below can fail).
    body = client.get(f"/reporting/?month={MONTH}").content.decode()
    assert f'href="/reporting/projects/{missing.pk}/{MONTH}/">填报</a>' in body
    assert f'href="/reporting/projects/{filed.pk}/{MONTH}/">修改</a>' in body
    services.close_period(period=december, by=coordinator, today=D(2026, 12, 28), reason="测试关账")
    for user in (reporter_a, coordinator, leader):
        login(client, user)
        body = client.get(f"/reporting/?month={MONTH}").content.decode()
        assert ">填报</a>" not in body and ">修改</a>" not in body, user
        assert f"/reporting/projects/{missing.pk}/{MONTH}/" not in body
        assert f'href="/reporting/projects/{filed.pk}/{MONTH}/">查看</a>' in body
        home = client.get("/", follow=True).content.decode()
        assert f"/reporting/projects/{missing.pk}/{MONTH}/" not in home
    # The form of a closed month is read-only: no buttons, the fields disabled, a save refused.
    login(client, reporter_a)
    url = f"/reporting/projects/{filed.pk}/{MONTH}/"
    body = client.get(url).content.decode()
    assert "<fieldset disabled>" in body and "保存草稿" not in body and "本月已关账" in body
    response = client.post(url, {"investment_completed": "1", "progress_text": "改", "version": report.version})
    assert "已关账" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).progress_text == "施工中"


def test_only_the_coordinator_sees_or_confirms_the_summary(client, reporter_a, leader, december):
    for user in (reporter_a, leader):
        login(client, user)
        assert client.get(f"/reporting/periods/{december.pk}/close/").status_code == 403
        assert client.post(f"/reporting/periods/{december.pk}/close/", {"reason": "x"}).status_code == 403
    assert Period.objects.get(pk=december.pk).status == "OPEN"


# Summary page (6): session, user, the period, the counts grouped by unit and report status (one query with a
# subquery), those units, the user's unit (the header). The same at N and 2N units and projects.
def test_summary_query_count_is_flat_in_units_and_projects(client, coordinator, december, region, on_day):
    on_day(D(2026, 12, 3))
    login(client, coordinator)

    def add(n):
        for _ in range(n):
            unit = UnitFactory(region=region)
            for status in ("APPROVED", "SUBMITTED", None):
                project = _owed(unit, f"项目{status}")
                if status:
                    _report(project, december, coordinator, status)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reporting/periods/{december.pk}/close/").status_code == 200
        return len(ctx.captured_queries)

    add(4)
    assert count() == 6
    add(4)
    assert count() == 6


def test_awaiting_review_count_for_the_coordinator(client, coordinator, reporter_a, reports):
    login(client, coordinator)
    body = client.get(f"/reporting/?month={MONTH}").content.decode()
    assert re.search(r'id="awaiting-review"[^>]*>待审核 1 份<', body)
    login(client, reporter_a)
    assert "待审核" not in client.get(f"/reporting/?month={MONTH}").content.decode()
