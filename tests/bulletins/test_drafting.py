"""Drafting is pure: snapshot JSON in, sentences and tables out. Expected figures are in snapshot_data's docstring."""

import datetime

import pytest

from tadiao.bulletins import drafting
from tadiao.lib.dates import cn_date
from tests.bulletins import snapshot_data

OCT = drafting.Context(month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31))


def section(result: dict, key: str) -> str:
    return next(s["text"] for s in result["sections"] if s["key"] == key)


def keys(result: dict) -> list[str]:
    return [s["key"] for s in result["sections"]]


@pytest.mark.parametrize(("now", "then", "expected"), [
    ("58.82", "55.62", "较上期提高3.20个百分点"),
    ("40.00", "45.25", "较上期下降5.25个百分点"),
    ("70.00", "70.00", "与上期持平"),
    ("70", "70.00", "与上期持平"),
    ("58.82", None, ""),
    (None, "55.62", ""),
])
def test_points_change(now, then, expected):
    assert drafting.points_change(now, then) == expected


def test_words_and_numbers():
    assert drafting.months_text(10) == "1—10月"
    assert drafting.months_text(1) == "1月"
    assert cn_date(datetime.date(2026, 11, 5)) == "2026年11月5日"
    assert [drafting.cn_ordinal(n) for n in (1, 9, 10, 11, 20)] == ["一", "九", "十", "十一", "二十"]
    assert drafting.money("52000") == "5.20亿元"
    assert drafting.money("9999.995") == "10,000.00万元"  # rounds half up in 万元, stays 万元 below 1 亿元
    assert drafting.money("5000") == "5,000.00万元"
    assert drafting.money(None) == "—"
    assert drafting.pct("58.825") == "58.83%"
    assert drafting.pct(None) == "—"
    assert drafting.count_change(10, 9) == "较上期增加1个"
    assert drafting.count_change(10, 12, "批次") == "较上期减少2批次"


def test_overall_section_against_targets_and_the_last_snapshot():
    result = drafting.draft(snapshot_data.october(), earlier=snapshot_data.september(), context=OCT)
    text = section(result, "overall").splitlines()
    assert text[0] == (
        "截至2026年10月31日，全县纳入调度的重点项目共17个，按所处阶段分：谋划储备1个、在谈1个、签约2个、立项3个、"
        "开工6个、竣工2个、投产1个、达产1个。已开工（含竣工、投产、达产）项目10个，较上期增加1个。"
    )
    assert text[1] == (
        "1—10月，累计完成投资5.20亿元，占年度计划投资8.00亿元的65.00%，低于序时进度18.33个百分点，"
        "较上期提高7.50个百分点。"
    )
    assert "开工率58.82%，较上期提高3.20个百分点" in text[2]
    assert "开复工率70.00%，与上期持平" in text[2]
    assert "签约项目备案率—；" in text[2]
    assert "备案项目开工率40.00%，较上期下降5.25个百分点" in text[2]
    assert text[3] == "对照年度目标：省重点项目开工率目标85.00%（6月30日前），实际80.00%，低于目标5.00个百分点。"
    assert result["title"] == "关于2026年1—10月全县重点项目建设情况的通报"


def test_without_a_last_snapshot_no_comparison_is_made():
    result = drafting.draft(snapshot_data.october(), earlier=None, context=OCT)
    overall = section(result, "overall")
    assert "较上期" not in overall and "与上期" not in overall
    assert "开工率58.82%；" in overall


def test_double_half_is_named_in_june_only():
    june = drafting.Context(month=datetime.date(2026, 6, 1), as_of=datetime.date(2026, 6, 30))
    assert "上半年实现“双过半”目标。" in section(drafting.draft(snapshot_data.october(), earlier=None,
                                                               context=june), "overall")
    assert "双过半" not in section(drafting.draft(snapshot_data.october(), earlier=None, context=OCT), "overall")


def test_investment_attraction_names_blank_units_and_those_that_broke_zero():
    text = section(drafting.draft(snapshot_data.october(), earlier=snapshot_data.september(), context=OCT),
                   "attraction").splitlines()
    assert text[0] == (
        "1—10月，全县各单位开展外出招商12批次（较上期增加2批次），跟进在谈项目7个（与上期持平），"
        "签约项目3个（较上期增加1个），签约总投资3.50亿元。"
    )
    assert text[1] == (
        "截至目前，仍有2个单位外出招商、在谈项目、签约项目三项工作均为空白：南山乡（连续3次榜上有名）、北湖园区。"
    )
    assert text[2] == "本期西湖街道实现零的突破。"


