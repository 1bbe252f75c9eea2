"""The import sheets (项目, 年度计划, 月度进展, 单位): their columns, the downloadable templates, and the error
workbook."""

import datetime
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from tadiao.imports import parsing, registry
from tadiao.imports.models import ImportJob
from tadiao.lib.xlsx import XlsxSheet, is_blank, write_xlsx, xlsx_bytes
from tadiao.org.models import Unit
from tadiao.projects.models import Category, Level, Nature

LEDGER_SHEET = "项目"
PLANS_SHEET = "年度计划"
PROGRESS_SHEET = "月度进展"
UNITS_SHEET = "单位"
ERROR_COLUMN = "错误原因"
EXAMPLE_MARK = parsing.EXAMPLE_MARK

# key → (header, *accepted variants). Headers are compared folded (full-/half-width, spaces).
LEDGER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "code": ("项目代码",),
    "unit": ("责任单位",),
    "level": ("项目级别",),
    "category": ("项目类别",),
    "industry": ("主导产业",),
    "nature": ("建设性质",),
    "total_investment": ("总投资（万元）", "总投资"),
    "signed_date": ("签约日期",),
    "approved_date": ("立项日期", "立项（备案）日期", "备案日期"),
    "planned_started_date": ("计划开工日期",),
    "started_date": ("开工日期", "实际开工日期"),
    "planned_completed_date": ("计划竣工日期",),
    "completed_date": ("竣工日期", "实际竣工日期"),
    "producing_date": ("投产日期",),
    "at_capacity_date": ("达产日期",),
    "status": ("项目状态",),
    "tags": ("标签",),
}
# Read when present, left alone when the sheet has no such column.
LEDGER_OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "investor": ("项目单位（投资企业）", "项目单位", "投资企业"),
    "content": ("建设内容",),
    "batches": ("三个一批",),
}
# How a row of 年度计划 or 月度进展 names its project: 项目代码, or 项目名称 + 责任单位 (the ledger's matching rule).
# Each column is optional on its own; a sheet must have 项目代码, or both of the others (see PROJECT_KEY_KINDS).
PROJECT_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("项目代码",),
    "name": ("项目名称",),
    "unit": ("责任单位",),
}
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("年度", "计划年度"),
    "planned_investment": ("年度计划投资（万元）", "年度计划投资"),
}
PROGRESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "month": ("年月", "月份"),
    "investment_completed": ("本月完成投资（万元）", "本月完成投资"),
    "progress_text": ("形象进度",),
}
# Read when present; a sheet without them leaves the reports' values alone.
PROGRESS_EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "workers_on_site": ("施工人数",),
    "problems": ("存在问题", "存在问题及诉求"),
}
UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称",),
    "kind": ("单位类型",),
    "region": ("所属区划代码", "区划代码"),
    "display_order": ("排序",),
}

LEVEL_SYNONYMS = {
    "国家级重点": Level.NATIONAL, "省级重点": Level.PROVINCIAL, "市级重点": Level.CITY,
    "县重点": Level.COUNTY, "区重点": Level.COUNTY, "县级重点": Level.COUNTY, "区级重点": Level.COUNTY,
    "县（区）重点": Level.COUNTY, "县（市、区）重点": Level.COUNTY,
}
NATURE_SYNONYMS = {"新开工": Nature.NEW}
STATUS_NORMAL, STATUS_SUSPENDED, STATUS_CANCELLED = "正常", "停工", "终止"
STATUS_CHOICES = {STATUS_NORMAL: STATUS_NORMAL, STATUS_SUSPENDED: STATUS_SUSPENDED, STATUS_CANCELLED: STATUS_CANCELLED}
STATUS_SYNONYMS = {"在建": STATUS_NORMAL, "停建": STATUS_SUSPENDED, "暂停": STATUS_SUSPENDED,
                   "不再建设": STATUS_CANCELLED, "取消": STATUS_CANCELLED}


def labels(choices) -> dict[str, str]:
    """label → code of a TextChoices, for parsing.parse_choice."""
    return {label: value for value, label in choices.choices}


PROJECT_KEY_KINDS = (ImportJob.Kind.PLANS, ImportJob.Kind.PROGRESS)


