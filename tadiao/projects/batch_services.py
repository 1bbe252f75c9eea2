"""Writes of the two project lists the office keeps beside the registry: the periods of “三个一批” (a batch and
its entries) and the special-purpose bonds (专项债). Each write is one transaction with its audit event."""

import datetime
from decimal import Decimal

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.org.models import User
from tadiao.projects.models import Batch, BatchEntry, BondApplication, BondBatch, Project
from tadiao.projects.services import ProjectError, upsert


@transaction.atomic
def create_batch(*, number: int, date: datetime.date, note: str = "", by: User) -> Batch:
    if not by.is_coordinator:
        raise ProjectError("“三个一批”期次需由调度员（重点项目办）创建。")
    if Batch.objects.filter(number=number).exists():
        raise ProjectError(f"第{number}期已存在。")
    batch = Batch.objects.create(number=number, date=date, note=note)
    audit.record(
        actor=by,
        action="projects.batch.created",
        obj=batch,
        changes={"number": [None, number], "date": [None, date], "note": [None, note]},
    )
    return batch


@transaction.atomic
def add_batch_entry(*, batch: Batch, project: Project, kind: str, by: User) -> BatchEntry:
    if not by.is_coordinator:
        raise ProjectError("列入“三个一批”需由调度员（重点项目办）操作。")
    if kind not in BatchEntry.Kind.values:
        raise ProjectError("未知的类别，应为签约一批、开工一批或投产一批。")
    if BatchEntry.objects.filter(batch=batch, project=project, kind=kind).exists():
        raise ProjectError(f"{project.name}已列入{batch}{BatchEntry.Kind(kind).label}。")
    entry = BatchEntry.objects.create(batch=batch, project=project, kind=kind)
    audit.record(
        actor=by,
        action="projects.batch_entry.added",
        obj=entry,
        changes={"batch": [None, str(batch)], "project": [None, project.name], "kind": [None, kind]},
    )
    return entry


@transaction.atomic
def remove_batch_entry(*, entry: BatchEntry, by: User) -> None:
    if not by.is_coordinator:
        raise ProjectError("移出“三个一批”需由调度员（重点项目办）操作。")
    audit.record(
        actor=by,
        action="projects.batch_entry.removed",
        obj=entry,
        changes={"batch": [str(entry.batch), None], "project": [entry.project.name, None], "kind": [entry.kind, None]},
    )
    entry.delete()


# Special-purpose bonds (专项债)


@transaction.atomic
def create_bond_batch(*, name: str, year: int, by: User) -> BondBatch:
    if not by.is_coordinator:
        raise ProjectError("专项债批次需由调度员（重点项目办）创建。")
    name = name.strip()
    if not name:
        raise ProjectError("请填写批次名称，例如“2026年提前批”。")
    if BondBatch.objects.filter(name=name).exists():
        raise ProjectError(f"批次“{name}”已存在。")
    batch = BondBatch.objects.create(name=name, year=year)
    audit.record(
        actor=by, action="projects.bond_batch.created", obj=batch, changes={"name": [None, name], "year": [None, year]}
    )
    return batch


@transaction.atomic
def save_bond_application(
    *,
    project: Project,
    batch: BondBatch,
    requested: Decimal,
    issued: Decimal,
    issued_date: datetime.date | None,
    spent: Decimal,
    by: User,
) -> BondApplication:
    """The coordinator enters requested / issued / issue date; the project's own unit may update only what it spent."""
    if not by.is_coordinator and not (by.is_reporter and by.unit_id and project.unit_id == by.unit_id):
        raise ProjectError("专项债只能由调度员或项目的责任单位填报；您只能更新本单位项目的已支出金额。")
    if min(requested, issued, spent) < 0:
        raise ProjectError("专项债金额不能为负数。")
    if spent > issued:
        raise ProjectError("已支出不能超过下达额度。")
    if issued > 0 and issued_date is None:
        raise ProjectError("有下达额度时请填写下达日期。")
    current = BondApplication.objects.filter(project=project, batch=batch).first()
    if not by.is_coordinator:
        if current is None:
            raise ProjectError("专项债申报和额度由调度员录入；本单位只能更新已支出金额。")
        if (current.requested, current.issued, current.issued_date) != (requested, issued, issued_date):
            raise ProjectError("申报金额、下达额度和下达日期只能由调度员修改；本单位只能更新已支出金额。")
    return upsert(
        BondApplication,
        lookup={"project": project, "batch": batch},
        values={"requested": requested, "issued": issued, "issued_date": issued_date, "spent": spent},
        action="projects.bond.saved",
        by=by,
    )
