"""The whole draft: every section built in order and numbered 一、二、…, a section whose data is missing left out,
the attachments numbered, the charts' data; and the fixed closing section (下一步工作要求)."""

from collections.abc import Callable

from tadiao.bulletins.drafting.attraction import attraction_table, attraction_text
from tadiao.bulletins.drafting.batches import batches_table, batches_text
from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.economy import economy_text
from tadiao.bulletins.drafting.overall import investment_chart, overall_text
from tadiao.bulletins.drafting.problems import problems_table, problems_text
from tadiao.bulletins.drafting.rankings import ranking_chart, rankings_text, units_table
from tadiao.bulletins.drafting.warned import warnings_table, warnings_text
from tadiao.bulletins.drafting.words import cn_ordinal, months_text

NEXT_STEPS = (
    "（一）加快项目开工建设。各单位要对照年度计划，倒排工期、挂图作战，推动签约项目尽快落地、已备案项目尽早开工。\n"
    "（二）强化要素保障。各责任单位要聚焦用地、资金、能耗等制约因素，主动对接、限时办结，确保问题及时化解。\n"
    "（三）压实招商责任。三项工作仍为空白的单位要制定工作计划，加大外出招商力度，尽快实现零的突破。"
)


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

