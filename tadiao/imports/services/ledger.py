"""The project ledger (项目): create or update projects, their tags, stage transitions and 三个一批 entries,
all or nothing."""

import itertools
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.imports import parsing, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.imports.services.base import BATCH, ImportFailed, Row, _chunks
from tadiao.imports.services.running import _heartbeat, _succeed
from tadiao.imports.services.validation import (
    _cell,
    _check_unit,
    _column_labels,
    _load_projects,
    _ProjectIndex,
    _Scope,
)
from tadiao.lib import bulk, xlsx
from tadiao.projects import lifecycle
from tadiao.projects.models import (
    DERIVED_TAGS,
    STAGE_DATE_FIELD,
    ApprovalKind,
    Batch,
    BatchEntry,
    Category,
    Industry,
    Level,
    Nature,
    Project,
    ProjectApproval,
    Stage,
    StageTransition,
    Tag,
    stage_rank,
)
from tadiao.projects.queries import batch_entries_text

IMPORT_REASON = "台账导入"
CHUNK = 2000  # rows validated, then written, at a time: what memory holds of the sheet
CHANGED_MEANWHILE = "导入期间有项目被他人修改或删除，未导入任何数据，请稍后重新导入。"
BATCHES_CHANGED_MEANWHILE = "导入期间“三个一批”期次或列入情况被他人修改，未导入任何数据，请稍后重新导入。"

# Project fields the ledger sets, in sheet order; investor/content only when the sheet has the column.
LEDGER_FIELDS = [
    "name", "code", "unit", "level", "category", "industry", "nature", "total_investment",
    "signed_date", "approved_date", "planned_started_date", "started_date", "planned_completed_date",
    "completed_date", "producing_date", "at_capacity_date",
]
OPTIONAL_FIELDS = ["investor", "content"]
DATE_FIELDS = [f for f in LEDGER_FIELDS if f.endswith("_date")]
FLAG_FIELDS = ["stage", "is_suspended", "suspended_reason", "is_cancelled", "cancelled_reason"]


@dataclass
class _LedgerRow:
    row: Row
    errors: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # model field → clean value (objects for FKs)
    status: str = sheets.STATUS_NORMAL
    tags: list[str] = field(default_factory=list)
    target: Project | None = None
    # "三个一批" column: (期数, kind) as written (None: no such column, or a bad cell), and what the import adds.
    batch_entries: list[tuple[int, str]] | None = None
    new_batch_entries: list[tuple[Batch, str]] = field(default_factory=list)
    batches_text: tuple[str, str] = ("", "")  # the entries before → after, for the audit


@dataclass
class _LedgerContext:
    """What every row is checked against, read once per import."""

    optional: list[str]  # optional columns present in the sheet
    has_batches: bool  # the sheet has the column 三个一批
    scope: _Scope
    industries: dict[str, Industry]  # by folded name
    industries_by_id: dict[int, Industry]
    # Across chunks: the first line of each 项目代码, of each (项目名称, 责任单位 pk) and of each matched project.
    first_code: dict[str, int] = field(default_factory=dict)
    first_key: dict[tuple[str, int], int] = field(default_factory=dict)
    first_target: dict[int, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=lambda: _column_labels(sheets.LEDGER_COLUMNS,
                                                                          sheets.LEDGER_OPTIONAL_COLUMNS))
    level: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Level), synonyms=sheets.LEVEL_SYNONYMS))
    category: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Category)))
    nature: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Nature), synonyms=sheets.NATURE_SYNONYMS))
    status: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.STATUS_CHOICES, synonyms=sheets.STATUS_SYNONYMS))


