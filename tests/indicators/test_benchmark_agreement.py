"""The benchmark's generated province, at a small scale: the indicator engine and the hand-written SQL agree on
every built-in rate, at several dates (a cross-check of the engine's SQL, independent of its code)."""

import datetime

import pytest

from benchmarks import handwritten, province
from tadiao.indicators import queries
from tadiao.projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("as_of", [datetime.date(2024, 6, 30), datetime.date(2025, 3, 31), datetime.date(2025, 12, 31)])
def test_engine_agrees_with_handwritten_sql(as_of):
    built = province.build(projects=400, units=15, months=24, first_month=datetime.date(2024, 1, 1), seed=11)
    assert built["reports"] > 400
    engine = queries.compute_indicators(Project.objects.all(), as_of=as_of)
    expected = handwritten.figures(as_of)
    assert {
        code: None if engine.rates[code].percent is None else str(engine.rates[code].percent) for code in expected
    } == expected
