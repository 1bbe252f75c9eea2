"""Growth rates as statistical releases print them: one decimal, two when the second is not zero (6.5%, 6.25%)."""

from decimal import Decimal

from django import template

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
