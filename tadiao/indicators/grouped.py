"""Indicator figures of every unit, every level and every unit × level at once, for a snapshot: the projects, the
year's plans and the year-to-date reports are each read once, grouped by (unit, level), and the figures of a unit or
of a level are sums of its groups.

A rate is recomputed from its summed numerator and denominator (counts of projects, or 万元), never averaged from the
groups' rates; each group is what queries.compute_rates would count or sum over that group's projects (domain.md:
denominators include cancelled projects unless the definition says otherwise; investment = submitted or approved
reports from January to the as-of month, against the as-of year's plans).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, QuerySet

from tadiao.indicators import events as event_counts
from tadiao.indicators import queries
from tadiao.indicators.formatting import rate_as_json
from tadiao.indicators.models import RateDefinition
from tadiao.projects.models import STAGE_ORDER, Level, Project

ZERO = queries.ZERO
STAGES = [stage.lower() for stage in STAGE_ORDER]
Key = tuple[int, str]  # (unit id, level)


@dataclass
class Tally:
    """The sums behind one scope's figures: projects per stage reached (lower-case codes), and per rate code its
    numerator and denominator."""

    definitions: list[RateDefinition]
    counts: dict[str, int]
    numerators: dict[str, Decimal | int]
    denominators: dict[str, Decimal | int]
    # The year's plans and 1—N月 reports of the projects with a plan (compute_indicators' annual totals), when asked.
    annual_planned: Decimal = ZERO
    annual_completed: Decimal = ZERO

    @classmethod
    def empty(cls, definitions: list[RateDefinition]) -> "Tally":
        zeros: dict[str, Decimal | int] = {
            d.code: ZERO if d.measure == RateDefinition.Measure.INVESTMENT else 0 for d in definitions
        }
        return cls(definitions, dict.fromkeys(STAGES, 0), dict(zeros), dict(zeros))

    def add(self, other: "Tally") -> None:
        for stage, n in other.counts.items():
            self.counts[stage] += n
        for code, amount in other.numerators.items():
            self.numerators[code] += amount
        for code, amount in other.denominators.items():
            self.denominators[code] += amount
        self.annual_planned += other.annual_planned
        self.annual_completed += other.annual_completed

    def rates(self) -> dict[str, queries.RateResult]:
        """Every rate, in the definitions' order (over an empty set: zero over zero, percent None)."""
        return {
            d.code: queries.RateResult(
                d.code,
                d.name,
                self.numerators[d.code],
                self.denominators[d.code],
                queries.percent_of(self.numerators[d.code], self.denominators[d.code]),
                d.measure,
            )
            for d in self.definitions
        }

    def compact_json(self) -> dict[str, Any]:
        """{"counts_by_stage", "rates"} without the stages that have no project and the rates over an empty set ("—")
        (scoped_snapshots.py: a snapshot holds one per unit, level and unit × level)."""
        rates = {}
        for d in self.definitions:
            numerator, denominator = self.numerators[d.code], self.denominators[d.code]
            if denominator:
                percent = queries.percent_of(numerator, denominator)
                rates[d.code] = rate_as_json(
                    queries.RateResult(d.code, d.name, numerator, denominator, percent, d.measure)
                )
        return {"counts_by_stage": {stage: n for stage, n in self.counts.items() if n}, "rates": rates}


def summed(groups: dict[Key, Tally], definitions: list[RateDefinition], *, by: int) -> dict[Any, Tally]:
    """The groups added up per unit (by=0) or per level (by=1), in the order the groups come."""
    totals: dict[Any, Tally] = {}
    for key, tally in groups.items():
        total = totals.get(key[by])
        if total is None:
            total = totals[key[by]] = Tally.empty(definitions)
        total.add(tally)
    return totals


