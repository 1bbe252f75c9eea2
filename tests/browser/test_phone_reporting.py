"""The field side on a phone (issue "The field side", point 3): every page a 填报员 uses fits 390 px with no sideways
scroll and carries the bottom navigation with touch-sized links; the photo field opens the camera, shows a
thumbnail before sending and uploads with a progress bar; a form being filled survives a dropped network and a
reload (a draft in the browser, gone once saved); the service worker registers for the whole site and keeps only
static files.

The phone context is mobile (is_mobile, has_touch) as the issue asks; Chromium's mobile emulation would widen the
layout viewport to an overflowing page, so each check also asserts that the window is still 390 px wide."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tadiao.coordination.services import problems as problem_services
from tadiao.notifications.messages import notify
from tadiao.notifications.models import Message
from tadiao.projects.models import Level
from tadiao.reporting import services
from tadiao.reporting.models import MonthlyReport, ReportPhoto
from tadiao.weekly.models import WeeklySettings
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import AnnualPlanFactory, ProjectFactory
from tests.reporting.photo_files import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "[document.documentElement.scrollWidth, window.innerWidth]"
LONG_NAME = "年产12万套新能源汽车一体化压铸件及配套零部件智能制造产业化项目（一期）"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True,
        locale="zh-CN", base_url=live_server.url,
    )
    page = context.new_page()
    yield page
    context.close()


def assert_fits(page) -> None:
    scroll_width, inner_width = page.evaluate(FITS)
    assert inner_width == 390 and scroll_width <= inner_width, (page.url, scroll_width, inner_width)


def heights(page, selector: str) -> list[tuple[str, float]]:
    """(text, height) of the visible elements matching `selector`."""
    return page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
             .filter(el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
             .map(el => [el.textContent.trim().slice(0, 20), el.getBoundingClientRect().height])""",
        selector,
    )


@pytest.fixture
def field_data(coordinator, reporter_a, unit_a, unit_b):
    """A reporter's month in progress: an open period, two projects (one with a draft report), the project on
    this week's schedule, a problem the office handed to the unit, and an unread message."""
    WeeklySettings.objects.update_or_create(pk=1, defaults={"levels": [Level.PROVINCIAL]})
    period = services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    long = ProjectFactory(unit=unit_a, name=LONG_NAME, level=Level.PROVINCIAL)
    other = ProjectFactory(unit=unit_a, name="东城镇污水管网改造工程")
    ProjectFactory(unit=unit_b, name="西湖街道项目", level=Level.PROVINCIAL)
    for project in (long, other):
        AnnualPlanFactory(project=project, year=2026, planned_investment=Decimal("1000"))
    report = services.save_report(project=other, period=period, data={"progress_text": "管网铺设完成 3.2 公里"},
                                  by=reporter_a, expected_version=None)
    problem = problem_services.raise_problem(
        project=long, by=coordinator, today=timezone.localdate(),
        data={"title": "压铸车间用电增容手续办理缓慢，影响设备调试", "category": "OTHER",
              "description": "需供电公司加快办理 10 千伏专线接入。", "lead_unit": unit_a},
    )
    notify(kind="INSTRUCTION", title="请加快压铸车间用电增容", users=[reporter_a])
    return {"period": period, "long": long, "other": other, "report": report, "problem": problem}


