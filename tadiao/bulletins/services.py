"""Writes of the monthly bulletin: draft it for a closed period (allocating its number), edit its text, queue its
generation and run it (the task worker calls `run_generation`), and the office's settings and number sequence.

Every write is one transaction with its audit event; edits are conditional on the version the user saw. The
services check the role as well as the views do. No clock in the drafting: the view passes `today`.
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from tadiao.audit import services as audit
from tadiao.bulletins import charts, docx_render, drafting, queries
from tadiao.bulletins.models import Bulletin, BulletinSettings, NumberSequence
from tadiao.indicators.models import RateDefinition, Snapshot
from tadiao.indicators.snapshots import latest_snapshot_before
from tadiao.lib import leases
from tadiao.notifications import webhooks
from tadiao.org.models import User
from tadiao.reporting.models import Period

logger = logging.getLogger(__name__)

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


class BulletinError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(BulletinError):
    def __init__(self):
        super().__init__("该通报已被他人修改或正在生成，您看到的不是最新内容。请刷新页面后重新操作。")


def _require_coordinator(by: User) -> None:
    if not queries.may_write_bulletins(by):
        raise BulletinError("只有调度员可以起草、修改和生成月度通报。")


def _update_if_unchanged(bulletin: Bulletin, *, expected_version: int, **values: Any) -> None:
    """Write `values` and bump the version only if the stored version is still `expected_version` and the
    bulletin is not queued or being generated (lib.versioning.save_if_unchanged has no room for the status)."""
    updated = Bulletin.objects.filter(pk=bulletin.pk, version=expected_version).exclude(
        status__in=[Bulletin.Status.QUEUED, Bulletin.Status.RUNNING]
    ).update(**values, updated_at=timezone.now(), version=F("version") + 1)
    if not updated:
        raise ConcurrentEditError()


# ---------------------------------------------------------------------------------------------------
# Numbers


def allocate_number(*, year: int) -> int:
    """The next number of the year, inside the caller's transaction: the sequence row is locked (SELECT … FOR
    UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) and the (year, number) unique
    constraint refuses a duplicate whatever happens."""
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(year=year)
    used = Bulletin.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0
    number = max(sequence.next_number, used + 1)
    NumberSequence.objects.filter(pk=sequence.pk).update(next_number=number + 1)
    return number


@transaction.atomic
def set_next_number(*, year: int, next_number: int, by: User) -> NumberSequence:
    """The office sets the year's next number (e.g. after numbers it gave out by hand); never one already used."""
    _require_coordinator(by)
    if next_number < 1:
        raise BulletinError("流水号应为正整数。")
    used = Bulletin.objects.filter(year=year).aggregate(m=Max("number"))["m"] or 0
    if next_number <= used:
        raise BulletinError(f"{year}年已用到第{used}号，下一个流水号应大于{used}。")
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(year=year)
    old = sequence.next_number
    sequence.next_number = next_number
    sequence.save(update_fields=["next_number"])
    audit.record(actor=by, action="bulletins.sequence.updated", obj=sequence,
                 changes={"year": year, "next_number": [old, next_number]})
    return sequence


# ---------------------------------------------------------------------------------------------------
# Drafting


def economy_rows(*, year: int, month: int) -> tuple[tuple, tuple]:
    """Hook for the economy section: the economy app's regions below target and below the parent region for
    1—`month` of `year`. Empty — and the section skipped — while the app has no figures (or no such queries)."""
    try:
        from tadiao.economy import queries as economy  # optional app: read only when present
    except ImportError:
        return (), ()
    below_target = getattr(economy, "below_target", None)
    below_parent = getattr(economy, "below_parent", None)
    try:
        target_rows = tuple(below_target(year=year, month=month)) if below_target else ()
        parent_rows = tuple(below_parent(year=year, month=month)) if below_parent else ()
    except Exception:
        # The bulletin goes out without the economy section rather than not at all; the log keeps the cause.
        logger.exception("economy figures for %s-%s could not be read for the bulletin", year, month)
        return (), ()
    return target_rows, parent_rows


