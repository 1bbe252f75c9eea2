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
"""

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tadiao.indicators.models import AssessmentItem, AssessmentScheme, RateDefinition, Snapshot
from tadiao.org.models import Unit

TIE_RULE = "总分高者在前；总分相同时基础分高者在前；再相同按单位排序（单位管理中的排序号）"
CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


class AssessmentError(Exception):
    """A rule, scheme or quarter that cannot be used; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- measures -------------------------------------------------------------------------------------------

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
METHODS_BY_KIND = {
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


# --- numbers and text -----------------------------------------------------------------------------------


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise AssessmentError(f"{what}应为数字。")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AssessmentError(f"{what}应为数字，而不是“{value}”。") from exc
    if not number.is_finite():
        raise AssessmentError(f"{what}应为数字，而不是“{value}”。")
    return number


def num(value: Decimal | int) -> str:
    """A weight or a count as written by hand: 30, 7.5; decimals beyond the cent are not shown."""
    value = q(Decimal(value))
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _shown(value: Decimal, kind: str) -> str:
    if kind == PERCENT:
        return f"{q(value)}%"
    if kind == MONEY:
        return f"{q(value)} 万元"
    return f"{num(value)} 个"


def _plain(value: Decimal, kind: str) -> str:
    """A value inside a formula: percents and money with two decimals, counts as they are."""
    return str(q(value)) if kind in (PERCENT, MONEY) else num(value)


# --- rules ----------------------------------------------------------------------------------------------


def _validate_single(rule: dict, *, kind: str, rate_names: Mapping[str, str], where: str) -> dict:
    if not isinstance(rule, dict):
        raise AssessmentError(f"{where}计分规则应为 JSON 对象。")
    method = rule.get("method")
    if method not in METHODS:
        raise AssessmentError(
            f"{where}计分方法“{method or ''}”无效，可选：ratio（对照目标）、rank（按排名）、"
            "per_count（按个数）、flag（按条件）。"
        )
    if method not in METHODS_BY_KIND[kind]:
        allowed = "、".join(METHODS_BY_KIND[kind])
        raise AssessmentError(f"{where}{AssessmentItem.Kind(kind).label}只能用以下计分方法：{allowed}。")
    measure = measure_for(str(rule.get("measure", "")), rate_names)
    if measure is None:
        raise AssessmentError(
            f"{where}考核数据“{rule.get('measure', '')}”不存在（比率写作 rate:代码，例如 rate:start_rate）。"
        )
    if measure.kind not in KINDS_BY_METHOD[method]:
        raise AssessmentError(f"{where}“{measure.label}”不能用“{METHODS[method]}”方法计分。")
    clean: dict = {"method": method, "measure": measure.code}
    unknown = set(rule) - {"method", "measure", "target", "step", "points", "no_data", "share"}
    if unknown:
        raise AssessmentError(f"{where}计分规则含有无法识别的键：{'、'.join(sorted(unknown))}。")
    if method == "ratio":
        target = _decimal(rule.get("target", ""), f"{where}目标值")
        if target <= 0:
            raise AssessmentError(f"{where}目标值应大于 0。")
        if measure.kind == PERCENT and target > HUNDRED:
            raise AssessmentError(f"{where}比率目标值应在 0–100 之间。")
        clean["target"] = format(target, "f")
    if method == "rank" and rule.get("step") not in (None, ""):
        step = _decimal(rule["step"], f"{where}每名次递减分值")
        if step <= 0:
            raise AssessmentError(f"{where}每名次递减分值应大于 0。")
        clean["step"] = format(step, "f")
    if method == "per_count":
        points = _decimal(rule.get("points", ""), f"{where}每个加（扣）分值")
        if points <= 0:
            raise AssessmentError(f"{where}每个加（扣）分值应大于 0。")
        clean["points"] = format(points, "f")
    if method in ("ratio", "rank"):
        no_data = rule.get("no_data", "zero")
        if no_data not in ("zero", "full"):
            raise AssessmentError(f"{where}no_data 只能是 zero（无数据得 0 分）或 full（无数据得满分）。")
        clean["no_data"] = no_data
    return clean


def validate_rule(rule, *, kind: str, weight: Decimal, rate_names: Mapping[str, str]) -> dict:
    """The rule normalised (numbers as decimal strings), or AssessmentError with the reason in Chinese."""
    if not isinstance(rule, dict) or not rule:
        raise AssessmentError("计分规则应为非空的 JSON 对象。")
    if "parts" not in rule:
        return _validate_single(rule, kind=kind, rate_names=rate_names, where="")
    if kind != AssessmentItem.Kind.BASE:
        raise AssessmentError("只有基础分项目可以分为多个部分（parts）。")
    if set(rule) != {"parts"}:
        raise AssessmentError("分部分计分时，计分规则只应包含 parts。")
    parts = rule["parts"]
    if not isinstance(parts, list) or len(parts) < 2:
        raise AssessmentError("parts 应为至少两个部分的列表。")
    clean_parts = []
    for n, part in enumerate(parts, start=1):
        where = f"第{n}部分："
        if not isinstance(part, dict):
            raise AssessmentError(f"{where}应为 JSON 对象。")
        share = _decimal(part.get("share", ""), f"{where}分值（share）")
        if share <= 0:
            raise AssessmentError(f"{where}分值（share）应大于 0。")
        clean = _validate_single(part, kind=kind, rate_names=rate_names, where=where)
        clean_parts.append({"share": format(share, "f"), **clean})
    total = sum(Decimal(p["share"]) for p in clean_parts)
    if total != weight:
        raise AssessmentError(f"各部分分值之和为 {num(total)}，应等于该项目分值 {num(weight)}。")
    return {"parts": clean_parts}


def validate_items(items: Sequence[Mapping]) -> None:
    """A scheme's items together: unique names, at least one base item, base weights summing to 100."""
    names = [i["name"] for i in items]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AssessmentError(f"考评项目名称重复：{'、'.join(duplicates)}。")
    base = [i for i in items if i["kind"] == AssessmentItem.Kind.BASE]
    if not base:
        raise AssessmentError("方案至少应有一个基础分项目。")
    total = sum((Decimal(i["weight"]) for i in base), ZERO)
    if total != HUNDRED:
        raise AssessmentError(f"基础分各项分值之和应为 100 分，现为 {num(total)} 分。")


def _describe_single(rule: dict, *, kind: str, weight: Decimal, rate_names: Mapping[str, str]) -> str:
    measure = measure_for(rule["measure"], rate_names)
    label = measure.label if measure else rule["measure"]
    sign = "扣" if kind == AssessmentItem.Kind.DEDUCTION else "加"
    method = rule["method"]
    if method == "ratio":
        target = _shown(Decimal(rule["target"]), measure.kind if measure else COUNT)
        text = f"{label}对照目标 {target}：{num(weight)} × 实际 ÷ 目标，达到目标得满分"
    elif method == "rank":
        if "step" in rule:
            text = f"按{label}排名：第一名 {num(weight)} 分，每后一名减 {num(Decimal(rule['step']))} 分"
        else:
            text = f"按{label}排名：第一名 {num(weight)} 分，其后按名次线性递减"
    elif method == "per_count":
        text = f"{label}每个{sign} {num(Decimal(rule['points']))} 分，最多{sign} {num(weight)} 分"
    else:
        text = f"{label}的单位{sign} {num(weight)} 分"
    if method in ("ratio", "rank"):
        text += "；无数据得满分" if rule.get("no_data") == "full" else "；无数据得 0 分"
    return text


def describe_rule(rule: dict, *, kind: str, weight: Decimal, rate_names: Mapping[str, str]) -> str:
    """The rule as one line an official reads on the page, e.g. "开工率对照目标 75.00%：30 × 实际 ÷ 目标…"."""
    try:
        if "parts" in rule:
            return "；".join(
                f"（{n}）{num(Decimal(p['share']))} 分，"
                + _describe_single(p, kind=kind, weight=Decimal(p["share"]), rate_names=rate_names)
                for n, p in enumerate(rule["parts"], start=1)
            )
        return _describe_single(rule, kind=kind, weight=weight, rate_names=rate_names)
    except (KeyError, TypeError, InvalidOperation):
        return "（计分规则无效，请在设置中修改）"


# --- the snapshot's figures per unit ---------------------------------------------------------------------


class _Figures:
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


# --- scoring --------------------------------------------------------------------------------------------


@dataclass
class ItemScore:
    name: str
    kind: str
    weight: Decimal
    score: Decimal
    working: list[str]

    @property
    def kind_label(self) -> str:
        return AssessmentItem.Kind(self.kind).label


@dataclass
class UnitScore:
    unit_id: int
    name: str
    items: list[ItemScore]
    base: Decimal
    bonus: Decimal
    deduction: Decimal  # ≤ 0
    total: Decimal
    order: tuple
    rank: int = 0
    interview: bool = False  # named for 约谈 (one of the bottom N)

    @property
    def summary(self) -> str:
        return f"基础分 {self.base} + 加分 {self.bonus} − 扣分 {abs(self.deduction)} = 总分 {self.total}"


@dataclass
class _Context:
    figures: _Figures
    unit_ids: list[int]
    rate_names: Mapping[str, str]
    ranks: dict[str, tuple[int, dict[int, int]]] = field(default_factory=dict)  # measure → (N, rank by unit)

    def rank(self, measure: Measure, unit_id: int) -> tuple[int, int]:
        if measure.code not in self.ranks:
            values = {}
            for uid in self.unit_ids:
                value, _ = self.figures.value(measure, uid)
                if value is not None:
                    values[uid] = value if measure.higher_is_better else -value
            ordered = sorted(values.values(), reverse=True)
            # Competition ranking: equal values share a place, the next place is skipped (1, 1, 3).
            self.ranks[measure.code] = (len(values), {uid: ordered.index(v) + 1 for uid, v in values.items()})
        n, by_unit = self.ranks[measure.code]
        return n, by_unit[unit_id]


def _score_single(rule: dict, *, kind: str, weight: Decimal, unit_id: int, ctx: _Context) -> tuple[Decimal, str]:
    measure = measure_for(rule["measure"], ctx.rate_names)
    if measure is None:
        return ZERO, f"考核数据“{rule['measure']}”已不存在，得 0 分"
    value, note = ctx.figures.value(measure, unit_id)
    deduct = kind == AssessmentItem.Kind.DEDUCTION
    if value is None:
        if kind != AssessmentItem.Kind.BASE:
            return ZERO, f"{note}，{'不扣分' if deduct else '不加分'}"
        if rule.get("no_data") == "full":
            return q(weight), f"{note}，按满分计 {q(weight)} 分"
        return ZERO, f"{note}，得 0 分"
    method = rule["method"]
    if method == "flag":
        if not value:
            return ZERO, f"{measure.label}：否，{'不扣分' if deduct else '不加分'}"
        return (-q(weight) if deduct else q(weight)), f"{measure.label}：是，{'扣' if deduct else '加'} {q(weight)} 分"
    shown = f"{measure.label} {_shown(value, measure.kind)}{note}"
    if method == "per_count":
        points = Decimal(rule["points"])
        raw = q(value * points)
        amount = min(raw, q(weight))
        if not amount:
            return ZERO, f"{measure.label} 0 个，{'不扣分' if deduct else '不加分'}"
        sign = "扣" if deduct else "加"
        line = f"{shown}，每个{sign} {num(points)} 分，{sign} {amount} 分"
        if raw > amount:
            line += f"（按 {num(value)} × {num(points)} = {raw} 计，封顶 {q(weight)} 分）"
        return (-amount if deduct else amount), line
    if method == "ratio":
        target = Decimal(rule["target"])
        target_text = _shown(target, measure.kind)
        if value >= target:
            return q(weight), f"{shown}，目标 {target_text}，已达到目标，得满分 {q(weight)}"
        score = q(weight * value / target)
        formula = f"{num(weight)} × {_plain(value, measure.kind)} ÷ {_plain(target, measure.kind)} = {score}"
        return score, f"{shown}，目标 {target_text}，得分 {formula}"
    # rank
    n, place = ctx.rank(measure, unit_id)
    where = f"{shown}，在 {n} 个有数据的单位中列第 {place} 名"
    if "step" in rule:
        step = Decimal(rule["step"])
        score = max(q(weight - step * (place - 1)), ZERO)
        return score, f"{where}，得分 {num(weight)} − {num(step)} × ({place} − 1) = {score}"
    score = q(weight * (n - place + 1) / n)
    return score, f"{where}，得分 {num(weight)} × ({n} − {place} + 1) ÷ {n} = {score}"


def _score_item(item, *, unit_id: int, ctx: _Context) -> ItemScore:
    weight = Decimal(item.weight)
    rule = item.rule
    if "parts" not in rule:
        score, line = _score_single(rule, kind=item.kind, weight=weight, unit_id=unit_id, ctx=ctx)
        return ItemScore(item.name, item.kind, weight, q(score), [line])
    scores, working = [], []
    for n, part in enumerate(rule["parts"], start=1):
        share = Decimal(part["share"])
        score, line = _score_single(part, kind=item.kind, weight=share, unit_id=unit_id, ctx=ctx)
        scores.append(q(score))
        working.append(f"（{n}）{num(share)} 分：{line}")
    total = q(sum(scores, ZERO))
    working.append(f"小计 {' + '.join(str(s) for s in scores)} = {total}")
    return ItemScore(item.name, item.kind, weight, total, working)


def assessed_units(data: Mapping) -> list[tuple[int, str]]:
    """The units of a snapshot: those with projects, then those only in the 招商引资 section."""
    units = [(u["id"], u["name"]) for u in data.get("units", [])]
    seen = {uid for uid, _ in units}
    for u in (data.get("attraction") or {}).get("units", []):
        if u["id"] not in seen:
            units.append((u["id"], u["name"]))
            seen.add(u["id"])
    return units


def score_units(
    data: Mapping,
    *,
    items: Sequence,
    rate_names: Mapping[str, str],
    unit_order: Mapping[int, tuple] | None = None,
    only: Iterable[int] | None = None,
) -> list[UnitScore]:
    """Every unit of the snapshot (or those of `only`) scored by the items (objects with name, kind, weight and a
    validated rule), in the snapshot's unit order. `unit_order` maps a unit id to its sort key for the last tie
    rule (default: the position in the snapshot, which lists units in their configured order). Rank-based items
    rank among the scored units only."""
    units = assessed_units(data)
    if only is not None:
        allowed = set(only)
        units = [(uid, name) for uid, name in units if uid in allowed]
    ctx = _Context(_Figures(data), [uid for uid, _ in units], rate_names)
    scores = []
    for position, (uid, name) in enumerate(units):
        item_scores = [_score_item(item, unit_id=uid, ctx=ctx) for item in items]
        by_kind = {
            kind: q(sum((s.score for s in item_scores if s.kind == kind), ZERO)) for kind in AssessmentItem.Kind.values
        }
        base, bonus = by_kind[AssessmentItem.Kind.BASE], by_kind[AssessmentItem.Kind.BONUS]
        deduction = by_kind[AssessmentItem.Kind.DEDUCTION]
        order = (unit_order or {}).get(uid, (position,))
        scores.append(UnitScore(uid, name, item_scores, base, bonus, deduction, base + bonus + deduction, order))
    return scores


def rank_scores(scores: Iterable[UnitScore], *, bottom_n: int) -> list[UnitScore]:
    """In rank order (TIE_RULE), each with its place; the last `bottom_n` are marked for 约谈."""
    ranked = sorted(scores, key=lambda s: (-s.total, -s.base, s.order, s.unit_id))
    for place, s in enumerate(ranked, start=1):
        s.rank = place
        s.interview = place > len(ranked) - bottom_n
    return ranked


# --- quarters, schemes and snapshots (queries) ------------------------------------------------------------


def parse_quarter(text: str) -> tuple[int, int]:
    """ "2026Q3" (also 2026q3, 2026-Q3) → (2026, 3)."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not match:
        raise AssessmentError(f"季度应写作“2026Q3”这样的格式，而不是“{text}”。")
    return int(match.group(1)), int(match.group(2))


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_NAMES[quarter]}"


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    return [datetime.date(year, 3 * (quarter - 1) + m, 1) for m in (1, 2, 3)]


def quarter_snapshot(year: int, quarter: int) -> Snapshot | None:
    """The snapshot of the quarter's last closed month (one query)."""
    return (
        Snapshot.objects.select_related("period")
        .filter(period__month__in=quarter_months(year, quarter))
        .order_by("-period__month")
        .first()
    )


def scheme_for_year(year: int) -> AssessmentScheme | None:
    """The active scheme of that year, else the active scheme valid for every year."""
    schemes = AssessmentScheme.objects.filter(is_active=True).exclude(year__isnull=False, year__lt=year)
    schemes = list(schemes.exclude(year__gt=year).order_by("year", "id"))
    dated = [s for s in schemes if s.year == year]
    return (dated or schemes or [None])[0]


def rate_names() -> dict[str, str]:
    return dict(RateDefinition.objects.values_list("code", "name"))


@dataclass
class Assessment:
    year: int
    quarter: int
    scheme: AssessmentScheme | None
    items: list[AssessmentItem]
    snapshot: Snapshot | None
    scores: list[UnitScore]  # in rank order
    rules: list[tuple[AssessmentItem, str]]  # each item with its rule in words

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def provisional(self) -> bool:
        """Scored from a month before the quarter's last: that month is not closed yet."""
        return self.snapshot is not None and self.snapshot.period.month != quarter_months(self.year, self.quarter)[2]

    @property
    def unit_kinds_label(self) -> str:
        kinds = self.scheme.unit_kinds if self.scheme else []
        return "、".join(Unit.Kind(k).label for k in kinds if k in Unit.Kind.values) or "全部单位"

    @property
    def bottom(self) -> list[UnitScore]:
        return [s for s in self.scores if s.interview]

    tie_rule = TIE_RULE


def compute(*, year: int, quarter: int, scheme: AssessmentScheme | None = None) -> Assessment:
    """A quarter assessed by a scheme (default: the year's), in a fixed number of queries: scheme, items,
    snapshot, rate names, unit order."""
    scheme = scheme or scheme_for_year(year)
    items = list(scheme.items.all()) if scheme else []
    snapshot = quarter_snapshot(year, quarter)
    names = rate_names()
    rules = [(i, describe_rule(i.rule, kind=i.kind, weight=i.weight, rate_names=names)) for i in items]
    scores: list[UnitScore] = []
    if scheme and snapshot:
        ids = [uid for uid, _ in assessed_units(snapshot.data)]
        rows = Unit.objects.filter(pk__in=ids).values_list("pk", "display_order", "kind")
        order = {pk: (display_order, pk) for pk, display_order, _ in rows}
        only = [pk for pk, _, kind in rows if not scheme.unit_kinds or kind in scheme.unit_kinds]
        scores = score_units(snapshot.data, items=items, rate_names=names, unit_order=order, only=only)
        scores = rank_scores(scores, bottom_n=scheme.bottom_n)
    return Assessment(year, quarter, scheme, items, snapshot, scores, rules)


def as_json(result: Assessment) -> dict:
    """The CLI's JSON: scores as decimal strings, each unit with its working."""
    return {
        "quarter": f"{result.year}Q{result.quarter}",
        "label": result.label,
        "scheme": str(result.scheme) if result.scheme else None,
        "snapshot_month": result.snapshot.period.month.strftime("%Y-%m") if result.snapshot else None,
        "provisional": result.provisional,
        "unit_kinds": result.unit_kinds_label,
        "tie_rule": TIE_RULE,
        "items": [
            {"name": i.name, "kind": i.kind.lower(), "weight": format(i.weight, "f"), "rule": text}
            for i, text in result.rules
        ],
        "units": [
            {
                "rank": s.rank,
                "unit_id": s.unit_id,
                "name": s.name,
                "base": str(s.base),
                "bonus": str(s.bonus),
                "deduction": str(s.deduction),
                "total": str(s.total),
                "interview": s.interview,
                "items": [{"name": i.name, "score": str(i.score), "working": i.working} for i in s.items],
            }
            for s in result.scores
        ],
        "interview": [s.name for s in result.bottom],
    }
