"""Template filters for money and dates (loaded as builtins)."""

import datetime

from django import template

from tadiao.lib import numbers

register = template.Library()


@register.filter
def wan(value) -> str:
    return numbers.wan(value)


@register.filter
def yi(value) -> str:
    return numbers.yi(value)


@register.filter
def cndate(value) -> str:
    """2026年11月5日; empty dates as blank."""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
