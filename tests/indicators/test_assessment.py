"""Quarterly assessment (季考评) scoring: hand-built snapshot JSON, hand-computed scores, the working shown."""

import datetime
from decimal import Decimal

import pytest

from tadiao.indicators import assessment
from tadiao.indicators.assessment import AssessmentError
from tadiao.indicators.models import AssessmentItem, AssessmentScheme

BASE, BONUS, DEDUCTION = AssessmentItem.Kind.BASE, AssessmentItem.Kind.BONUS, AssessmentItem.Kind.DEDUCTION
RATE_NAMES = {
    "start_rate": "开工率",
    "campaign_signed_performing": "签约项目履约率",
    "annual_investment_completion": "年度投资完成率",
}
D = Decimal


def item(name, kind, weight, rule):
    return AssessmentItem(name=name, kind=kind, weight=D(weight), rule=rule)


def rate(numerator, denominator, percent):
    return {"numerator": numerator, "denominator": denominator, "percent": percent}


ITEMS = [
    item("开工投产", BASE, "30", {"method": "ratio", "measure": "rate:start_rate", "target": "75"}),
    item(
        "签约落地",
        BASE,
        "30",
        {
            "parts": [
                {"share": "15", "method": "ratio", "measure": "attraction:signed", "target": "2"},
                {"share": "15", "method": "ratio", "measure": "rate:campaign_signed_performing", "target": "100"},
            ]
        },
    ),
    item("投资排名", BASE, "20", {"method": "rank", "measure": "rate:annual_investment_completion"}),
    item(
        "服务保障",
        BASE,
        "20",
        {"method": "ratio", "measure": "problems:on_time_rate", "target": "100", "no_data": "full"},
    ),
    item("零的突破", BONUS, "2", {"method": "flag", "measure": "attraction:broke_zero"}),
    item("红灯预警", DEDUCTION, "3", {"method": "per_count", "measure": "warnings:red", "points": "1"}),
]


def snapshot_data(*, problems=None, attraction=True):
    data = {
        "indicators": {},
        "rankings": {},
        "units": [
            {
                "id": 11,
                "name": "东城镇",
                "red": 4,
                "yellow": 1,
                "rates": {
                    "start_rate": rate(10, 17, "58.82"),
                    "campaign_signed_performing": rate(1, 2, "50.00"),
                    "annual_investment_completion": rate("450.00", "1000.00", "45.00"),
                },
            },
            {
                "id": 12,
                "name": "西湖街道",
                "red": 0,
                "yellow": 0,
                "rates": {
                    "start_rate": rate(3, 4, "75.00"),
                    "campaign_signed_performing": rate(0, 0, None),
                    "annual_investment_completion": rate("600.00", "1000.00", "60.00"),
                },
            },
            {
                "id": 13,
                "name": "南山园区",
                "red": 1,
                "yellow": 0,
                "rates": {
                    "start_rate": rate(0, 0, None),
                    "campaign_signed_performing": rate(0, 0, None),
                    "annual_investment_completion": rate("0.00", "0.00", None),
                },
            },
        ],
    }
    if attraction:
        data["attraction"] = {
            "units": [
                {"id": 11, "name": "东城镇", "trips": 2, "leads": 1, "signed": 1, "signed_investment": "5000.00"},
                {"id": 12, "name": "西湖街道", "trips": 1, "leads": 0, "signed": 3, "signed_investment": "800.00"},
                {"id": 13, "name": "南山园区", "trips": 0, "leads": 0, "signed": 0, "signed_investment": "0.00"},
            ],
            "blank_unit_ids": [13],
            "broke_zero_unit_ids": [11],
            "blank_streaks": {},
        }
    if problems is not None:
        data["problems"] = {"by_unit": problems}
    return data


def scored(data, items=ITEMS, bottom_n=1):
    scores = assessment.score_units(data, items=items, rate_names=RATE_NAMES)
    return {s.name: s for s in assessment.rank_scores(scores, bottom_n=bottom_n)}


