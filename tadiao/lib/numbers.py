"""Number formatting as officials read it: 万元 with two decimals, 亿元, rates "58.82%", "—" for no value."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DASH = "—"
CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        # str() first: a float such as SQLite's 0.1 would otherwise carry its binary error into Decimal.
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def round2(value: object) -> Decimal | None:
    number = to_decimal(value)
    return None if number is None else number.quantize(CENT, rounding=ROUND_HALF_UP)


def wan(value: object) -> str:
    """万元 with thousands separators and two decimals: 12,345.60."""
    number = round2(value)
    return DASH if number is None else f"{number:,.2f}"


def yi(value: object) -> str:
    """万元 shown in 亿元 with two decimals: 12345.6 → 1.23."""
    number = to_decimal(value)
    if number is None:
        return DASH
    return f"{(number / Decimal(10000)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def percent(numerator: object, denominator: object) -> str:
    """A rate as "58.82%"; an empty denominator is "—", never 0% or an error."""
    value = percent_value(numerator, denominator)
    return DASH if value is None else f"{value}%"


def percent_value(numerator: object, denominator: object) -> Decimal | None:
    """numerator / denominator in percent, rounded half-up to two decimals; None for an empty denominator."""
    num, den = to_decimal(numerator), to_decimal(denominator)
    if num is None or not den:
        return None
    return (num * 100 / den).quantize(CENT, rounding=ROUND_HALF_UP)
