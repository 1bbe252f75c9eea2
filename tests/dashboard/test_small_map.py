"""The 驾驶舱's small map (issue "The field side", point 5): the scope's located projects coloured by warning light,
only what the user may read, a link to 一张图 with the same filters and date."""

import datetime
import json
from decimal import Decimal

import pytest

from tadiao.projects.models import Project
from tests.conftest import login
from tests.dashboard.test_dashboard import ledger  # noqa: F401 (fixture)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _option(body: str) -> dict:
    start = body.index('<script id="small-map-option" type="application/json">')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])


def _points(option: dict) -> dict[str, list[str]]:
    return {s["name"]: [d["name"] for d in s["data"]] for s in option["series"] if s["type"] == "scatter"}


@pytest.fixture
def located(ledger, unit_a):  # noqa: F811
    Project.objects.filter(name="东城开工项目").update(longitude=Decimal("120.05"), latitude=Decimal("30.1"))
    Project.objects.filter(name="西湖签约项目").update(longitude=Decimal("120.16"), latitude=Decimal("30.08"))
    ProjectFactory(unit=unit_a, name="东城未标注项目")  # no location: counted under the map, not drawn


def test_points_coloured_by_light_and_the_link(client, coordinator, located):
    login(client, coordinator)
    body = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    points = _points(_option(body))
    # 西湖签约项目: signed 5 January, not started 115 days later — red (as the warnings chart says); 东城开工项目
    # started on 1 February, 400 of 1 200 万元 done at the end of April = 33.33% = 序时进度: green.
    assert points == {"红灯": ["西湖签约项目"], "绿灯": ["东城开工项目"]}
    assert "地图上显示项目 2 个" in body and "另有 1 个项目未标注位置" in body
    assert 'href="/gis/?color=light&amp;as_of=2026-04-30"' in body
    assert "尚未上传行政区划边界，只显示项目点" in body


def test_the_link_carries_the_scope(client, coordinator, located, unit_b):
    login(client, coordinator)
    body = client.get(f"/dashboard/?as_of=2026-04-30&unit={unit_b.pk}&level=COUNTY").content.decode()
    assert _points(_option(body)) == {"红灯": ["西湖签约项目"]}
    assert f'href="/gis/?color=light&amp;as_of=2026-04-30&amp;unit={unit_b.pk}&amp;level=COUNTY"' in body


def test_a_reporter_sees_only_the_own_units_points(client, reporter_b, located):
    login(client, reporter_b)
    body = client.get("/dashboard/?as_of=2026-04-30").content.decode()
    assert _points(_option(body)) == {"红灯": ["西湖签约项目"]}
    assert "东城开工项目" not in body
    assert 'id="open-map"' in body
