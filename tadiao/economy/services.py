"""Writes of 经济指标对标: figures (entered one by one or imported from the sheet 经济指标) and the target growth of
each region, year and indicator. Only the office (调度员) writes, within its region; every write is one
transaction with its audit event; figure edits are conditional on the version the user saw (no lost update).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.economy import queries, sheets
from tadiao.economy.models import Figure, Indicator, Target
from tadiao.imports.locking import CREATED_MEANWHILE, MODIFIED_MEANWHILE, changed_since_read, row_errors
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome, SheetRow
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.org.models import Region, User

BATCH = 500
FIGURE_FIELDS = ["region", "year", "month", "indicator", "value", "growth", "parent_growth", "provincial_rank"]
# What an import or an edit may change on a figure that exists (its key stays).
FIGURE_VALUES = ["value", "growth", "parent_growth", "provincial_rank"]


class EconomyError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(EconomyError):
    def __init__(self):
        super().__init__("该经济指标已被他人修改，您看到的不是最新内容。请刷新页面后重新操作。")


def _check_writer(by: User, region: Region) -> None:
    if not queries.may_write(by):
        raise EconomyError("只有调度员可以录入经济指标和目标增速。")
    if not queries.visible_regions(by).filter(pk=region.pk).exists():
        raise EconomyError(f"区划“{region}”不在您的管理范围内。")


def _check_unique(data: Mapping[str, Any], *, exclude: int | None = None) -> None:
    same = Figure.objects.filter(region=data["region"], year=data["year"], month=data["month"],
                                 indicator=data["indicator"])
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise EconomyError(f"{data['region']}{data['year']}年1—{data['month']}月的"
                           f"“{Indicator(data['indicator']).label}”已经录入，请在列表中找到并修改。")


@transaction.atomic
def create_figure(*, data: Mapping[str, Any], by: User) -> Figure:
    """A figure of `data["region"]` for (year, month, indicator), entered by the office."""
    _check_writer(by, data["region"])
    _check_unique(data)
    figure = Figure.objects.create(**{k: data.get(k) for k in FIGURE_FIELDS}, created_by=by)
    audit.record(actor=by, action="economy.figure.created", obj=figure,
                 changes=audit.created(audit.snapshot(figure, FIGURE_FIELDS)))
    return figure


@transaction.atomic
def update_figure(*, figure: Figure, data: Mapping[str, Any], expected_version: int, by: User) -> Figure:
    stored = Figure.objects.select_related("region").get(pk=figure.pk)
    if stored.version == expected_version and unchanged(stored, {name: data.get(name) for name in FIGURE_FIELDS}):
        return figure  # saved as shown: no new version, no audit event
    before = audit.snapshot(stored, FIGURE_FIELDS)
    _check_writer(by, figure.region)  # the region it belonged to
    _check_writer(by, data["region"])  # and the one it moves to
    _check_unique(data, exclude=figure.pk)
    for name in FIGURE_FIELDS:
        setattr(figure, name, data.get(name))
    if not save_if_unchanged(figure, FIGURE_FIELDS, expected_version=expected_version):
        raise ConcurrentEditError()
    changes = audit.diff(before, audit.snapshot(figure, FIGURE_FIELDS))
    if changes:
        audit.record(actor=by, action="economy.figure.updated", obj=figure, changes=changes)
    return figure


@transaction.atomic
def delete_figure(*, figure: Figure, expected_version: int, by: User) -> None:
    """Remove a figure entered by mistake; the audit event keeps what it said."""
    _check_writer(by, figure.region)
    audit.record(actor=by, action="economy.figure.deleted", obj=figure,
                 changes=audit.removed(audit.snapshot(figure, FIGURE_FIELDS)))
    if not Figure.objects.filter(pk=figure.pk, version=expected_version).delete()[0]:
        raise ConcurrentEditError()


@dataclass
class TargetOutcome:
    created: int = 0
    updated: int = 0
    cleared: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.cleared


@transaction.atomic
def set_targets(*, year: int, targets: Mapping[tuple[int, str], Decimal | None], by: User) -> TargetOutcome:
    """Set the target growth of `year` for each (region id, indicator) given; None clears it. Pairs not given
    are left as they are. Queries: the user's regions, the year's stored targets, then the bulk writes."""
    if not queries.may_write(by):
        raise EconomyError("只有调度员可以设置目标增速。")
    regions = {r.pk: r for r in queries.visible_regions(by)}
    outside = {region_id for region_id, _ in targets} - regions.keys()
    if outside:
        raise EconomyError("所选区划不在您的管理范围内。")
    existing = {(t.region_id, t.indicator): t
                for t in Target.objects.filter(year=year, region_id__in=list(regions))}
    created, updated, cleared = [], [], []
    now = timezone.now()
    for (region_id, indicator), growth in targets.items():
        stored = existing.get((region_id, indicator))
        if stored is None and growth is not None:
            created.append(Target(region=regions[region_id], year=year, indicator=indicator, growth=growth,
                                  updated_by=by))
        elif stored is not None and growth is None:
            cleared.append(stored)
        elif stored is not None and stored.growth != growth:
            updated.append((stored, audit.diff({"growth": stored.growth}, {"growth": growth})))
            stored.growth, stored.updated_by, stored.updated_at = growth, by, now
    Target.objects.bulk_create(created, batch_size=BATCH)
    if updated:
        Target.objects.bulk_update([t for t, _ in updated], ["growth", "updated_by", "updated_at"], batch_size=BATCH)
    events = [
        *(("economy.target.set", t, audit.diff({}, {"year": year, "growth": t.growth})) for t in created),
        *(("economy.target.set", t, changes) for t, changes in updated),
        *(("economy.target.cleared", t, audit.diff({"growth": t.growth}, {"growth": None})) for t in cleared),
    ]
    audit.record_many(actor=by, events=events)  # before the delete: the events name the targets' ids
    if cleared:
        Target.objects.filter(pk__in=[t.pk for t in cleared]).delete()
    return TargetOutcome(created=len(created), updated=len(updated), cleared=len(cleared))


# ---------------------------------------------------------------------------------------------------
# The import sheet 经济指标


def _import_regions(by: User | None) -> sheets.Regions:
    regions = list(Region.objects.order_by("code"))
    if by is None:
        return sheets.Regions.of(regions, None)
    top = queries.user_region(by)
    writable = {r.pk for r in regions if top is not None and r.path.startswith(top.path)}
    return sheets.Regions.of(regions, writable)


def import_figures(*, rows: Sequence[SheetRow], by: User | None) -> SheetOutcome:
    """Validate every row of the sheet 经济指标, then create or update all figures (and the target growths the
    rows carry) in one transaction, or write nothing and return the errors of every wrong row.

    A row matches a stored figure by (区划, 年月, 指标) and updates its value, growth and — when the sheet has
    those columns — 上级增速 and 全省排名 (a blank cell clears them). 目标增速 sets the target of the region,
    year and indicator; a blank cell leaves it. Re-importing the same sheet changes nothing. A row counts as
    updated when its figure or the target it carries changed.
    `by=None`: the operator at the command line. Queries: the regions, the stored figures and targets of the
    sheet's regions and years, then the bulk writes and the audit events in batches. No lost update: see
    write_figures.
    """
    plan = validate_figures(rows=rows, by=by)
    if plan.errors:
        return SheetOutcome(total=plan.total, errors=plan.errors)
    return write_figures(plan=plan, by=by)


@dataclass
class FigureImport:
    """What validate_figures found, each item with its Excel line (for a target, the first row carrying it);
    an update with what was read (a figure's version, a target's growth: targets have no version)."""

    total: int
    created: list[tuple[Figure, int]] = field(default_factory=list)
    updated: list[tuple[Figure, int, dict, int]] = field(default_factory=list)
    new_targets: list[tuple[Target, int]] = field(default_factory=list)
    changed_targets: list[tuple[Target, int, dict, Decimal]] = field(default_factory=list)
    rows_changed: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)


def validate_figures(*, rows: Sequence[SheetRow], by: User | None) -> FigureImport:
    """The read phase of import_figures: every row checked and matched, nothing written."""
    if by is not None and not queries.may_write(by):
        raise EconomyError(f"{by} 无权导入经济指标数据。")
    if rows and not sheets.REGION_COLUMNS.keys() & rows[0].values.keys():
        raise EconomyError(f"工作表“{sheets.ECONOMY_SHEET}”缺少表头：须有“区划代码”或“区划名称”，"
                           "用来确定每行是哪个区划。请使用导入模板的表头。")
    regions = _import_regions(by)
    plan = FigureImport(total=len(rows))
    parsed: list[tuple[int, sheets.ParsedFigure]] = []
    first_line: dict[tuple, int] = {}
    first_target: dict[tuple, tuple[int, Decimal]] = {}
    for row in rows:
        item = sheets.parse_figure_row(row.values, regions=regions)
        if not item.errors:
            key = item.key()
            if key in first_line:
                item.errors.append(f"与第 {first_line[key]} 行重复（同一区划、年月和指标）。")
            else:
                first_line[key] = row.line
        if not item.errors and item.target is not None:
            seen = first_target.setdefault(item.target_key(), (row.line, item.target))
            if seen[1] != item.target:
                item.errors.append(f"目标增速（{item.target}）与第 {seen[0]} 行（{seen[1]}）不一致："
                                   "同一区划同一年度的同一指标只有一个目标增速。")
        if item.errors:
            plan.errors[row.line] = item.errors
        parsed.append((row.line, item))
    if plan.errors:
        return plan

    stored, stored_targets = _stored([item.values for _, item in parsed])
    now = timezone.now()
    for line, item in parsed:
        figure = stored.get(item.key())
        fields = [name for name in FIGURE_VALUES if name in item.values]
        changed = False
        if figure is None:
            plan.created.append((Figure(**item.values, created_by=by), line))
        else:
            before = audit.snapshot(figure, fields)
            read_version = figure.version
            for name in fields:
                setattr(figure, name, item.values[name])
            changes = audit.diff(before, audit.snapshot(figure, fields))
            if changes:
                figure.version = read_version + 1
                figure.updated_at = now
                plan.updated.append((figure, line, changes, read_version))
                changed = True
        if item.target is not None:
            target = stored_targets.get(item.target_key())
            if target is None:
                v = item.values
                target = Target(region=v["region"], year=v["year"], indicator=v["indicator"], growth=item.target,
                                updated_by=by)
                stored_targets[item.target_key()] = target
                plan.new_targets.append((target, line))
                changed = True
            elif target.growth != item.target:
                plan.changed_targets.append((target, line, audit.diff({"growth": target.growth},
                                                                      {"growth": item.target}), target.growth))
                target.growth, target.updated_by, target.updated_at = item.target, by, now
                changed = True
        if changed and figure is not None:
            plan.rows_changed += 1
    return plan


def _stored(values: Sequence[Mapping[str, Any]]) -> tuple[dict[tuple, Figure], dict[tuple, Target]]:
    """The stored figures and targets of the rows' regions and years, by key (two queries)."""
    region_ids = {v["region"].pk for v in values}
    years = {v["year"] for v in values}
    if not region_ids:
        return {}, {}
    figures = {(f.region_id, f.year, f.month, f.indicator): f
               for f in Figure.objects.select_related("region").filter(region_id__in=region_ids, year__in=years)}
    targets = {(t.region_id, t.year, t.indicator): t
               for t in Target.objects.select_related("region").filter(region_id__in=region_ids, year__in=years)}
    return figures, targets