def draft_for(
    period: Period, snapshot: Snapshot, *, region_name: str, compare_month: datetime.date | None = None
) -> dict:
    """The draft of a period from its snapshot, the one before it (上期) — or the closed month chosen to compare
    with (`compare_month`) — and the same year's snapshots."""
    month = period.month
    if compare_month is None:
        earlier = latest_snapshot_before(month)
    else:
        earlier = Snapshot.objects.select_related("period").filter(period__month=compare_month).first()
        if earlier is None:
            raise BulletinError(
                f"{compare_month.year}年{compare_month.month}月没有指标快照（尚未关账），不能与之比较。"
            )
        if compare_month >= month:
            raise BulletinError("比较的月份应早于通报月份。")
    history = [
        {"month": m.month, "indicators": data.get("indicators") or {}}
        for m, data in Snapshot.objects.filter(period__month__year=month.year, period__month__lte=month)
        .order_by("period__month")
        .values_list("period__month", "data")
    ]
    below_target, below_parent = economy_rows(year=month.year, month=month.month)
    context = drafting.Context(
        month=month,
        as_of=snapshot.as_of,
        region_name=region_name,
        rate_names=dict(RateDefinition.objects.values_list("code", "name")),
        history=tuple(history),
        economy_below_target=below_target,
        economy_below_parent=below_parent,
    )
    drafted = drafting.draft(snapshot.data, earlier=earlier.data if earlier else None, context=context)
    if compare_month is not None:
        # The drafting says 较上期 / 与上期持平; against a chosen month it names that month instead.
        label = str(earlier.period)
        for section in drafted["sections"]:
            section["text"] = section["text"].replace("较上期", f"较{label}").replace("与上期持平", f"与{label}持平")
        drafted["compared_to"] = {"month": compare_month.isoformat(), "label": label}
    return drafted


def _compared_month(drafted: dict) -> datetime.date | None:
    chosen = (drafted or {}).get("compared_to")
    return datetime.date.fromisoformat(chosen["month"]) if chosen else None


@transaction.atomic
def create_bulletin(
    *, period: Period, by: User, today: datetime.date, compare_to: Period | None = None
) -> Bulletin:
    """Draft a bulletin for a closed period and give it the year's next number (the year of `today`); its
    comparisons are with `compare_to`'s snapshot when chosen, else with the latest one before (上期)."""
    _require_coordinator(by)
    if not period.is_closed:
        raise BulletinError(f"{period}尚未关账，关账后才能起草通报。")
    snapshot = Snapshot.objects.filter(period=period).first()
    if snapshot is None:
        raise BulletinError(f"{period}没有指标快照，请重新关账生成快照后再起草通报。")
    office = queries.office_settings()
    drafted = draft_for(
        period, snapshot, region_name=office.region_name, compare_month=compare_to.month if compare_to else None
    )
    bulletin = Bulletin(
        period=period,
        year=today.year,
        number=allocate_number(year=today.year),
        number_prefix=office.number_prefix,
        title=drafted["title"],
        issued_date=today,
        drafted=drafted,
        created_by=by,
    )
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        raise BulletinError("文号分配冲突（他人同时起草了通报），请重试。") from None
    audit.record(actor=by, action="bulletins.bulletin.created", obj=bulletin, changes={
        "period": str(period), "doc_number": bulletin.doc_number, "title": bulletin.title,
        "sections": [s["key"] for s in drafted["sections"]],
        "compared_to": drafted.get("compared_to", {}).get("label", "上期"),
    })
    return bulletin


