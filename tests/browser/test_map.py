"""一张图 in Chromium, at 1440 px and on a 390 × 844 phone: the locally served ECharts draws the uploaded boundary and
the points, without a JavaScript error; a click on a point opens the project; no horizontal scroll on the phone."""

import datetime
import re
from decimal import Decimal

import pytest

from tadiao.gis import services
from tadiao.indicators.models import RateDefinition
from tadiao.org.models import Region
from tadiao.projects.models import Stage
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory, RegionFactory
from tests.gis.conftest import county_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


@pytest.fixture
def county(region, unit_a, unit_b, sysadmin):
    # An earlier transactional test's flush empties the table its data migration filled: put 开工率 back.
    RateDefinition.objects.get_or_create(
        code="start_rate", defaults={"name": "开工率", "measure": "COUNT", "numerator": {"reached": "STARTED"}}
    )
    east = RegionFactory(code="330999001000", name="东城镇", level=Region.Level.TOWNSHIP, parent=region)
    west_lake = RegionFactory(code="330999002000", name="西湖街道", level=Region.Level.TOWNSHIP, parent=region)
    unit_a.region, unit_b.region = east, west_lake
    unit_a.save(update_fields=["region"])
    unit_b.save(update_fields=["region"])
    services.upload_boundary(content=county_file(), file_name="青山市.geojson", name="",
                             approval_number="浙S（2026）12号", by=sysadmin)
    own = ProjectFactory(unit=unit_a, name="东城智能装备产业园", stage=Stage.STARTED, started_date=D(2026, 3, 1),
                         total_investment=Decimal("200000"), latitude=Decimal("30.1"), longitude=Decimal("120.05"))
    other = ProjectFactory(unit=unit_b, name="西湖城市更新", stage=Stage.SIGNED, signed_date=D(2026, 1, 5),
                           latitude=Decimal("30.08"), longitude=Decimal("120.16"))
    return {"own": own, "other": other}


def _watch_errors(page) -> list[str]:
    """JavaScript errors, console errors and failed requests — except the browser's own /favicon.ico probe, which the
    error page of an earlier request may leave in flight."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda message: errors.append(message.text)
        if message.type == "error" and not message.text.startswith("Failed to load resource")
        else None,
    )
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}")
        if response.status >= 400 and not response.url.endswith("/favicon.ico")
        else None,
    )
    return errors


SERIES_DATA = """() => echarts.getInstanceByDom(document.querySelector('#project-map')).getOption().series
    .filter(s => s.type === 'scatter').flatMap(s => s.data.map(d => ({name: d.name, url: d.url, value: d.value})))"""


def test_map_renders_and_a_click_opens_the_project(page, screenshot_dir, coordinator, county):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    errors = _watch_errors(page)  # from the map on (the landing page is not this test's)
    page.goto("/gis/")
    page.wait_for_selector('#project-map[data-ready="true"] canvas')
    points = page.evaluate(SERIES_DATA)
    assert {p["name"]: p["url"] for p in points} == {
        "东城智能装备产业园": f"/projects/{county['own'].pk}/",
        "西湖城市更新": f"/projects/{county['other'].pk}/",
    }
    areas = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('#project-map')).getOption()
        .series.filter(s => s.type === 'map')[0].data.map(d => d.name)""")
    assert areas == ["东城镇", "西湖街道"]
    assert "审图号：浙S（2026）12号" in page.inner_text("#approval-number")
    page.screenshot(path=screenshot_dir / "map-1440.png", full_page=True)

    # A real click on the point: its pixel from the chart's own projection of its longitude and latitude.
    box = page.locator("#project-map").bounding_box()
    x, y = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('#project-map'))
        .convertToPixel({geoIndex: 0}, [120.05, 30.1])""")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(rf".*/projects/{county['own'].pk}/$"))
    assert errors == []


def test_map_on_a_phone_shows_only_the_reporters_points(browser, live_server, screenshot_dir, reporter_a, county):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        log_in(page, "reporter_a", PASSWORD)
        page.wait_for_load_state()
        errors = _watch_errors(page)
        page.goto("/gis/")
        page.wait_for_selector('#project-map[data-ready="true"] canvas')
        assert [p["name"] for p in page.evaluate(SERIES_DATA)] == ["东城智能装备产业园"]
        assert "西湖城市更新" not in page.content()
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1]
        # The filters fold away on a phone and open with their button.
        assert not page.is_visible("#map-filters")
        page.click("#toggle-filters")
        page.wait_for_selector("#map-filters", state="visible")
        # The chart follows its box: the canvas is as wide as the map element.
        canvas, element = page.evaluate("""() => [document.querySelector('#project-map canvas').clientWidth,
                                                  document.querySelector('#project-map').clientWidth]""")
        assert canvas == element
        page.screenshot(path=screenshot_dir / "map-390.png", full_page=True)
        # The click handler navigates: call it as ECharts does for a click on the point.
        page.evaluate(
            "url => echarts.getInstanceByDom(document.querySelector('#project-map')).trigger('click', {data: {url}})",
            f"/projects/{county['own'].pk}/",
        )
        page.wait_for_url(re.compile(rf".*/projects/{county['own'].pk}/$"))
        assert errors == []
    finally:
        context.close()


def test_the_sysadmin_previews_the_uploaded_boundary(page, sysadmin, county):
    log_in(page, "sysadmin", PASSWORD)
    page.wait_for_load_state()
    errors = _watch_errors(page)
    page.goto("/gis/boundary/")
    page.wait_for_selector('[data-map="boundary-preview"][data-ready="true"] canvas')
    option = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('[data-map="boundary-preview"]'))
        .getOption()""")
    # The areas and the outline, and no project: the system administrator reads no business data.
    assert [s["type"] for s in option["series"]] == ["lines"]
    assert "东城智能装备产业园" not in page.content()
    assert errors == []
