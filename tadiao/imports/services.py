"""Imports: store an uploaded workbook as a job, run it (read the sheet → validate every row → one write
transaction), and hand back an error workbook when any row is wrong. All or nothing.

Four sheets: the project ledger (项目), annual plans (年度计划), monthly progress (月度进展) and units (单位).
A row of the ledger, of 年度计划 and of 月度进展 finds its project by one rule (_ProjectIndex.match).

Queries are bounded: reference data, existing projects and their tags, plans or reports are read in a fixed
number of queries (IN lists in chunks of IN_CHUNK), writes are bulk operations in batches of BATCH. The
per-object audit events are written in batches through audit.record_many().
"""

import datetime
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
from tadiao.imports import parsing, queries, registry, sheets
from tadiao.imports.models import ImportJob
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome
from tadiao.lib import leases, xlsx
from tadiao.org.models import Region, Unit
from tadiao.projects import lifecycle
from tadiao.projects.models import (
    DERIVED_TAGS,
    STAGE_DATE_FIELD,
    AnnualPlan,
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
from tadiao.reporting import services as reporting
from tadiao.reporting.models import MonthlyReport, Period

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200  # rows between two progress saves the upload page can show
MAX_ROWS = 10000
IN_CHUNK = 2000  # values per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits
BATCH = 500
IMPORT_REASON = "台账导入"
# What a constraint hit while writing most likely was, by import kind.
CONFLICT_EXAMPLES = {
    ImportJob.Kind.LEDGER: "如项目名称或代码重复",
    ImportJob.Kind.PLANS: "如他人同时录入了同一项目同一年度的计划",
    ImportJob.Kind.PROGRESS: "如他人同时填报了同一项目同一月份的月报",
    ImportJob.Kind.UNITS: "如单位名称重复",
    ImportJob.Kind.TRIPS: "如他人同时登记了同一次外出招商",
    ImportJob.Kind.ECONOMY: "如他人同时录入了同一区划同一期间的指标",
}

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


INTERRUPTED = "后台任务进程中断，请重新导入。未导入任何数据。"


class ImportFailed(Exception):
    """An import that cannot go on as a whole (no such sheet, headers missing, not permitted, a concurrent
    edit). The message becomes the job's summary."""


class JobLost(Exception):
    """The job was taken from this run (failed by the recovery after its lease lapsed): stop, write nothing."""


@dataclass
class Row:
    """One data row of the sheet: its Excel row number and the raw cells by column key."""

    line: int
    values: dict[str, Any]


# --- jobs -------------------------------------------------------------------------------------------------

def create_job(*, kind: str, by, content: File, original_name: str) -> ImportJob:
    """Store the workbook under MEDIA_ROOT/imports/ as a queued job. The caller runs or enqueues it."""
    if kind not in ImportJob.Kind.values:
        raise ImportFailed("未知的导入类型。")
    job = ImportJob(kind=kind, created_by=by, original_name=(original_name or "upload.xlsx")[:255])
    job.file.save("upload.xlsx", content, save=False)
    job.save()
    return job


def run_import(*, job_id: int, today: datetime.date) -> ImportJob:
    """Run a queued job to its end: SUCCEEDED with counts, or FAILED with a summary (and an error
    workbook when rows were wrong). Never raises for bad input; a job already taken is left alone.

    `today` is the date the user asked for the import (月度进展 refuses months after it).
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, worker=leases.worker_identity(), heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:  # a second delivery of the same task: the first one owns the job
        return job
    try:
        _run(job, today=today)
    except JobLost:
        logger.warning("import job %s was failed by the recovery while it ran; its writes were rolled back", job_id)
    except (ImportFailed, xlsx.XlsxError) as exc:
        _fail(job, summary=str(exc))
    except IntegrityError:
        logger.warning("import job %s hit a constraint while writing", job_id, exc_info=True)
        example = CONFLICT_EXAMPLES.get(job.kind, "如他人同时录入了同一数据")
        _fail(job, summary=f"导入时与他人同时进行的修改冲突（{example}），未导入任何数据，请重新导入。")
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(job, summary="导入过程中发生内部错误，未导入任何数据。请联系系统管理员。")
    job.refresh_from_db()
    return job


def _run(job: ImportJob, *, today: datetime.date) -> None:
    sheet_name, columns, optional = sheets.sheet_for(job.kind)
    _check_allowed(job.created_by, job.kind)
    path = job.file.path
    xlsx.check_archive(path)  # again, before parsing: a job may not have come through the upload form
    raw = xlsx.read_sheet(path, sheet=sheet_name)
    # The first required column marks the header row, under any of its accepted names.
    found = [xlsx.find_header_row(raw, marker=name) for name in next(iter(columns.values()))]
    header_index = min((index for index in found if index is not None), default=None)
    if header_index is None:
        raise ImportFailed(
            f"工作表“{sheet_name}”的前 10 行中找不到表头（应包含：{'、'.join(n[0] for n in columns.values())}）。"
        )
    positions, missing = xlsx.map_columns(raw[header_index], {**columns, **optional})
    missing = [name for name in missing if name not in {n[0] for n in optional.values()}]
    if missing:
        raise ImportFailed(f"工作表“{sheet_name}”缺少表头：{'、'.join(missing)}。请使用导入模板的表头。")
    if job.kind in sheets.PROJECT_KEY_KINDS and "code" not in positions and not {"name", "unit"} <= positions.keys():
        raise ImportFailed(f"工作表“{sheet_name}”缺少表头：须有“项目代码”，或同时有“项目名称”和“责任单位”，"
                           "用来确定每行是哪个项目。请使用导入模板的表头。")
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

    # Every sheet's service runs from here: the importer was checked above, the progress starts here.
    _start_progress(job, len(rows))
    app = registry.app_sheet(job.kind)
    if app is not None:
        outcome = _run_app_sheet(job, app, rows=rows)
    elif job.kind == ImportJob.Kind.PROGRESS:
        outcome = import_progress(job=job, by=job.created_by, rows=rows, today=today)
    else:
        service = {ImportJob.Kind.UNITS: import_units, ImportJob.Kind.PLANS: import_plans}.get(job.kind, import_ledger)
        outcome = service(job=job, by=job.created_by, rows=rows)
    if outcome.errors:
        _heartbeat(job)
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


def _run_app_sheet(job: ImportJob, app: registry.AppSheet, *, rows: list[Row]) -> SheetOutcome:
    """Another app's sheet: it validates and writes all or nothing; the job's bookkeeping stays here, in the
    same transaction as the app's write (a worker killed between the two would otherwise leave the rows written
    under a job the recovery fails as "nothing imported")."""
    try:
        with transaction.atomic():
            outcome = app.run(rows=rows, by=job.created_by)
            if not outcome.errors:
                _succeed(job, by=job.created_by, outcome=outcome, noun=app.noun, measure=app.measure)
    except app.refusals as exc:
        raise ImportFailed(str(exc)) from exc
    return outcome


def _fail(job: ImportJob, *, summary: str, now: datetime.datetime | None = None, **still: Any) -> bool:
    """Fail a running job with `summary` and its audit event; False (nothing written) when it is no longer
    running, or no longer matches `still` (e.g. the heartbeat the recovery judged)."""
    with transaction.atomic():
        now = now or timezone.now()
        if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, **still).update(
            status=ImportJob.Status.FAILED, summary=summary, finished_at=now,
        ):
            return False
        job.status, job.summary, job.finished_at = ImportJob.Status.FAILED, summary, now
        audit.record(actor=job.created_by, actor_name="" if job.created_by else CLI_ACTOR,
                     action=_action(job.kind), obj=job, result="FAILURE", message=summary)
    return True


# --- leases: a job whose worker died is failed, never left 处理中 -----------------------------------------

def _heartbeat(job: ImportJob, **values: Any) -> None:
    """Renew the job's lease (with `values`, e.g. its progress). Raises JobLost when the recovery has failed
    the job meanwhile: the run stops and writes nothing."""
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        **values, heartbeat_at=timezone.now()
    ):
        raise JobLost(job.pk)


def recover_stale_jobs(*, now: datetime.datetime, job_ids: Iterable[int] | None = None,
                       alive: leases.Alive = leases.process_alive) -> int:
    """Fail every running job (or those of `job_ids`) whose worker stopped (lib.leases.is_abandoned) with
    INTERRUPTED. The import's rows are written in one transaction with the job's success, so a job still
    running has written nothing: it is failed, not resumed, and the user imports the file again. Returns how
    many jobs were failed."""
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).select_related("created_by")
    if job_ids is not None:
        running = running.filter(pk__in=list(job_ids))
    failed = 0
    for job in running:
        if leases.is_abandoned(heartbeat_at=job.heartbeat_at, worker=job.worker, now=now, alive=alive):
            # Only if its heartbeat is still the one judged: a job that just renewed its lease is alive.
            failed += _fail(job, summary=INTERRUPTED, now=now, heartbeat_at=job.heartbeat_at)
    if failed:
        logger.warning("%s import job(s) abandoned by a stopped worker were failed", failed)
    return failed


def check_job(*, job: ImportJob, now: datetime.datetime) -> ImportJob:
    """The job as its page shows it: a running job whose worker stopped is failed first (no query unless it
    is)."""
    if job.status == ImportJob.Status.RUNNING and leases.is_abandoned(
        heartbeat_at=job.heartbeat_at, worker=job.worker, now=now
    ):
        recover_stale_jobs(now=now, job_ids=[job.pk])
        job.refresh_from_db()
    return job


def _action(kind: str) -> str:
    return f"imports.{kind.lower()}.imported"  # imports.ledger.imported, imports.plans.imported …


def _check_allowed(by, kind: str) -> None:
    # None is the operator at the command line without --user: the server's own account may import all.
    if by is not None and kind not in queries.allowed_kinds(by):
        raise ImportFailed(f"{by} 无权导入{ImportJob.Kind(kind).label}数据。")


def _start_progress(job: ImportJob, total: int) -> None:
    job.progress_total, job.progress_done = total, 0
    _heartbeat(job, progress_total=total, progress_done=0)


def _progress(job: ImportJob, done: int) -> None:
    if done % PROGRESS_EVERY == 0 and done < job.progress_total:
        job.progress_done = done
        _heartbeat(job, progress_done=done)


def _succeed(job: ImportJob, *, by, outcome: SheetOutcome, noun: str, measure: str = "个") -> None:
    """Inside the write's transaction: the job succeeds with the rows, or (JobLost: the recovery failed it
    meanwhile) the rows are rolled back with it."""
    job.status = ImportJob.Status.SUCCEEDED
    job.created_count, job.updated_count, job.unchanged_count = outcome.created, outcome.updated, outcome.unchanged
    job.progress_done = job.progress_total = outcome.total
    job.summary = (f"共 {outcome.total} 行：新增 {outcome.created} {measure}{noun}，更新 {outcome.updated} {measure}，"
                   f"未变化 {outcome.unchanged} {measure}。")
    job.finished_at = timezone.now()
    fields = ["status", "created_count", "updated_count", "unchanged_count", "progress_done", "progress_total",
              "summary", "finished_at"]
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        **{name: getattr(job, name) for name in fields}
    ):
        raise JobLost(job.pk)
    audit.record(actor=by, actor_name="" if by else CLI_ACTOR, action=_action(job.kind), obj=job, changes={
        "file": job.original_name, "rows": outcome.total, "created": outcome.created,
        "updated": outcome.updated, "unchanged": outcome.unchanged,
    })


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), IN_CHUNK):
        yield values[start:start + IN_CHUNK]


def _column_labels(*column_sets: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Column key → the header the template uses (the first accepted name), as messages name the column."""
    return {key: names[0] for columns in column_sets for key, names in columns.items()}


