"""The API docs page in Chromium: Swagger UI from our own static files runs under the site's CSP (no outside
request), lists the endpoints, and "Try it out" answers with the browser's login session."""

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_lists_and_calls_the_endpoints(page, screenshot_dir, reporter_a, project_a, live_server):
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, "reporter_a", PASSWORD)
    page.wait_for_url("**/projects/**")
    page.goto("/api/v1/docs")
    page.wait_for_selector("#operations-项目-project_list", timeout=20000)
    page.screenshot(path=str(screenshot_dir / "api_docs.png"), full_page=False)
    assert page.locator(".opblock").count() >= 10
    with page.expect_response(lambda r: r.url.startswith(f"{live_server.url}/api/v1/projects")) as answer:
        page.evaluate("fetch('/api/v1/projects').then(r => r.json())")
    assert answer.value.status == 200 and project_a.name in answer.value.text()
    # A write with the page's CSRF token (as Swagger UI's "Try it out" sends it) passes the session's CSRF check
    # and reaches the report gate (no report 999: 404); without the token the session is refused (403).
    post = """token => fetch('/api/v1/reports/999/submit', {method: 'POST',
        headers: Object.assign({'Content-Type': 'application/json'}, token ? {'X-CSRFToken': token} : {}),
        body: JSON.stringify({version: 1})}).then(r => r.status)"""
    assert page.evaluate(post, page.evaluate("document.body.dataset.csrfToken")) == 404
    assert page.evaluate(post, "") == 403
    assert not outside, outside
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
