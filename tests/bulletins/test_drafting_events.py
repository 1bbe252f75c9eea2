"""The overall section's events and count / amount targets, from snapshot JSON built by hand (October 2026)."""

import datetime

from tadiao.bulletins import drafting
from tests.bulletins import snapshot_data

OCT = drafting.Context(month=datetime.date(2026, 10, 1), as_of=datetime.date(2026, 10, 31))


def _event(actual, planned=None, done=None, percent=None) -> dict:
    return {"actual": actual, "planned": planned, "planned_done": done, "percent": percent}


def _overall(data: dict) -> list[str]:
    result = drafting.draft(data, earlier=None, context=OCT)
    return next(s["text"] for s in result["sections"] if s["key"] == "overall").splitlines()


def test_events_and_quantity_targets_in_the_overall_section():
    data = snapshot_data.october()
    none = _event(0, 0, 0)
    data["indicators"]["events"] = {
        # 1—10月: 69 started, 46 planned of which 12 started → 26.09%; 8 cancelled; nothing signed
        "year_to_date": {"signed": none, "approved": _event(3, 0, 0), "started": _event(69, 46, 12, "26.09"),
                         "completed": _event(5, 4, 4, "100.00"), "producing": none, "cancelled": _event(8)},
        "month": {"signed": none, "approved": none, "started": _event(2, 3, 1, "33.33"), "completed": none,
                  "producing": none, "cancelled": _event(0)},
        "periods": {"year_to_date": {"label": "1—10月", "start": "2026-01-01", "end": "2026-10-31"},
                    "month": {"label": "10月", "start": "2026-10-01", "end": "2026-10-31"}},
    }
    data["indicators"]["targets"] += [
        {"kind": "count", "rate": None, "measure": "started", "level": None, "unit": "东城镇", "region": None,
         "region_name": None, "deadline": "2026-12-31", "target": 20, "actual": 12, "gap": -8, "percent": "60.00",
         "units": "个"},
        {"kind": "amount", "rate": None, "measure": "fixed_asset_investment", "level": None, "unit": None,
         "region": None, "region_name": None, "deadline": "2026-12-31", "target": "8400000.00",
         "actual": "8500000.00", "gap": "100000.00", "percent": "101.19", "units": "万元"},
    ]
    text = _overall(data)
    assert text[2] == (
        "1—10月，立项项目3个，新开工项目69个（计划开工46个，已开工12个，占26.09%），"
        "竣工项目5个（计划竣工4个，已竣工4个，占100.00%），不再建设项目8个。"
        "10月，新开工项目2个（计划开工3个，已开工1个，占33.33%）。"
    )
    assert text[4] == (
        "对照年度目标：省重点项目开工率目标85.00%（6月30日前），实际80.00%，低于目标5.00个百分点；"
        "东城镇新开工项目目标20个，完成12个，占60.00%，尚差8个；"
        "固定资产投资目标840.00亿元，完成850.00亿元，占101.19%，超出10.00亿元。"
    )


def test_a_snapshot_without_events_reads_as_before():
    text = _overall(snapshot_data.october())
    assert text[2].startswith("主要指标：")
