"""The snapshot's figures per unit, as the rules read them: a missing section means "no data", never zero."""

from collections.abc import Mapping
from decimal import Decimal

from tadiao.indicators.assessment.measures import HUNDRED, Measure


class Figures:
    """Lookups over one snapshot's JSON, built once; a missing section means "no data", never zero."""

    def __init__(self, data: Mapping):
        self.units = {u["id"]: u for u in data.get("units", [])}
        attraction = data.get("attraction")
        self.attraction = None if attraction is None else {u["id"]: u for u in attraction.get("units", [])}
        self.broke_zero = set(attraction.get("broke_zero_unit_ids", [])) if attraction else set()
        self.blank = set(attraction.get("blank_unit_ids", [])) if attraction else set()
        problems = data.get("problems")
        self.problems = None if problems is None else {p["unit_id"]: p for p in problems.get("by_unit", [])}

    def value(self, measure: Measure, unit_id: int) -> tuple[Decimal | bool | None, str]:
        """(value, text): the text describes the value, or why there is none."""
        code = measure.code
        if code.startswith("rate:"):
            unit = self.units.get(unit_id)
            if unit is None:
                return None, f"{measure.label}：该单位在快照中无项目"
            rate = unit.get("rates", {}).get(code.removeprefix("rate:"))
            if rate is None:
                return None, f"{measure.label}：快照中无该比率"
            if rate.get("percent") is None:
                return None, f"{measure.label}：无统计对象（分母为 0）"
            return Decimal(rate["percent"]), f"（{rate['numerator']}/{rate['denominator']}）"
        section, key = code.split(":", 1)
        if section == "warnings":
            unit = self.units.get(unit_id)
            return Decimal((unit or {}).get(key, 0)), ""
        if section == "attraction":
            if self.attraction is None:
                return None, f"{measure.label}：快照中无招商引资数据"
            if key == "broke_zero":
                return unit_id in self.broke_zero, ""
            if key == "blank":
                return unit_id in self.blank, ""
            row = self.attraction.get(unit_id)
            if row is None:
                return None, f"{measure.label}：快照中无该单位的招商引资数据"
            # The signed investment of a unit with nothing signed is null in the snapshot: 0 here.
            return Decimal(str(row.get(key) or 0)), ""
        # problems
        if self.problems is None:
            return None, f"{measure.label}：快照中无问题协调数据"
        row = self.problems.get(unit_id, {})
        if key == "on_time_rate":
            closed = int(row.get("resolved", 0))
            if not closed:
                return None, f"{measure.label}：本期无办结问题"
            on_time = int(row.get("resolved_on_time", 0))
            return Decimal(on_time) * HUNDRED / Decimal(closed), f"（{on_time}/{closed}）"
        return Decimal(int(row.get(key, 0))), ""

