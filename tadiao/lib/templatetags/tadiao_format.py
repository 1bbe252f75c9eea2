"""Template filters for money and dates (loaded as builtins)."""

import datetime
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tadiao.lib import dates, numbers

register = template.Library()


@register.filter
def wan(value: object) -> str:
    return numbers.wan(value)


@register.filter
def yi(value: object) -> str:
    return numbers.yi(value)


@register.filter
def cndate(value: object) -> str:
    """2026年11月5日; empty dates as blank."""
    if isinstance(value, datetime.date):
        return dates.cn_date(value)
    return ""


@register.filter
def get_item(mapping: Any, key: object) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def points(value: object) -> str:
    """A difference of rates in percentage points: "+3.20 个百分点" / "-1.05 个百分点"."""
    number = numbers.to_decimal(value)
    if number is None:
        return numbers.DASH
    return f"{'+' if number >= 0 else '-'}{abs(number):.2f} 个百分点"


@register.filter
def signed(value: object) -> str:
    """A change in a count: "+3", "-1", "0"."""
    if value is None or value == "":
        return ""
    return f"{value:+d}" if value else "0"


@register.filter
def absolute(value: object) -> object:
    """|x| of a number or of a decimal string ("-0.30" → 0.30)."""
    number = numbers.to_decimal(value)
    return abs(number) if number is not None else value


@register.filter
def percent_of(numerator: object, denominator: object) -> str:
    """{{ spent|percent_of:issued }} → "58.82%", or "—" when the denominator is empty."""
    return numbers.percent(numerator, denominator)


@register.simple_tag
def unit_options(units: Any, selected: object) -> str:
    """The <option>s of a filter by unit (or industry …): one per object with id and name, or (id, name) pair, the
    one whose id equals `selected` (an id or its text) marked selected. Built in Python: a select of a province's
    1 000 units, as a template loop, was most of a list page's rendering time."""
    chosen = "" if selected is None else str(selected)
    rows = ((u.id, u.name) if hasattr(u, "id") else (u[0], u[1]) for u in units)
    return mark_safe("".join(
        f'<option value="{escape(str(pk))}"{" selected" if str(pk) == chosen else ""}>{escape(name)}</option>'
        for pk, name in rows
    ))
