"""indicators.params: the scope bar and the as-of date read from a query string; unknown values are ignored."""

import datetime

from django.test import RequestFactory
from django.utils import timezone

from tadiao.indicators import params
from tadiao.indicators.queries import Scope


def _get(query: str):
    return RequestFactory().get(f"/indicators/?{query}")


def test_as_of_accepts_both_spellings_and_falls_back_to_today():
    assert params.as_of_from(_get("as_of=2026-04-30")) == datetime.date(2026, 4, 30)
    assert params.as_of_from(_get("as_of=2026年4月30日")) == datetime.date(2026, 4, 30)
    assert params.as_of_from(_get("as_of=昨天")) == timezone.localdate()
    assert params.as_of_from(_get("")) == timezone.localdate()


def test_scope_keeps_known_values_only():
    scope = params.scope_from(_get("unit=7&level=PROVINCIAL&category=INDUSTRY&industry=x&tag=+亿元以上+&batch=3"))
    assert scope == Scope(unit_id=7, level="PROVINCIAL", category="INDUSTRY", industry_id=None, tag="亿元以上",
                          batch_id=3)
    assert params.scope_from(_get("level=省重点&category=nope&unit=")) == Scope()