def write_figures(*, plan: FigureImport, by: User | None) -> SheetOutcome:
    """The write phase of import_figures, in one transaction. No lost update: the figures to update are locked
    and must still have the version read when validated, the targets to change the growth read, and nothing to
    create may have been entered meanwhile; otherwise nothing is written and each such row gets its error."""
    with transaction.atomic():
        changed = changed_since_read(Figure, {f.pk: version for f, _, _, version in plan.updated})
        changed_targets = changed_since_read(Target, {t.pk: growth for t, _, _, growth in plan.changed_targets},
                                             field="growth")
        taken, taken_targets = _stored([{"region": f.region, "year": f.year} for f, _ in plan.created]
                                       + [{"region": t.region, "year": t.year} for t, _ in plan.new_targets])
        errors = row_errors(
            [line for f, line, _, _ in plan.updated if f.pk in changed]
            + [line for t, line, _, _ in plan.changed_targets if t.pk in changed_targets],
            MODIFIED_MEANWHILE.format(noun="经济指标或目标增速"),
        )
        errors |= row_errors(
            [line for f, line in plan.created if (f.region_id, f.year, f.month, f.indicator) in taken]
            + [line for t, line in plan.new_targets if (t.region_id, t.year, t.indicator) in taken_targets],
            CREATED_MEANWHILE.format(noun="经济指标或目标增速"),
        )
        if errors:
            return SheetOutcome(total=plan.total, errors=errors)
        created = [f for f, _ in plan.created]
        new_targets = [t for t, _ in plan.new_targets]
        Figure.objects.bulk_create(created, batch_size=BATCH)
        if plan.updated:
            Figure.objects.bulk_update([f for f, _, _, _ in plan.updated], [*FIGURE_VALUES, "version", "updated_at"],
                                       batch_size=BATCH)
        Target.objects.bulk_create(new_targets, batch_size=BATCH)
        if plan.changed_targets:
            Target.objects.bulk_update([t for t, _, _, _ in plan.changed_targets],
                                       ["growth", "updated_by", "updated_at"], batch_size=BATCH)
        audit.record_many(
            actor=by,
            actor_name="" if by else CLI_ACTOR,
            events=[
                *(("economy.figure.imported", f, audit.created(audit.snapshot(f, FIGURE_FIELDS))) for f in created),
                *(("economy.figure.updated", f, changes) for f, _, changes, _ in plan.updated),
                *(("economy.target.set", t, audit.diff({}, {"year": t.year, "growth": t.growth}))
                  for t in new_targets),
                *(("economy.target.set", t, changes) for t, _, changes, _ in plan.changed_targets),
            ],
        )
    return SheetOutcome(total=plan.total, created=len(created), updated=plan.rows_changed,
                        unchanged=plan.total - len(created) - plan.rows_changed)
