"""/api/v1/warnings, /snapshots, /work-items: warning lights over the caller's projects (indicators' rule engine),
the frozen monthly snapshots (for those who read the whole region), and the three work items of the caller's units
(attraction's gate)."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from tadiao.api.core import Message, Paging, page_of, page_schema, reject_unknown
from tadiao.api.endpoints.figures import IndicatorQuery
from tadiao.api.endpoints.projects import UnitRef, require_business_reader
from tadiao.api.fields import described
from tadiao.attraction import queries as attraction
from tadiao.indicators import queries as indicators
from tadiao.indicators import snapshots, warnings
from tadiao.indicators.models import Snapshot
from tadiao.indicators.params import scope_from, scoped_projects
from tadiao.org.queries import reads_whole_region
from tadiao.projects.models import Category, Level, Project

router = Router(tags=["预警、快照与三项工作"])


class WarningQuery(IndicatorQuery):
    light: str = described("只看 red 红灯或 yellow 黄灯；不填为红黄灯全部", "")


class WarningRow(Schema):
    id: int = described("项目 ID")
    name: str = described("项目名称")
    unit: UnitRef = described("责任单位")
    light: int = described("预警灯：2 红灯、1 黄灯")
    light_label: str = described("预警灯（中文）")
    reasons: list[str] = described("亮灯原因，每条规则一句")

    @staticmethod
    def resolve_light_label(obj: Project) -> str:
        return warnings.LIGHT_LABELS[obj.light]

    @staticmethod
    def resolve_reasons(obj: Project) -> list[str]:
        return [text for _, _, text in warnings.explain(obj, as_of=obj.api_as_of, rules=obj.api_rules)]


WarningPage = page_schema("WarningPage", WarningRow, "预警项目")


@router.get("/warnings", response={200: WarningPage, 403: Message, 422: Message}, summary="预警项目")
def warning_list(request: HttpRequest, filters: Query[WarningQuery], paging: Query[Paging]) -> dict[str, Any]:
    """与“预警项目”页面相同：调用者可查看的项目中亮红灯、黄灯的，红灯在前，按单位顺序。"""
    require_business_reader(request)
    reject_unknown(request.GET, {"light": ("red", "yellow"), "level": Level.values, "category": Category.values})
    as_of = filters.as_of or timezone.localdate()
    rows, rules = warnings.warned_of_light(
        scoped_projects(request.user, scope_from(request)), as_of=as_of, light=filters.light
    )
    page = page_of(request, rows, paging)
    for project in page["results"]:
        project.api_as_of, project.api_rules = as_of, rules
    return page


class SnapshotRow(Schema):
    month: str = described("月份 YYYY-MM")
    as_of: datetime.date = described("统计日期")
    created_at: datetime.datetime = described("生成（关账）时间")

    @staticmethod
    def resolve_month(obj) -> str:
        return f"{obj.period.month:%Y-%m}"


class SnapshotOut(SnapshotRow):
    data: dict = described("快照数据：关账时冻结的指标、三项工作、问题统计等（键见 README“月度快照”）")


SnapshotPage = page_schema("SnapshotPage", SnapshotRow, "月度快照")


def _require_region_reader(request: HttpRequest) -> None:
    """A snapshot holds the whole region's figures: the office and leaders read it, a unit's reporter does not."""
    if not reads_whole_region(request.user):
        raise HttpError(403, "月度快照是全域数据，只有调度员和领导可以查看。")


@router.get("/snapshots", response={200: SnapshotPage, 403: Message}, summary="月度快照列表")
def snapshot_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """已关账月份的快照（不含数据），新月份在前。"""
    _require_region_reader(request)
    return page_of(request, indicators.closed_snapshots(), paging)


@router.get("/snapshots/{month}", response={200: SnapshotOut, 403: Message, 404: Message}, summary="月度快照")
def snapshot_detail(request: HttpRequest, month: str) -> Snapshot:
    _require_region_reader(request)
    first = indicators.parse_month(month)
    snapshot = snapshots.snapshot_for_month(first) if first else None
    if snapshot is None:
        raise Http404("该月没有快照：尚未关账。")
    return snapshot


class WorkItemQuery(Schema):
    start: datetime.date | None = described("起始日期；不填为今年 1 月 1 日", None)
    end: datetime.date | None = described("截止日期；不填为今天", None)


@router.get("/work-items", response={200: dict, 403: Message, 422: Message}, summary="招商引资三项工作")
def work_items(request: HttpRequest, filters: Query[WorkItemQuery]) -> dict[str, Any]:
    """调用者可查看的各单位在期间内的外出招商次数、招商线索数、签约项目数与签约投资（万元），以及三项均为零的
    空白单位：{start, end, totals, units: [{id, name, trips, leads, signed, signed_investment}], blank_unit_ids}。
    填报员只有本单位。"""
    attraction.require_reader(request.user)
    today = timezone.localdate()
    start, end = filters.start or today.replace(month=1, day=1), filters.end or today
    if end < start:
        raise HttpError(422, "截止日期早于起始日期。")
    return attraction.work_items_as_json(list(attraction.visible_units(request.user)), start=start, end=end)
