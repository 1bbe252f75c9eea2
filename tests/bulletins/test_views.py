"""The five lists' pages and exports: the three standard actors, filters, sorting, pagination, the .xlsx read back,
and flat query counts."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.bulletins.queries import LISTS
from tadiao.projects.models import Level, Stage, Tag
from tests.bulletins.conftest import WINDOW, A, d, report
from tests.conftest import login
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db

AS_OF = "as_of=2026-11-23"
KEYS = ["signed-not-started", "to-start", "under-construction", "to-complete", "smart-upgrade"]


def _names(client, key, query=""):
    response = client.get(f"/bulletins/lists/{key}/?{AS_OF}&{WINDOW}&{query}")
    assert response.status_code == 200
    return [p.name for p in response.context["page"].object_list]


def _expected(county, *keys):
    return [county[k].name for k in keys]


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


# A row's name cell: the project link, then the flag badge if any (终止 before 停工, as the template writes it).
ROW_NAME = re.compile(r'<td><a href="/projects/\d+/">([^<]+)</a>\s*(?:<span class="badge [^"]+">([^<]+)</span>)?</td>')


def _badges(html):
    """[(project name, badge or "")] of the page's rows, in order."""
    return ROW_NAME.findall(html)


def _read(response, sheet):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name(sheet).to_python()
    return [[_as_date(cell) for cell in row] for row in rows]


# --- access: the three standard actors, and the roles that read no business data -----------------------------


@pytest.mark.parametrize("key", KEYS)
def test_owning_reporter_sees_only_its_unit(client, county, reporter_a, key):
    login(client, reporter_a)
    expected = {
        "signed-not-started": ["p1", "p3", "p4"],
        "to-start": ["p1", "p4", "p5"],
        "under-construction": ["p7", "p10"],
        "to-complete": ["p6", "p7", "p10"],
        "smart-upgrade": ["p1", "p4"],
    }[key]
    assert _names(client, key) == _expected(county, *expected)


@pytest.mark.parametrize("key", KEYS)
def test_leader_reads_the_region(client, county, leader, key):
    login(client, leader)
    expected = {
        "signed-not-started": ["p1", "p3", "p4"],
        "to-start": ["p1", "p4", "p5"],
        "under-construction": ["p7", "p10", "p2", "p9"],  # unit order: 东城镇 before 西湖街道
        "to-complete": ["p6", "p7", "p10", "p9"],
        "smart-upgrade": ["p1", "p4", "p9"],
    }[key]
    assert _names(client, key) == _expected(county, *expected)


def test_other_units_reporter_sees_none_of_unit_a(client, county, reporter_b, unit_a):
    login(client, reporter_b)
    assert _names(client, "under-construction") == _expected(county, "p2", "p9")
    assert _names(client, "under-construction", f"unit={unit_a.pk}") == []
    assert _names(client, "signed-not-started") == []
    rows = _read(client.get(f"/bulletins/lists/smart-upgrade/export.xlsx?{AS_OF}"), "智能化改造项目")
    assert [r[1] for r in rows[2:]] == _expected(county, "p9")
    index = client.get(f"/bulletins/lists/?{AS_OF}&{WINDOW}")
    assert [count for _, count in index.context["lists"]] == [0, 0, 2, 1, 1]


