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
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from tadiao.indicators import queries, snapshots
from tadiao.indicators.formatting import rate_as_json
from tadiao.indicators.models import RateDefinition, Snapshot
from tadiao.org.models import Unit
from tadiao.projects.models import STAGE_ORDER, Level, Project

LEVEL_LABELS: dict[str, str] = dict(Level.choices)


def _empty_counts() -> dict[str, int]:
    return {stage.lower(): 0 for stage in STAGE_ORDER}


def _figures(counts: dict[str, int], rates: dict[str, queries.RateResult]) -> dict[str, Any]:
    """Kept small (a snapshot holds one per unit, level and unit × level): stages without projects and rates over an
    empty set ("—") are left out — snapshots.compare reads a missing stage as 0 and a missing rate as "—"."""
    return {
        "counts_by_stage": {stage: n for stage, n in counts.items() if n},
        "rates": {code: rate_as_json(r) for code, r in rates.items() if r.denominator},
    }


def scopes_section(*, units: list[Unit], as_of: datetime.date) -> dict[str, Any]:
    """The snapshot section "scopes" over every project (a snapshot is the whole region's; `units` is the section
    signature's, unused: a unit is stored when it has projects, active or not)."""
    return scoped_figures(Project.objects.all(), as_of=as_of, definitions=queries.active_definitions())


def scoped_figures(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition]
) -> dict[str, Any]:
    """The "scopes" of a snapshot (see the module doc).

    Queries: one GROUP BY (unit, level, stage reached) for every count, the rates per unit, then per level with
    projects (at most five) the level's rates and its rates per unit — each as many as queries.compute_rates makes
    (one for the count rates, two per investment rate), whatever the number of projects or units.
    """
    rows = (
        projects.order_by()
        .annotate(stage_at=queries.stage_at(as_of))
        .values("unit_id", "level", "stage_at")
        .annotate(n=Count("pk"))
    )
    by_unit: dict[int, dict[str, int]] = defaultdict(_empty_counts)
    by_level: dict[str, dict[str, int]] = defaultdict(_empty_counts)
    by_unit_level: dict[tuple[int, str], dict[str, int]] = defaultdict(_empty_counts)
    for row in rows:
        stage, n = row["stage_at"].lower(), row["n"]
        by_unit[row["unit_id"]][stage] += n
        by_level[row["level"]][stage] += n
        by_unit_level[(row["unit_id"], row["level"])][stage] += n
    rates_by_unit = queries.rates_by_unit(projects, as_of=as_of, definitions=definitions, unit_ids=list(by_unit))
    units: dict[str, dict[str, Any]] = {
        str(unit_id): {**_figures(counts, rates_by_unit[unit_id]), "by_level": {}}
        for unit_id, counts in by_unit.items()
    }
    levels: dict[str, dict[str, Any]] = {}
    for level in Level.values:
        if level not in by_level:
            continue
        scoped = projects.filter(level=level)
        levels[level] = _figures(by_level[level], queries.compute_rates(scoped, as_of=as_of, definitions=definitions))
        unit_ids = [unit_id for unit_id, lvl in by_unit_level if lvl == level]
        per_unit = queries.rates_by_unit(scoped, as_of=as_of, definitions=definitions, unit_ids=unit_ids)
        for unit_id in unit_ids:
            units[str(unit_id)]["by_level"][level] = _figures(by_unit_level[(unit_id, level)], per_unit[unit_id])
    return {"by_unit": units, "by_level": levels}


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
