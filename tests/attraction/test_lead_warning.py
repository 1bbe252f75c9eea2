"""A lead without follow-up raises a warning through the rule engine (default rule: yellow at 30 days, red
beyond 60), shown with its reason on the warnings page; the thresholds are data."""

import datetime

import pytest

from tadiao.attraction.models import Lead
from tadiao.indicators import warnings
from tadiao.indicators.models import WarningRule
from tadiao.projects.models import Project
from tests.attraction.conftest import make_lead

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2026, 6, 30)


@pytest.fixture
def leads(unit_a, unit_b):
    # Days counted back from 30 June: 31 May is 30 days before, 1 May 60 days, 30 April 61 days.
    return {
        "fresh": make_lead(unit_a, name="近期跟进", start=D(2026, 1, 5), follow_ups=[D(2026, 6, 1)]),  # 29 days
        "thirty": make_lead(unit_a, name="整三十天", start=D(2026, 1, 5), follow_ups=[D(2026, 5, 31)]),  # 30: yellow
        "sixty": make_lead(unit_b, name="整六十天", start=D(2026, 1, 5), follow_ups=[D(2026, 5, 1)]),  # 60: yellow
        "sixty_one": make_lead(unit_b, name="六十一天", start=D(2026, 1, 5),
                               follow_ups=[D(2026, 2, 1), D(2026, 4, 30)]),  # last one 61 days before: red
        "never": make_lead(unit_b, name="从未跟进", start=D(2026, 4, 1)),  # begun 90 days before, no log: red
        "new": make_lead(unit_a, name="刚开始接洽", start=D(2026, 6, 10)),  # 20 days: green
        "lost": make_lead(unit_a, name="已流失", start=D(2026, 1, 5), status=Lead.Status.LOST,
                          closed=D(2026, 3, 1), reason="企业转投外省"),  # closed: nothing to follow up
        "cancelled": make_lead(unit_b, name="已终止", start=D(2026, 1, 5), cancelled=True),
    }


def _lights(rules=None):
    rules = rules if rules is not None else warnings.active_rules()
    rows = warnings.with_lights(Project.objects.all(), as_of=AS_OF, rules=rules)
    return {row.name: row.light for row in rows}


def test_default_rule_lights_leads_by_days_without_follow_up(leads):
    Y, R, G = warnings.YELLOW, warnings.RED, warnings.GREEN
    assert _lights() == {
        "近期跟进": G, "整三十天": Y, "整六十天": Y, "六十一天": R,
        "从未跟进": R, "刚开始接洽": G, "已流失": G, "已终止": G,
    }


def test_reason_says_how_many_days(leads):
    rules = warnings.active_rules()
    rows = {p.name: p for p in warnings.warned_projects(Project.objects.all(), as_of=AS_OF, rules=rules)}
    assert [text for _, _, text in warnings.explain(rows["六十一天"], as_of=AS_OF, rules=rules)] == [
        "红灯：招商线索长期无跟进（已 61 天无跟进）"
    ]
    assert [text for _, _, text in warnings.explain(rows["从未跟进"], as_of=AS_OF, rules=rules)] == [
        "红灯：招商线索长期无跟进（已 90 天无跟进）"
    ]


def test_threshold_is_configurable(leads):
    rule = WarningRule.objects.get(code="lead_no_follow_up")
    rule.yellow, rule.red = 20, 45
    rule.save()
    Y, R, G = warnings.YELLOW, warnings.RED, warnings.GREEN
    lights = _lights()
    # 29 and 30 days: yellow (≥ 20); 60 days: red (> 45); 20 days since talks began: yellow.
    assert (lights["近期跟进"], lights["整三十天"], lights["整六十天"], lights["刚开始接洽"]) == (Y, Y, R, Y)
    assert lights["已流失"] == G


def test_warnings_page_lists_the_stale_lead(leads, client, coordinator):
    client.force_login(coordinator)
    page = client.get("/indicators/warnings/", {"as_of": "2026-06-30"}).content.decode()
    assert "六十一天" in page and "已 61 天无跟进" in page
    assert "近期跟进" not in page