def test_every_reporter_page_fits_a_phone_with_the_bottom_navigation(phone, browser, live_server, screenshot_dir,
                                                                      field_data):
    long, problem = field_data["long"], field_data["problem"]
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    pages = [
        ("/", "home", "home"),
        ("/reporting/?month=2026-11", "monthly", "reporting-list"),
        (f"/reporting/projects/{long.pk}/2026-11/", "monthly", "reporting-form"),
        (f"/reporting/projects/{field_data['other'].pk}/2026-11/", "monthly", "reporting-form-photos"),
        ("/weekly/", "weekly", "weekly-list"),
        (f"/coordination/problems/new/?project={long.pk}", "problems", "problem-new"),
        ("/coordination/problems/", "problems", "problem-list"),
        (f"/coordination/problems/{problem.pk}/", "problems", "problem-detail"),
        ("/coordination/inbox/", "problems", "problem-inbox"),
        ("/notifications/", "messages", "messages"),
    ]
    for url, active, shot in pages:
        phone.goto(url)
        phone.wait_for_selector("#bottom-nav")
        phone.screenshot(path=screenshot_dir / f"phone-{shot}-390.png", full_page=True)
        assert_fits(phone)
        nav = phone.locator("#bottom-nav")
        assert nav.is_visible()
        assert nav.locator("a").all_inner_texts()[0] == "首页"
        assert phone.locator("#bottom-nav a.active").get_attribute("id") == f"bottom-nav-{active}", url
        # The navigation stays at the bottom of the screen, its links and the page's buttons are touch-sized.
        box = nav.bounding_box()
        assert abs(box["y"] + box["height"] - 844) < 1
        targets = "#bottom-nav a, .td-main .btn, .td-sidebar .nav-link, .td-row-action"
        small = [(text, h) for text, h in heights(phone, targets) if h < 44]
        assert not small, (url, small)
    # The check can fail on this mobile context: a page made wider than the screen is caught.
    phone.evaluate("document.querySelector('.td-main').insertAdjacentHTML('beforeend', "
                   "'<div style=\"width:600px\">宽</div>')")
    with pytest.raises(AssertionError):
        assert_fits(phone)
    # On the phone a list's filters start folded under their summary, and open with a tap.
    phone.goto("/projects/")
    assert not phone.locator("#project-filters").is_visible()
    phone.tap(".td-fold-summary")
    assert phone.locator("#project-filters").is_visible()
    assert_fits(phone)
    # The weekly form, reached from the list.
    phone.goto("/weekly/")
    phone.locator("#weekly-table a.fw-semibold").first.click()
    phone.wait_for_selector("#weekly-form")
    assert_fits(phone)
    assert phone.locator("#bottom-nav-weekly").get_attribute("aria-current") == "page"
    # The unread badge reaches the bottom navigation with the header's.
    phone.wait_for_selector("#bottom-nav-unread .badge")
    unread = Message.objects.filter(user__username="reporter_a", read_at__isnull=True).count()
    assert unread >= 1
    assert phone.inner_text("#bottom-nav-unread") == str(unread) == phone.inner_text("#unread-count").strip()

    # At 1440 px the side menu is the navigation; the bottom one is hidden.
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", base_url=live_server.url)
    try:
        page = desk.new_page()
        log_in(page, "reporter_a", PASSWORD)
        page.wait_for_url("**/projects/")
        page.goto("/reporting/?month=2026-11")
        assert page.locator("#bottom-nav").count() == 1 and not page.locator("#bottom-nav").is_visible()
        assert page.locator(".td-sidebar").is_visible()
        page.goto("/projects/")  # the filters are open, without the phone's summary line
        assert page.locator("#project-filters").is_visible() and not page.locator(".td-fold-summary").is_visible()
    finally:
        desk.close()


def test_office_users_have_no_bottom_navigation(phone, coordinator):
    log_in(phone, "coordinator", PASSWORD)
    phone.wait_for_url("**/dashboard/")
    phone.goto("/reporting/")
    assert phone.locator("#bottom-nav").count() == 0


def test_photo_opens_the_camera_shows_a_thumbnail_and_uploads_with_progress(phone, screenshot_dir, field_data):
    report = field_data["report"]
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto(f"/reporting/projects/{field_data['other'].pk}/2026-11/")
    field = phone.locator("#id_photo")
    assert field.get_attribute("accept") == "image/*"
    assert field.get_attribute("capture") is not None
    assert phone.locator("#photo-progress").is_hidden()

    picture = jpeg(size=(1600, 1200), taken="2026:11:18 10:20:00", name="主厂房吊装.jpg")
    field.set_input_files({"name": "主厂房吊装.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()})
    thumb = phone.locator("#photo-preview img")
    thumb.wait_for()
    # The thumbnail is the chosen picture itself, read in the browser before anything is sent.
    assert phone.evaluate("document.querySelector('#photo-preview img').naturalWidth") == 1600
    assert phone.evaluate("document.querySelector('#photo-preview img').src").startswith("blob:")
    assert "主厂房吊装.jpg" in phone.inner_text("#photo-preview")
    assert ReportPhoto.objects.count() == 0
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "phone-photo-preview-390.png", full_page=True)

    # Follow the progress bar and the status line from Python (the page is replaced once the upload is done).
    seen: list[tuple[str, str]] = []
    phone.expose_function("tdSeen", lambda value, text: seen.append((value, text)))
    phone.evaluate("""() => {
        const bar = document.querySelector('#photo-progress'), status = document.querySelector('#photo-status');
        const report = () => window.tdSeen(String(bar.value), status.textContent);
        new MutationObserver(report).observe(bar, {attributes: true});
        new MutationObserver(report).observe(status, {childList: true, characterData: true, subtree: true});
    }""")
    with phone.expect_navigation():
        phone.click("#photo-submit")
    phone.wait_for_selector("text=照片已上传。")
    values = [float(v) for v, _ in seen]
    assert values and max(values) == 100 and values == sorted(values)
    assert any(text == "正在上传… 100%" for _, text in seen)  # set by the upload's progress event
    photo = ReportPhoto.objects.get(report=report)
    assert (photo.original_name, photo.width, photo.height) == ("主厂房吊装.jpg", 1600, 1200)
    assert phone.locator(f"#photo-{photo.pk} img").is_visible()
    assert_fits(phone)


def test_a_refused_photo_shows_the_server_message_and_stores_nothing(phone, field_data):
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto(f"/reporting/projects/{field_data['other'].pk}/2026-11/")
    phone.set_input_files("#id_photo", {"name": "坏图.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"})
    phone.click("#photo-submit")
    phone.wait_for_selector("#photo-status.text-danger")
    assert "坏图.jpg" in phone.inner_text("#photo-status")
    assert phone.locator("#photo-submit").is_enabled()
    assert ReportPhoto.objects.count() == 0


def test_a_draft_survives_a_dropped_network_and_is_gone_once_saved(phone, screenshot_dir, field_data):
    long = field_data["long"]
    url = f"/reporting/projects/{long.pk}/2026-11/"
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto(url)
    phone.fill("#id_investment_completed", "86.5")
    phone.fill("#id_progress_text", "压铸车间钢结构吊装完成，设备基础浇筑 80%")

    # The network drops as the form is sent; back online the reporter opens the page again.
    phone.context.set_offline(True)
    try:
        phone.click("button[name=save]")
        phone.wait_for_timeout(300)
    finally:
        phone.context.set_offline(False)
    assert not MonthlyReport.objects.filter(project=long).exists()
    phone.goto(url)
    phone.wait_for_selector("#draft-notice")
    assert "已恢复未保存的草稿" in phone.inner_text("#draft-notice")
    assert phone.input_value("#id_investment_completed") == "86.5"
    assert phone.input_value("#id_progress_text") == "压铸车间钢结构吊装完成，设备基础浇筑 80%"
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "phone-draft-restored-390.png", full_page=True)

    # Reloaded once more: still there. Then saved: the draft is cleared, the saved figures come from the server.
    phone.reload()
    phone.wait_for_selector("#draft-notice")
    phone.click("button[name=save]")
    phone.wait_for_selector("text=月报已保存（草稿）。")
    assert MonthlyReport.objects.get(project=long).investment_completed == Decimal("86.5")
    phone.reload()
    phone.wait_for_selector("#id_progress_text")
    assert phone.locator("#draft-notice").count() == 0
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tadiao-draft:'))") == []
    assert phone.input_value("#id_progress_text") == "压铸车间钢结构吊装完成，设备基础浇筑 80%"