def _cell(row: Row, key: str, label: str, parse: Callable[[Any], Any], errors: list[str]) -> Any:
    try:
        return parse(row.values.get(key, ""))
    except parsing.CellError as exc:
        errors.append(f"{label}：{exc}")
        return None


def _required(row: Row, key: str, label: str, parse: Callable[[Any], Any], errors: list[str]) -> Any:
    """A cell that must be filled: its clean value, or None with the error (unreadable or empty)."""
    value = _cell(row, key, label, parse, errors)
    if value is None and not parsing.cell_text(row.values.get(key, "")):
        errors.append(f"{label}不能为空。")
    return value


# --- finding a row's project (the ledger, 年度计划 and 月度进展 alike) ------------------------------------

@dataclass
class _Scope:
    """Who imports, as every row is checked: all units by folded name and by id, the unit ids whose projects
    the importer may write (None: all, the command line without --user), and how a refusal is worded."""

    units: dict[str, Unit]
    units_by_id: dict[int, Unit]
    writable: set[int] | None
    reporter_only: bool

    @classmethod
    def load(cls, by) -> "_Scope":
        writable = queries.writable_unit_ids(by)
        units = list(Unit.objects.all())
        return cls(units={xlsx.fold(u.name): u for u in units}, units_by_id={u.pk: u for u in units},
                   writable=writable, reporter_only=by is not None and not by.is_coordinator)

    def may_write(self, unit_id: int) -> bool:
        return self.writable is None or unit_id in self.writable


