"""Drafting the monthly bulletin (月通报) from a snapshot: pure functions, snapshot JSON in, text and tables out.

No queries and no clock: the service hands over the snapshot's `data`, the earlier snapshot's (上期) `data`, the
snapshots of the same year for the investment chart, the rate names and the economy rows. Every section reads
only its own keys of `data` and is left out when an older snapshot lacks them: a bulletin never fails on a key.

The draft is plain JSON (stored on the Bulletin, edited by the coordinator section by section):

    {"title": str,
     "as_of": "YYYY-MM-DD" (the snapshot's date: the day the month was closed, or its last day if earlier),
     "sections": [{"key", "heading" (numbered 一、二、… by `numbered`), "text" (paragraphs, one a line)}],
     "tables":   [{"key", "title", "headers": [str], "rows": [[str]]}],     # the attachments
     "charts":   {"investment": {"months", "completed", "planned"} | absent,
                  "ranking": {"title", "labels", "values"} | absent}}

A line of a section's text that starts with "（一）" is a second-level heading (楷体), one that starts with "1." a
third-level heading (仿宋); the heading part runs to the first "。" and the rest of the line is body text.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from tadiao.lib.dates import cn_date
from tadiao.lib.numbers import DASH, round2, to_decimal, wan, yi
from tadiao.projects.models import Level, Stage

CN_NUMBERS = "一二三四五六七八九十"
YI_THRESHOLD = Decimal("10000")  # 万元: from 1 亿元 on, money is written in 亿元
RANKING_NAMED = 3  # units named at the top and at the bottom of a ranking
CHART_UNITS = 10  # units drawn at each end of the ranking chart when there are more than twice as many
WARNINGS_NAMED = 30  # beyond this many warned projects the text gives counts by unit, the names go to the attachment
RED_EXPLAINED = 10  # red projects explained one by one in the text (with their reasons) at most
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
# Fallback names when the service passes none (the built-in definitions' names).
DEFAULT_RATE_NAMES = {
    "start_rate": "开工率",
    "start_or_resume_rate": "开复工率",
    "signed_to_approved": "签约项目备案率",
    "approved_to_started": "备案项目开工率",
    "started_investment_completion": "开工项目投资完成率",
    "completed_to_producing": "竣工项目投产率",
    "producing_to_capacity": "项目达效率",
    "annual_investment_completion": "年度投资完成率",
    "completion_rate": "竣工率",
    "producing_rate": "投产率",
}
RANKING_TITLES = {"annual_investment_completion": "年度投资完成率", "start_rate": "开工率"}
NEXT_STEPS = (
    "（一）加快项目开工建设。各单位要对照年度计划，倒排工期、挂图作战，推动签约项目尽快落地、已备案项目尽早开工。\n"
    "（二）强化要素保障。各责任单位要聚焦用地、资金、能耗等制约因素，主动对接、限时办结，确保问题及时化解。\n"
    "（三）压实招商责任。三项工作仍为空白的单位要制定工作计划，加大外出招商力度，尽快实现零的突破。"
)


# ---------------------------------------------------------------------------------------------------
# Words and numbers


def months_text(month: int) -> str:
    """The cumulative period: 1—10月, or 1月 in January (with an em dash)."""
    return "1月" if month == 1 else f"1—{month}月"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十 (headings never go further)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMBERS[tens - 1]) + "十" + ("" if ones == 0 else CN_NUMBERS[ones - 1])


def pct(value) -> str:
    """A rate as "58.82%" (two decimals, half up); no rate is "—"."""
    number = round2(value)
    return DASH if number is None else f"{number:.2f}%"


def money(value) -> str:
    """万元 below 1 亿元 ("5,000.00万元"), 亿元 from there on ("1.23亿元")."""
    number = to_decimal(value)
    if number is None:
        return DASH
    return f"{yi(number)}亿元" if abs(number) >= YI_THRESHOLD else f"{wan(number)}万元"


def points_change(now, then) -> str:
    """较上期提高3.20个百分点 / 较上期下降1.05个百分点 / 与上期持平; "" when either rate is missing."""
    a, b = to_decimal(now), to_decimal(then)
    if a is None or b is None:
        return ""
    diff = round2(a) - round2(b)
    if diff > 0:
        return f"较上期提高{diff:.2f}个百分点"
    if diff < 0:
        return f"较上期下降{-diff:.2f}个百分点"
    return "与上期持平"


def count_change(now: int, then: int | None, measure: str = "个") -> str:
    """较上期增加3个 / 较上期减少1个 / 与上期持平; "" without an earlier figure."""
    if then is None:
        return ""
    diff = now - then
    if diff > 0:
        return f"较上期增加{diff}{measure}"
    if diff < 0:
        return f"较上期减少{-diff}{measure}"
    return "与上期持平"


def money_change(now, then) -> str:
    a, b = to_decimal(now), to_decimal(then)
    if a is None or b is None:
        return ""
    diff = round2(a) - round2(b)
    if diff > 0:
        return f"较上期增加{money(diff)}"
    if diff < 0:
        return f"较上期减少{money(-diff)}"
    return "与上期持平"


def _clauses(*parts: str) -> str:
    return "，".join(p for p in parts if p)


def _names(names: Iterable[str]) -> str:
    return "、".join(names)


# ---------------------------------------------------------------------------------------------------
# The draft


@dataclass(frozen=True)
class Context:
    """What a draft needs besides the snapshot: all plain values, gathered by the service."""

    month: datetime.date  # the period's first day
    as_of: datetime.date  # the snapshot's date: the day of closing, or the month's last day when that is earlier
    region_name: str = "全县"
    rate_names: dict | None = None
    # [{"month": 1..12, "indicators": {...}}] of the same year, up to and including this period, for the chart.
    history: tuple = ()
    # Rows of the economy app (below target / below the parent region); empty: no section.
    economy_below_target: tuple = ()
    economy_below_parent: tuple = ()

    def rate_name(self, code: str) -> str:
        return (self.rate_names or {}).get(code) or DEFAULT_RATE_NAMES.get(code, code)


def draft(data: dict, *, earlier: dict | None, context: Context) -> dict:
    """The whole draft; sections whose data is missing are left out and the others numbered 一、二、… in order."""
    earlier = earlier or {}
    builders: list[tuple[str, str, Callable[[dict, dict, Context], str | None]]] = [
        ("overall", "重点项目总体推进情况", overall_text),
        ("economy", "主要经济指标对标情况", economy_text),
        ("attraction", "招商引资工作情况", attraction_text),
        ("batches", "“三个一批”项目推进情况", batches_text),
        ("warnings", "进度滞后和预警项目情况", warnings_text),
        ("problems", "问题协调办理情况", problems_text),
        ("rankings", "各单位推进情况排名", rankings_text),
    ]
    sections = []
    for key, heading, build in builders:
        try:
            text = build(data, earlier, context)
        except (KeyError, TypeError, ValueError, AttributeError):
            # An older or partial snapshot with an unexpected shape: the section is left out, never the bulletin.
            text = None
        if text:
            sections.append({"key": key, "heading": heading, "text": text})
    sections.append({"key": "next_steps", "heading": "下一步工作要求", "text": NEXT_STEPS})
    tables = []
    for build_table in (units_table, attraction_table, batches_table, warnings_table, problems_table):
        try:
            table = build_table(data, context)
        except (KeyError, TypeError, ValueError, AttributeError):
            table = None
        if table:
            tables.append(table)
    for n, table in enumerate(tables, start=1):
        table["title"] = f"附件{n}：{table['title']}" if len(tables) > 1 else f"附件：{table['title']}"
        table["number"] = n
    charts = {}
    investment = investment_chart(data, context)
    if investment:
        charts["investment"] = investment
    ranking = ranking_chart(data)
    if ranking:
        charts["ranking"] = ranking
    return {
        "title": title(context),
        "as_of": context.as_of.isoformat(),
        "sections": sections,
        "tables": tables,
        "charts": charts,
    }


def numbered(sections: list[dict]) -> list[dict]:
    """The sections with text, headed 一、二、… in order (a section emptied by the coordinator is left out)."""
    kept = [s for s in sections if (s.get("text") or "").strip()]
    return [{**s, "number": f"{cn_ordinal(n)}、", "title": f"{cn_ordinal(n)}、{s['heading']}"}
            for n, s in enumerate(kept, start=1)]


def title(context: Context) -> str:
    month = context.month
    return f"关于{month.year}年{months_text(month.month)}{context.region_name}重点项目建设情况的通报"


# ---------------------------------------------------------------------------------------------------
# Sections


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
        _clauses(first, f"按所处阶段分：{stages}" if stages else "")
        + "。"
        + _clauses(f"已开工（含竣工、投产、达产）项目{started}个", count_change(started, before_started))
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
            _clauses(
                f"{months_text(context.month.month)}，累计完成投资{money(investment.get('completed'))}",
                f"占年度计划投资{money(investment.get('planned'))}的{pct(completion)}" if completion else "",
                gap_text,
                points_change(completion, before_rates.get("annual_investment_completion", {}).get("percent")),
            )
            + "。"
        )

    named = []
    for code in OVERVIEW_RATES:
        rate = rates.get(code)
        if rate is None:
            continue
        change = points_change(rate.get("percent"), before_rates.get(code, {}).get("percent"))
        named.append(_clauses(f"{context.rate_name(code)}{pct(rate.get('percent'))}", change))
    if named:
        lines.append("主要指标：" + "；".join(named) + "。")

    targets = [t for t in ind.get("targets") or [] if t.get("target") is not None]
    if targets:
        parts = []
        for t in targets:
            level = Level(t["level"].upper()).label if t.get("level") else "全部"
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


def _unit_names(data: dict) -> dict[str, str]:
    """{unit id as a string: name} from the attraction rows and the indicator rows."""
    names = {str(u["id"]): u["name"] for u in data.get("units") or []}
    names.update({str(u["id"]): u["name"] for u in (data.get("attraction") or {}).get("units") or []})
    return names


def attraction_text(data: dict, earlier: dict, context: Context) -> str | None:
    att = data.get("attraction")
    if not att or "totals" not in att:
        return None
    totals = att["totals"]
    before = (earlier.get("attraction") or {}).get("totals") or {}
    names = _unit_names(data)
    months = months_text(context.month.month)
    lines = [
        f"{months}，{context.region_name}各单位开展外出招商{totals['trips']}批次"
        + (f"（{count_change(totals['trips'], before.get('trips'), '批次')}）" if before else "")
        + f"，跟进在谈项目{totals['leads']}个"
        + (f"（{count_change(totals['leads'], before.get('leads'))}）" if before else "")
        + f"，签约项目{totals['signed']}个"
        + (f"（{count_change(totals['signed'], before.get('signed'))}）" if before else "")
        + (f"，签约总投资{money(totals['signed_investment'])}" if totals.get("signed_investment") is not None else "")
        + "。"
    ]
    blank = [str(i) for i in att.get("blank_unit_ids") or []]
    streaks = {str(k): v for k, v in (att.get("blank_streaks") or {}).items()}
    if blank:
        named = []
        for unit_id in blank:
            name = names.get(unit_id, f"单位{unit_id}")
            streak = streaks.get(unit_id) or 0
            named.append(f"{name}（连续{streak}次榜上有名）" if streak >= 2 else name)
        lines.append(f"截至目前，仍有{len(blank)}个单位外出招商、在谈项目、签约项目三项工作均为空白：{_names(named)}。")
    else:
        lines.append("各单位三项工作均已实现零的突破，无空白单位。")
    broke = [names.get(str(i), f"单位{i}") for i in att.get("broke_zero_unit_ids") or []]
    if broke:
        lines.append(f"本期{_names(broke)}实现零的突破。")
    return "\n".join(lines)


def batches_text(data: dict, earlier: dict, context: Context) -> str | None:
    batches = data.get("batches")
    if not batches or not batches.get("rows"):
        return None
    total = batches.get("total") or {}
    lines = []
    if total:
        lines.append(
            f"“三个一批”活动累计列入项目{total['entries']}个（次），已开工{total['started']}个（次），"
            f"开工率{pct(total.get('percent'))}。"
        )
    parts = [
        f"第{row['number']}期{row['kind']}{row['entries']}个，已开工{row['started']}个（{pct(row.get('percent'))}）"
        for row in batches["rows"]
    ]
    lines.append("分批次看：" + "；".join(parts) + "。")
    return "\n".join(lines)


def _is_red(light) -> bool:
    return light in (2, "2", "red", "RED")


def _is_yellow(light) -> bool:
    return light in (1, "1", "yellow", "YELLOW")


def warnings_text(data: dict, earlier: dict, context: Context) -> str | None:
    if "warnings" not in data:
        return None
    warned = data["warnings"]
    if not warned:
        return "截至目前，无红灯、黄灯预警项目。"
    red = [w for w in warned if _is_red(w.get("light"))]
    yellow = [w for w in warned if _is_yellow(w.get("light"))]
    before = earlier.get("warnings")
    before_red = None if before is None else sum(1 for w in before if _is_red(w.get("light")))
    lines = [
        _clauses(f"截至目前，共有红灯预警项目{len(red)}个", count_change(len(red), before_red))
        + f"；黄灯预警项目{len(yellow)}个。"
    ]
    by_unit: dict[str, list[dict]] = {}
    for w in red + yellow:
        by_unit.setdefault(w.get("unit") or "", []).append(w)
    named = len(red) + len(yellow) <= WARNINGS_NAMED
    parts = []
    for unit, rows in by_unit.items():
        reds = [w["name"] for w in rows if _is_red(w.get("light"))]
        yellows = [w["name"] for w in rows if _is_yellow(w.get("light"))]
        text = unit
        if reds:
            text += f"红灯{len(reds)}个" + (f"（{_names(reds)}）" if named else "")
        if yellows:
            text += ("，" if reds else "") + f"黄灯{len(yellows)}个" + (f"（{_names(yellows)}）" if named else "")
        parts.append(text)
    lines.append("分单位看：" + "；".join(parts) + "。" + ("" if named else "项目名单详见附件。"))
    if len(red) <= RED_EXPLAINED:
        for n, w in enumerate(red, start=1):
            reasons = "；".join(w.get("reasons") or [])
            end = "" if reasons.endswith("。") else "。"
            lines.append(f"{n}.{w['name']}（{w.get('unit', '')}）。{reasons}{end}")
    return "\n".join(lines)


def _get(row, *names, default=""):
    """A value of a row from another app (a dict or an object), under the first of `names` it has."""
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value not in (None, ""):
            return value
    return default


def problems_text(data: dict, earlier: dict, context: Context) -> str | None:
    problems = data.get("problems")
    if not problems:
        return None
    overdue = problems.get("overdue") or []
    stats = problems.get("statistics") or {}
    lines = []
    # coordination.queries.problem_statistics(): {"totals": {"total", "resolved", "resolved_on_time", "overdue",
    # "resolution_rate", "on_time_rate", …}, "by_unit": […], …}; a flat dict of the same keys reads as well.
    totals = stats.get("totals", stats) if isinstance(stats, dict) else {}
    if isinstance(totals.get("total"), int):
        text = _clauses(
            f"{months_text(context.month.month)}，共收集项目建设问题{totals['total']}个",
            f"已办结{totals['resolved']}个" if isinstance(totals.get("resolved"), int) else "",
            f"办结率{pct(totals['resolution_rate'])}" if totals.get("resolution_rate") is not None else "",
            f"按期办结率{pct(totals['on_time_rate'])}" if totals.get("on_time_rate") is not None else "",
            f"超期未办结{totals['overdue']}个" if isinstance(totals.get("overdue"), int) else "",
        )
        lines.append(text + "。")
    if overdue:
        lines.append(f"超过办理时限仍未办结的问题{len(overdue)}个：")
        for n, row in enumerate(overdue, start=1):
            project = _get(row, "project", "project_name")
            what = _get(row, "title", "description", "summary")
            lead = _get(row, "lead_unit", "lead_unit_name", "unit")
            deadline = _get(row, "deadline", default=None)
            days = _get(row, "days_overdue", "overdue_days", default=None)
            text = f"{n}.{project}：{what}" if project else f"{n}.{what}"
            detail = _clauses(
                f"牵头单位{lead}" if lead else "",
                f"办理时限{cn_date(datetime.date.fromisoformat(str(deadline)))}" if deadline else "",
                f"已超期{days}天" if days not in (None, "") else "",
            )
            lines.append(text + (f"（{detail}）" if detail else "") + "。")
    elif stats or "overdue" in problems:
        lines.append("无超期未办结问题。")
    return "\n".join(lines) or None


def economy_text(data: dict, earlier: dict, context: Context) -> str | None:
    """The hook for the economy app's figures: skipped while it has none for the period."""
    below_target, below_parent = context.economy_below_target, context.economy_below_parent
    if not below_target and not below_parent:
        return None
    lines = []
    # economy.queries.below_target / below_parent rows: {"region", "indicator", "growth", "target" | "parent",
    # "gap"} with percent strings; the gap is negative (below).
    def gap(row) -> str:
        value = to_decimal(_get(row, "gap", default=None))
        return DASH if value is None else f"{abs(round2(value)):.2f}"

    if below_target:
        parts = [
            f"{_get(r, 'region')}{_get(r, 'indicator')}增长{pct(_get(r, 'growth', default=None))}，"
            f"低于目标（{pct(_get(r, 'target', default=None))}）{gap(r)}个百分点"
            for r in below_target
        ]
        lines.append(f"{months_text(context.month.month)}，低于年度目标的指标有：" + "；".join(parts) + "。")
    if below_parent:
        parts = [
            f"{_get(r, 'region')}{_get(r, 'indicator')}增长{pct(_get(r, 'growth', default=None))}，"
            f"低于上级（{pct(_get(r, 'parent', default=None))}）{gap(r)}个百分点"
            for r in below_parent
        ]
        lines.append("低于上级平均水平的指标有：" + "；".join(parts) + "。")
    return "\n".join(lines)


