"""The 经济指标 overview as a workbook: regions below target and below the parent's growth, one ranking sheet per
indicator, and the months each region was below — laid out from queries.overview's data (no query here)."""

from tadiao.economy import queries
from tadiao.economy.templatetags.economy_format import months as months_text
from tadiao.lib.xlsx import XlsxSheet


def _below_sheet(name: str, rows: list[dict], *, compared: str, key: str, title: str) -> XlsxSheet:
    """The regions below their target (key "target") or their parent's growth (key "parent")."""
    return XlsxSheet(
        name, ["序号", "区划", "区划代码", "指标", "增速（%）", f"{compared}（%）", "差距（个百分点）"],
        [[n, r["region"], r["region_code"], r["indicator"], *map(queries.decimal, (r["growth"], r[key], r["gap"]))]
         for n, r in enumerate(rows, start=1)],
        widths=[6, 16, 14, 16, 10, 12, 16], preamble=[[title]],
    )


def overview_sheets(context: dict) -> list[XlsxSheet]:
    """`context`: queries.overview(...) with "label" (1—N月) and "year" of the period."""
    label = context["label"]
    below_target = _below_sheet("低于目标", context["below_target"], compared="目标增速", key="target",
                                title=f"{label}增速低于年度目标的区划")
    below_parent = _below_sheet("低于上级", context["below_parent"], compared="上级增速", key="parent",
                                title=f"{label}增速低于上级区划增速的区划")
    ranks = [
        XlsxSheet(
            table["indicator"],
            ["名次", "区划", "区划代码", f"本期累计值（{table['unit']}）", "增速（%）", "目标增速（%）",
             "比目标（个百分点）", "上级增速（%）", "比上级（个百分点）", "全省排名"],
            [[(f"{r['rank']}（并列）" if r["tied"] else r["rank"]) if r["peers"] > 1 else "", r["region"],
              r["region_code"], *map(queries.decimal, (r["value"], r["growth"], r["target"], r["target_gap"],
                                                       r["parent_growth"], r["parent_gap"])), r["provincial_rank"]]
             for r in table["rows"]],
            widths=[10, 16, 14, 16, 10, 12, 16, 12, 16, 10],
            preamble=[[f"{label}{table['indicator']}排名（同一上级区划内按增速排名）"]],
        )
        for table in context["rank_tables"]
    ]
    months = XlsxSheet(
        "低于目标的月份", ["序号", "区划", "区划代码", "指标", "低于目标的月份", "低于上级的月份"],
        [[n, r["region"], r["region_code"], r["indicator"], months_text(r["below_target"]),
          months_text(r["below_parent"])] for n, r in enumerate(context["months_below"], start=1)],
        widths=[6, 16, 14, 16, 30, 30], preamble=[[f"{context['year']}年各月（1—N月累计）低于目标、低于上级的情况"]],
    )
    return [below_target, below_parent, *ranks, months]
