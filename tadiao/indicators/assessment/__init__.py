"""Quarterly assessment (季考评): each unit scored from a frozen snapshot by a configurable scheme, with the working.

The quarter is read from the snapshot of its last closed month (2026年第三季度 = the September 2026 snapshot; while
September is still open, the latest closed month of the quarter is used and the page says it is provisional).

An item's `rule` names the measure it reads and how it scores (weight w, in points):

- ``ratio`` (基础分): score = w × min(actual ÷ target, 1), e.g. 开工率 58.82%，目标 75.00% → 30 × 58.82 ÷ 75.00 = 23.53;
- ``rank`` (基础分): among the units with data, competition ranking (equal values share a place); the first gets
  full marks, then linear: w × (N − rank + 1) ÷ N, or w − step × (rank − 1) (not below 0) when a step is set;
- ``per_count`` (加分/扣分): ± points for each one, at most w;
- ``flag`` (加分/扣分): ± w when the condition holds (e.g. 实现零的突破).

A base item may be split into ``parts`` whose shares sum to its weight (签约落地 = 签约项目数 + 签约项目履约率).
When a unit has no data for a measure (a rate over an empty set, or a snapshot without the 招商/问题 section), a
base item scores 0 or full marks as its rule's ``no_data`` says, and the working says why.

Every item score is rounded half-up to two decimals; the total is the sum of the rounded item scores, so the
working adds up. Ranking: higher total first; equal totals → higher base score; then the configured unit order
(排序). The last `bottom_n` units are named for 约谈.

Scoring (`score_units`, `rank_scores`) is pure: a snapshot's JSON and the items in, scores out, no queries.

Where each part lives (every name below is importable from this package, as before the split):

- measures.py    what a rule may read (`Measure`, FIXED_MEASURES, `measure_for`, `measure_choices`), the methods,
                 the numbers (`q`, `num`) and AssessmentError;
- rules.py       `validate_rule`, `validate_items`, `describe_rule` (a rule in words);
- figures.py     the snapshot's figures per unit as the rules read them;
- scoring.py     `score_units` (each item's score with its working), `rank_scores` and TIE_RULE, `assessed_units`,
                 `ItemScore`, `UnitScore`;
- evaluation.py  the quarter (`parse_quarter`, `quarter_label`, `quarter_months`, `quarter_snapshot`), the year's
                 scheme (`scheme_for_year`), `rate_names`, `compute` → `Assessment`, `as_json`.
"""

from tadiao.indicators.assessment.evaluation import (
    QUARTER_NAMES,
    Assessment,
    as_json,
    compute,
    parse_quarter,
    quarter_label,
    quarter_months,
    quarter_snapshot,
    rate_names,
    scheme_for_year,
)
from tadiao.indicators.assessment.measures import (
    CENT,
    COUNT,
    FIXED_MEASURES,
    FLAG,
    HUNDRED,
    KINDS_BY_METHOD,
    METHODS,
    METHODS_BY_KIND,
    MONEY,
    PERCENT,
    ZERO,
    AssessmentError,
    Measure,
    measure_choices,
    measure_for,
    num,
    q,
)
from tadiao.indicators.assessment.rules import (
    describe_rule,
    validate_items,
    validate_rule,
)
from tadiao.indicators.assessment.scoring import (
    TIE_RULE,
    ItemScore,
    UnitScore,
    assessed_units,
    rank_scores,
    score_units,
)

__all__ = [
    "CENT",
    "COUNT",
    "FIXED_MEASURES",
    "FLAG",
    "HUNDRED",
    "KINDS_BY_METHOD",
    "METHODS",
    "METHODS_BY_KIND",
    "MONEY",
    "PERCENT",
    "QUARTER_NAMES",
    "TIE_RULE",
    "ZERO",
    "Assessment",
    "AssessmentError",
    "ItemScore",
    "Measure",
    "UnitScore",
    "as_json",
    "assessed_units",
    "compute",
    "describe_rule",
    "measure_choices",
    "measure_for",
    "num",
    "parse_quarter",
    "q",
    "quarter_label",
    "quarter_months",
    "quarter_snapshot",
    "rank_scores",
    "rate_names",
    "scheme_for_year",
    "score_units",
    "validate_items",
    "validate_rule",
]