def import_ledger(*, job: ImportJob, by, rows: Callable[[], Iterable[Row]]) -> SheetOutcome:
    """Validate every row, then create/update all projects in one transaction, or write nothing.

    A row matches a project by 项目代码, else by (项目名称, 责任单位). Re-importing the same rows changes
    nothing. Raises ImportFailed when the import as a whole cannot run.

    `rows()` hands the sheet's rows out one at a time and is called twice; they are handled CHUNK at a time, so
    memory holds one chunk's rows, projects and audit events whatever the length of the sheet:

    1. validation, outside any transaction (its progress and heartbeat are seen by the job page and the
       recovery): each chunk is parsed and matched against the projects as they are (one look-up per chunk);
       what later rows are checked against is kept small: the keys already seen, and per row the pk and version
       of the project it matched. Any wrong row: nothing is written, the errors are returned.
    2. the write, in one transaction: each chunk is parsed again, its projects read by pk and locked (refused
       when one changed since the validation: the optimistic lock), then written in bulk with its audit events.
    """
    first = next(iter(rows()), None)
    scope = _Scope.load(by)
    industries = list(Industry.objects.all())
    ctx = _LedgerContext(
        optional=[f for f in OPTIONAL_FIELDS if first is not None and f in first.values],
        has_batches=first is not None and "batches" in first.values,
        scope=scope,
        industries={xlsx.fold(i.name): i for i in industries},
        industries_by_id={i.pk: i for i in industries},
    )

    errors: dict[int, list[str]] = {}
    targets, versions = array("q"), array("q")  # per data row: the matched project's pk and version, 0 when new
    total = 0
    for chunk in _in_chunks(rows()):
        parsed = [_parse_ledger_row(row, ctx) for row in chunk]
        total += len(chunk)
        if total < job.progress_total:  # "已处理 N / M 行" on the job page, and the lease renewed, once a chunk
            job.progress_done = total
            _heartbeat(job, progress_done=total)
        existing = _load_projects(((p.values.get("code"), p.values["name"], p.values.get("unit")) for p in parsed),
                                  units=scope.units_by_id)
        _match_projects(parsed, _ProjectIndex(existing), ctx)
        if ctx.has_batches:
            _check_batch_entries(parsed, by=by)
        if by is not None and not by.is_coordinator:
            _check_stage_skips(parsed)
        for item in parsed:
            if item.errors:
                errors[item.row.line] = item.errors
            targets.append(item.target.pk if item.target is not None else 0)
            versions.append(item.target.version if item.target is not None else 0)
    if errors:
        return SheetOutcome(total=total, errors=errors)
    # Validated: the page shows every row checked while the write runs (its progress is in the transaction).
    job.progress_done = job.progress_total = total
    _heartbeat(job, progress_done=total, progress_total=total)

    outcome = SheetOutcome(total=total)
    with transaction.atomic():
        done = 0
        for chunk in _in_chunks(rows()):
            parsed = [_parse_ledger_row(row, ctx) for row in chunk]
            _attach_targets(parsed, targets[done:done + len(chunk)], versions[done:done + len(chunk)], ctx)
            done += len(chunk)
            if ctx.has_batches:
                _check_batch_entries(parsed, by=by)
            if any(item.errors for item in parsed):  # only what changed since the validation can cause this
                raise ImportFailed(BATCHES_CHANGED_MEANWHILE)
            tags_of = _load_tags([item.target for item in parsed if item.target is not None])
            plans = [_plan(p, tags_of=tags_of, optional=ctx.optional) for p in parsed]
            for plan in plans:
                if plan.created:
                    outcome.created += 1
                elif plan.changes:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
            _write_projects(plans, by=by)
        _succeed(job, by=by, outcome=outcome, noun="项目")
    return outcome


