"""A selection of projects, stored as JSON in a rate definition, compiled to one SQL condition.

Keys (all optional; every given key must hold):
  reached            stage code: the stage's actual date is on or before the as-of date
  reached_this_year  stage code: ... and on or after 1 January of the as-of year
  reached_this_quarter, reached_this_month   the same from the first day of the as-of quarter / month
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
from collections.abc import Iterable
from typing import Any

from django.db.models import Choices, Exists, OuterRef, Q

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

# REPORTED_STATUSES is reporting's; the indicator modules import it from here as before.
from tadiao.reporting.models import REPORTED_STATUSES, MonthlyReport

LIST_KEYS = {"levels": Level, "categories": Category, "natures": Nature, "exclude_natures": Nature}
# Stage reached, and since when (the period): cumulative to the as-of date, or within its year, quarter, month.
REACHED_KEYS = ("reached", "reached_this_year", "reached_this_quarter", "reached_this_month")
STAGE_KEYS = (*REACHED_KEYS, "not_reached")
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


def period_start(key: str, as_of: datetime.date) -> datetime.date | None:
    """The first day a `reached*` key counts from: None for `reached` (any time up to the as-of date)."""
    if key == "reached_this_year":
        return as_of.replace(month=1, day=1)
    if key == "reached_this_quarter":
        return as_of.replace(month=(as_of.month - 1) // 3 * 3 + 1, day=1)
    if key == "reached_this_month":
        return as_of.replace(day=1)
    return None


def to_q(selection: dict, *, as_of: datetime.date, year_plan: str | None = None) -> Q:
    """The SQL condition on Project for the selection at the as-of date. `year_plan`: the name of a relation the
    projects are already joined by to their plan of the as-of year (in_year_plan then tests the join instead of
    looking the plan up again for each project)."""
    year_start = as_of.replace(month=1, day=1)
    q = Q()
    for key in REACHED_KEYS:
        if stage := selection.get(key):
            field = STAGE_DATE_FIELD[stage]
            q &= Q(**{f"{field}__lte": as_of})
            if start := period_start(key, as_of):
                q &= Q(**{f"{field}__gte": start})
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
            # (ignored for mypy below) Q & Exists is a Q at runtime; the stubs say Combinable
            q &= Exists(Project.tags.through.objects.filter(project_id=OuterRef("pk"), tag__name=tag))  # type: ignore[assignment]
    if selection.get("in_year_plan") and year_plan:
        q &= Q(**{f"{year_plan}__isnull": False})
    elif selection.get("in_year_plan"):
        # (ignored for mypy below) Q & Exists is a Q at runtime; the stubs say Combinable
        q &= Exists(AnnualPlan.objects.filter(project=OuterRef("pk"), year=as_of.year))  # type: ignore[assignment]
    if selection.get("reported_this_year"):
        q &= Exists(  # type: ignore[assignment]  # Q & Exists is a Q at runtime; the stubs say Combinable
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
        q &= Exists(entries)  # type: ignore[assignment]  # Q & Exists is a Q at runtime; the stubs say Combinable
    if selection.get("exclude_cancelled"):
        q &= Q(is_cancelled=False)
    if alternatives := selection.get("any_of"):
        either = Q()
        for sub in alternatives:
            either |= to_q(sub, as_of=as_of, year_plan=year_plan)
        q &= either
    return q


REACHED_PHRASES = {
    "reached": "已达到{}阶段",
    "reached_this_year": "本年内达到{}阶段",
    "reached_this_quarter": "本季度内达到{}阶段",
    "reached_this_month": "本月内达到{}阶段",
    "not_reached": "尚未达到{}阶段",
}


def _labels(choices: type[Choices], values: Iterable[str]) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(v, v)) for v in values]


def describe(selection: dict) -> str:
    """The selection in words an official reads, e.g. "已达到开工阶段的项目（省重点）"; {} is "全部项目".

    The stage and report conditions name the projects; level, category, tags, batches … follow in brackets."""
    selection = selection or {}
    parts = [REACHED_PHRASES[key].format(Stage(selection[key]).label) for key in STAGE_KEYS if selection.get(key)]
    if selection.get("in_year_plan"):
        parts.append("列入本年度计划")
    if selection.get("reported_this_year"):
        parts.append("本年已报送投资完成额")
    if alternatives := selection.get("any_of"):
        parts.append("符合以下任一条件：" + "或".join(f"“{describe(sub)}”" for sub in alternatives))
    attributes = []
    if values := selection.get("levels"):
        attributes.append("或".join(_labels(Level, values)))
    if values := selection.get("categories"):
        attributes.append("或".join(_labels(Category, values)) + "类")
    if values := selection.get("natures"):
        attributes.append("或".join(_labels(Nature, values)))
    if values := selection.get("exclude_natures"):
        attributes.append("不含" + "、".join(_labels(Nature, values)))
    if values := selection.get("tags"):
        attributes.append("带有标签" + "、".join(f"“{t}”" for t in values))
    numbers, kinds = selection.get("batches"), selection.get("batch_kinds")
    if numbers or kinds:
        where = "第" + "、".join(str(n) for n in numbers) + "期" if numbers else ""
        what = "或".join(_labels(BatchEntry.Kind, kinds)) if kinds else "三个一批"
        attributes.append(f"列入{where}{what}")
    if selection.get("exclude_cancelled"):
        attributes.append("不含已终止项目")
    text = f"{'、'.join(parts)}的项目" if parts else "全部项目"
    return f"{text}（{'，'.join(attributes)}）" if attributes else text


def _reached_stage(selection: dict) -> str | None:
    return next((selection[key] for key in REACHED_KEYS if selection.get(key)), None)


def _contradiction(selection: dict) -> str | None:
    """Why no project can satisfy the selection on its own, or None."""
    reached, not_reached = _reached_stage(selection), selection.get("not_reached")
    if reached and reached == not_reached:
        label = Stage(reached).label
        return f"不能既“已达到{label}阶段”又“尚未达到{label}阶段”"
    both = set(selection.get("natures", [])) & set(selection.get("exclude_natures", []))
    if both:
        return f"项目性质“{'、'.join(_labels(Nature, sorted(both)))}”既被选中又被排除"
    return None


def check_rate(*, measure: str, numerator: dict, denominator: dict) -> None:
    """Refuse a rate whose value is fixed whatever the projects: a contradiction on either side, a numerator that
    cannot overlap its denominator (always 0%) or adds nothing to it (always 100%). Messages are Chinese."""
    validate(numerator)
    validate(denominator)
    if measure == "INVESTMENT":
        if numerator:
            raise SelectionError("投资额口径的比率按分母项目计算“累计完成投资 / 年度计划投资”，分子条件应留空。")
        if reason := _contradiction(denominator):
            raise SelectionError(f"分母条件矛盾：{reason}。")
        return
    for side, selection in (("分母", denominator), ("分子", numerator)):
        if reason := _contradiction(selection):
            raise SelectionError(f"{side}条件矛盾：{reason}。")
    if not numerator or numerator.items() <= denominator.items():
        raise SelectionError("分子条件没有在分母之外增加任何条件，比率将恒为 100%：请至少选择一个分子条件。")
    # The numerator counts within the denominator: the two together must still select something.
    for reached, not_reached in (
        (_reached_stage(numerator), denominator.get("not_reached")),
        (_reached_stage(denominator), numerator.get("not_reached")),
    ):
        if reached and reached == not_reached:
            label = Stage(reached).label
            raise SelectionError(
                f"分子与分母矛盾：一边要求“已达到{label}阶段”，另一边要求“尚未达到{label}阶段”，分子将恒为 0。"
            )
    attributes = (("levels", Level, "级别"), ("categories", Category, "类别"), ("natures", Nature, "性质"))
    for key, choices, name in attributes:
        num, den = set(numerator.get(key, [])), set(denominator.get(key, []))
        if num and den and not num & den:
            raise SelectionError(
                f"分子的{name}（{'、'.join(_labels(choices, sorted(num)))}）与分母的{name}"
                f"（{'、'.join(_labels(choices, sorted(den)))}）没有交集，分子将恒为 0。"
            )
