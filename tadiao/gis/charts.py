"""The ECharts option of the map, built in Python (pure functions, no queries). static/tadiao/gis.js registers the
boundary GeoJSON under `geo.map`, draws the option and opens a point's `url` when it is clicked.

Text that reaches the tooltip (`tip`) is escaped here: ECharts renders tooltips as HTML."""

import math
from decimal import Decimal

from django.urls import reverse
from django.utils.html import escape

from tadiao.indicators.models import RateDefinition
from tadiao.indicators.warnings import GREEN, LIGHT_LABELS, RED, YELLOW
from tadiao.lib.numbers import wan, yi
from tadiao.projects.models import STAGE_ORDER, Stage

STAGE_COLOURS = {
    Stage.RESERVE: "#9aa5b1",
    Stage.NEGOTIATING: "#8e6fc1",
    Stage.SIGNED: "#3a8fd9",
    Stage.APPROVED: "#14a3b8",
    Stage.STARTED: "#e07b00",
    Stage.COMPLETED: "#2e9d57",
    Stage.PRODUCING: "#0b4f9c",
    Stage.AT_CAPACITY: "#5b2a86",
}
CANCELLED, CANCELLED_COLOUR = "已终止", "#5f6b78"
LIGHT_COLOURS = {RED: "#d9363e", YELLOW: "#e0a800", GREEN: "#2e9d57"}
SHADES = ["#fde8e4", "#fbd0a8", "#f5e38f", "#c6e6a4", "#7cc48d", "#2e9d57"]
COLOR_BY = {"stage": "按阶段", "light": "按预警灯"}
MIN_SIZE, MAX_SIZE = 6, 36
NO_MAP = "tadiao-map-none"  # registered by gis.js as an empty FeatureCollection


def symbol_size(total_investment: Decimal) -> float:
    """A point's diameter in pixels, its area growing with the total investment: 6 px for nothing, 10 px at 1 亿元,
    about 19 px at 10 亿元, capped at 36 px."""
    yi_yuan = max(float(total_investment or 0), 0.0) / 10000
    return round(min(MAX_SIZE, MIN_SIZE + 4 * math.sqrt(yi_yuan)), 1)


def _point(project) -> dict:
    lines = [
        f"<b>{escape(project.name)}</b>",
        f"责任单位：{escape(project.unit.name)}",
        f"阶段：{Stage(project.stage).label}{'（已终止）' if project.is_cancelled else ''}"
        f"{'（停工）' if project.is_suspended and not project.is_cancelled else ''}",
        f"总投资：{wan(project.total_investment)} 万元",
        f"预警：{LIGHT_LABELS.get(project.light, '—')}",
    ]
    return {
        "name": project.name,
        "value": [float(project.longitude), float(project.latitude), float(project.total_investment)],
        "symbolSize": symbol_size(project.total_investment),
        "project": project.pk,
        "url": reverse("projects:detail", args=[project.pk]),
        "tip": "<br>".join(lines),
    }


def _point_series(projects, *, color_by: str) -> list[dict]:
    """One scatter series per stage (and 已终止) or per light, in a fixed order, so the legend can hide each."""
    groups: dict[str, list[dict]] = {}
    colours: dict[str, str] = {}
    if color_by == "light":
        for light in (RED, YELLOW, GREEN):
            colours[LIGHT_LABELS[light]] = LIGHT_COLOURS[light]
        for p in projects:
            groups.setdefault(LIGHT_LABELS.get(p.light, LIGHT_LABELS[GREEN]), []).append(_point(p))
    else:
        for stage in STAGE_ORDER:
            colours[Stage(stage).label] = STAGE_COLOURS[stage]
        colours[CANCELLED] = CANCELLED_COLOUR
        for p in projects:
            groups.setdefault(CANCELLED if p.is_cancelled else Stage(p.stage).label, []).append(_point(p))
    return [
        {
            "name": name,
            "type": "scatter",
            "coordinateSystem": "geo",
            "geoIndex": 0,
            "itemStyle": {"color": colour, "borderColor": "#fff", "borderWidth": 1, "opacity": 0.9},
            "emphasis": {"scale": 1.3},
            "z": 4,
            "data": groups[name],
        }
        for name, colour in colours.items()
        if name in groups
    ]


