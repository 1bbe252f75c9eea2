"""问题统计 as pure functions of their arguments, and what a month's snapshot freezes of it.

Definitions of the statistics (problems only, supervision items apart), for problems raised in [start, end]
(and not after `as_of`), grouped by their lead unit:
- 办结: resolved (已办结 or 已销号) on or before `as_of`;
- 按期办结: resolved on or before the time limit first given (初始办结时限);
- 办结率 = 办结 / 问题数; 按期办结率 = 按期办结 / 问题数 (a problem still open counts against both);
- 平均办结天数: calendar days from raising to resolution, averaged over the resolved problems;
- 超期: not resolved by `as_of` (no 办结 date, or one after `as_of`) and its first time limit (初始办结时限) before
  `as_of`. A later deadline, set by an escalation or an extension, does not make an item on time again: it stays
  overdue until it is resolved. Escalation itself follows the current deadline (services.run_escalation).
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from tadiao.coordination.models import Category, Level, Problem
from tadiao.coordination.queries.access import lead_unit_choices
from tadiao.coordination.queries.overdue import overdue_on, overdue_problems
from tadiao.lib.numbers import percent_value
from tadiao.org.models import Unit, User

# ---------------------------------------------------------------------------------------------------
# Statistics: set-based, pure functions of their arguments.


def _rate(numerator: int, denominator: int) -> str | None:
    value = percent_value(numerator, denominator)
    return None if value is None else str(value)


def _average_days(total: datetime.timedelta | int | None, count: int) -> str | None:
    if not count or total is None:
        return None
    days = total.days if isinstance(total, datetime.timedelta) else int(total)
    return str((Decimal(days) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _figures(row: dict) -> dict:
    return {
        "total": row["total"],
        "resolved": row["resolved"],
        "resolved_on_time": row["on_time"],
        "overdue": row["overdue"],
        "resolution_rate": _rate(row["resolved"], row["total"]),
        "on_time_rate": _rate(row["on_time"], row["total"]),
        "average_days": _average_days(row["days"], row["resolved"]),
    }


def problem_statistics(
    *, units: Iterable[Unit], start: datetime.date, end: datetime.date, as_of: datetime.date
) -> dict:
    """Problems (not supervision items) raised in [start, end] and led by one of `units`, as of `as_of`: totals,
    by category, by level, by lead unit (ranked: 按期办结率, then 办结率, then fewer average days, then unit order).

    JSON-serialisable: rates are percent strings ("58.82") or None for an empty denominator, average days a
    string with two decimals or None. Four GROUP BY queries, whatever the number of problems.
    """
    units = list(units)
    base = Problem.objects.filter(
        kind=Problem.Kind.PROBLEM,
        lead_unit__in=[u.pk for u in units],
        raised_date__gte=start,
        raised_date__lte=min(end, as_of),
    ).order_by()
    done = Q(resolved_date__isnull=False, resolved_date__lte=as_of)
    measures = {
        "total": Count("pk"),
        "resolved": Count("pk", filter=done),
        "on_time": Count("pk", filter=done & Q(resolved_date__lte=F("first_deadline"))),
        "overdue": Count("pk", filter=overdue_on(as_of)),
        "days": Sum(
            ExpressionWrapper(F("resolved_date") - F("raised_date"), output_field=DurationField()), filter=done
        ),
    }
    totals = _figures(base.aggregate(**measures))
    by_category_rows = dict(base.values_list("category").annotate(n=Count("pk")))
    by_level_rows = dict(base.values_list("level").annotate(n=Count("pk")))
    by_unit_rows = {row["lead_unit_id"]: row for row in base.values("lead_unit_id").annotate(**measures)}
    by_unit = [{"unit_id": u.pk, "unit": u.name, **_figures(by_unit_rows[u.pk])} for u in units if u.pk in by_unit_rows]
    order = {u.pk: (u.display_order, u.pk) for u in units}

    def rank_key(row: dict):
        on_time = Decimal(row["on_time_rate"] or "-1")
        resolved = Decimal(row["resolution_rate"] or "-1")
        days = Decimal(row["average_days"]) if row["average_days"] is not None else Decimal("1e9")
        return (-on_time, -resolved, days, order[row["unit_id"]])

    by_unit.sort(key=rank_key)
    for n, row in enumerate(by_unit, start=1):
        row["rank"] = n
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": as_of.isoformat(),
        **totals,
        "by_category": [
            {"category": c.value, "label": c.label, "count": by_category_rows.get(c.value, 0)} for c in Category
        ],
        "by_level": [{"level": lv.value, "label": lv.label, "count": by_level_rows.get(lv.value, 0)} for lv in Level],
        "by_unit": by_unit,
    }


def problems_as_json(*, units: Iterable[Unit], as_of: datetime.date) -> dict:
    """What a snapshot freezes of problem coordination, year to date: {"statistics": problem_statistics(...),
    "by_unit": its rows, "overdue": [the problems and supervision items overdue on `as_of`]}: judged by dates, so a
    month closed after its end still freezes the figures as they were on `as_of`. In an overdue row, "deadline" is
    the time limit first given, which the overdue days count from; "current_deadline" the one in force when frozen
    (later after an escalation or an extension); "status" and "level" are those when frozen, "resolved_date" set
    when the item was resolved after `as_of`. Five queries."""
    units = list(units)
    statistics = problem_statistics(units=units, start=as_of.replace(month=1, day=1), end=as_of, as_of=as_of)
    unit_ids = {u.pk for u in units}
    overdue = overdue_problems(as_of=as_of, kinds=Problem.Kind.values).filter(lead_unit_id__in=unit_ids)
    return {
        "statistics": {key: value for key, value in statistics.items() if key != "by_unit"},
        "by_unit": statistics["by_unit"],
        "overdue": [
            {
                "id": p.pk,
                "kind": p.get_kind_display(),
                "project": p.project.name if p.project else "",
                "title": p.title,
                "lead_unit_id": p.lead_unit_id,
                "lead_unit": p.lead_unit.name,
                "level": p.get_level_display(),
                "status": p.get_status_display(),
                "resolved_date": p.resolved_date.isoformat() if p.resolved_date else None,
                "deadline": p.first_deadline.isoformat(),
                "current_deadline": p.deadline.isoformat(),
                "days_overdue": (as_of - p.first_deadline).days,
            }
            for p in overdue
        ],
    }


def problem_statistics_for(user: User, *, start: datetime.date, end: datetime.date, as_of: datetime.date) -> dict:
    """problem_statistics() over the units the user may name as lead (its region's active units)."""
    return problem_statistics(units=list(lead_unit_choices(user)), start=start, end=end, as_of=as_of)