def _ranked(data: dict, key: str) -> list[dict]:
    units = {u["id"]: u for u in data.get("units") or []}
    return [units[i] for i in (data.get("rankings") or {}).get(key) or [] if i in units]


def rankings_text(data: dict, earlier: dict, context: Context) -> str | None:
    if not data.get("rankings") or not data.get("units"):
        return None
    lines = []
    for code, name in RANKING_TITLES.items():
        rows = [u for u in _ranked(data, code) if (u["rates"].get(code) or {}).get("percent") is not None]
        if not rows:
            continue
        top = rows[:RANKING_NAMED]
        text = f"{name}排名前{len(top)}位的是：" + _names(
            f"{u['name']}（{pct(u['rates'][code]['percent'])}）" for u in top
        )
        bottom = rows[-RANKING_NAMED:] if len(rows) > RANKING_NAMED * 2 else rows[len(top):]
        if bottom:
            text += f"；排名后{len(bottom)}位的是：" + _names(
                f"{u['name']}（{pct(u['rates'][code]['percent'])}）" for u in bottom
            )
        lines.append(text + "。")
    return "\n".join(lines) or None


# ---------------------------------------------------------------------------------------------------
# Attachment tables (cells as text, as printed)


def units_table(data: dict, context: Context) -> dict | None:
    units = data.get("units")
    if not units:
        return None
    ranks = {code: {uid: n for n, uid in enumerate(ids, start=1)} for code, ids in (data.get("rankings") or {}).items()}
    rows = []
    for n, u in enumerate(units, start=1):
        rates = u.get("rates") or {}
        rows.append([
            str(n),
            u["name"],
            pct((rates.get("annual_investment_completion") or {}).get("percent")),
            str(ranks.get("annual_investment_completion", {}).get(u["id"], DASH)),
            pct((rates.get("start_rate") or {}).get("percent")),
            str(ranks.get("start_rate", {}).get(u["id"], DASH)),
            str(u.get("red", 0)),
            str(u.get("yellow", 0)),
        ])
    return {
        "key": "units",
        "title": f"{context.month.year}年{months_text(context.month.month)}各单位重点项目推进情况表",
        "headers": ["序号", "单位", "年度投资完成率", "排名", "开工率", "排名", "红灯项目", "黄灯项目"],
        "rows": rows,
    }


