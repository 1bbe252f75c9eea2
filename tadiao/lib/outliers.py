"""An axis cap that keeps one outlier from flattening every other bar of a chart (pure; no Django).

A unit whose annual plan was entered as 3.79 万元 instead of 3 790 万元 shows 2 506.6%; drawn to scale, every other
unit's bar shrinks to a sliver. The charts draw such a bar to the cap and label it with its true value."""

import math
from decimal import Decimal

RATE_FLOOR = Decimal("100")  # a rate axis always shows 0–100%
RATE_CEILING = Decimal("200")  # and never reaches beyond 200% because of one unit


def robust_max(values: list[Decimal]) -> Decimal:
    """1.5 × the 90th percentile (nearest rank): with ten or more bars a single outlier is not the percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * 9 / 10) - 1] * Decimal("1.5")


def axis_cap(
    values: list[Decimal], *, floor: Decimal = Decimal("0"), ceiling: Decimal | None = None
) -> Decimal | None:
    """The value-axis maximum when some value would flatten the others, else None (the axis fits every value).

    The cap is the robust maximum, at least `floor`, at most `ceiling`; rounded up to a whole number."""
    if not values:
        return None
    cap = max(robust_max(values), floor)
    if ceiling is not None:
        cap = min(cap, ceiling)
    cap = Decimal(math.ceil(cap))
    return cap if max(values) > cap else None


def rate_axis_cap(percents: list[Decimal]) -> Decimal | None:
    """axis_cap for rates in percent: 100% always in view, never more than 200% of axis."""
    return axis_cap(percents, floor=RATE_FLOOR, ceiling=RATE_CEILING)
