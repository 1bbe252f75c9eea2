"""Writes of the indicator configuration: local rate definitions and targets, audited."""

import datetime
from decimal import Decimal

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.indicators.models import RateDefinition, Target, WarningRule
from tadiao.indicators.selection import SelectionError, check_rate
from tadiao.lib.versioning import save_if_unchanged
from tadiao.org.models import User


class IndicatorConfigError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require_coordinator(by: User) -> None:
    if not by.is_coordinator:
        raise IndicatorConfigError("指标口径与目标需由调度员（重点项目办）配置。")


@transaction.atomic
def create_rate_definition(
    *, code: str, name: str, measure: str, numerator: dict, denominator: dict, description: str = "", by: User
) -> RateDefinition:
    _require_coordinator(by)
    _check(measure=measure, numerator=numerator, denominator=denominator)
    if RateDefinition.objects.filter(code=code).exists():
        raise IndicatorConfigError(f"代码“{code}”已被使用。")
    definition = RateDefinition.objects.create(
        code=code,
        name=name,
        measure=measure,
        numerator=numerator,
        denominator=denominator,
        description=description,
        display_order=1000,
    )
    audit.record(
        actor=by,
        action="indicators.rate.created",
        obj=definition,
        changes={
            "code": [None, code],
            "name": [None, name],
            "numerator": [None, numerator],
            "denominator": [None, denominator],
            "measure": [None, measure],
        },
    )
    return definition


def _check(*, measure: str, numerator: dict, denominator: dict) -> None:
    try:
        check_rate(measure=measure, numerator=numerator, denominator=denominator)
    except SelectionError as exc:
        raise IndicatorConfigError(str(exc)) from exc


RATE_FIELDS = ["name", "measure", "numerator", "denominator", "description", "is_active"]


@transaction.atomic
def update_rate_definition(
    *,
    definition: RateDefinition,
    name: str,
    measure: str,
    numerator: dict,
    denominator: dict,
    description: str,
    is_active: bool,
    expected_version: int,
    by: User,
) -> RateDefinition:
    """A coordinator's edit of a rate (built-in ones too); its code stays, since targets and snapshots name it.
    Nothing written and no audit event when nothing changed; refused when someone saved in between."""
    _require_coordinator(by)
    _check(measure=measure, numerator=numerator, denominator=denominator)
    values = {
        "name": name,
        "measure": measure,
        "numerator": numerator,
        "denominator": denominator,
        "description": description,
        "is_active": is_active,
    }
    before = audit.snapshot(definition, RATE_FIELDS)
    changes = audit.diff(before, values)
    if not changes:
        return definition
    for field, value in values.items():
        setattr(definition, field, value)
    if not save_if_unchanged(definition, RATE_FIELDS, expected_version=expected_version):
        raise IndicatorConfigError("该比率定义已被他人修改，请刷新页面后重新编辑。")
    audit.record(actor=by, action="indicators.rate.updated", obj=definition, changes=changes)
    return definition


@transaction.atomic
def save_target(
    *, year: int, rate: RateDefinition, level: str, deadline: datetime.date, percent: Decimal, by: User
) -> Target:
    _require_coordinator(by)
    if not Decimal("0") <= percent <= Decimal("100"):
        raise IndicatorConfigError("目标值应在 0–100 之间。")
    target, created = Target.objects.get_or_create(
        year=year, rate=rate, level=level, deadline=deadline, defaults={"percent": percent}
    )
    old = None if created else target.percent
    if not created:
        target.percent = percent
        target.save(update_fields=["percent"])
    audit.record(
        actor=by,
        action="indicators.target.saved",
        obj=target,
        changes=audit.diff({"percent": old}, {"percent": percent}),
    )
    return target


@transaction.atomic
def update_warning_rule(
    *,
    rule: WarningRule,
    yellow: Decimal | None,
    red: Decimal | None,
    streak_months: int | None,
    levels: list[str],
    is_active: bool,
    by: User,
) -> WarningRule:
    """Thresholds, streak, level scope and on/off of a warning rule; the measure itself stays."""
    _require_coordinator(by)
    if yellow is None and red is None:
        raise IndicatorConfigError("黄灯、红灯阈值至少填写一个。")
    if yellow is not None and red is not None:
        wrong_order = red > yellow if rule.lower_is_worse else red < yellow
        if wrong_order:
            raise IndicatorConfigError(
                "红灯阈值应比黄灯阈值更严重："
                + ("占比类规则红灯阈值应小于黄灯。" if rule.lower_is_worse else "红灯阈值应不小于黄灯。")
            )
    values = {"yellow": yellow, "red": red, "streak_months": streak_months, "levels": levels, "is_active": is_active}
    before = audit.snapshot(rule, list(values))
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save(update_fields=list(values))
    changes = audit.diff(before, values)
    if changes:
        audit.record(actor=by, action="indicators.warning_rule.updated", obj=rule, changes=changes)
    return rule