def scopes_json(groups: dict[Key, Tally], definitions: list[RateDefinition]) -> dict[str, Any]:
    """The "scopes" of a snapshot (shape: scoped_snapshots.py) from the (unit, level) tallies: a unit's and a level's
    figures are the sums of their groups; only units and levels with projects."""
    units: dict[str, dict[str, Any]] = {
        str(unit_id): {**tally.compact_json(), "by_level": {}}
        for unit_id, tally in summed(groups, definitions, by=0).items()
    }
    by_level = summed(groups, definitions, by=1)
    levels: dict[str, dict[str, Any]] = {}
    for level in Level.values:
        if level not in by_level:
            continue
        levels[level] = by_level[level].compact_json()
        for (unit_id, lvl), tally in groups.items():
            if lvl == level:
                units[str(unit_id)]["by_level"][level] = tally.compact_json()
    return {"by_unit": units, "by_level": levels}


def tallies(
    projects: QuerySet[Project],
    *,
    as_of: datetime.date,
    definitions: list[RateDefinition],
    annual_totals: bool = False,
) -> dict[Key, Tally]:
    """{(unit id, level): its Tally} for every (unit, level) with projects, in the order the database groups them.

    One query whatever the number of projects, units, levels or rates: the projects grouped by (unit, level, stage
    reached) with every COUNT rate's numerator and denominator as conditional counts and — when there are
    INVESTMENT rates or `annual_totals` are asked for — joined to their year's plan and year-to-date reports
    (queries.with_year_investment) with one conditional sum of each per distinct selection.
    """
    count_rates = [d for d in definitions if d.measure == RateDefinition.Measure.COUNT]
    investment_rates = [d for d in definitions if d.measure == RateDefinition.Measure.INVESTMENT]
    selections = {d.code: d.denominator for d in investment_rates}
    if annual_totals:  # compute_indicators' year totals, the same selection
        selections[queries.YEAR_TOTALS] = queries.YEAR_TOTALS_SELECTION
    columns = queries.rate_columns(projects, as_of=as_of, count_rates=count_rates, selections=selections)
    grouped = (
        columns.rows.order_by()
        .annotate(stage_at=queries.stage_at(as_of))
        .values("unit_id", "level", "stage_at")
        .annotate(n=Count("pk"), **columns.aggregates)
    )
    groups: dict[Key, Tally] = {}
    for row in cast(Iterable[dict[str, Any]], grouped):  # the rate columns are named at run time
        key = (row["unit_id"], row["level"])
        tally = groups.get(key)
        if tally is None:
            tally = groups[key] = Tally.empty(definitions)
        tally.counts[row["stage_at"].lower()] += row["n"]
        numerators, denominators = tally.numerators, tally.denominators
        for d, num, den in columns.counts(row):
            numerators[d.code] += num
            denominators[d.code] += den
        pairs = columns.pairs(row)
        for d in investment_rates:
            planned, reported = pairs[d.code]
            numerators[d.code] += reported
            denominators[d.code] += planned
        if annual_totals:
            planned, reported = pairs[queries.YEAR_TOTALS]
            tally.annual_planned += planned
            tally.annual_completed += reported
    return groups


def region_indicators(
    projects: QuerySet[Project], *, groups: dict[Key, Tally], definitions: list[RateDefinition], as_of: datetime.date
) -> queries.Indicators:
    """queries.compute_indicators(projects, as_of=as_of) with the stage counts, the rates and the annual totals summed
    from `groups` (tallies(projects, …, annual_totals=True)) instead of read again; the targets and the events are
    compute_indicators' own. tests/indicators/test_snapshots.py checks that both agree."""
    region = Tally.empty(definitions)
    for tally in groups.values():
        region.add(tally)
    return queries.Indicators(
        as_of=as_of,
        counts_by_stage={stage: region.counts[stage.lower()] for stage in STAGE_ORDER},
        rates=region.rates(),
        time_progress=queries.time_progress(as_of, basis=queries.time_progress_basis()),
        annual_planned=region.annual_planned,
        annual_completed=region.annual_completed,
        targets=queries.evaluate_targets(projects, as_of=as_of),
        events=event_counts.standard_events(projects, as_of=as_of),
    )
