"""The import sheet 招商线索: its columns and a pure parser of one row (no queries).

The imports framework reads the workbook, maps the headers (LEAD_COLUMNS | LEAD_OPTIONAL_COLUMNS) and hands the rows
to lead_import.import_leads, which finds each row's project and writes all or nothing.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tadiao.attraction.models import Lead, Likelihood
from tadiao.imports import parsing
from tadiao.lib.xlsx import fold
from tadiao.org.models import Unit
from tadiao.projects.models import Industry

LEAD_SHEET = "招商线索"
# key → (header, *accepted variants); headers are compared folded (full-/half-width, spaces). The first column
# marks the header row.
LEAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "unit": ("责任单位", "单位", "单位名称"),
    "investor": ("投资方", "投资企业", "投资方（企业）"),
    "start_date": ("开始接洽日期", "接洽日期"),
    "intended_investment": ("意向投资额（万元）", "意向投资额", "意向投资（万元）"),
    "industry": ("主导产业", "产业"),
    "likelihood": ("签约可能性", "可能性"),
}
LEAD_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"code": ("项目代码",)}
EXAMPLE_MARK = parsing.EXAMPLE_MARK

LIKELIHOOD_SYNONYMS = {"较高": Likelihood.HIGH, "大": Likelihood.HIGH, "一般": Likelihood.MEDIUM,
                       "较低": Likelihood.LOW, "小": Likelihood.LOW}
parse_likelihood = parsing.choice_parser(choices={label: code for code, label in Likelihood.choices},
                                         synonyms=LIKELIHOOD_SYNONYMS)

_INVESTOR_MAX = Lead._meta.get_field("investor").max_length
_LABELS = {key: names[0] for key, names in {**LEAD_COLUMNS, **LEAD_OPTIONAL_COLUMNS}.items()}


@dataclass
class ParsedLead:
    """One row's clean values: the project key (code, name, unit) and the lead's fields, or its errors."""

    code: str = ""
    name: str = ""
    unit: Unit | None = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _cell(values: Mapping[str, Any], key: str, parse: Any, errors: list[str]) -> Any:
    try:
        return parse(values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{_LABELS[key]}：{exc}")
        return None


def parse_lead_row(
    values: Mapping[str, Any],
    *,
    units: Mapping[str, Unit],
    writable: set[int] | None,
    industries: Mapping[str, Industry],
    today: datetime.date,
) -> ParsedLead:
    """Every cell of one row of 招商线索, with every error of the row in column order (no queries).

    `units` / `industries`: by folded name; `writable`: the unit ids the importer may write (None: all).
    """
    result = ParsedLead()
    errors = result.errors
    result.code = _cell(values, "code", parsing.parse_project_code, errors) or ""
    result.name = parsing.cell_text(values.get("name", ""))
    unit_name = parsing.cell_text(values.get("unit", ""))
    if result.name.startswith(EXAMPLE_MARK) or unit_name.startswith(EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
        return result
    if not result.code and not (result.name and unit_name):
        errors.append("须填写项目代码，或同时填写项目名称和责任单位，用来确定是哪个项目。")
    if unit_name:
        result.unit = units.get(fold(unit_name))
        if result.unit is None or (writable is not None and result.unit.pk not in writable):
            errors.append(f"责任单位“{unit_name}”不存在或不在您的管理范围内。")
            result.unit = None
    investor = parsing.cell_text(values.get("investor", ""))
    if not investor:
        errors.append("投资方不能为空。")
    elif len(investor) > _INVESTOR_MAX:
        errors.append(f"投资方过长（{len(investor)} 字），最多 {_INVESTOR_MAX} 字。")
    start = _cell(values, "start_date", parsing.parse_date, errors)
    if start is None and not parsing.cell_text(values.get("start_date", "")):
        errors.append("开始接洽日期不能为空。")
    if isinstance(start, datetime.date) and start > today:
        errors.append(f"开始接洽日期（{start:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）。")
    investment: Decimal | None = _cell(values, "intended_investment", parsing.parse_money, errors)
    industry = None
    industry_name = parsing.cell_text(values.get("industry", ""))
    if industry_name:
        industry = industries.get(fold(industry_name))
        if industry is None:
            allowed = "、".join(i.name for i in industries.values())
            errors.append(f"主导产业“{industry_name}”不在“主导产业”设置中（可填：{allowed}）。")
    likelihood = Likelihood.MEDIUM
    if parsing.cell_text(values.get("likelihood", "")):
        likelihood = _cell(values, "likelihood", parse_likelihood, errors)
    if not errors:
        result.values = {
            "investor": investor,
            "intended_investment": investment,
            "industry": industry,
            "likelihood": likelihood,
            "start_date": start,
        }
    return result
