"""The one write of a year's target — a rate (开工率 85%), a count (新开工 20 个) or an amount (固定资产投资 840 亿元) —
for all projects, a level, a unit or a region; used by the settings page and by `tadiao set_target`, audited."""

import datetime
from decimal import Decimal

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.indicators.models import COUNT_MEASURES, RateDefinition, Target
from tadiao.indicators.targets import AMOUNT_MEASURES, kind_of
from tadiao.org.models import Region, Unit, User
from tadiao.org.queries import scope_region


class TargetError(Exception):
    """A target that cannot be saved; the message is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_scope(*, unit: Unit | None, region: Region | None, by: User) -> None:
    if unit is not None and region is not None:
        raise TargetError("目标只能针对一个单位或一个区划，不能同时指定。")
    own = scope_region(by)
    if own is None:
        return
    where = region if region is not None else (unit.region if unit is not None else None)
    if where is not None and not where.path.startswith(own.path):
        raise TargetError(f"“{unit or region}”不在您管理的区划（{own.name}）内。")


def _check_value(*, kind: str, measure: str, rate: RateDefinition | None, value: Decimal) -> None:
    if kind == Target.Kind.RATE:
        if rate is None:
            raise TargetError("比率目标请选择指标。")
        if not Decimal("0") <= value <= Decimal("100"):
            raise TargetError("目标值应在 0–100 之间。")
        return
    if kind not in (Target.Kind.COUNT, Target.Kind.AMOUNT):
        raise TargetError("目标类型应为比率、个数或金额。")
    if not measure:
        raise TargetError("个数、金额目标请选择计量内容。")
    allowed = COUNT_MEASURES if kind == Target.Kind.COUNT else AMOUNT_MEASURES
    if measure not in allowed:
        wanted = "个数" if kind_of(measure) == Target.Kind.COUNT else "金额"
        raise TargetError(f"该计量内容是{wanted}目标，与所选的目标类型不符。")
    if value < 0:
        raise TargetError("目标值不能为负数。")
    if kind == Target.Kind.COUNT and value != value.to_integral_value():
        raise TargetError("个数目标应为整数。")


@transaction.atomic
def set_target(
    *,
    year: int,
    kind: str,
    value: Decimal,
    rate: RateDefinition | None = None,
    measure: str = "",
    level: str = "",
    unit: Unit | None = None,
    region: Region | None = None,
    deadline: datetime.date | None = None,
    by: User,
) -> Target:
    """Create or change the target of (year, rate or measure, level, unit or region, deadline): `value` is the
    percent of a rate, the number of projects of a count, the 万元 of an amount. The deadline defaults to 31
    December and must lie in the year. One audit event `indicators.target.saved` with what changed."""
    if not by.is_coordinator:
        raise TargetError("指标口径与目标需由调度员（重点项目办）配置。")
    if kind == Target.Kind.RATE:
        measure = ""
    else:
        rate = None
    value = value.quantize(Decimal("0.01"))
    _check_value(kind=kind, measure=measure, rate=rate, value=value)
    _check_scope(unit=unit, region=region, by=by)
    deadline = deadline or datetime.date(year, 12, 31)
    if deadline.year != year:
        raise TargetError(f"时限应在 {year} 年内。")
    lookup = {
        "year": year,
        "kind": kind,
        "rate": rate,
        "measure": measure,
        "level": level,
        "unit": unit,
        "region": region,
        "deadline": deadline,
    }
    field = "percent" if kind == Target.Kind.RATE else "value"
    target = Target.objects.select_for_update().filter(**lookup).order_by("pk").first()
    old = None if target is None else getattr(target, field)
    if target is None:
        target = Target.objects.create(**lookup, **{field: value})
        changes = {
            "kind": [None, kind],
            "rate" if rate is not None else "measure": [None, rate.code if rate is not None else measure],
            "level": [None, level or None],
            "unit": [None, unit.name if unit else None],
            "region": [None, region.name if region else None],
            "deadline": [None, deadline.isoformat()],
            field: [None, str(value)],
        }
    else:
        changes = audit.diff({field: old}, {field: value})
        if not changes:
            return target
        setattr(target, field, value)
        target.save(update_fields=[field])
    audit.record(actor=by, action="indicators.target.saved", obj=target, changes=changes)
    return target
