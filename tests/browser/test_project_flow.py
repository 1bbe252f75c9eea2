"""An official's path through the browser: log in → project list → filter → open a project → advance its stage."""

import datetime

import pytest

from tadiao.projects.models import ApprovalKind, Project, ProjectApproval, Stage
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_filter_open_and_advance(page, screenshot_dir, reporter_a, unit_a):
    target = ProjectFactory(
        name="年产5万吨高性能纤维材料项目", unit=unit_a, stage=Stage.SIGNED, signed_date=datetime.date(2026, 3, 5)
    )
    ProjectFactory(name="东城镇污水管网改造工程", unit=unit_a, stage=Stage.RESERVE)
    for kind in ApprovalKind.objects.filter(required_before_start=True):
        done = datetime.date(2026, 4, 1)
        ProjectApproval.objects.create(project=target, kind=kind, status="DONE", completed_date=done)

    log_in(page, "reporter_a", PASSWORD)
    page.wait_for_url("**/projects/")
    assert page.locator("#project-table tbody tr").count() == 2
    page.screenshot(path=screenshot_dir / "project-list.png", full_page=True)

    page.select_option("#f-stage", "SIGNED")
    page.click("#apply-filters")
    page.wait_for_url("**stage=SIGNED**")
    rows = page.locator("#project-table tbody tr")
    assert rows.count() == 1
    assert "年产5万吨高性能纤维材料项目" in rows.first.inner_text()

    page.click("text=年产5万吨高性能纤维材料项目")
    page.wait_for_selector("#advance-form")
    assert page.inner_text("#project-stage") == "签约"
    # Issue 15 ③: straight from 签约 to 开工 skips 立项, which has no date: refused, saying so.
    page.select_option("#advance-form select[name=stage]", "STARTED")
    page.fill("#advance-form input[name=actual_date]", "2026-04-08")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=不能从签约直接推进到开工：立项没有实际日期。")
    assert page.inner_text("#project-stage") == "签约"
    page.select_option("#advance-form select[name=stage]", "APPROVED")
    page.fill("#advance-form input[name=actual_date]", "2026-03-20")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=项目已推进到立项阶段。")
    page.select_option("#advance-form select[name=stage]", "STARTED")
    page.fill("#advance-form input[name=actual_date]", "2026-04-08")
    page.click("#advance-form button[type=submit]")
    page.wait_for_selector("text=项目已推进到开工阶段。")
    assert page.inner_text("#project-stage") == "开工"
    assert "立项 → 开工" in page.inner_text("#transitions")
    page.screenshot(path=screenshot_dir / "project-advanced.png", full_page=True)

    target.refresh_from_db()
    assert (target.stage, target.started_date) == (Stage.STARTED, datetime.date(2026, 4, 8))
    assert Project.objects.filter(stage=Stage.STARTED).count() == 1
