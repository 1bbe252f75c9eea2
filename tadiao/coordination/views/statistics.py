"""问题统计: the figures by lead unit, category and level, on the page and as an Excel workbook.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.coordination import queries, views
from tadiao.lib.dates import parse_date
from tadiao.lib.xlsx import XlsxSheet, xlsx_response


def _statistics_args(request):
    today = views._today()
    invalid: list[str] = []
    start = _date(request.GET.get("start"), invalid, "起始日期") or datetime.date(today.year, 1, 1)
    end = _date(request.GET.get("end"), invalid, "截止日期") or today
    return start, end, today, invalid


def _date(raw, invalid, label):
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        invalid.append(label)
        return None


def _require_statistics(user) -> None:
    queries.require_reader(user)
    if not (user.is_coordinator or user.is_leader):
        raise PermissionDenied("问题统计仅供调度员和领导查看。")


@require_GET
def statistics(request):
    _require_statistics(request.user)
    start, end, today, invalid = _statistics_args(request)
    units = list(queries.lead_unit_choices(request.user))
    return render(
        request,
        "coordination/statistics.html",
        {
            "stats": queries.problem_statistics(units=units, start=start, end=end, as_of=today),
            "start": start,
            "end": end,
            "invalid": invalid,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def statistics_export(request):
    _require_statistics(request.user)
    start, end, today, _ = _statistics_args(request)
    stats = queries.problem_statistics(
        units=list(queries.lead_unit_choices(request.user)), start=start, end=end, as_of=today
    )
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
    return xlsx_response(f"问题统计_{today:%Y%m%d}.xlsx", [totals, units, categories, levels])
