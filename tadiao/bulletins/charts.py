"""The bulletin's charts as PNG images drawn with matplotlib (Agg backend: no display, no browser).

Chinese labels need a CJK font: the project's setup installs Debian's `fonts-noto-cjk` (Noto Sans/Serif CJK under
/usr/share/fonts/opentype/noto/). It is found through matplotlib's font_manager; without it drawing stops with a
Chinese message naming the package, rather than printing boxes in place of every character.
"""

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # before pyplot: the worker has no display

from matplotlib import font_manager
from matplotlib.figure import Figure

from tadiao.bulletins.drafting import YI_THRESHOLD
from tadiao.lib.outliers import rate_axis_cap

# Preferred first: Simplified Chinese faces of Noto CJK, sans before serif (charts read better in sans).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK JP", "Noto Serif CJK JP")
DPI = 200
BAR = "#c0392b"
PLAN = "#7f8c8d"
CAPPED = "#e6a49c"  # a bar cut at the axis cap


class ChartFontMissing(Exception):
    """No CJK font for the chart labels; the message is the one the user sees."""

    def __init__(self):
        super().__init__(
            "未找到中文字体（Noto CJK），无法绘制通报中的图表。请由系统管理员安装 Debian 软件包 fonts-noto-cjk"
            "（字体位于 /usr/share/fonts/opentype/noto/）后重新生成。"
        )


def cjk_font() -> font_manager.FontProperties:
    """The first installed Noto CJK family, as matplotlib's font manager knows it."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return font_manager.FontProperties(family=family)
    # A font installed after matplotlib built its cache: look at the files themselves.
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSerifCJK" in path:
            font_manager.fontManager.addfont(path)
            return cjk_font_from(path)
    raise ChartFontMissing()


def cjk_font_from(path: str) -> font_manager.FontProperties:
    return font_manager.FontProperties(fname=path)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def investment_chart(chart: dict) -> bytes:
    """Bars: cumulative investment completed by month; line: the plan pro rata (序时计划)."""
    font = cjk_font()
    months = chart["months"]
    completed = [Decimal(v) for v in chart["completed"]]
    planned = [Decimal(v) for v in chart["planned"]]
    # 亿元 from 1 亿元 on, as the text writes money; never matplotlib's "1e6" offset.
    unit = "亿元" if max([*completed, *planned]) >= YI_THRESHOLD else "万元"
    scale = Decimal(10000) if unit == "亿元" else Decimal(1)
    completed_values = [float(v / scale) for v in completed]
    planned_values = [float(v / scale) for v in planned]
    figure = Figure(figsize=(6.0, 3.2))
    axes = figure.subplots()
    labels = [f"{m}月" for m in months]
    axes.bar(labels, completed_values, color=BAR, label="累计完成投资")
    axes.plot(labels, planned_values, color=PLAN, marker="o", linestyle="--", label="序时计划")
    axes.set_title(chart["title"], fontproperties=font, fontsize=11)
    axes.set_ylabel(unit, fontproperties=font)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(font)
    axes.legend(prop=font, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def ranking_layout(values: list[Decimal]) -> tuple[list[Decimal], Decimal, Decimal | None]:
    """(the bar lengths, the axis end, the cap or None): one implausible rate (2 506.6% from a plan typed in 元)
    is drawn to the cap so that it does not flatten every other bar; its label keeps the true value."""
    cap = rate_axis_cap(values)
    drawn = [min(v, cap) for v in values] if cap is not None else list(values)
    end = cap if cap is not None else max([Decimal(100), *values])
    return drawn, end * Decimal("1.12"), cap


def ranking_chart(chart: dict) -> bytes:
    """Horizontal bars in rank order, the first at the top, each labelled with its rate (its true rate when the
    bar stops at the axis cap, see ranking_layout)."""
    font = cjk_font()
    labels = chart["labels"]
    values = [Decimal(v) for v in chart["values"]]
    drawn, end, cap = ranking_layout(values)
    figure = Figure(figsize=(6.0, max(2.0, 0.32 * len(labels) + 0.8)))
    axes = figure.subplots()
    positions = list(range(len(labels)))[::-1]
    colours = [CAPPED if cap is not None and v > cap else BAR for v in values]
    axes.barh(positions, [float(v) for v in drawn], color=colours)
    axes.set_yticks(positions, labels)
    for tick in axes.get_yticklabels():
        tick.set_fontproperties(font)
    for y, value, text in zip(positions, drawn, chart["values"], strict=True):
        axes.text(float(value), y, f" {text}%", va="center", fontsize=8)
    title = chart["title"]
    if cap is not None:
        axes.set_xlabel(f"坐标轴截至 {cap}%，超出者按此绘制（浅色），标注为实际值", fontproperties=font, fontsize=8)
    axes.set_title(title, fontproperties=font, fontsize=11)
    axes.set_xlim(0, float(end))
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def draw(charts: dict) -> dict[str, bytes]:
    """{"investment": png, "ranking": png} for the charts the draft has."""
    drawers = {"investment": investment_chart, "ranking": ranking_chart}
    return {key: drawers[key](chart) for key, chart in charts.items() if key in drawers}
