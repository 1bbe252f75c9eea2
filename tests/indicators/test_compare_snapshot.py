"""Comparing with ANY closed month, not only the last one (issue 15, point 8): the indicator overview, the
驾驶舱 and the three work items offer every closed month's snapshot; the default stays 上期."""

import datetime

import pytest

from tadiao.projects.models import Stage
from tadiao.reporting import services as reporting
from tests.attraction.conftest import make_trip
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def closed_months(coordinator, unit_a, unit_b, office_unit):
    """All signed in 2025 (no 2026 signings). January closed with nothing started and no trip; March closed with
    1 of 3 started and 东城镇's February trip; then in May a fourth project starts and 西湖街道 makes its first trip."""
    ProjectFactory(unit=unit_a, stage=Stage.STARTED, signed_date=D(2025, 12, 1), started_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_a, stage=Stage.SIGNED, signed_date=D(2025, 11, 2))
    ProjectFactory(unit=unit_b, stage=Stage.SIGNED, signed_date=D(2025, 11, 3))
    make_trip(unit_a, D(2026, 2, 10))
    for month in (1, 3):
        period = reporting.open_period(month=D(2026, month, 1), by=coordinator)
        # Closed on the 1st of the next month: the snapshot is as of the month's end (reports are missing: a reason).
        reporting.close_period(period=period, by=coordinator, today=D(2026, month + 1, 1), reason="测试关账")
    ProjectFactory(unit=unit_b, stage=Stage.STARTED, signed_date=D(2025, 11, 5), started_date=D(2026, 5, 6))
    make_trip(unit_b, D(2026, 5, 20))


def _start_rate_points(response) -> str | None:
    return next(r["points"] for r in response.context["rows"] if r["rate"].code == "start_rate")


def test_overview_compares_with_the_chosen_month(client, coordinator, closed_months):
    login(client, coordinator)
    # By hand, 30 June: 2 of 4 started = 50.00%. March's snapshot: 1 of 3 = 33.33% → +16.67 points (上期, default);
    # January's: 0 of 3 = 0.00% → +50.00 points.
    response = client.get("/indicators/?as_of=2026-06-30")
    assert _start_rate_points(response) == "16.67"
    body = response.content.decode()
    assert '<option value="2026-03">2026年3月</option>' in body and '<option value="2026-01">2026年1月</option>' in body
    assert "较上期</th>" in body
    response = client.get("/indicators/?as_of=2026-06-30&compare=2026-01")
    assert _start_rate_points(response) == "50.00"
    body = response.content.decode()
    assert '<option value="2026-01" selected>2026年1月</option>' in body
    assert "（较 2026年1月 快照）" in body and "较2026年1月</th>" in body
    # A month never closed: said so, nothing compared.
    response = client.get("/indicators/?as_of=2026-06-30&compare=2026-02")
    assert _start_rate_points(response) is None
    assert "2026年2月尚未关账，没有快照可比较。" in response.content.decode()


def test_dashboard_compares_with_the_chosen_month(client, coordinator, closed_months, unit_a, unit_b):
    login(client, coordinator)
    response = client.get("/dashboard/?as_of=2026-06-30&compare=2026-01")
    figures = {f["label"]: f["change"] for f in response.context["figures"]}
    assert figures["开工率"] == "50.00"
    body = response.content.decode()
    assert "变化较 2026年1月 快照" in body and '<option value="2026-01" selected>' in body
    # 零的突破 against January: both towns were blank then and are not now (against March only 西湖街道).
    assert [u.name for u in response.context["attraction"]["broke_zero"]] == ["东城镇", "西湖街道"]
    response = client.get("/dashboard/?as_of=2026-06-30")
    assert {f["label"]: f["change"] for f in response.context["figures"]}["开工率"] == "16.67"
    assert [u.name for u in response.context["attraction"]["broke_zero"]] == ["西湖街道"]


