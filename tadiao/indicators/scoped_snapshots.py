"""Per-unit and per-level figures frozen in a snapshot, so that `tadiao indicators --compare-to` with `--unit` and /
or `--level` compares like with like (issue "The figures the meeting quotes", point 5).

A snapshot's data gets the key "scopes", a section registered in IndicatorsConfig.ready()
(snapshots.register_section("scopes", scoped_snapshots.scopes_section)):

    {"by_unit":  {"<unit id>": {"counts_by_stage", "rates", "by_level": {"<LEVEL>": {"counts_by_stage", "rates"}}}},
     "by_level": {"<LEVEL>": {"counts_by_stage", "rates"}}}

counts_by_stage and rates have the shapes of the whole region's figures (formatting.indicators_as_json), without the
stages that have no project and the rates over an empty set ("—"). Only units and levels with projects are stored:
a unit or a level missing from a snapshot that has "scopes" had no project then, and compares as zero projects with
every rate "—". A snapshot frozen before this has no "scopes": it is not compared, and the command says so in
Chinese.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum

from tadiao.indicators import queries, snapshots
from tadiao.indicators.formatting import rate_as_json
from tadiao.indicators.models import RateDefinition, Snapshot
from tadiao.indicators.selection import REPORTED_STATUSES, to_q
from tadiao.org.models import Unit
from tadiao.projects.models import STAGE_ORDER, AnnualPlan, Level, Project
from tadiao.reporting.models import MonthlyReport

LEVEL_LABELS: dict[str, str] = dict(Level.choices)
ZERO = queries.ZERO


def _empty_counts() -> dict[str, int]:
    return {stage.lower(): 0 for stage in STAGE_ORDER}


@dataclass
class _Tally:
    """The sums behind one scope's figures: projects per stage reached, and per rate its numerator and denominator
    (counts of projects, or 万元). Added up from the (unit, level) groups; a rate is computed from the sums."""

    definitions: list[RateDefinition]
    counts: dict[str, int] = field(default_factory=_empty_counts)
    numerators: dict[str, Decimal | int] = field(default_factory=dict)
    denominators: dict[str, Decimal | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d in self.definitions:
            zero = ZERO if d.measure == RateDefinition.Measure.INVESTMENT else 0
            self.numerators.setdefault(d.code, zero)
            self.denominators.setdefault(d.code, zero)

    def add(self, other: "_Tally") -> None:
        for stage, n in other.counts.items():
            self.counts[stage] += n
        for code, amount in other.numerators.items():
            self.numerators[code] += amount
        for code, amount in other.denominators.items():
            self.denominators[code] += amount

    def figures(self) -> dict[str, Any]:
        """Kept small (a snapshot holds one per unit, level and unit × level): stages without projects and rates over
        an empty set ("—") are left out — snapshots.compare reads a missing stage as 0 and a missing rate as "—"."""
        rates = {}
        for d in self.definitions:
            num, den = self.numerators[d.code], self.denominators[d.code]
            if den:
                rates[d.code] = rate_as_json(
                    queries.RateResult(d.code, d.name, num, den, queries.percent_of(num, den), d.measure)
                )
        return {"counts_by_stage": {stage: n for stage, n in self.counts.items() if n}, "rates": rates}


def scopes_section(*, units: list[Unit], as_of: datetime.date) -> dict[str, Any]:
    """The snapshot section "scopes" over every project (a snapshot is the whole region's; `units` is the section
    signature's, unused: a unit is stored when it has projects, active or not)."""
    return scoped_figures(Project.objects.all(), as_of=as_of, definitions=queries.active_definitions())


def scoped_figures(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition]
) -> dict[str, Any]:
    """The "scopes" of a snapshot (see the module doc).

    Three queries whatever the number of projects, units, levels or rates — one pass per table: the projects grouped
    by (unit, level, stage reached) with every COUNT rate's numerator and denominator as conditional counts, then,
    when there are INVESTMENT rates, the year's plans and the year-to-date reports grouped by (unit, level) with one
    conditional sum per selection (as queries.compute_rates reads them). The figures of a unit, of a level and of a
    unit × level are sums of those groups, and each rate is recomputed from its summed numerator and denominator,
    never averaged from the groups' rates.
    """
    groups = _groups(projects, as_of=as_of, definitions=definitions)
    by_unit: dict[int, _Tally] = {}
    by_level: dict[str, _Tally] = {}
    for (unit_id, level), tally in groups.items():
        by_unit.setdefault(unit_id, _Tally(definitions)).add(tally)
        by_level.setdefault(level, _Tally(definitions)).add(tally)
    units: dict[str, dict[str, Any]] = {
        str(unit_id): {**tally.figures(), "by_level": {}} for unit_id, tally in by_unit.items()
    }
    levels: dict[str, dict[str, Any]] = {}
    for level in Level.values:
        if level not in by_level:
            continue
        levels[level] = by_level[level].figures()
        for (unit_id, lvl), tally in groups.items():
            if lvl == level:
                units[str(unit_id)]["by_level"][level] = tally.figures()
    return {"by_unit": units, "by_level": levels}


