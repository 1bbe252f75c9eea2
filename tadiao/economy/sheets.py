"""The import sheet 经济指标: its columns and a pure parser of one row (no queries).

The imports framework reads the workbook, maps the headers with lib.xlsx.map_columns(header, ECONOMY_COLUMNS |
ECONOMY_OPTIONAL_COLUMNS) and hands the rows (Excel line + raw cells by column key) to services.import_figures.
A row names its region by 区划代码 or by 区划名称 (at least one of the two columns must be there).
"""

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tadiao.economy.models import MIN_GROWTH, Indicator
from tadiao.imports import parsing
from tadiao.lib.xlsx import fold
from tadiao.org.models import Region

ECONOMY_SHEET = "经济指标"
# key → (header, *accepted variants); headers are compared folded (full-/half-width, spaces). The first required
# column marks the header row.
ECONOMY_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("年月", "期间", "统计期间", "截至年月"),
    "indicator": ("指标", "指标名称"),
    "value": ("本期累计值", "累计值", "本期累计"),
    "growth": ("增速（%）", "增速", "增长（%）", "同比增长（%）", "累计增速（%）"),
}
REGION_COLUMNS: dict[str, tuple[str, ...]] = {
    "region_code": ("区划代码", "行政区划代码"),
    "region_name": ("区划名称", "地区", "行政区划"),
}
ECONOMY_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    **REGION_COLUMNS,
    "target": ("目标增速（%）", "目标增速", "年度目标增速（%）"),
    "parent_growth": ("上级增速（%）", "上级增速"),
    "provincial_rank": ("全省排名", "全省位次"),
}
EXAMPLE_MARK = parsing.EXAMPLE_MARK

INDICATOR_SYNONYMS = {
    "地区生产总值": Indicator.GDP, "生产总值": Indicator.GDP, "地区生产总值(GDP)": Indicator.GDP,
    "一般预算收入": Indicator.BUDGET_REVENUE, "一般公共预算收入(地方)": Indicator.BUDGET_REVENUE,
    "规模以上工业增加值": Indicator.INDUSTRIAL_VALUE_ADDED, "规上工业": Indicator.INDUSTRIAL_VALUE_ADDED,
    "固投": Indicator.FIXED_ASSET_INVESTMENT, "固定资产投资额": Indicator.FIXED_ASSET_INVESTMENT,
    "工业性投资": Indicator.INDUSTRIAL_INVESTMENT,
}
parse_indicator = parsing.choice_parser(choices={label: code for code, label in Indicator.choices},
                                        synonyms=INDICATOR_SYNONYMS)
_LABELS = {key: names[0] for key, names in {**ECONOMY_COLUMNS, **ECONOMY_OPTIONAL_COLUMNS}.items()}
# 2024年1—10月, 2024年1-10月 (how bulletins write the period) besides every month form parse_month reads.
_CUMULATIVE = re.compile(r"(\d{4})年?1[-—–~至](\d{1,2})月?")
GROWTH_LIMIT = Decimal(100000)  # DecimalField(max_digits=7, decimal_places=2)
RANK_LIMIT = 32767  # PositiveSmallIntegerField


def parse_period(value: Any) -> tuple[int, int] | None:
    """A cumulative period as (year, month): 2024-10, 2024/10, 2024年10月, 2024年1—10月, or an Excel date."""
    text = unicodedata.normalize("NFKC", parsing.cell_text(value)).replace(" ", "")
    if match := _CUMULATIVE.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise parsing.CellError(f"“{text}”不是有效的期间（月份应为 1—12）。")
        if not parsing.PLAN_MIN_YEAR <= year <= parsing.PLAN_MAX_YEAR:
            raise parsing.CellError(f"{year}年超出合理范围（{parsing.PLAN_MIN_YEAR}—{parsing.PLAN_MAX_YEAR} 年）。")
        return year, month
    month_start = parsing.parse_month(value)
    return None if month_start is None else (month_start.year, month_start.month)


