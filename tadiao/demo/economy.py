"""Demo 经济指标 for the demo county (安澜市) and its towns: two years of cumulative figures (1—N月) for the five
indicators, the city's growth on the county's rows (上级增速), the county's provincial rank, and the year's
target growths. Deterministic (a seeded generator), so every demo database reads the same.

`load_economy_demo(today=...)` is called by tadiao.demo.services when it builds the demo county; it writes nothing
when the county is missing or already has figures, and leaves the audit trail to the demo loader's one event.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from tadiao.demo import data
from tadiao.economy.models import Figure, Indicator, Target
from tadiao.org.models import Region

SEED = 20241031
CENT, TENTH = Decimal("0.01"), Decimal("0.1")
# The county's annual value in the indicator's unit (亿元; 一般公共预算收入 in 万元), the year before last.
COUNTY_BASE = {
    Indicator.GDP: Decimal("612.40"),
    Indicator.BUDGET_REVENUE: Decimal("468300"),
    Indicator.INDUSTRIAL_VALUE_ADDED: Decimal("205.70"),
    Indicator.FIXED_ASSET_INVESTMENT: Decimal("331.20"),
    Indicator.INDUSTRIAL_INVESTMENT: Decimal("138.60"),
}
# The county's target growth (%) and how far its actual growth typically lands from it.
COUNTY_TARGET = {
    Indicator.GDP: (Decimal("6.5"), 0.8),
    Indicator.BUDGET_REVENUE: (Decimal("5.0"), 2.5),
    Indicator.INDUSTRIAL_VALUE_ADDED: (Decimal("8.0"), 1.5),
    Indicator.FIXED_ASSET_INVESTMENT: (Decimal("7.0"), 3.0),
    Indicator.INDUSTRIAL_INVESTMENT: (Decimal("10.0"), 5.0),
}
# Investment runs slowly early in the year and fast at its end; GDP and revenue more evenly.
SEASON = {
    Indicator.FIXED_ASSET_INVESTMENT: [4, 10, 18, 26, 35, 46, 54, 62, 71, 80, 89, 100],
    Indicator.INDUSTRIAL_INVESTMENT: [4, 10, 18, 26, 35, 46, 54, 62, 71, 80, 89, 100],
    Indicator.BUDGET_REVENUE: [11, 19, 27, 37, 46, 55, 64, 72, 80, 87, 93, 100],
}
EVEN = [7, 14, 23, 31, 40, 49, 57, 65, 74, 82, 91, 100]


def _q(value: float | Decimal, step: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def _months(year: int, today: datetime.date) -> range:
    """The cumulative periods released by `today`: a month's figures come out in the next month."""
    if year < today.year:
        return range(1, 13)
    return range(1, today.month)


@transaction.atomic
def load_economy_demo(*, today: datetime.date) -> dict[str, int]:
    """Figures and targets for last year and this year (up to last month); {"figures": n, "targets": n}."""
    county = Region.objects.filter(code=data.COUNTY[0]).first()
    if county is None or Figure.objects.filter(region=county).exists():
        return {"figures": 0, "targets": 0}
    towns = list(Region.objects.filter(parent=county).order_by("code"))
    rng = random.Random(SEED)
    # A town's share of the county and its lean against the county's growth (some towns lag, some lead).
    shares = {t.pk: rng.uniform(0.5, 2.0) for t in towns}
    total = sum(shares.values()) or 1
    shares = {pk: 0.92 * s / total for pk, s in shares.items()}  # the rest is the county seat's own economy
    leans = {t.pk: rng.uniform(-2.5, 2.5) for t in towns}
    figures: list[Figure] = []
    targets: list[Target] = []
    for year in (today.year - 1, today.year):
        scale = Decimal("1.06") ** (year - (today.year - 1))
        for indicator in Indicator.values:
            target, spread = COUNTY_TARGET[indicator]
            targets.append(Target(region=county, year=year, indicator=indicator, growth=target))
            for town in towns:
                # Towns are set the county's target, the strong ones a little more.
                bonus = Decimal("0.5") if leans[town.pk] > 1 else Decimal("0")
                targets.append(Target(region=town, year=year, indicator=indicator, growth=target + bonus))
            drift = rng.gauss(0, spread / 2)
            for month in _months(year, today):
                share = Decimal(SEASON.get(indicator, EVEN)[month - 1]) / 100
                annual = COUNTY_BASE[indicator] * scale
                # Early months swing more: few months of a cumulative figure.
                county_growth = float(target) + drift + rng.gauss(0, spread / (month ** 0.5))
                county_growth = max(county_growth, -30.0)
                figures.append(Figure(
                    region=county, year=year, month=month, indicator=indicator,
                    value=_q(annual * share, CENT), growth=_q(county_growth, TENTH),
                    parent_growth=_q(county_growth + rng.uniform(-1.2, 1.0), TENTH),
                    provincial_rank=rng.randint(8, 45),
                ))
                for town in towns:
                    growth = county_growth + leans[town.pk] * spread / 2 + rng.gauss(0, spread / 2)
                    figures.append(Figure(
                        region=town, year=year, month=month, indicator=indicator,
                        value=_q(annual * share * Decimal(str(shares[town.pk])), CENT),
                        growth=_q(max(growth, -60.0), TENTH),
                    ))
    Figure.objects.bulk_create(figures, batch_size=1000)
    Target.objects.bulk_create(targets, batch_size=1000)
    return {"figures": len(figures), "targets": len(targets)}
