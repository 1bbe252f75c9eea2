"""A date field shows 2026-12-03 in an English-language Chromium too, and takes 2026年12月3日 (issue 15, point 5):
an <input type="date"> would show 12/03/2026 there."""

import datetime

import pytest

from tadiao.coordination.models import Meeting
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def test_a_date_field_shows_iso_in_an_english_browser(english_page, coordinator):
    meeting = Meeting.objects.create(date=datetime.date(2026, 12, 3), kind="MONTHLY", title="12月月例会")
    page = english_page
    log_in(page, "coordinator", PASSWORD)
    page.goto(f"/coordination/meetings/{meeting.pk}/edit/")
    assert page.evaluate("navigator.language") == "en-US"
    field = page.locator("input[name=date]")
    # A text input shows exactly its value; a date input would show the browser's locale format instead.
    assert field.get_attribute("type") == "text"
    assert field.input_value() == "2026-12-03"
    assert field.get_attribute("placeholder") == "2026-12-03"
    field.fill("2026年12月10日")
    page.click("button[type=submit]")
    page.wait_for_selector("text=会议已保存。")
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2026, 12, 10)