def _check_unit(unit_name: str, scope: _Scope, errors: list[str]) -> Unit | None:
    """The unit a 责任单位 cell names; every reason it cannot be used is added to `errors`."""
    unit = scope.units.get(xlsx.fold(unit_name)) if unit_name else None
    if not unit_name:
        errors.append("责任单位不能为空。")
    elif unit is None:
        errors.append(f"责任单位“{unit_name}”不存在，请核对单位名称（须与单位管理中的名称一致）。")
    elif not unit.is_active:
        errors.append(f"责任单位“{unit_name}”已停用。")
    elif not scope.may_write(unit.pk):
        errors.append(f"无权导入其他单位的项目（责任单位“{unit_name}”）。" if scope.reporter_only
                      else f"无权导入其他单位的项目：责任单位“{unit_name}”不在您的管辖区域内。")
    return unit


def _load_projects(keys: Iterable[tuple[str | None, str, Unit | None]], *, units: dict[int, Unit]) -> list[Project]:
    """Existing projects that rows (项目代码, 项目名称, 责任单位) may refer to, by code or by name, each with
    its unit attached (messages name it without a query)."""
    keys = list(keys)
    found: dict[int, Project] = {}
    codes = {code for code, _, _ in keys if code}
    for chunk in _chunks(codes):
        found.update((p.pk, p) for p in Project.objects.filter(code__in=chunk).order_by())
    # By name only where the code did not settle it: a row whose code found the project of the same name
    # and unit cannot also name another project (name + unit is unique). A re-import skips this query.
    settled = {(p.name, p.unit_id) for p in found.values()}
    names = {name for _, name, unit in keys if name and unit is not None and (name, unit.pk) not in settled}
    for chunk in _chunks(names):
        found.update((p.pk, p) for p in Project.objects.filter(name__in=chunk).order_by())
    for project in found.values():
        # The units already read: no select_related building thousands of copies.
        project.unit = units[project.unit_id]
    return list(found.values())