@transaction.atomic
def update_text(*, bulletin: Bulletin, title: str, issued_date: datetime.date, texts: dict[str, str],
                expected_version: int, by: User) -> Bulletin:
    """The coordinator's text: a section equal to its draft is not stored as an edit. A generated file no longer
    matches the text, so the bulletin goes back to 草稿 until it is generated again."""
    _require_coordinator(by)
    title = (title or "").strip()
    if not title:
        raise BulletinError("请填写通报标题。")
    keys = {s["key"] for s in bulletin.drafted.get("sections", [])}
    drafted = {s["key"]: s["text"] for s in bulletin.drafted.get("sections", [])}
    edited: dict[str, str] = {}
    for key, text in texts.items():
        if key not in keys:
            continue
        clean = "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip()
        if clean != drafted[key].strip():
            edited[key] = clean
    changes: dict[str, Any] = {}
    if title != bulletin.title:
        changes["title"] = [bulletin.title, title]
    if issued_date != bulletin.issued_date:
        changes["issued_date"] = [bulletin.issued_date, issued_date]
    for key in sorted(keys):
        before, after = bulletin.section_text(key), edited.get(key, drafted[key])
        if before != after:
            changes[f"section.{key}"] = [before, after]
    if not changes:
        return bulletin
    _update_if_unchanged(bulletin, expected_version=expected_version, title=title, issued_date=issued_date,
                         edited=edited, status=Bulletin.Status.DRAFT, progress=0, progress_note="", error="")
    audit.record(actor=by, action="bulletins.bulletin.edited", obj=bulletin, changes=changes)
    bulletin.refresh_from_db()
    return bulletin


@transaction.atomic
def redraft(*, bulletin: Bulletin, expected_version: int, by: User) -> Bulletin:
    """Draft again from the period's snapshot (after a reopen and a new close), dropping the edits."""
    _require_coordinator(by)
    snapshot = Snapshot.objects.filter(period=bulletin.period).first()
    if snapshot is None:
        raise BulletinError(f"{bulletin.period}没有指标快照，无法重新起草。")
    # The comparison month chosen when the bulletin was drafted stays.
    drafted = draft_for(bulletin.period, snapshot, region_name=queries.office_settings().region_name,
                        compare_month=_compared_month(bulletin.drafted))
    _update_if_unchanged(bulletin, expected_version=expected_version, drafted=drafted, edited={},
                         title=drafted["title"], status=Bulletin.Status.DRAFT, progress=0, progress_note="", error="")
    audit.record(actor=by, action="bulletins.bulletin.redrafted", obj=bulletin,
                 changes={"edited_sections_dropped": sorted(bulletin.edited)})
    bulletin.refresh_from_db()
    return bulletin


# ---------------------------------------------------------------------------------------------------
# Generation (a background task)


@transaction.atomic
def request_generation(*, bulletin: Bulletin, expected_version: int, by: User,
                       enqueue: Callable[[int, int | None], None]) -> Bulletin:
    """Mark the bulletin 排队 and queue its .docx (and .pdf) generation: `enqueue(bulletin_id, user_id)` (the
    caller passes tasks.enqueue_generation: the task module calls these services, so they do not import it) is
    called once this transaction commits, so the worker never picks up a bulletin that is not yet queued."""
    _require_coordinator(by)
    _update_if_unchanged(bulletin, expected_version=expected_version, status=Bulletin.Status.QUEUED, progress=0,
                         progress_note="排队等待生成", error="")
    audit.record(actor=by, action="bulletins.bulletin.generation_requested", obj=bulletin,
                 changes={"doc_number": bulletin.doc_number})
    bulletin_id, user_id = bulletin.pk, by.pk
    transaction.on_commit(lambda: enqueue(bulletin_id, user_id))
    bulletin.refresh_from_db()
    return bulletin


INTERRUPTED = "后台任务进程中断，请重新生成。"


class GenerationLost(Exception):
    """The generation was failed by the recovery while it ran (its lease lapsed): stop, store nothing."""


