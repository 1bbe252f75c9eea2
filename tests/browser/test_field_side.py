"""The field side in Chromium (issue "The field side", points 5 and 6): the 驾驶舱 and 一张图 read on a leader's
phone (390 × 844) and at 1440 × 900 — no horizontal scroll, every chart's canvas within the screen and following it
when the phone turns, the maps drawn without an error — and the project form's location picker: a click on the map
sets the longitude and latitude, pasted 高德 coordinates are converted and saved as WGS-84."""

import datetime
from decimal import Decimal

import pytest

from tadiao.gis import services
from tadiao.org.models import Region
from tadiao.projects.models import Project, Stage
from tests.browser.conftest import log_in
from tests.browser.seed import seed_indicator_defaults
from tests.browser.test_map import _watch_errors
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory, RegionFactory
from tests.gis.conftest import county_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
NO_SIDEWAYS_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Every chart on the page: its canvas's width, its box's width, and the box's left and top edges.
CHARTS = """() => Array.from(document.querySelectorAll('[data-chart], [data-map]')).map(el => {
  const canvas = el.querySelector('canvas'); const box = el.getBoundingClientRect();
  return {id: el.dataset.chart || el.id, canvas: canvas ? canvas.getBoundingClientRect().width : null,
          width: box.width, left: box.left, top: box.top};
})"""

# Every chart's canvas as wide as its box again.
FOLLOWED = """() => Array.from(document.querySelectorAll('[data-chart], [data-map]')).every(el =>
  Math.abs(el.querySelector('canvas').getBoundingClientRect().width - el.clientWidth) <= 1)"""


@pytest.fixture
def county(region, unit_a, unit_b, sysadmin):
    seed_indicator_defaults()
    east = RegionFactory(code="330999001000", name="东城镇", level=Region.Level.TOWNSHIP, parent=region)
    west_lake = RegionFactory(code="330999002000", name="西湖街道", level=Region.Level.TOWNSHIP, parent=region)
    unit_a.region, unit_b.region = east, west_lake
    unit_a.save(update_fields=["region"])
    unit_b.save(update_fields=["region"])
    services.upload_boundary(content=county_file(), file_name="青山市.geojson", name="", approval_number="",
                             by=sysadmin)
    own = ProjectFactory(unit=unit_a, name="东城智能装备产业园", stage=Stage.STARTED, started_date=D(2026, 3, 1),
                         total_investment=Decimal("200000"), latitude=Decimal("30.1"), longitude=Decimal("120.05"))
    other = ProjectFactory(unit=unit_b, name="西湖城市更新", stage=Stage.SIGNED, signed_date=D(2026, 1, 5),
                           latitude=Decimal("30.08"), longitude=Decimal("120.16"))
    unlocated = ProjectFactory(unit=unit_a, name="东城待选址项目")
    return {"own": own, "other": other, "unlocated": unlocated}


def _context(browser, live_server, viewport):
    phone = viewport["width"] < 500
    return browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url, is_mobile=phone,
                               has_touch=phone)


def _all_drawn(page) -> None:
    page.wait_for_selector('#dashboard-map[data-ready="true"] canvas')
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-chart]')).every(el => "
                           "el.querySelector('canvas'))")


