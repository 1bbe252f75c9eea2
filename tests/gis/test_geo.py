"""lib/geo: GCJ-02 (高德/腾讯) and BD-09 (百度) to WGS-84, checked against published pairs and by round trips."""

import itertools

import pytest

from tadiao.lib import geo

# WGS-84 → GCJ-02 pairs published with eviltransform's tests (googollee/eviltransform, python/test.py).
EVILTRANSFORM = [
    # (wgs lng, wgs lat), (gcj lng, gcj lat)
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # 上海
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # 深圳
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # 北京
]
# The example of wandergis/coordtransform (test/app.js), all four directions from (116.404, 39.915).
COORDTRANSFORM = {
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
}


def close(a, b, tolerance):
    return abs(a[0] - b[0]) < tolerance and abs(a[1] - b[1]) < tolerance


@pytest.mark.parametrize("wgs,gcj", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_the_published_pairs(wgs, gcj):
    assert close(geo.wgs84_to_gcj02(*wgs), gcj, 1e-9)


@pytest.mark.parametrize("wgs,gcj", EVILTRANSFORM)
def test_gcj02_to_wgs84_recovers_the_published_wgs84_point(wgs, gcj):
    # The iteration is exact to 1e-9° of the forward formula; the simple one-step inverse is off by up to ~1e-5°.
    assert close(geo.gcj02_to_wgs84(*gcj), wgs, 1e-7)


@pytest.mark.parametrize("name,expected", COORDTRANSFORM.items())
def test_coordtransform_example(name, expected):
    # coordtransform's BD-09 → GCJ-02 is Baidu's one-step inverse; ours refines it to the exact inverse of the forward
    # formula, a difference of about 1e-6° (0.1 m). The forward directions agree to the last digit.
    tolerance = 5e-6 if name == "bd09_to_gcj02" else 1e-9
    assert close(getattr(geo, name)(116.404, 39.915), expected, tolerance)


# A grid over China (and the demo county) for the round trips.
GRID = list(itertools.product([75.5, 98.2, 104.06, 116.4, 120.42, 126.6, 134.1], [18.3, 23.1, 29.88, 39.9, 45.7, 52.9]))


@pytest.mark.parametrize("lng,lat", GRID)
def test_round_trips_within_1e_6_degree(lng, lat):
    assert close(geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lng, lat)), (lng, lat), 1e-6)
    assert close(geo.bd09_to_wgs84(*geo.wgs84_to_bd09(lng, lat)), (lng, lat), 1e-6)
    assert close(geo.bd09_to_gcj02(*geo.gcj02_to_bd09(lng, lat)), (lng, lat), 1e-6)


def test_the_shift_is_hundreds_of_metres_in_china_and_nothing_outside():
    lng, lat = geo.wgs84_to_gcj02(120.42, 29.88)
    # about 0.0046° east and 0.0024° south near 安澜 — a few hundred metres, the reason a pasted point needs converting
    assert 0.002 < lng - 120.42 < 0.01 and -0.01 < lat - 29.88 < 0
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_to_wgs84_by_system():
    gcj = geo.wgs84_to_gcj02(120.42, 29.88)
    bd = geo.wgs84_to_bd09(120.42, 29.88)
    assert geo.to_wgs84(120.42, 29.88, system=geo.WGS84) == (120.42, 29.88)
    assert close(geo.to_wgs84(*gcj, system=geo.GCJ02), (120.42, 29.88), 1e-6)
    assert close(geo.to_wgs84(*bd, system=geo.BD09), (120.42, 29.88), 1e-6)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("120.123456,30.123456", (120.123456, 30.123456)),
        ("30.123456, 120.123456", (120.123456, 30.123456)),  # latitude first (GPS apps)
        ("经度 120.5 纬度 29.8", (120.5, 29.8)),
        ("120.5，29.8", (120.5, 29.8)),  # a Chinese comma
    ],
)
def test_parse_point(text, expected):
    assert geo.parse_point(text) == expected


@pytest.mark.parametrize(
    "text,message",
    [("120.5", "两个数字"), ("", "两个数字"), ("1,2,3", "两个数字"), ("500, 30", "经度应在 -180～180")],
)
def test_parse_point_refuses_in_chinese(text, message):
    with pytest.raises(geo.CoordinateError) as caught:
        geo.parse_point(text)
    assert message in caught.value.message


def test_point_in_polygon_with_a_hole():
    outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    polygon = {"type": "Polygon", "coordinates": [outer, hole]}
    assert geo.in_geometry(1, 1, polygon)
    assert not geo.in_geometry(5, 5, polygon)  # in the hole
    assert not geo.in_geometry(11, 5, polygon)
    multi = {"type": "MultiPolygon", "coordinates": [[outer], [[[20, 0], [30, 0], [30, 10], [20, 0]]]]}
    assert geo.in_geometry(25, 2, multi)
