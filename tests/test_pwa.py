"""The field side's server part (issue "The field side", point 3): the web-app manifest and the service worker are
served from the site's root to anyone (the browser fetches them itself), the worker keeps only /static/ files and
names no outside address; the icons ship; the reporter's pages carry the bottom navigation and mark the forms
whose drafts the browser keeps; the photo form's script gets a JSON answer."""

import datetime
import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tadiao.reporting import services
from tadiao.reporting.models import ReportPhoto
from tadiao.views import static_version
from tests.conftest import login
from tests.factories import AnnualPlanFactory

pytestmark = pytest.mark.django_db
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


def test_manifest_is_served_to_anyone_with_its_type_name_and_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["name"] == "塔吊 · 重点项目调度平台"
    assert (data["start_url"], data["scope"], data["display"], data["lang"]) == ("/", "/", "standalone", "zh-CN")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/tadiao/icons/") and icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:  # the PNG is the size the manifest says
            assert (image.format, f"{image.width}x{image.height}") == ("PNG", icon["sizes"])


def test_service_worker_is_served_from_the_root_and_caches_static_files_only(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"  # a new release reaches the phone on its next visit
    text = response.content.decode()
    assert 'new URL("/static/", self.location.origin)' in text
    assert re.search(r'const CACHE = "tadiao-static-[0-9a-f]{12}";', text)
    # Only GETs under /static/ are answered; everything else returns before respondWith, to the network.
    assert 'return request.method === "GET" && request.url.startsWith(STATIC_PREFIX);' in text
    guard, answer = text.index("if (!isStatic(event.request))"), text.index("event.respondWith")
    assert guard < answer and text.count("event.respondWith") == 1
    assert "return; // not ours to answer" in text[guard:answer]
    # No outside address, no pre-cached page.
    assert not re.search(r"https?://", text)
    assert "cache.addAll" not in text and "navigate" not in text


def test_the_pwa_files_need_no_login_and_no_password_change(client, reporter_a):
    reporter_a.must_change_password = True
    reporter_a.save(update_fields=["must_change_password"])
    login(client, reporter_a)
    assert client.get("/reporting/").status_code == 302  # the password page comes first
    assert client.get("/sw.js").status_code == 200
    assert client.get("/manifest.webmanifest").status_code == 200


def test_reporter_pages_carry_the_bottom_navigation_and_the_manifest(client, reporter_a, coordinator):
    login(client, reporter_a)
    page = client.get("/reporting/").content.decode()
    nav = page[page.index('id="bottom-nav"'):page.index("</nav>", page.index('id="bottom-nav"'))]
    assert re.findall(r">(首页|月报|周报|问题|消息)<?", nav) == ["首页", "月报", "周报", "问题", "消息"]
    assert 'id="bottom-nav-monthly" aria-current="page"' in nav
    assert 'class="td-has-bottom-nav"' in page and 'rel="manifest" href="/manifest.webmanifest"' in page
    assert "/static/tadiao/drafts.js" in page and "/static/tadiao/pwa.js" in page
    assert 'id="bottom-nav-problems" aria-current="page"' in client.get("/coordination/problems/").content.decode()
    badge = client.get("/notifications/unread/").content.decode()
    assert '<span id="bottom-nav-unread" hx-swap-oob="true">' in badge

    login(client, coordinator)  # the office works at a desk: no bottom navigation
    page = client.get("/reporting/").content.decode()
    assert 'id="bottom-nav"' not in page and "td-has-bottom-nav" not in page
    assert "bottom-nav-unread" not in client.get("/notifications/unread/").content.decode()


@pytest.fixture
def report_a(coordinator, reporter_a, project_a):
    AnnualPlanFactory(project=project_a, year=2026)
    period = services.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    return services.save_report(project=project_a, period=period, data={}, by=reporter_a, expected_version=None)


def test_report_form_is_drafted_only_while_editable(client, reporter_a, report_a):
    login(client, reporter_a)
    url = f"/reporting/projects/{report_a.project_id}/2026-11/"
    page = client.get(url).content.decode()
    assert '<form method="post" class="td-card td-touch" novalidate id="report-form" data-draft>' in page
    photo = page[page.index('id="photo-form"') - 200:page.index("</form>", page.index('id="photo-form"'))]
    assert 'accept="image/*" capture="environment"' in photo and 'id="photo-progress"' in photo
    # Re-shown with an error: the browser keeps its draft as it is.
    refused = client.post(url, {"investment_completed": "-1", "version": report_a.version}).content.decode()
    assert 'id="report-form" data-draft data-draft-bound>' in refused
    services.submit_report(report=report_a, by=reporter_a, expected_version=report_a.version)
    assert "data-draft" not in client.get(url).content.decode()


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(buffer, "JPEG")
    buffer.name = "现场.jpg"
    buffer.seek(0)
    return buffer


def test_photo_upload_answers_the_script_in_json(client, reporter_a, reporter_b, leader, report_a):
    url = f"/reporting/reports/{report_a.pk}/photos/"
    login(client, reporter_a)
    response = client.post(url, {"photo": _jpeg()}, **XHR)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "照片已上传。",
                               "redirect": f"/reporting/projects/{report_a.project_id}/2026-11/"}
    assert ReportPhoto.objects.filter(report=report_a).count() == 1
    assert "照片已上传。" in client.get(response.json()["redirect"]).content.decode()  # shown once, on the page

    refused = client.post(url, {"photo": io.BytesIO(b"%PDF-1.4 not a photo")}, **XHR)
    assert refused.status_code == 400 and refused.json()["ok"] is False
    assert "只能上传 JPG 或 PNG 照片" in refused.json()["message"]
    assert "只能上传" not in client.get(f"/reporting/projects/{report_a.project_id}/2026-11/").content.decode()
    assert ReportPhoto.objects.filter(report=report_a).count() == 1

    login(client, leader)  # reads, may not write
    assert client.post(url, {"photo": _jpeg()}, **XHR).status_code == 403
    login(client, reporter_b)  # another unit: not there at all
    assert client.post(url, {"photo": _jpeg()}, **XHR).status_code == 404
    assert ReportPhoto.objects.filter(report=report_a).count() == 1


def test_a_changed_static_file_gives_the_worker_a_new_cache_name(settings, tmp_path):
    (tmp_path / "app.js").write_text("// 1", encoding="utf-8")
    settings.STATICFILES_DIRS = [tmp_path]
    finders.get_finder.cache_clear()
    try:
        static_version.cache_clear()
        first = static_version()
        static_version.cache_clear()
        assert static_version() == first  # the same files, the same name
        (tmp_path / "app.js").write_text("// 第二版", encoding="utf-8")
        static_version.cache_clear()
        assert static_version() != first
    finally:
        finders.get_finder.cache_clear()
        static_version.cache_clear()
