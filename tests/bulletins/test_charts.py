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
