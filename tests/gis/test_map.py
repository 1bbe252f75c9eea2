"""一张图 through the test client: who sees which points, what a point carries, the areas' rates against the
indicators engine, the query counts, the map without a boundary and the coordinate converter."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.indicators.models import RateDefinition
from tadiao.indicators.queries import Scope, compute_rates
from tadiao.lib import geo
from tadiao.org.models import Unit
from tadiao.projects.models import Level, Project, Stage
from tadiao.reporting.models import MonthlyReport, Period
from tests.conftest import login
from tests.factories import AnnualPlanFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = "2026-06-30"


def _scatter(option) -> dict[str, dict]:
    """Every point of the option by project name."""
    return {d["name"]: d for s in option["series"] if s["type"] == "scatter" for d in s["data"]}


def _report(project, month: int, amount: str, status: str = "APPROVED"):
    start = D(2026, month, 1)
    period = Period.objects.get_or_create(month=start, defaults={"deadline": start.replace(day=25)})[0]
    MonthlyReport.objects.create(project=project, period=period, investment_completed=Decimal(amount), status=status)


@pytest.fixture
def ledger(towns, unit_a, unit_b, office_unit):
    """On 30 June 2026 (plans and reports of 2026, in 万元):

    东城镇 (unit_a, and the park 东城园区 whose region is 东城镇 too):
      A1 started 2026-03-01, plan 1000; reports Mar 200 approved, Apr 100 submitted, May 50 draft (not counted),
         Jul 500 approved (after the date) → 300
      A2 signed 2026-01-10, plan 500, no report → 0
      A3 (东城园区) continuing, started 2025-05-01, plan 1500; Feb 600 approved → 600
      A4 stage 开工 but started 2026-08-01, after the date: not started on 30 June; no plan
      → 开工率 2 / 4 = 50.00%; 年度投资完成率 (300 + 0 + 600) / (1000 + 500 + 1500) = 900 / 3000 = 30.00%
    西湖街道 (unit_b):
      B1 started 2026-02-01, plan 800; Mar 200 approved, Apr 100 returned (not counted) → 200
      B2 reserve, no plan, no location
      → 开工率 1 / 2 = 50.00%; 年度投资完成率 200 / 800 = 25.00%
    市发展和改革局 (a department, the county's region): D1 started, plan 1000, report 1000 — in no township.
    """
    park = UnitFactory(name="东城园区", kind=Unit.Kind.PARK, region=towns["东城镇"])
    p = {
        "A1": ProjectFactory(name="A1", unit=unit_a, stage=Stage.STARTED, started_date=D(2026, 3, 1),
                             total_investment=Decimal("10000"), latitude=Decimal("30.1"), longitude=Decimal("120.05")),
        "A2": ProjectFactory(name="A2", unit=unit_a, stage=Stage.SIGNED, signed_date=D(2026, 1, 10),
                             latitude=Decimal("30.05"), longitude=Decimal("120.03")),
        "A3": ProjectFactory(name="A3", unit=park, stage=Stage.STARTED, started_date=D(2025, 5, 1),
                             latitude=Decimal("30.15"), longitude=Decimal("120.07")),
        "A4": ProjectFactory(name="A4", unit=unit_a, stage=Stage.STARTED, started_date=D(2026, 8, 1),
                             latitude=Decimal("30.12"), longitude=Decimal("120.02")),
        "B1": ProjectFactory(name="B1", unit=unit_b, stage=Stage.STARTED, started_date=D(2026, 2, 1),
                             level=Level.PROVINCIAL, latitude=Decimal("30.1"), longitude=Decimal("120.15")),
        "B2": ProjectFactory(name="B2", unit=unit_b),
        "D1": ProjectFactory(name="D1", unit=office_unit, stage=Stage.STARTED, started_date=D(2026, 1, 5),
                             latitude=Decimal("30.1"), longitude=Decimal("120.1")),
    }
    for name, amount in (("A1", "1000"), ("A2", "500"), ("A3", "1500"), ("B1", "800"), ("D1", "1000")):
        AnnualPlanFactory(project=p[name], year=2026, planned_investment=Decimal(amount))
    _report(p["A1"], 3, "200")
    _report(p["A1"], 4, "100", "SUBMITTED")
    _report(p["A1"], 5, "50", "DRAFT")
    _report(p["A1"], 7, "500")
    _report(p["A3"], 2, "600")
    _report(p["B1"], 3, "200")
    _report(p["B1"], 4, "100", "RETURNED")
    _report(p["D1"], 3, "1000")
    return p


def _areas(response) -> dict[str, dict]:
    option = response.json()["option"]
    shaded = next(s for s in option["series"] if s["type"] == "map")
    return {d["name"]: d for d in shaded["data"]}


def test_areas_are_shaded_by_the_engines_rates(client, coordinator, boundary, ledger, towns):
    login(client, coordinator)
    start = _areas(client.get(f"/gis/data/?as_of={AS_OF}"))  # 开工率 by default
    assert start["东城镇"]["percent"] == "50.00" and start["东城镇"]["value"] == 50.0
    assert "开工率：50.00%<br>2 / 4 个" in start["东城镇"]["tip"]
    assert start["西湖街道"]["percent"] == "50.00"
    completion = _areas(client.get(f"/gis/data/?as_of={AS_OF}&rate=annual_investment_completion"))
    assert completion["东城镇"]["percent"] == "30.00"
    assert "年度投资完成率：30.00%<br>0.09 / 0.30 亿元" in completion["东城镇"]["tip"]
    assert completion["西湖街道"]["percent"] == "25.00"

    # The same figures as the engine computes for each township as a region scope (the indicators pages' scope).
    definitions = list(RateDefinition.objects.filter(code__in=["start_rate", "annual_investment_completion"]))
    for name, town in towns.items():
        engine = compute_rates(Scope(region=town).apply(Project.objects.all()), as_of=D(2026, 6, 30),
                               definitions=definitions)
        assert str(engine["start_rate"].percent) == start[name]["percent"]
        assert str(engine["annual_investment_completion"].percent) == completion[name]["percent"]


def test_the_area_table_and_no_shading(client, coordinator, boundary, ledger):
    login(client, coordinator)
    text = client.get(f"/gis/?as_of={AS_OF}&rate=annual_investment_completion").content.decode()
    assert '<td>东城镇</td><td class="num">30.00%</td>' in text
    assert "900.00 / 3,000.00" in text
    response = client.get(f"/gis/data/?as_of={AS_OF}&rate=none")
    assert [s["type"] for s in response.json()["option"]["series"]][:2] == ["lines", "scatter"]
    assert "visualMap" not in response.json()["option"]


def test_a_filter_narrows_points_and_areas(client, coordinator, boundary, ledger):
    login(client, coordinator)
    response = client.get(f"/gis/data/?as_of={AS_OF}&level=PROVINCIAL")
    assert set(_scatter(response.json()["option"])) == {"B1"}
    areas = _areas(response)
    assert areas["西湖街道"]["percent"] == "100.00"
    assert areas["东城镇"]["value"] == "-"  # no provincial project there: no rate, not 0%
    assert "开工率：—<br>0 / 0 个" in areas["东城镇"]["tip"]


def test_points_carry_their_detail_url_size_and_colour(client, coordinator, boundary, ledger):
    login(client, coordinator)
    data = client.get(f"/gis/data/?as_of={AS_OF}").json()
    points = _scatter(data["option"])
    assert set(points) == {"A1", "A2", "A3", "A4", "B1", "D1"}  # B2 has no location
    assert data["missing"] == 1 and data["shown"] == 6
    a1 = ledger["A1"]
    assert points["A1"]["url"] == f"/projects/{a1.pk}/"
    assert points["A1"]["value"] == [120.05, 30.1, 10000.0]
    assert points["A1"]["symbolSize"] == 10.0  # 1 亿元: 6 + 4 × √1
    assert points["A2"]["symbolSize"] == 8.8  # 5000 万元 = 0.5 亿元: 6 + 4 × √0.5 = 8.83
    by_stage = {s["name"]: sorted(d["name"] for d in s["data"])
                for s in data["option"]["series"] if s["type"] == "scatter"}
    assert by_stage == {"签约": ["A2"], "开工": ["A1", "A3", "A4", "B1", "D1"]}
    assert data["approval_number"] == "浙S（2026）12号"
    assert data["geojson"] == f"/gis/boundary/{boundary.pk}.json"


def test_points_coloured_by_warning_light(client, coordinator, boundary, ledger):
    login(client, coordinator)
    option = client.get(f"/gis/data/?as_of={AS_OF}&color=light").json()["option"]
    names = [s["name"] for s in option["series"] if s["type"] == "scatter"]
    assert set(names) <= {"红灯", "黄灯", "绿灯"} and names
    assert option["legend"]["data"] == names
    colours = {s["name"]: s["itemStyle"]["color"] for s in option["series"] if s["type"] == "scatter"}
    assert colours.get("红灯", "#d9363e") == "#d9363e" and colours.get("绿灯", "#2e9d57") == "#2e9d57"


def test_unknown_settings_are_ignored_and_said(client, coordinator, boundary, ledger):
    login(client, coordinator)
    text = client.get(f"/gis/?as_of={AS_OF}&rate=nonsense&color=rainbow").content.decode()
    assert "已忽略无效的筛选条件：项目点颜色、区域着色指标" in text
    option = client.get(f"/gis/data/?as_of={AS_OF}&rate=nonsense").json()["option"]
    assert option["series"][0]["name"] == "开工率"  # the default


def test_a_reporter_sees_only_its_own_units_points(client, reporter_a, boundary, ledger):
    login(client, reporter_a)
    for url in (f"/gis/data/?as_of={AS_OF}", f"/gis/data/?as_of={AS_OF}&unit={ledger['B1'].unit_id}"):
        option = client.get(url).json()["option"]
        assert set(_scatter(option)) <= {"A1", "A2", "A4"}
        assert "B1" not in str(option) and "D1" not in str(option)
    assert set(_scatter(client.get(f"/gis/data/?as_of={AS_OF}").json()["option"])) == {"A1", "A2", "A4"}
    page = client.get(f"/gis/?as_of={AS_OF}").content.decode()
    # Quoted: the bare letters "B1" can turn up inside the page's random CSRF token.
    assert '"B1"' not in page and ">B1<" not in page and f"/projects/{ledger['B1'].pk}/" not in page
    # Its own unit's projects only, in the areas too: 东城镇 counts A1, A2, A4 (not the park's A3): 1 of 3 started.
    assert _areas(client.get(f"/gis/data/?as_of={AS_OF}"))["东城镇"]["percent"] == "33.33"


def test_a_leader_reads_the_whole_map(client, leader, boundary, ledger):
    login(client, leader)
    assert client.get("/gis/").status_code == 200
    assert set(_scatter(client.get(f"/gis/data/?as_of={AS_OF}").json()["option"])) == {
        "A1", "A2", "A3", "A4", "B1", "D1"}


@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_the_administrators_do_not_read_business_data(client, request, boundary, actor):
    login(client, request.getfixturevalue(actor))
    assert client.get("/gis/").status_code == 403
    assert client.get("/gis/data/").status_code == 403
    assert client.get("/gis/convert/").status_code == 403


def test_page_shows_the_approval_number_and_the_missing_locations(client, coordinator, boundary, ledger):
    login(client, coordinator)
    text = client.get(f"/gis/?as_of={AS_OF}").content.decode()
    assert "青山市行政区划图 · 审图号：浙S（2026）12号" in text
    assert "地图上显示项目 6 个" in text and "1 个项目</a>未标注位置" in text
    assert f'data-geojson="/gis/boundary/{boundary.pk}.json"' in text
    assert 'id="map-option" type="application/json"' in text


def test_tooltips_escape_project_names(client, coordinator, boundary, unit_a):
    ProjectFactory(name="<img src=x onerror=alert(1)>", unit=unit_a, latitude=Decimal("30.1"),
                   longitude=Decimal("120.05"))
    login(client, coordinator)
    point = next(iter(_scatter(client.get("/gis/data/").json()["option"]).values()))
    assert "<img" not in point["tip"] and "&lt;img src=x" in point["tip"]


def test_without_a_boundary_the_points_still_show(client, coordinator, ledger):
    login(client, coordinator)
    data = client.get(f"/gis/data/?as_of={AS_OF}").json()
    assert data["geojson"] == "" and data["approval_number"] == ""
    assert data["option"]["geo"]["map"] == "tadiao-map-none"
    # framed on the points (120.02–120.15 E, 30.05–30.15 N) with a tenth of the larger span around them
    assert data["option"]["geo"]["boundingCoords"] == [[120.007, 30.163], [120.163, 30.037]]
    assert len(_scatter(data["option"])) == 6
    assert "尚未上传本地的行政区划边界" in client.get("/gis/").content.decode()


def _make_projects(n, units):
    for i in range(n):
        project = ProjectFactory(unit=units[i % 2], stage=Stage.STARTED, started_date=D(2026, 2, 1),
                                 latitude=Decimal("30.1"), longitude=Decimal("120.05") + Decimal(i) / 1000)
        AnnualPlanFactory(project=project, year=2026)
        _report(project, 3, "10")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Page, 年度投资完成率 (16): session, user; the rate definitions; the current map; the user's unit and region (the
# scope); the warning rules and the reporting settings (序时进度) of the lights; the located points (units joined, the
# year's plan and the lights as subqueries) and the count of the projects without a location; the map's areas
# (regions joined); the projects' units with their regions' paths; the engine's one aggregate, grouped by unit (an
# investment rate sums the plans and reports joined to the projects); the filter bar's units, industries and tags.
# Data, 年度投资完成率 (13): the same without the filter bar's three.
# Data, 开工率 (13): one aggregate, grouped by unit, for a count rate.
@pytest.mark.parametrize(
    "url,queries",
    [
        ("/gis/?as_of=2026-06-30&rate=annual_investment_completion", 16),
        ("/gis/data/?as_of=2026-06-30&rate=annual_investment_completion", 13),
        ("/gis/data/?as_of=2026-06-30", 13),
    ],
)
def test_query_count_does_not_grow_with_projects(client, coordinator, boundary, unit_a, unit_b, url, queries):
    login(client, coordinator)
    _make_projects(10, [unit_a, unit_b])
    at_n = _count(client, url)
    _make_projects(10, [unit_a, unit_b])
    at_2n = _count(client, url)
    assert at_n == at_2n == queries


def test_convert_page(client, reporter_a):
    login(client, reporter_a)
    gcj = geo.wgs84_to_gcj02(120.42, 29.88)
    response = client.get("/gis/convert/", {"text": f"{gcj[0]:.9f},{gcj[1]:.9f}", "system": "gcj02"})
    assert "经度 <b>120.420000</b>，纬度 <b>29.880000</b>" in response.content.decode()
    bd = geo.wgs84_to_bd09(120.42, 29.88)
    response = client.get("/gis/convert/", {"text": f"{bd[1]:.9f} {bd[0]:.9f}", "system": "bd09", "format": "json"})
    assert response.json() == {"longitude": "120.420000", "latitude": "29.880000", "system": "bd09"}
    response = client.get("/gis/convert/", {"text": "120.4", "system": "gcj02", "format": "json"})
    assert response.status_code == 400 and "请填写两个数字" in response.json()["error"]
    assert "请填写两个数字" in client.get("/gis/convert/", {"text": "abc", "system": "wgs84"}).content.decode()
    assert client.get("/gis/convert/").status_code == 200
