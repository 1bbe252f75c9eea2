"""Reads of 经济指标对标: the access gate, the figure list, and the outputs computed set-based for a cumulative
period (1—N月) — regions below their target growth, regions below their parent region's growth, rank tables —
and, for a year, the months in which each region and indicator was below.

Every output is computed from one query that brings each figure with its year's target (目标增速) and its
parent's growth (上级增速: the figure's own `parent_growth`, else the parent region's figure for the same period
and indicator — see models.Figure) as subqueries; the comparisons are made in Python on Decimals (SQLite keeps
decimals as floats: never compare those in SQL).

The public outputs (below_target, below_parent, rank_table, months_below, period_tables, overview) return plain
data that json.dumps accepts: decimals as strings with two decimals ("6.50", "-0.70"), None where there is no
value. A gap is growth − target (or − the parent's growth) in percentage points: negative when below. Equal is
not below; 完成较好 (done well) is at or above both the target and the parent's growth, both known.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from tadiao.economy.models import INDICATOR_ORDER, INDICATOR_UNITS, Figure, Indicator, Target, period_label
from tadiao.org.models import Region, User
from tadiao.org.queries import scope_region

CENT = Decimal("0.01")

# ---------------------------------------------------------------------------------------------------
# Access: office-level data. Coordinators read and write their region's; leaders read it; nobody else.


def may_read(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_coordinator or user.is_leader))


def may_write(user: User) -> bool:
    return bool(user.is_authenticated and user.is_coordinator)


def require_reader(user: User) -> None:
    if not may_read(user):
        raise PermissionDenied("经济指标为办公室数据，只有调度员和领导可以查看。")


def require_writer(user: User) -> None:
    require_reader(user)
    if not may_write(user):
        raise PermissionDenied("您只能查看经济指标，不能录入或修改。")


def user_region(user: User) -> Region | None:
    """The top of the subtree whose figures the user reads (None: nothing)."""
    return scope_region(user) if may_read(user) else None


def visible_regions(user: User) -> QuerySet[Region]:
    """The regions whose figures the user reads and (a coordinator) writes, in code order."""
    region = user_region(user)
    if region is None:
        return Region.objects.none()
    return Region.objects.filter(path__startswith=region.path).order_by("code")


def visible_figures(user: User) -> QuerySet[Figure]:
    region = user_region(user)
    if region is None:
        return Figure.objects.none()
    return Figure.objects.filter(region__path__startswith=region.path)


def get_figure_for_user(user: User, pk: int, *, write: bool = False) -> Figure:
    """The figure, or 403 for those who read no figures, 404 outside the user's region, 403 for a leader who
    tries to write."""
    require_reader(user)
    figure = visible_figures(user).select_related("region", "region__parent").filter(pk=pk).first()
    if figure is None:
        raise Http404("该经济指标不存在或不在您的管理范围内。")
    if write:
        require_writer(user)
    return figure


# ---------------------------------------------------------------------------------------------------
# Periods


def parse_period(text: str) -> tuple[int, int] | None:
    """"2024-10" → (2024, 10); None when it is not a month."""
    try:
        day = datetime.date.fromisoformat(f"{text.strip()}-01")
    except (ValueError, AttributeError):
        return None
    return day.year, day.month


def latest_period(*, region: Region | None = None, on_or_before: datetime.date | None = None) -> tuple[int, int] | None:
    """The latest (year, month) with any figure in the region's subtree (up to `on_or_before`'s month)."""
    figures = _in(region)
    if on_or_before is not None:
        day = on_or_before
        figures = figures.filter(Q(year__lt=day.year) | Q(year=day.year, month__lte=day.month))
    return figures.order_by("-year", "-month").values_list("year", "month").first()


def dashboard_summary(user: User, *, as_of: datetime.date) -> dict[str, Any] | None:
    """What the 驾驶舱 shows of the economy: the latest period up to `as_of` with its regions below target and
    below the parent's growth; None for users who do not read it or when nothing is entered. Two queries."""
    region = user_region(user)
    if region is None:
        return None
    period = latest_period(region=region, on_or_before=as_of)
    if period is None:
        return None
    rows = period_rows(year=period[0], month=period[1], region=region)
    return {"label": period_label(*period), "below_target": below_target_of(rows),
            "below_parent": below_parent_of(rows), "year": period[0], "month": period[1]}


