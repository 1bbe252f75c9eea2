"""Issue 15 ⑧: the ledger export carries the year's 1—N月累计 investment (submitted and approved reports, as the
indicators count it) and the latest 形象进度, read back from the .xlsx; it still imports back unchanged, and its
query count does not grow with the rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.projects.queries import ledger_months
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import login
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/projects/export.xlsx?year=2025"


def _report(project, month: D, amount: str, status: str, text: str = ""):
    period = Period.objects.get_or_create(month=month, defaults={"deadline": month.replace(day=25)})[0]
    MonthlyReport.objects.create(
        project=project, period=period, investment_completed=Decimal(amount), status=status, progress_text=text
    )


@pytest.fixture
def reported(unit_a, unit_b):
    p1 = ProjectFactory(name="甲：轴承智能工厂", unit=unit_a)
    p2 = ProjectFactory(name="乙：污水管网", unit=unit_a)
    p3 = ProjectFactory(name="丙：物流中心", unit=unit_b)
    for p in (p1, p2, p3):
        AnnualPlanFactory(project=p, year=2025, planned_investment=Decimal("1000"))
    _report(p1, D(2024, 12, 1), "50", "APPROVED", "场地平整")  # last year: not in 2025's 1—12月
    _report(p1, D(2025, 3, 1), "120.50", "APPROVED", "桩基施工")
    _report(p1, D(2025, 7, 1), "200", "SUBMITTED", "主体结构封顶")
    _report(p1, D(2025, 9, 1), "999", "DRAFT", "草稿不算")  # a draft counts nowhere
    _report(p1, D(2026, 1, 1), "77", "APPROVED", "次年的进度")  # after the export's year
    _report(p3, D(2025, 5, 1), "5", "APPROVED", "完成土方开挖")
    _report(p3, D(2025, 10, 1), "10", "RETURNED", "退回的不算")
    _report(p3, D(2025, 11, 1), "10", "APPROVED", "")  # no 形象进度 written: the earlier one is the latest
    return {"p1": p1, "p2": p2, "p3": p3}


def _sheet(content: bytes) -> list[dict]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("项目").to_python()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_carries_year_to_date_investment_and_latest_progress(client, coordinator, reported):
    login(client, coordinator)
    body = {row["项目名称"]: row for row in _sheet(client.get(URL).content)}
    ytd = "2025年1—12月累计完成投资（万元）"
    # 甲: 120.50 (3月, approved) + 200 (7月, submitted) = 320.50; the 2024, 2026 and draft reports left out.
    assert body["甲：轴承智能工厂"][ytd] == 320.5
    assert (body["甲：轴承智能工厂"]["最新形象进度"], body["甲：轴承智能工厂"]["形象进度月份"]) == (
        "主体结构封顶", "2025年7月",
    )
    # 乙: nothing reported.
    assert (body["乙：污水管网"][ytd], body["乙：污水管网"]["最新形象进度"], body["乙：污水管网"]["形象进度月份"]) == (
        0, "", "",
    )
    # 丙: 5 (5月) + 10 (11月) = 15; the returned October report is left out; November wrote no 形象进度.
    assert body["丙：物流中心"][ytd] == 15
    assert (body["丙：物流中心"]["最新形象进度"], body["丙：物流中心"]["形象进度月份"]) == ("完成土方开挖", "2025年5月")
    assert body["丙：物流中心"]["2025年计划投资（万元）"] == 1000


def test_the_current_year_counts_up_to_this_month():
    assert ledger_months(2026, today=D(2026, 11, 23)) == 11
    assert ledger_months(2025, today=D(2026, 11, 23)) == 12
    assert ledger_months(2027, today=D(2026, 11, 23)) == 0


def test_the_export_imports_back_unchanged(client, coordinator, reported, tmp_path):
    login(client, coordinator)
    path = tmp_path / "导出.xlsx"
    path.write_bytes(client.get(URL).content)
    out = io.StringIO()
    call_command("import_ledger", str(path), "--user", "coordinator", stdout=out)
    assert out.getvalue().strip() == "共 3 行：新增 0 个项目，更新 0 个，未变化 3 个。"


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(client, coordinator, reported, unit_a):
    # 7: session, user, unit, region, their tags and their "三个一批" entries (one query each over the filtered rows,
    # read into dicts), then the rows as values (the plan, the 1—N月 sum and the latest 形象进度 and its month as
    # subqueries).
    login(client, coordinator)
    at_n = _count(client)
    for i in range(6):
        project = ProjectFactory(unit=unit_a, name=f"新增项目{i}")
        AnnualPlanFactory(project=project, year=2025)
        _report(project, D(2025, 6, 1), "12", "APPROVED", "进场施工")
    assert at_n == _count(client) == 7
