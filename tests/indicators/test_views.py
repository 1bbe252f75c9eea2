"""Indicator pages with the standard actors: figures scoped to what the user may see, exports, flat queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.indicators.models import RateDefinition, Target
from tadiao.projects.models import Stage, Tag
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ledger(unit_a, unit_b):
    ProjectFactory(unit=unit_a, name="东城已开工", stage=Stage.STARTED, started_date=D(2026, 3, 1))
    ProjectFactory(unit=unit_a, name="东城签约未开工", stage=Stage.SIGNED, signed_date=D(2026, 1, 2))
    ProjectFactory(unit=unit_b, name="西湖签约未开工", stage=Stage.SIGNED, signed_date=D(2026, 1, 3))


def test_overview_for_coordinator_and_reporter_scope(client, coordinator, reporter_b, ledger):
    login(client, coordinator)
    body = client.get("/indicators/?as_of=2026-06-30").content.decode()
    assert "截至 2026年6月30日" in body
    rates = client.get("/indicators/?as_of=2026-06-30").context["result"].rates
    assert (rates["start_rate"].numerator, rates["start_rate"].denominator) == (1, 3)
    login(client, reporter_b)  # sees only 西湖街道's one project
    rates = client.get("/indicators/?as_of=2026-06-30").context["result"].rates
    assert (rates["start_rate"].numerator, rates["start_rate"].denominator) == (0, 1)


def test_warnings_page_lists_reasons_and_exports(client, coordinator, reporter_a, ledger):
    login(client, coordinator)
    body = client.get("/indicators/warnings/?as_of=2026-06-30").content.decode()
    assert "东城签约未开工" in body and "西湖签约未开工" in body
    assert "红灯：签约后 90 天未开工（桩基进场）（已 179 天）" in body  # 2 January → 30 June
    response = client.get("/indicators/warnings/export.xlsx?as_of=2026-06-30&light=red")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("预警项目").to_python()
    assert rows[1][:4] == ["序号", "责任单位", "项目名称", "预警"]
    assert sorted(r[2] for r in rows[2:]) == ["东城签约未开工", "西湖签约未开工"]
    login(client, reporter_a)  # another unit's warnings are not in a reporter's list or export
    body = client.get("/indicators/warnings/?as_of=2026-06-30").content.decode()
    assert "东城签约未开工" in body and "西湖签约未开工" not in body
    response = client.get("/indicators/warnings/export.xlsx?as_of=2026-06-30")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("预警项目").to_python()
    assert [r[2] for r in rows[2:]] == ["东城签约未开工"]


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/",
        "/indicators/warnings/",
        "/indicators/warnings/export.xlsx",
        "/indicators/rankings/",
        "/indicators/settings/",
    ],
)
@pytest.mark.parametrize("actor", ["sysadmin", "auditor"])
def test_administrators_get_403(client, request, url, actor):
    login(client, request.getfixturevalue(actor))
    assert client.get(url).status_code == 403


def test_only_coordinator_configures(client, coordinator, leader):
    Tag.objects.get_or_create(name="智能化改造")
    rate = RateDefinition.objects.get(code="start_rate")
    target = {"year": "2026", "kind": "RATE", "rate": rate.pk, "level": "PROVINCIAL", "deadline": "2026-06-30",
              "value": "85"}
    definition = {
        "code": "smart_rate",
        "name": "智能化改造项目开工率",
        "measure": "COUNT",
        "den_tags": ["智能化改造"],
        "num_reached": "STARTED",
        "num_period": "reached",
    }
    login(client, leader)
    assert client.post("/indicators/settings/targets/", target).status_code == 403
    assert client.post("/indicators/settings/definitions/", definition).status_code == 403
    login(client, coordinator)
    client.post("/indicators/settings/targets/", target)
    assert Target.objects.get().percent == Decimal("85.00")
    client.post("/indicators/settings/definitions/", definition)
    assert RateDefinition.objects.get(code="smart_rate").denominator == {"tags": ["智能化改造"]}
    # Conditions are chosen, not typed: an unknown stage or tag is refused in Chinese (the JSON errors are gone).
    response = client.post("/indicators/settings/definitions/", {**definition, "code": "bad", "num_reached": "X"})
    assert "选择一个有效的选项。 X 不在可用的选项中。" in response.content.decode()
    response = client.post(
        "/indicators/settings/definitions/", {**definition, "code": "bad2", "den_tags": ["无此标签"]}
    )
    assert "“无此标签”不是可选的取值。" in response.content.decode()
    assert not RateDefinition.objects.filter(code__startswith="bad").exists()


def test_rankings_page(client, leader, ledger):
    login(client, leader)
    body = client.get("/indicators/rankings/?as_of=2026-06-30").content.decode()
    assert "排序规则：开工率高者在前" in body


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/?as_of=2026-06-30",
        "/indicators/warnings/?as_of=2026-06-30",
        "/indicators/rankings/?as_of=2026-06-30",
    ],
)
def test_query_counts_are_flat(client, coordinator, unit_a, unit_b, url):
    login(client, coordinator)

    def add(n):
        for i in range(n):
            ProjectFactory(unit=(unit_a, unit_b)[i % 2], stage=Stage.SIGNED, signed_date=D(2026, 1, 1))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(6)
    at_n = count()
    add(6)
    assert count() == at_n


def test_coordinator_edits_a_warning_rule(client, coordinator, leader, ledger):
    from tadiao.audit.models import AuditEvent
    from tadiao.indicators.models import WarningRule

    rule = WarningRule.objects.get(code="signed_not_started")
    url = f"/indicators/settings/rules/{rule.pk}/"
    login(client, leader)
    assert client.post(url, {"yellow": "30", "red": "60", "is_active": "on"}).status_code == 403
    login(client, coordinator)
    response = client.post(url, {"yellow": "90", "red": "60", "is_active": "on"}, follow=True)
    assert "红灯阈值应不小于黄灯。" in response.content.decode()
    client.post(url, {"yellow": "200", "red": "300", "is_active": "on", "levels": ["PROVINCIAL", "CITY"]})
    rule.refresh_from_db()
    assert (rule.yellow, rule.red, rule.levels) == (Decimal("200.00"), Decimal("300.00"), ["PROVINCIAL", "CITY"])
    assert AuditEvent.objects.get(action="indicators.warning_rule.updated").changes["red"] == ["90.00", "300"]
    # 179 days since signing is now below the yellow threshold: no warnings on the page any more.
    body = client.get("/indicators/warnings/?as_of=2026-06-30").content.decode()
    assert "东城签约未开工" not in body


def test_settings_page_shows_the_warning_rules_and_their_edit_forms(client, coordinator, leader):
    from tadiao.indicators.models import WarningRule

    rule = WarningRule.objects.get(code="signed_not_started")
    login(client, leader)  # reads the thresholds
    body = client.get("/indicators/settings/").content.decode()
    row = body[body.index(f'id="rule-{rule.pk}"') : body.index("</tr>", body.index(f'id="rule-{rule.pk}"'))]
    assert "签约后 90 天未开工（桩基进场）" in row and "≥ 60.00 天" in row and "&gt; 90.00 天" in row
    assert "<form" not in row
    login(client, coordinator)  # edits them in place
    body = client.get("/indicators/settings/").content.decode()
    # The table once, in the page: it had also been pasted into the <title> block.
    assert "<title>指标口径与目标塔吊 · 重点项目调度平台</title>" in body and body.count(f'id="rule-{rule.pk}"') == 1
    row = body[body.index(f'id="rule-{rule.pk}"') : body.index("</tr>", body.index(f'id="rule-{rule.pk}"'))]
    assert f'action="/indicators/settings/rules/{rule.pk}/" id="rule-form-{rule.pk}"' in row
    assert f'form="rule-form-{rule.pk}" name="yellow" aria-label="黄灯阈值" value="60.00"' in row
    assert f'form="rule-form-{rule.pk}" name="is_active" aria-label="启用" checked' in row


def test_warnings_pages_are_counted_from_the_totals(client, coordinator, unit_a, unit_b):
    # 签约后未开工: signed on 1 January, not started, on 30 June: 180 days > 90 → red; 60 such projects, and 3
    # signed on 1 May (60 days ≥ 60 → yellow). 63 warned: page 1 holds 50, page 2 the other 13.
    for i in range(60):
        ProjectFactory(unit=(unit_a, unit_b)[i % 2], name=f"红{i:02d}", stage=Stage.SIGNED, signed_date=D(2026, 1, 1))
    for i in range(3):
        ProjectFactory(unit=unit_a, name=f"黄{i}", stage=Stage.SIGNED, signed_date=D(2026, 5, 1))
    login(client, coordinator)
    first = client.get("/indicators/warnings/?as_of=2026-06-30")
    assert first.context["page"].paginator.count == 63 and len(first.context["rows"]) == 50
    second = client.get("/indicators/warnings/?as_of=2026-06-30&page=2")
    assert [p.name for p, _ in second.context["rows"]][-3:] == ["黄0", "黄1", "黄2"]  # red first
    assert len(second.context["rows"]) == 13 and second.context["page"].paginator.num_pages == 2
    yellow = client.get("/indicators/warnings/?as_of=2026-06-30&light=yellow")
    assert yellow.context["page"].paginator.count == 3
    assert [p.name for p, _ in yellow.context["rows"]] == ["黄0", "黄1", "黄2"]
