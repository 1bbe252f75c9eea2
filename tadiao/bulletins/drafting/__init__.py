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

Where each part lives (every name below is importable from this package, as before the split):

- document.py    `draft`, `numbered`, `title`, NEXT_STEPS (下一步工作要求): the sections in order, the attachments
                 numbered, the charts;
- context.py     `Context` (what a draft needs besides the snapshot), DEFAULT_RATE_NAMES;
- words.py       months_text, cn_ordinal, pct, money, points_change, count_change, money_change; YI_THRESHOLD;
- one module per section, with its attachment table and chart:
  overall.py     重点项目总体推进情况 (`overall_text`, OVERVIEW_RATES) and the investment chart;
  economy.py     主要经济指标对标情况 (`economy_text`);
  attraction.py  招商引资工作情况 (`attraction_text`, `attraction_table`);
  batches.py     “三个一批”项目推进情况 (`batches_text`, `batches_table`);
  warned.py      进度滞后和预警项目情况 (`warnings_text`, `warnings_table`, WARNINGS_NAMED, RED_EXPLAINED);
  problems.py    问题协调办理情况 (`problems_text`, `problems_table`);
  rankings.py    各单位推进情况排名 (`rankings_text`, the units' table `units_table`, `ranking_chart`);
- headings.py    reading a section's text back as paragraphs (`paragraphs`, `paragraph_level`, `split_heading`).
"""

from tadiao.bulletins.drafting.attraction import attraction_table, attraction_text
from tadiao.bulletins.drafting.batches import batches_table, batches_text
from tadiao.bulletins.drafting.context import DEFAULT_RATE_NAMES, Context
from tadiao.bulletins.drafting.document import NEXT_STEPS, draft, numbered, title
from tadiao.bulletins.drafting.economy import economy_text
from tadiao.bulletins.drafting.headings import LEVEL_2_PREFIXES, paragraph_level, paragraphs, split_heading
from tadiao.bulletins.drafting.overall import OVERVIEW_RATES, investment_chart, overall_text
from tadiao.bulletins.drafting.problems import problems_table, problems_text
from tadiao.bulletins.drafting.rankings import (
    CHART_UNITS,
    RANKING_NAMED,
    RANKING_TITLES,
    ranking_chart,
    rankings_text,
    units_table,
)
from tadiao.bulletins.drafting.warned import RED_EXPLAINED, WARNINGS_NAMED, warnings_table, warnings_text
from tadiao.bulletins.drafting.words import (
    CN_NUMBERS,
    YI_THRESHOLD,
    cn_ordinal,
    count_change,
    money,
    money_change,
    months_text,
    pct,
    points_change,
)

__all__ = [
    "CHART_UNITS",
    "CN_NUMBERS",
    "DEFAULT_RATE_NAMES",
    "LEVEL_2_PREFIXES",
    "NEXT_STEPS",
    "OVERVIEW_RATES",
    "RANKING_NAMED",
    "RANKING_TITLES",
    "RED_EXPLAINED",
    "WARNINGS_NAMED",
    "YI_THRESHOLD",
    "Context",
    "attraction_table",
    "attraction_text",
    "batches_table",
    "batches_text",
    "cn_ordinal",
    "count_change",
    "draft",
    "economy_text",
    "investment_chart",
    "money",
    "money_change",
    "months_text",
    "numbered",
    "overall_text",
    "paragraph_level",
    "paragraphs",
    "pct",
    "points_change",
    "problems_table",
    "problems_text",
    "ranking_chart",
    "rankings_text",
    "split_heading",
    "title",
    "units_table",
    "warnings_table",
    "warnings_text",
]
