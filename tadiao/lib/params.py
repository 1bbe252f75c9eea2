"""Filters read from a page's query string: a bad value is dropped and its label noted in `invalid`, so the page
says which conditions it ignored instead of failing."""

import datetime


def int_param(params, name: str, invalid: list[str], label: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        invalid.append(label)
        return None


def date_param(params, name: str, invalid: list[str], label: str) -> datetime.date | None:
    """An ISO date, as <input type="date"> sends it."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        invalid.append(label)
        return None