class _ProjectIndex:
    """Existing projects by 项目代码 and by (项目名称, 责任单位)."""

    def __init__(self, projects: Iterable[Project]):
        projects = list(projects)
        self.by_code = {p.code: p for p in projects if p.code}
        self.by_name_unit = {(p.name, p.unit_id): p for p in projects}

    def match(self, *, code: str, name: str, unit: Unit | None, scope: _Scope, errors: list[str]) -> Project | None:
        """The project a row names: by 项目代码, else by (项目名称, 责任单位); None when there is none, or
        (with the error) when the importer may not write it or the code and the name name two projects."""
        by_code = self.by_code.get(code) if code else None
        # Checked before anything names the project: a reporter must not learn what another unit owns.
        if by_code is not None and not scope.may_write(by_code.unit_id):
            errors.append(f"无权导入其他单位的项目（项目代码 {code} 已被其他单位的项目使用）。" if scope.reporter_only
                          else f"无权导入其他单位的项目：项目代码 {code} 已被辖区以外单位的项目使用。")
            return None
        by_name = self.by_name_unit.get((name, unit.pk)) if name and unit is not None else None
        if by_code is not None and by_name is not None and by_code.pk != by_name.pk:
            errors.append(f"项目代码 {code} 属于已有项目“{by_code.name}”（{by_code.unit}），"
                          f"而“{name}”（{unit}）是另一个已有项目，两者冲突，请核对项目代码或名称。")
            return None
        return by_code or by_name