def _groups(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition]
) -> dict[tuple[int, str], _Tally]:
    """{(unit id, level): its _Tally}, for every (unit, level) with projects, in the order the database groups them."""
    count_rates = [d for d in definitions if d.measure == RateDefinition.Measure.COUNT]
    aggregates: dict[str, Count] = {"n": Count("pk")}
    for i, d in enumerate(count_rates):
        denominator = to_q(d.denominator, as_of=as_of)
        aggregates[f"rate{i}_den"] = Count("pk", filter=denominator)
        aggregates[f"rate{i}_num"] = Count("pk", filter=denominator & to_q(d.numerator, as_of=as_of))
    rows = (
        projects.order_by()
        .annotate(stage_at=queries.stage_at(as_of))
        .values("unit_id", "level", "stage_at")
        .annotate(**aggregates)
    )
    groups: dict[tuple[int, str], _Tally] = {}
    for row in cast(Iterable[dict[str, Any]], rows):  # the rate columns are named at run time
        tally = groups.setdefault((row["unit_id"], row["level"]), _Tally(definitions))
        tally.counts[row["stage_at"].lower()] += row["n"]
        for i, d in enumerate(count_rates):
            tally.numerators[d.code] += row[f"rate{i}_num"]
            tally.denominators[d.code] += row[f"rate{i}_den"]
    investment_rates = [d for d in definitions if d.measure == RateDefinition.Measure.INVESTMENT]
    if investment_rates:
        planned, completed = _investments(projects, as_of=as_of, selections=[d.denominator for d in investment_rates])
        for key, tally in groups.items():
            for i, d in enumerate(investment_rates):
                tally.denominators[d.code] += planned.get(key, {}).get(i) or ZERO
                tally.numerators[d.code] += completed.get(key, {}).get(i) or ZERO
    return groups


_GROUP = ("project__unit_id", "project__level")


def _investments(
    projects: QuerySet[Project], *, as_of: datetime.date, selections: list[dict]
) -> tuple[dict[tuple[int, str], dict[int, Decimal | None]], dict[tuple[int, str], dict[int, Decimal | None]]]:
    """({(unit id, level): {i: planned}}, {(unit id, level): {i: reported}}) in 万元 for each selection i of the
    projects: the year's plans and the submitted or approved reports from January to the as-of month, each read once
    grouped by (unit, level), one conditional SUM per distinct selection — what queries.compute_rates sums for an
    investment rate (its denominator's projects' plans, and their reports), grouped one level finer."""
    distinct = list(dict.fromkeys(json.dumps(selection, sort_keys=True) for selection in selections))
    column = [distinct.index(json.dumps(selection, sort_keys=True)) for selection in selections]

    def sums(field_name: str) -> dict[str, Sum]:
        return {
            f"s{i}": Sum(
                field_name, filter=Q(project__in=projects.filter(to_q(json.loads(key), as_of=as_of)).values("pk"))
            )
            for i, key in enumerate(distinct)
        }

    def by_group(rows: Iterable[dict[str, Any]]) -> dict[tuple[int, str], dict[int, Decimal | None]]:
        return {(row[_GROUP[0]], row[_GROUP[1]]): {i: row[f"s{c}"] for i, c in enumerate(column)} for row in rows}

    planned = (
        AnnualPlan.objects.filter(project__in=projects.values("pk"), year=as_of.year)
        .order_by()
        .values(*_GROUP)
        .annotate(**sums("planned_investment"))
    )
    completed = (
        MonthlyReport.objects.filter(
            project__in=projects.values("pk"),
            period__month__gte=as_of.replace(month=1, day=1),
            period__month__lte=as_of,
            status__in=REPORTED_STATUSES,
        )
        .order_by()
        .values(*_GROUP)
        .annotate(**sums("investment_completed"))
    )
    return by_group(planned), by_group(completed)


def scope_label(*, unit_name: str | None, level: str | None) -> str:
    parts = [p for p in (unit_name, LEVEL_LABELS.get(level or "")) if p]
    return "、".join(parts)


def earlier_figures(snapshot: Snapshot, *, unit_id: int | None, level: str | None) -> dict[str, Any] | None:
    """The snapshot's figures for the unit and / or level: {"counts_by_stage", "rates"}; None when the snapshot was
    frozen before per-unit and per-level figures were kept (no "scopes")."""
    scopes = snapshot.data.get("scopes")
    if scopes is None:
        return None
    empty: dict[str, Any] = {"counts_by_stage": {}, "rates": {}}
    if unit_id and level:
        return scopes["by_unit"].get(str(unit_id), {}).get("by_level", {}).get(level, empty)
    if unit_id:
        return scopes["by_unit"].get(str(unit_id), empty)
    if level:
        return scopes["by_level"].get(level, empty)
    return snapshot.data["indicators"]


def compare_scoped(
    current: dict[str, Any], snapshot: Snapshot, *, unit_id: int | None, level: str | None, unit_name: str | None
) -> dict[str, Any]:
    """The CLI's `compare_to` for a scope: {"period", "scope": {"unit", "level"}, "counts_by_stage", "rates"} — the
    changes since the snapshot's figures for the same unit and / or level (snapshots.compare) — or, for a snapshot
    frozen without per-unit and per-level figures, the same keys with null changes and "not_compared" (Chinese).
    A scope absent from a snapshot that has "scopes" had no project then: zero in every stage, every rate "—"."""
    head: dict[str, Any] = {
        "period": f"{snapshot.period.month:%Y-%m}",
        "scope": {"unit": unit_name, "level": level.lower() if level else None},
    }
    earlier = earlier_figures(snapshot, unit_id=unit_id, level=level)
    if earlier is None:
        scope = scope_label(unit_name=unit_name, level=level)
        return {
            **head,
            "counts_by_stage": None,
            "rates": None,
            "not_compared": f"{snapshot.period}的快照冻结于按单位、按级别保存数字之前，没有{scope}的数字，不能比较；"
            "全域数字可去掉 --unit / --level 比较。",
        }
    return {**head, **snapshots.compare(current, earlier)}
