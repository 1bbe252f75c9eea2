"""The three work items (三项工作) per unit, the blank list, 零的突破 and 连续空白 — every figure by hand."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.attraction import queries
from tadiao.attraction.models import Lead, Recognition
from tadiao.org.models import Unit
from tests.attraction.conftest import D, make_lead, make_signed, make_trip
from tests.conftest import login
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

START, END = D(2026, 1, 1), D(2026, 11, 23)
RECOGNISED, REJECTED = Recognition.Status.RECOGNISED, Recognition.Status.REJECTED


@pytest.fixture
def county(region, office_unit, unit_a, unit_b, unit_c):
    """Six units (order: 市发展和改革局 0, 东城镇 1, 西湖街道 2, 南山园区 3, 北湖乡 4, 东港街道 5):

    东城镇  trips 3-10 and 11-23 (end day) in; 2025-12-31 out                      → 2
            lead from 2-1, open                                                    → 1
            lead 2025-5-1 … lost 2025-12-20, nothing in 2026 (kept in the list)    → 0
            signed 4-1 10 000 recognised; 5-1 3 000 rejected; 6-1 2 000 pending (counts
            until rejected); 2025-12-1 recognised (before the period)              → 2, 12 000.00
    西湖街道 trip 1-1 (first day)                                                    → 1
            lead 2025-6-1 … lost 2026-1-15 (in talks in January)                   → 1
            signed 11-23 (last day) 1 500.50 recognised                            → 1, 1 500.50
    南山园区 nothing                                                                → blank
    北湖乡  a trip on 9-1 only                                                       → blank until August
    东港街道 signed 3-1 800, rejected (城建项目不计入)                                 → blank
    市发改局 nothing                                                                → blank
    """
    north = UnitFactory(name="北湖乡", region=region, display_order=4)
    port = UnitFactory(name="东港街道", kind=Unit.Kind.STREET, region=region, display_order=5)
    make_trip(unit_a, D(2026, 3, 10))
    make_trip(unit_a, D(2026, 11, 23), destination="苏州")
    make_trip(unit_a, D(2025, 12, 31), destination="南京")
    make_lead(unit_a, start=D(2026, 2, 1))
    make_lead(unit_a, start=D(2025, 5, 1), closed=D(2025, 12, 20), status=Lead.Status.LOST, reason="投资方转投他地",
              name="东城镇流失项目")
    make_signed(unit_a, D(2026, 4, 1), investment="10000", status=RECOGNISED)
    make_signed(unit_a, D(2026, 5, 1), investment="3000", status=REJECTED, reason="城建项目不计入")
    make_signed(unit_a, D(2026, 6, 1), investment="2000")
    make_signed(unit_a, D(2025, 12, 1), investment="9000", status=RECOGNISED)
    make_trip(unit_b, D(2026, 1, 1))
    make_lead(unit_b, start=D(2025, 6, 1), closed=D(2026, 1, 15), status=Lead.Status.LOST, reason="资金链断裂")
    make_signed(unit_b, END, investment="1500.50", status=RECOGNISED)
    make_trip(north, D(2026, 9, 1))
    make_signed(port, D(2026, 3, 1), investment="800", status=REJECTED, reason="城建项目不计入")
    return {"office": office_unit, "a": unit_a, "b": unit_b, "c": unit_c, "north": north, "port": port}


def _units():
    return list(Unit.objects.order_by("display_order", "id"))


def test_work_items_by_hand(county):
    items = queries.work_items(_units(), start=START, end=END)
    u = county
    assert items[u["a"].pk] == {"trips": 2, "leads": 1, "signed": 2, "signed_investment": Decimal("12000.00")}
    assert items[u["b"].pk] == {"trips": 1, "leads": 1, "signed": 1, "signed_investment": Decimal("1500.50")}
    assert items[u["north"].pk] == {"trips": 1, "leads": 0, "signed": 0, "signed_investment": None}
    # The rejected signing is not counted: 东港街道 is blank.
    for key in ("c", "port", "office"):
        assert items[u[key].pk] == {"trips": 0, "leads": 0, "signed": 0, "signed_investment": None}


def test_blank_units_in_configured_order(county):
    blank = queries.blank_units(_units(), start=START, end=END)
    assert [x.name for x in blank] == ["市发展和改革局", "南山园区", "东港街道"]


def test_a_follow_up_in_the_period_makes_a_lead_count(unit_c):
    # Talks ended before the period, but the log has an entry in it.
    make_lead(unit_c, start=D(2025, 3, 1), closed=D(2025, 10, 1), status=Lead.Status.LOST, reason="流失",
              follow_ups=[D(2026, 2, 1)])
    assert queries.work_items([unit_c], start=START, end=END)[unit_c.pk]["leads"] == 1
    assert queries.work_items([unit_c], start=D(2026, 3, 1), end=END)[unit_c.pk]["leads"] == 0


def test_a_lead_begun_after_the_period_does_not_count(unit_c):
    make_lead(unit_c, start=D(2026, 12, 1))
    assert queries.work_items([unit_c], start=START, end=END)[unit_c.pk]["leads"] == 0


def test_breaking_zero_and_blank_streaks_over_three_snapshots(county):
    units = _units()
    # Three snapshots of the year to date: end of February, end of August, now.
    snapshots = [
        {x.pk for x in queries.blank_units(units, start=START, end=end)}
        for end in (D(2026, 2, 28), D(2026, 8, 31), END)
    ]
    u = county
    assert snapshots[0] == snapshots[1] == {u["office"].pk, u["c"].pk, u["north"].pk, u["port"].pk}
    assert snapshots[2] == {u["office"].pk, u["c"].pk, u["port"].pk}
    # 北湖乡's trip in September: it broke zero since the last snapshot, and not before.
    assert queries.broke_zero(snapshots[1], snapshots[2]) == {u["north"].pk}
    assert queries.broke_zero(snapshots[0], snapshots[1]) == set()
    # Blank in all three snapshots (连续3次榜上有名); 北湖乡 is not blank now, so it has no streak.
    assert queries.blank_streaks(snapshots[:2], snapshots[2]) == {u["office"].pk: 3, u["c"].pk: 3, u["port"].pk: 3}


def test_broke_zero_pure():
    assert queries.broke_zero({1, 2, 3}, {2}) == {1, 3}
    assert queries.broke_zero(set(), {1}) == set()
    # A unit blank before but since removed has not broken zero.
    assert queries.broke_zero({1, 3}, set(), among={1, 2}) == {1}


def test_blank_streaks_pure():
    history = [{1, 2, 3}, {1, 3}, {1, 2}]  # oldest first
    # 1: blank in all three earlier snapshots and now → 4; 2: in the last one and now → 2 (the gap breaks it);
    # 3: not in the last one → 1; 4: blank for the first time → 1.
    assert queries.blank_streaks(history, {1, 2, 3, 4}) == {1: 4, 2: 2, 3: 1, 4: 1}
    assert queries.blank_streaks([], {5}) == {5: 1}
    assert queries.blank_streaks(history, set()) == {}


def test_page_table_blank_list_and_sorting(client, coordinator, county, today):
    login(client, coordinator)
    response = client.get("/attraction/work-items/", {"start": "2026-01-01", "end": "2026-11-23", "sort": "-trips"})
    assert response.status_code == 200
    rows = response.context["rows"]
    # Sorted by trips, ties in unit order: 东城镇 2, then 西湖街道 1 and 北湖乡 1, then the blanks in unit order.
    assert [r["unit"].name for r in rows] == ["东城镇", "西湖街道", "北湖乡", "市发展和改革局", "南山园区", "东港街道"]
    assert response.context["totals"] == {
        "trips": 4, "leads": 2, "signed": 3, "signed_investment": Decimal("13500.50")
    }
    body = response.content.decode()
    assert "空白单位（三项工作均为零）：3 个" in body
    assert "市发展和改革局、南山园区、东港街道" in body
    assert "开始接洽日期不晚于期末" in body  # the definition is on the page


def test_page_defaults_to_the_year_to_date(client, coordinator, county, today):
    login(client, coordinator)
    response = client.get("/attraction/work-items/")
    assert (response.context["start"], response.context["end"]) == (START, END)


def test_page_ignores_a_reversed_period(client, coordinator, county, today):
    login(client, coordinator)
    response = client.get("/attraction/work-items/", {"start": "2026-10-01", "end": "2026-02-01"})
    assert (response.context["start"], response.context["end"]) == (START, END)
    assert response.context["invalid"]


def test_export(client, coordinator, county, today):
    login(client, coordinator)
    content = client.get("/attraction/work-items/export.xlsx", {"start": "2026-01-01", "end": "2026-11-23"}).content
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    table = book.get_sheet_by_name("三项工作").to_python()
    assert table[0][0] == "三项工作（2026-01-01 至 2026-11-23）"
    assert table[1][:3] == ["序号", "单位", "外出招商（次）"]
    by_name = {r[1]: r for r in table[2:]}
    assert by_name["东城镇"][2:6] == [2, 1, 2, 12000]
    assert by_name["西湖街道"][5] == 1500.5
    assert by_name["东港街道"][6] == "空白"
    blank = book.get_sheet_by_name("空白单位").to_python()
    assert [r[1] for r in blank[2:]] == ["市发展和改革局", "南山园区", "东港街道"]


def test_reporter_sees_only_its_unit(client, reporter_a, county, today):
    login(client, reporter_a)
    response = client.get("/attraction/work-items/", {"start": "2026-01-01", "end": "2026-11-23"})
    assert [r["unit"].name for r in response.context["rows"]] == ["东城镇"]
    assert response.context["blank"] == []


# --- queries flat at N and 2N --------------------------------------------------------------------------


def _grow(region, n, offset):
    """n more units, each with a trip, a lead with a follow-up, a recognised and a rejected signing."""
    for i in range(n):
        unit = UnitFactory(region=region, name=f"测试单位{offset + i}")
        make_trip(unit, D(2026, 3, 1))
        make_lead(unit, start=D(2026, 2, 1), follow_ups=[D(2026, 3, 1)])
        make_signed(unit, D(2026, 4, 1), status=RECOGNISED)
        make_signed(unit, D(2026, 5, 1), status=REJECTED, reason="规模不足")


def _count(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_work_items_queries_flat(region):
    # work_items over a list of units (3): trips, leads and recognised signings, each one GROUP BY unit.
    # Over a queryset: one more, to read the units.
    _grow(region, 5, 0)
    units = list(Unit.objects.all())
    at_n = _count(lambda: queries.work_items(units, start=START, end=END))
    at_n_qs = _count(lambda: queries.work_items(Unit.objects.all(), start=START, end=END))
    _grow(region, 5, 5)
    units = list(Unit.objects.all())
    assert _count(lambda: queries.work_items(units, start=START, end=END)) == at_n == 3
    assert _count(lambda: queries.work_items(Unit.objects.all(), start=START, end=END)) == at_n_qs == 4
    assert len(queries.blank_units(units, start=START, end=END)) == 0


# Page (20): session, user, the user's unit and region (the scope), the units in scope, then the three GROUP BY
# unit queries (trips, leads, recognised signings), and the blank lists of the earlier snapshots (零的突破, 连续空白;
# one more, the latest snapshot, once there is one), and the closed months to compare with; then the breakdowns
# (breakdowns.BREAKDOWN_QUERIES = 10: trips by rank, signings by recognition / industry / category / origin, leads
# active and by state, 去年以来 trips / leads / signings). Export (9): the page's first nine, without the closed
# months and the breakdowns.
@pytest.mark.parametrize("url,expected", [("/attraction/work-items/", 20), ("/attraction/work-items/export.xlsx", 9)])
def test_page_queries_flat(client, coordinator, region, today, url, expected):
    login(client, coordinator)
    _grow(region, 5, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(region, 5, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) == at_n == expected