# --- the project ledger -------------------------------------------------------------------------------

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


def import_ledger(*, job: ImportJob, by, rows: Sequence[Row]) -> SheetOutcome:
    """Validate every row, then create/update all projects in one transaction, or write nothing.

    A row matches a project by 项目代码, else by (项目名称, 责任单位). Re-importing the same rows changes
    nothing. Raises ImportFailed when the import as a whole cannot run.
    """
    scope = _Scope.load(by)
    industries = list(Industry.objects.all())
    ctx = _LedgerContext(
        optional=[f for f in OPTIONAL_FIELDS if rows and f in rows[0].values],
        has_batches=bool(rows) and "batches" in rows[0].values,
        scope=scope,
        industries={xlsx.fold(i.name): i for i in industries},
    )

    parsed = []
    for done, row in enumerate(rows, start=1):
        parsed.append(_parse_ledger_row(row, ctx))
        _progress(job, done)

    existing = _load_projects(((p.values.get("code"), p.values["name"], p.values.get("unit")) for p in parsed),
                              units=scope.units_by_id)
    tags_of = _load_tags(existing, industries={i.pk: i for i in industries})
    _match_projects(parsed, _ProjectIndex(existing), ctx.scope)
    if ctx.has_batches:
        _check_batch_entries(parsed, by=by)
    if by is not None and not by.is_coordinator:
        _check_stage_skips(parsed)
    errors = {p.row.line: p.errors for p in parsed if p.errors}
    if errors:
        return SheetOutcome(total=len(rows), errors=errors)

    plans = [_plan(p, tags_of=tags_of, optional=ctx.optional) for p in parsed]
    outcome = SheetOutcome(total=len(rows), created=sum(1 for p in plans if p.created),
                      updated=sum(1 for p in plans if not p.created and p.changes),
                      unchanged=sum(1 for p in plans if not p.created and not p.changes))
    with transaction.atomic():
        _write_projects(plans, by=by)
        _succeed(job, by=by, outcome=outcome, noun="项目")
    return outcome


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


def _load_tags(projects: list[Project], *, industries: dict[int, Industry]) -> dict[int, list[str]]:
    """The tag names of existing projects; their industries attached from those already read."""
    for project in projects:
        project.industry = industries.get(project.industry_id) if project.industry_id else None
    tags_of: dict[int, list[str]] = defaultdict(list)
    through = Project.tags.through
    for chunk in _chunks(p.pk for p in projects):
        for project_id, tag_name in through.objects.filter(project_id__in=chunk).values_list("project_id", "tag__name"):
            tags_of[project_id].append(tag_name)
    return tags_of


def _match_projects(parsed: list[_LedgerRow], index: _ProjectIndex, scope: _Scope) -> None:
    """Find each row's project; flag duplicates in the file, key conflicts and out-of-order dates."""
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

    # Optimistic lock: a project edited by someone since it was read would otherwise be overwritten.
    _lock_unchanged(Project, {p.project.pk: p.project.version for p in updated}, field="version", noun="项目")

    tag_ids = _tag_ids({name for p in plans if p.tags_changed for name in p.tags})

    if created:
        Project.objects.bulk_create([p.project for p in created], batch_size=BATCH)
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
    through.objects.bulk_create(
        [through(project_id=p.project.pk, tag_id=tag_ids[name]) for p in relinked for name in p.tags],
        batch_size=BATCH,
    )
    transitions = [p.transition for p in plans if p.transition is not None]
    for t in transitions:
        t.project_id, t.by, t.at = t.project.pk, by, now
    StageTransition.objects.bulk_create(transitions, batch_size=BATCH)
    BatchEntry.objects.bulk_create(
        [BatchEntry(batch=batch, project_id=p.project.pk, kind=kind) for p in plans for batch, kind in p.batch_entries],
        batch_size=BATCH,
    )

    audit.record_many(
        actor=by, actor_name="" if by else CLI_ACTOR,
        events=[("projects.project.created", p.project, p.changes) for p in created]
        + [("projects.project.updated", p.project, p.changes) for p in updated],
    )


