"""The import sheet 外出招商: its columns and a pure parser of one row (no queries).

The imports framework reads the workbook, maps the headers with lib.xlsx.map_columns(header, TRIP_COLUMNS |
TRIP_OPTIONAL_COLUMNS) and hands the rows (Excel line + raw cells by column key) to services.import_trips.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tadiao.attraction.models import Rank, Trip
from tadiao.imports import parsing
from tadiao.lib.xlsx import fold
from tadiao.org.models import Unit

TRIP_SHEET = "外出招商"
# key → (header, *accepted variants); headers are compared folded (full-/half-width, spaces).
TRIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "单位名称", "责任单位"),
    "departure_date": ("出发日期",),
    "return_date": ("返回日期",),
    "leading_cadre": ("带队领导",),
    "rank": ("职级", "带队领导职级"),
    "destination": ("目的地",),
    "firms_visited": ("拜访企业",),
    "results": ("取得成果",),
}
TRIP_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"next_step": ("下一步工作", "下一步")}
EXAMPLE_MARK = parsing.EXAMPLE_MARK

RANK_SYNONYMS = {
    "正厅级": Rank.BUREAU, "副厅级": Rank.BUREAU, "厅局级": Rank.BUREAU, "正厅": Rank.BUREAU, "副厅": Rank.BUREAU,
    "正处级": Rank.DIVISION, "副处级": Rank.DIVISION, "县处级": Rank.DIVISION, "正处": Rank.DIVISION,
    "副处": Rank.DIVISION,
    "正科级": Rank.SECTION, "副科级": Rank.SECTION, "乡科级": Rank.SECTION, "正科": Rank.SECTION,
    "副科": Rank.SECTION,
    "其它": Rank.OTHER,
}
parse_rank = parsing.choice_parser(choices={label: code for code, label in Rank.choices}, synonyms=RANK_SYNONYMS)

# Text limits: the model's columns.
_MAX = {name: Trip._meta.get_field(name).max_length for name in ("leading_cadre", "destination")}
_LABELS = {key: names[0] for key, names in {**TRIP_COLUMNS, **TRIP_OPTIONAL_COLUMNS}.items()}


@dataclass
class ParsedTrip:
    """One row's clean values (model field → value, the unit as an object), or its errors."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        """What identifies a trip: the unit, the day, the cadre and the destination."""
        v = self.values
        return (v["unit"].pk, v["departure_date"], v["leading_cadre"], v["destination"])


def _cell(values: Mapping[str, Any], key: str, parse, errors: list[str]):
    try:
        return parse(values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{_LABELS[key]}：{exc}")
        return None


def _text(values: Mapping[str, Any], key: str, errors: list[str], *, required: bool) -> str:
    text = parsing.cell_text(values.get(key, ""))
    if required and not text:
        errors.append(f"{_LABELS[key]}不能为空。")
    limit = _MAX.get(key)
    if limit and len(text) > limit:
        errors.append(f"{_LABELS[key]}过长（{len(text)} 字），最多 {limit} 字。")
    return text


def parse_trip_row(
    values: Mapping[str, Any], *, units: Mapping[str, Unit], writable: set[int] | None
) -> ParsedTrip:
    """Every cell of one row of 外出招商, with every error of the row in column order (no queries).

    `units`: the units by folded name; `writable`: the unit ids the importer may write (None: all).
    """
    result = ParsedTrip()
    errors = result.errors
    name = parsing.cell_text(values.get("unit", ""))
    unit = None
    if not name:
        errors.append("单位不能为空。")
    elif name.startswith(EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
    else:
        unit = units.get(fold(name))
        if unit is None or (writable is not None and unit.pk not in writable):
            errors.append(f"单位“{name}”不存在或不在您的管理范围内。")
            unit = None
    departure = _cell(values, "departure_date", parsing.parse_date, errors)
    if departure is None and not parsing.cell_text(values.get("departure_date", "")):
        errors.append("出发日期不能为空。")
    returned = _cell(values, "return_date", parsing.parse_date, errors)
    if returned is None and not parsing.cell_text(values.get("return_date", "")):
        errors.append("返回日期不能为空。")
    if isinstance(departure, datetime.date) and isinstance(returned, datetime.date) and returned < departure:
        errors.append(f"返回日期（{returned:%Y-%m-%d}）不能早于出发日期（{departure:%Y-%m-%d}）。")
    cadre = _text(values, "leading_cadre", errors, required=True)
    rank = _cell(values, "rank", parse_rank, errors)
    if rank is None and not parsing.cell_text(values.get("rank", "")):
        errors.append("职级不能为空。")
    destination = _text(values, "destination", errors, required=True)
    firms = _text(values, "firms_visited", errors, required=False)
    results = _text(values, "results", errors, required=False)
    next_step = _text(values, "next_step", errors, required=False)
    if not errors:
        result.values = {
            "unit": unit,
            "departure_date": departure,
            "return_date": returned,
            "leading_cadre": cadre,
            "rank": rank,
            "destination": destination,
            "firms_visited": firms,
            "results": results,
            "next_step": next_step,
        }
    return result
