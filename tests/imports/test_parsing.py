"""The pure cell parsers and header folding: every accepted spelling, and the message for a bad one."""

import datetime
from decimal import Decimal

import pytest

from tadiao.imports import parsing, sheets
from tadiao.lib.xlsx import fold, map_columns
from tadiao.projects.models import Level, Nature

D = datetime.date(2024, 3, 5)


@pytest.mark.parametrize("value", [
    "2024-03-05", "2024/3/5", "2024年3月5日", "2024.3.5", "2024-3-5", " 2024/03/05 ", "2024年03月05日",
    "２０２４－０３－０５",  # full-width digits and hyphen, typed with a Chinese input method
    "2024 年 3 月 5 日", "2024-03-05 00:00:00", D, datetime.datetime(2024, 3, 5, 10, 30),
    45356, 45356.0, 45356.75,  # Excel serial day numbers (45356 = 2024-03-05), a time part ignored
])
def test_dates_in_every_accepted_form(value):
    assert parsing.parse_date(value) == D


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_date_is_none(value):
    assert parsing.parse_date(value) is None


@pytest.mark.parametrize(("value", "message"), [
    ("2024-13-05", "不是有效的日期"),
    ("2024-02-30", "不是有效的日期"),
    ("2024/3-5", "无法识别为日期"),  # mixed separators
    ("明年三月", "无法识别为日期"),
    ("20240305", "无法识别为日期"),
    ("1913-09-08", "超出合理范围"),
    (5000, "超出合理范围"),  # a money figure typed into a date column: 1913-09-08
    (True, "无法识别为日期"),
    (-3, "无法识别为日期"),
])
def test_bad_dates_say_why(value, message):
    with pytest.raises(parsing.CellError, match=message):
        parsing.parse_date(value)


@pytest.mark.parametrize(("value", "expected"), [
    (5000, Decimal("5000.00")), (5000.0, Decimal("5000.00")), (1234.56, Decimal("1234.56")),
    ("1,234.5", Decimal("1234.50")), ("１２，３４５．６", Decimal("12345.60")), ("800万元", Decimal("800.00")),
    (0.1 + 0.2, Decimal("0.30")),  # 0.30000000000000004: float noise from an Excel formula, not a 3rd decimal
    ("0", Decimal("0.00")), (" 12 ", Decimal("12.00")),
])
def test_money(value, expected):
    assert parsing.parse_money(value) == expected
    assert str(parsing.parse_money(value)) == str(expected)  # always two decimals: re-import compares equal


@pytest.mark.parametrize(("value", "message"), [
    (-1, "不能为负数"), ("-0.5", "不能为负数"), (1.234, "最多保留两位小数"), ("12.345", "最多保留两位小数"),
    ("1,23", "千分位"), ("abc", "不是有效的数字"), ("NaN", "不是有效的数字"), (True, "应填写数字"),
    (D, "不能是日期"), (Decimal("1e14"), "数额过大"),
])
def test_bad_money(value, message):
    with pytest.raises(parsing.CellError, match=message):
        parsing.parse_money(value)


def test_empty_money_is_none():
    assert parsing.parse_money("") is None
    assert parsing.parse_money(None) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("省重点", Level.PROVINCIAL), ("县区重点", Level.COUNTY), ("县重点", Level.COUNTY), ("区重点", Level.COUNTY),
    ("县（区）重点", Level.COUNTY), ("县(区)重点", Level.COUNTY), (" 国家重点 ", Level.NATIONAL),
    ("一般", Level.GENERAL), ("一般项目", Level.GENERAL),
])
def test_level_by_label_and_synonym(value, expected):
    assert parsing.parse_choice(value, choices=sheets.labels(Level), synonyms=sheets.LEVEL_SYNONYMS) == expected


def test_unknown_choice_lists_the_labels():
    with pytest.raises(parsing.CellError) as exc:
        parsing.parse_choice("特别重点", choices=sheets.labels(Level), synonyms=sheets.LEVEL_SYNONYMS)
    assert str(exc.value) == "“特别重点”不是有效的选项，可填：国家重点、省重点、市重点、县区重点、一般。"


def test_nature_synonym():
    assert parsing.parse_choice("新开工", choices=sheets.labels(Nature), synonyms=sheets.NATURE_SYNONYMS) == Nature.NEW


def test_tags_split_on_every_separator():
    assert parsing.split_tags("智能化改造、专项债;招商引资；民生实事,甲，乙、专项债、 ") == [
        "智能化改造", "专项债", "招商引资", "民生实事", "甲", "乙",
    ]
    assert parsing.split_tags("") == []


def test_project_code():
    assert parsing.parse_project_code(" 2024-330182-04-01-123456 ") == "2024-330182-04-01-123456"
    assert parsing.parse_project_code("２０２４－３３０１８２－０４－０１－１２３４５６") == "2024-330182-04-01-123456"
    assert parsing.parse_project_code("2024—330182—04—01—123456") == "2024-330182-04-01-123456"  # Chinese dashes
    assert parsing.parse_project_code("") == ""
    with pytest.raises(parsing.CellError, match="格式不正确"):
        parsing.parse_project_code("2024-33018-04-01-123456")


def test_integers_and_region_codes():
    assert parsing.parse_int(3.0) == 3
    assert parsing.parse_int(" 12 ") == 12
    with pytest.raises(parsing.CellError, match="整数"):
        parsing.parse_int(2.5)
    with pytest.raises(parsing.CellError, match="不能小于 0"):
        parsing.parse_int(-1)
    assert parsing.parse_region_code(330999.0) == "330999"  # Excel turned the code into a number
    with pytest.raises(parsing.CellError, match="区划代码"):
        parsing.parse_region_code("33099")


def test_cell_text():
    assert parsing.cell_text(2024.0) == "2024"
    assert parsing.cell_text("  东城镇 ") == "东城镇"
    assert parsing.cell_text(D) == "2024-03-05"


def test_header_folding():
    assert fold("总投资（万元）") == fold("总投资(万元)") == fold(" 总投资 ( 万元 ) ") == "总投资(万元)"
    assert fold(" 项目 名称") == fold("项目\u3000名称") == fold("项目\u200b名称") == "项目名称"
    positions, missing = map_columns(
        ["*项目 名称", "总投资(万元)", "其他列", "立项（备案）日期"],
        {"name": ("项目名称",), "money": ("总投资（万元）",), "approved": ("立项日期", "立项（备案）日期"),
         "code": ("项目代码",)},
    )
    assert positions == {"name": 0, "money": 1, "approved": 3}
    assert missing == ["项目代码"]