def _lock_unchanged(model, read: dict[int, Any], *, field: str, noun: str) -> None:
    """Lock the rows about to be updated (SELECT … FOR UPDATE) and refuse the whole import when one of them
    changed or vanished since it was read: `read` maps a pk to the value of `field` then."""
    for chunk in _chunks(read):
        current = list(model.objects.select_for_update().filter(pk__in=chunk).order_by().values_list("pk", field))
        if len(current) != len(chunk) or any(value != read[pk] for pk, value in current):
            raise ImportFailed(f"导入期间有{noun}被他人修改或删除，未导入任何数据，请稍后重新导入。")


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


# --- 年度计划 and 月度进展: rows naming an existing project --------------------------------------------------

ProjectKey = tuple[str, str, Unit | None]  # (项目代码, 项目名称, 责任单位) of a row


@dataclass
class _KeyedRow:
    """A row of 年度计划 or 月度进展: the project it names and the clean values of its other cells."""

    row: Row
    errors: list[str]
    values: dict[str, Any]
    project: Project | None = None


def _keyed_rows(*, job: ImportJob, by, rows: Sequence[Row], parse: Callable[[Row, list[str]], dict[str, Any]]
                ) -> list[_KeyedRow]:
    """Every row parsed (its project key, then `parse` for the other cells, no queries) and matched to its
    project by the ledger's rule; a row naming no project the importer may write carries the error."""
    scope = _Scope.load(by)
    parsed: list[tuple[_KeyedRow, ProjectKey | None]] = []
    for done, row in enumerate(rows, start=1):
        errors: list[str] = []
        key = _parse_project_key(row, scope, errors)
        parsed.append((_KeyedRow(row=row, errors=errors, values=parse(row, errors)), key))
        _progress(job, done)
    index = _ProjectIndex(_load_projects((key for _, key in parsed if key is not None), units=scope.units_by_id))
    for item, key in parsed:
        if key is not None:
            item.project = _find_project(key, index=index, scope=scope, errors=item.errors)
    return [item for item, _ in parsed]


def _parse_project_key(row: Row, scope: _Scope, errors: list[str]) -> ProjectKey | None:
    """(项目代码, 项目名称, 责任单位) of a row; None, with the errors, when they cannot name a project."""
    before = len(errors)
    code = _cell(row, "code", "项目代码", parsing.parse_project_code, errors)
    name = parsing.cell_text(row.values.get("name"))
    if name.startswith(sheets.EXAMPLE_MARK):
        errors.append(parsing.EXAMPLE_ROW_ERROR)
    unit_name = parsing.cell_text(row.values.get("unit"))
    unit = _check_unit(unit_name, scope, errors) if unit_name else None
    if code == "" and not (name and unit_name):
        errors.append("请填写项目代码，或同时填写项目名称和责任单位。")
    if code is None or len(errors) > before:
        return None
    return code, name, unit


def _find_project(key: ProjectKey, *, index: _ProjectIndex, scope: _Scope, errors: list[str]) -> Project | None:
    code, name, unit = key
    before = len(errors)
    project = index.match(code=code, name=name, unit=unit, scope=scope, errors=errors)
    if project is None and len(errors) == before:
        by_name = f"责任单位“{unit}”下没有名为“{name}”的项目" if name and unit is not None else ""
        if code:
            missing = f"找不到项目代码为 {code} 的项目" + (f"，{by_name}" if by_name else "")
        else:
            missing = by_name
        errors.append(f"{missing}。请核对，或先通过项目台账导入该项目。")
    return project