@pytest.mark.parametrize(
    "url", ["/bulletins/lists/", "/bulletins/lists/to-start/", "/bulletins/lists/to-start/export.xlsx"]
)
@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_are_refused(client, county, request, actor, url):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, county):
    response = client.get("/bulletins/lists/to-start/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_list_is_404(client, coordinator):
    login(client, coordinator)
    assert client.get("/bulletins/lists/nope/").status_code == 404
    assert client.get("/bulletins/lists/nope/export.xlsx").status_code == 404


# --- the index --------------------------------------------------------------------------------------------------


def test_index_counts_and_links(client, county, coordinator):
    login(client, coordinator)
    response = client.get(f"/bulletins/lists/?{AS_OF}&{WINDOW}")
    assert response.status_code == 200
    assert [(spec.key, count) for spec, count in response.context["lists"]] == list(
        zip(KEYS, [3, 3, 4, 4, 3], strict=True)
    )
    html = response.content.decode()
    assert f'href="/bulletins/lists/to-start/?{AS_OF}&amp;from=2026-11-01&amp;to=2026-12-31"' in html
    assert "计划开工日期在所选时间窗口内" in html
    # Every list's definition says that suspended and cancelled projects stay in, marked; none leaves them out.
    assert html.count("停工、终止项目仍列入，分别标明停工、终止。") == 5
    assert "除外" not in html


def test_index_default_window_is_the_as_of_year(client, county, coordinator):
    login(client, coordinator)
    response = client.get(f"/bulletins/lists/?{AS_OF}")
    # to-start over the whole of 2026 adds p3 (planned 10-31); to-complete adds nothing (p8 plans producing 2027).
    assert [count for _, count in response.context["lists"]] == [3, 4, 4, 4, 3]


# --- a list page: filters, sorting, definition, pagination -----------------------------------------------------


def test_page_shows_title_definition_and_figures(client, county, coordinator):
    login(client, coordinator)
    html = client.get(f"/bulletins/lists/signed-not-started/?{AS_OF}").content.decode()
    assert "签约未开工项目清单（截至2026年11月23日）" in html
    assert "签约日期在截至日期当天或之前" in html
    assert "8,000.00" in html and "300.75" in html and "桩基施工准备" in html
    assert "李明（副市长）" in html and "2026年5月10日" in html
    html = client.get(f"/bulletins/lists/to-start/?{AS_OF}&{WINDOW}").content.decode()
    assert "计划开工项目清单（2026年11月1日—2026年12月31日，截至2026年11月23日）" in html
    html = client.get(f"/bulletins/lists/smart-upgrade/?{AS_OF}").content.decode()
    assert "不论所处阶段；停工、终止项目仍列入，分别标明停工、终止。" in html
    assert _badges(html) == [("高端轴承智能工厂", ""), ("数字经济产业园", "终止"), ("纺织印染数字化车间", "")]


# Every list's rows in default order (unit, then id) with the mark each one carries: the cancelled p4 and p10
# stay where they were, marked 终止, and the suspended p7 is marked 停工 — on the page and in the export.
MARKED = {
    "signed-not-started": [("p1", "正常"), ("p3", "正常"), ("p4", "终止")],
    "to-start": [("p1", "正常"), ("p4", "终止"), ("p5", "正常")],
    "under-construction": [("p7", "停工"), ("p10", "终止"), ("p2", "正常"), ("p9", "正常")],
    "to-complete": [("p6", "正常"), ("p7", "停工"), ("p10", "终止"), ("p9", "正常")],
    "smart-upgrade": [("p1", "正常"), ("p4", "终止"), ("p9", "正常")],
}


@pytest.mark.parametrize("key", KEYS)
def test_page_marks_cancelled_and_suspended(client, county, coordinator, key):
    login(client, coordinator)
    html = client.get(f"/bulletins/lists/{key}/?{AS_OF}&{WINDOW}").content.decode()
    badge = {"正常": "", "停工": "停工", "终止": "终止"}
    assert _badges(html) == [(county[p].name, badge[mark]) for p, mark in MARKED[key]]
    assert html.count('<span class="badge text-bg-secondary ms-1">终止</span>') == 1


@pytest.mark.parametrize("key", KEYS)
def test_export_marks_cancelled_and_suspended(client, county, coordinator, key):
    login(client, coordinator)
    rows = _read(client.get(f"/bulletins/lists/{key}/export.xlsx?{AS_OF}&{WINDOW}"), LISTS[key].title)
    column = 7 if key == "smart-upgrade" else 6  # after 当前阶段 where the list has it
    assert rows[1][column] == "项目状态"
    assert [(r[1], r[column]) for r in rows[2:]] == [(county[p].name, mark) for p, mark in MARKED[key]]


@pytest.mark.parametrize(
    "key,query,expected",
    [
        ("signed-not-started", "level=PROVINCIAL", ["p1"]),
        ("signed-not-started", "q=中试", ["p3"]),
        ("to-start", "from=2026-11-02", ["p1"]),
        ("to-start", "to=2026-12-30", ["p4", "p5"]),  # both planned 11-01; p1 (12-31) falls out
        ("under-construction", "sort=-completed", ["p2", "p9", "p7", "p10"]),  # 1 200.00, 1 000.30, then 0 by id
        ("under-construction", "sort=-investment", ["p2", "p7", "p9", "p10"]),  # 12 345.67, then 5 000 by id
        ("under-construction", "sort=name", ["p7", "p10", "p9", "p2"]),  # 东 U+4E1C, 农 U+519C, 纺 U+7EBA, 西 U+897F
        ("to-complete", "sort=date", ["p6", "p7", "p10", "p9"]),  # planned completion 10-31, 11-01, 12-01, 12-31
        ("smart-upgrade", "sort=-planned", ["p1", "p9", "p4"]),  # 8 000, 3 000, none last
    ],
)
def test_filters_and_sorting(client, county, coordinator, key, query, expected):
    login(client, coordinator)
    assert _names(client, key, query) == _expected(county, *expected)


def test_unit_filter(client, county, coordinator, unit_b):
    login(client, coordinator)
    assert _names(client, "to-complete", f"unit={unit_b.pk}") == _expected(county, "p9")


def test_bad_values_are_named(client, county, coordinator):
    login(client, coordinator)
    response = client.get("/bulletins/lists/to-start/?as_of=x&from=2026-12-01&to=2026-11-01&unit=abc")
    assert response.status_code == 200
    assert "已忽略无效的条件：截至日期、时间窗口（起始晚于截止）、责任单位" in response.content.decode()


def test_pagination_by_50_and_export_of_all(client, coordinator, unit_a):
    smart = Tag.objects.get(name="智能化改造")
    for _ in range(51):
        ProjectFactory(unit=unit_a).tags.add(smart)
    login(client, coordinator)
    first = client.get("/bulletins/lists/smart-upgrade/")
    assert len(first.context["page"].object_list) == 50
    second = client.get("/bulletins/lists/smart-upgrade/?page=2")
    assert len(second.context["page"].object_list) == 1
    assert second.context["page"].start_index() == 51
    rows = _read(client.get("/bulletins/lists/smart-upgrade/export.xlsx"), "智能化改造项目")
    assert [r[0] for r in rows[2:]] == list(range(1, 52))


# --- the export ---------------------------------------------------------------------------------------------------


def test_export_signed_not_started(client, county, coordinator):
    login(client, coordinator)
    response = client.get(f"/bulletins/lists/signed-not-started/export.xlsx?{AS_OF}")
    assert "attachment" in response["Content-Disposition"]
    rows = _read(response, "签约未开工项目")
    assert rows[0][0] == "签约未开工项目清单（截至2026年11月23日）"
    assert rows[1] == [
        "序号",
        "项目名称",
        "责任单位",
        "总投资（万元）",
        "2026年度计划投资（万元）",
        "2026年1—11月累计完成（万元）",
        "项目状态",
        "签约日期",
        "计划开工日期",
        "联系领导",
        "形象进度",
    ]
    assert rows[2:] == [
        [
            1,
            "高端轴承智能工厂",
            "东城镇",
            20000,
            8000,
            300.75,
            "正常",
            d("2026-05-10"),
            d("2026-12-31"),
            "李明（副市长）",
            "桩基施工准备",
        ],
        [2, "新材料中试基地", "东城镇", 5000, "", 0, "正常", d("2026-11-20"), d("2026-10-31"), "", ""],
        # Cancelled, still on the list (domain.md), marked 终止.
        [3, "数字经济产业园", "东城镇", 5000, "", 0, "终止", d("2026-03-01"), d("2026-11-01"), "", ""],
    ]
    # Money cells carry the two-decimal number format; dates the date format (real Excel dates, read back as dates).
    styles = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00"' in styles


def test_export_is_exactly_the_filtered_rows(client, county, coordinator, unit_a):
    login(client, coordinator)
    url = f"/bulletins/lists/to-complete/export.xlsx?{AS_OF}&{WINDOW}&unit={unit_a.pk}&sort=date"
    rows = _read(client.get(url), "计划竣工投产项目")
    assert rows[0][0] == "计划竣工投产项目清单（2026年11月1日—2026年12月31日，截至2026年11月23日）"
    assert rows[1][6:10] == ["项目状态", "计划竣工日期", "竣工日期", "计划投产日期"]
    # Planned completion 10-31, 11-01, 12-01; unit B's p9 is filtered out.
    assert [r[:2] for r in rows[2:]] == [[1, "智能家电生产线"], [2, "东城污水处理厂提标"], [3, "农旅融合示范区"]]
    assert rows[2][6:10] == ["正常", d("2026-10-31"), d("2026-11-23"), d("2026-12-31")]
    assert rows[3][6:10] == ["停工", d("2026-11-01"), "", ""]
    assert rows[4][6:10] == ["终止", d("2026-12-01"), "", ""]


def test_export_under_construction_figures(client, county, leader):
    login(client, leader)
    rows = _read(client.get(f"/bulletins/lists/under-construction/export.xlsx?{AS_OF}&sort=-completed"), "在建项目")
    # 1 200.00, 1 000.30, then p7 and p10 at 0 by id.
    assert [r[1:9] for r in rows[2:]] == [
        ["西湖片区城市更新", "西湖街道", 12345.67, 5000, 1200, "正常", d("2026-11-23"), d("2027-06-30")],
        ["纺织印染数字化车间", "西湖街道", 5000, 3000, 1000.3, "正常", d("2026-01-05"), d("2026-12-31")],
        ["东城污水处理厂提标", "东城镇", 5000, "", 0, "停工", d("2025-06-01"), d("2026-11-01")],
        ["农旅融合示范区", "东城镇", 5000, "", 0, "终止", d("2026-01-01"), d("2026-12-01")],
    ]
    assert [r[10] for r in rows[2:]] == ["主体开工", "主体封顶", "", ""]


def test_export_smart_upgrade_marks_stage_and_cancellation(client, county, reporter_a):
    login(client, reporter_a)
    rows = _read(client.get(f"/bulletins/lists/smart-upgrade/export.xlsx?{AS_OF}"), "智能化改造项目")
    assert rows[1][6:8] == ["当前阶段", "项目状态"]
    assert [(r[1], r[6], r[7]) for r in rows[2:]] == [
        ("高端轴承智能工厂", "签约", "正常"),
        ("数字经济产业园", "签约", "终止"),
    ]


def test_export_in_january_names_the_month(client, county, coordinator):
    login(client, coordinator)
    rows = _read(client.get("/bulletins/lists/smart-upgrade/export.xlsx?as_of=2027-01-15"), "智能化改造项目")
    assert rows[1][4:6] == ["2027年度计划投资（万元）", "2027年1月累计完成（万元）"]


# --- query counts -------------------------------------------------------------------------------------------------


def _make_projects(n, units):
    """n projects in lists 1, 2 and 5 and n in lists 3, 4 and 5, each with a plan and two reports."""
    smart = Tag.objects.get(name="智能化改造")
    for i in range(n):
        signed = ProjectFactory(
            unit=units[i % 2],
            level=Level.CITY,
            stage=Stage.SIGNED,
            signed_date=d("2026-03-01"),
            planned_started_date=d("2026-12-01"),
        )
        started = ProjectFactory(
            unit=units[i % 2],
            stage=Stage.STARTED,
            started_date=d("2026-02-01"),
            planned_completed_date=d("2026-12-15"),
        )
        for project in (signed, started):
            project.tags.add(smart)
            AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal("100"))
            report(project, "2026-05", "10", A, "进展")
            report(project, "2026-06", "20", A, "进展")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# List page (7): session, user, the user's unit and region (the scope), the paginator's count, the filter bar's
# units, the page's rows (unit and leader joined; the year's plan, 1—N月累计完成 and 形象进度 as subqueries).
# Export (5): session, user, unit, region, the rows (one chunk of up to 2 000, with the same joins and subqueries).
# Index (5): session, user, unit, region, the five counts in one aggregate.
@pytest.mark.parametrize(
    "url,queries",
    [
        *((f"/bulletins/lists/{key}/?{AS_OF}&{WINDOW}", 7) for key in KEYS),
        *((f"/bulletins/lists/{key}/export.xlsx?{AS_OF}&{WINDOW}", 5) for key in KEYS),
        (f"/bulletins/lists/?{AS_OF}&{WINDOW}", 5),
    ],
)
def test_query_count_does_not_grow_with_rows(client, coordinator, unit_a, unit_b, url, queries):
    login(client, coordinator)
    _make_projects(5, [unit_a, unit_b])
    at_n = _count_queries(client, url)
    _make_projects(5, [unit_a, unit_b])
    at_2n = _count_queries(client, url)
    assert at_n == at_2n == queries