def parse_growth(value: Any) -> Decimal | None:
    """A growth rate in percent: 6.5, "6.5", "6.5%", "-3.25"; at most two decimals, not below −100."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise parsing.CellError("应填写数字（百分数，如 6.5）。")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise parsing.CellError("应填写数字（百分数，如 6.5）。")
        number = Decimal(repr(value))
        rounded = number.quantize(parsing.CENT, rounding=ROUND_HALF_UP)
        # Excel's binary noise (6.499999999999999) is not a third decimal the user typed.
        if abs(number - rounded) < Decimal("0.000001"):
            number = rounded
    elif isinstance(value, str):
        original = value.strip()
        text = "".join(unicodedata.normalize("NFKC", original).split()).translate(
            str.maketrans({c: "-" for c in "‐‑‒–—―−"})).removesuffix("%")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise parsing.CellError(f"“{original}”不是有效的数字（百分数，如 6.5）。") from exc
        if not number.is_finite():
            raise parsing.CellError(f"“{original}”不是有效的数字（百分数，如 6.5）。")
    else:
        raise parsing.CellError(f"应填写数字（百分数，如 6.5），不能是日期（{parsing.cell_text(value)}）。")
    if number != number.quantize(parsing.CENT, rounding=ROUND_HALF_UP):
        raise parsing.CellError(f"最多保留两位小数（{parsing.cell_text(value)}）。")
    if number < MIN_GROWTH:
        raise parsing.CellError(f"不能低于 {MIN_GROWTH}%（{parsing.cell_text(value)}）。")
    if abs(number) >= GROWTH_LIMIT:
        raise parsing.CellError(f"数值过大（{parsing.cell_text(value)}），请检查是否填错。")
    return number.quantize(parsing.CENT)


@dataclass
class Regions:
    """The regions an importer may name: by code and by folded name (a name may be shared), and the ids it may
    write (None: all, the operator at the command line)."""

    by_code: dict[str, Region]
    by_name: dict[str, list[Region]]
    writable: set[int] | None

    @classmethod
    def of(cls, regions: list[Region], writable: set[int] | None) -> "Regions":
        by_name: dict[str, list[Region]] = {}
        for region in regions:
            by_name.setdefault(fold(region.name), []).append(region)
        return cls(by_code={r.code: r for r in regions}, by_name=by_name, writable=writable)

    def may_write(self, region: Region) -> bool:
        return self.writable is None or region.pk in self.writable


@dataclass
class ParsedFigure:
    """One row's clean values (model field → value, the region as an object), or its errors."""

    values: dict[str, Any] = field(default_factory=dict)
    target: Decimal | None = None
    errors: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        """What identifies a figure: the region, the period and the indicator."""
        v = self.values
        return (v["region"].pk, v["year"], v["month"], v["indicator"])

    def target_key(self) -> tuple:
        v = self.values
        return (v["region"].pk, v["year"], v["indicator"])


def _cell(values: Mapping[str, Any], key: str, parse, errors: list[str], *, required: bool = False):
    try:
        value = parse(values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{_LABELS[key]}：{exc}")
        return None
    if value is None and required:
        errors.append(f"{_LABELS[key]}不能为空。")
    return value


def _region(values: Mapping[str, Any], regions: Regions, errors: list[str]) -> Region | None:
    code_text = parsing.cell_text(values.get("region_code", ""))
    name = parsing.cell_text(values.get("region_name", ""))
    if code_text.startswith(EXAMPLE_MARK) or name.startswith(EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
        return None
    if code_text:
        try:
            code = parsing.parse_region_code(values.get("region_code"))
        except parsing.CellError as exc:
            errors.append(f"区划代码：{exc}")
            return None
        region = regions.by_code.get(code)
        if region is None or not regions.may_write(region):
            errors.append(f"区划代码“{code}”不存在或不在您的管理范围内。")
            return None
        if name and fold(name) != fold(region.name):
            errors.append(f"区划代码“{code}”是“{region.name}”，与区划名称“{name}”不一致。")
            return None
        return region
    if not name:
        errors.append("区划代码和区划名称不能都为空。")
        return None
    found = [r for r in regions.by_name.get(fold(name), []) if regions.may_write(r)]
    if not found:
        errors.append(f"区划“{name}”不存在或不在您的管理范围内。")
        return None
    if len(found) > 1:
        errors.append(f"区划名称“{name}”有重名（{'、'.join(r.code for r in found)}），请填写区划代码。")
        return None
    return found[0]


def parse_figure_row(values: Mapping[str, Any], *, regions: Regions) -> ParsedFigure:
    """Every cell of one row of 经济指标, with every error of the row in column order (no queries).

    Optional columns absent from the sheet are absent from `values` and from the result's values: the
    service then keeps what is stored.
    """
    result = ParsedFigure()
    errors = result.errors
    region = _region(values, regions, errors)
    period = _cell(values, "period", parse_period, errors, required=True)
    indicator = _cell(values, "indicator", parse_indicator, errors, required=True)
    value = _cell(values, "value", parsing.parse_money, errors, required=True)
    growth = _cell(values, "growth", parse_growth, errors, required=True)
    target = _cell(values, "target", parse_growth, errors)
    parent_growth = _cell(values, "parent_growth", parse_growth, errors)
    rank = _cell(values, "provincial_rank", lambda v: parsing.parse_int(v, minimum=1), errors)
    if rank is not None and rank > RANK_LIMIT:
        errors.append(f"全省排名过大（{rank}）。")
    if errors:
        return result
    result.values = {"region": region, "year": period[0], "month": period[1], "indicator": indicator,
                     "value": value, "growth": growth}
    if "parent_growth" in values:
        result.values["parent_growth"] = parent_growth
    if "provincial_rank" in values:
        result.values["provincial_rank"] = rank
    result.target = target
    return result

