"""Closing a month freezes its figures; later edits do not change them; "compared with last snapshot"."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tadiao.audit.models import AuditEvent
from tadiao.indicators.models import Snapshot
from tadiao.projects import services as project_services
from tadiao.projects.models import Stage
from tadiao.reporting import services
from tests.factories import AnnualPlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def may_closed(coordinator, reporter_a, unit_a):
    """May 2026: three projects, one started (1/3 = 33.33%); 100 of a 1 000 plan reported (10.00%)."""
    started = ProjectFactory(unit=unit_a, name="已开工", stage=Stage.STARTED, started_date=D(2026, 4, 1))
    waiting = ProjectFactory(unit=unit_a, name="待开工", stage=Stage.SIGNED, signed_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_a, name="储备", stage=Stage.RESERVE)
    AnnualPlanFactory(project=started, year=2026, planned_investment=Decimal("1000"))
    may = services.open_period(month=D(2026, 5, 1), by=coordinator)
    report = services.save_report(
        project=started, period=may, data={"investment_completed": Decimal("100")}, by=reporter_a, expected_version=None
    )
    services.submit_report(report=report, by=reporter_a, expected_version=report.version)
    services.close_period(period=may, by=coordinator, today=D(2026, 6, 5), reason="月末后关账")
    return {"may": may, "started": started, "waiting": waiting}


def test_closing_freezes_figures_that_later_edits_do_not_change(may_closed, coordinator, reporter_a):
    snapshot = Snapshot.objects.get(period=may_closed["may"])
    assert snapshot.as_of == D(2026, 5, 31)
    frozen = snapshot.data["indicators"]
    assert frozen["rates"]["start_rate"] == {"numerator": 1, "denominator": 3, "percent": "33.33"}
    assert frozen["rates"]["annual_investment_completion"]["percent"] == "10.00"
    assert [w["name"] for w in snapshot.data["warnings"]] == ["已开工", "待开工"]
    # A June edit: the waiting project starts on 20 May after all (entered late).
    project_services.advance_stage(
        project=may_closed["waiting"],
        stage=Stage.STARTED,
        actual_date=D(2026, 5, 20),
        by=coordinator,
        today=D(2026, 6, 10),
        reason="补录开工",  # issue 15 ③: 签约 → 开工 without 立项 takes the office's reason
    )
    snapshot.refresh_from_db()
    assert snapshot.data["indicators"]["rates"]["start_rate"]["percent"] == "33.33"


def test_reclosing_after_reopen_refreezes(may_closed, coordinator):
    may = may_closed["may"]
    project_services.advance_stage(
        project=may_closed["waiting"],
        stage=Stage.STARTED,
        actual_date=D(2026, 5, 20),
        by=coordinator,
        today=D(2026, 6, 10),
        reason="补录开工",  # issue 15 ③: 签约 → 开工 without 立项 takes the office's reason
    )
    services.reopen_period(period=may, reason="补录开工", by=coordinator)
    first = Snapshot.objects.get(period=may)
    services.close_period(period=may, by=coordinator, today=D(2026, 6, 5), reason="月末后关账")
    snapshot = Snapshot.objects.get(period=may)
    assert snapshot.data["indicators"]["rates"]["start_rate"]["percent"] == "66.67"
    # The same row rewritten (not a second snapshot of the month), audited as refrozen.
    assert snapshot.pk == first.pk and Snapshot.objects.filter(period=may).count() == 1
    events = AuditEvent.objects.filter(object_type="indicators.snapshot").order_by("pk")
    assert [(e.action, e.object_id) for e in events] == [
        ("indicators.snapshot.frozen", str(first.pk)), ("indicators.snapshot.refrozen", str(first.pk)),
    ]


def test_cli_compares_with_a_snapshot(may_closed, coordinator):
    project_services.advance_stage(
        project=may_closed["waiting"],
        stage=Stage.STARTED,
        actual_date=D(2026, 6, 2),
        by=coordinator,
        today=D(2026, 6, 10),
        reason="补录开工",  # issue 15 ③: 签约 → 开工 without 立项 takes the office's reason
    )
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-05", "--json", stdout=out)
    data = json.loads(out.getvalue())
    # 开工率 2/3 = 66.67% against 33.33%: +33.34 points; one more started, one fewer signed.
    assert data["compare_to"]["period"] == "2026-05"
    assert data["compare_to"]["rates"]["start_rate"] == "33.34"
    assert data["compare_to"]["counts_by_stage"]["started"] == 1
    assert data["compare_to"]["counts_by_stage"]["signed"] == -1
    assert data["compare_to"]["rates"]["completed_to_producing"] is None  # "—" both times
    text = io.StringIO()
    call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-05", stdout=text)
    assert "开工率提高 33.34 个百分点" in text.getvalue()


def test_cli_compare_to_a_month_without_snapshot(may_closed):
    with pytest.raises(CommandError, match="没有2026年4月的快照"):
        call_command("indicators", "--as-of", "2026-06-30", "--compare-to", "2026-04", "--json")
