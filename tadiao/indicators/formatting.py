"""Indicators as the CLI's JSON object and as text: rates with two decimals, money as decimal strings."""

import datetime
from decimal import Decimal

from django.db.models import QuerySet

from tadiao.indicators.events import events_as_json, events_sentence
from tadiao.indicators.models import Target
from tadiao.indicators.queries import Indicators, RateResult
from tadiao.indicators.targets import TargetResult
from tadiao.lib.dates import cn_date
from tadiao.lib.numbers import DASH
from tadiao.projects.models import Batch, Project, Stage
from tadiao.projects.queries import batch_statistics, batch_totals


def _number(value: int | Decimal) -> int | str:
    return value if isinstance(value, int) else format(Decimal(value).quantize(Decimal("0.01")), "f")


def _percent(value: Decimal | int | None) -> str | None:
    return None if value is None else format(value, "f")


def rate_as_json(rate: RateResult) -> dict:
    """{"numerator", "denominator", "percent"}: counts as integers, money and percent as decimal strings."""
    return {
        "numerator": _number(rate.numerator),
        "denominator": _number(rate.denominator),
        "percent": _percent(rate.percent),
    }


def indicators_as_json(result: Indicators) -> dict:
    return {
        "as_of": result.as_of.isoformat(),
        # Stage codes in lower case, as domain.md names them (reserve, negotiating, … at_capacity).
        "counts_by_stage": {stage.lower(): n for stage, n in result.counts_by_stage.items()},
        "rates": {code: rate_as_json(r) for code, r in result.rates.items()},
        "time_progress": _percent(result.time_progress),
        "annual_investment": {"planned": _number(result.annual_planned), "completed": _number(result.annual_completed)},
        "double_half": result.double_half,
        "targets": [target_as_json(t) for t in result.targets],
        "events": events_as_json(result.events),
    }


def _amount(value: Decimal | int | None, kind: str) -> int | str | None:
    """个 as an integer, 万元 and percent as decimal strings, None stays None."""
    if value is None:
        return None
    return int(value) if kind == Target.Kind.COUNT else _number(value)


def target_as_json(t: TargetResult) -> dict:
    """A rate target: {"kind": "rate", "rate", "level", "unit", "region", "deadline", "target", "actual", "gap"} in
    percent and points, "percent" null. A count / amount target: {"kind": "count" | "amount", "measure", …} with
    target, actual and gap in 个 (integers) or 万元 (strings) and "percent" the completion (actual / target)."""
    target = t.target
    data: dict[str, object] = {
        "kind": target.kind.lower(),
        "rate": target.rate.code if target.kind == Target.Kind.RATE and target.rate is not None else None,
        "measure": target.measure.lower() or None,
        "level": target.level.lower() or None,
        "unit": target.unit.name if target.unit is not None else None,
        "region": target.region.code if target.region is not None else None,
        "region_name": target.region.name if target.region is not None else None,
        "deadline": target.deadline.isoformat(),
    }
    if target.kind == Target.Kind.RATE:
        data.update(target=_percent(target.percent), actual=_percent(t.actual), gap=_percent(t.gap), percent=None)
    else:
        data.update(
            target=_amount(target.value, target.kind),
            actual=_amount(t.actual, target.kind),
            gap=_amount(t.gap, target.kind),
            percent=_percent(t.percent),
        )
    data["units"] = "%" if target.kind == Target.Kind.RATE else target.unit_label
    return data


def target_line(t: TargetResult) -> str:
    """"新开工项目（全部，2026年12月31日前）：目标 20 个，实际 12 个，完成 60.00%，差 8 个" — the CLI's text."""
    target = t.target
    head = f"{target.subject}（{target.scope_text}，{cn_date(target.deadline)}前）"
    if target.kind == Target.Kind.RATE:
        actual = DASH if t.actual is None else f"{t.actual}%"
        gap = "" if t.gap is None else f"，{'高于' if t.gap >= 0 else '低于'}目标 {abs(t.gap)} 个百分点"
        return f"{head}：目标 {target.percent}%，实际 {actual}{gap}"
    done = DASH if t.percent is None else f"{t.percent}%"
    gap = "" if t.gap is None else f"，{'超出' if t.gap >= 0 else '差'} {t.shown(-t.gap if t.gap < 0 else t.gap)}"
    return f"{head}：目标 {t.target_text}，实际 {t.actual_text}，完成 {done}{gap}"


def indicators_as_text(result: Indicators) -> str:
    lines = [f"统计日期：{cn_date(result.as_of)}"]
    lines.append("各阶段项目数：" + "，".join(f"{Stage(s).label}{n}个" for s, n in result.counts_by_stage.items()))
    for r in result.rates.values():
        shown = DASH if r.percent is None else f"{r.percent}%"
        lines.append(f"{r.name}：{shown}（{_number(r.numerator)} / {_number(r.denominator)}）")
    lines.append(f"序时进度：{result.time_progress}%")
    half = result.double_half
    if half["achieved"] is not None:
        verdict = "实现" if half["achieved"] else "未实现"
        lines.append(f"双过半：{verdict}（{'时间已过半' if half['time_half_gone'] else '时间未过半'}）")
    gap = result.progress_gap
    if gap is not None:
        lines.append(f"年度投资完成率{'超' if gap >= 0 else '低于'}序时进度 {abs(gap)} 个百分点")
    for key in ("month", "year_to_date"):
        if key in result.events:
            lines.append(events_sentence(result.events[key]))
    if result.targets:
        lines.append("本年目标：")
        lines.extend(f"  {target_line(t)}" for t in result.targets)
    return "\n".join(lines)


def batches_as_json(projects: QuerySet[Project], *, as_of: datetime.date) -> dict:
    """ "三个一批" per batch and kind over every batch, and the totals (entries counted, not projects)."""
    numbers = list(Batch.objects.values_list("number", flat=True))
    statistics = batch_statistics(projects, numbers=numbers, as_of=as_of)
    totals = batch_totals(statistics)
    return {
        "batches": [
            {
                "number": r["number"],
                "kind": r["kind_label"],
                "entries": r["entries"],
                "started": r["started"],
                "percent": _percent(r["percent"]),
            }
            for r in statistics
        ],
        "batches_total": {
            "entries": totals["entries"],
            "started": totals["started"],
            "percent": _percent(totals["percent"]),
        },
    }
