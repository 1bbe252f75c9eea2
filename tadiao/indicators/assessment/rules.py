"""A scheme's rules: each item's rule validated and normalised (or refused with the reason in Chinese), the items
checked together, and a rule put in words for the page."""

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from tadiao.indicators.assessment.measures import (
    COUNT,
    HUNDRED,
    KINDS_BY_METHOD,
    METHODS,
    METHODS_BY_KIND,
    PERCENT,
    ZERO,
    AssessmentError,
    as_shown,
    measure_for,
    num,
)
from tadiao.indicators.models import AssessmentItem


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise AssessmentError(f"{what}应为数字。")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AssessmentError(f"{what}应为数字，而不是“{value}”。") from exc
    if not number.is_finite():
        raise AssessmentError(f"{what}应为数字，而不是“{value}”。")
    return number


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


def validate_rule(rule: object, *, kind: str, weight: Decimal, rate_names: Mapping[str, str]) -> dict:
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
        target = as_shown(Decimal(rule["target"]), measure.kind if measure else COUNT)
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

