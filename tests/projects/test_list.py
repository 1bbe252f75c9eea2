"""The project list: filters, sorting, pagination, Excel export of exactly the filtered rows, flat query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.projects.models import Category, Industry, Level, Stage, Tag
from tests.conftest import login
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(unit_a, unit_b):
    """Five projects whose differences each filter picks out."""
    steel = Industry.objects.get(name="高端装备制造")
    smart = Tag.objects.get(name="智能化改造")
    p1 = ProjectFactory(
        name="高端轴承智能工厂",
        unit=unit_a,
        level=Level.PROVINCIAL,
        industry=steel,
        total_investment=Decimal("120000"),
        stage=Stage.STARTED,
        started_date=datetime.date(2026, 3, 1),
        code="2026-330999-04-01-000001",
    )
    p1.tags.add(smart)
    p2 = ProjectFactory(
        name="东城污水处理厂提标",
        unit=unit_a,
        category=Category.ECOLOGY,
        total_investment=Decimal("9999.99"),
        stage=Stage.SIGNED,
        is_suspended=True,
        suspended_reason="环保",
    )
    p3 = ProjectFactory(
        name="西湖片区城市更新",
        unit=unit_b,
        category=Category.URBAN,
        level=Level.CITY,
        total_investment=Decimal("10000"),
        stage=Stage.STARTED,
        started_date=datetime.date(2026, 1, 10),
    )
    p4 = ProjectFactory(
        name="数字经济产业园",
        unit=unit_b,
        total_investment=Decimal("30000"),
        stage=Stage.RESERVE,
        is_cancelled=True,
        cancelled_reason="企业投资计划改变",
    )
    p5 = ProjectFactory(
        name="农旅融合示范区",
        unit=unit_b,
        category=Category.AGRICULTURE,
        stage=Stage.NEGOTIATING,
        investor="江苏某农业科技有限公司",
    )
    AnnualPlanFactory(project=p1, year=2026, planned_investment=Decimal("30000"))
    AnnualPlanFactory(project=p3, year=2025, planned_investment=Decimal("2000"))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


def _names(client, query=""):
    response = client.get(f"/projects/?{query}")
    assert response.status_code == 200
    return [p.name for p in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["p1", "p2", "p3", "p4", "p5"]),
        ("q=城市更新", ["p3"]),
        ("q=江苏某农业", ["p5"]),
        ("q=2026-330999", ["p1"]),
        ("level=PROVINCIAL", ["p1"]),
        ("category=ECOLOGY", ["p2"]),
        ("stage=STARTED", ["p1", "p3"]),
        ("tag=智能化改造", ["p1"]),
        ("tag=亿元以上", ["p1", "p3", "p4"]),  # ≥ 10 000 万元: 9 999.99 is not
        ("tag=10亿元以上", ["p1"]),
        ("year=2026", ["p1"]),
        ("year=2025", ["p3"]),
        ("status=suspended", ["p2"]),
        ("status=cancelled", ["p4"]),
        ("status=normal", ["p1", "p3", "p5"]),
        ("stage=STARTED&level=CITY", ["p3"]),
    ],
)
def test_filters(client, coordinator, ledger, query, expected):
    login(client, coordinator)
    assert sorted(_names(client, query)) == sorted(ledger[k].name for k in expected)


def test_unit_and_industry_filters(client, coordinator, ledger, unit_b):
    login(client, coordinator)
    assert sorted(_names(client, f"unit={unit_b.pk}")) == sorted(ledger[k].name for k in ("p3", "p4", "p5"))
    industry = ledger["p1"].industry_id
    assert _names(client, f"industry={industry}") == [ledger["p1"].name]


def test_the_unit_filter_offers_each_unit_escaped_and_keeps_the_choice(client, coordinator, ledger, unit_a, unit_b):
    unit_b.name = "<b>西城</b>街道"
    unit_b.save()
    login(client, coordinator)
    html = client.get(f"/projects/?unit={unit_b.pk}").content.decode()
    select = html[html.index('id="f-unit"'):]
    select = select[:select.index("</select>")]
    assert f'<option value="{unit_a.pk}">{unit_a.name}</option>' in select
    assert f'<option value="{unit_b.pk}" selected>&lt;b&gt;西城&lt;/b&gt;街道</option>' in select
    assert select.count(" selected") == 1


def test_bad_filter_values_are_ignored_and_said(client, coordinator, ledger):
    login(client, coordinator)
    response = client.get("/projects/?unit=abc&year=99999&level=NOPE")
    assert len(response.context["page"].object_list) == 5
    assert "已忽略无效的筛选条件" in response.content.decode()


def test_sorting(client, coordinator, ledger):
    login(client, coordinator)
    by_investment = _names(client, "sort=-investment")
    assert by_investment[:3] == [ledger["p1"].name, ledger["p4"].name, ledger["p3"].name]
    assert _names(client, "sort=-started")[:2] == [ledger["p1"].name, ledger["p3"].name]
    assert _names(client, "sort=started")[:2] == [ledger["p3"].name, ledger["p1"].name]


def test_pagination(client, coordinator, unit_a):
    ProjectFactory.create_batch(45, unit=unit_a)
    login(client, coordinator)
    first = client.get("/projects/")
    assert len(first.context["page"].object_list) == 20
    assert "共 45 个项目，第 1 / 3 页" in first.content.decode()
    third = client.get("/projects/?page=3")
    assert len(third.context["page"].object_list) == 5
    assert len(client.get("/projects/?per_page=50").context["page"].object_list) == 45


def test_export_holds_exactly_the_filtered_rows(client, coordinator, ledger):
    login(client, coordinator)
    response = client.get("/projects/export.xlsx?stage=STARTED&sort=-investment")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("项目").to_python()
    header = rows[0]
    assert header[:4] == ["序号", "项目名称", "项目代码", "责任单位"]
    body = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["项目名称"] for r in body] == [ledger["p1"].name, ledger["p3"].name]
    assert body[0]["总投资（万元）"] == 120000
    assert body[0]["开工日期"] in (datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1))
    assert body[0]["标签"] == "智能化改造"
    assert body[0]["项目级别"] == "省重点"


def test_export_keeps_formula_like_text_as_text(client, coordinator, unit_a):
    ProjectFactory(name='=HYPERLINK("x")项目', unit=unit_a)
    login(client, coordinator)
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(client.get("/projects/export.xlsx").content))
        .get_sheet_by_name("项目")
        .to_python()
    )
    assert rows[1][1] == '=HYPERLINK("x")项目'


def _make_projects(n, units):
    tag = Tag.objects.get(name="智能化改造")
    for i in range(n):
        project = ProjectFactory(unit=units[i % 2])
        project.tags.add(tag)
        AnnualPlanFactory(project=project, year=2026)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# List (13): session, user, the user's unit and region (the scope), count, the filter bar's units, industries and
# tags, the page's rows (units, leaders, industries joined; the year's plan as a subquery), the page's tags
# (prefetch), then the lights of the page's rows only: the warning rules, the reporting settings, the lights.
# Export (7): session, user, unit, region, the rows' tags and their "三个一批" entries with the batches joined (one
# query each over the filtered rows, whatever their number), the rows as values.
@pytest.mark.parametrize("url,queries", [("/projects/?per_page=100", 13), ("/projects/export.xlsx", 7)])
def test_query_count_does_not_grow_with_rows(client, coordinator, unit_a, unit_b, url, queries):
    login(client, coordinator)
    _make_projects(10, [unit_a, unit_b])
    at_n = _count_queries(client, url)
    _make_projects(10, [unit_a, unit_b])
    at_2n = _count_queries(client, url)
    assert at_n == at_2n == queries
