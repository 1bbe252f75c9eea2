"""Coordinates: the Chinese web-map systems converted to WGS-84 (which tadiao stores, as CGCS2000 agrees with it to
within centimetres), a point-in-polygon test and the parsing of pasted coordinates. Pure functions, no models.

GCJ-02 (国测局, used by 高德 and 腾讯) is WGS-84 shifted by the published obfuscation formula; BD-09 (百度) is GCJ-02
shifted once more. The forward formulas are the ones every open implementation uses (eviltransform, coordtransform);
GCJ-02 has no closed-form inverse, so WGS-84 is found by fixed-point iteration of the forward formula until it
reproduces the GCJ-02 point to 1e-9°. Outside China the web maps do not shift, and neither do we.
"""

import math
import re

A = 6378245.0  # the Krasovsky ellipsoid the GCJ-02 formula is written for
EE = 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0
TOLERANCE = 1e-9
MAX_ITERATIONS = 30

Point = tuple[float, float]  # (longitude, latitude), as GeoJSON orders them


def out_of_china(lng: float, lat: float) -> bool:
    """The rectangle within which GCJ-02 shifts coordinates (the same bounds as eviltransform and coordtransform)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> Point:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _shift_lat(lng - 105.0, lat - 35.0)
    dlng = _shift_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> Point:
    """The WGS-84 point whose GCJ-02 shift is (lng, lat): iterated until the forward formula agrees to 1e-9°."""
    if out_of_china(lng, lat):
        return lng, lat
    x, y = lng, lat
    for _ in range(MAX_ITERATIONS):
        gx, gy = wgs84_to_gcj02(x, y)
        dx, dy = gx - lng, gy - lat
        if abs(dx) < TOLERANCE and abs(dy) < TOLERANCE:
            break
        x, y = x - dx, y - dy
    return x, y


def gcj02_to_bd09(lng: float, lat: float) -> Point:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> Point:
    """Baidu's published inverse (the one coordtransform uses), off by up to ~2e-6° from the forward formula's true
    inverse; a few fixed-point steps on gcj02_to_bd09 then make it exact to 1e-9°, so that a round trip is exact."""
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    gx, gy = z * math.cos(theta), z * math.sin(theta)
    for _ in range(MAX_ITERATIONS):
        bx, by = gcj02_to_bd09(gx, gy)
        dx, dy = bx - lng, by - lat
        if abs(dx) < TOLERANCE and abs(dy) < TOLERANCE:
            break
        gx, gy = gx - dx, gy - dy
    return gx, gy


def bd09_to_wgs84(lng: float, lat: float) -> Point:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def wgs84_to_bd09(lng: float, lat: float) -> Point:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


# The coordinate systems a user may paste from, and how each becomes WGS-84.
WGS84, GCJ02, BD09 = "wgs84", "gcj02", "bd09"
SYSTEMS = {
    WGS84: "WGS-84 / CGCS2000（GPS、天地图、奥维）",
    GCJ02: "GCJ-02（高德、腾讯地图）",
    BD09: "BD-09（百度地图）",
}
_TO_WGS84 = {WGS84: lambda lng, lat: (lng, lat), GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}


def to_wgs84(lng: float, lat: float, *, system: str) -> Point:
    return _TO_WGS84[system](lng, lat)


class CoordinateError(ValueError):
    """Pasted text that is not a point; the message is what the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def parse_point(text: str) -> Point:
    """(lng, lat) from pasted text: "120.123456,30.123456", "30.12 120.12", "经度120.1 纬度30.2" …

    Two numbers are required. Maps copy longitude first (高德, 百度 拾取坐标), GPS apps latitude first; in China the
    longitude (73–135) is always the larger, so the larger number is taken as the longitude.
    """
    numbers = [float(n) for n in _NUMBER.findall(text or "")]
    if len(numbers) != 2:
        raise CoordinateError("请填写两个数字：经度和纬度，例如 120.123456,30.123456。")
    first, second = numbers
    lng, lat = (first, second) if abs(first) >= abs(second) else (second, first)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise CoordinateError("经度应在 -180～180 之间，纬度应在 -90～90 之间。")
    return lng, lat


OUT_OF_CHINA = "坐标不在我国范围内（经度约 72～138、纬度约 1～56）：请检查是否漏了小数点或填错了数字。"


def check_in_china(lng: float, lat: float) -> None:
    """Raise CoordinateError for a point outside the rectangle within which the Chinese web maps shift coordinates: a
    project of a Chinese county lies inside it, and a point outside it is a typing error."""
    if out_of_china(lng, lat):
        raise CoordinateError(OUT_OF_CHINA)


def in_ring(lng: float, lat: float, ring: list) -> bool:
    """Ray casting: whether the point lies inside the closed ring (a list of [lng, lat])."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygon(lng: float, lat: float, polygon: list) -> bool:
    """Inside a GeoJSON Polygon's coordinates: inside the outer ring and outside every hole."""
    return bool(polygon) and in_ring(lng, lat, polygon[0]) and not any(in_ring(lng, lat, h) for h in polygon[1:])


def in_geometry(lng: float, lat: float, geometry: dict) -> bool:
    """Inside a GeoJSON Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        return in_polygon(lng, lat, geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return any(in_polygon(lng, lat, p) for p in geometry["coordinates"])
    return False