def _progress(bulletin: Bulletin, percent: int, note: str) -> None:
    # Committed at once (the task runs outside a transaction): the page polls it. It renews the lease too.
    if not Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.RUNNING).update(
        progress=percent, progress_note=note, heartbeat_at=timezone.now()
    ):
        raise GenerationLost(bulletin.pk)


def _fail(bulletin: Bulletin, message: str, by: User | None, **still: Any) -> bool:
    """Fail a running generation with its audit event; False (nothing written) when it is no longer running or
    no longer matches `still` (e.g. the heartbeat the recovery judged)."""
    with transaction.atomic():
        if not Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.RUNNING, **still).update(
            status=Bulletin.Status.FAILED, error=message[:500], progress_note=""
        ):
            return False
        audit.record(actor=by, action="bulletins.bulletin.generated", obj=bulletin, result="FAILURE",
                     message=message)
    return True


def recover_stale_generations(*, now: datetime.datetime, bulletin_ids: list[int] | None = None,
                              alive: leases.Alive = leases.process_alive) -> int:
    """Fail every running generation (or those of `bulletin_ids`) whose worker stopped (lib.leases) with
    INTERRUPTED: its files are stored in one transaction with the status 已生成, so nothing half-made is left,
    and the coordinator generates again. Returns how many were failed."""
    running = Bulletin.objects.filter(status=Bulletin.Status.RUNNING)
    if bulletin_ids is not None:
        running = running.filter(pk__in=bulletin_ids)
    failed = 0
    for bulletin in running.only("pk", "worker", "heartbeat_at", "number_prefix", "year", "number", "title"):
        if leases.is_abandoned(heartbeat_at=bulletin.heartbeat_at, worker=bulletin.worker, now=now, alive=alive):
            failed += _fail(bulletin, INTERRUPTED, None, heartbeat_at=bulletin.heartbeat_at)
    if failed:
        logger.warning("%s bulletin generation(s) abandoned by a stopped worker were failed", failed)
    return failed


def check_generation(*, bulletin: Bulletin, now: datetime.datetime) -> Bulletin:
    """The bulletin as its page shows it: a generation whose worker stopped is failed first."""
    if bulletin.status == Bulletin.Status.RUNNING and leases.is_abandoned(
        heartbeat_at=bulletin.heartbeat_at, worker=bulletin.worker, now=now
    ):
        recover_stale_generations(now=now, bulletin_ids=[bulletin.pk])
        bulletin.refresh_from_db()
    return bulletin