def attraction_table(data: dict, context: Context) -> dict | None:
    att = data.get("attraction")
    if not att or not att.get("units"):
        return None
    blank = {str(i) for i in att.get("blank_unit_ids") or []}
    rows = [
        [
            str(n),
            u["name"],
            str(u["trips"]),
            str(u["leads"]),
            str(u["signed"]),
            wan(u.get("signed_investment")),
            "空白" if str(u["id"]) in blank else "",
        ]
        for n, u in enumerate(att["units"], start=1)
    ]
    totals = att.get("totals") or {}
    if totals:
        rows.append([
            "",
            "合计",
            str(totals["trips"]),
            str(totals["leads"]),
            str(totals["signed"]),
            wan(totals.get("signed_investment")),
            "",
        ])
    return {
        "key": "attraction",
        "title": f"{context.month.year}年{months_text(context.month.month)}各单位招商引资三项工作情况表",
        "headers": [
            "序号", "单位", "外出招商（批次）", "在谈项目（个）", "签约项目（个）", "签约总投资（万元）", "备注",
        ],
        "rows": rows,
    }


def batches_table(data: dict, context: Context) -> dict | None:
    batches = data.get("batches")
    if not batches or not batches.get("rows"):
        return None
    rows = [
        [f"第{r['number']}期", r["kind"], str(r["entries"]), str(r["started"]), pct(r.get("percent"))]
        for r in batches["rows"]
    ]
    total = batches.get("total")
    if total:
        rows.append(["合计", "", str(total["entries"]), str(total["started"]), pct(total.get("percent"))])
    return {
        "key": "batches",
        "title": "“三个一批”项目推进情况表",
        "headers": ["批次", "类别", "列入项目（个）", "已开工（个）", "开工率"],
        "rows": rows,
    }


