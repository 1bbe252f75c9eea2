"""Indicators as the CLI's JSON object and as text: rates with two decimals, money as decimal strings."""

from decimal import Decimal

from tadiao.attraction import queries as attraction
from tadiao.indicators.queries import Indicators, compute_indicators
from tadiao.lib.dates import cn_date
from tadiao.lib.numbers import DASH
from tadiao.projects.models import Batch, Stage
from tadiao.projects.queries import batch_statistics, batch_totals


def _number(value) -> int | str:
    return value if isinstance(value, int) else format(Decimal(value).quantize(Decimal("0.01")), "f")


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def rate_as_json(rate) -> dict:
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
        "targets": [
            {
                "rate": t.target.rate.code,
                "level": t.target.level.lower() or None,
                "deadline": t.target.deadline.isoformat(),
                "target": _percent(t.target.percent),
                "actual": _percent(t.actual),
                "gap": _percent(t.gap),
            }
            for t in result.targets
        ],
    }


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
    return "\n".join(lines)


def batches_as_json(projects, *, as_of) -> dict:
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


def scope_as_json(projects, units: list, *, as_of) -> tuple[Indicators, dict, dict]:
    """What `tadiao indicators --json` prints for a scope (before any comparison), and the open API's
    /api/v1/indicators answers: (the computed indicators, the JSON object, the units' three work items)."""
    result = compute_indicators(projects, as_of=as_of)
    data = indicators_as_json(result)
    data.update(batches_as_json(projects, as_of=as_of))
    work = attraction.work_items_as_json(units, start=as_of.replace(month=1, day=1), end=as_of)
    names = {u.pk: u.name for u in units}
    data["attraction"] = {key: work["totals"][key] for key in ("trips", "leads", "signed", "signed_investment")}
    data["blank_units"] = [names[pk] for pk in work["blank_unit_ids"]]
    return result, data, work
