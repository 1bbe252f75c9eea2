"""Imports: store an uploaded workbook as a job, run it (read the sheet → validate every row → one write
transaction), and hand back an error workbook when any row is wrong. All or nothing.

Queries are bounded: reference data, existing projects and their tags are read in a fixed number of
queries (IN lists in chunks of IN_CHUNK), writes are bulk operations in batches of BATCH. The only
per-object audit events are written in batches through audit.record_many().
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.imports import parsing, queries, sheets
from tadiao.imports.models import ImportJob
from tadiao.lib import xlsx
from tadiao.org.models import Region, Unit
from tadiao.org.queries import units_in_scope
from tadiao.projects import lifecycle
from tadiao.projects.models import (
    DERIVED_TAGS,
    STAGE_DATE_FIELD,
    Category,
    Industry,
    Level,
    Nature,
    Project,
    Stage,
    StageTransition,
    Tag,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200  # rows between two progress saves the upload page can show
MAX_ROWS = 10000
IN_CHUNK = 2000  # values per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits
BATCH = 500
IMPORT_REASON = "台账导入"
CLI_ACTOR = "命令行导入"

# Project fields the ledger sets, in sheet order; investor/content only when the sheet has the column.
LEDGER_FIELDS = [
    "name", "code", "unit", "level", "category", "industry", "nature", "total_investment",
    "signed_date", "approved_date", "planned_started_date", "started_date", "planned_completed_date",
    "completed_date", "producing_date", "at_capacity_date",
]
OPTIONAL_FIELDS = ["investor", "content"]
DATE_FIELDS = [f for f in LEDGER_FIELDS if f.endswith("_date")]
FLAG_FIELDS = ["stage", "is_suspended", "suspended_reason", "is_cancelled", "cancelled_reason"]
UNIT_FIELDS = ["name", "kind", "region", "display_order"]


class ImportFailed(Exception):
    """An import that cannot go on as a whole (no such sheet, headers missing, not permitted, a concurrent
    edit). The message becomes the job's summary."""


@dataclass
class Row:
    """One data row of the sheet: its Excel row number and the raw cells by column key."""

    line: int
    values: dict[str, Any]


@dataclass
class Outcome:
    """What an import did, or, when `errors` is not empty, why it wrote nothing (row number → messages)."""

    total: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- jobs -------------------------------------------------------------------------------------------------

def create_job(*, kind: str, by, content: File, original_name: str) -> ImportJob:
    """Store the workbook under MEDIA_ROOT/imports/ as a queued job. The caller runs or enqueues it."""
    if kind not in ImportJob.Kind.values:
        raise ImportFailed("未知的导入类型。")
    job = ImportJob(kind=kind, created_by=by, original_name=(original_name or "upload.xlsx")[:255])
    job.file.save("upload.xlsx", content, save=False)
    job.save()
    return job


