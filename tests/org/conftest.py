"""Fixtures of the organisation tests: a logged-in system administrator, and a region tree."""

import pytest

from tadiao.audit.models import AuditEvent
from tadiao.org.models import Region
from tests.conftest import login
from tests.factories import RegionFactory


@pytest.fixture
def sys_client(client, sysadmin):
    return login(client, sysadmin)


@pytest.fixture
def tree(db):
    """浙江省 → 杭州市 / 宁波市 → 建德市 (under 杭州) → two townships. Built with factories, so it is a second
    root beside the standard actors' 青山市; services refuse that, tests need not."""
    province = RegionFactory(code="330000", name="浙江省", level=Region.Level.PROVINCE)
    hangzhou = RegionFactory(code="330100", name="杭州市", level=Region.Level.CITY, parent=province)
    ningbo = RegionFactory(code="330200", name="宁波市", level=Region.Level.CITY, parent=province)
    jiande = RegionFactory(code="330182", name="建德市", level=Region.Level.COUNTY, parent=hangzhou)
    t1 = RegionFactory(code="330182001000", name="新安江街道", level=Region.Level.TOWNSHIP, parent=jiande)
    t2 = RegionFactory(code="330182100000", name="梅城镇", level=Region.Level.TOWNSHIP, parent=jiande)
    return {"province": province, "hangzhou": hangzhou, "ningbo": ningbo, "jiande": jiande, "t1": t1, "t2": t2}


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no audit event {action}"
    return event
