"""Builders for 招商引资 tests: trips, leads with their log, signed projects with their recognition."""

import datetime
from decimal import Decimal

import pytest

from tadiao.attraction.models import FollowUp, Lead, Rank, Recognition, Trip
from tadiao.projects.models import Stage
from tests.conftest import TODAY
from tests.factories import ProjectFactory, UnitFactory

D = datetime.date


def make_trip(unit, departure, *, days=2, cadre="王书记", destination="上海", rank=Rank.DIVISION, **extra) -> Trip:
    return Trip.objects.create(
        unit=unit,
        departure_date=departure,
        return_date=departure + datetime.timedelta(days=days),
        leading_cadre=cadre,
        rank=rank,
        destination=destination,
        **extra,
    )


def make_lead(unit, *, start, name=None, closed=None, status=Lead.Status.ACTIVE, reason="", follow_ups=(),
              cancelled=False, **extra) -> Lead:
    project = ProjectFactory(unit=unit, stage=Stage.NEGOTIATING, is_cancelled=cancelled,
                             **({"name": name} if name else {}))
    lead = Lead.objects.create(
        project=project, investor=extra.pop("investor", "上海某科技有限公司"), start_date=start, closed_date=closed,
        status=status, lost_reason=reason, **extra,
    )
    for day in follow_ups:
        FollowUp.objects.create(lead=lead, date=day, content=f"{day:%m月%d日}电话沟通")
    return lead


def make_signed(unit, signed, *, investment="1000", status=None, reason="", name=None):
    project = ProjectFactory(unit=unit, stage=Stage.SIGNED, signed_date=signed, total_investment=Decimal(investment),
                             **({"name": name} if name else {}))
    if status is not None:
        Recognition.objects.create(project=project, status=status, reason=reason)
    return project


@pytest.fixture
def today(monkeypatch):
    """The views' clock, fixed at the suite's TODAY (2026-11-23)."""
    monkeypatch.setattr("tadiao.attraction.views._today", lambda: TODAY)
    return TODAY


@pytest.fixture
def unit_c(region):
    return UnitFactory(name="南山园区", kind="PARK", region=region, display_order=3)


@pytest.fixture
def trip_a(unit_a):
    return make_trip(unit_a, D(2026, 3, 10), cadre="张镇长", destination="深圳", firms_visited="甲公司、乙公司")


@pytest.fixture
def trip_b(unit_b):
    return make_trip(unit_b, D(2026, 4, 2), cadre="李主任", destination="杭州")


@pytest.fixture
def lead_a(unit_a):
    return make_lead(unit_a, start=D(2026, 9, 1), name="东城镇新材料项目", follow_ups=[D(2026, 10, 1)])


@pytest.fixture
def lead_b(unit_b):
    return make_lead(unit_b, start=D(2026, 9, 1), name="西湖街道总部项目")


@pytest.fixture
def signed_a(unit_a):
    return make_signed(unit_a, D(2026, 5, 1), name="东城镇签约项目")
