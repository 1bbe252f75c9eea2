"""The list pages run a fixed number of queries, whatever the number of rows (N and 2N)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.org.models import Region
from tests.factories import LeaderFactory, RegionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

N = 6

# Every page of a logged-in user starts with three queries:
#   1. the session, 2. the user, 3. the user's unit (base.html shows it beside the name).
BASE = 3


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_rows(kind: str, region, n: int) -> None:
    if kind == "units":
        UnitFactory.create_batch(n, region=region)
    elif kind == "users":
        for unit in UnitFactory.create_batch(n, region=region):
            UserFactory(unit=unit, is_reporter=True, leader=LeaderFactory())
    elif kind == "leaders":
        LeaderFactory.create_batch(n)
    elif kind == "regions":
        for _ in range(n):
            code = f"330999{Region.objects.count():03d}000"
            RegionFactory(code=code, name=f"镇{code}", level=Region.Level.TOWNSHIP, parent=region)


@pytest.mark.parametrize("kind,url,expected", [
    # 4. count (paginator), 5. one page of units joined with their region
    ("units", "/org/units/?kind=TOWNSHIP", BASE + 2),
    # 4. count, 5. one page of users joined with unit and leader
    ("users", "/org/users/?role=reporter", BASE + 2),
    # 4. the leaders
    ("leaders", "/org/leaders/", BASE + 1),
    # 4. the regions joined with their parent
    ("regions", "/org/regions/", BASE + 1),
])
def test_list_queries_do_not_grow_with_rows(sys_client, region, kind, url, expected):
    add_rows(kind, region, N)
    at_n = count_queries(sys_client, url)
    add_rows(kind, region, N)
    at_2n = count_queries(sys_client, url)
    assert at_n == at_2n == expected


def test_units_export_queries_do_not_grow(sys_client, region):
    # session, user, then one query for all the filtered units joined with their region
    add_rows("units", region, N)
    at_n = count_queries(sys_client, "/org/units/export.xlsx")
    add_rows("units", region, N)
    assert count_queries(sys_client, "/org/units/export.xlsx") == at_n == 3
