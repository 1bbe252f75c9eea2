"""What a draft needs besides the snapshot: the period, the snapshot's date, the region's name and the rate names,
the same year's snapshots (for the investment chart) and the economy app's rows, all plain values."""

import datetime
from dataclasses import dataclass

# Fallback names when the service passes none (the built-in definitions' names).
DEFAULT_RATE_NAMES = {
    "start_rate": "开工率",
    "start_or_resume_rate": "开复工率",
    "signed_to_approved": "签约项目备案率",
    "approved_to_started": "备案项目开工率",
    "started_investment_completion": "开工项目投资完成率",
    "completed_to_producing": "竣工项目投产率",
    "producing_to_capacity": "项目达效率",
    "annual_investment_completion": "年度投资完成率",
    "completion_rate": "竣工率",
    "producing_rate": "投产率",
}


@dataclass(frozen=True)
class Context:
    """What a draft needs besides the snapshot: all plain values, gathered by the service."""

    month: datetime.date  # the period's first day
    as_of: datetime.date  # the snapshot's date: the day of closing, or the month's last day when that is earlier
    region_name: str = "全县"
    rate_names: dict | None = None
    # [{"month": 1..12, "indicators": {...}}] of the same year, up to and including this period, for the chart.
    history: tuple = ()
    # Rows of the economy app (below target / below the parent region); empty: no section.
    economy_below_target: tuple = ()
    economy_below_parent: tuple = ()

    def rate_name(self, code: str) -> str:
        return (self.rate_names or {}).get(code) or DEFAULT_RATE_NAMES.get(code, code)

