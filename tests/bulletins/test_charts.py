"""Charts drawn with matplotlib (Agg) in a Noto CJK font; without the font, a clear Chinese message."""

import matplotlib
import pytest
from matplotlib import font_manager

from tadiao.bulletins import charts

INVESTMENT = {"title": "2026年1—10月累计完成投资与序时计划（万元）", "months": [9, 10],
              "completed": ["46000.00", "52000.00"], "planned": ["60000.00", "66664.00"]}
RANKING = {"title": "各单位年度投资完成率排名（%）", "labels": ["北湖园区", "东城镇"], "values": ["90.00", "72.50"]}


def test_agg_backend_and_a_noto_cjk_font():
    assert matplotlib.get_backend().lower() == "agg"
    assert charts.cjk_font().get_family()[0] in charts.CJK_FAMILIES
    assert font_manager.findfont(charts.cjk_font(), fallback_to_default=False).startswith(
        "/usr/share/fonts/opentype/noto/")


def test_both_charts_are_png_images():
    images = charts.draw({"investment": INVESTMENT, "ranking": RANKING, "unknown": {}})
    assert set(images) == {"investment", "ranking"}
    for png in images.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_without_the_font_drawing_stops_with_a_chinese_message(monkeypatch):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(charts.ChartFontMissing, match=r"未找到中文字体（Noto CJK）.*fonts-noto-cjk"):
        charts.draw({"ranking": RANKING})


def test_an_outlier_rate_does_not_flatten_the_ranking(monkeypatch):
    """Issue 15, point 7: 2506.60% (a plan typed in 元) is drawn to the axis cap, labelled with its true value."""
    from decimal import Decimal

    drawn = {}
    monkeypatch.setattr(charts, "_png", lambda figure: drawn.setdefault("figure", figure) and b"png")
    labels = ["东城镇", "西湖街道", "北湖园区"]
    charts.ranking_chart({"title": "排名", "labels": labels, "values": ["2506.60", "72.50", "40.00"]})
    axes = drawn["figure"].axes[0]
    # Three bars: the percentile is the outlier itself, so the 200% ceiling for rates caps the axis (+12% room).
    assert axes.get_xlim() == (0.0, 224.0)
    assert [bar.get_width() for bar in axes.patches] == [200.0, 72.5, 40.0]
    assert [t.get_text() for t in axes.texts] == [" 2506.60%", " 72.50%", " 40.00%"]
    assert charts.ranking_layout([Decimal("90"), Decimal("72.5")]) == ([Decimal("90"), Decimal("72.5")],
                                                                        Decimal("112.00"), None)