def warnings_table(data: dict, context: Context) -> dict | None:
    warned = data.get("warnings")
    if not warned:
        return None
    rows = [
        [str(n), w.get("unit", ""), w["name"], "红灯" if _is_red(w.get("light")) else "黄灯",
         "；".join(w.get("reasons") or [])]
        for n, w in enumerate(warned, start=1)
    ]
    return {"key": "warnings", "title": "预警项目清单", "headers": ["序号", "责任单位", "项目名称", "预警", "预警原因"],
            "rows": rows}


def problems_table(data: dict, context: Context) -> dict | None:
    overdue = (data.get("problems") or {}).get("overdue")
    if not overdue:
        return None
    rows = []
    for n, row in enumerate(overdue, start=1):
        deadline = _get(row, "deadline", default=None)
        rows.append([
            str(n),
            str(_get(row, "project", "project_name")),
            str(_get(row, "title", "description", "summary")),
            str(_get(row, "lead_unit", "lead_unit_name", "unit")),
            cn_date(datetime.date.fromisoformat(str(deadline))) if deadline else "",
            str(_get(row, "days_overdue", "overdue_days")),
        ])
    return {"key": "problems", "title": "超期未办结问题清单",
            "headers": ["序号", "项目名称", "问题", "牵头单位", "办理时限", "超期天数"], "rows": rows}


