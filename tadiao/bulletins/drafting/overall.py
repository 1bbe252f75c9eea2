"""Section 重点项目总体推进情况: projects by stage, the year's investment against its plan and 序时进度, the main
rates against 上期, the year's targets, 双过半 in June; and the chart of cumulative investment by month."""

import datetime

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.events import events_text, quantity_target_text
from tadiao.bulletins.drafting.words import clauses, count_change, money, months_text, pct, points_change
from tadiao.indicators.models import TargetMeasure
from tadiao.lib.dates import cn_date
from tadiao.lib.numbers import round2, to_decimal
from tadiao.projects.models import Level, Stage

MEASURE_WORDS: dict[str, str] = {code.lower(): str(label) for code, label in TargetMeasure.choices}

# Rate codes the overview names, in order; others in the snapshot go to the attachment table only.
OVERVIEW_RATES = (
    "start_rate",
    "start_or_resume_rate",
    "signed_to_approved",
    "approved_to_started",
    "started_investment_completion",
    "completed_to_producing",
    "producing_to_capacity",
)


def _started(counts_by_stage: dict) -> int:
    """Projects started or beyond (开工、竣工、投产、达产) in a snapshot's counts by stage."""
    return sum(n for code, n in counts_by_stage.items() if code in ("started", "completed", "producing", "at_capacity"))


def overall_text(data: dict, earlier: dict, context: Context) -> str | None:
    ind = data.get("indicators")
    if not ind:
        return None
    before = earlier.get("indicators") or {}
    counts = ind.get("counts_by_stage") or {}
    total = sum(counts.values())
    lines = []
    stages = "、".join(f"{Stage[code.upper()].label}{n}个" for code, n in counts.items() if n)
    started = _started(counts)
    before_counts = before.get("counts_by_stage")
    before_started = _started(before_counts) if before_counts else None
    first = f"截至{cn_date(context.as_of)}，{context.region_name}纳入调度的重点项目共{total}个"
    lines.append(
        clauses(first, f"按所处阶段分：{stages}" if stages else "")
        + "。"
        + clauses(f"已开工（含竣工、投产、达产）项目{started}个", count_change(started, before_started))
        + "。"
    )

    investment = ind.get("annual_investment") or {}
    rates = ind.get("rates") or {}
    before_rates = before.get("rates") or {}
    completion = rates.get("annual_investment_completion", {}).get("percent")
    if investment.get("planned") is not None:
        gap_text = ""
        progress = to_decimal(ind.get("time_progress"))
        if completion is not None and progress is not None:
            gap = round2(to_decimal(completion)) - round2(progress)
            if gap > 0:
                gap_text = f"超序时进度{gap:.2f}个百分点"
            elif gap < 0:
                gap_text = f"低于序时进度{-gap:.2f}个百分点"
            else:
                gap_text = "与序时进度持平"
        lines.append(
            clauses(
                f"{months_text(context.month.month)}，累计完成投资{money(investment.get('completed'))}",
                f"占年度计划投资{money(investment.get('planned'))}的{pct(completion)}" if completion else "",
                gap_text,
                points_change(completion, before_rates.get("annual_investment_completion", {}).get("percent")),
            )
            + "。"
        )

    if happened := events_text(ind):
        lines.append(happened)

    named = []
    for code in OVERVIEW_RATES:
        rate = rates.get(code)
        if rate is None:
            continue
        change = points_change(rate.get("percent"), before_rates.get(code, {}).get("percent"))
        named.append(clauses(f"{context.rate_name(code)}{pct(rate.get('percent'))}", change))
    if named:
        lines.append("主要指标：" + "；".join(named) + "。")

    targets = [t for t in ind.get("targets") or [] if t.get("target") is not None]
    if targets:
        parts = []
        for t in targets:
            level = Level(t["level"].upper()).label if t.get("level") else "全部"
            if t.get("unit") or t.get("region_name"):
                level = f"{t.get('unit') or t.get('region_name')}{level if t.get('level') else ''}"
            if t.get("kind") in ("count", "amount"):
                subject = MEASURE_WORDS.get(t.get("measure") or "", t.get("measure") or "")
                scoped = t.get("level") or t.get("unit") or t.get("region_name")
                parts.append(quantity_target_text(t, scope=level if scoped else "", subject=subject))
                continue
            deadline = datetime.date.fromisoformat(t["deadline"])
            text = (
                f"{level}项目{context.rate_name(t['rate'])}目标{pct(t['target'])}"
                f"（{deadline.month}月{deadline.day}日前），实际{pct(t.get('actual'))}"
            )
            gap = to_decimal(t.get("gap"))
            if gap is not None:
                gap = round2(gap)
                text += (
                    f"，超过目标{gap:.2f}个百分点"
                    if gap > 0
                    else f"，低于目标{-gap:.2f}个百分点"
                    if gap < 0
                    else "，与目标持平"
                )
            parts.append(text)
        lines.append("对照年度目标：" + "；".join(parts) + "。")

    half = ind.get("double_half") or {}
    if context.month.month == 6 and half.get("achieved") is not None:
        lines.append("上半年" + ("实现" if half["achieved"] else "未实现") + "“双过半”目标。")
    return "\n".join(lines)


def investment_chart(data: dict, context: Context) -> dict | None:
    """Cumulative investment by month against the plan pro rata (年度计划 × 序时进度), from the year's snapshots."""
    points = {}
    for item in context.history:
        ind = item.get("indicators") or {}
        inv = ind.get("annual_investment") or {}
        planned, completed, progress = (
            to_decimal(inv.get("planned")),
            to_decimal(inv.get("completed")),
            to_decimal(ind.get("time_progress")),
        )
        if planned is None or completed is None or progress is None:
            continue
        points[item["month"]] = (completed, planned * progress / 100)
    if not points:
        return None
    months = sorted(points)
    return {
        "title": f"{context.month.year}年{months_text(context.month.month)}累计完成投资与序时计划",
        "months": months,
        "completed": [format(round2(points[m][0]), "f") for m in months],
        "planned": [format(round2(points[m][1]), "f") for m in months],
    }