def run_generation(*, bulletin_id: int, by_id: int | None = None) -> Bulletin:
    """Draw the charts, render the .docx from the office's template (or the default one), convert it to .pdf when
    LibreOffice is installed, and store the files. A failure leaves the bulletin 生成失败 with the reason; a task
    delivered twice leaves the first run alone."""
    claimed = Bulletin.objects.filter(pk=bulletin_id, status=Bulletin.Status.QUEUED).update(
        status=Bulletin.Status.RUNNING, progress=5, progress_note="读取通报内容", worker=leases.worker_identity(),
        heartbeat_at=timezone.now(),
    )
    bulletin = Bulletin.objects.select_related("period").get(pk=bulletin_id)
    if not claimed:
        return bulletin
    by = User.objects.filter(pk=by_id).first() if by_id else None
    try:
        office = queries.office_settings()
        content = queries.content_for(bulletin, office)
        _progress(bulletin, 20, "绘制图表")
        images = charts.draw(content["charts"])
        _progress(bulletin, 50, "生成 Word 文档")
        template = office.template.path if office.template else None
        docx = docx_render.render(content=content, charts=images, template=template)
        pdf, pdf_note = None, ""
        if docx_render.soffice():
            _progress(bulletin, 75, "转换 PDF")
            try:
                pdf = docx_render.to_pdf(docx)
            except Exception:
                logger.exception("LibreOffice could not convert bulletin %s", bulletin_id)
                pdf_note = "PDF 转换失败，请下载 Word 文档后自行转换。"
        else:
            pdf_note = "服务器未安装 LibreOffice，未生成 PDF。"
        _progress(bulletin, 90, "保存文件")
    except GenerationLost:
        logger.warning("bulletin %s was failed by the recovery while it was generated", bulletin_id)
        return Bulletin.objects.get(pk=bulletin_id)
    except (charts.ChartFontMissing, docx_render.RenderError) as exc:
        _fail(bulletin, str(exc), by)
        return Bulletin.objects.get(pk=bulletin_id)
    except Exception:
        logger.exception("bulletin %s could not be generated", bulletin_id)
        _fail(bulletin, "生成通报时发生内部错误，请联系系统管理员。", by)
        return Bulletin.objects.get(pk=bulletin_id)
    stem = f"{bulletin.doc_number}"
    with transaction.atomic():
        bulletin.file.save(f"{stem}.docx", ContentFile(docx), save=False)
        if pdf is not None:
            bulletin.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        else:
            bulletin.pdf = ""
        now = timezone.now()
        # Only while still running: a generation the recovery failed meanwhile stays failed (files unused).
        if not Bulletin.objects.filter(pk=bulletin.pk, status=Bulletin.Status.RUNNING).update(
            status=Bulletin.Status.READY, progress=100, progress_note="", file=bulletin.file.name,
            pdf=bulletin.pdf.name if pdf is not None else "", pdf_note=pdf_note, generated_at=now,
        ):
            logger.warning("bulletin %s was failed by the recovery before its files were stored", bulletin_id)
            return Bulletin.objects.get(pk=bulletin_id)
        audit.record(actor=by, action="bulletins.bulletin.generated", obj=bulletin, changes={
            "doc_number": bulletin.doc_number, "docx_bytes": len(docx), "pdf": pdf is not None,
            "template": office.template_name or "默认模板",
        })
        webhooks.emit(event="bulletin.published", now=now, data={
            "bulletin_id": bulletin.pk, "doc_number": bulletin.doc_number, "title": bulletin.title,
            "month": f"{bulletin.period.month:%Y-%m}", "issued_date": bulletin.issued_date, "pdf": pdf is not None,
        })
    return Bulletin.objects.get(pk=bulletin_id)


# ---------------------------------------------------------------------------------------------------
# The office's settings


SETTINGS_FIELDS = ["number_prefix", "issuer_mark", "issuer", "recipients", "region_name"]


@transaction.atomic
def update_settings(*, data: dict[str, Any], expected_version: int, by: User, template: bytes | None = None,
                    template_name: str = "", remove_template: bool = False) -> BulletinSettings:
    """Save the office's settings; an uploaded template is tried with sample content before it is kept."""
    _require_coordinator(by)
    office, _ = BulletinSettings.objects.select_for_update().get_or_create(pk=1)
    if office.version != expected_version:
        raise BulletinError("通报设置已被他人修改，请刷新页面后重新操作。")
    changes: dict[str, Any] = {}
    for name in SETTINGS_FIELDS:
        value = (data.get(name) or "").strip()
        if not value:
            raise BulletinError(f"请填写{BulletinSettings._meta.get_field(name).verbose_name}。")
        if value != getattr(office, name):
            changes[name] = [getattr(office, name), value]
            setattr(office, name, value)
    if template is not None:
        if len(template) > MAX_TEMPLATE_BYTES:
            raise BulletinError("模板文件过大（上限 10 MB）。")
        docx_render.check_template(template)
        office.template.save("template.docx", ContentFile(template), save=False)
        changes["template"] = [office.template_name or "默认模板", template_name]
        office.template_name = template_name[:255]
    elif remove_template and office.template:
        changes["template"] = [office.template_name, "默认模板"]
        office.template = ""
        office.template_name = ""
    if not changes:
        return office
    office.version += 1
    office.updated_at = timezone.now()
    office.updated_by = by
    office.save()
    audit.record(actor=by, action="bulletins.settings.updated", obj=office, changes=changes)
    return office
