"""问题统计: the figures by lead unit, category and level, on the page and as an Excel workbook."""

import datetime

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tadiao.coordination import exports, queries, views
from tadiao.lib.dates import parse_date
from tadiao.lib.xlsx import xlsx_response


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


@require_GET
def statistics(request):
    queries.require_statistics_reader(request.user)
    start, end, today, invalid = _statistics_args(request)
    return render(
        request,
        "coordination/statistics.html",
        {
            "stats": queries.problem_statistics_for(request.user, start=start, end=end, as_of=today),
            "start": start,
            "end": end,
            "invalid": invalid,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def statistics_export(request):
    queries.require_statistics_reader(request.user)
    start, end, today, _ = _statistics_args(request)
    stats = queries.problem_statistics_for(request.user, start=start, end=end, as_of=today)
    return xlsx_response(exports.filename("问题统计", today), exports.statistics_sheets(stats))
