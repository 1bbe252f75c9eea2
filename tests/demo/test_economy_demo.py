"""load_economy_demo: two years of figures for the demo county and its towns, targets, idempotent."""

import datetime

import pytest

from tadiao.demo import data
from tadiao.demo.economy import load_economy_demo
from tadiao.economy import queries
from tadiao.economy.models import Figure, Target
from tadiao.org.models import Region
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_county():
    city = RegionFactory(code=data.CITY[0], name=data.CITY[1], level=Region.Level.CITY)
    county = RegionFactory(code=data.COUNTY[0], name=data.COUNTY[1], level=Region.Level.COUNTY, parent=city)
    for number, name in enumerate(data.TOWNS[:4], start=101):
        RegionFactory(code=f"{county.code}{number:03d}000", name=name, level=Region.Level.TOWNSHIP, parent=county)
    return county


def test_two_years_of_figures_and_targets(demo_county):
    counts = load_economy_demo(today=datetime.date(2026, 11, 23))
    # 2025: 12 periods, 2026: 1—10月 (November's figures are not out on 23 November); 5 indicators; 5 regions.
    assert counts == {"figures": (12 + 10) * 5 * 5, "targets": 2 * 5 * 5}
    assert Figure.objects.count() == counts["figures"] and Target.objects.count() == counts["targets"]
    assert queries.latest_period(region=demo_county) == (2026, 10)
    seat = Figure.objects.get(region=demo_county, year=2026, month=10, indicator="GDP")
    assert seat.parent_growth is not None and seat.provincial_rank is not None
    overview = queries.overview(year=2026, month=10, region=demo_county)
    assert overview["below_target"] and overview["below_parent"]
    assert all(len(t["rows"]) == 5 for t in overview["rank_tables"])
    assert load_economy_demo(today=datetime.date(2026, 11, 23)) == {"figures": 0, "targets": 0}


def test_nothing_without_the_demo_county(db):
    assert load_economy_demo(today=datetime.date(2026, 11, 23)) == {"figures": 0, "targets": 0}
