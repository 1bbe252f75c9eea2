"""Per-unit and per-level figures frozen in a snapshot, so that `tadiao indicators --compare-to` with `--unit` and /
or `--level` compares like with like (issue "The figures the meeting quotes", point 5).

A snapshot's data gets the key "scopes" (snapshots.snapshot_data, from the same (unit, level) tallies as the units'
rates it ranks: grouped.py):

    {"by_unit":  {"<unit id>": {"counts_by_stage", "rates", "by_level": {"<LEVEL>": {"counts_by_stage", "rates"}}}},
     "by_level": {"<LEVEL>": {"counts_by_stage", "rates"}}}

counts_by_stage and rates have the shapes of the whole region's figures (formatting.indicators_as_json), without the
stages that have no project and the rates over an empty set ("—"). Only units and levels with projects are stored:
a unit or a level missing from a snapshot that has "scopes" had no project then, and compares as zero projects with
every rate "—". A snapshot frozen before this has no "scopes": it is not compared, and the command says so in
Chinese.
"""

import datetime
from typing import Any

from django.db.models import QuerySet

from tadiao.indicators import grouped, snapshots
from tadiao.indicators.models import RateDefinition, Snapshot
from tadiao.projects.models import Level, Project

LEVEL_LABELS: dict[str, str] = dict(Level.choices)


def scoped_figures(
    projects: QuerySet[Project], *, as_of: datetime.date, definitions: list[RateDefinition]
) -> dict[str, Any]:
    """The "scopes" over `projects`: one query whatever the number of projects, units, levels or rates
    (grouped.tallies). snapshots.snapshot_data builds them (grouped.scopes_json) from the tallies it also ranks the
    units with."""
    return grouped.scopes_json(grouped.tallies(projects, as_of=as_of, definitions=definitions), definitions)


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