def run_import(*, job_id: int) -> ImportJob:
    """Run a queued job to its end: SUCCEEDED with counts, or FAILED with a summary (and an error
    workbook when rows were wrong). Never raises for bad input; a job already taken is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:  # a second delivery of the same task: the first one owns the job
        return job
    try:
        _run(job)
    except (ImportFailed, xlsx.XlsxError) as exc:
        _fail(job, summary=str(exc))
    except IntegrityError:
        logger.warning("import job %s hit a constraint while writing", job_id, exc_info=True)
        _fail(job, summary="导入时与他人同时进行的修改冲突（如项目名称或代码重复），未导入任何数据，请重新导入。")
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(job, summary="导入过程中发生内部错误，未导入任何数据。请联系系统管理员。")
    job.refresh_from_db()
    return job


def _run(job: ImportJob) -> None:
    sheet_name, columns, optional = sheets.sheet_for(job.kind)
    _check_allowed(job.created_by, job.kind)
    path = job.file.path
    xlsx.check_archive(path)  # again, before parsing: a job may not have come through the upload form
    raw = xlsx.read_sheet(path, sheet=sheet_name)
    header_index = xlsx.find_header_row(raw, marker=next(iter(columns.values()))[0])
    if header_index is None:
        raise ImportFailed(
            f"工作表“{sheet_name}”的前 10 行中找不到表头（应包含：{'、'.join(n[0] for n in columns.values())}）。"
        )
    positions, missing = xlsx.map_columns(raw[header_index], {**columns, **optional})
    missing = [name for name in missing if name not in {n[0] for n in optional.values()}]
    if missing:
        raise ImportFailed(f"工作表“{sheet_name}”缺少表头：{'、'.join(missing)}。请使用导入模板的表头。")
    rows = []
    for index in range(header_index + 1, len(raw)):
        cells = raw[index]
        if all(xlsx.is_blank(c) for c in cells):
            continue
        rows.append(Row(line=index + 1, values={
            key: (cells[pos] if pos < len(cells) else "") for key, pos in positions.items()
        }))
    if not rows:
        raise ImportFailed(f"工作表“{sheet_name}”中没有数据行。")
    if len(rows) > MAX_ROWS:
        raise ImportFailed(f"共 {len(rows)} 行，超过每次导入的上限 {MAX_ROWS} 行，请分批导入。")

    service = import_units if job.kind == ImportJob.Kind.UNITS else import_ledger
    outcome = service(job=job, by=job.created_by, rows=rows)
    if not outcome.ok:
        content = sheets.error_workbook(sheet_name=sheet_name, raw_rows=raw, header_index=header_index,
                                        errors=outcome.errors)
        job.error_file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(content), save=False)
        job.error_row_count = len(outcome.errors)
        job.progress_done = job.progress_total  # every row was checked
        job.save(update_fields=["error_file", "error_row_count", "progress_done"])
        raise ImportFailed(
            f"共 {outcome.total} 行，其中 {len(outcome.errors)} 行有错误，未导入任何数据。"
            "请下载错误报告，按“错误原因”列修改后重新导入。"
        )


def _fail(job: ImportJob, *, summary: str) -> None:
    job.status = ImportJob.Status.FAILED
    job.summary = summary
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "finished_at"])
    audit.record(actor=job.created_by, actor_name="" if job.created_by else CLI_ACTOR,
                 action=_action(job.kind), obj=job, result="FAILURE", message=summary)


def _action(kind: str) -> str:
    return "imports.units.imported" if kind == ImportJob.Kind.UNITS else "imports.ledger.imported"


def _check_allowed(by, kind: str) -> None:
    # None is the operator at the command line without --user: the server's own account may import all.
    if by is not None and kind not in queries.allowed_kinds(by):
        raise ImportFailed(f"{by} 无权导入{ImportJob.Kind(kind).label}数据。")


def _start_progress(job: ImportJob, total: int) -> None:
    job.progress_total, job.progress_done = total, 0
    ImportJob.objects.filter(pk=job.pk).update(progress_total=total, progress_done=0)


def _progress(job: ImportJob, done: int) -> None:
    if done % PROGRESS_EVERY == 0 and done < job.progress_total:
        job.progress_done = done
        ImportJob.objects.filter(pk=job.pk).update(progress_done=done)


def _succeed(job: ImportJob, *, by, outcome: Outcome, noun: str) -> None:
    job.status = ImportJob.Status.SUCCEEDED
    job.created_count, job.updated_count, job.unchanged_count = outcome.created, outcome.updated, outcome.unchanged
    job.progress_done = job.progress_total = outcome.total
    job.summary = (f"共 {outcome.total} 行：新增 {outcome.created} 个{noun}，更新 {outcome.updated} 个，"
                   f"未变化 {outcome.unchanged} 个。")
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "created_count", "updated_count", "unchanged_count", "progress_done",
                            "progress_total", "summary", "finished_at"])
    audit.record(actor=by, actor_name="" if by else CLI_ACTOR, action=_action(job.kind), obj=job, changes={
        "file": job.original_name, "rows": outcome.total, "created": outcome.created,
        "updated": outcome.updated, "unchanged": outcome.unchanged,
    })


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start:start + IN_CHUNK]


def _cell(row: Row, key: str, label: str, parse: Callable[[Any], Any], errors: list[str]) -> Any:
    try:
        return parse(row.values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{label}：{exc}")
        return None


# --- the project ledger -------------------------------------------------------------------------------

@dataclass
class _LedgerRow:
    row: Row
    errors: list[str]
    values: dict[str, Any] = field(default_factory=dict)  # model field → clean value (objects for FKs)
    status: str = sheets.STATUS_NORMAL
    tags: list[str] = field(default_factory=list)
    target: Project | None = None


@dataclass
class _LedgerContext:
    """What every row is checked against, read once per import."""

    optional: list[str]  # optional columns present in the sheet
    units: dict[str, Unit]  # by folded name
    industries: dict[str, Industry]  # by folded name
    writable: set[int] | None  # unit ids the importer may write; None: all
    reporter_only: bool
    columns: dict[str, str] = field(default_factory=lambda: {
        key: names[0] for key, names in {**sheets.LEDGER_COLUMNS, **sheets.LEDGER_OPTIONAL_COLUMNS}.items()
    })
    level: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Level), synonyms=sheets.LEVEL_SYNONYMS))
    category: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Category)))
    nature: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.labels(Nature), synonyms=sheets.NATURE_SYNONYMS))
    status: Callable[[Any], str | None] = field(default_factory=lambda: parsing.choice_parser(
        choices=sheets.STATUS_CHOICES, synonyms=sheets.STATUS_SYNONYMS))


def _writable_unit_ids(by) -> set[int] | None:
    """The units whose projects `by` may import; None: all (command line without --user)."""
    if by is None:
        return None
    if by.is_coordinator:
        return set(units_in_scope(by).values_list("pk", flat=True))
    if by.is_reporter and by.unit_id:
        return {by.unit_id}
    return set()


def import_ledger(*, job: ImportJob, by, rows: Sequence[Row]) -> Outcome:
    """Validate every row, then create/update all projects in one transaction, or write nothing.

    A row matches a project by 项目代码, else by (项目名称, 责任单位). Re-importing the same rows changes
    nothing. Raises ImportFailed when the import as a whole cannot run.
    """
    _check_allowed(by, ImportJob.Kind.LEDGER)
    _start_progress(job, len(rows))
    units = list(Unit.objects.all())
    industries = list(Industry.objects.all())
    ctx = _LedgerContext(
        optional=[f for f in OPTIONAL_FIELDS if rows and f in rows[0].values],
        units={xlsx.fold(u.name): u for u in units},
        industries={xlsx.fold(i.name): i for i in industries},
        writable=_writable_unit_ids(by),
        reporter_only=by is not None and not by.is_coordinator,
    )

    parsed = []
    for done, row in enumerate(rows, start=1):
        parsed.append(_parse_ledger_row(row, ctx))
        _progress(job, done)

    existing, tags_of = _load_projects(parsed, units={u.pk: u for u in units},
                                       industries={i.pk: i for i in industries})
    _match_projects(parsed, existing, ctx)
    errors = {p.row.line: p.errors for p in parsed if p.errors}
    if errors:
        return Outcome(total=len(rows), errors=errors)

    plans = [_plan(p, tags_of=tags_of, optional=ctx.optional) for p in parsed]
    outcome = Outcome(total=len(rows), created=sum(1 for p in plans if p.created),
                      updated=sum(1 for p in plans if not p.created and p.changes),
                      unchanged=sum(1 for p in plans if not p.created and not p.changes))
    with transaction.atomic():
        _write_projects(plans, by=by)
        _succeed(job, by=by, outcome=outcome, noun="项目")
    return outcome


def _parse_ledger_row(row: Row, ctx: _LedgerContext) -> _LedgerRow:
    """Every cell of one row, with every error of that row (no queries)."""
    columns, writable = ctx.columns, ctx.writable
    errors: list[str] = []
    result = _LedgerRow(row=row, errors=errors)
    values = result.values
    # Checked in column order, so the messages of a row read left to right like the sheet.
    name = parsing.cell_text(row.values.get("name"))
    if not name:
        errors.append("项目名称不能为空。")
    elif name.startswith(sheets.EXAMPLE_MARK):
        errors.append("这是导入模板中的示例行，请改写或删除后再导入。")
    elif len(name) > 200:
        errors.append(f"项目名称过长（{len(name)} 字），最多 200 字。")
    values["name"] = name

    values["code"] = _cell(row, "code", columns["code"], parsing.parse_project_code, errors)

    unit_name = parsing.cell_text(row.values.get("unit"))
    unit = ctx.units.get(xlsx.fold(unit_name)) if unit_name else None
    if not unit_name:
        errors.append("责任单位不能为空。")
    elif unit is None:
        errors.append(f"责任单位“{unit_name}”不存在，请核对单位名称（须与单位管理中的名称一致）。")
    elif not unit.is_active:
        errors.append(f"责任单位“{unit_name}”已停用。")
    elif writable is not None and unit.pk not in writable:
        errors.append(f"无权导入其他单位的项目（责任单位“{unit_name}”）。" if ctx.reporter_only
                      else f"无权导入其他单位的项目：责任单位“{unit_name}”不在您的管辖区域内。")
    values["unit"] = unit

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

    for name_ in ctx.optional:
        text = parsing.cell_text(row.values.get(name_))
        if name_ == "investor" and len(text) > 200:
            errors.append(f"{columns[name_]}过长，最多 200 字。")
        values[name_] = text
    return result


def _load_projects(parsed: list[_LedgerRow], *, units: dict[int, Unit], industries: dict[int, Industry]
                   ) -> tuple[list[Project], dict[int, list[str]]]:
    """Existing projects a row may refer to (by code or by name), and their tag names."""
    found: dict[int, Project] = {}
    codes = {p.values["code"] for p in parsed if p.values.get("code")}
    for chunk in _chunks(codes):
        found.update((p.pk, p) for p in Project.objects.filter(code__in=chunk).order_by())
    # By name only where the code did not settle it: a row whose code found the project of the same name
    # and unit cannot also name another project (name + unit is unique). A re-import skips this query.
    settled = {(p.name, p.unit_id) for p in found.values()}
    names = {p.values["name"] for p in parsed if p.values.get("name") and p.values.get("unit") is not None
             and (p.values["name"], p.values["unit"].pk) not in settled}
    for chunk in _chunks(names):
        found.update((p.pk, p) for p in Project.objects.filter(name__in=chunk).order_by())
    for project in found.values():
        # The units and industries already read: no select_related building thousands of copies.
        project.unit = units[project.unit_id]
        project.industry = industries.get(project.industry_id) if project.industry_id else None
    tags_of: dict[int, list[str]] = defaultdict(list)
    through = Project.tags.through
    for chunk in _chunks(found):
        for project_id, tag_name in through.objects.filter(project_id__in=chunk).values_list("project_id", "tag__name"):
            tags_of[project_id].append(tag_name)
    return list(found.values()), tags_of


def _match_projects(parsed: list[_LedgerRow], existing: list[Project], ctx: _LedgerContext) -> None:
    """Find each row's project; flag duplicates in the file, key conflicts and out-of-order dates."""
    writable, reporter_only = ctx.writable, ctx.reporter_only
    by_code = {p.code: p for p in existing if p.code}
    by_name_unit = {(p.name, p.unit_id): p for p in existing}
    first_code: dict[str, int] = {}
    first_key: dict[tuple[str, int], int] = {}
    first_target: dict[int, int] = {}
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
        if unit is None or not name or code is None or (writable is not None and unit.pk not in writable):
            continue  # cannot (or may not) be matched; its errors are already listed

        by_code_match = by_code.get(code) if code else None
        # Checked before anything names the project: a reporter must not learn what another unit owns.
        if by_code_match and writable is not None and by_code_match.unit_id not in writable:
            errors.append(f"无权导入其他单位的项目（项目代码 {code} 已被其他单位的项目使用）。" if reporter_only
                          else f"无权导入其他单位的项目：项目代码 {code} 已被辖区以外单位的项目使用。")
            continue
        by_name_match = by_name_unit.get((name, unit.pk))
        if by_code_match and by_name_match and by_code_match.pk != by_name_match.pk:
            errors.append(f"项目代码 {code} 属于已有项目“{by_code_match.name}”（{by_code_match.unit}），"
                          f"而“{name}”（{unit}）是另一个已有项目，两者冲突，请核对项目代码或名称。")
            continue
        target = by_code_match or by_name_match
        if target is None:
            continue
        if target.pk in first_target:
            errors.append(f"与第 {first_target[target.pk]} 行对应同一个已有项目“{target.name}”。")
            continue
        first_target[target.pk] = line
        item.target = target

    for item in parsed:
        item.errors.extend(lifecycle.date_order_errors(_merged_dates(item)))


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
        return _Plan(project=project, created=True, changes=new_plain, tags=tags, tags_changed=bool(tags),
                     transition=transition)

    old = audit.snapshot(target, fields) | {"tags": sorted(tags_of.get(target.pk, []))}
    changes = audit.diff(old, new_plain)
    flags_changed = (target.is_suspended, target.is_cancelled) != (suspended, cancelled)
    for name in fields:
        if name in changes:
            setattr(target, name, values[name])
    transition = None
    if "stage" in changes or flags_changed:
        transition = _transition(target, from_stage=old_stage, dates=dates,
                                 status=item.status if flags_changed else None)
    return _Plan(project=target, created=False, changes=changes, tags=tags, tags_changed="tags" in changes,
                 transition=transition)


