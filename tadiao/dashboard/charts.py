"""ECharts options built in Python (pure functions, no queries); the page hands them over with json_script and
static/tadiao/dashboard.js draws them. A data item's `url` is where a click on it leads."""

import datetime
from decimal import Decimal

from django.urls import reverse

from tadiao.lib.outliers import rate_axis_cap
from tadiao.projects.models import STAGE_ORDER, Stage, stage_rank

RED, YELLOW, BLUE, GREEN, GREY = "#d9363e", "#e0a800", "#0b4f9c", "#2e9d57", "#9aa5b1"


def _number(value) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def stage_funnel(counts_by_stage: dict[str, int]) -> dict:
    """Projects that have reached each stage (a project at 开工 has reached 签约 and 立项 too)."""
    list_url = reverse("projects:list")
    data = []
    for stage in STAGE_ORDER:
        reached = sum(n for s, n in counts_by_stage.items() if stage_rank(s) >= stage_rank(stage))
        data.append({"name": Stage(stage).label, "value": reached, "url": f"{list_url}?stage={stage}"})
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c} 个"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                # The labels stand right of the funnel: it takes the left 60% so that "谋划储备 1234" fits beside it
                # in the narrow third of a 1440 px screen (at 84% wide the labels ran off the card).
                "left": "3%",
                "top": 10,
                "bottom": 10,
                "width": "57%",
                "minSize": "8%",
                "label": {"show": True, "position": "right", "formatter": "{b} {c}", "overflow": "truncate"},
                "labelLine": {"show": True, "length": 8},
                "data": data,
            }
        ],
    }


def monthly_investment(by_month: dict[int, Decimal], *, planned: Decimal, year: int) -> dict:
    """Each month's reported investment (bars), the cumulative total and the plan at 序时进度 (lines), in 万元."""
    months = sorted(by_month)
    cumulative, running = [], Decimal("0")
    for month in months:
        running += by_month[month]
        cumulative.append(_number(running))
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["当月完成", "累计完成", "序时计划"], "top": 0},
        "grid": {"left": 70, "right": 20, "bottom": 30, "top": 50},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in months]},
        "yAxis": {"type": "value", "name": "万元"},
        "series": [
            {
                "name": "当月完成",
                "type": "bar",
                "data": [_number(by_month[m]) for m in months],
                "itemStyle": {"color": BLUE},
            },
            {"name": "累计完成", "type": "line", "data": cumulative, "itemStyle": {"color": GREEN}},
            {
                "name": "序时计划",
                "type": "line",
                "lineStyle": {"type": "dashed"},
                "itemStyle": {"color": GREY},
                "data": [_number(planned * m / 12) for m in months],
            },
        ],
        "title": {"text": f"{year}年", "left": "right", "textStyle": {"fontSize": 12}},
    }


def unit_ranking(ranking, *, code: str, limit: int = 15) -> dict:
    """A ranking's first units as horizontal bars; units without a rate are left out.

    One implausible rate (an annual plan typed in 元 gives 2 506.6%) would flatten every other bar: the axis then
    stops at a cap (rate_axis_cap), that bar is drawn to the cap in another colour and labelled with its true value."""
    list_url = reverse("projects:list")
    # No ranking when its rate definition is gone (a database emptied of the seeded built-ins): an empty chart.
    rows = [r for r in ranking.rows if r.rates[code].percent is not None][:limit] if ranking else []
    rows.reverse()  # the first place at the top of the chart
    cap = rate_axis_cap([Decimal(r.rates[code].percent) for r in rows])
    data = []
    for r in rows:
        percent = Decimal(r.rates[code].percent)
        true = f"{_number(percent):.2f}%"  # rates with two decimals (58.82%), which ECharts' {c} drops
        item = {
            "value": _number(percent),
            "url": f"{list_url}?unit={r.unit.pk}",
            "label": {"formatter": true},
            "tooltip": {"formatter": f"{r.unit.name}：{true}"},
        }
        if cap is not None and percent > cap:
            item.update(
                value=_number(cap),
                true_value=_number(percent),
                itemStyle={"color": YELLOW},
                label={"formatter": true, "position": "insideRight", "color": "#000"},
                tooltip={"formatter": f"{r.unit.name}：{true}（超出坐标轴上限 {cap}%，按上限绘制）"},
            )
        data.append(item)
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}%"},
        "grid": {"left": 110, "right": 50, "bottom": 20, "top": 10},
        "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [r.unit.name for r in rows]},
        "series": [
            {
                "type": "bar",
                "itemStyle": {"color": BLUE},
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
                "data": data,
            }
        ],
    }
    if cap is not None:
        option["xAxis"]["max"] = _number(cap)
        option["grid"]["bottom"] = 40
        option["title"] = {
            "subtext": f"坐标轴上限 {cap}%：超出者按上限绘制（黄色），标签为实际值",
            "left": "center",
            "bottom": 0,
            "subtextStyle": {"fontSize": 11},
        }
    return option