# ---------------------------------------------------------------------------------------------------
# Chart data (drawn by charts.py)


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


def ranking_chart(data: dict) -> dict | None:
    code = "annual_investment_completion"
    rows = [u for u in _ranked(data, code) if (u["rates"].get(code) or {}).get("percent") is not None]
    if not rows:
        return None
    title = "各单位年度投资完成率排名（%）"
    if len(rows) > CHART_UNITS * 2:  # a page holds about 20 bars: the first and the last ten
        rows = rows[:CHART_UNITS] + rows[-CHART_UNITS:]
        title = f"各单位年度投资完成率排名（前{CHART_UNITS}名和后{CHART_UNITS}名，%）"
    return {
        "title": title,
        "labels": [u["name"] for u in rows],
        "values": [format(round2(u["rates"][code]["percent"]), "f") for u in rows],
    }


# ---------------------------------------------------------------------------------------------------
# Reading a section's text back as paragraphs


LEVEL_2_PREFIXES = tuple(f"（{c}）" for c in CN_NUMBERS)


def paragraph_level(line: str) -> int:
    """2 for "（一）…", 3 for "1." / "1．", 0 for body text."""
    if line.startswith(LEVEL_2_PREFIXES):
        return 2
    head = line.split(".", 1)[0].split("．", 1)[0]
    if head.isdigit() and len(head) < len(line) and len(head) <= 2:
        return 3
    return 0


def split_heading(line: str) -> tuple[str, str]:
    """("（一）加快项目开工建设。", "各单位要…"): the heading runs to the first "。"; a line without one is all
    heading."""
    end = line.find("。")
    if end < 0:
        return line, ""
    return line[: end + 1], line[end + 1 :]


def paragraphs(text: str) -> list[tuple[int, str, str]]:
    """A section's text as (level, heading part, body part), one per non-empty line."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        level = paragraph_level(line)
        if level:
            head, body = split_heading(line)
            out.append((level, head, body))
        else:
            out.append((0, "", line))
    return out