def default_period(*, region: Region | None, today: datetime.date) -> tuple[int, int]:
    """The latest period entered, else last month (statistics come out after the month ends)."""
    latest = latest_period(region=region)
    if latest is not None:
        return latest
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    return last_month.year, last_month.month


# ---------------------------------------------------------------------------------------------------
# The figures with their target and parent's growth (one query)


def _indicator_order() -> Case:
    return Case(*(When(indicator=code, then=Value(index)) for code, index in INDICATOR_ORDER.items()),
                output_field=IntegerField())


def _with_comparisons(figures: QuerySet[Figure]) -> QuerySet[Figure]:
    target = Target.objects.filter(region_id=OuterRef("region_id"), year=OuterRef("year"),
                                   indicator=OuterRef("indicator")).values("growth")[:1]
    parent = Figure.objects.filter(region_id=OuterRef("region__parent"), year=OuterRef("year"),
                                   month=OuterRef("month"), indicator=OuterRef("indicator")).values("growth")[:1]
    return figures.annotate(
        target_growth=Subquery(target),
        effective_parent_growth=Coalesce(F("parent_growth"), Subquery(parent),
                                         output_field=Figure._meta.get_field("growth")),
        indicator_order=_indicator_order(),
    )


def _in(region: Region | None) -> QuerySet[Figure]:
    return Figure.objects.all() if region is None else Figure.objects.filter(region__path__startswith=region.path)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).quantize(CENT), "f")


# The kinds of region the tables count (区划类型), in the order they are listed. A 乡级 region's kind is read from
# its 12-digit statistical code (国家统计局《统计用区划代码和城乡划分代码编制规则》: digits 7—9 are 001—099 for a
# 街道, 100—199 a 镇, 200—399 a 乡, 400—599 a 类似乡级单位 such as a development zone); higher levels from the level.
REGION_KINDS: dict[str, str] = {
    "PROVINCE": "省",
    "CITY": "市",
    "COUNTY": "县（市、区）",
    "STREET": "街道",
    "TOWN": "镇",
    "TOWNSHIP": "乡",
    "OTHER": "其他乡级单位",
}
KIND_ORDER = {code: index for index, code in enumerate(REGION_KINDS)}


def region_kind(code: str, level: str) -> str:
    """The kind (a REGION_KINDS code) of a region from its code and level."""
    if level != Region.Level.TOWNSHIP:
        return level if level in REGION_KINDS else "OTHER"
    part = int(code[6:9]) if len(code) == 12 and code[6:9].isdigit() else 0
    if 1 <= part <= 99:
        return "STREET"
    if 100 <= part <= 199:
        return "TOWN"
    if 200 <= part <= 399:
        return "TOWNSHIP"
    return "OTHER"


