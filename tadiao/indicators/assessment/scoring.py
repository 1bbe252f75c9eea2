"""Scoring: each unit's item scores with their working (the formula an official can check by hand), the totals,
and the ranking with its tie rule and the units named for 约谈. Pure: a snapshot's JSON and the items in."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tadiao.indicators.assessment.figures import Figures
from tadiao.indicators.assessment.measures import MONEY, PERCENT, ZERO, Measure, as_shown, measure_for, num, q
from tadiao.indicators.models import AssessmentItem

TIE_RULE = "总分高者在前；总分相同时基础分高者在前；再相同按单位排序（单位管理中的排序号）"


def _plain(value: Decimal, kind: str) -> str:
    """A value inside a formula: percents and money with two decimals, counts as they are."""
    return str(q(value)) if kind in (PERCENT, MONEY) else num(value)


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
    figures: Figures
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
    # (ignored for mypy below) bool only for flag measures, scored above
    shown = f"{measure.label} {as_shown(value, measure.kind)}{note}"  # type: ignore[arg-type]
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
        target_text = as_shown(target, measure.kind)
        if value >= target:
            return q(weight), f"{shown}，目标 {target_text}，已达到目标，得满分 {q(weight)}"
        score = q(weight * value / target)
        # (ignored for mypy below) bool only for flag measures, scored above
        formula = f"{num(weight)} × {_plain(value, measure.kind)} ÷ {_plain(target, measure.kind)} = {score}"  # type: ignore[arg-type]
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


def _score_item(item: AssessmentItem, *, unit_id: int, ctx: _Context) -> ItemScore:
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
    ctx = _Context(Figures(data), [uid for uid, _ in units], rate_names)
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