def _transition(project: Project, *, from_stage: str, dates: dict[str, Any], status: str | None) -> StageTransition:
    reason = IMPORT_REASON if status is None else f"{IMPORT_REASON}：{status}"
    return StageTransition(project=project, kind=StageTransition.Kind.IMPORT, from_stage=from_stage,
                           to_stage=project.stage, actual_date=dates.get(project.stage), reason=reason)


def _write_projects(plans: list[_Plan], *, by) -> None:
    """The one write: tags, new projects, changed projects, their tag links, transitions, audit events."""
    now = timezone.now()
    created = [p for p in plans if p.created]
    updated = [p for p in plans if not p.created and p.changes]

    # Optimistic lock: a project edited by someone since it was read would otherwise be overwritten.
    if updated:
        read_versions = {p.project.pk: p.project.version for p in updated}
        for chunk in _chunks(read_versions):
            current = list(Project.objects.select_for_update().filter(pk__in=chunk).order_by()
                           .values_list("pk", "version"))
            stale = [pk for pk, version in current if version != read_versions[pk]]
            if stale or len(current) != len(chunk):
                raise ImportFailed("导入期间有项目被他人修改或删除，未导入任何数据，请稍后重新导入。")

    tag_ids = _tag_ids({name for p in plans if p.tags_changed for name in p.tags})

    if created:
        Project.objects.bulk_create([p.project for p in created], batch_size=BATCH)
    if updated:
        # A tags-only change bumps the version too: the project as a whole was edited.
        changed_fields = sorted({name for p in updated for name in p.changes if name != "tags"})
        for p in updated:
            p.project.version += 1
            p.project.updated_at = now
        Project.objects.bulk_update([p.project for p in updated], [*changed_fields, "version", "updated_at"],
                                    batch_size=BATCH)

    through = Project.tags.through
    relinked = [p for p in plans if p.tags_changed]
    for chunk in _chunks(p.project.pk for p in relinked if not p.created):
        through.objects.filter(project_id__in=chunk).delete()
    through.objects.bulk_create(
        [through(project_id=p.project.pk, tag_id=tag_ids[name]) for p in relinked for name in p.tags],
        batch_size=BATCH,
    )
    transitions = [p.transition for p in plans if p.transition is not None]
    for t in transitions:
        t.project_id, t.by, t.at = t.project.pk, by, now
    StageTransition.objects.bulk_create(transitions, batch_size=BATCH)

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


# --- units ----------------------------------------------------------------------------------------------

def import_units(*, job: ImportJob, by, rows: Sequence[Row]) -> Outcome:
    """Create or update units from the 单位 sheet (matched by name), all or nothing. 系统管理员 only."""
    _check_allowed(by, ImportJob.Kind.UNITS)
    _start_progress(job, len(rows))
    columns = {key: names[0] for key, names in sheets.UNIT_COLUMNS.items()}
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
            row_errors.append("这是导入模板中的示例行，请改写或删除后再导入。")
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
        return Outcome(total=len(rows), errors=errors)
    created = [u for u, is_new, _ in plans if is_new]
    updated = [u for u, is_new, changes in plans if not is_new and changes]
    outcome = Outcome(total=len(rows), created=len(created), updated=len(updated),
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
