"""The sheet 经济指标 as the imports framework sees it (imports.registry): columns, the bulk service, the template
with its notes, and who may upload it (the office: 调度员)."""

from decimal import Decimal

from tadiao.economy import queries, services
from tadiao.economy.models import INDICATOR_UNITS, Indicator
from tadiao.economy.sheets import ECONOMY_COLUMNS, ECONOMY_OPTIONAL_COLUMNS, ECONOMY_SHEET, EXAMPLE_MARK, REGION_COLUMNS
from tadiao.imports.registry import AppSheet
from tadiao.lib.xlsx import XlsxSheet
from tadiao.org.queries import root_region

_OTHER_OPTIONAL = {k: v for k, v in ECONOMY_OPTIONAL_COLUMNS.items() if k not in REGION_COLUMNS}


def _template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    # The example names a region, not a unit: the deployment's root, or a made-up county.
    root = root_region()
    code, name = (root.code, root.name) if root else ("330999", "青山市")
    headers = [names[0] for names in {**REGION_COLUMNS, **ECONOMY_COLUMNS, **_OTHER_OPTIONAL}.values()]
    example = [code, f"{EXAMPLE_MARK}{name}", "2024-10", Indicator.GDP.label, Decimal("512.36"), Decimal("6.5"),
               Decimal("7.0"), Decimal("5.8"), 12]
    sheet = XlsxSheet(name=ECONOMY_SHEET, headers=headers, rows=[example], widths=[14, 14, 10, 16, 14, 10, 14, 14, 10])
    units = "；".join(f"{Indicator(code).label}：{unit}" for code, unit in INDICATOR_UNITS.items())
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行为一个区划一个期间（1—N月累计）的一项指标。"
                 "示例行请改写或删除。"),
        ("全部或全不", "全部行通过校验才会导入；只要有一行有错误，就不导入任何数据，并给出带“错误原因”列的错误报告。"),
        ("匹配", "按“区划 + 年月 + 指标”匹配已录入的数据：匹配到则更新，否则新增；重复导入同一文件不会产生任何变化。"),
        ("区划代码、区划名称", "至少填写一项（表中至少有其中一列）。区划代码为 6 位或 12 位行政区划代码；只填名称时，"
                               "名称须唯一。两项都填时须一致。只能导入本人管理范围内的区划。"),
        ("年月", "必填，累计期间的截止月份：2024-10 表示 2024年1—10月；也可填 2024/10、2024年10月、2024年1—10月。"),
        ("指标", "必填，可填：" + "、".join(Indicator.labels) + "（地区生产总值、规模以上工业增加值等也可）。"),
        ("本期累计值", f"必填，1—N月累计值，不能为负数，最多两位小数。单位：{units}。"),
        ("增速（%）", "必填，与上年同期相比的增长百分数，如 6.5 或 -3.25（不带 % 也可），最多两位小数。"),
        ("目标增速（%）", "选填列：该区划该年度该指标的目标增速，填写即设置（覆盖原目标）；空白保留原目标。"
                          "同一区划同一年度同一指标在表中只能有一个目标值。"),
        ("上级增速（%）", "选填列：上级区划同期的增速，用于“低于上级增速”对比。不填时取系统中上级区划本身录入的增速；"
                          "最上一级区划（其上级不在系统中）须在此填写。表中有这一列时空白即清空。"),
        ("全省排名", "选填列：正整数；表中有这一列时空白即清空。"),
    ]
    return sheet, notes


ECONOMY_IMPORT = AppSheet(
    sheet=ECONOMY_SHEET,
    columns=ECONOMY_COLUMNS,
    optional=ECONOMY_OPTIONAL_COLUMNS,
    run=services.import_figures,
    template=_template,
    may_import=queries.may_write,
    noun="经济指标",
    measure="项",
    refusals=(services.EconomyError,),
)