def test_batches_warnings_problems_and_rankings():
    result = drafting.draft(snapshot_data.october(), earlier=snapshot_data.september(), context=OCT)
    assert section(result, "batches").splitlines() == [
        "“三个一批”活动累计列入项目17个（次），已开工11个（次），开工率64.71%。",
        "分批次看：第3期签约一批10个，已开工4个（40.00%）；第3期开工一批7个，已开工7个（100.00%）。",
    ]
    warnings = section(result, "warnings").splitlines()
    assert warnings[0] == "截至目前，共有红灯预警项目2个，较上期增加1个；黄灯预警项目1个。"
    assert warnings[1] == (
        "分单位看：东城镇红灯1个（高端轴承智能工厂），黄灯1个（新材料中试基地）；西湖街道红灯1个（西湖片区城市更新）。"
    )
    assert warnings[2] == "1.高端轴承智能工厂（东城镇）。计划开工日期已过3个月仍未开工。"
    problems = section(result, "problems").splitlines()
    assert problems == [
        "1—10月，共收集项目建设问题9个，已办结6个，办结率66.67%，按期办结率55.56%，超期未办结1个。",
        "超过办理时限仍未办结的问题1个：",
        "1.高端轴承智能工厂：用地指标未落实（牵头单位自然资源局，办理时限2026年10月15日，已超期16天）。",
    ]
    rankings = section(result, "rankings").splitlines()
    assert rankings[0] == "年度投资完成率排名前3位的是：北湖园区（90.00%）、东城镇（72.50%）、西湖街道（48.10%）。"


def test_sections_are_numbered_in_order_and_tables_become_attachments():
    result = drafting.draft(snapshot_data.october(), earlier=None, context=OCT)
    assert keys(result) == ["overall", "attraction", "batches", "warnings", "problems", "rankings", "next_steps"]
    titles = [s["title"] for s in drafting.numbered(result["sections"])]
    assert titles[0] == "一、重点项目总体推进情况" and titles[6] == "七、下一步工作要求"
    assert [t["title"] for t in result["tables"]] == [
        "附件1：2026年1—10月各单位重点项目推进情况表",
        "附件2：2026年1—10月各单位招商引资三项工作情况表",
        "附件3：“三个一批”项目推进情况表",
        "附件4：预警项目清单",
        "附件5：超期未办结问题清单",
    ]
    units = result["tables"][0]
    assert units["rows"][0] == ["1", "东城镇", "72.50%", "2", "60.00%", "2", "1", "1"]
    assert units["rows"][2] == ["3", "南山乡", "—", "4", "—", "4", "0", "0"]
    attraction = result["tables"][1]
    assert attraction["rows"][0] == ["1", "东城镇", "8", "5", "3", "35,000.00", ""]
    assert attraction["rows"][2][-1] == "空白"
    assert attraction["rows"][-1] == ["", "合计", "12", "7", "3", "35,000.00", ""]


def test_an_emptied_section_is_left_out_and_the_rest_renumbered():
    sections = [{"key": "a", "heading": "甲", "text": "正文"}, {"key": "b", "heading": "乙", "text": "  \n"},
                {"key": "c", "heading": "丙", "text": "正文"}]
    assert [s["title"] for s in drafting.numbered(sections)] == ["一、甲", "二、丙"]


def test_an_older_snapshot_without_the_new_keys_drafts_what_it_has():
    result = drafting.draft(snapshot_data.older(), earlier=snapshot_data.older(), context=OCT)
    assert keys(result) == ["overall", "rankings", "next_steps"]
    assert [t["key"] for t in result["tables"]] == ["units"]
    assert result["tables"][0]["title"].startswith("附件：")  # a single attachment is not numbered