def test_scores_and_working_hand_computed():
    s = scored(snapshot_data())
    east, west, park = s["东城镇"], s["西湖街道"], s["南山园区"]
    start, signed, invest, service, broke, red = east.items
    assert start.score == D("23.53")
    assert start.working == ["开工率 58.82%（10/17），目标 75.00%，得分 30 × 58.82 ÷ 75.00 = 23.53"]
    assert signed.score == D("15.00")
    assert signed.working == [
        "（1）15 分：签约项目 1 个，目标 2 个，得分 15 × 1 ÷ 2 = 7.50",
        "（2）15 分：签约项目履约率 50.00%（1/2），目标 100.00%，得分 15 × 50.00 ÷ 100.00 = 7.50",
        "小计 7.50 + 7.50 = 15.00",
    ]
    # Two units have an investment rate; 东城镇 is second: 20 × (2 − 2 + 1) ÷ 2.
    assert invest.score == D("10.00")
    assert invest.working == [
        "年度投资完成率 45.00%（450.00/1000.00），在 2 个有数据的单位中列第 2 名，得分 20 × (2 − 2 + 1) ÷ 2 = 10.00"
    ]
    # No 问题协调 section in the snapshot yet: the rule says full marks, and the working says why.
    assert (service.score, service.working) == (D("20.00"), ["问题按期办结率：快照中无问题协调数据，按满分计 20.00 分"])
    assert (broke.score, broke.working) == (D("2.00"), ["实现零的突破：是，加 2.00 分"])
    assert red.score == D("-3.00")
    assert red.working == ["红灯预警项目 4 个，每个扣 1 分，扣 3.00 分（按 4 × 1 = 4.00 计，封顶 3.00 分）"]
    assert (east.base, east.bonus, east.deduction, east.total) == (D("68.53"), D("2.00"), D("-3.00"), D("67.53"))
    assert east.summary == "基础分 68.53 + 加分 2.00 − 扣分 3.00 = 总分 67.53"

    # 西湖街道: every target reached; no signed-batch project, so 履约率 has no data and scores 0 (the rule's default).
    assert [i.score for i in west.items] == [D("30.00"), D("15.00"), D("20.00"), D("20.00"), D("0"), D("0")]
    assert west.items[0].working == ["开工率 75.00%（3/4），目标 75.00%，已达到目标，得满分 30.00"]
    assert west.items[1].working[1] == "（2）15 分：签约项目履约率：无统计对象（分母为 0），得 0 分"
    assert west.items[4].working == ["实现零的突破：否，不加分"]
    assert west.items[5].working == ["红灯预警项目 0 个，不扣分"]
    assert west.total == D("85.00")

    # 南山园区: no project started, nothing signed, no investment plan.
    assert [i.score for i in park.items] == [D("0"), D("0.00"), D("0"), D("20.00"), D("0"), D("-1.00")]
    assert park.items[2].working == ["年度投资完成率：无统计对象（分母为 0），得 0 分"]
    assert park.total == D("19.00")

    assert [(x.rank, x.name, x.interview) for x in sorted(s.values(), key=lambda x: x.rank)] == [
        (1, "西湖街道", False),
        (2, "东城镇", False),
        (3, "南山园区", True),
    ]


def test_problems_section_and_missing_attraction_section():
    problems = [{"unit_id": 11, "resolved": 4, "resolved_on_time": 3, "overdue": 1}]
    s = scored(snapshot_data(problems=problems, attraction=False))
    service = s["东城镇"].items[3]
    assert (service.score, service.working) == (
        D("15.00"),
        ["问题按期办结率 75.00%（3/4），目标 100.00%，得分 20 × 75.00 ÷ 100.00 = 15.00"],
    )
    assert s["西湖街道"].items[3].working == ["问题按期办结率：本期无办结问题，按满分计 20.00 分"]
    # Without the 招商引资 section: no data, never zero signed projects; a bonus is simply not given.
    assert s["东城镇"].items[1].working[0] == "（1）15 分：签约项目：快照中无招商引资数据，得 0 分"
    assert s["东城镇"].items[4].working == ["实现零的突破：快照中无招商引资数据，不加分"]


