"""Section 问题协调办理情况 and its attachment: the period's problem statistics and each problem overdue (rows of
coordination's queries, read as dicts or objects)."""

import datetime

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import clauses, months_text, pct, row_value
from tadiao.lib.dates import cn_date


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
        text = clauses(
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
            project = row_value(row, "project", "project_name")
            what = row_value(row, "title", "description", "summary")
            lead = row_value(row, "lead_unit", "lead_unit_name", "unit")
            deadline = row_value(row, "deadline", default=None)
            days = row_value(row, "days_overdue", "overdue_days", default=None)
            text = f"{n}.{project}：{what}" if project else f"{n}.{what}"
            detail = clauses(
                f"牵头单位{lead}" if lead else "",
                f"办理时限{cn_date(datetime.date.fromisoformat(str(deadline)))}" if deadline else "",
                f"已超期{days}天" if days not in (None, "") else "",
            )
            lines.append(text + (f"（{detail}）" if detail else "") + "。")
    elif stats or "overdue" in problems:
        lines.append("无超期未办结问题。")
    return "\n".join(lines) or None


def problems_table(data: dict, context: Context) -> dict | None:
    overdue = (data.get("problems") or {}).get("overdue")
    if not overdue:
        return None
    rows = []
    for n, row in enumerate(overdue, start=1):
        deadline = row_value(row, "deadline", default=None)
        rows.append([
            str(n),
            str(row_value(row, "project", "project_name")),
            str(row_value(row, "title", "description", "summary")),
            str(row_value(row, "lead_unit", "lead_unit_name", "unit")),
            cn_date(datetime.date.fromisoformat(str(deadline))) if deadline else "",
            str(row_value(row, "days_overdue", "overdue_days")),
        ])
    return {"key": "problems", "title": "超期未办结问题清单",
            "headers": ["序号", "项目名称", "问题", "牵头单位", "办理时限", "超期天数"], "rows": rows}

