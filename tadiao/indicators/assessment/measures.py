"""What an assessment rule may read (the measures: the snapshot's rates, 招商引资, warnings and problems figures) and
how its numbers are written (two decimals, half up; weights and counts as written by hand)."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tadiao.indicators.models import AssessmentItem

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


class AssessmentError(Exception):
    """A rule, scheme or quarter that cannot be used; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


PERCENT, COUNT, MONEY, FLAG = "percent", "count", "money", "flag"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    kind: str  # PERCENT, COUNT, MONEY or FLAG
    higher_is_better: bool = True


FIXED_MEASURES = {
    m.code: m
    for m in [
        Measure("attraction:trips", "外出招商次数", COUNT),
        Measure("attraction:leads", "在谈招商线索", COUNT),
        Measure("attraction:signed", "签约项目", COUNT),
        Measure("attraction:signed_investment", "签约投资额", MONEY),
        Measure("attraction:broke_zero", "实现零的突破", FLAG),
        Measure("attraction:blank", "招商三项工作空白", FLAG),
        Measure("warnings:red", "红灯预警项目", COUNT, higher_is_better=False),
        Measure("warnings:yellow", "黄灯预警项目", COUNT, higher_is_better=False),
        Measure("problems:on_time_rate", "问题按期办结率", PERCENT),
        Measure("problems:resolved", "办结问题", COUNT),
        Measure("problems:overdue", "逾期未办结问题", COUNT, higher_is_better=False),
    ]
}
METHODS = {"ratio": "对照目标", "rank": "按排名", "per_count": "按个数", "flag": "按条件"}
METHODS_BY_KIND: dict[str, tuple[str, ...]] = {
    AssessmentItem.Kind.BASE: ("ratio", "rank"),
    AssessmentItem.Kind.BONUS: ("per_count", "flag"),
    AssessmentItem.Kind.DEDUCTION: ("per_count", "flag"),
}
KINDS_BY_METHOD = {
    "ratio": (PERCENT, COUNT, MONEY),
    "rank": (PERCENT, COUNT, MONEY),
    "per_count": (COUNT,),
    "flag": (FLAG,),
}


def measure_for(code: str, rate_names: Mapping[str, str]) -> Measure | None:
    if code.startswith("rate:"):
        rate = code.removeprefix("rate:")
        return Measure(code, rate_names[rate], PERCENT) if rate in rate_names else None
    return FIXED_MEASURES.get(code)


def measure_choices(rate_names: Mapping[str, str]) -> list[tuple[str, str]]:
    """Every measure a rule may read, for the settings page's help."""
    return [(f"rate:{code}", name) for code, name in rate_names.items()] + [
        (m.code, m.label) for m in FIXED_MEASURES.values()
    ]


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def num(value: Decimal | int) -> str:
    """A weight or a count as written by hand: 30, 7.5; decimals beyond the cent are not shown."""
    value = q(Decimal(value))
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def as_shown(value: Decimal, kind: str) -> str:
    if kind == PERCENT:
        return f"{q(value)}%"
    if kind == MONEY:
        return f"{q(value)} 万元"
    return f"{num(value)} 个"

