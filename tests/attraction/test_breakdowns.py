"""The figures the meeting quotes (issue "The figures the meeting quotes", point 4): trips by rank, signings by
recognition / 主导产业 / category / investor origin, leads by state, 去年以来 — in the query, the CLI's `attraction`
object and the 三项工作 page. Every expected figure is worked out by hand from the county below.

Period 2026-01-01 … 2026-11-23 (END); 去年以来 = 2025-01-01 … END.
Industries: the shipped list, 新材料 (order 2) before 新能源 (3).

Trips        东城镇  2026-03-10 处级, 2026-11-23 厅级 (last day), 2025-12-31 科级 (last year)
             西湖街道 2026-01-01 科级 (first day), 2025-06-01 其他 (last year)
             南山园区 2024-12-31 处级 (before both)
  → period: 厅级 1, 处级 1, 科级 1, 其他 0 (3); 去年以来 5.
Signings     东城镇  04-01 10 000 已认定 新能源 产业 上海;  05-01 3 000 不予认定 新能源 城建 上海;
                    06-01 2 000 待认定 新材料 产业 江苏
             西湖街道 11-23 1 500.50 已认定 (no industry) 服务业 (no origin); 2025-12-01 9 000 已认定 新能源 产业 上海
             南山园区 02-01 700 待认定 新材料 产业 上海; 2024-05-01 100 待认定 (before both)
  → by recognition: 已认定 2 / 11 500.50, 待认定 2 / 2 700.00, 不予认定 1 / 3 000.00; counted 4 / 14 200.50
  → by industry (configured order, none last): 新材料 2 / 2 700.00, 新能源 1 / 10 000.00,
    未设主导产业 1 / 1 500.50
  → by category: 产业 3 / 12 700.00, 服务业 1 / 1 500.50
  → by origin: 上海 2 / 10 700.00, 江苏 1 / 2 000.00, 未填来源地 1 / 1 500.50
  → 去年以来: 5 / 23 200.50
Leads        东城镇  from 2026-02-01, in talks;  2025-05-01 … lost 2025-12-20
             西湖街道 2025-06-01 … lost 2026-01-15;  2026-10-01 … lost 2026-11-30 (after END: in talks on END)
             南山园区 2026-03-01 … signed 2026-09-01;  from 2026-11-24 (after END: nowhere)
             市发改局 from 2024-01-01, in talks
  → active in period 5; in talks on END 3 (东城镇, 西湖街道's second, 市发改局); signed 1; lost 1; 去年以来 6.
"""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.attraction.models import Lead, Rank, Recognition
from tadiao.attraction.queries import breakdowns
from tadiao.projects.models import Category, Industry, Stage
from tests.attraction.conftest import make_lead, make_trip
from tests.conftest import login
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2026, 1, 1), D(2026, 11, 23)
RECOGNISED, PENDING, REJECTED = Recognition.Status.RECOGNISED, Recognition.Status.PENDING, Recognition.Status.REJECTED


def _signed(unit, day, investment, status=None, *, industry=None, category=Category.INDUSTRY, origin="", reason=""):
    project = ProjectFactory(unit=unit, stage=Stage.SIGNED, signed_date=day, total_investment=Decimal(investment),
                             industry=industry, category=category, investor_origin=origin)
    if status is not None:
        Recognition.objects.create(project=project, status=status, reason=reason)
    return project


