"""Defining a local rate in Chromium (issue 15, point 6): choices, 预览 in place (htmx) without saving, then save."""

import datetime

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.indicators.models import RateDefinition
from tadiao.projects.models import Level, Stage
from tests.browser.conftest import log_in
from tests.browser.seed import seed_indicator_defaults
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _indicator_defaults(db):
    seed_indicator_defaults()
D = datetime.date


def test_define_preview_and_save_a_rate(page, screenshot_dir, coordinator, unit_a):
    ProjectFactory(unit=unit_a, level=Level.PROVINCIAL, stage=Stage.STARTED, started_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_a, level=Level.PROVINCIAL, stage=Stage.SIGNED, signed_date=D(2026, 1, 2))
    ProjectFactory(unit=unit_a, level=Level.CITY, stage=Stage.STARTED, started_date=D(2026, 4, 1))
    count = RateDefinition.objects.count()
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/indicators/settings/")
    form = page.locator("#rate-form")
    form.locator("#id_code").fill("provincial_start")
    form.locator("#id_name").fill("省重点开工率")
    form.locator("#rate-form-1").get_by_label("省重点").check()
    form.locator("#id_num_reached").select_option("STARTED")
    form.get_by_role("button", name="预览当前值").click()
    # By hand: 省重点 2, started 1 → 50.00%.
    page.wait_for_selector("#rate-preview")
    assert page.locator("#rate-preview-value").inner_text() == "50.00%"
    assert "分子 1 个 / 分母 2 个" in page.locator("#rate-preview").inner_text()
    assert page.url.endswith("/indicators/settings/")  # swapped in place, the choices still there
    assert page.locator("#id_num_reached").input_value() == "STARTED"
    form.screenshot(path=screenshot_dir / "rate-definition-preview.png")
    assert RateDefinition.objects.count() == count and not AuditEvent.objects.filter(action="indicators.rate.created")
    page.locator("#rate-form").get_by_role("button", name="新增比率").click()
    page.wait_for_url("**/indicators/settings/")
    page.wait_for_selector("text=已新增比率：省重点开工率")
    assert "分子：已达到开工阶段的项目；分母：全部项目（省重点）" in page.locator("#definitions").inner_text()
    assert RateDefinition.objects.get(code="provincial_start").denominator == {"levels": ["PROVINCIAL"]}


def test_edit_a_warning_rule_on_the_settings_page(page, screenshot_dir, coordinator):
    from decimal import Decimal

    from tadiao.indicators.models import WarningRule

    rule = WarningRule.objects.get(code="signed_not_started")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "coordinator", PASSWORD)
    page.wait_for_url("**/dashboard/")
    page.goto("/indicators/settings/")
    row = page.locator(f"#rule-{rule.pk}")
    row.get_by_label("黄灯阈值").fill("45")
    row.get_by_label("省重点").check()
    row.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已保存预警规则")
    page.locator("#rules").screenshot(path=screenshot_dir / "warning-rules.png")
    rule.refresh_from_db()
    assert (rule.yellow, rule.red, rule.levels, rule.is_active) == (Decimal("45.00"), Decimal("90.00"), ["PROVINCIAL"],
                                                                    True)