def test_overdue_deduction_and_units_only_in_attraction():
    data = snapshot_data(problems=[{"unit_id": 12, "resolved": 0, "resolved_on_time": 0, "overdue": 3}])
    data["attraction"]["units"].append(
        {"id": 14, "name": "城投集团", "trips": 1, "leads": 2, "signed": 0, "signed_investment": "0"}
    )
    items = [
        item("谋划储备", BASE, "100", {"method": "ratio", "measure": "attraction:leads", "target": "3"}),
        item("问题逾期", DEDUCTION, "5", {"method": "per_count", "measure": "problems:overdue", "points": "0.5"}),
    ]
    s = scored(data, items=items)
    assert s["城投集团"].items[0].working == ["在谈招商线索 2 个，目标 3 个，得分 100 × 2 ÷ 3 = 66.67"]
    assert s["西湖街道"].items[1].working == ["逾期未办结问题 3 个，每个扣 0.5 分，扣 1.50 分"]
    assert s["西湖街道"].total == D("-1.50")


def test_rank_with_step_and_shared_places():
    data = snapshot_data()
    data["units"][0]["rates"]["annual_investment_completion"]["percent"] = "60.00"  # equal to 西湖街道
    items = [
        item("投资排名", BASE, "100", {"method": "rank", "measure": "rate:annual_investment_completion", "step": "5"})
    ]
    s = scored(data, items=items)
    assert s["东城镇"].items[0].working == [
        "年度投资完成率 60.00%（450.00/1000.00），在 2 个有数据的单位中列第 1 名，得分 100 − 5 × (1 − 1) = 100.00"
    ]
    assert s["西湖街道"].items[0].score == D("100.00")


def test_rank_lower_is_better_measure():
    items = [item("安全生产", BASE, "100", {"method": "rank", "measure": "warnings:red"})]
    s = scored(snapshot_data(), items=items)
    # red: 西湖 0 → 1st, 南山 1 → 2nd, 东城 4 → 3rd: 100 × (3 − 3 + 1) ÷ 3 = 33.33
    assert [s[n].items[0].score for n in ("西湖街道", "南山园区", "东城镇")] == [D("100.00"), D("66.67"), D("33.33")]


def test_tie_rule_total_then_base_then_unit_order():
    def unit(uid, name, base, bonus, order):
        return assessment.UnitScore(uid, name, [], D(base), D(bonus), D("0"), D(base) + D(bonus), (order, uid))

    ranked = assessment.rank_scores(
        [
            unit(1, "甲", "80", "0", 3),
            unit(2, "乙", "78", "2", 1),  # same total as 甲, lower base → after 甲
            unit(3, "丙", "80", "0", 2),  # same total and base as 甲, earlier in the unit order → before 甲
            unit(4, "丁", "50", "0", 0),
        ],
        bottom_n=2,
    )
    assert [(s.rank, s.name, s.interview) for s in ranked] == [
        (1, "丙", False),
        (2, "甲", False),
        (3, "乙", True),
        (4, "丁", True),
    ]
    assert "基础分高者在前" in assessment.TIE_RULE


