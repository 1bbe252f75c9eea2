"""Every 经济指标 page and the export with the actors: the coordinator (the office: reads and writes its region),
a reader (leader: reads, 403 on every write), a unit's reporter (403: office-level data), a coordinator of a town
(404 on the county's figures), and the system and audit administrators (403)."""

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from tadiao.audit.models import AuditEvent
from tadiao.economy.models import Figure, Target
from tests.conftest import login
from tests.economy.conftest import GDP, REVENUE, fig, make_town, target
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

READS = ["/economy/", "/economy/?period=2024-10", "/economy/export.xlsx?period=2024-10", "/economy/figures/",
         "/economy/targets/?year=2024"]


@pytest.fixture
def world(county, town_a, town_b):
    fig(county, GDP, value="512.36", growth="6.2", parent="6.8", rank=12)
    target(county, GDP, "6.5")
    figure = fig(town_a, GDP, value="45.10", growth="5.5")
    target(town_a, GDP, "7.0")
    fig(town_b, GDP, value="60", growth="7.25")
    return {"figure": figure}


@pytest.fixture
def town_coordinator(town_b):
    unit = UnitFactory(name="青石镇人民政府", region=town_b)
    return UserFactory(username="town_coordinator", unit=unit, is_coordinator=True)


def _form(region, **extra):
    return {"region": region.pk, "period": "2024-10", "indicator": REVENUE, "value": "18250.5", "growth": "-3.25",
            "parent_growth": "", "provincial_rank": "", **extra}


def _writes(w, town_a):
    figure = w["figure"]
    return [
        ("get", "/economy/figures/new/", None),
        ("post", "/economy/figures/new/", _form(town_a)),
        ("get", f"/economy/figures/{figure.pk}/edit/", None),
        ("post", f"/economy/figures/{figure.pk}/edit/", _form(town_a, indicator=GDP, version=1)),
        ("post", f"/economy/figures/{figure.pk}/delete/", {"version": 1}),
        ("post", "/economy/targets/?year=2024", {"year": 2024, f"t_{town_a.pk}_GDP": "9"}),
    ]


def _call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def _nothing_written(w):
    figure = Figure.objects.get(pk=w["figure"].pk)
    assert (figure.growth, figure.version) == (Decimal("5.5"), 1)
    assert Figure.objects.count() == 3
    assert sorted(Target.objects.values_list("growth", flat=True)) == [Decimal("6.5"), Decimal("7.0")]
    assert not AuditEvent.objects.filter(action__startswith="economy.").exists()


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("actor", ["coordinator", "leader"])
def test_the_office_and_leaders_read(client, world, url, actor, request):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", READS)
@pytest.mark.parametrize("actor", ["reporter_a", "sysadmin", "auditor"])
def test_others_read_nothing(client, world, url, actor, request):
    login(client, request.getfixturevalue(actor))
    response = client.get(url)
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(("actor", "status"), [("leader", 403), ("reporter_a", 403), ("sysadmin", 403),
                                                ("auditor", 403)])
def test_only_the_office_writes(client, world, town_a, actor, status, request):
    login(client, request.getfixturevalue(actor))
    for method, url, data in _writes(world, town_a):
        assert _call(client, method, url, data).status_code == status, (method, url)
    _nothing_written(world)


def test_a_town_coordinator_gets_404_on_the_county_and_sees_its_town_only(client, world, town_a,
                                                                          town_coordinator):
    login(client, town_coordinator)
    figure = world["figure"]  # 白沙镇's, outside 青石镇
    for method, url, data in _writes(world, town_a)[2:5]:
        assert _call(client, method, url, data).status_code == 404, (method, url)
    response = client.post("/economy/figures/new/", _form(town_a))
    assert response.status_code == 200 and "只能选择您管理范围内的区划" in response.content.decode()
    page = client.get("/economy/?period=2024-10").content.decode()
    assert "青石镇" in page and "白沙镇" not in page and "青山市" not in page
    assert client.get("/economy/figures/").content.decode().count("/edit/") == 1
    assert Figure.objects.get(pk=figure.pk).version == 1


def test_overview_shows_the_outputs(client, coordinator, world):
    login(client, coordinator)
    page = client.get("/economy/?period=2024-10").content.decode()
    assert "经济指标对标（2024年1—10月）" in page
    below = page[page.index('id="below-target"'):page.index('id="below-parent"')]
    assert "低于年度目标：2 项" in below
    assert "<td>白沙镇</td><td>GDP</td><td class=\"num\">5.5%</td>" in below
    assert "-1.5 个百分点" in below and "-0.3 个百分点" in below
    parent = page[page.index('id="below-parent"'):page.index('id="rank-gdp"')]
    assert "低于上级增速：2 项" in parent and "-0.7 个百分点" in parent and "-0.6 个百分点" in parent
    ranks = page[page.index('id="rank-gdp"'):page.index('id="rank-budget_revenue"')]
    assert ranks.index("青石镇") < ranks.index("白沙镇") and "7.25%" in ranks and "512.36" in ranks
    months = page[page.index('id="months-below"'):]
    assert "10月" in months


def test_the_default_period_is_the_latest_entered(client, coordinator, world, town_a):
    fig(town_a, GDP, year=2023, month=12, growth="1")
    login(client, coordinator)
    assert "2024年1—10月" in client.get("/economy/").content.decode()
    page = client.get("/economy/?period=bad").content.decode()
    assert "期间格式不正确" in page and "2024年1—10月" in page