def test_work_items_compare_with_the_chosen_month(client, coordinator, closed_months):
    login(client, coordinator)
    url = "/attraction/work-items/?start=2026-01-01&end=2026-06-30"
    response = client.get(url)
    assert [u.name for u in response.context["standing"]["broke_zero"]] == ["西湖街道"]
    assert "实现零的突破（较2026年3月快照）" in response.content.decode()
    response = client.get(url + "&compare=2026-01")
    assert [u.name for u in response.context["standing"]["broke_zero"]] == ["东城镇", "西湖街道"]
    body = response.content.decode()
    assert "实现零的突破（较2026年1月快照）" in body and '<option value="2026-01" selected>' in body
    response = client.get(url + "&compare=2026-02")
    assert "2026年2月尚未关账，没有快照可比较。" in response.content.decode()


def test_bulletin_compares_with_the_chosen_month(client, coordinator, closed_months):
    from tadiao.audit.models import AuditEvent
    from tadiao.bulletins.models import Bulletin
    from tadiao.reporting.models import Period

    june = reporting.open_period(month=D(2026, 6, 1), by=coordinator)
    reporting.close_period(period=june, by=coordinator, today=D(2026, 7, 1), reason="测试关账")
    january, march = Period.objects.get(month=D(2026, 1, 1)), Period.objects.get(month=D(2026, 3, 1))
    login(client, coordinator)
    page = client.get("/bulletins/").content.decode()
    assert '<select class="form-select form-select-sm" id="id_compare_to" name="compare_to">' in page
    # June: 2 projects started. Against January's snapshot (0 started) +2; against 上期, March (1 started), +1.
    client.post("/bulletins/new/", {"period": june.pk, "compare_to": january.pk})
    bulletin = Bulletin.objects.get()
    overall = bulletin.section_text("overall")
    assert "已开工（含竣工、投产、达产）项目2个，较2026年1月增加2个" in overall and "上期" not in overall
    assert bulletin.drafted["compared_to"] == {"month": "2026-01-01", "label": "2026年1月"}
    assert AuditEvent.objects.get(action="bulletins.bulletin.created").changes["compared_to"] == "2026年1月"
    # Redrafting keeps the chosen month.
    client.post(f"/bulletins/{bulletin.pk}/redraft/", {"version": bulletin.version})
    bulletin.refresh_from_db()
    assert "较2026年1月增加2个" in bulletin.section_text("overall")
    # The default is still 上期; a month not before the bulletin's is refused in Chinese.
    client.post("/bulletins/new/", {"period": june.pk})
    assert "项目2个，较上期增加1个" in Bulletin.objects.latest("id").section_text("overall")
    response = client.post("/bulletins/new/", {"period": march.pk, "compare_to": june.pk}, follow=True)
    assert "比较的月份应早于通报月份。" in response.content.decode()
    assert Bulletin.objects.count() == 2


def test_a_unit_is_compared_with_its_own_snapshot_figures(client, coordinator, reporter_b, closed_months, unit_a):
    # 西湖街道 in March: 0 of 1 started (0.00%); on 30 June 1 of 2 (50.00%) → +50.00 points, not the region's +16.67.
    login(client, reporter_b)
    response = client.get("/indicators/?as_of=2026-06-30")
    assert _start_rate_points(response) == "50.00"
    assert response.context["changes"]["counts_by_stage"] == {}  # no stage counts per unit in a snapshot
    response = client.get("/dashboard/?as_of=2026-06-30")
    assert {f["label"]: f["change"] for f in response.context["figures"]}["开工率"] == "50.00"
    # 东城镇 chosen by the coordinator: 1 of 2 in March and in June → 0.00 points.
    login(client, coordinator)
    assert _start_rate_points(client.get(f"/indicators/?as_of=2026-06-30&unit={unit_a.pk}")) == "0.00"
    # A level filter has no counterpart in the snapshot: no change shown, and why.
    response = client.get("/indicators/?as_of=2026-06-30&level=COUNTY")
    assert _start_rate_points(response) is None
    assert "按级别、类别、产业、标签或三个一批筛选时，不显示与快照相比的变化" in response.content.decode()
    response = client.get("/dashboard/?as_of=2026-06-30&level=COUNTY")
    assert all(f["change"] is None for f in response.context["figures"])