@pytest.mark.parametrize(
    ("kind", "weight", "rule", "message"),
    [
        (BASE, "10", {"method": "ratio", "measure": "rate:nope", "target": "5"}, "考核数据“rate:nope”不存在"),
        (BASE, "10", {"method": "per_count", "measure": "warnings:red", "points": "1"}, "基础分只能用以下计分方法"),
        (BONUS, "2", {"method": "flag", "measure": "warnings:red"}, "“红灯预警项目”不能用“按条件”方法计分"),
        (BASE, "10", {"method": "ratio", "measure": "rate:start_rate", "target": "0"}, "目标值应大于 0"),
        (BASE, "10", {"method": "ratio", "measure": "rate:start_rate", "target": "120"}, "比率目标值应在 0–100 之间"),
        (BASE, "10", {"method": "ratio", "measure": "rate:start_rate", "target": "abc"}, "目标值应为数字"),
        (BASE, "10", {"method": "ratio", "measure": "rate:start_rate", "target": "5", "x": 1}, "无法识别的键：x"),
        (
            BASE,
            "30",
            {
                "parts": [
                    {"share": "15", "method": "ratio", "measure": "attraction:signed", "target": "2"},
                    {"share": "10", "method": "ratio", "measure": "rate:start_rate", "target": "75"},
                ]
            },
            "各部分分值之和为 25，应等于该项目分值 30",
        ),
        (DEDUCTION, "3", {"method": "per_count", "measure": "warnings:red"}, "每个加（扣）分值应为数字"),
    ],
)
def test_rule_validation_messages(kind, weight, rule, message):
    with pytest.raises(AssessmentError) as error:
        assessment.validate_rule(rule, kind=kind, weight=D(weight), rate_names=RATE_NAMES)
    assert message in error.value.message


def test_scheme_validation():
    with pytest.raises(AssessmentError, match="基础分各项分值之和应为 100 分，现为 90 分"):
        assessment.validate_items(
            [{"name": "甲", "kind": BASE, "weight": "60"}, {"name": "乙", "kind": BASE, "weight": "30"}]
        )
    with pytest.raises(AssessmentError, match="考评项目名称重复：甲"):
        assessment.validate_items(
            [{"name": "甲", "kind": BASE, "weight": "50"}, {"name": "甲", "kind": BASE, "weight": "50"}]
        )
    assessment.validate_items(
        [{"name": "甲", "kind": BASE, "weight": "100"}, {"name": "乙", "kind": BONUS, "weight": "5"}]
    )


def test_parse_quarter():
    assert assessment.parse_quarter("2026Q3") == (2026, 3)
    assert assessment.parse_quarter("2026-q4") == (2026, 4)
    assert assessment.quarter_months(2026, 3)[2] == datetime.date(2026, 9, 1)
    with pytest.raises(AssessmentError, match="季度应写作“2026Q3”"):
        assessment.parse_quarter("2026Q5")


@pytest.mark.django_db
def test_default_scheme_is_the_provincial_one_and_valid():
    scheme = assessment.scheme_for_year(2026)
    assert scheme.name == "“三个一批”项目建设考评（省定方案）"
    items = list(scheme.items.all())
    assert [(i.name, i.weight) for i in items if i.kind == BASE] == [
        ("谋划储备", D("10")),
        ("签约落地", D("30")),
        ("开工投产", D("30")),
        ("投产达效", D("20")),
        ("服务保障", D("10")),
    ]
    names = assessment.rate_names()
    for i in items:
        assert assessment.validate_rule(i.rule, kind=i.kind, weight=i.weight, rate_names=names) == i.rule
    assessment.validate_items([{"name": i.name, "kind": i.kind, "weight": i.weight} for i in items])
    # A scheme for a given year wins over the general one; an inactive one is never used.
    dated = AssessmentScheme.objects.create(name="2027年方案", year=2027)
    AssessmentScheme.objects.create(name="停用方案", year=2026, is_active=False)
    assert assessment.scheme_for_year(2027) == dated
    assert assessment.scheme_for_year(2026) == scheme


def test_money_measure_null_investment_and_only_some_units():
    data = snapshot_data()
    data["attraction"]["units"][2]["signed_investment"] = None  # nothing signed: null in the snapshot
    items = [item("签约投资", BASE, "100", {"method": "rank", "measure": "attraction:signed_investment"})]
    scores = assessment.score_units(data, items=items, rate_names=RATE_NAMES, only=[12, 13])
    assert [(s.name, s.items[0].working) for s in scores] == [
        ("西湖街道", ["签约投资额 800.00 万元，在 2 个有数据的单位中列第 1 名，得分 100 × (2 − 1 + 1) ÷ 2 = 100.00"]),
        ("南山园区", ["签约投资额 0.00 万元，在 2 个有数据的单位中列第 2 名，得分 100 × (2 − 2 + 1) ÷ 2 = 50.00"]),
    ]
