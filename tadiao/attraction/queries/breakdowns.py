"""The figures the meeting quotes about 招商引资 (issue "The figures the meeting quotes", point 4): trips by the
leading cadre's rank, signings by recognition state, 主导产业, category and investor origin, leads in talks at the
period's end against leads active in it, and "去年以来" (from 1 January of the year before) as one figure.

Every breakdown is one GROUP BY query over the units' rows (values().annotate(Count / Sum)), whatever the number
of units or rows: `breakdown` makes a fixed number of queries (BREAKDOWN_QUERIES). The counting rules are the three
work items' (see the package docstring): a trip by its departure date, a signing by its signing date — rejected
(不予认定) signings are counted only in the recognition breakdown, a lead active in the period when in talks at
some time in it or followed up in it.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, Q, QuerySet, Sum

from tadiao.attraction.models import Lead, Rank, Recognition, Trip
from tadiao.attraction.queries.recognition import recognition_status_expr
from tadiao.attraction.queries.three_items import lead_active_in
from tadiao.projects.models import Category, Project

NO_INDUSTRY = "未设主导产业"
NO_ORIGIN = "未填来源地"
# trips by rank, signings by recognition / industry / category / origin, leads (active and by state), and the
# three totals of 去年以来 (trips, leads, signings).
BREAKDOWN_QUERIES = 10


class Signings(TypedDict):
    count: int
    investment: str | None


def money(value: Decimal | None) -> str | None:
    """万元 as a decimal string with two places (SQLite's sums come back without them); None stays None."""
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")


def _signings(row: dict[str, Any]) -> Signings:
    return {"count": row["n"], "investment": money(row["investment"])}


def _signed(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> QuerySet[Project]:
    return Project.objects.filter(unit_id__in=unit_ids, signed_date__gte=start, signed_date__lte=end).order_by()


def _counted(signed: QuerySet[Project]) -> QuerySet[Project]:
    """The signings the three work items count: all but the rejected (不予认定)."""
    return signed.exclude(recognition__status=Recognition.Status.REJECTED)


def trips_by_rank(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """{rank code: trips departing in the period}, every rank present (zero when none): one query."""
    rows = (
        Trip.objects.filter(unit_id__in=unit_ids, departure_date__gte=start, departure_date__lte=end)
        .order_by()
        .values("rank")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Rank.values, 0)
    counts.update({row["rank"]: row["n"] for row in rows})
    return counts


def signed_by_recognition(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> dict[str, Signings]:
    """{RECOGNISED / PENDING / REJECTED: {"count", "investment"}} of the projects signed in the period (no
    recognition row is 待认定), every state present: one query."""
    rows = (
        _signed(unit_ids, start=start, end=end)
        .annotate(state=recognition_status_expr())
        .values("state")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    )
    # 已认定 first: the figure the meeting quotes on its own, then 待认定 and 不予认定.
    states = [Recognition.Status.RECOGNISED, Recognition.Status.PENDING, Recognition.Status.REJECTED]
    result: dict[str, Signings] = {state: {"count": 0, "investment": None} for state in states}
    result.update({row["state"]: _signings(row) for row in rows})
    return result


def signed_by_industry(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """[{"industry", "count", "investment"}] of the counted signings per 主导产业, in the configured industry order,
    projects without one last (NO_INDUSTRY); only industries with signings: one query."""
    rows = (
        _counted(_signed(unit_ids, start=start, end=end))
        .values("industry_id", "industry__name", "industry__display_order")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    )
    ordered = sorted(rows, key=lambda r: (r["industry_id"] is None, r["industry__display_order"] or 0,
                                          r["industry_id"] or 0))
    return [{"industry": r["industry__name"] or NO_INDUSTRY, **_signings(r)} for r in ordered]


def signed_by_category(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """[{"category": code, "label", "count", "investment"}] of the counted signings per project category, in the
    categories' order; only categories with signings: one query."""
    rows = {
        r["category"]: r
        for r in _counted(_signed(unit_ids, start=start, end=end))
        .values("category")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    }
    return [
        {"category": code, "label": label, **_signings(rows[code])} for code, label in Category.choices if code in rows
    ]


def signed_by_origin(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """[{"origin", "count", "investment"}] of the counted signings per investor origin (投资方来源地, as entered),
    most signings first, then by name; projects without one last (NO_ORIGIN): one query."""
    rows = (
        _counted(_signed(unit_ids, start=start, end=end))
        .values("investor_origin")
        .annotate(n=Count("pk"), investment=Sum("total_investment"))
    )
    ordered = sorted(rows, key=lambda r: (not r["investor_origin"], -r["n"], r["investor_origin"]))
    return [{"origin": r["investor_origin"] or NO_ORIGIN, **_signings(r)} for r in ordered]


def leads_by_state(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The leads of the period by state on its last day: {"active_in_period": the three work items' count,
    "in_talks": open on `end` (talks begun by then, not lost or signed by then), "signed" / "lost": closed as
    such within the period}. Two queries (the active count, then one conditional aggregate)."""
    leads = Lead.objects.filter(project__unit_id__in=unit_ids).order_by()
    active = leads.filter(lead_active_in(start=start, end=end)).count()
    closed_in = Q(closed_date__gte=start, closed_date__lte=end)
    states = leads.aggregate(
        in_talks=Count("pk", filter=Q(start_date__lte=end) & (Q(closed_date__isnull=True) | Q(closed_date__gt=end))),
        signed=Count("pk", filter=closed_in & Q(status=Lead.Status.SIGNED)),
        lost=Count("pk", filter=closed_in & Q(status=Lead.Status.LOST)),
    )
    return {"active_in_period": active, **states}


def totals(unit_ids: list[int], *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The three work items summed over the units for one period, as JSON: {"from", "to", "trips", "leads",
    "signed", "signed_investment"} — three queries."""
    trips = Trip.objects.filter(unit_id__in=unit_ids, departure_date__gte=start, departure_date__lte=end).count()
    leads = Lead.objects.filter(project__unit_id__in=unit_ids).filter(lead_active_in(start=start, end=end)).count()
    signed = _counted(_signed(unit_ids, start=start, end=end)).aggregate(n=Count("pk"), s=Sum("total_investment"))
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "trips": trips,
        "leads": leads,
        "signed": signed["n"],
        "signed_investment": money(signed["s"]),
    }


def since_last_year_start(end: datetime.date) -> datetime.date:
    """去年以来: from 1 January of the year before `end`'s."""
    return datetime.date(end.year - 1, 1, 1)


def breakdown(unit_ids: Iterable[int], *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Every breakdown of the units' 招商引资 for [start, end] (both days included), JSON-ready (money as decimal
    strings) — the keys of the CLI's `attraction` object besides the four totals:

    {"from", "to", "trips_by_rank": {rank: n}, "signed_by_recognition": {state: {"count", "investment"}},
     "signed_by_industry": [...], "signed_by_category": [...], "signed_by_origin": [...],
     "leads_by_state": {"active_in_period", "in_talks", "signed", "lost"},
     "since_last_year": totals from 1 January of the year before `end`'s to `end`}

    BREAKDOWN_QUERIES queries, whatever the number of units or rows.
    """
    ids = list(unit_ids)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "trips_by_rank": trips_by_rank(ids, start=start, end=end),
        "signed_by_recognition": signed_by_recognition(ids, start=start, end=end),
        "signed_by_industry": signed_by_industry(ids, start=start, end=end),
        "signed_by_category": signed_by_category(ids, start=start, end=end),
        "signed_by_origin": signed_by_origin(ids, start=start, end=end),
        "leads_by_state": leads_by_state(ids, start=start, end=end),
        "since_last_year": totals(ids, start=since_last_year_start(end), end=end),
    }


RANK_LABELS: dict[str, str] = dict(Rank.choices)
RECOGNITION_LABELS: dict[str, str] = {str(code): str(label) for code, label in Recognition.Status.choices}

# The signing breakdowns as a page lists them: (key in breakdown(), what they are grouped by, the row's name key).
SIGNING_TABLES: list[tuple[str, str, str]] = [
    ("signed_by_industry", "主导产业", "industry"),
    ("signed_by_category", "项目类别", "label"),
    ("signed_by_origin", "投资方来源地", "origin"),
]