def sheet_for(kind: str) -> tuple[str, dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(sheet name, required columns, optional columns) of an import kind. The first required column marks
    the header row."""
    app = registry.app_sheet(kind)
    if app is not None:
        return app.sheet, app.columns, app.optional
    if kind == ImportJob.Kind.UNITS:
        return UNITS_SHEET, UNIT_COLUMNS, {}
    if kind == ImportJob.Kind.PLANS:
        return PLANS_SHEET, PLAN_COLUMNS, PROJECT_KEY_COLUMNS
    if kind == ImportJob.Kind.PROGRESS:
        return PROGRESS_SHEET, PROGRESS_COLUMNS, {**PROJECT_KEY_COLUMNS, **PROGRESS_EXTRA_COLUMNS}
    return LEDGER_SHEET, LEDGER_COLUMNS, LEDGER_OPTIONAL_COLUMNS


# The notes on 项目代码 / 项目名称 / 责任单位 shared by the 年度计划 and 月度进展 templates.
_PROJECT_KEY_NOTES = [
    ("项目匹配", "有项目代码的按项目代码匹配已有项目，否则按“项目名称 + 责任单位”匹配（与项目台账导入相同）；"
                 "项目须已在系统中登记（可先导入项目台账）。"),
    ("项目代码", "投资项目在线审批监管平台赋码，格式 NNNN-NNNNNN-NN-NN-NNNNNN。不填时须填写项目名称和责任单位。"),
    ("项目名称、责任单位", "与系统中的项目名称、单位名称一致。"
                           "填报员只能导入本单位的项目，调度员可导入本区划内的项目。"),
]
_ALL_OR_NOTHING_NOTE = (
    "总体", "全部行通过校验才会导入；只要有一行有错误，就不导入任何数据，并给出带“错误原因”列的错误报告。"
)


def _plans_template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    headers = [names[0] for names in {**PROJECT_KEY_COLUMNS, **PLAN_COLUMNS}.values()]
    sheet = XlsxSheet(name=PLANS_SHEET, headers=headers,
                      rows=[["", f"{EXAMPLE_MARK}智能装备产业园项目", example_unit, 2024, Decimal("8000.00")]],
                      widths=[26, 30, 14, 8, 20])
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行为一个项目一个年度的计划。示例行请改写或删除。"),
        _ALL_OR_NOTHING_NOTE,
        *_PROJECT_KEY_NOTES,
        ("年度", f"必填，四位年份（{parsing.PLAN_MIN_YEAR}—{parsing.PLAN_MAX_YEAR}），如 2024。"
                 "同一项目同一年度在表中只能出现一次。"),
        ("年度计划投资（万元）", "必填，单位万元，不能为负数，最多两位小数。已有该年度计划的更新计划投资，没有则新增；"
                                 "重复导入同一文件不会产生任何变化。"),
    ]
    return sheet, notes


def _progress_template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    headers = [names[0] for names in {**PROJECT_KEY_COLUMNS, **PROGRESS_COLUMNS, **PROGRESS_EXTRA_COLUMNS}.values()]
    sheet = XlsxSheet(name=PROGRESS_SHEET, headers=headers,
                      rows=[["", f"{EXAMPLE_MARK}智能装备产业园项目", example_unit, "2024-04", Decimal("650.00"),
                             "1号厂房主体结构封顶，2号厂房基础施工", 120, "施工用电增容待供电公司批复"]],
                      widths=[26, 30, 14, 10, 20, 40, 10, 40])
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行为一个项目一个月份的进展。示例行请改写或删除。"),
        _ALL_OR_NOTHING_NOTE,
        *_PROJECT_KEY_NOTES,
        ("年月", "必填，可填 2024-04、2024/4、2024年4月 或 Excel 日期（取其月份）。不能是未来月份；"
                 "已关账的月份不能导入；尚未开始填报的月份会自动开启。同一项目同一月份在表中只能出现一次。"),
        ("本月完成投资（万元）", "必填，单位万元，不能为负数，最多两位小数；本月没有完成投资请填 0。"),
        ("形象进度", "本月形象进度。"),
        ("施工人数、存在问题", "选填列：表中有这一列时按表中内容更新（空白即清空），没有这一列时保留原有内容。"),
        ("报送状态", "填报员导入即为“已报送”；调度员导入即为“审核通过”。已报送或审核通过的月报只有调度员可以覆盖；"
                     "内容没有变化的行不算覆盖，重复导入同一文件不会产生任何变化。"),
    ]
    return sheet, notes


def template_workbook(*, kind: str, example_unit: str, example_region_code: str, industries: Sequence[str]) -> bytes:
    """An empty import template: the headers, one example row to overwrite, and a 说明 sheet."""
    app = registry.app_sheet(kind)
    if app is not None:
        sheet, notes = app.template(example_unit)
    elif kind in (ImportJob.Kind.PLANS, ImportJob.Kind.PROGRESS):
        sheet, notes = (_plans_template if kind == ImportJob.Kind.PLANS else _progress_template)(example_unit)
    elif kind == ImportJob.Kind.UNITS:
        sheet = XlsxSheet(
            name=UNITS_SHEET,
            headers=[names[0] for names in UNIT_COLUMNS.values()],
            rows=[[f"{EXAMPLE_MARK}东城镇", Unit.Kind.TOWNSHIP.label, example_region_code, 1]],
            widths=[24, 10, 16, 8],
        )
        notes = [
            ("单位名称", "必填。按名称匹配已有单位：已有则更新类型、区划和排序，没有则新增。"),
            ("单位类型", "必填，可填：" + "、".join(Unit.Kind.labels) + "。"),
            ("所属区划代码", "必填，6 位或 12 位行政区划代码，须已在“行政区划”中存在。"),
            ("排序", "非负整数，数字小的排在前面；不填为 0。"),
        ]
    else:
        headers = [names[0] for names in LEDGER_COLUMNS.values()] + [
            names[0] for names in LEDGER_OPTIONAL_COLUMNS.values()
        ]
        example = {
            "name": f"{EXAMPLE_MARK}智能装备产业园项目", "code": "2024-330999-04-01-123456", "unit": example_unit,
            "level": Level.COUNTY.label, "category": Category.INDUSTRY.label,
            "industry": industries[0] if industries else "", "nature": Nature.NEW.label,
            "total_investment": Decimal("25000.00"), "signed_date": datetime.date(2024, 3, 5),
            "approved_date": datetime.date(2024, 4, 10), "planned_started_date": datetime.date(2024, 6, 1),
            "started_date": datetime.date(2024, 6, 18), "planned_completed_date": datetime.date(2026, 12, 31),
            "completed_date": None, "producing_date": None, "at_capacity_date": None,
            "status": STATUS_NORMAL, "tags": "智能化改造、招商引资",
            "investor": "某某智能装备有限公司", "content": "新建厂房 5 万平方米，购置生产线 8 条。",
            "batches": "",  # the 说明 sheet shows the format; 期次 differ per county
        }
        sheet = XlsxSheet(name=LEDGER_SHEET, headers=headers, rows=[list(example.values())],
                          widths=[30, 26, 14, 10, 10, 12, 10, 14] + [13] * 8 + [10, 20, 24, 30])
        notes = [
            ("总体", "第一行为表头（表头前可以有标题行），之后每行一个项目。示例行请改写或删除。"),
            _ALL_OR_NOTHING_NOTE,
            ("项目匹配", "有项目代码的按项目代码匹配已有项目，否则按“项目名称 + 责任单位”匹配；匹配到则更新，否则新增。"
                         "重复导入同一文件不会产生任何变化。"),
            ("项目名称", "必填，最多 200 字。"),
            ("项目代码", "选填，投资项目在线审批监管平台赋码，格式 NNNN-NNNNNN-NN-NN-NNNNNN；不填则保留已有代码。"),
            ("责任单位", "必填，须与“单位管理”中的单位名称一致。填报员只能导入本单位的项目。"),
            ("项目级别", "可填：" + "、".join(Level.labels) + "（县重点、区重点也可）；不填为“县区重点”。"),
            ("项目类别", "可填：" + "、".join(Category.labels) + "；不填为“产业”。"),
            ("主导产业", "选填，须为主导产业目录中的名称：" + "、".join(industries) + "。"),
            ("建设性质", "可填：" + "、".join(Nature.labels) + "；不填为“新建”。"),
            ("总投资（万元）", "单位万元，不能为负数，最多两位小数；不填为 0。"),
            ("日期", "可填 2024-03-05、2024/3/5、2024年3月5日 或 Excel 日期。各阶段实际日期须按"
                     "签约、立项、开工、竣工、投产、达产的先后顺序；当前阶段按填写的最后一个实际日期确定。"),
            ("项目状态", "可填：正常、停工、终止；不填为“正常”。"),
            ("标签", "选填，多个标签用顿号（、）或分号（;）分隔。“亿元以上”等按总投资自动计算，无需填写。"),
            ("三个一批", "选填，如“第7期开工一批；第8期签约一批”，多条用分号或顿号分隔；期次须已在“三个一批”页面创建。"
                         "导入只增加尚未列入的，不移出已列入的（移出请在“三个一批”页面操作）；列入须由调度员导入。"),
        ]
    notes_sheet = XlsxSheet(name="说明", headers=["项目", "说明"], rows=notes, widths=[16, 100])
    return xlsx_bytes([sheet, notes_sheet])


def write_error_workbook(target: IO[bytes], *, sheet_name: str, table: Iterable[Sequence[Any]], header_index: int,
                         errors: Mapping[int, Sequence[str]]) -> None:
    """The uploaded sheet as it was, row for row, plus a last column 错误原因 with every message of a row.

    `table` is read twice (the width, then the rows) and written as it is read (XlsxWriter's constant_memory), so
    a 100 000-row sheet is never held whole. `errors` maps an Excel row number (1-based) to its messages; rows
    without errors keep an empty cell.
    """
    width = 0
    for row in table:
        for index in range(len(row) - 1, width - 1, -1):
            if not is_blank(row[index]):
                width = index + 1
                break

    def padded(row: Sequence[Any]) -> list[Any]:
        return list(row[:width]) + [""] * (width - len(row[:width]))

    rows = iter(table)
    preamble = [padded(row) for row in itertools.islice(rows, header_index)]
    header = padded(next(rows))
    body = ([*padded(row), "\n".join(errors.get(line, []))] for line, row in enumerate(rows, start=header_index + 2))
    sheet = XlsxSheet(
        name=sheet_name,
        preamble=preamble,
        headers=[*("" if is_blank(cell) else str(cell) for cell in header), ERROR_COLUMN],
        rows=body,
        widths=[14] * width + [60],
    )
    write_xlsx(target, [sheet], large=True)
