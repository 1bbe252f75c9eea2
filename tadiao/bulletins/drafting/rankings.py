"""Section 各单位推进情况排名, the attachment of every unit's rates and places, and the ranking chart's bars."""

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import joined, months_text, pct
from tadiao.lib.numbers import DASH, round2

RANKING_NAMED = 3  # units named at the top and at the bottom of a ranking
CHART_UNITS = 10  # units drawn at each end of the ranking chart when there are more than twice as many
RANKING_TITLES = {"annual_investment_completion": "年度投资完成率", "start_rate": "开工率"}


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
        text = f"{name}排名前{len(top)}位的是：" + joined(
            f"{u['name']}（{pct(u['rates'][code]['percent'])}）" for u in top
        )
        bottom = rows[-RANKING_NAMED:] if len(rows) > RANKING_NAMED * 2 else rows[len(top):]
        if bottom:
            text += f"；排名后{len(bottom)}位的是：" + joined(
                f"{u['name']}（{pct(u['rates'][code]['percent'])}）" for u in bottom
            )
        lines.append(text + "。")
    return "\n".join(lines) or None


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