def test_a_malformed_section_is_left_out_never_the_bulletin():
    data = snapshot_data.october()
    data["attraction"] = {"totals": {"trips": 1}}  # no leads, no signed
    data["batches"] = {"rows": [{"number": 1}]}
    data["problems"] = "not a dict"
    result = drafting.draft(data, earlier={"indicators": None}, context=OCT)
    assert keys(result) == ["overall", "warnings", "rankings", "next_steps"]
    assert drafting.draft({}, earlier=None, context=OCT)["sections"] == [
        {"key": "next_steps", "heading": "下一步工作要求", "text": drafting.NEXT_STEPS}
    ]


def test_economy_hook_is_skipped_without_rows_and_drafted_with_them():
    assert "economy" not in keys(drafting.draft(snapshot_data.october(), earlier=None, context=OCT))
    context = drafting.Context(
        month=OCT.month, as_of=OCT.as_of,
        economy_below_target=({"region": "东城镇", "indicator": "固定资产投资", "growth": "4.50", "target": "8.00",
                               "gap": "-3.50"},),
        economy_below_parent=({"region": "东城镇", "indicator": "工业投资", "growth": "2.00", "parent": "6.25",
                               "gap": "-4.25"},),
    )
    text = section(drafting.draft(snapshot_data.october(), earlier=None, context=context), "economy")
    assert text.splitlines() == [
        "1—10月，低于年度目标的指标有：东城镇固定资产投资增长4.50%，低于目标（8.00%）3.50个百分点。",
        "低于上级平均水平的指标有：东城镇工业投资增长2.00%，低于上级（6.25%）4.25个百分点。",
    ]


def test_chart_data():
    history = (
        {"month": 9, "indicators": snapshot_data.september()["indicators"]},
        {"month": 10, "indicators": snapshot_data.october()["indicators"]},
    )
    context = drafting.Context(month=OCT.month, as_of=OCT.as_of, history=history)
    charts = drafting.draft(snapshot_data.october(), earlier=None, context=context)["charts"]
    # 序时计划 = planned × 序时进度: 80 000 × 75.00% = 60 000.00; 80 000 × 83.33% = 66 664.00
    assert charts["investment"]["months"] == [9, 10]
    assert charts["investment"]["completed"] == ["46000.00", "52000.00"]
    assert charts["investment"]["planned"] == ["60000.00", "66664.00"]
    assert charts["ranking"]["labels"] == ["北湖园区", "东城镇", "西湖街道"]
    assert charts["ranking"]["values"] == ["90.00", "72.50", "48.10"]


@pytest.mark.parametrize(("line", "expected"), [
    ("（一）加快项目开工建设。各单位要对照年度计划。", (2, "（一）加快项目开工建设。", "各单位要对照年度计划。")),
    ("1.高端轴承智能工厂（东城镇）。原因", (3, "1.高端轴承智能工厂（东城镇）。", "原因")),
    ("1—10月，累计完成投资5,000.00万元。", (0, "", "1—10月，累计完成投资5,000.00万元。")),
    ("2026年是关键之年。", (0, "", "2026年是关键之年。")),
])
def test_paragraph_levels(line, expected):
    assert drafting.paragraphs(line) == [expected]


def test_many_warnings_give_counts_by_unit_and_many_units_a_shorter_chart():
    data = snapshot_data.october()
    data["warnings"] = [
        {"project_id": n, "name": f"项目{n}", "unit_id": 1 + n % 2, "unit": ["东城镇", "西湖街道"][n % 2], "light": 2,
         "reasons": ["签约后超过90天未开工"]}
        for n in range(31)
    ]
    data["units"] = [
        {"id": n, "name": f"单位{n}", "red": 0, "yellow": 0,
         "rates": {"annual_investment_completion": snapshot_data.rate(0, 0, f"{100 - n}.00")}}
        for n in range(25)
    ]
    data["rankings"] = {"annual_investment_completion": list(range(25))}
    result = drafting.draft(data, earlier=None, context=OCT)
    warnings = section(result, "warnings").splitlines()
    # 31 red projects: even n (0, 2, …, 30: 16) in 东城镇, odd n (15) in 西湖街道
    assert warnings == ["截至目前，共有红灯预警项目31个；黄灯预警项目0个。",
                        "分单位看：东城镇红灯16个；西湖街道红灯15个。项目名单详见附件。"]
    chart = result["charts"]["ranking"]
    assert chart["title"] == "各单位年度投资完成率排名（前10名和后10名，%）"
    assert chart["labels"][9:11] == ["单位9", "单位15"] and len(chart["labels"]) == 20