def _area_item(area_rate, definition: RateDefinition) -> dict:
    percent = area_rate.percent
    if definition.measure == RateDefinition.Measure.INVESTMENT:
        detail = f"{yi(area_rate.numerator)} / {yi(area_rate.denominator)} 亿元"
    else:
        detail = f"{area_rate.numerator} / {area_rate.denominator} 个"
    figure = "—" if percent is None else f"{percent}%"
    return {
        "name": area_rate.area.name,
        "value": "-" if percent is None else float(percent),
        "percent": None if percent is None else str(percent),
        "tip": f"<b>{escape(area_rate.area.name)}</b><br>{escape(definition.name)}：{figure}<br>{detail}",
    }


def map_option(
    *,
    boundary,
    area_rates: list | None,
    definition: RateDefinition | None,
    projects: list,
    color_by: str,
) -> dict:
    """The whole map: the areas (shaded by the rate when one is chosen), the outline, the project points."""
    if boundary is not None and boundary.bbox:
        lng0, lat0, lng1, lat1 = boundary.bbox
    elif projects:
        lngs, lats = [float(p.longitude) for p in projects], [float(p.latitude) for p in projects]
        lng0, lat0, lng1, lat1 = min(lngs), min(lats), max(lngs), max(lats)
    else:
        lng0, lat0, lng1, lat1 = 0.0, 0.0, 0.0, 0.0
    # Degrees of longitude shrink with cos(latitude): without this the county would look stretched east–west.
    aspect = round(math.cos(math.radians((lat0 + lat1) / 2)), 4)
    series: list[dict] = []
    option: dict = {
        "tooltip": {"trigger": "item"},
        "legend": {"top": 0, "left": "center", "type": "scroll"},
        "geo": {
            "map": boundary.echarts_name if boundary is not None else NO_MAP,
            "roam": True,
            "aspectScale": aspect,
            "layoutCenter": ["50%", "52%"],
            "layoutSize": "92%",
            "label": {"show": True, "fontSize": 11, "color": "#39424e"},
            "itemStyle": {"areaColor": "#eef2f7", "borderColor": "#7a8ba0", "borderWidth": 1},
            "emphasis": {"label": {"show": True}, "itemStyle": {"areaColor": "#d6e4f5"}},
        },
        "series": series,
    }
    if boundary is None:
        # No boundary uploaded yet: an empty map framed on the points, so that they still show where they are.
        pad = max(lng1 - lng0, lat1 - lat0, 0.02) * 0.1
        option["geo"]["boundingCoords"] = [
            [round(lng0 - pad, 6), round(lat1 + pad, 6)],
            [round(lng1 + pad, 6), round(lat0 - pad, 6)],
        ]
    if definition is not None and area_rates is not None:
        series.append(
            {
                "name": definition.name,
                "type": "map",
                "geoIndex": 0,
                "data": [_area_item(r, definition) for r in area_rates],
            }
        )
        option["visualMap"] = {
            "type": "continuous",
            "min": 0,
            "max": 100,
            "seriesIndex": 0,
            "text": ["100%", f"{definition.name} 0%"],
            "calculable": False,
            "realtime": False,
            "inRange": {"color": SHADES},
            "left": 8,
            "bottom": 8,
            "itemHeight": 100,
            "textStyle": {"fontSize": 11},
        }
    if boundary is not None and boundary.outline:
        series.append(
            {
                "name": "边界",
                "type": "lines",
                "coordinateSystem": "geo",
                "geoIndex": 0,
                "polyline": True,
                "silent": True,
                "z": 3,
                "lineStyle": {"color": "#0b4f9c", "width": 2.5, "opacity": 0.9},
                "data": [{"coords": ring} for ring in boundary.outline],
            }
        )
    series.extend(_point_series(projects, color_by=color_by))
    option["legend"]["data"] = [s["name"] for s in series if s["type"] == "scatter"]
    return option
