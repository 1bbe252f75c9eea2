"""Reading an uploaded boundary file: a GeoJSON FeatureCollection of Polygon/MultiPolygon features in longitude and
latitude (WGS-84 / CGCS2000). Pure: bytes in, features out, or a GeoJSONError listing every problem in Chinese."""

import json
import math
from dataclasses import dataclass

NAME_KEYS = ("name", "NAME", "Name", "名称", "区划名称", "XZQMC")
CODE_KEYS = ("code", "CODE", "adcode", "区划代码", "XZQDM")
MAX_LISTED = 20  # problems listed one by one; the rest are counted


class GeoJSONError(ValueError):
    """The file is refused; `problems` are the lines the upload page lists."""

    def __init__(self, problems: list[str]):
        shown = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            shown.append(f"……另有 {len(problems) - MAX_LISTED} 处问题未列出")
        super().__init__("；".join(shown))
        self.problems = shown
        self.message = "边界文件有误：" + "；".join(shown)


@dataclass
class Feature:
    """A feature as read: its label for messages, the name and code properties, and the geometry rounded to
    six decimals (about 0.1 m) with any third coordinate dropped."""

    label: str
    name: str
    code: str
    geometry: dict


def _property(properties: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _ring(ring, where: str, problems: list[str]) -> list | None:
    if not isinstance(ring, list) or len(ring) < 4:
        problems.append(f"{where}的边界环少于 4 个点")
        return None
    points = []
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
            or not all(math.isfinite(v) for v in position[:2])
        ):
            problems.append(f"{where}有不是数字的坐标")
            return None
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            problems.append(
                f"{where}的坐标 {lng},{lat} 超出经纬度范围（经度 -180～180，纬度 -90～90）："
                "可能是投影坐标，请导出为 CGCS2000 / WGS-84 经纬度坐标"
            )
            return None
        points.append([round(lng, 6), round(lat, 6)])
    if points[0] != points[-1]:
        problems.append(f"{where}的边界环未闭合（首末点不同）")
        return None
    return points


def _polygon(rings, where: str, problems: list[str]) -> list | None:
    if not isinstance(rings, list) or not rings:
        problems.append(f"{where}没有边界坐标")
        return None
    read = [_ring(ring, where, problems) for ring in rings]
    return None if any(r is None for r in read) else read


def _geometry(geometry, where: str, problems: list[str]) -> dict | None:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygon = _polygon(geometry.get("coordinates"), where, problems)
        return None if polygon is None else {"type": "Polygon", "coordinates": polygon}
    if kind == "MultiPolygon":
        parts = geometry.get("coordinates")
        if not isinstance(parts, list) or not parts:
            problems.append(f"{where}没有边界坐标")
            return None
        polygons = [_polygon(p, where, problems) for p in parts]
        return None if any(p is None for p in polygons) else {"type": "MultiPolygon", "coordinates": polygons}
    problems.append(f"{where}的几何类型为 {kind or '空'}，只接受面（Polygon 或 MultiPolygon）")
    return None


def read_features(content: bytes) -> list[Feature]:
    """Every feature of the file, or GeoJSONError with all the problems found."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise GeoJSONError(["文件不是 UTF-8 编码的文本，请另存为 UTF-8 编码的 GeoJSON"]) from None
    except json.JSONDecodeError as exc:
        raise GeoJSONError([f"文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列附近格式错误）"]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoJSONError(["文件应是 GeoJSON 要素集合（\"type\": \"FeatureCollection\"）"])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise GeoJSONError(["文件中没有要素（features 为空）"])
    problems: list[str] = []
    read = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"第 {number} 个要素不是 Feature")
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        name, code = _property(properties, NAME_KEYS), _property(properties, CODE_KEYS)
        label = f"第 {number} 个要素（{name or code or '无名称'}）"
        if not name and not code:
            problems.append(f"{label}没有名称（name）或区划代码（code）属性")
            continue
        geometry = _geometry(feature.get("geometry"), label, problems)
        if geometry is not None:
            read.append(Feature(label=label, name=name, code=code, geometry=geometry))
    if problems:
        raise GeoJSONError(problems)
    return read


def rings_of(geometry: dict) -> list[list]:
    """Every ring of a Polygon or MultiPolygon (outer rings and holes alike)."""
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def bbox(geometries: list[dict]) -> list[float]:
    """[min lng, min lat, max lng, max lat] over the geometries."""
    points = [p for g in geometries for ring in rings_of(g) for p in ring]
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return [min(lngs), min(lats), max(lngs), max(lats)]
