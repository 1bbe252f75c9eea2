"""Growth rates as statistical releases print them: one decimal, two when the second is not zero (6.5%, 6.25%)."""

from decimal import Decimal

from django import template

from tadiao.economy.models import Indicator
from tadiao.lib import numbers

register = template.Library()
TENTH = Decimal("0.1")


def short(value) -> str | None:
    number = numbers.to_decimal(value)
    if number is None:
        return None
    number = numbers.round2(number)
    return f"{number:.1f}" if number == number.quantize(TENTH) else f"{number:.2f}"


@register.filter
def growth(value) -> str:
    """6.50 → "6.5%"; None → "—"."""
    text = short(value)
    return numbers.DASH if text is None else f"{text}%"


@register.filter
def gap(value) -> str:
    """A difference in percentage points: "-0.7 个百分点", "+1.25 个百分点"; None → "—"."""
    text = short(value)
    if text is None:
        return numbers.DASH
    return f"{text if text.startswith('-') else '+' + text} 个百分点"


@register.filter
def months(values) -> str:
    """[3, 4, 10] → "3、4、10月" (the cumulative periods 1—3月, 1—4月, 1—10月); [] → "—"."""
    if not values:
        return numbers.DASH
    return "、".join(str(m) for m in values) + "月"


VERSUS = {"above": "高于", "equal": "持平", "below": "低于"}


@register.filter
def standing(row) -> str:
    """A table row's standing against its target and its parent's growth: "完成较好", "低于目标、高于上级",
    "高于目标、无上级增速"…"""
    if row["done_well"]:
        return "完成较好"
    target = f"{VERSUS[row['vs_target']]}目标" if row["vs_target"] else "未设目标"
    parent = f"{VERSUS[row['vs_parent']]}上级" if row["vs_parent"] else "无上级增速"
    return f"{target}、{parent}"


@register.filter
def indicator_label(code: str) -> str:
    """"GDP" → "GDP", "BUDGET_REVENUE" → "一般公共预算收入"."""
    return Indicator(code).label