@dataclass
class Row:
    """One figure with what it is compared with; Decimals here, strings once serialised."""

    figure_id: int
    region: str
    region_code: str
    parent_code: str | None
    year: int
    month: int
    indicator: str
    value: Decimal
    growth: Decimal
    target: Decimal | None
    parent_growth: Decimal | None
    provincial_rank: int | None
    level: str
    rank: int | None = None
    peers: int = 0

    @property
    def kind(self) -> str:
        return region_kind(self.region_code, self.level)

    @property
    def target_gap(self) -> Decimal | None:
        return None if self.target is None else self.growth - self.target

    @property
    def parent_gap(self) -> Decimal | None:
        return None if self.parent_growth is None else self.growth - self.parent_growth

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.growth < self.target

    @property
    def below_parent(self) -> bool:
        return self.parent_growth is not None and self.growth < self.parent_growth

    @property
    def vs_target(self) -> str | None:
        return _versus(self.growth, self.target)

    @property
    def vs_parent(self) -> str | None:
        return _versus(self.growth, self.parent_growth)

    @property
    def done_well(self) -> bool:
        """完成较好: at or above both the target and the parent's growth; a row lacking either is not judged."""
        return (self.target is not None and self.parent_growth is not None
                and not self.below_target and not self.below_parent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure_id": self.figure_id,
            "region": self.region,
            "region_code": self.region_code,
            "indicator": Indicator(self.indicator).label,
            "indicator_code": self.indicator,
            "unit": INDICATOR_UNITS[self.indicator],
            "value": _text(self.value),
            "growth": _text(self.growth),
            "target": _text(self.target),
            "target_gap": _text(self.target_gap),
            "parent_growth": _text(self.parent_growth),
            "parent_gap": _text(self.parent_gap),
            "provincial_rank": self.provincial_rank,
            "rank": self.rank,
            "peers": self.peers,
            "kind": self.kind,
            "kind_label": REGION_KINDS[self.kind],
            "vs_target": self.vs_target,
            "vs_parent": self.vs_parent,
            "done_well": self.done_well,
        }


def _versus(growth: Decimal, other: Decimal | None) -> str | None:
    """"above", "equal" or "below" the other growth; None when there is nothing to compare with."""
    if other is None:
        return None
    return "above" if growth > other else "equal" if growth == other else "below"


def _rows(figures: QuerySet[Figure]) -> list[Row]:
    values = _with_comparisons(figures).order_by("region__code", "indicator_order", "year", "month").values_list(
        "pk", "region__name", "region__code", "region__parent__code", "year", "month", "indicator", "value",
        "growth", "target_growth", "effective_parent_growth", "provincial_rank", "region__level",
    )
    return [Row(*v) for v in values]


def period_rows(*, year: int, month: int, region: Region | None = None) -> list[Row]:
    """Every figure of the period in the region's subtree, in region code then indicator order (one query)."""
    return _rows(_in(region).filter(year=year, month=month))


# ---------------------------------------------------------------------------------------------------
# Outputs (pure functions of the rows, and their one-query public forms)


def below_target_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    return [
        {"region": r.region, "region_code": r.region_code, "indicator": Indicator(r.indicator).label,
         "indicator_code": r.indicator, "growth": _text(r.growth), "target": _text(r.target),
         "gap": _text(r.target_gap)}
        for r in rows if r.below_target
    ]


def below_parent_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    return [
        {"region": r.region, "region_code": r.region_code, "indicator": Indicator(r.indicator).label,
         "indicator_code": r.indicator, "growth": _text(r.growth), "parent": _text(r.parent_growth),
         "gap": _text(r.parent_gap)}
        for r in rows if r.below_parent
    ]


def done_well_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """完成较好: the figures at or above both their target and their parent's growth, region code then indicator
    order."""
    return [
        {"region": r.region, "region_code": r.region_code, "indicator": Indicator(r.indicator).label,
         "indicator_code": r.indicator, "growth": _text(r.growth), "target": _text(r.target),
         "target_gap": _text(r.target_gap), "parent": _text(r.parent_growth), "parent_gap": _text(r.parent_gap)}
        for r in rows if r.done_well
    ]