def _first_rows(parsed: list[_KeyedRow], key: Callable[[_KeyedRow], Any], message: str) -> None:
    """Flag every row repeating the key of an earlier row (`message` formatted with that row's number);
    rows whose key is None are skipped."""
    first: dict[Any, int] = {}
    for item in parsed:
        value = key(item)
        if value is None:
            continue
        if value in first:
            item.errors.append(message.format(line=first[value]))
        else:
            first[value] = item.row.line


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


REPORT_DONE = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED)
REPORT_STATUS_FIELDS = ["status", "return_reason", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]


def import_progress(*, job: ImportJob, by, rows: Sequence[Row], today: datetime.date) -> SheetOutcome:
    """Create or update each row's MonthlyReport(project, month), all or nothing.

    Imported by a coordinator (or at the command line without --user) a report is approved, by a reporter
    submitted. A submitted or approved report whose content would change may be overwritten only by a
    coordinator; a row that changes nothing is no overwrite, so re-importing the same rows changes nothing.
    A month after `today`'s, or a closed month, is refused; a month not opened yet is opened.
    """
    columns = _column_labels(sheets.PROGRESS_COLUMNS, sheets.PROGRESS_EXTRA_COLUMNS)
    extra = [key for key in sheets.PROGRESS_EXTRA_COLUMNS if rows and key in rows[0].values]
    this_month = today.replace(day=1)

    def parse(row: Row, errors: list[str]) -> dict[str, Any]:
        month = _required(row, "month", columns["month"], parsing.parse_month, errors)
        if month is not None and month > this_month:
            errors.append(f"{columns['month']}：{month.year}年{month.month}月还没有到，不能导入未来月份的进展。")
        values = {
            "month": month,
            "investment_completed": _required(row, "investment_completed", columns["investment_completed"],
                                              parsing.parse_money, errors),
            "progress_text": parsing.cell_text(row.values.get("progress_text")),
        }
        if "workers_on_site" in extra:
            values["workers_on_site"] = _cell(row, "workers_on_site", columns["workers_on_site"], parsing.parse_int,
                                              errors)
        if "problems" in extra:
            values["problems"] = parsing.cell_text(row.values.get("problems"))
        return values

    parsed = _keyed_rows(job=job, by=by, rows=rows, parse=parse)
    months = sorted({item.values["month"] for item in parsed if item.values["month"] is not None})
    periods = {p.month: p for p in Period.objects.filter(month__in=months).order_by()} if months else {}
    for item in parsed:
        period = periods.get(item.values["month"])
        if period is not None and period.is_closed:
            item.errors.append(f"{period}已关账，不能导入。")
    _first_rows(parsed, lambda item: (item.project.pk, item.values["month"])
                if item.project is not None and item.values["month"] is not None else None,
                "与第 {line} 行是同一项目同一月份的进展，请合并为一行。")

    existing = _load_reports(parsed, periods)
    coordinating = by is None or by.is_coordinator  # the command line without --user acts for the office
    status = MonthlyReport.Status.APPROVED if coordinating else MonthlyReport.Status.SUBMITTED
    now = timezone.now()
    created: list[tuple[MonthlyReport, datetime.date, dict[str, Any]]] = []
    updated: list[tuple[MonthlyReport, int, dict[str, Any]]] = []
    for item in parsed:
        if item.errors:
            continue
        assert item.project is not None
        data = {key: value for key, value in item.values.items() if key != "month"}
        month = item.values["month"]
        report = existing.get((item.project.pk, month))
        if report is None:
            report = MonthlyReport(project=item.project, **data)
            _set_report_status(report, status=status, by=by, now=now)
            changes = audit.created(data) | {"status": [None, status]}
            created.append((report, month, changes))
            continue
        before = audit.snapshot(report, [*data, "status"])
        # Nothing new is no overwrite; an approved report is not sent back to 已报送 by a reporter's same row.
        if not audit.diff(before, data) and report.status in (status, MonthlyReport.Status.APPROVED):
            continue
        if report.status in REPORT_DONE and not coordinating:
            item.errors.append("该月报已报送/审核，不能覆盖。")
            continue
        read_version = report.version
        for key, value in data.items():
            setattr(report, key, value)
        _set_report_status(report, status=status, by=by, now=now)
        report.version, report.updated_at = read_version + 1, now
        updated.append((report, read_version, audit.diff(before, {**data, "status": report.status})))
    errors = {p.row.line: p.errors for p in parsed if p.errors}
    if errors:
        return SheetOutcome(total=len(rows), errors=errors)

    outcome = SheetOutcome(total=len(rows), created=len(created), updated=len(updated),
                      unchanged=len(rows) - len(created) - len(updated))
    with transaction.atomic():
        opened = _open_periods({month for _, month, _ in created},
                               written={report.period.month for report, _, _ in updated}, by=by)
        for report, month, _ in created:
            report.period = opened[month]
        # The version other people's open pages hold: bumped here, so their save is refused as a conflict.
        _lock_unchanged(MonthlyReport, {report.pk: version for report, version, _ in updated}, field="version",
                        noun="月报")
        MonthlyReport.objects.bulk_create([report for report, _, _ in created], batch_size=BATCH)
        if updated:
            MonthlyReport.objects.bulk_update(
                [report for report, _, _ in updated],
                ["investment_completed", "progress_text", *extra, *REPORT_STATUS_FIELDS, "version", "updated_at"],
                batch_size=BATCH,
            )
        audit.record_many(
            actor=by, actor_name="" if by else CLI_ACTOR,
            events=[("reporting.report.imported", report, changes) for report, _, changes in created]
            + [("reporting.report.imported", report, changes) for report, _, changes in updated],
        )
        _succeed(job, by=by, outcome=outcome, noun="月报", measure="份")
    return outcome