@pytest.fixture
def county(office_unit, unit_a, unit_b, unit_c):
    # The shipped list (projects migration 0002) puts 新材料 (2) before 新能源 (3).
    energy, materials = Industry.objects.get(name="新能源"), Industry.objects.get(name="新材料")
    make_trip(unit_a, D(2026, 3, 10), rank=Rank.DIVISION)
    make_trip(unit_a, D(2026, 11, 23), rank=Rank.BUREAU, destination="苏州")
    make_trip(unit_a, D(2025, 12, 31), rank=Rank.SECTION, destination="南京")
    make_trip(unit_b, D(2026, 1, 1), rank=Rank.SECTION)
    make_trip(unit_b, D(2025, 6, 1), rank=Rank.OTHER, destination="合肥")
    make_trip(unit_c, D(2024, 12, 31), rank=Rank.DIVISION)
    _signed(unit_a, D(2026, 4, 1), "10000", RECOGNISED, industry=energy, origin="上海")
    _signed(unit_a, D(2026, 5, 1), "3000", REJECTED, industry=energy, category=Category.URBAN, origin="上海",
            reason="城建项目不计入")
    _signed(unit_a, D(2026, 6, 1), "2000", industry=materials, origin="江苏")
    _signed(unit_b, END, "1500.50", RECOGNISED, category=Category.SERVICE)
    _signed(unit_b, D(2025, 12, 1), "9000", RECOGNISED, industry=energy, origin="上海")
    _signed(unit_c, D(2026, 2, 1), "700", PENDING, industry=materials, origin="上海")
    _signed(unit_c, D(2024, 5, 1), "100")
    make_lead(unit_a, start=D(2026, 2, 1))
    make_lead(unit_a, start=D(2025, 5, 1), closed=D(2025, 12, 20), status=Lead.Status.LOST, reason="转投他地")
    make_lead(unit_b, start=D(2025, 6, 1), closed=D(2026, 1, 15), status=Lead.Status.LOST, reason="资金链断裂")
    make_lead(unit_b, start=D(2026, 10, 1), closed=D(2026, 11, 30), status=Lead.Status.LOST, reason="选址未定")
    make_lead(unit_c, start=D(2026, 3, 1), closed=D(2026, 9, 1), status=Lead.Status.SIGNED)
    make_lead(unit_c, start=D(2026, 11, 24))
    make_lead(office_unit, start=D(2024, 1, 1))
    return [office_unit.pk, unit_a.pk, unit_b.pk, unit_c.pk]


def test_breakdown_by_hand(county):
    data = breakdowns.breakdown(county, start=START, end=END)
    assert (data["from"], data["to"]) == ("2026-01-01", "2026-11-23")
    assert data["trips_by_rank"] == {"BUREAU": 1, "DIVISION": 1, "SECTION": 1, "OTHER": 0}
    assert data["signed_by_recognition"] == {
        "PENDING": {"count": 2, "investment": "2700.00"},
        "RECOGNISED": {"count": 2, "investment": "11500.50"},
        "REJECTED": {"count": 1, "investment": "3000.00"},
    }
    assert data["signed_by_industry"] == [
        {"industry": "新材料", "count": 2, "investment": "2700.00"},
        {"industry": "新能源", "count": 1, "investment": "10000.00"},
        {"industry": "未设主导产业", "count": 1, "investment": "1500.50"},
    ]
    assert data["signed_by_category"] == [
        {"category": "INDUSTRY", "label": "产业", "count": 3, "investment": "12700.00"},
        {"category": "SERVICE", "label": "服务业", "count": 1, "investment": "1500.50"},
    ]
    assert data["signed_by_origin"] == [
        {"origin": "上海", "count": 2, "investment": "10700.00"},
        {"origin": "江苏", "count": 1, "investment": "2000.00"},
        {"origin": "未填来源地", "count": 1, "investment": "1500.50"},
    ]
    assert data["leads_by_state"] == {"active_in_period": 5, "in_talks": 3, "signed": 1, "lost": 1}
    assert data["since_last_year"] == {"from": "2025-01-01", "to": "2026-11-23", "trips": 5, "leads": 6,
                                       "signed": 5, "signed_investment": "23200.50"}


