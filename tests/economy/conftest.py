"""Builders for 经济指标 tests: the county (the suite's root region 青山市 330999) with its towns, figures and
targets."""

from decimal import Decimal

import pytest

from tadiao.economy.models import Figure, Target
from tadiao.org.models import Region
from tests.factories import RegionFactory

D = Decimal
GDP, REVENUE, VALUE_ADDED, FAI, INDUSTRIAL = (
    "GDP", "BUDGET_REVENUE", "INDUSTRIAL_VALUE_ADDED", "FIXED_ASSET_INVESTMENT", "INDUSTRIAL_INVESTMENT")


def make_town(county: Region, number: int, name: str) -> Region:
    return RegionFactory(code=f"{county.code}{number:03d}000", name=name, level=Region.Level.TOWNSHIP, parent=county)


def fig(region, indicator=GDP, *, year=2024, month=10, value="100", growth="6.5", parent=None, rank=None) -> Figure:
    return Figure.objects.create(
        region=region, year=year, month=month, indicator=indicator, value=D(value), growth=D(growth),
        parent_growth=None if parent is None else D(parent), provincial_rank=rank,
    )


def target(region, indicator=GDP, growth="7.0", *, year=2024) -> Target:
    return Target.objects.create(region=region, year=year, indicator=indicator, growth=D(growth))


@pytest.fixture
def county(region):
    return region


@pytest.fixture
def town_a(county):
    return make_town(county, 101, "白沙镇")


@pytest.fixture
def town_b(county):
    return make_town(county, 102, "青石镇")


@pytest.fixture
def town_c(county):
    return make_town(county, 103, "龙泉镇")


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once (django.tasks picks the settings change up through setting_changed)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
