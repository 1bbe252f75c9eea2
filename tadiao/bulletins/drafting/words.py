"""Words and numbers of the bulletin: periods (1—10月), headings' ordinals, rates, money, changes against 上期."""

from collections.abc import Iterable
from decimal import Decimal

from tadiao.lib.numbers import DASH, round2, to_decimal, wan, yi

CN_NUMBERS = "一二三四五六七八九十"
YI_THRESHOLD = Decimal("10000")  # 万元: from 1 亿元 on, money is written in 亿元


def months_text(month: int) -> str:
    """The cumulative period: 1—10月, or 1月 in January (with an em dash)."""
    return "1月" if month == 1 else f"1—{month}月"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十 (headings never go further)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMBERS[tens - 1]) + "十" + ("" if ones == 0 else CN_NUMBERS[ones - 1])


def pct(value) -> str:
    """A rate as "58.82%" (two decimals, half up); no rate is "—"."""
    number = round2(value)
    return DASH if number is None else f"{number:.2f}%"


def money(value) -> str:
    """万元 below 1 亿元 ("5,000.00万元"), 亿元 from there on ("1.23亿元")."""
    number = to_decimal(value)
    if number is None:
        return DASH
    return f"{yi(number)}亿元" if abs(number) >= YI_THRESHOLD else f"{wan(number)}万元"


def points_change(now, then) -> str:
    """较上期提高3.20个百分点 / 较上期下降1.05个百分点 / 与上期持平; "" when either rate is missing."""
    a, b = to_decimal(now), to_decimal(then)
    if a is None or b is None:
        return ""
    diff = round2(a) - round2(b)
    if diff > 0:
        return f"较上期提高{diff:.2f}个百分点"
    if diff < 0:
        return f"较上期下降{-diff:.2f}个百分点"
    return "与上期持平"


def count_change(now: int, then: int | None, measure: str = "个") -> str:
    """较上期增加3个 / 较上期减少1个 / 与上期持平; "" without an earlier figure."""
    if then is None:
        return ""
    diff = now - then
    if diff > 0:
        return f"较上期增加{diff}{measure}"
    if diff < 0:
        return f"较上期减少{-diff}{measure}"
    return "与上期持平"


def money_change(now, then) -> str:
    a, b = to_decimal(now), to_decimal(then)
    if a is None or b is None:
        return ""
    diff = round2(a) - round2(b)
    if diff > 0:
        return f"较上期增加{money(diff)}"
    if diff < 0:
        return f"较上期减少{money(-diff)}"
    return "与上期持平"


def clauses(*parts: str) -> str:
    return "，".join(p for p in parts if p)


def joined(names: Iterable[str]) -> str:
    return "、".join(names)


def row_value(row, *names, default=""):
    """A value of a row from another app (a dict or an object), under the first of `names` it has."""
    for name in names:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value not in (None, ""):
            return value
    return default

