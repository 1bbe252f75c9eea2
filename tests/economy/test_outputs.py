"""The outputs of a cumulative period, figures computed by hand: below target, below the parent's growth (entered
on the row or taken from the parent region's own figure), rank tables, the months below, and the CLI contract."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tadiao.economy import queries
from tests.economy.conftest import GDP, REVENUE, fig, make_town, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(county, town_a, town_b, town_c):
    # 青山市: 6.2 against its target 6.5 (−0.30) and the city's 6.8 entered on the row (−0.60).
    fig(county, GDP, value="512.36", growth="6.2", parent="6.8", rank=12)
    target(county, GDP, "6.5")
    # 白沙镇: 5.5 against 7.0 (−1.50) and against 青山市's own 6.2 (−0.70).
    fig(town_a, GDP, value="45.10", growth="5.5")
    target(town_a, GDP, "7.0")
    # 白沙镇's revenue falls 3.25% against a 5% target (−8.25); 青山市 entered no revenue: no parent to compare.
    fig(town_a, REVENUE, value="18250.5", growth="-3.25")
    target(town_a, REVENUE, "5")
    # 青石镇: 7.25 above 7.0 and above 6.2.
    fig(town_b, GDP, value="60", growth="7.25")
    target(town_b, GDP, "7.0")
    # 青石镇 exactly on its revenue target: not below.
    fig(town_b, REVENUE, value="9000", growth="4")
    target(town_b, REVENUE, "4.0")
    # 龙泉镇: no target; its row carries 上级增速 5.8, which wins over 青山市's 6.2: 6.0 is not below.
    fig(town_c, GDP, value="30", growth="6.0", parent="5.8")
    # Another period does not leak in (青石镇 1—9月 is below its target).
    fig(town_b, GDP, month=9, value="50", growth="1.0")
    return county


def test_below_target(period):
    assert queries.below_target(year=2024, month=10) == [
        {"region": "青山市", "region_code": "330999", "indicator": "GDP", "indicator_code": "GDP",
         "growth": "6.20", "target": "6.50", "gap": "-0.30"},
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "GDP", "indicator_code": "GDP",
         "growth": "5.50", "target": "7.00", "gap": "-1.50"},
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "一般公共预算收入",
         "indicator_code": "BUDGET_REVENUE", "growth": "-3.25", "target": "5.00", "gap": "-8.25"},
    ]


def test_below_parent_takes_the_row_then_the_parent_region(period):
    assert queries.below_parent(year=2024, month=10) == [
        {"region": "青山市", "region_code": "330999", "indicator": "GDP", "indicator_code": "GDP",
         "growth": "6.20", "parent": "6.80", "gap": "-0.60"},
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "GDP", "indicator_code": "GDP",
         "growth": "5.50", "parent": "6.20", "gap": "-0.70"},
    ]


def test_a_subtree_only(period, town_a):
    assert [r["region"] for r in queries.below_target(year=2024, month=10, region=town_a)] == ["白沙镇", "白沙镇"]


def test_rank_tables_rank_among_the_same_parent(period):
    tables = queries.rank_table(year=2024, month=10)
    assert [t["indicator"] for t in tables] == ["GDP", "一般公共预算收入", "规上工业增加值", "固定资产投资", "工业投资"]
    gdp = tables[0]
    assert gdp["unit"] == "亿元" and tables[1]["unit"] == "万元"
    assert [(r["region"], r["rank"], r["peers"], r["tied"]) for r in gdp["rows"]] == [
        ("青山市", 1, 1, False), ("青石镇", 1, 3, False), ("龙泉镇", 2, 3, False), ("白沙镇", 3, 3, False),
    ]
    county = gdp["rows"][0]
    assert (county["value"], county["growth"], county["target"], county["target_gap"], county["parent_growth"],
            county["parent_gap"], county["provincial_rank"]) == ("512.36", "6.20", "6.50", "-0.30", "6.80", "-0.60", 12)
    longquan = gdp["rows"][2]
    assert (longquan["target"], longquan["target_gap"], longquan["parent_growth"], longquan["parent_gap"]) == (
        None, None, "5.80", "0.20")
    assert tables[2]["rows"] == []
    only = queries.rank_table(year=2024, month=10, indicator=REVENUE)
    assert [(r["region"], r["rank"]) for r in only[0]["rows"]] == [("青石镇", 1), ("白沙镇", 2)]
    json.dumps(tables)  # plain data


def test_ties_share_a_rank(county, town_a, town_b, town_c):
    fig(town_a, growth="6.5")
    fig(town_b, growth="6.50")
    fig(town_c, growth="7")
    rows = queries.rank_table(year=2024, month=10, indicator=GDP)[0]["rows"]
    assert [(r["region"], r["rank"], r["tied"]) for r in rows] == [
        ("龙泉镇", 1, False), ("白沙镇", 2, True), ("青石镇", 2, True),
    ]


def test_months_below(period, county, town_a, town_b):
    fig(town_a, GDP, month=9, value="40", growth="6.0")  # below 7.0; 青山市 has no 1—9月: no parent
    fig(county, GDP, month=8, value="400", growth="7.0")  # above 6.5; no 上级增速
    fig(town_a, GDP, month=8, value="35", growth="6.9")  # below 7.0 and below 青山市's 7.0
    fig(town_b, GDP, year=2023, month=10, value="1", growth="0")  # another year
    assert queries.months_below(year=2024) == [
        {"region": "青山市", "region_code": "330999", "indicator": "GDP", "indicator_code": "GDP",
         "below_target": [10], "below_parent": [10]},
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "GDP", "indicator_code": "GDP",
         "below_target": [8, 9, 10], "below_parent": [8, 10]},
        {"region": "白沙镇", "region_code": "330999101000", "indicator": "一般公共预算收入",
         "indicator_code": "BUDGET_REVENUE", "below_target": [10], "below_parent": []},
        # 青石镇's 1—9月 1.0% against its 7.0; 青山市 has no 1—9月: no parent.
        {"region": "青石镇", "region_code": "330999102000", "indicator": "GDP", "indicator_code": "GDP",
         "below_target": [9], "below_parent": []},
    ]


def _towns(county, count, start=200):
    for number in range(start, start + count):
        town = make_town(county, number, f"第{number}镇")
        fig(town, GDP, growth="5", month=10)
        fig(town, GDP, growth="4", month=9)
        fig(town, REVENUE, growth="1")
        target(town, GDP, "6")


@pytest.mark.parametrize("count", [5, 10])
def test_outputs_are_one_query_each_at_n_and_2n_regions(county, count, django_assert_num_queries):
    fig(county, GDP, growth="6", parent="7")
    _towns(county, count)
    with django_assert_num_queries(1):  # the period's figures with their target and parent's growth
        assert len(queries.below_target(year=2024, month=10)) == count
    with django_assert_num_queries(1):  # the same
        assert len(queries.below_parent(year=2024, month=10)) == count + 1
    with django_assert_num_queries(1):  # the same
        assert len(queries.rank_table(year=2024, month=10)[0]["rows"]) == count + 1
    with django_assert_num_queries(1):  # the year's figures with their target and parent's growth
        assert len(queries.months_below(year=2024)) == count + 1
    with django_assert_num_queries(2):  # the period's figures; the year's figures
        data = queries.overview(year=2024, month=10)
    assert len(data["below_target"]) == count and json.dumps(data)


def _cli(*args) -> str:
    out = io.StringIO()
    call_command("economy", *args, stdout=out)
    return out.getvalue()


def test_cli_json_contract(period):
    # Issue 16 added keys (the full tables) beside these two; the two stay exactly as they were.
    data = json.loads(_cli("--period", "2024-10", "--json"))
    assert {key: data[key] for key in ("below_target", "below_parent")} == {
        "below_target": [
            {"region": "青山市", "indicator": "GDP", "growth": "6.20", "target": "6.50", "gap": "-0.30"},
            {"region": "白沙镇", "indicator": "GDP", "growth": "5.50", "target": "7.00", "gap": "-1.50"},
            {"region": "白沙镇", "indicator": "一般公共预算收入", "growth": "-3.25", "target": "5.00", "gap": "-8.25"},
        ],
        "below_parent": [
            {"region": "青山市", "indicator": "GDP", "growth": "6.20", "parent": "6.80", "gap": "-0.60"},
            {"region": "白沙镇", "indicator": "GDP", "growth": "5.50", "parent": "6.20", "gap": "-0.70"},
        ],
    }


def test_cli_text_and_errors(period):
    text = _cli("--period", "2024-10")
    assert "2024年1—10月增速低于年度目标：3 项" in text
    assert "白沙镇 一般公共预算收入：增长 -3.25%，目标 5.00%，差 -8.25 个百分点" in text
    assert _cli("--period", "2024-01") == "2024年1月尚未录入经济指标。\n"
    empty = json.loads(_cli("--period", "2030-12", "--json"))
    assert {key: empty[key] for key in ("below_target", "below_parent")} == {"below_target": [], "below_parent": []}
    for bad in ("2024-13", "2024/10", "十月"):
        with pytest.raises(CommandError, match="YYYY-MM"):
            _cli("--period", bad)