def _in_chunks(rows: Iterable[Row]) -> Iterator[list[Row]]:
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _attach_targets(parsed: list[_LedgerRow], pks: Sequence[int], versions: Sequence[int], ctx: _LedgerContext
                    ) -> None:
    """Give each row of a chunk the project it matched in the validation, read again by pk and locked (one query);
    refuse the import when one of them was changed or deleted since (its version moved on)."""
    wanted = {pk: version for pk, version in zip(pks, versions, strict=True) if pk}
    found = {}
    for project in Project.objects.select_for_update().filter(pk__in=list(wanted)).order_by() if wanted else ():
        if project.version != wanted[project.pk]:
            raise ImportFailed(CHANGED_MEANWHILE)
        project.unit = ctx.scope.units_by_id[project.unit_id]
        project.industry = ctx.industries_by_id.get(project.industry_id) if project.industry_id else None
        found[project.pk] = project
    if len(found) != len(wanted):
        raise ImportFailed(CHANGED_MEANWHILE)
    for item, pk in zip(parsed, pks, strict=True):
        item.target = found[pk] if pk else None


def _parse_ledger_row(row: Row, ctx: _LedgerContext) -> _LedgerRow:
    """Every cell of one row, with every error of that row (no queries)."""
    columns = ctx.columns
    errors: list[str] = []
    result = _LedgerRow(row=row, errors=errors)
    values = result.values
    # Checked in column order, so the messages of a row read left to right like the sheet.
    name = parsing.cell_text(row.values.get("name"))
    if not name:
        errors.append("项目名称不能为空。")
    elif name.startswith(sheets.EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
    elif len(name) > 200:
        errors.append(f"项目名称过长（{len(name)} 字），最多 200 字。")
    values["name"] = name

    values["code"] = _cell(row, "code", columns["code"], parsing.parse_project_code, errors)

    values["unit"] = _check_unit(parsing.cell_text(row.values.get("unit")), ctx.scope, errors)

    values["level"] = _cell(row, "level", columns["level"], ctx.level, errors) or Level.COUNTY
    values["category"] = _cell(row, "category", columns["category"], ctx.category, errors) or Category.INDUSTRY

    industry_name = parsing.cell_text(row.values.get("industry"))
    values["industry"] = ctx.industries.get(xlsx.fold(industry_name)) if industry_name else None
    if industry_name and values["industry"] is None:
        errors.append(f"主导产业“{industry_name}”不在主导产业目录中。")
    values["nature"] = _cell(row, "nature", columns["nature"], ctx.nature, errors) or Nature.NEW

    money = _cell(row, "total_investment", columns["total_investment"], parsing.parse_money, errors)
    values["total_investment"] = money if money is not None else Decimal("0.00")

    for name_ in DATE_FIELDS:
        values[name_] = _cell(row, name_, columns[name_], parsing.parse_date, errors)
    if (values["planned_started_date"] and values["planned_completed_date"]
            and values["planned_completed_date"] < values["planned_started_date"]):
        errors.append(f"计划竣工日期（{values['planned_completed_date']:%Y-%m-%d}）不能早于计划开工日期"
                      f"（{values['planned_started_date']:%Y-%m-%d}）。")
    result.status = _cell(row, "status", columns["status"], ctx.status, errors) or sheets.STATUS_NORMAL

    for tag in parsing.split_tags(row.values.get("tags")):
        if tag in DERIVED_TAGS:  # computed from 总投资; an exported ledger carries them, so skip quietly
            continue
        if len(tag) > 30:
            errors.append(f"标签“{tag[:30]}…”过长，每个标签最多 30 字。")
        else:
            result.tags.append(tag)

    if ctx.has_batches:
        result.batch_entries = _cell(row, "batches", columns["batches"], parsing.parse_batch_entries, errors)

    for name_ in ctx.optional:
        text = parsing.cell_text(row.values.get(name_))
        if name_ == "investor" and len(text) > 200:
            errors.append(f"{columns[name_]}过长，最多 200 字。")
        values[name_] = text
    return result


def _load_tags(projects: list[Project]) -> dict[int, list[str]]:
    """The tag names of existing projects."""
    tags_of: dict[int, list[str]] = defaultdict(list)
    through = Project.tags.through
    for chunk in _chunks(p.pk for p in projects):
        for project_id, tag_name in through.objects.filter(project_id__in=chunk).values_list("project_id", "tag__name"):
            tags_of[project_id].append(tag_name)
    return tags_of


def _match_projects(parsed: list[_LedgerRow], index: _ProjectIndex, ctx: _LedgerContext) -> None:
    """Find each row's project; flag duplicates in the file (with the rows of earlier chunks), key conflicts and
    out-of-order dates."""
    first_code, first_key, first_target, scope = ctx.first_code, ctx.first_key, ctx.first_target, ctx.scope
    for item in parsed:
        values, errors, line = item.values, item.errors, item.row.line
        code, name, unit = values.get("code"), values["name"], values["unit"]
        if code:
            if code in first_code:
                errors.append(f"与第 {first_code[code]} 行的项目代码重复（{code}）。")
            else:
                first_code[code] = line
        if name and unit is not None:
            if (name, unit.pk) in first_key:
                errors.append(f"与第 {first_key[(name, unit.pk)]} 行的项目名称和责任单位重复。")
            else:
                first_key[(name, unit.pk)] = line
        if unit is None or not name or code is None or not scope.may_write(unit.pk):
            continue  # cannot (or may not) be matched; its errors are already listed
        target = index.match(code=code, name=name, unit=unit, scope=scope, errors=errors)
        if target is None:
            continue
        if target.pk in first_target:
            errors.append(f"与第 {first_target[target.pk]} 行对应同一个已有项目“{target.name}”。")
            continue
        first_target[target.pk] = line
        item.target = target

    for item in parsed:
        item.errors.extend(lifecycle.date_order_errors(_merged_dates(item)))


def _check_stage_skips(parsed: list[_LedgerRow]) -> None:
    """A reporter's row may not move a project past a stage without its date (a 开工日期 with no 立项日期), nor to
    开工 before the approvals required before start are 已办结/容缺受理 — the rule of the stage form (issue 15);
    the office's imports go on, recorded as 导入 transitions. Two queries whatever the number of rows."""
    moves = []
    for item in parsed:
        if item.errors:
            continue
        dates = _merged_dates(item)
        implied = lifecycle.stage_implied_by_dates(dates)
        old = item.target.stage if item.target is not None else Stage.RESERVE
        if implied and stage_rank(implied) > stage_rank(old):
            moves.append((item, old, implied, dates))
    if not any(lifecycle.crosses_start(old, implied) for _, old, implied, _ in moves):
        required = []
    else:
        required = list(ApprovalKind.objects.filter(is_active=True, required_before_start=True))
    done: dict[int, set[int]] = defaultdict(set)
    targets = [item.target.pk for item, old, implied, _ in moves
               if item.target is not None and required and lifecycle.crosses_start(old, implied)]
    for chunk in _chunks(targets):
        for project_id, kind_id in ProjectApproval.objects.filter(
            project_id__in=chunk, kind__in=required,
            status__in=[ProjectApproval.Status.DONE, ProjectApproval.Status.ACCEPTED_WITH_GAPS],
        ).values_list("project_id", "kind_id"):
            done[project_id].add(kind_id)
    for item, old, implied, dates in moves:
        stages = lifecycle.stages_passed_without_date(from_stage=old, to_stage=implied, dates=dates)
        approvals = []
        if lifecycle.crosses_start(old, implied):
            have = done[item.target.pk] if item.target is not None else set()
            approvals = [(kind.name, "未办结") for kind in required if kind.pk not in have]
        if stages or approvals:
            item.errors.append(
                f"不能导入为{Stage(implied).label}：{lifecycle.gaps_text(stages, approvals)}。"
                "请补齐日期、办结（或容缺受理）前期手续后再导入，或由重点项目办（调度员）导入。"
            )


def _check_batch_entries(parsed: list[_LedgerRow], *, by) -> None:
    """The 三个一批 entries of each row: the 期 must exist; what is not yet entered will be added (only the
    office enters projects into batches); entries missing from the cell are left alone — removing one is done
    on the 三个一批 page, where it is seen. Two queries (the batches, the matched projects' entries)."""
    batches = {b.number: b for b in Batch.objects.all()}
    existing: dict[int, set[tuple[int, str]]] = defaultdict(set)
    targets = [item.target.pk for item in parsed if item.target is not None and item.batch_entries]
    for chunk in _chunks(targets):
        for project_id, number, kind in BatchEntry.objects.filter(project_id__in=chunk).values_list(
            "project_id", "batch__number", "kind"
        ):
            existing[project_id].add((number, kind))
    for item in parsed:
        if not item.batch_entries:
            continue
        unknown = sorted({n for n, _ in item.batch_entries if n not in batches})
        if unknown:
            item.errors.append("“三个一批”" + "、".join(f"第{n}期" for n in unknown)
                               + "尚未创建，请先在“三个一批”页面创建该期次。")
            continue
        before = existing[item.target.pk] if item.target is not None else set()
        added = [(n, k) for n, k in item.batch_entries if (n, k) not in before]
        if added and by is not None and not by.is_coordinator:
            item.errors.append(f"列入“三个一批”需由调度员（重点项目办）操作：{batch_entries_text(added)}。")
            continue
        item.new_batch_entries = [(batches[n], k) for n, k in added]
        item.batches_text = (batch_entries_text(before), batch_entries_text(before | set(added)))


def _merged_dates(item: _LedgerRow) -> dict[str, Any]:
    """Actual stage dates after the import: the sheet's, and the project's own for stages not in the sheet."""
    dates = {}
    for stage, name in STAGE_DATE_FIELD.items():
        if name in item.values:
            dates[stage] = item.values[name]
        else:
            dates[stage] = getattr(item.target, name) if item.target else None
    return dates


@dataclass
class _Plan:
    project: Project
    created: bool
    changes: dict[str, Any]  # for a new project its values; for an update {field: [old, new]}
    tags: list[str]
    tags_changed: bool
    transition: StageTransition | None
    batch_entries: list[tuple[Batch, str]] = field(default_factory=list)  # "三个一批" entries to add


def _plan(item: _LedgerRow, *, tags_of: dict[int, list[str]], optional: list[str]) -> _Plan:
    """What the write will do for one valid row: the new or changed project, its tags and transition."""
    target, values = item.target, dict(item.values)
    if target is not None and not values["code"]:
        values["code"] = target.code  # an empty cell keeps the code already known (ledgers often lack it)
    dates = _merged_dates(item)
    implied = lifecycle.stage_implied_by_dates(dates)
    old_stage = target.stage if target else Stage.RESERVE
    values["stage"] = implied or old_stage
    suspended = item.status == sheets.STATUS_SUSPENDED
    cancelled = item.status == sheets.STATUS_CANCELLED
    values["is_suspended"], values["is_cancelled"] = suspended, cancelled
    # A reason entered by hand is kept; a flag set by the import says so.
    values["suspended_reason"] = (target.suspended_reason if target and target.is_suspended else IMPORT_REASON
                                  ) if suspended else ""
    values["cancelled_reason"] = (target.cancelled_reason if target and target.is_cancelled else IMPORT_REASON
                                  ) if cancelled else ""
    tags = sorted(item.tags)
    fields = LEDGER_FIELDS + optional + FLAG_FIELDS
    new_plain = {name: values[name] for name in fields} | {"tags": tags}

    if target is None:
        project = Project(**{name: values[name] for name in fields})
        flagged = suspended or cancelled
        transition = _transition(project, from_stage=Stage.RESERVE, dates=dates,
                                 status=item.status if flagged else None) if (
            project.stage != Stage.RESERVE or flagged) else None
        if item.new_batch_entries:
            new_plain["batches"] = item.batches_text[1]
        return _Plan(project=project, created=True, changes=new_plain, tags=tags, tags_changed=bool(tags),
                     transition=transition, batch_entries=item.new_batch_entries)

    old = audit.snapshot(target, fields) | {"tags": sorted(tags_of.get(target.pk, []))}
    changes = audit.diff(old, new_plain)
    if item.new_batch_entries:
        changes["batches"] = list(item.batches_text)
    flags_changed = (target.is_suspended, target.is_cancelled) != (suspended, cancelled)
    for name in fields:
        if name in changes:
            setattr(target, name, values[name])
    transition = None
    if "stage" in changes or flags_changed:
        transition = _transition(target, from_stage=old_stage, dates=dates,
                                 status=item.status if flags_changed else None)
    return _Plan(project=target, created=False, changes=changes, tags=tags, tags_changed="tags" in changes,
                 transition=transition, batch_entries=item.new_batch_entries)


def _transition(project: Project, *, from_stage: str, dates: dict[str, Any], status: str | None) -> StageTransition:
    reason = IMPORT_REASON if status is None else f"{IMPORT_REASON}：{status}"
    return StageTransition(project=project, kind=StageTransition.Kind.IMPORT, from_stage=from_stage,
                           to_stage=project.stage, actual_date=dates.get(project.stage), reason=reason)


def _write_projects(plans: list[_Plan], *, by) -> None:
    """The one write: tags, new projects, changed projects, their tag links, transitions, audit events."""
    now = timezone.now()
    created = [p for p in plans if p.created]
    updated = [p for p in plans if not p.created and p.changes]

    # The optimistic lock was taken as the chunk's projects were read (_attach_targets).
    tag_ids = _tag_ids({name for p in plans if p.tags_changed for name in p.tags})

    if created:
        # Inserted without the ORM's per-value SQL assembly (lib.bulk), then their pks read back by name and unit
        # (unique together): one statement each per chunk.
        projects = [p.project for p in created]
        bulk.insert(Project, projects)
        pks = {(name, unit_id): pk for name, unit_id, pk in Project.objects.filter(
            name__in=[p.name for p in projects]).order_by().values_list("name", "unit_id", "pk")}
        for project in projects:
            project.pk = pks[(project.name, project.unit_id)]
            project._state.adding, project._state.db = False, Project.objects.db
    if updated:
        # A tags-only change bumps the version too: the project as a whole was edited.
        changed_fields = sorted({name for p in updated for name in p.changes if name not in ("tags", "batches")})
        for p in updated:
            p.project.version += 1
            p.project.updated_at = now
        Project.objects.bulk_update([p.project for p in updated], [*changed_fields, "version", "updated_at"],
                                    batch_size=BATCH)

    through = Project.tags.through
    relinked = [p for p in plans if p.tags_changed]
    for chunk in _chunks(p.project.pk for p in relinked if not p.created):
        through.objects.filter(project_id__in=chunk).delete()
    bulk.insert(through, [through(project_id=p.project.pk, tag_id=tag_ids[name]) for p in relinked for name in p.tags])
    transitions = [p.transition for p in plans if p.transition is not None]
    for t in transitions:
        t.project_id, t.by, t.at = t.project.pk, by, now
    bulk.insert(StageTransition, transitions)
    BatchEntry.objects.bulk_create(
        [BatchEntry(batch=batch, project_id=p.project.pk, kind=kind) for p in plans for batch, kind in p.batch_entries],
        batch_size=BATCH,
    )

    audit.record_many(
        actor=by, actor_name="" if by else CLI_ACTOR,
        events=[("projects.project.created", p.project, p.changes) for p in created]
        + [("projects.project.updated", p.project, p.changes) for p in updated],
    )


def _tag_ids(names: set[str]) -> dict[str, int]:
    """Tag name → id, creating the tags not known yet (tags are a free list)."""
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        ids.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
    missing = names - set(ids)
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in sorted(missing)], ignore_conflicts=True, batch_size=BATCH)
        for chunk in _chunks(sorted(missing)):
            ids.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
    return ids
