"""A selection of projects, stored as JSON in a rate definition, compiled to one SQL condition.

Keys (all optional; every given key must hold):
  reached            stage code: the stage's actual date is on or before the as-of date
  reached_this_year  stage code: ... and on or after 1 January of the as-of year
  not_reached        stage code: no actual date on or before the as-of date
  levels, categories, natures, exclude_natures   lists of codes
  tags               list of tag names (亿元以上 / 10亿元以上 are derived from total investment)
  in_year_plan       true: the project has an annual plan for the as-of year
  reported_this_year true: a submitted or approved monthly report of the as-of year, up to the as-of month,
                     with investment completed > 0
  exclude_cancelled  true: cancelled projects are left out (denominators include them by default)
  batches            list of "三个一批" batch numbers: the project is entered in one of them
  batch_kinds        entered (in those batches, or in any) as one of these kinds (SIGN, START, PRODUCE)
  any_of             a list of selections, at least one of which holds
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q

from tadiao.projects.models import (
    DERIVED_TAGS,
    STAGE_DATE_FIELD,
    AnnualPlan,
    BatchEntry,
    Category,
    Level,
    Nature,
    Project,
    Stage,
)
from tadiao.reporting.models import MonthlyReport

REPORTED_STATUSES = ("SUBMITTED", "APPROVED")
LIST_KEYS = {"levels": Level, "categories": Category, "natures": Nature, "exclude_natures": Nature}
STAGE_KEYS = ("reached", "reached_this_year", "not_reached")
FLAG_KEYS = ("in_year_plan", "reported_this_year", "exclude_cancelled")
KNOWN_KEYS = {*LIST_KEYS, *STAGE_KEYS, *FLAG_KEYS, "tags", "any_of", "batches", "batch_kinds"}


class SelectionError(ValueError):
    """A selection that cannot be used; the message is Chinese."""


def validate(selection: Any) -> None:
    if not isinstance(selection, dict):
        raise SelectionError("条件应为 JSON 对象。")
    unknown = set(selection) - KNOWN_KEYS
    if unknown:
        raise SelectionError(f"不认识的条件：{'、'.join(sorted(unknown))}。")
    for key in STAGE_KEYS:
        if key in selection and selection[key] not in Stage.values:
            raise SelectionError(f"条件 {key} 的阶段“{selection[key]}”不存在。")
    for key, choices in LIST_KEYS.items():
        values = selection.get(key, [])
        if not isinstance(values, list) or any(v not in choices.values for v in values):
            raise SelectionError(f"条件 {key} 含有不存在的取值。")
    batches = selection.get("batches", [])
    if not isinstance(batches, list) or any(not isinstance(n, int) or isinstance(n, bool) for n in batches):
        raise SelectionError("条件 batches 应为期数（整数）列表。")
    kinds = selection.get("batch_kinds", [])
    if not isinstance(kinds, list) or any(k not in BatchEntry.Kind.values for k in kinds):
        raise SelectionError("条件 batch_kinds 含有不存在的类别（可用 SIGN、START、PRODUCE）。")
    if not isinstance(selection.get("tags", []), list):
        raise SelectionError("条件 tags 应为标签名称列表。")
    for key in FLAG_KEYS:
        if key in selection and not isinstance(selection[key], bool):
            raise SelectionError(f"条件 {key} 应为 true 或 false。")
    for sub in selection.get("any_of", []):
        validate(sub)


def to_q(selection: dict, *, as_of: datetime.date) -> Q:
    """The SQL condition on Project for the selection at the as-of date."""
    year_start = as_of.replace(month=1, day=1)
    q = Q()
    if stage := selection.get("reached"):
        q &= Q(**{f"{STAGE_DATE_FIELD[stage]}__lte": as_of})
    if stage := selection.get("reached_this_year"):
        q &= Q(**{f"{STAGE_DATE_FIELD[stage]}__lte": as_of, f"{STAGE_DATE_FIELD[stage]}__gte": year_start})
    if stage := selection.get("not_reached"):
        field = STAGE_DATE_FIELD[stage]
        q &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})
    if values := selection.get("levels"):
        q &= Q(level__in=values)
    if values := selection.get("categories"):
        q &= Q(category__in=values)
    if values := selection.get("natures"):
        q &= Q(nature__in=values)
    if values := selection.get("exclude_natures"):
        q &= ~Q(nature__in=values)
    for tag in selection.get("tags", []):
        if tag in DERIVED_TAGS:
            q &= Q(total_investment__gte=DERIVED_TAGS[tag])
        else:
            # EXISTS, not a join: a join would repeat a project once per tag and inflate every count beside it.
            q &= Exists(Project.tags.through.objects.filter(project_id=OuterRef("pk"), tag__name=tag))
    if selection.get("in_year_plan"):
        q &= Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=as_of.year))
    if selection.get("reported_this_year"):
        q &= Exists(
            MonthlyReport.objects.filter(
                project=OuterRef("pk"),
                period__month__gte=year_start,
                period__month__lte=as_of,
                status__in=REPORTED_STATUSES,
                investment_completed__gt=0,
            )
        )
    numbers, kinds = selection.get("batches"), selection.get("batch_kinds")
    if numbers or kinds:
        entries = BatchEntry.objects.filter(project=OuterRef("pk"))
        if numbers:
            entries = entries.filter(batch__number__in=numbers)
        if kinds:
            entries = entries.filter(kind__in=kinds)
        q &= Exists(entries)
    if selection.get("exclude_cancelled"):
        q &= Q(is_cancelled=False)
    if alternatives := selection.get("any_of"):
        either = Q()
        for sub in alternatives:
            either |= to_q(sub, as_of=as_of)
        q &= either
    return q