def test_a_draft_can_be_discarded_and_a_refused_save_keeps_it(phone, field_data):
    other = field_data["other"]
    url = f"/reporting/projects/{other.pk}/2026-11/"
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto(url)
    phone.fill("#id_progress_text", "本月新增：检查井 12 座")
    phone.reload()
    phone.wait_for_selector("#draft-notice")
    assert phone.input_value("#id_progress_text") == "本月新增：检查井 12 座"
    phone.click("#draft-discard")
    assert phone.locator("#draft-notice").count() == 0
    assert phone.input_value("#id_progress_text") == "管网铺设完成 3.2 公里"  # the server's saved text
    phone.reload()
    phone.wait_for_selector("#id_progress_text")
    assert phone.locator("#draft-notice").count() == 0

    # A figure the server refuses: the page comes back with the error, the draft stays for the next visit.
    phone.fill("#id_investment_completed", "-5")
    phone.fill("#id_progress_text", "负数投资（录错）")
    phone.click("button[name=save]")
    phone.wait_for_selector(".errorlist, .alert-danger")
    phone.goto(url)
    phone.wait_for_selector("#draft-notice")
    assert phone.input_value("#id_progress_text") == "负数投资（录错）"


def test_the_service_worker_covers_the_site_and_keeps_static_files_only(phone, field_data, reporter_a):
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto("/reporting/?month=2026-11")
    scope = phone.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == phone.evaluate("location.origin + '/'")
    # Once it controls the page, a second visit goes through it: only /static/ answers end up in its cache.
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.goto(f"/reporting/projects/{field_data['other'].pk}/2026-11/")
    cached = phone.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) { urls.push(new URL(request.url).pathname); }
        }
        return urls;
    }""")
    assert any(path.endswith("/tadiao/tadiao.css") for path in cached), cached
    assert cached and all(path.startswith("/static/") for path in cached), cached
    # Pages still come from the server: a report saved there meanwhile shows at once.
    services.save_report(project=field_data["long"], period=field_data["period"],
                         data={"progress_text": "服务器上刚保存的内容"}, by=reporter_a, expected_version=None)
    phone.goto(f"/reporting/projects/{field_data['long'].pk}/2026-11/")
    assert phone.input_value("#id_progress_text") == "服务器上刚保存的内容"


def test_a_problem_reply_keeps_its_draft_until_sent(phone, field_data):
    problem = field_data["problem"]
    url = f"/coordination/problems/{problem.pk}/"
    log_in(phone, "reporter_a", PASSWORD)
    phone.wait_for_url("**/projects/")
    phone.goto(url)
    phone.fill("#reply-form textarea", "已与供电公司对接，预计下周完成专线接入。")
    phone.reload()
    phone.wait_for_selector("#draft-notice")
    assert phone.input_value("#reply-form textarea") == "已与供电公司对接，预计下周完成专线接入。"
    phone.click("#reply-form button")
    phone.wait_for_selector("text=回复已发送。")
    assert "已与供电公司对接" in phone.inner_text("#replies")
    assert phone.input_value("#reply-form textarea") == ""
    phone.reload()
    phone.wait_for_selector("#reply-form")
    assert phone.locator("#draft-notice").count() == 0
