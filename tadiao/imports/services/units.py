"""单位: create or update units, matched by name, all or nothing (系统管理员 only)."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.imports import parsing, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.imports.services.base import BATCH, Row, _chunks
from tadiao.imports.services.running import _progress, _succeed
from tadiao.imports.services.validation import _cell, _column_labels
from tadiao.lib import xlsx
from tadiao.org.models import Region, Unit

UNIT_FIELDS = ["name", "kind", "region", "display_order"]


def import_units(*, job: ImportJob, by, rows: Sequence[Row]) -> SheetOutcome:
    """Create or update units from the 单位 sheet (matched by name), all or nothing. 系统管理员 only."""
    columns = _column_labels(sheets.UNIT_COLUMNS)
    units = {xlsx.fold(u.name): u for u in Unit.objects.select_related("region")}
    codes = set()
    for row in rows:
        try:
            codes.add(parsing.parse_region_code(row.values.get("region")))
        except parsing.CellError:
            pass
    regions: dict[str, Region] = {}
    for chunk in _chunks(codes - {""}):
        regions.update((r.code, r) for r in Region.objects.filter(code__in=chunk))

    errors: dict[int, list[str]] = {}
    plans: list[tuple[Unit, bool, dict[str, Any]]] = []
    first: dict[str, int] = {}
    for done, row in enumerate(rows, start=1):
        row_errors: list[str] = []
        name = parsing.cell_text(row.values.get("name"))
        if not name:
            row_errors.append("单位名称不能为空。")
        elif name.startswith(sheets.EXAMPLE_MARK):
            row_errors.append(parsing.EXAMPLE_ROW_ERROR)
        elif len(name) > 100:
            row_errors.append(f"单位名称过长（{len(name)} 字），最多 100 字。")
        elif xlsx.fold(name) in first:
            row_errors.append(f"与第 {first[xlsx.fold(name)]} 行的单位名称重复。")
        else:
            first[xlsx.fold(name)] = row.line
        kind = _cell(row, "kind", columns["kind"], lambda v: parsing.parse_choice(
            v, choices=sheets.labels(Unit.Kind)), row_errors)
        if kind is None and parsing.cell_text(row.values.get("kind")) == "":
            row_errors.append("单位类型不能为空。")
        code = _cell(row, "region", columns["region"], parsing.parse_region_code, row_errors)
        region = regions.get(code) if code else None
        if code == "":
            row_errors.append("所属区划代码不能为空。")
        elif code and region is None:
            row_errors.append(f"所属区划代码“{code}”不存在，请先在行政区划中添加。")
        order = _cell(row, "display_order", columns["display_order"], parsing.parse_int, row_errors)
        _progress(job, done)
        if row_errors:
            errors[row.line] = row_errors
            continue
        values = {"name": name, "kind": kind, "region": region, "display_order": order or 0}
        unit = units.get(xlsx.fold(name))
        if unit is None:
            unit = Unit(**values)
            plans.append((unit, True, _unit_plain(unit)))
            continue
        old = _unit_plain(unit)
        values["name"] = unit.name  # matched folded: the stored spelling stays
        for key, value in values.items():
            setattr(unit, key, value)
        plans.append((unit, False, audit.diff(old, _unit_plain(unit))))

    if errors:
        return SheetOutcome(total=len(rows), errors=errors)
    created = [u for u, is_new, _ in plans if is_new]
    updated = [u for u, is_new, changes in plans if not is_new and changes]
    outcome = SheetOutcome(total=len(rows), created=len(created), updated=len(updated),
                      unchanged=len(plans) - len(created) - len(updated))
    with transaction.atomic():
        Unit.objects.bulk_create(created, batch_size=BATCH)
        if updated:
            Unit.objects.bulk_update(updated, ["kind", "region", "display_order"], batch_size=BATCH)
        audit.record_many(
            actor=by, actor_name="" if by else CLI_ACTOR,
            events=[("org.unit.created" if is_new else "org.unit.updated", unit, changes)
                    for unit, is_new, changes in plans if is_new or changes],
        )
        _succeed(job, by=by, outcome=outcome, noun="单位")
    return outcome


def _unit_plain(unit: Unit) -> dict[str, Any]:
    # The region by name and code: two townships may share a name.
    return {"name": unit.name, "kind": unit.kind, "region": f"{unit.region.name}（{unit.region.code}）",
            "display_order": unit.display_order}
