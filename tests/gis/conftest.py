"""The county 青山市 (the standard region fixture) with two townships, 东城镇 and 西湖街道, whose units are the standard
unit_a and unit_b; and a boundary file drawing them as the two halves of a square, with the county's outline."""

import json

import pytest

from tadiao.gis import services
from tadiao.org.models import Region
from tests.factories import RegionFactory

# 青山市: 120.0–120.2 E, 30.0–30.2 N; 东城镇 the west half, 西湖街道 the east half.
WEST_HALF = [[[120.0, 30.0], [120.1, 30.0], [120.1, 30.2], [120.0, 30.2], [120.0, 30.0]]]
EAST_HALF = [[[120.1, 30.0], [120.2, 30.0], [120.2, 30.2], [120.1, 30.2], [120.1, 30.0]]]
SQUARE = [[[120.0, 30.0], [120.2, 30.0], [120.2, 30.2], [120.0, 30.2], [120.0, 30.0]]]


def feature(properties: dict, coordinates, kind: str = "Polygon") -> dict:
    return {"type": "Feature", "properties": properties, "geometry": {"type": kind, "coordinates": coordinates}}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def county_file() -> bytes:
    return collection(
        feature({"name": "青山市"}, SQUARE),
        feature({"name": "东城镇"}, WEST_HALF),
        feature({"name": "西湖街道", "code": "330999002000"}, EAST_HALF),
    )


@pytest.fixture
def towns(region, unit_a, unit_b) -> dict[str, Region]:
    """Two township regions under the county; unit_a and unit_b move into them."""
    east = RegionFactory(code="330999001000", name="东城镇", level=Region.Level.TOWNSHIP, parent=region)
    west_lake = RegionFactory(code="330999002000", name="西湖街道", level=Region.Level.TOWNSHIP, parent=region)
    unit_a.region = east
    unit_a.save(update_fields=["region"])
    unit_b.region = west_lake
    unit_b.save(update_fields=["region"])
    return {"东城镇": east, "西湖街道": west_lake}


@pytest.fixture
def boundary(towns, sysadmin):
    return services.upload_boundary(
        content=county_file(), file_name="青山市.geojson", name="", approval_number="浙S（2026）12号", by=sysadmin
    ).boundary
