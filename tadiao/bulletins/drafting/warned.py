"""Section 进度滞后和预警项目情况 and its attachment: red and yellow projects by unit, the red ones explained one by
one while there are few, the names sent to the attachment when there are many."""

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import clauses, count_change, joined

WARNINGS_NAMED = 30  # beyond this many warned projects the text gives counts by unit, the names go to the attachment
RED_EXPLAINED = 10  # red projects explained one by one in the text (with their reasons) at most


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
        clauses(f"截至目前，共有红灯预警项目{len(red)}个", count_change(len(red), before_red))
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
            text += f"红灯{len(reds)}个" + (f"（{joined(reds)}）" if named else "")
        if yellows:
            text += ("，" if reds else "") + f"黄灯{len(yellows)}个" + (f"（{joined(yellows)}）" if named else "")
        parts.append(text)
    lines.append("分单位看：" + "；".join(parts) + "。" + ("" if named else "项目名单详见附件。"))
    if len(red) <= RED_EXPLAINED:
        for n, w in enumerate(red, start=1):
            reasons = "；".join(w.get("reasons") or [])
            end = "" if reasons.endswith("。") else "。"
            lines.append(f"{n}.{w['name']}（{w.get('unit', '')}）。{reasons}{end}")
    return "\n".join(lines)


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