def test_breakdown_of_another_period(county):
    """Calendar 2025: trips 科级 (东城镇 12-31) and 其他 (西湖街道 6-1); signed 西湖街道 12-01 9 000 已认定; leads in
    talks in 2025: 东城镇's lost one, 西湖街道's first, 市发改局's → 3, on 12-31 2 of them (东城镇's was lost 12-20),
    lost in 2025: 1. 去年以来 = 2024-01-01 …: + 南山园区's trip (2024-12-31) and signing (2024-05-01, 100)."""
    data = breakdowns.breakdown(county, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert data["trips_by_rank"] == {"BUREAU": 0, "DIVISION": 0, "SECTION": 1, "OTHER": 1}
    assert data["signed_by_recognition"]["RECOGNISED"] == {"count": 1, "investment": "9000.00"}
    assert data["signed_by_recognition"]["PENDING"] == {"count": 0, "investment": None}
    assert data["leads_by_state"] == {"active_in_period": 3, "in_talks": 2, "signed": 0, "lost": 1}
    assert data["since_last_year"] == {"from": "2024-01-01", "to": "2025-12-31", "trips": 3, "leads": 3,
                                       "signed": 2, "signed_investment": "9100.00"}


def _cli(*args: str) -> dict:
    out = io.StringIO()
    call_command("indicators", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_cli_attraction_object_any_period(county):
    data = _cli("--as-of", "2026-11-23")
    work = data["attraction"]
    assert {k: work[k] for k in ("trips", "leads", "signed", "signed_investment")} == {
        "trips": 3, "leads": 5, "signed": 4, "signed_investment": "14200.50"}
    assert work["trips_by_rank"] == {"BUREAU": 1, "DIVISION": 1, "SECTION": 1, "OTHER": 0}
    assert work["signed_by_recognition"]["RECOGNISED"] == {"count": 2, "investment": "11500.50"}
    assert work["since_last_year"]["signed_investment"] == "23200.50"
    # --from/--to: calendar 2025 (the indicators stay as of --as-of, here the --to day).
    data = _cli("--from", "2025-01-01", "--to", "2025-12-31")
    assert data["as_of"] == "2025-12-31"
    work = data["attraction"]
    assert (work["from"], work["to"], work["trips"], work["leads"], work["signed"]) == (
        "2025-01-01", "2025-12-31", 2, 3, 1)
    # 南山园区 did nothing in 2025 (its leads began in 2026); 市发改局 neither signed nor travelled, but its lead was
    # in talks.
    assert data["blank_units"] == ["南山园区"]
    # One unit: 东城镇 (its trips 厅级 and 处级, its signings 10 000 已认定, 2 000 待认定, 3 000 不予认定).
    work = _cli("--as-of", "2026-11-23", "--unit", "东城镇")["attraction"]
    assert work["trips_by_rank"] == {"BUREAU": 1, "DIVISION": 1, "SECTION": 0, "OTHER": 0}
    assert work["signed_by_origin"] == [{"origin": "上海", "count": 1, "investment": "10000.00"},
                                        {"origin": "江苏", "count": 1, "investment": "2000.00"}]


def test_cli_period_errors_in_chinese(county):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不能晚于"):
        _cli("--from", "2026-12-01", "--to", "2026-11-30")
    with pytest.raises(CommandError, match="--from 应为 YYYY-MM-DD"):
        _cli("--as-of", "2026-11-23", "--from", "2026/01/01")
    with pytest.raises(CommandError, match="请用 --as-of"):
        _cli()


def test_cli_text_lists_the_breakdowns(county):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-11-23", stdout=out)
    text = out.getvalue()
    assert "外出招商按带队领导职级：厅级 1 次、处级 1 次、科级 1 次、其他 0 次" in text
    assert ("签约项目按认定状态：已认定 2 个（11500.50 万元），待认定 2 个（2700.00 万元），"
            "不予认定 1 个（3000.00 万元）") in text
    assert ("签约项目按主导产业：新材料 2 个（2700.00 万元），新能源 1 个（10000.00 万元），"
            "未设主导产业 1 个（1500.50 万元）") in text
    assert "期末在谈 3 个，期间内有洽谈或跟进 5 个（期间内签约 1 个、流失 1 个）" in text
    assert "去年以来（2025-01-01 至 2026-11-23）：外出招商 5 次，招商线索 6 个，签约项目 5 个（23200.50 万元）" in text


def _rows(units: list, n: int) -> None:
    """n of each kind of row per unit: trips, signings (one per recognition state), leads."""
    energy = Industry.objects.create(name=f"产业{len(units)}-{n}")
    for unit in units:
        for i in range(n):
            make_trip(unit, D(2026, 3, 1 + i), rank=Rank.values[i % 4], destination=f"城市{i}")
            _signed(unit, D(2026, 4, 1 + i), "100", [RECOGNISED, PENDING, REJECTED][i % 3], industry=energy,
                    origin=f"来源{i}", reason="不计入")
            make_lead(unit, start=D(2026, 5, 1 + i))


@pytest.mark.parametrize("n", [1, 2])
def test_breakdown_queries_flat(region, n):
    # 1 trips by rank · 2 signings by recognition · 3 by industry · 4 by category · 5 by origin ·
    # 6 leads active in the period · 7 leads by state (one conditional aggregate) ·
    # 8–10 去年以来: trips, leads, signings.
    units = [UnitFactory(region=region, display_order=i) for i in range(3 * n)]
    _rows(units, 2 * n)
    with CaptureQueriesContext(connection) as queries:
        data = breakdowns.breakdown([u.pk for u in units], start=START, end=END)
    assert len(queries) == breakdowns.BREAKDOWN_QUERIES == 10
    assert sum(data["trips_by_rank"].values()) == 3 * n * 2 * n


def test_work_items_page_shows_the_breakdowns(client, county, coordinator, today):
    login(client, coordinator)
    page = client.get("/attraction/work-items/").content.decode()
    section = page[page.index('id="breakdowns"'):page.index('id="blank-units"')]
    rank = section[section.index('id="trips-by-rank"'):section.index('id="signed-by-recognition"')]
    assert "<td>厅级</td><td class=\"num\">1 次</td>" in rank and "<td>其他</td><td class=\"num\">0 次</td>" in rank
    assert "<td>已认定</td><td class=\"num\">2 个</td><td class=\"num\">11,500.50 万元</td>" in section
    assert "<td>新材料</td><td class=\"num\">2 个</td><td class=\"num\">2,700.00 万元</td>" in section
    assert "<td>未填来源地</td><td class=\"num\">1 个</td>" in section
    assert "期末（2026年11月23日）在谈</td><td class=\"num\">3 个" in section
    assert "外出招商 5 次，招商线索 6 个，签约项目 5 个、签约投资 23,200.50 万元" in section
    # Another period: calendar 2025.
    page = client.get("/attraction/work-items/", {"start": "2025-01-01", "end": "2025-12-31"}).content.decode()
    section = page[page.index('id="breakdowns"'):page.index('id="blank-units"')]
    assert "<td>科级</td><td class=\"num\">1 次</td>" in section and "（2024-01-01 至 2025-12-31）" in section


def test_work_items_page_breakdowns_are_the_readers_units(client, county, reporter_a, reporter_b, leader, sysadmin,
                                                        today):
    # The owning unit's reporter: 东城镇's figures only (2 trips: 厅级, 处级; signings 10 000 + 2 000 counted).
    login(client, reporter_a)
    section = client.get("/attraction/work-items/").content.decode()
    assert "<td>厅级</td><td class=\"num\">1 次</td>" in section
    assert "<td>科级</td><td class=\"num\">0 次</td>" in section
    assert "<td>江苏</td><td class=\"num\">1 个</td>" in section
    # Another unit's reporter does not see 东城镇's: 西湖街道 has one 科级 trip and no 厅级 one.
    login(client, reporter_b)
    section = client.get("/attraction/work-items/").content.decode()
    assert "<td>厅级</td><td class=\"num\">0 次</td>" in section and "江苏" not in section
    # A reader (leader) sees the whole region's; the system administrator reads no 招商引资 (403).
    login(client, leader)
    assert "11,500.50 万元" in client.get("/attraction/work-items/").content.decode()
    login(client, sysadmin)
    assert client.get("/attraction/work-items/").status_code == 403
