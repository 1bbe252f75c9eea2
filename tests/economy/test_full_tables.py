"""Issue 16 point 3, the full economic tables: every region's figure against its target and its parent's growth,
完成较好, the counts per kind of region, several periods in one call — on a small county whose every figure is
worked out by hand in the comments."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tadiao.economy import queries
from tadiao.org.models import Region
from tests.conftest import login
from tests.economy.conftest import GDP, REVENUE, fig, make_town, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_2024(county):
    """青山市 (330999) with two 街道 (001, 002), two 镇 (101, 102) and a 乡 (201).

    GDP, 1—11月 2024, against 青山市's own 6.2 for the towns:
      青山市   6.2   target 6.5 → below (−0.30); 上级 6.8 entered on the row → below (−0.60); 全省第 12
      城关街道 6.8   target 6.5 → above (+0.30); 6.2 → above (+0.60)              → 完成较好
      东湖街道 6.2   target 6.0 → above (+0.20); 6.2 → equal (0.00)               → 完成较好 (equal is not below)
      白沙镇   5.5   target 7.0 → below (−1.50); 6.2 → below (−0.70)
      青石镇   7.25  target 7.0 → above (+0.25); 6.2 → above (+1.05)              → 完成较好
      云岭乡   6.0   no target;                  6.2 → below (−0.20)              → not judged 完成较好
    一般公共预算收入: 白沙镇 −3.25 against 5 → below (−8.25); 青山市 entered none: no parent.
    Ranks among 青山市's towns by GDP growth: 青石镇 1, 城关街道 2, 东湖街道 3, 云岭乡 4, 白沙镇 5 (of 5).
    """
    towns = {
        "城关街道": make_town(county, 1, "城关街道"),
        "东湖街道": make_town(county, 2, "东湖街道"),
        "白沙镇": make_town(county, 101, "白沙镇"),
        "青石镇": make_town(county, 102, "青石镇"),
        "云岭乡": make_town(county, 201, "云岭乡"),
    }
    fig(county, GDP, month=11, value="512.36", growth="6.2", parent="6.8", rank=12)
    target(county, GDP, "6.5")
    for name, value, growth, goal in (("城关街道", "80", "6.8", "6.5"), ("东湖街道", "70", "6.2", "6.0"),
                                      ("白沙镇", "45.10", "5.5", "7.0"), ("青石镇", "60", "7.25", "7.0"),
                                      ("云岭乡", "20", "6.0", None)):
        fig(towns[name], GDP, month=11, value=value, growth=growth)
        if goal:
            target(towns[name], GDP, goal)
    fig(towns["白沙镇"], REVENUE, month=11, value="18250.5", growth="-3.25")
    target(towns["白沙镇"], REVENUE, "5")
    # 2023年1—12月: 青山市 7.0 against 7.5 (−0.50) and 6.5 on its row (+0.50); 白沙镇 8.0 against 7.0 (+1.00)
    # and 青山市's 7.0 (+1.00) → 完成较好.
    fig(county, GDP, year=2023, month=12, value="600", growth="7.0", parent="6.5")
    target(county, GDP, "7.5", year=2023)
    fig(towns["白沙镇"], GDP, year=2023, month=12, value="50", growth="8.0")
    target(towns["白沙镇"], GDP, "7.0", year=2023)
    return towns


def _row(table, region, indicator=GDP):
    (row,) = [r for r in table if r["region"] == region and r["indicator_code"] == indicator]
    return row


def test_region_kinds_follow_the_statistical_code():
    assert queries.region_kind("330999", Region.Level.COUNTY) == "COUNTY"
    assert queries.region_kind("330000", Region.Level.PROVINCE) == "PROVINCE"
    assert queries.region_kind("330999001000", Region.Level.TOWNSHIP) == "STREET"
    assert queries.region_kind("330999099000", Region.Level.TOWNSHIP) == "STREET"
    assert queries.region_kind("330999100000", Region.Level.TOWNSHIP) == "TOWN"
    assert queries.region_kind("330999199000", Region.Level.TOWNSHIP) == "TOWN"
    assert queries.region_kind("330999200000", Region.Level.TOWNSHIP) == "TOWNSHIP"
    assert queries.region_kind("330999399000", Region.Level.TOWNSHIP) == "TOWNSHIP"
    assert queries.region_kind("330999400000", Region.Level.TOWNSHIP) == "OTHER"  # 类似乡级单位 (开发区)
    assert queries.region_kind("330999000000", Region.Level.TOWNSHIP) == "OTHER"


def test_the_full_table(county_2024):
    data = queries.period_tables(year=2024, month=11)
    assert (data["period"], data["label"]) == ("2024-11", "2024年1—11月")
    table = data["table"]
    # Region code order, then indicator order; the 2023 figures stay out.
    assert [(r["region"], r["indicator_code"]) for r in table] == [
        ("青山市", GDP), ("城关街道", GDP), ("东湖街道", GDP), ("白沙镇", GDP), ("白沙镇", REVENUE), ("青石镇", GDP),
        ("云岭乡", GDP),
    ]
    county = _row(table, "青山市")
    assert {k: county[k] for k in ("region_code", "kind", "kind_label", "unit", "value", "growth", "target",
                                   "target_gap", "vs_target", "parent_growth", "parent_gap", "vs_parent",
                                   "provincial_rank", "rank", "peers", "done_well")} == {
        "region_code": "330999", "kind": "COUNTY", "kind_label": "县（市、区）", "unit": "亿元", "value": "512.36",
        "growth": "6.20", "target": "6.50", "target_gap": "-0.30", "vs_target": "below", "parent_growth": "6.80",
        "parent_gap": "-0.60", "vs_parent": "below", "provincial_rank": 12, "rank": 1, "peers": 1,
        "done_well": False,
    }
    keys = ("kind", "growth", "target_gap", "vs_target", "parent_growth", "parent_gap", "vs_parent", "rank",
            "peers", "done_well", "provincial_rank")
    expected = {
        "城关街道": ("STREET", "6.80", "0.30", "above", "6.20", "0.60", "above", 2, 5, True, None),
        "东湖街道": ("STREET", "6.20", "0.20", "above", "6.20", "0.00", "equal", 3, 5, True, None),
        "白沙镇": ("TOWN", "5.50", "-1.50", "below", "6.20", "-0.70", "below", 5, 5, False, None),
        "青石镇": ("TOWN", "7.25", "0.25", "above", "6.20", "1.05", "above", 1, 5, True, None),
        "云岭乡": ("TOWNSHIP", "6.00", None, None, "6.20", "-0.20", "below", 4, 5, False, None),
    }
    for region, values in expected.items():
        assert tuple(_row(table, region)[k] for k in keys) == values, region
    revenue = _row(table, "白沙镇", REVENUE)
    assert (revenue["unit"], revenue["value"], revenue["target_gap"], revenue["vs_target"], revenue["parent_growth"],
            revenue["vs_parent"], revenue["done_well"], revenue["rank"], revenue["peers"]) == (
        "万元", "18250.50", "-8.25", "below", None, None, False, 1, 1)
    json.dumps(data)  # plain data


def test_done_well_and_the_lists_below(county_2024):
    data = queries.period_tables(year=2024, month=11)
    assert data["done_well"] == [
        {"region": "城关街道", "region_code": "330999001000", "indicator": "GDP", "indicator_code": GDP,
         "growth": "6.80", "target": "6.50", "target_gap": "0.30", "parent": "6.20", "parent_gap": "0.60"},
        {"region": "东湖街道", "region_code": "330999002000", "indicator": "GDP", "indicator_code": GDP,
         "growth": "6.20", "target": "6.00", "target_gap": "0.20", "parent": "6.20", "parent_gap": "0.00"},
        {"region": "青石镇", "region_code": "330999102000", "indicator": "GDP", "indicator_code": GDP,
         "growth": "7.25", "target": "7.00", "target_gap": "0.25", "parent": "6.20", "parent_gap": "1.05"},
    ]
    assert [(r["region"], r["indicator_code"]) for r in data["below_target"]] == [
        ("青山市", GDP), ("白沙镇", GDP), ("白沙镇", REVENUE)]
    assert [(r["region"], r["gap"]) for r in data["below_parent"]] == [
        ("青山市", "-0.60"), ("白沙镇", "-0.70"), ("云岭乡", "-0.20")]


def test_counts_by_kind(county_2024):
    def counts(regions, with_target, below_target, with_parent, below_parent, done_well):
        return {"regions": regions, "with_target": with_target, "below_target": below_target,
                "with_parent": with_parent, "below_parent": below_parent, "done_well": done_well}

    assert queries.period_tables(year=2024, month=11)["counts_by_kind"] == [
        {"kind": "COUNTY", "label": "县（市、区）", "regions": 1, "below_target": 1, "below_parent": 1,
         "indicators": {GDP: counts(1, 1, 1, 1, 1, 0)}},
        # Both 街道 done well in GDP.
        {"kind": "STREET", "label": "街道", "regions": 2, "below_target": 0, "below_parent": 0,
         "indicators": {GDP: counts(2, 2, 0, 2, 0, 2)}},
        # 白沙镇 below in both indicators counts once among the regions of the kind; 青石镇 done well.
        {"kind": "TOWN", "label": "镇", "regions": 2, "below_target": 1, "below_parent": 1,
         "indicators": {GDP: counts(2, 2, 1, 2, 1, 1), REVENUE: counts(1, 1, 1, 0, 0, 0)}},
        # 云岭乡: no target, below 青山市.
        {"kind": "TOWNSHIP", "label": "乡", "regions": 1, "below_target": 0, "below_parent": 1,
         "indicators": {GDP: counts(1, 0, 0, 1, 1, 0)}},
    ]


def _cli(*args) -> str:
    out = io.StringIO()
    call_command("economy", *args, stdout=out)
    return out.getvalue()


def test_cli_one_period_keeps_its_keys_and_adds_the_tables(county_2024):
    data = json.loads(_cli("--period", "2024-11", "--json"))
    assert list(data) == ["below_target", "below_parent", "period", "label", "table", "done_well", "counts_by_kind"]
    # The two lists keep their five keys each.
    assert data["below_target"][0] == {"region": "青山市", "indicator": "GDP", "growth": "6.20", "target": "6.50",
                                       "gap": "-0.30"}
    assert data["below_parent"][2] == {"region": "云岭乡", "indicator": "GDP", "growth": "6.00", "parent": "6.20",
                                       "gap": "-0.20"}
    assert data["period"] == "2024-11" and len(data["table"]) == 7
    assert [r["region"] for r in data["done_well"]] == ["城关街道", "东湖街道", "青石镇"]
    assert [k["kind"] for k in data["counts_by_kind"]] == ["COUNTY", "STREET", "TOWN", "TOWNSHIP"]


def test_cli_several_periods(county_2024):
    data = json.loads(_cli("--period", "2024-11", "--period", "2023-12", "--json"))
    assert list(data) == ["periods"]
    first, second = data["periods"]
    assert first == json.loads(_cli("--period", "2024-11", "--json"))
    assert (second["period"], second["label"]) == ("2023-12", "2023年1—12月")
    assert second["below_target"] == [
        {"region": "青山市", "indicator": "GDP", "growth": "7.00", "target": "7.50", "gap": "-0.50"}]
    assert second["below_parent"] == []
    assert second["done_well"] == [
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "GDP", "indicator_code": GDP,
         "growth": "8.00", "target": "7.00", "target_gap": "1.00", "parent": "7.00", "parent_gap": "1.00"}]
    county = _row(second["table"], "青山市")
    assert (county["vs_target"], county["parent_gap"], county["vs_parent"]) == ("below", "0.50", "above")
    # The same period twice is given once.
    assert list(json.loads(_cli("--period", "2024-11", "--period", "2024-11", "--json"))) == list(first)


def test_cli_text(county_2024):
    text = _cli("--period", "2024-11", "--period", "2023-12")
    assert "2024年1—11月完成较好（不低于目标和上级增速）：3 项" in text
    assert "  青石镇 GDP：增长 7.25%，目标 7.00%，上级 6.20%" in text
    assert "  镇 2 个，低于目标 1 个，低于上级 1 个（至少一项指标）" in text
    assert "    一般公共预算收入：1 个，低于目标 1 个，低于上级 0 个，完成较好 0 个" in text
    assert "  青山市 GDP：512.36 亿元，增长 6.20%（目标 6.50%，低于；上级 6.80%，低于），全省第 12 位" in text
    assert "  云岭乡 GDP：20.00 亿元，增长 6.00%（未设目标；上级 6.20%，低于）" in text
    assert "  白沙镇 一般公共预算收入：18250.50 万元，增长 -3.25%（目标 5.00%，低于；无上级增速）" in text
    assert "2023年1—12月增速低于年度目标：1 项" in text
    with pytest.raises(CommandError, match=r"YYYY-MM.*2023-13"):
        _cli("--period", "2024-11", "--period", "2023-13")


@pytest.mark.parametrize("count", [4, 8])
def test_the_tables_are_one_query_at_n_and_2n_regions(client, coordinator, county, count,
                                                      django_assert_num_queries):
    fig(county, GDP, growth="6", parent="7")
    for number in range(count):
        # Alternately a 街道 (below 6: target 6.5) and a 镇 (7 ≥ 6.5 and ≥ 6: done well).
        code = 1 + number if number % 2 == 0 else 101 + number
        town = make_town(county, code, f"第{number}镇")
        fig(town, GDP, growth="5" if number % 2 == 0 else "7")
        target(town, GDP, "6.5")
    with django_assert_num_queries(1):  # the period's figures with their target, parent's growth and level
        data = queries.period_tables(year=2024, month=10)
    assert len(data["table"]) == count + 1 and len(data["done_well"]) == count // 2
    assert [(k["kind"], k["regions"], k["below_target"]) for k in data["counts_by_kind"]] == [
        ("COUNTY", 1, 0), ("STREET", count // 2, count // 2), ("TOWN", count // 2, 0)]
    login(client, coordinator)
    # The page: session, user, the user's unit and region (scope), the period's figures, the year's figures.
    with django_assert_num_queries(6):
        page = client.get("/economy/?period=2024-10").content.decode()
    assert f"完成较好（不低于目标增速和上级增速）：{count // 2} 项" in page


def test_the_page_shows_done_well_counts_and_standing(client, coordinator, county_2024):
    login(client, coordinator)
    page = client.get("/economy/?period=2024-11").content.decode()
    done = page[page.index('id="done-well"'):page.index('id="counts-by-kind"')]
    assert "完成较好（不低于目标增速和上级增速）：3 项" in done
    assert "<td>东湖街道</td><td>GDP</td>" in done and "+0.0 个百分点" in done and "白沙镇" not in done
    kinds = re.sub(r">\s+<", "><", page[page.index('id="counts-by-kind"'):page.index('id="rank-gdp"')])
    assert kinds.index("县（市、区）") < kinds.index("街道") < kinds.index(">镇<") < kinds.index(">乡<")
    # 镇, any indicator: 2 regions, 1 below target, 1 below parent.
    assert ('<td>镇</td><td>任一指标</td><td class="num">2</td><td class="num">—</td><td class="num">1</td>'
            '<td class="num">—</td><td class="num">1</td>') in kinds
    ranks = page[page.index('id="rank-gdp"'):page.index('id="rank-budget_revenue"')]
    assert '<td class="standing">完成较好</td>' in ranks
    assert '<td class="standing">未设目标、低于上级</td>' in ranks
    assert '<td class="standing">低于目标、低于上级</td>' in ranks