def test_export(client, leader, world):
    login(client, leader)
    response = client.get("/economy/export.xlsx?period=2024-10")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["低于目标", "低于上级", "GDP", "一般公共预算收入", "规上工业增加值", "固定资产投资",
                                "工业投资", "低于目标的月份"]
    below = book.get_sheet_by_name("低于目标").to_python()
    assert below[0][0] == "2024年1—10月增速低于年度目标的区划"
    assert below[2:] == [[1.0, "青山市", "330999", "GDP", 6.2, 6.5, -0.3],
                         [2.0, "白沙镇", "330999101000", "GDP", 5.5, 7.0, -1.5]]
    gdp = book.get_sheet_by_name("GDP").to_python()
    assert [row[:2] for row in gdp[2:]] == [["", "青山市"], [1.0, "青石镇"], [2.0, "白沙镇"]]


def test_create_edit_and_delete_a_figure(client, coordinator, world, town_a):
    login(client, coordinator)
    response = client.post("/economy/figures/new/", _form(town_a, parent_growth="4.5", provincial_rank="3"))
    assert response.status_code == 302
    figure = Figure.objects.get(indicator=REVENUE)
    assert (figure.region, figure.year, figure.month, figure.value, figure.growth, figure.parent_growth,
            figure.provincial_rank, figure.created_by) == (town_a, 2024, 10, Decimal("18250.50"),
                                                           Decimal("-3.25"), Decimal("4.5"), 3, coordinator)
    event = AuditEvent.objects.get(action="economy.figure.created")
    assert event.changes["growth"] == [None, "-3.25"] and event.changes["parent_growth"] == [None, "4.50"]

    duplicate = client.post("/economy/figures/new/", _form(town_a))
    assert "已经录入" in duplicate.content.decode()

    edit = f"/economy/figures/{figure.pk}/edit/"
    assert 'value="2024-10"' in client.get(edit).content.decode()
    assert client.post(edit, _form(town_a, growth="-3.5", version=1)).status_code == 302
    figure.refresh_from_db()
    assert (figure.growth, figure.parent_growth, figure.version) == (Decimal("-3.5"), None, 2)
    assert AuditEvent.objects.get(action="economy.figure.updated").changes["growth"] == ["-3.25", "-3.50"]
    stale = client.post(edit, _form(town_a, growth="1", version=1))
    assert "已被他人修改" in stale.content.decode()

    bad = client.post("/economy/figures/new/", _form(town_a, period="2024-13", growth="abc", value="-1"))
    page = bad.content.decode()
    assert "期间格式不正确" in page and "增速（%）应为数字" in page and "本期累计值不能为负数" in page

    assert client.post(f"/economy/figures/{figure.pk}/delete/", {"version": 2}).status_code == 302
    assert not Figure.objects.filter(pk=figure.pk).exists()
    assert AuditEvent.objects.filter(action="economy.figure.deleted").count() == 1


def test_targets_page_sets_changes_and_clears(client, coordinator, world, county, town_a, town_b):
    login(client, coordinator)
    page = client.get("/economy/targets/?year=2024").content.decode()
    assert f'name="t_{town_a.pk}_GDP"' in page and 'value="7.00"' in page
    data = {"year": 2024, f"t_{county.pk}_GDP": "", f"t_{town_a.pk}_GDP": "7.5", f"t_{town_b.pk}_GDP": "7"}
    response = client.post("/economy/targets/?year=2024", data, follow=True)
    assert "新设 1 项，修改 1 项，清除 1 项" in response.content.decode()
    assert {(t.region.name, t.growth) for t in Target.objects.select_related("region")} == {
        ("白沙镇", Decimal("7.5")), ("青石镇", Decimal("7"))}
    assert AuditEvent.objects.filter(action="economy.target.set").count() == 2
    assert AuditEvent.objects.get(action="economy.target.cleared").changes == {"growth": ["6.50", None]}
    bad = client.post("/economy/targets/?year=2024", {"year": 2024, f"t_{town_a.pk}_GDP": "-120"})
    assert "不能低于 -100%" in bad.content.decode()


def test_leader_sees_targets_read_only(client, leader, world):
    login(client, leader)
    page = client.get("/economy/targets/?year=2024").content.decode()
    assert "<input" not in page.split('id="targets-form"')[1].split("</form>")[0].replace(
        '<input type="hidden"', "")
    assert "7.00" in page and "您只能查看" in page


def _towns(county, count):
    for number in range(200, 200 + count):
        town = make_town(county, number, f"第{number}镇")
        fig(town, GDP, growth="5")
        fig(town, REVENUE, growth="8", parent="9")
        target(town, GDP, "6")


@pytest.mark.parametrize("count", [5, 10])
def test_query_counts_are_flat(client, coordinator, county, count, django_assert_num_queries):
    fig(county, GDP, growth="6", parent="7")
    _towns(county, count)
    login(client, coordinator)
    # session, user, the user's unit and region (scope), the period's figures, the year's figures
    with django_assert_num_queries(6):
        assert client.get("/economy/?period=2024-10").status_code == 200
    with django_assert_num_queries(6):  # the same for the export
        assert client.get("/economy/export.xlsx?period=2024-10").status_code == 200
    # session, user, unit and region (scope), the count, the page of figures, the regions of the filter
    with django_assert_num_queries(7):
        assert client.get("/economy/figures/?per_page=100").status_code == 200
    # session, user, unit and region (scope), the regions, the year's targets
    with django_assert_num_queries(6):
        assert client.get("/economy/targets/?year=2024").status_code == 200
