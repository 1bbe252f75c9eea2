"""问题协调与督办 as .xlsx (lib.xlsx): the lists of items, the statistics workbook and the meeting list — exactly
the rows the pages show, built from the same queries."""

import datetime
from collections.abc import Iterable

from tadiao.coordination.models import Meeting, Problem
from tadiao.lib.xlsx import XlsxSheet

LIST_HEADERS = [
    "序号",
    "类型",
    "标题",
    "项目",
    "类别",
    "提出单位",
    "提出日期",
    "牵头单位",
    "配合单位",
    "办结时限",
    "初始办结时限",
    "层级",
    "状态",
    "超期",
]


def filename(name: str, today: datetime.date) -> str:
    return f"{name}_{today:%Y%m%d}.xlsx"


def problem_sheet(title: str, rows: Iterable[Problem], *, today: datetime.date) -> XlsxSheet:
    """A list of problems or supervision items (`rows` from queries.problem_rows or inbox_rows), overdue as of
    `today`."""
    lines = (
        [
            n,
            p.get_kind_display(),
            p.title,
            p.project.name if p.project else "",
            p.get_category_display(),
            p.raised_by_unit.name,
            p.raised_date,
            p.lead_unit.name,
            "、".join(u.name for u in p.helping_units.all()),
            p.deadline,
            p.first_deadline,
            p.get_level_display(),
            p.get_status_display(),
            "是" if p.is_overdue(today) else "",
        ]
        for n, p in enumerate(rows, start=1)
    )
    return XlsxSheet(title, LIST_HEADERS, lines, widths=[6, 8, 30, 24, 10, 14, 12, 14, 20, 12, 12, 18, 8, 6])


def statistics_sheets(stats: dict) -> list[XlsxSheet]:
    """The workbook of queries.problem_statistics(): 合计, 按单位, 按类别, 按层级 (a rate of an empty denominator
    shows "—")."""
    units = XlsxSheet(
        "按单位",
        ["排名", "牵头单位", "问题数", "办结", "按期办结", "超期", "办结率（%）", "按期办结率（%）", "平均办结天数"],
        (
            [
                r["rank"],
                r["unit"],
                r["total"],
                r["resolved"],
                r["resolved_on_time"],
                r["overdue"],
                r["resolution_rate"] or "—",
                r["on_time_rate"] or "—",
                r["average_days"] or "—",
            ]
            for r in stats["by_unit"]
        ),
        widths=[6, 20, 8, 8, 10, 8, 12, 14, 12],
    )
    categories = XlsxSheet("按类别", ["类别", "问题数"], ([r["label"], r["count"]] for r in stats["by_category"]))
    levels = XlsxSheet("按层级", ["层级", "问题数"], ([r["label"], r["count"]] for r in stats["by_level"]))
    totals = XlsxSheet(
        "合计",
        ["问题数", "办结", "按期办结", "超期", "办结率（%）", "按期办结率（%）", "平均办结天数"],
        [
            [
                stats["total"],
                stats["resolved"],
                stats["resolved_on_time"],
                stats["overdue"],
                stats["resolution_rate"] or "—",
                stats["on_time_rate"] or "—",
                stats["average_days"] or "—",
            ]
        ],
    )
    return [totals, units, categories, levels]


def meeting_sheet(rows: Iterable[Meeting]) -> XlsxSheet:
    """The meeting list (`rows` from queries.meeting_rows, with their number of supervision items)."""
    return XlsxSheet(
        "会议",
        ["序号", "会议日期", "类型", "会议名称", "主持领导", "地点", "督办事项数"],
        (
            [n, m.date, m.get_kind_display(), m.title, str(m.chair or ""), m.location, m.n_items]
            for n, m in enumerate(rows, start=1)
        ),
        widths=[6, 12, 10, 30, 16, 16, 10],
    )
