"""The three work items (三项工作) computed set-based per unit, the pure comparisons between snapshots
(零的突破, 连续空白), and the breakdown rows, totals and chart data the pages show. The counting rules are in
the package's docstring."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.org.models import Unit
from tadiao.projects.models import Project

ZERO_ITEMS = {"trips": 0, "leads": 0, "signed": 0, "signed_investment": None}


def lead_active_in(*, start: datetime.date, end: datetime.date) -> Q:
    """A lead active in the period: in talks at some time in it, or followed up in it (see the module doc)."""
    in_talks = Q(start_date__lte=end) & (Q(closed_date__isnull=True) | Q(closed_date__gte=start))
    followed = Exists(FollowUp.objects.filter(lead=OuterRef("pk"), date__gte=start, date__lte=end))
    return in_talks | Q(followed)


def work_items(units: Iterable[Unit], *, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """Each unit's three work items for the period [start, end], both days included:

    {unit_id: {"trips": n, "leads": n, "signed": n, "signed_investment": Decimal | None}} — every unit of
    `units` is present, zeros included (signed_investment is None when nothing was signed).

    - trips: trips departing in the period;
    - leads: leads active in the period — in talks at some time in it (talks began on or before `end`, and
      had not been lost or signed before `start`) or followed up in it;
    - signed: projects signed in the period (签约日期) not rejected (不予认定), with the sum of their 总投资.

    Three GROUP BY unit queries, whatever the number of units or rows (plus one when `units` is a queryset
    not yet evaluated).
    """
    ids = [u.pk for u in units]
    result = {pk: dict(ZERO_ITEMS) for pk in ids}
    if not ids:
        return result
    trips = (
        Trip.objects.filter(unit_id__in=ids, departure_date__gte=start, departure_date__lte=end)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in trips:
        result[row["unit_id"]]["trips"] = row["n"]
    leads = (
        Lead.objects.filter(project__unit_id__in=ids)
        .filter(lead_active_in(start=start, end=end))
        .order_by()
        .values("project__unit_id")
        .annotate(n=Count("pk"))
    )
    for row in leads:
        result[row["project__unit_id"]]["leads"] = row["n"]
    signed = (
        Project.objects.filter(unit_id__in=ids, signed_date__gte=start, signed_date__lte=end)
        .exclude(recognition__status=Recognition.Status.REJECTED)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    )
    for row in signed:
        result[row["unit_id"]]["signed"] = row["n"]
        result[row["unit_id"]]["signed_investment"] = row["investment"]
    return result


def is_blank(items: dict) -> bool:
    """空白: no trip, no lead and no signed project (rejected ones aside)."""
    return not (items["trips"] or items["leads"] or items["signed"])


def blank_units(
    units: Iterable[Unit], *, start: datetime.date, end: datetime.date, items: dict[int, dict] | None = None
) -> list[Unit]:
    """The units with all three work items zero in the period, in the configured unit order (排序, then id).

    Pass `items` (work_items' result for the same units and period) to avoid computing it again.
    """
    units = list(units)
    if items is None:
        items = work_items(units, start=start, end=end)
    blank = [u for u in units if is_blank(items[u.pk])]
    return sorted(blank, key=lambda u: (u.display_order, u.pk))


def broke_zero(previous_blank_ids: Iterable[int], current_blank_ids: Iterable[int], *,
               among: Iterable[int] | None = None) -> set[int]:
    """零的突破: the units blank in the previous snapshot and no longer blank now.

    `among` (optional): the units that exist now; a unit blank before but since removed or deactivated has
    not broken zero, so pass the current unit ids when some may have gone.
    """
    broke = set(previous_blank_ids) - set(current_blank_ids)
    return broke if among is None else broke & set(among)


def blank_streaks(history: list[set[int]], current: set[int]) -> dict[int, int]:
    """连续N次榜上有名: for each unit blank now, the number of consecutive snapshots ending now in which it
    was blank, the current one included (1: blank now, not in the previous snapshot).

    `history` holds the earlier snapshots' blank unit ids, oldest first; the last element is the snapshot
    just before the current one.
    """
    streaks = {}
    for unit_id in current:
        n = 1
        for earlier in reversed(history):
            if unit_id not in earlier:
                break
            n += 1
        streaks[unit_id] = n
    return streaks


WORK_ITEM_SORTS = {
    "unit": "按单位排序",
    "-trips": "外出招商（多→少）",
    "-leads": "招商线索（多→少）",
    "-signed": "签约项目（多→少）",
    "-signed_investment": "签约投资（高→低）",
    "trips": "外出招商（少→多）",
    "leads": "招商线索（少→多）",
    "signed": "签约项目（少→多）",
}


def work_item_rows(units: list[Unit], items: dict[int, dict], *, sort: str = "unit") -> list[dict]:
    """The table's rows, sorted by one column; ties (and the default) in the configured unit order."""
    rows = [{"unit": u, **items[u.pk], "blank": is_blank(items[u.pk])} for u in units]
    rows.sort(key=lambda r: (r["unit"].display_order, r["unit"].pk))
    key = sort.lstrip("-")
    if sort in WORK_ITEM_SORTS and key != "unit":
        # Stable sort: equal values keep the unit order. None (no signed investment) sorts as zero.
        rows.sort(key=lambda r: r[key] or 0, reverse=sort.startswith("-"))
    return rows


def _money(value) -> str | None:
    """万元 as a string with two decimals (SQLite's sums come back without them)."""
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")


def work_items_as_json(units: list[Unit], *, start: datetime.date, end: datetime.date) -> dict:
    """The work items of `units` for the period as JSON (snapshots, the CLI): a fixed number of queries."""
    items = work_items(units, start=start, end=end)
    totals = work_item_totals(items)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "totals": {**totals, "signed_investment": _money(totals["signed_investment"])},
        "units": [
            {"id": u.pk, "name": u.name, **items[u.pk], "signed_investment": _money(items[u.pk]["signed_investment"])}
            for u in units
        ],
        "blank_unit_ids": [u.pk for u in blank_units(units, start=start, end=end, items=items)],
    }


def work_item_totals(items: dict[int, dict]) -> dict:
    values = list(items.values())
    investments = [v["signed_investment"] for v in values if v["signed_investment"] is not None]
    return {
        "trips": sum(v["trips"] for v in values),
        "leads": sum(v["leads"] for v in values),
        "signed": sum(v["signed"] for v in values),
        "signed_investment": sum(investments) if investments else None,
    }