def counts_by_kind_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Per kind of region (REGION_KINDS order, only kinds with figures): how many regions have figures, how many
    are below their target (below their parent's growth) in at least one indicator, and per indicator how many
    regions have the figure, are below the target, below the parent, and done well."""
    kinds: dict[str, dict[str, Any]] = {}
    for r in rows:
        kind = kinds.setdefault(r.kind, {"regions": set(), "below_target": set(), "below_parent": set(),
                                         "indicators": {}})
        kind["regions"].add(r.region_code)
        counts = kind["indicators"].setdefault(r.indicator, {
            "regions": 0, "with_target": 0, "below_target": 0, "with_parent": 0, "below_parent": 0, "done_well": 0})
        counts["regions"] += 1
        counts["with_target"] += r.target is not None
        counts["with_parent"] += r.parent_growth is not None
        counts["done_well"] += r.done_well
        if r.below_target:
            counts["below_target"] += 1
            kind["below_target"].add(r.region_code)
        if r.below_parent:
            counts["below_parent"] += 1
            kind["below_parent"].add(r.region_code)
    return [
        {"kind": code, "label": REGION_KINDS[code], "regions": len(kind["regions"]),
         "below_target": len(kind["below_target"]), "below_parent": len(kind["below_parent"]),
         "indicators": {indicator: kind["indicators"][indicator]
                        for indicator in sorted(kind["indicators"], key=INDICATOR_ORDER.__getitem__)}}
        for code, kind in sorted(kinds.items(), key=lambda item: KIND_ORDER[item[0]])
    ]


def table_of(rows: list[Row]) -> list[dict[str, Any]]:
    """The full table: every figure of the rows (region code then indicator order) with its rank among the
    regions of the same parent."""
    _rank(rows)
    return [r.as_dict() for r in rows]


def _rank(rows: list[Row]) -> None:
    """Rank by growth among the regions with the same parent, per indicator: 1, 2, 2, 4 (ties share a rank
    and are shown as 并列)."""
    groups: dict[tuple[str, str | None], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.indicator, row.parent_code), []).append(row)
    for group in groups.values():
        ordered = sorted(group, key=lambda r: -r.growth)
        for position, row in enumerate(ordered, start=1):
            row.peers = len(group)
            previous = ordered[position - 2] if position > 1 else None
            row.rank = previous.rank if previous is not None and previous.growth == row.growth else position


def _rank_tables(rows: list[Row], indicators: Iterable[str]) -> list[dict[str, Any]]:
    _rank(rows)
    tables = []
    for code in indicators:
        members = sorted((r for r in rows if r.indicator == code),
                         key=lambda r: (r.parent_code or "", r.rank or 0, r.region_code))
        shared = Counter((r.parent_code, r.rank) for r in members)
        tables.append({
            "indicator": Indicator(code).label,
            "indicator_code": code,
            "unit": INDICATOR_UNITS[code],
            "rows": [{**r.as_dict(), "tied": shared[(r.parent_code, r.rank)] > 1} for r in members],
        })
    return tables


def below_target(*, year: int, month: int, region: Region | None = None) -> list[dict[str, Any]]:
    """Regions whose growth for 1—`month` of `year` is below their target growth:
    [{"region", "region_code", "indicator", "indicator_code", "growth", "target", "gap"}], region code then
    indicator order; figures without a target are left out. One query."""
    return below_target_of(period_rows(year=year, month=month, region=region))


def below_parent(*, year: int, month: int, region: Region | None = None) -> list[dict[str, Any]]:
    """Regions whose growth is below their parent region's growth:
    [{"region", "region_code", "indicator", "indicator_code", "growth", "parent", "gap"}]. One query."""
    return below_parent_of(period_rows(year=year, month=month, region=region))


def rank_table(*, year: int, month: int, indicator: str | None = None,
               region: Region | None = None) -> list[dict[str, Any]]:
    """One table per indicator (only `indicator` when given): {"indicator", "indicator_code", "unit", "rows"},
    each row a figure (region, value, growth, target and gap, parent's growth and gap, provincial_rank) with
    its `rank` by growth among the regions of the same parent, `peers` (how many were ranked) and `tied`.
    Rows grouped by parent region, then by rank. One query."""
    figures = _in(region).filter(year=year, month=month)
    if indicator is not None:
        figures = figures.filter(indicator=indicator)
    return _rank_tables(_rows(figures), [indicator] if indicator else Indicator.values)


def months_below(*, year: int, region: Region | None = None) -> list[dict[str, Any]]:
    """For a year, per region and indicator, the months (cumulative periods 1—N月, given as N) in which the growth
    was below the target and below the parent's growth: [{"region", "region_code", "indicator",
    "indicator_code", "below_target": [N, …], "below_parent": [N, …]}], only pairs below at least once. One query.
    """
    result: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _rows(_in(region).filter(year=year)):
        if not (row.below_target or row.below_parent):
            continue
        item = result.setdefault((row.region_code, row.indicator), {
            "region": row.region, "region_code": row.region_code, "indicator": Indicator(row.indicator).label,
            "indicator_code": row.indicator, "below_target": [], "below_parent": [],
        })
        if row.below_target:
            item["below_target"].append(row.month)
        if row.below_parent:
            item["below_parent"].append(row.month)
    return list(result.values())


def period_tables(*, year: int, month: int, region: Region | None = None) -> dict[str, Any]:
    """The full economic tables of a period (the `tadiao economy --json` object, see README): "period"
    ("2024-10"), "label" (2024年1—10月), "below_target", "below_parent", "table" (table_of), "done_well"
    (done_well_of), "counts_by_kind" (counts_by_kind_of). One query."""
    rows = period_rows(year=year, month=month, region=region)
    return {
        "period": f"{year}-{month:02d}",
        "label": period_label(year, month),
        "below_target": below_target_of(rows),
        "below_parent": below_parent_of(rows),
        "table": table_of(rows),
        "done_well": done_well_of(rows),
        "counts_by_kind": counts_by_kind_of(rows),
    }


def overview(*, year: int, month: int, region: Region | None = None) -> dict[str, Any]:
    """Everything the overview page, its export and the bulletin show for a period, in two queries."""
    rows = period_rows(year=year, month=month, region=region)
    return {
        "year": year,
        "month": month,
        "figures": len(rows),
        "below_target": below_target_of(rows),
        "below_parent": below_parent_of(rows),
        "done_well": done_well_of(rows),
        "counts_by_kind": counts_by_kind_of(rows),
        "rank_tables": _rank_tables(rows, Indicator.values),
        "months_below": months_below(year=year, region=region),
    }


# ---------------------------------------------------------------------------------------------------
# The figure list and the target settings


@dataclass
class FigureFilters:
    period: tuple[int, int] | None = None
    region: int | None = None
    indicator: str = ""
    invalid: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "FigureFilters":
        filters = cls()
        if text := query.get("period", "").strip():
            filters.period = parse_period(text)
            if filters.period is None:
                filters.invalid.append("期间")
        if text := query.get("region", "").strip():
            if text.isdigit():
                filters.region = int(text)
            else:
                filters.invalid.append("区划")
        if text := query.get("indicator", "").strip():
            if text in Indicator.values:
                filters.indicator = text
            else:
                filters.invalid.append("指标")
        return filters

    @property
    def period_text(self) -> str:
        return f"{self.period[0]}-{self.period[1]:02d}" if self.period else ""


def figure_rows(user: User, filters: FigureFilters) -> QuerySet[Figure]:
    """The figures the user reads, filtered, in region code, latest period and indicator order, each with its
    target and parent's growth (one query per page)."""
    figures = visible_figures(user).select_related("region")
    if filters.period:
        figures = figures.filter(year=filters.period[0], month=filters.period[1])
    if filters.region:
        figures = figures.filter(region_id=filters.region)
    if filters.indicator:
        figures = figures.filter(indicator=filters.indicator)
    return _with_comparisons(figures).order_by("region__code", "-year", "-month", "indicator_order", "pk")


def targets_of(*, year: int, region: Region | None) -> dict[tuple[int, str], Decimal]:
    """(region id, indicator) → target growth of a year in the region's subtree (one query)."""
    targets = Target.objects.filter(year=year)
    if region is not None:
        targets = targets.filter(region__path__startswith=region.path)
    return {(region_id, indicator): growth
            for region_id, indicator, growth in targets.values_list("region_id", "indicator", "growth")}


def decimal(text: str | None) -> Decimal | None:
    """A decimal string of the outputs back to a Decimal (for a workbook cell)."""
    return None if text is None else Decimal(text)