def _set_report_status(report: MonthlyReport, *, status: str, by, now: datetime.datetime) -> None:
    """An imported report is submitted (by a reporter) or approved (by a coordinator) at once."""
    if status == MonthlyReport.Status.APPROVED:
        report.reviewed_at, report.reviewed_by = now, by
    else:
        report.submitted_at, report.submitted_by = now, by
    report.status, report.return_reason = status, ""


def _load_reports(parsed: list[_KeyedRow], periods: dict[datetime.date, Period]
                  ) -> dict[tuple[int, datetime.date], MonthlyReport]:
    """The existing reports of the rows' projects in the rows' months, by (project id, month), with their
    project and period attached. Months without a period have no report: no query for a new month."""
    projects = {item.project.pk: item.project for item in parsed if item.project is not None}
    by_id = {period.pk: period for period in periods.values()}
    found: dict[tuple[int, datetime.date], MonthlyReport] = {}
    if not by_id:
        return found
    for chunk in _chunks(projects):
        for report in MonthlyReport.objects.filter(project_id__in=chunk, period_id__in=sorted(by_id)).order_by():
            report.project, report.period = projects[report.project_id], by_id[report.period_id]
            found[(report.project_id, report.period.month)] = report
    return found


def _open_periods(months: set[datetime.date], *, written: set[datetime.date], by) -> dict[datetime.date, Period]:
    """The periods of every month written to (`months`: of new reports; `written`: of updated ones), locked
    and still open; a month of `months` not opened yet is opened now (the reporting service's rule: its
    deadline on the configured day, and its audit event)."""
    wanted = sorted(months | written)
    if not wanted:
        return {}
    periods = {p.month: p for p in Period.objects.select_for_update().filter(month__in=wanted).order_by()}
    if any(period.is_closed for period in periods.values()):  # the rows were checked against open months
        raise ImportFailed("导入期间有月份被关账，未导入任何数据，请重新导入。")
    for month in sorted(months - periods.keys()):
        periods[month] = reporting.open_period(month=month, by=by)
    return periods


# --- units ----------------------------------------------------------------------------------------------

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
