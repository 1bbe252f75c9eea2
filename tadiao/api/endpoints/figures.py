"""/api/v1/indicators, /units, /regions: the figures of a scope (the same JSON object as `tadiao indicators
--json`, over the caller's visible projects) and the organisation the caller may read."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from tadiao.api import queries as api_queries
from tadiao.api.core import Message, Paging, page_of, page_schema, reject_unknown
from tadiao.api.endpoints.projects import require_business_reader
from tadiao.api.fields import described
from tadiao.indicators.params import scope_from, scoped_projects
from tadiao.indicators.scope_json import scope_as_json
from tadiao.org.models import Unit
from tadiao.projects.models import Category, Level

router = Router(tags=["指标与组织"])


class IndicatorQuery(Schema):
    """The scope bar of the indicator pages, and the as-of date."""

    as_of: datetime.date | None = described("统计日期 YYYY-MM-DD；不填为今天", None)
    unit: int | None = described("责任单位 ID", None)
    level: str = described("项目级别代码", "")
    category: str = described("项目类别代码", "")
    industry: int | None = described("主导产业 ID", None)
    tag: str = described("标签名称", "")
    batch: int | None = described("“三个一批”期次 ID", None)


@router.get(
    "/indicators", response={200: dict, 403: Message, 422: Message}, summary="指标（与 tadiao indicators --json 相同）"
)
def indicators(request: HttpRequest, filters: Query[IndicatorQuery]) -> dict[str, Any]:
    """开工率、五率、年度投资完成率、序时进度、“三个一批”与招商引资三项工作等，键与 `tadiao indicators --json`
    相同（见 README）；只统计调用者可查看的项目与单位。比率为两位小数的字符串，空集为 null。"""
    require_business_reader(request)
    reject_unknown(request.GET, {"level": Level.values, "category": Category.values})
    as_of = filters.as_of or timezone.localdate()
    scope = scope_from(request)
    units = list(api_queries.units_for_figures(request.user, unit_id=scope.unit_id))
    _, data = scope_as_json(scoped_projects(request.user, scope), units, as_of=as_of)
    return data


class UnitOut(Schema):
    id: int = described("单位 ID")
    name: str = described("单位名称")
    kind: str = described("单位类型代码")
    kind_label: str = described("单位类型（中文）：乡镇、街道、部门、园区、国企")
    region_id: int = described("所属区划 ID")
    is_active: bool = described("是否启用")

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return obj.get_kind_display()


UnitPage = page_schema("UnitPage", UnitOut, "单位")


class RegionOut(Schema):
    id: int = described("区划 ID")
    code: str = described("区划代码（GB/T 2260，乡级为 12 位统计用代码）")
    name: str = described("区划名称")
    level: str = described("层级代码")
    parent_id: int | None = described("上级区划 ID")


RegionPage = page_schema("RegionPage", RegionOut, "区划")


@router.get("/units", response={200: UnitPage}, summary="单位列表")
def unit_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """调用者可查看的单位：调度员、领导为本区域的单位，填报员只有本单位。"""
    return page_of(request, api_queries.visible_units(request.user), paging)


@router.get("/regions", response={200: RegionPage}, summary="行政区划")
def region_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """调用者范围内的区划（按区划代码路径排序）：调度员、领导为其区域及下级，填报员为本单位所在区划。"""
    return page_of(request, api_queries.visible_regions(request.user), paging)
