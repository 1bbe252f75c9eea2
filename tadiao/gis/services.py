"""Writes of the map: storing an uploaded boundary file, matched to the regions, audited."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.gis import geojson
from tadiao.gis.models import BoundaryMap, MapArea
from tadiao.org.models import Region
from tadiao.org.queries import root_region


class BoundaryError(ValueError):
    """The upload is refused; `problems` are listed on the page, `message` says it in one line."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems
        self.message = "边界文件有误：" + "；".join(problems)


@dataclass
class UploadResult:
    boundary: BoundaryMap
    warnings: list[str] = field(default_factory=list)


def _match(features: list[geojson.Feature], root: Region) -> tuple[list[tuple[geojson.Feature, Region]], list[str]]:
    """Each feature's region within the deployment, by its code property when it has one, else by its name.

    Unmatched names are refused, not skipped: a township silently missing from the map would read as "no projects
    there". A name two regions share must be told apart by its code."""
    regions = list(Region.objects.filter(path__startswith=root.path).select_related("parent"))
    by_code = {r.code: r for r in regions}
    by_name: dict[str, list[Region]] = {}
    for r in regions:
        by_name.setdefault(r.name, []).append(r)
    matched, unmatched, ambiguous, problems = [], [], [], []
    for feature in features:
        region = by_code.get(feature.code) if feature.code else None
        if region is None and feature.name:
            candidates = by_name.get(feature.name, [])
            if len(candidates) > 1:
                ambiguous.append(feature.name)
                continue
            region = candidates[0] if candidates else None
        if region is None:
            unmatched.append(feature.name or feature.code)
            continue
        matched.append((feature, region))
    if unmatched:
        problems.append(
            f"以下要素与{root.name}的行政区划对不上：{'、'.join(unmatched)}"
            "（请核对要素的 name 名称或 code 区划代码，或先在“行政区划”中添加）"
        )
    if ambiguous:
        problems.append(f"以下名称对应多个行政区划，请在要素属性中填写 code 区划代码：{'、'.join(ambiguous)}")
    twice = [r.name for r, n in Counter(r for _, r in matched).items() if n > 1]
    if twice:
        problems.append(f"以下区划有多个要素，请合并为一个（可用 MultiPolygon）：{'、'.join(twice)}")
    outline = outline_region([r for _, r in matched])
    areas = [r for _, r in matched if r != outline]
    nested = sorted({
        f"{outer.name}与{inner.name}"
        for outer in areas for inner in areas
        if inner.pk != outer.pk and inner.path.startswith(outer.path)
    })
    if nested:
        problems.append(f"上下级区划不能同时作为区域（请只保留一级）：{'、'.join(nested)}")
    return matched, problems


def outline_region(regions: list[Region]) -> Region | None:
    """The region the file draws as a whole (本级, e.g. the county) beside its parts: the one region of the file that
    contains every other one. None when the file has only parts."""
    for candidate in regions:
        others = [r for r in regions if r.pk != candidate.pk]
        if others and all(r.path.startswith(candidate.path) for r in others):
            return candidate
    return None


def _display_names(regions: list[Region]) -> dict[int, str]:
    """ECharts keys a map's regions by name: a name two areas share gets its parent's name added."""
    counts = Counter(r.name for r in regions)
    return {
        r.pk: r.name if counts[r.name] == 1 or r.parent is None else f"{r.name}（{r.parent.name}）" for r in regions
    }


@transaction.atomic
def upload_boundary(*, content: bytes, file_name: str, name: str, approval_number: str, by) -> UploadResult:
    """Read, check and store a boundary file as the current map, audited; the previous map is kept, not current.

    A feature whose region contains all the others' (the county, beside its townships) is drawn as the outline; the
    others are the map's areas. Refused with BoundaryError (or geojson.GeoJSONError) listing every problem."""
    result = store_boundary(
        content=content, file_name=file_name, name=name, approval_number=approval_number, by=by
    )
    boundary = result.boundary
    audit.record(
        actor=by,
        action="gis.boundary.uploaded",
        obj=boundary,
        changes={
            "name": [None, boundary.name],
            "approval_number": [None, boundary.approval_number],
            "file_name": [None, boundary.file_name],
            "areas": [None, len(boundary.areas_geojson["features"])],
            "outline": [None, bool(boundary.outline)],
        },
        message=f"上传地图边界：{boundary.name}，区域 {len(boundary.areas_geojson['features'])} 个",
    )
    return result


@transaction.atomic
def store_boundary(*, content: bytes, file_name: str, name: str, approval_number: str, by) -> UploadResult:
    """upload_boundary without its audit event: for the demo loader, whose whole load is one audited event."""
    root = root_region()
    if root is None:
        raise BoundaryError(["尚未建立本级行政区划，请先在“行政区划”中添加"])
    features = geojson.read_features(content)
    matched, problems = _match(features, root)
    if problems:
        raise BoundaryError(problems)
    whole = outline_region([r for _, r in matched])
    areas = [(f, r) for f, r in matched if r != whole]
    if not areas:
        raise BoundaryError([f"文件中只有{whole.name if whole else root.name}本级的边界，没有下级区域（乡镇、街道）"])
    outline = [ring for f, r in matched if r == whole for ring in geojson.rings_of(f.geometry)]
    names = _display_names([r for _, r in areas])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": names[r.pk], "code": r.code, "region": r.pk},
                "geometry": f.geometry,
            }
            for f, r in areas
        ],
    }
    BoundaryMap.objects.filter(is_current=True).update(is_current=False)
    boundary = BoundaryMap.objects.create(
        name=name.strip() or f"{(whole or root).name}行政区划图",
        approval_number=approval_number.strip(),
        file_name=file_name[:200],
        file_size=len(content),
        areas_geojson=collection,
        outline=outline,
        bbox=geojson.bbox([f.geometry for f, _ in matched]),
        is_current=True,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )
    MapArea.objects.bulk_create([MapArea(boundary=boundary, region=r, name=names[r.pk]) for _, r in areas])
    covered = [r.path for _, r in areas]
    missing = [
        t.name
        for t in Region.objects.filter(path__startswith=(whole or root).path, level=Region.Level.TOWNSHIP)
        .order_by("path")
        if not any(t.path.startswith(path) for path in covered)
    ]
    warnings = []
    if missing:
        warnings.append(f"以下乡镇（街道）在地图上没有边界，其项目点仍会显示，但不参与区域着色：{'、'.join(missing)}")
    return UploadResult(boundary=boundary, warnings=warnings)
