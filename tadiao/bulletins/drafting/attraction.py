"""Section 招商引资工作情况 and its attachment: the three work items (trips, leads, signed projects) by unit, the
units still blank in all three (with how many times in a row) and those that broke zero."""

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import count_change, joined, money, months_text
from tadiao.lib.numbers import wan


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
        lines.append(f"截至目前，仍有{len(blank)}个单位外出招商、在谈项目、签约项目三项工作均为空白：{joined(named)}。")
    else:
        lines.append("各单位三项工作均已实现零的突破，无空白单位。")
    broke = [names.get(str(i), f"单位{i}") for i in att.get("broke_zero_unit_ids") or []]
    if broke:
        lines.append(f"本期{joined(broke)}实现零的突破。")
    return "\n".join(lines)


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

