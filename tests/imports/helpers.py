"""Workbooks built with XlsxWriter the way Excel users produce them, and readers for what comes back."""

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

LEDGER_HEADERS = [
    "项目名称", "项目代码", "责任单位", "项目级别", "项目类别", "主导产业", "建设性质", "总投资（万元）",
    "签约日期", "立项日期", "计划开工日期", "开工日期", "计划竣工日期", "竣工日期", "投产日期", "达产日期",
    "项目状态", "标签",
]
UNIT_HEADERS = ["单位名称", "单位类型", "所属区划代码", "排序"]
PLAN_HEADERS = ["项目代码", "项目名称", "责任单位", "年度", "年度计划投资（万元）"]
PROGRESS_HEADERS = ["项目代码", "项目名称", "责任单位", "年月", "本月完成投资（万元）", "形象进度"]
PROGRESS_EXTRA_HEADERS = ["施工人数", "存在问题"]


def write_workbook(path: Path, *, headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "项目",
                   title: str | None = None) -> Path:
    """An .xlsx with one sheet: an optional title line, the header row, the rows. A date is written as a
    real Excel date cell; text stays text (XlsxWriter would otherwise turn "=…" into a formula)."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    ws = workbook.add_worksheet(sheet)
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 1
    for c, header in enumerate(headers):
        ws.write_string(r, c, header)
    for values in rows:
        r += 1
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, value, date_format)
            elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    workbook.close()
    return path


def ledger_row(**values: Any) -> list[Any]:
    """A ledger row in LEDGER_HEADERS order; keys are the headers (总投资 for 总投资（万元）, which is not a
    Python name), unknown keys are a test mistake."""
    if "总投资" in values:
        values["总投资（万元）"] = values.pop("总投资")
    defaults = {"项目级别": "县区重点", "项目类别": "产业", "建设性质": "新建", "项目状态": "正常"}
    unknown = set(values) - set(LEDGER_HEADERS)
    assert not unknown, unknown
    merged = defaults | values
    return [merged.get(h, "") for h in LEDGER_HEADERS]


def read_rows(path_or_bytes, sheet: str) -> list[list[Any]]:
    if isinstance(path_or_bytes, bytes):
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(path_or_bytes))
    else:
        workbook = CalamineWorkbook.from_path(str(path_or_bytes))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def error_column(rows: list[list[Any]], header_index: int = 0) -> dict[int, str]:
    """Excel row number → 错误原因 text, for the data rows of an error workbook."""
    col = rows[header_index].index("错误原因")
    return {i + 1: row[col] for i, row in enumerate(rows) if i > header_index}
