"""年度计划: each row sets one project's planned investment for one year, all or nothing."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.imports import parsing, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.imports.services.base import BATCH, Row, _chunks, _lock_unchanged
from tadiao.imports.services.running import _succeed
from tadiao.imports.services.validation import _column_labels, _first_rows, _keyed_rows, _KeyedRow, _required
from tadiao.projects.models import AnnualPlan


def import_plans(*, job: ImportJob, by, rows: Sequence[Row]) -> SheetOutcome:
    """Create or update each row's AnnualPlan(project, year) with its 年度计划投资, all or nothing.

    Re-importing the same rows changes nothing and records no event.
    """
    columns = _column_labels(sheets.PLAN_COLUMNS)

    def parse(row: Row, errors: list[str]) -> dict[str, Any]:
        return {
            "year": _required(row, "year", columns["year"], parsing.parse_year, errors),
            "planned_investment": _required(row, "planned_investment", columns["planned_investment"],
                                            parsing.parse_money, errors),
        }

    parsed = _keyed_rows(job=job, by=by, rows=rows, parse=parse)
    _first_rows(parsed, lambda item: (item.project.pk, item.values["year"])
                if item.project is not None and item.values["year"] is not None else None,
                "与第 {line} 行是同一项目同一年度的计划，请合并为一行。")
    errors = {p.row.line: p.errors for p in parsed if p.errors}
    if errors:
        return SheetOutcome(total=len(rows), errors=errors)

    existing = _load_plans(parsed)
    created: list[tuple[AnnualPlan, dict[str, Any]]] = []
    updated: list[tuple[AnnualPlan, Decimal, dict[str, Any]]] = []
    for item in parsed:
        assert item.project is not None  # a row without its project has an error
        year, amount = item.values["year"], item.values["planned_investment"]
        plan = existing.get((item.project.pk, year))
        if plan is None:
            plan = AnnualPlan(project=item.project, year=year, planned_investment=amount)
            created.append((plan, audit.diff({}, {"planned_investment": amount})))
            continue
        changes = audit.diff({"planned_investment": plan.planned_investment}, {"planned_investment": amount})
        if changes:
            updated.append((plan, plan.planned_investment, changes))
            plan.planned_investment = amount
    outcome = SheetOutcome(total=len(rows), created=len(created), updated=len(updated),
                      unchanged=len(rows) - len(created) - len(updated))
    with transaction.atomic():
        # AnnualPlan has no version: the amount read stands in for it (someone may save the plan meanwhile).
        _lock_unchanged(AnnualPlan, {plan.pk: read for plan, read, _ in updated}, field="planned_investment",
                        noun="年度计划")
        AnnualPlan.objects.bulk_create([plan for plan, _ in created], batch_size=BATCH)
        if updated:
            AnnualPlan.objects.bulk_update([plan for plan, _, _ in updated], ["planned_investment"], batch_size=BATCH)
        audit.record_many(
            actor=by, actor_name="" if by else CLI_ACTOR,
            events=[("projects.annual_plan.saved", plan, changes) for plan, changes in created]
            + [("projects.annual_plan.saved", plan, changes) for plan, _, changes in updated],
        )
        _succeed(job, by=by, outcome=outcome, noun="年度计划")
    return outcome


def _load_plans(parsed: list[_KeyedRow]) -> dict[tuple[int, int], AnnualPlan]:
    """The existing plans of the rows' projects and years, by (project id, year), their projects attached."""
    projects = {item.project.pk: item.project for item in parsed if item.project is not None}
    years = sorted({item.values["year"] for item in parsed})
    found: dict[tuple[int, int], AnnualPlan] = {}
    for chunk in _chunks(projects):
        for plan in AnnualPlan.objects.filter(project_id__in=chunk, year__in=years).order_by():
            plan.project = projects[plan.project_id]
            found[(plan.project_id, plan.year)] = plan
    return found
