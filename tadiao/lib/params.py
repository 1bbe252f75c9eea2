"""Filters read from a page's query string: a bad value is dropped and its label noted in `invalid`, so the page
says which conditions it ignored instead of failing."""

import datetime
from collections.abc import Mapping

from tadiao.lib.dates import parse_date


def int_param(params: Mapping[str, str], name: str, invalid: list[str], label: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        invalid.append(label)
        return None


def date_param(params: Mapping[str, str], name: str, invalid: list[str], label: str) -> datetime.date | None:
    """A date as our date fields send it: 2026-12-03 or 2026年12月3日 (see lib.dates.parse_date)."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError:
        invalid.append(label)
        return None