def _fits(page, viewport) -> list[dict]:
    scroll, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert scroll <= inner == viewport["width"], (scroll, inner)
    charts = page.evaluate(CHARTS)
    for chart in charts:
        assert chart["canvas"] is not None, chart
        assert chart["canvas"] <= viewport["width"] and chart["left"] >= 0, chart
        assert abs(chart["canvas"] - chart["width"]) <= 1, chart  # the chart fills its box, no wider
    return charts


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1440"])
def test_dashboard_fits_the_screen(browser, live_server, screenshot_dir, coordinator, county, viewport):
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    try:
        log_in(page, "coordinator", PASSWORD)
        page.wait_for_url("**/dashboard/")
        errors = _watch_errors(page)
        page.goto("/dashboard/?as_of=2026-04-30")
        _all_drawn(page)
        charts = _fits(page, viewport)
        assert {c["id"] for c in charts} >= {"chart-funnel", "chart-investment", "chart-ranking", "chart-warnings",
                                             "chart-milestones", "dashboard-map"}
        # The small map: the two located projects, the one without a location counted under it.
        names = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('#dashboard-map')).getOption()
            .series.filter(s => s.type === 'scatter').flatMap(s => s.data.map(d => d.name)).sort()""")
        assert names == ["东城智能装备产业园", "西湖城市更新"]
        assert "另有 1 个项目未标注位置" in page.inner_text("#small-map-notes")
        figures = [b["x"] for b in (c.bounding_box() for c in page.locator("#key-figures > div").all())]
        if viewport is PHONE:
            # One column of charts, each as wide as the screen's content; the key figures two to a row.
            assert len({round(c["left"]) for c in charts}) == 1
            assert len(set(round(x) for x in figures)) == 2
        else:
            assert len(set(round(x) for x in figures)) == 4
        page.screenshot(path=screenshot_dir / f"dashboard-field-{viewport['width']}.png", full_page=True)
        page.click("#open-map")
        page.wait_for_selector('#project-map[data-ready="true"] canvas')
        assert "color=light" in page.url and "as_of=2026-04-30" in page.url
        _fits(page, viewport)
        assert errors == []
    finally:
        context.close()


def test_charts_follow_a_phone_turned_sideways(browser, live_server, coordinator, county):
    context = _context(browser, live_server, PHONE)
    page = context.new_page()
    try:
        log_in(page, "coordinator", PASSWORD)
        page.wait_for_url("**/dashboard/")
        errors = _watch_errors(page)
        page.goto("/dashboard/?as_of=2026-04-30")
        _all_drawn(page)
        before = {c["id"]: c["canvas"] for c in _fits(page, PHONE)}
        turned = {"width": 844, "height": 390}
        page.set_viewport_size(turned)
        page.wait_for_function(FOLLOWED)
        after = {c["id"]: c["canvas"] for c in _fits(page, turned)}
        assert all(after[k] > before[k] for k in before), (before, after)
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1440"])
def test_the_picker_sets_the_location_on_a_click(browser, live_server, screenshot_dir, reporter_a, county, viewport):
    project = county["unlocated"]
    context = _context(browser, live_server, viewport)
    page = context.new_page()
    try:
        log_in(page, "reporter_a", PASSWORD)
        page.wait_for_load_state()
        errors = _watch_errors(page)
        page.goto(f"/projects/{project.pk}/edit/")
        page.wait_for_selector('#location-picker[data-ready="true"] canvas')
        scroll, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert scroll <= inner
        picker = page.locator("#location-picker")
        picker.scroll_into_view_if_needed()
        box = picker.bounding_box()
        assert box["width"] <= viewport["width"]
        # A real click where the chart draws 120.15 E, 30.05 N (in 西湖街道's half of the square county).
        x, y = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('#location-picker'))
            .convertToPixel({geoIndex: 0}, [120.15, 30.05])""")
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_function("() => document.querySelector('#id_longitude').value !== ''")
        lng, lat = float(page.input_value("#id_longitude")), float(page.input_value("#id_latitude"))
        # One pixel is under 0.001° at these sizes (the county's 0.2° spans 300 px or more).
        assert abs(lng - 120.15) < 0.001 and abs(lat - 30.05) < 0.001, (lng, lat)
        assert page.input_value("#id_coordinate_system") == "wgs84"
        # The pin stands where the click was.
        pin = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('#location-picker')).getOption()
            .series.find(s => s.id === 'picked').data.map(d => d.value)""")
        assert pin == [[lng, lat]]
        page.wait_for_timeout(600)  # the pin's entry animation, for the screenshot
        page.screenshot(path=screenshot_dir / f"location-picker-{viewport['width']}.png", full_page=True)
        page.click("button[type=submit]")
        page.wait_for_url(f"**/projects/{project.pk}/")
        saved = Project.objects.get(pk=project.pk)
        assert (saved.longitude, saved.latitude) == (Decimal(f"{lng:.6f}"), Decimal(f"{lat:.6f}"))
        assert errors == []
    finally:
        context.close()


def test_pasted_gaode_coordinates_are_converted_in_the_form(page, reporter_a, county):
    project = county["unlocated"]
    log_in(page, "reporter_a", PASSWORD)
    page.wait_for_load_state()
    errors = _watch_errors(page)
    page.goto(f"/projects/{project.pk}/edit/")
    page.wait_for_selector('#location-picker[data-ready="true"] canvas')
    # eviltransform's published pair: GCJ-02 121.531541859215, 31.17530398364597 is WGS-84 121.5272106, 31.1774276.
    page.fill("#id_coordinates", "121.531541859215,31.17530398364597")
    page.select_option("#id_coordinate_system", "gcj02")
    page.click("#locate-pasted")
    page.wait_for_function("() => document.querySelector('#id_longitude').value !== ''")
    assert (page.input_value("#id_longitude"), page.input_value("#id_latitude")) == ("121.527211", "31.177428")
    assert page.input_value("#id_coordinates") == "" and page.input_value("#id_coordinate_system") == "wgs84"
    # A point outside China: the converter's Chinese message, the fields untouched.
    page.fill("#id_coordinates", "2.35,48.85")
    page.click("#locate-pasted")
    page.wait_for_selector("#picker-message.text-danger")
    assert "坐标不在我国范围内" in page.inner_text("#picker-message")
    assert page.input_value("#id_longitude") == "121.527211"
    assert [e for e in errors if "/gis/convert/" in e] == [errors.pop()]  # the converter's 400 answer, expected
    page.fill("#id_coordinates", "")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/projects/{project.pk}/")
    saved = Project.objects.get(pk=project.pk)
    assert (saved.longitude, saved.latitude) == (Decimal("121.527211"), Decimal("31.177428"))
    assert errors == []