def warnings_by_unit(rows, *, limit: int = 15) -> dict:
    """Red and yellow projects of the units with most warnings, stacked."""
    url = reverse("indicators:warnings")
    warned = sorted((r for r in rows if r.red or r.yellow), key=lambda r: (-r.red, -r.yellow, r.unit.display_order))
    warned = warned[:limit]
    warned.reverse()
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": ["红灯", "黄灯"], "top": 0},
        "grid": {"left": 110, "right": 20, "bottom": 20, "top": 36},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [r.unit.name for r in warned]},
        "series": [
            {
                "name": "红灯",
                "type": "bar",
                "stack": "w",
                "itemStyle": {"color": RED},
                "data": [{"value": r.red, "url": f"{url}?unit={r.unit.pk}&light=red"} for r in warned],
            },
            {
                "name": "黄灯",
                "type": "bar",
                "stack": "w",
                "itemStyle": {"color": YELLOW},
                "data": [{"value": r.yellow, "url": f"{url}?unit={r.unit.pk}&light=yellow"} for r in warned],
            },
        ],
    }


def milestone_schedule(projects, *, as_of: datetime.date) -> dict:
    """挂图作战: for each project a row, planned stage dates as hollow marks and actual ones as filled marks."""
    names = [p.name for p in reversed(projects)]
    planned, actual = [], []
    days = [as_of.replace(month=1, day=1), as_of.replace(month=12, day=31)]
    for p in projects:
        url = reverse("projects:detail", args=[p.pk])
        for stage in STAGE_ORDER:
            label = Stage(stage).label
            if day := p.planned_stage_date(stage):
                planned.append({"value": [day.isoformat(), p.name], "stage": label, "url": url})
                days.append(day)
            if day := p.stage_date(stage):
                actual.append({"value": [day.isoformat(), p.name], "stage": label, "url": url})
                days.append(day)
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"data": ["计划", "实际"], "top": 0},
        "grid": {"left": 200, "right": 30, "bottom": 40, "top": 36},
        # At least the whole as-of year, so that "today" and the year's planned dates are always in view.
        "xAxis": {"type": "time", "min": min(days).isoformat(), "max": max(days).isoformat()},
        "yAxis": {"type": "category", "data": names, "axisLabel": {"width": 190, "overflow": "truncate"}},
        "series": [
            {
                "name": "计划",
                "type": "scatter",
                "symbol": "emptyCircle",
                "symbolSize": 10,
                "itemStyle": {"color": GREY},
                "data": planned,
            },
            {
                "name": "实际",
                "type": "scatter",
                "symbol": "circle",
                "symbolSize": 10,
                "itemStyle": {"color": BLUE},
                "data": actual,
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": RED},
                    "label": {"formatter": "今天"},
                    "data": [{"xAxis": as_of.isoformat()}],
                },
            },
        ],
    }
