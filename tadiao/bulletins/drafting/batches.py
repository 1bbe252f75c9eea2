"""Section “三个一批”项目推进情况 and its attachment: each batch's entries, those started and the start rate."""

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import pct


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

