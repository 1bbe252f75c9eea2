"""Snapshot `data` built by hand for the bulletin tests (October 2026, and September as 上期).

Figures, computed by hand:
- stages (Oct): reserve 1, negotiating 1, signed 2, approved 3, started 6, completed 2, producing 1, at capacity 1:
  17 projects, 10 started or beyond → 开工率 10 / 17 = 58.82%; September 55.62% → 较上期提高3.20个百分点;
  September had 9 started or beyond → 较上期增加1个.
- investment: planned 80 000.00 万元 (8.00亿元), completed 52 000.00 万元 (5.20亿元) → 65.00%; 序时进度 10/12 =
  83.33% → 低于序时进度18.33个百分点; September 57.50% → 较上期提高7.50个百分点.
- 签约项目备案率 none (—) in both months; 开复工率 70.00% both months → 与上期持平;
  备案项目开工率 40.00% now, 45.25% in September → 较上期下降5.25个百分点.
- target: 省重点开工率 85.00% by 30 June, actual 80.00% → 低于目标5.00个百分点.
- attraction: 12 trips (Sept 10: 较上期增加2批次), 7 leads (Sept 7: 与上期持平), 3 signed (Sept 2: 较上期增加1个),
  signed 35 000.00 万元 = 3.50亿元; blank 南山乡 (3 in a row) and 北湖园区 (first time); 西湖街道 broke zero.
- batches: 第3期签约一批 10 entries, 4 started (40.00%); 第3期开工一批 7, 7 (100.00%); total 17, 11 → 64.71%.
- warnings: red 高端轴承智能工厂 (东城镇) and 西湖片区城市更新 (西湖街道), yellow 新材料中试基地 (东城镇); Sept had
  1 red → 较上期增加1个.
- rankings by 年度投资完成率: 北湖园区 90.00%, 东城镇 72.50%, 西湖街道 48.10%, 南山乡 — (no plan).
- problems: 9 raised, 6 resolved (66.67%), on time 55.56%, 1 overdue (用地指标未落实, 16 days).
"""

import copy


def rate(numerator, denominator, percent):
    return {"numerator": numerator, "denominator": denominator, "percent": percent}


def october(unit_ids=(1, 2, 3, 4)) -> dict:
    a, b, c, d = unit_ids
    return copy.deepcopy({
        "indicators": {
            "as_of": "2026-10-31",
            "counts_by_stage": {"reserve": 1, "negotiating": 1, "signed": 2, "approved": 3, "started": 6,
                                "completed": 2, "producing": 1, "at_capacity": 1},
            "rates": {
                "start_rate": rate(10, 17, "58.82"),
                "start_or_resume_rate": rate(7, 10, "70.00"),
                "signed_to_approved": rate(0, 0, None),
                "approved_to_started": rate(4, 10, "40.00"),
                "annual_investment_completion": rate("52000.00", "80000.00", "65.00"),
            },
            "time_progress": "83.33",
            "annual_investment": {"planned": "80000.00", "completed": "52000.00"},
            "double_half": {"time_half_gone": True, "investment": True, "start": True, "achieved": True},
            "targets": [{"rate": "start_rate", "level": "provincial", "deadline": "2026-06-30", "target": "85.00",
                         "actual": "80.00", "gap": "-5.00"}],
        },
        "units": [
            {"id": a, "name": "东城镇", "red": 1, "yellow": 1,
             "rates": {"annual_investment_completion": rate("29000.00", "40000.00", "72.50"),
                       "start_rate": rate(6, 10, "60.00")}},
            {"id": b, "name": "西湖街道", "red": 1, "yellow": 0,
             "rates": {"annual_investment_completion": rate("9620.00", "20000.00", "48.10"),
                       "start_rate": rate(1, 2, "50.00")}},
            {"id": c, "name": "南山乡", "red": 0, "yellow": 0,
             "rates": {"annual_investment_completion": rate("0.00", "0.00", None), "start_rate": rate(0, 0, None)}},
            {"id": d, "name": "北湖园区", "red": 0, "yellow": 0,
             "rates": {"annual_investment_completion": rate("18000.00", "20000.00", "90.00"),
                       "start_rate": rate(3, 3, "100.00")}},
        ],
        "rankings": {"annual_investment_completion": [d, a, b, c], "start_rate": [d, a, b, c],
                     "red_warnings": [c, d, b, a]},
        "warnings": [
            {"project_id": 1, "name": "高端轴承智能工厂", "unit_id": a, "unit": "东城镇", "light": 2,
             "reasons": ["计划开工日期已过3个月仍未开工"]},
            {"project_id": 3, "name": "西湖片区城市更新", "unit_id": b, "unit": "西湖街道", "light": 2,
             "reasons": ["签约后超过90天未开工"]},
            {"project_id": 2, "name": "新材料中试基地", "unit_id": a, "unit": "东城镇", "light": 1,
             "reasons": ["年度投资完成率低于序时进度12.00个百分点"]},
        ],
        "attraction": {
            "start": "2026-01-01", "end": "2026-10-31",
            "totals": {"trips": 12, "leads": 7, "signed": 3, "signed_investment": "35000.00"},
            "units": [
                {"id": a, "name": "东城镇", "trips": 8, "leads": 5, "signed": 3, "signed_investment": "35000.00"},
                {"id": b, "name": "西湖街道", "trips": 4, "leads": 2, "signed": 0, "signed_investment": None},
                {"id": c, "name": "南山乡", "trips": 0, "leads": 0, "signed": 0, "signed_investment": None},
                {"id": d, "name": "北湖园区", "trips": 0, "leads": 0, "signed": 0, "signed_investment": None},
            ],
            "blank_unit_ids": [c, d],
            "broke_zero_unit_ids": [b],
            "blank_streaks": {str(c): 3, str(d): 1},
        },
        "batches": {
            "rows": [
                {"number": 3, "kind": "签约一批", "entries": 10, "started": 4, "percent": "40.00"},
                {"number": 3, "kind": "开工一批", "entries": 7, "started": 7, "percent": "100.00"},
            ],
            "total": {"entries": 17, "started": 11, "percent": "64.71"},
        },
        "problems": {
            "overdue": [{"project": "高端轴承智能工厂", "title": "用地指标未落实", "lead_unit": "自然资源局",
                         "deadline": "2026-10-15", "days_overdue": 16}],
            "statistics": {"total": 9, "resolved": 6, "overdue": 1, "resolution_rate": "66.67",
                           "on_time_rate": "55.56"},
        },
    })


def september(unit_ids=(1, 2, 3, 4)) -> dict:
    data = october(unit_ids)
    ind = data["indicators"]
    ind["as_of"] = "2026-09-30"
    ind["counts_by_stage"].update({"approved": 4, "started": 5})
    ind["rates"]["start_rate"] = rate(9, 16, "55.62")
    ind["rates"]["approved_to_started"] = rate(4, 9, "45.25")
    ind["rates"]["annual_investment_completion"] = rate("46000.00", "80000.00", "57.50")
    ind["annual_investment"] = {"planned": "80000.00", "completed": "46000.00"}
    ind["time_progress"] = "75.00"
    data["attraction"]["totals"] = {"trips": 10, "leads": 7, "signed": 2, "signed_investment": "20000.00"}
    data["warnings"] = data["warnings"][:1]
    return data


def older() -> dict:
    """A snapshot frozen before attraction, batches and problems were added: indicators, units, rankings only."""
    data = october()
    for key in ("attraction", "batches", "problems", "warnings"):
        del data[key]
    return data
