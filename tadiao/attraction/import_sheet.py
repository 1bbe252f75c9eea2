"""The sheet 外出招商 as the imports framework sees it (imports.registry): columns, the bulk service, the
template with its notes, and who may upload it."""

import datetime

from tadiao.attraction import services
from tadiao.attraction.models import Rank
from tadiao.attraction.sheets import EXAMPLE_MARK, TRIP_COLUMNS, TRIP_OPTIONAL_COLUMNS, TRIP_SHEET
from tadiao.imports.registry import AppSheet
from tadiao.lib.xlsx import XlsxSheet


def _template(example_unit: str) -> tuple[XlsxSheet, list[tuple[str, str]]]:
    headers = [names[0] for names in {**TRIP_COLUMNS, **TRIP_OPTIONAL_COLUMNS}.values()]
    example = [f"{EXAMPLE_MARK}{example_unit}", datetime.date(2026, 3, 10), datetime.date(2026, 3, 12), "张三",
               Rank.DIVISION.label, "浙江省宁波市", "某某智能装备有限公司、某某新材料股份有限公司",
               "达成新能源装备项目投资意向 1 个", "邀请企业来我市考察"]
    sheet = XlsxSheet(name=TRIP_SHEET, headers=headers, rows=[example], widths=[20, 12, 12, 10, 8, 16, 36, 36, 30])
    notes = [
        ("总体", "第一行为表头（表头前可以有标题行），之后每行一次外出招商。示例行请改写或删除。"),
        ("全部或全不", "全部行通过校验才会导入；只要有一行有错误，就不导入任何数据，并给出带“错误原因”列的错误报告。"),
        ("匹配", "按“单位 + 出发日期 + 带队领导 + 目的地”匹配已登记的外出招商：匹配到则更新其余各列，否则新增；"
                 "重复导入同一文件不会产生任何变化。"),
        ("单位", "必填，须与“单位管理”中的单位名称一致。填报员只能导入本单位的外出招商。"),
        ("出发日期、返回日期", "必填，可填 2026-03-10、2026/3/10、2026年3月10日 或 Excel 日期；返回不能早于出发。"),
        ("带队领导", "必填，最多 50 字。"),
        ("职级", "必填，可填：" + "、".join(Rank.labels) + "（正处级、副科级等也可）。"),
        ("目的地", "必填，最多 100 字。"),
        ("拜访企业、取得成果、下一步工作", "选填。"),
    ]
    return sheet, notes


def _may_import(user) -> bool:
    return user.is_authenticated and (user.is_coordinator or (user.is_reporter and bool(user.unit_id)))


TRIP_IMPORT = AppSheet(
    sheet=TRIP_SHEET,
    columns=TRIP_COLUMNS,
    optional=TRIP_OPTIONAL_COLUMNS,
    run=services.import_trips,
    template=_template,
    may_import=_may_import,
    noun="外出招商",
    measure="次",
    refusals=(services.AttractionError,),
)
