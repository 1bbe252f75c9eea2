"""Writes of 招商引资: trips (and their import), leads and their follow-up log, recognition of signed projects.

Every write is one transaction with its audit event; edits of a trip or a lead are conditional on the
version the user saw (no lost update). The services check who may write as well as the views do.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tadiao.attraction import sheets
from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.audit import services as audit
from tadiao.imports.locking import CREATED_MEANWHILE, MODIFIED_MEANWHILE, changed_since_read, row_errors
from tadiao.imports.queries import writable_unit_ids
from tadiao.imports.registry import CLI_ACTOR, SheetOutcome, SheetRow
from tadiao.lib.versioning import save_if_unchanged, unchanged
from tadiao.lib.xlsx import fold
from tadiao.org.models import Unit, User
from tadiao.org.queries import units_in_scope
from tadiao.projects.models import Project, Stage, stage_rank

BATCH = 500


class AttractionError(Exception):
    """A refused write; the message is the Chinese text the user sees."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConcurrentEditError(AttractionError):
    def __init__(self):
        super().__init__("该记录已被他人修改，您看到的不是最新内容。请刷新页面后重新操作。")


def _save_versioned(obj, fields: list[str], *, expected_version: int) -> None:
    """UPDATE only if nobody saved since the user loaded the page."""
    if not save_if_unchanged(obj, fields, expected_version=expected_version):
        raise ConcurrentEditError()


# ---------------------------------------------------------------------------------------------------
# Trips

TRIP_FIELDS = [
    "unit",
    "departure_date",
    "return_date",
    "leading_cadre",
    "rank",
    "destination",
    "firms_visited",
    "results",
    "next_step",
]


def _check_trip_writer(by: User, unit: Unit) -> None:
    if by.is_coordinator:
        if not units_in_scope(by).filter(pk=unit.pk).exists():
            raise AttractionError(f"单位“{unit}”不在您的管理范围内。")
        return
    if not (by.is_reporter and by.unit_id == unit.pk):
        raise AttractionError("只能登记本单位的外出招商。")


def _check_trip_values(data: dict[str, Any]) -> None:
    if data["return_date"] < data["departure_date"]:
        raise AttractionError("返回日期不能早于出发日期。")
    duplicate = Trip.objects.filter(
        unit=data["unit"],
        departure_date=data["departure_date"],
        leading_cadre=data["leading_cadre"],
        destination=data["destination"],
    )
    if data.get("pk"):
        duplicate = duplicate.exclude(pk=data["pk"])
    if duplicate.exists():
        raise AttractionError("该单位已登记同一天由同一领导带队前往该地的外出招商。")


@transaction.atomic
def create_trip(*, data: dict[str, Any], by: User) -> Trip:
    """A new trip of `data["unit"]`: its reporter or the office (调度员) records it."""
    _check_trip_writer(by, data["unit"])
    _check_trip_values(data)
    trip = Trip.objects.create(**{k: data.get(k, "") for k in TRIP_FIELDS}, created_by=by)
    audit.record(
        actor=by,
        action="attraction.trip.created",
        obj=trip,
        changes=audit.created(audit.snapshot(trip, TRIP_FIELDS)),
    )
    return trip


@transaction.atomic
def update_trip(*, trip: Trip, data: dict[str, Any], expected_version: int, by: User) -> Trip:
    # The stored row, not `trip`: a ModelForm bound to `trip` has already put the posted unit on it.
    stored = Trip.objects.select_related("unit").get(pk=trip.pk)
    before = audit.snapshot(stored, TRIP_FIELDS)
    _check_trip_writer(by, stored.unit)  # the unit it belonged to
    _check_trip_writer(by, data["unit"])  # and the one it moves to
    _check_trip_values({**data, "pk": trip.pk})
    if stored.version == expected_version and unchanged(stored, {name: data[name] for name in TRIP_FIELDS}):
        return trip  # saved as shown: no new version, no audit event
    for name in TRIP_FIELDS:
        setattr(trip, name, data[name])
    _save_versioned(trip, TRIP_FIELDS, expected_version=expected_version)
    changes = audit.diff(before, audit.snapshot(trip, TRIP_FIELDS))
    if changes:
        audit.record(actor=by, action="attraction.trip.updated", obj=trip, changes=changes)
    return trip


@transaction.atomic
def delete_trip(*, trip: Trip, expected_version: int, by: User) -> None:
    """Remove a trip entered by mistake; the audit event keeps what it said."""
    _check_trip_writer(by, trip.unit)
    audit.record(
        actor=by,
        action="attraction.trip.deleted",
        obj=trip,
        changes=audit.removed(audit.snapshot(trip, TRIP_FIELDS)),
    )
    if not Trip.objects.filter(pk=trip.pk, version=expected_version).delete()[0]:
        raise ConcurrentEditError()


def import_trips(*, rows: Sequence[SheetRow], by: User | None) -> SheetOutcome:
    """Validate every row of the sheet 外出招商, then create or update all trips in one transaction, or write
    nothing and return the errors of every wrong row.

    A row matches an existing trip by (单位, 出发日期, 带队领导, 目的地); a matched trip takes the row's other
    columns, so re-importing the same sheet changes nothing. `by=None`: the operator at the command line.
    Queries: the units, the importer's scope, the existing trips of the sheet's units and dates, then the
    bulk writes and the audit events in batches. No lost update: see write_trips.
    """
    plan = validate_trips(rows=rows, by=by)
    if plan.errors:
        return SheetOutcome(total=plan.total, errors=plan.errors)
    return write_trips(plan=plan, by=by)


@dataclass
class TripImport:
    """What validate_trips found: the trips to create and to update (each with its Excel line, and for an
    update the version read), or the errors of the wrong rows."""

    total: int
    fields: list[str] = field(default_factory=list)
    created: list[tuple[Trip, int]] = field(default_factory=list)
    updated: list[tuple[Trip, int, dict, int]] = field(default_factory=list)  # trip, line, changes, version read
    errors: dict[int, list[str]] = field(default_factory=dict)


def validate_trips(*, rows: Sequence[SheetRow], by: User | None) -> TripImport:
    """The read phase of import_trips: every row checked and matched, nothing written."""
    if by is not None and not (by.is_coordinator or (by.is_reporter and by.unit_id)):
        raise AttractionError(f"{by} 无权导入外出招商数据。")
    has_next_step = bool(rows) and "next_step" in rows[0].values
    units = {fold(u.name): u for u in Unit.objects.all()}
    writable = writable_unit_ids(by)
    plan = TripImport(total=len(rows))
    parsed: list[tuple[SheetRow, sheets.ParsedTrip]] = []
    first_line: dict[tuple, int] = {}
    for row in rows:
        item = sheets.parse_trip_row(row.values, units=units, writable=writable)
        if not item.errors:
            key = item.key()
            if key in first_line:
                item.errors.append(f"与第 {first_line[key]} 行重复（同一单位、出发日期、带队领导和目的地）。")
            else:
                first_line[key] = row.line
        if item.errors:
            plan.errors[row.line] = item.errors
        parsed.append((row, item))
    if plan.errors:
        return plan

    plan.fields = fields = TRIP_FIELDS if has_next_step else [f for f in TRIP_FIELDS if f != "next_step"]
    existing = _existing_trips([item for _, item in parsed])
    for row, item in parsed:
        trip = existing.get(item.key())
        if trip is None:
            plan.created.append((Trip(**item.values, created_by=by), row.line))
            continue
        before = audit.snapshot(trip, fields)
        read_version = trip.version
        for name in fields:
            setattr(trip, name, item.values[name])
        changes = audit.diff(before, audit.snapshot(trip, fields))
        if changes:
            trip.version = read_version + 1
            trip.updated_at = timezone.now()
            plan.updated.append((trip, row.line, changes, read_version))
    return plan


def write_trips(*, plan: TripImport, by: User | None) -> SheetOutcome:
    """The write phase of import_trips, in one transaction. No lost update: the trips to update are locked and
    must still have the version read when validated, and no trip to create may have been entered meanwhile;
    otherwise nothing is written and each such row gets its error (the ledger import's rule)."""
    fields = plan.fields
    with transaction.atomic():
        changed = changed_since_read(Trip, {t.pk: version for t, _, _, version in plan.updated})
        errors = row_errors((line for t, line, _, _ in plan.updated if t.pk in changed),
                            MODIFIED_MEANWHILE.format(noun="外出招商"))
        taken = _existing_trips([sheets.ParsedTrip(values={name: getattr(t, name) for name in TRIP_FIELDS})
                                 for t, _ in plan.created])
        errors |= row_errors((line for t, line in plan.created
                              if (t.unit_id, t.departure_date, t.leading_cadre, t.destination) in taken),
                             CREATED_MEANWHILE.format(noun="外出招商"))
        if errors:
            return SheetOutcome(total=plan.total, errors=errors)
        created = [t for t, _ in plan.created]
        Trip.objects.bulk_create(created, batch_size=BATCH)
        if plan.updated:
            Trip.objects.bulk_update(
                [t for t, _, _, _ in plan.updated], [*fields, "version", "updated_at"], batch_size=BATCH
            )
        audit.record_many(
            actor=by,
            actor_name="" if by else CLI_ACTOR,
            events=[
                *(
                    ("attraction.trip.imported", t, audit.created(audit.snapshot(t, fields)))
                    for t in created
                ),
                *(("attraction.trip.updated", t, changes) for t, _, changes, _ in plan.updated),
            ],
        )
    return SheetOutcome(total=plan.total, created=len(created), updated=len(plan.updated),
                        unchanged=plan.total - len(created) - len(plan.updated))


def _existing_trips(items: list[sheets.ParsedTrip]) -> dict[tuple, Trip]:
    """The stored trips the rows may match, in one query (the sheet's units and departure dates)."""
    if not items:
        return {}
    unit_ids = {item.values["unit"].pk for item in items}
    days = [item.values["departure_date"] for item in items]
    trips = Trip.objects.select_related("unit").filter(
        unit_id__in=unit_ids, departure_date__gte=min(days), departure_date__lte=max(days)
    )
    return {(t.unit_id, t.departure_date, t.leading_cadre, t.destination): t for t in trips}


# ---------------------------------------------------------------------------------------------------
# Leads

LEAD_FIELDS = ["investor", "intended_investment", "industry", "likelihood", "start_date"]


def _check_lead_writer(by: User, project: Project) -> None:
    if not (by.is_coordinator or (by.is_reporter and by.unit_id == project.unit_id)):
        raise AttractionError("只有项目责任单位的填报员或调度员可以维护招商线索。")


@transaction.atomic
def create_lead(*, project: Project, data: dict[str, Any], by: User, today: datetime.date) -> Lead:
    """Register the lead of a project in talks (在谈)."""
    _check_lead_writer(by, project)
    if project.stage != Stage.NEGOTIATING:
        raise AttractionError(
            f"只有处于“在谈”阶段的项目才能登记招商线索（该项目当前为“{project.get_stage_display()}”）。"
        )
    if Lead.objects.filter(project=project).exists():
        raise AttractionError("该项目已登记招商线索。")
    if data["start_date"] > today:
        raise AttractionError("开始接洽日期不能晚于今天。")
    lead = Lead.objects.create(project=project, **{k: data[k] for k in LEAD_FIELDS}, created_by=by)
    audit.record(
        actor=by,
        action="attraction.lead.created",
        obj=lead,
        changes=audit.created(audit.snapshot(lead, LEAD_FIELDS)),
    )
    return lead


@transaction.atomic
def update_lead(*, lead: Lead, data: dict[str, Any], expected_version: int, by: User, today: datetime.date) -> Lead:
    _check_lead_writer(by, lead.project)
    if data["start_date"] > today:
        raise AttractionError("开始接洽日期不能晚于今天。")
    if lead.closed_date and data["start_date"] > lead.closed_date:
        raise AttractionError("开始接洽日期不能晚于线索的结束日期。")
    stored = Lead.objects.get(pk=lead.pk)
    if stored.version == expected_version and unchanged(stored, {name: data[name] for name in LEAD_FIELDS}):
        return lead  # saved as shown: no new version, no audit event
    before = audit.snapshot(stored, LEAD_FIELDS)
    for name in LEAD_FIELDS:
        setattr(lead, name, data[name])
    _save_versioned(lead, LEAD_FIELDS, expected_version=expected_version)
    changes = audit.diff(before, audit.snapshot(lead, LEAD_FIELDS))
    if changes:
        audit.record(actor=by, action="attraction.lead.updated", obj=lead, changes=changes)
    return lead


@transaction.atomic
def close_lead(
    *,
    lead: Lead,
    status: str,
    closed_date: datetime.date,
    reason: str = "",
    expected_version: int,
    by: User,
    today: datetime.date,
) -> Lead:
    """Close a lead as lost (流失, a reason is required) or signed (the project must have reached 签约).

    A closed lead stays in the lists, shown with its status and reason.
    """
    _check_lead_writer(by, lead.project)
    reason = (reason or "").strip()
    if lead.status != Lead.Status.ACTIVE:
        raise AttractionError(f"该线索已{lead.get_status_display()}，不能再次结束。")
    if closed_date > today:
        raise AttractionError("结束日期不能晚于今天。")
    if closed_date < lead.start_date:
        raise AttractionError("结束日期不能早于开始接洽日期。")
    if status == Lead.Status.LOST:
        if not reason:
            raise AttractionError("线索流失须填写原因。")
    elif status == Lead.Status.SIGNED:
        if stage_rank(lead.project.stage) < stage_rank(Stage.SIGNED) or lead.project.signed_date is None:
            raise AttractionError("该项目尚未签约（项目阶段推进到“签约”并填写签约日期后，线索才能以签约结束）。")
        reason = ""
    else:
        raise AttractionError("请选择结束方式：流失或签约。")
    before = {"status": lead.status, "closed_date": lead.closed_date, "lost_reason": lead.lost_reason}
    lead.status, lead.closed_date, lead.lost_reason = status, closed_date, reason
    _save_versioned(lead, ["status", "closed_date", "lost_reason"], expected_version=expected_version)
    audit.record(
        actor=by,
        action="attraction.lead.lost" if status == Lead.Status.LOST else "attraction.lead.signed",
        obj=lead,
        changes=audit.diff(before, {"status": status, "closed_date": closed_date, "lost_reason": reason}),
    )
    return lead


@transaction.atomic
def reopen_lead(*, lead: Lead, expected_version: int, by: User) -> Lead:
    """Talks resumed: the lead is open again (the earlier reason stays in the audit log)."""
    _check_lead_writer(by, lead.project)
    if lead.status == Lead.Status.ACTIVE:
        raise AttractionError("该线索仍在谈，无需重新打开。")
    before = {"status": lead.status, "closed_date": lead.closed_date, "lost_reason": lead.lost_reason}
    lead.status, lead.closed_date, lead.lost_reason = Lead.Status.ACTIVE, None, ""
    _save_versioned(lead, ["status", "closed_date", "lost_reason"], expected_version=expected_version)
    audit.record(
        actor=by,
        action="attraction.lead.reopened",
        obj=lead,
        changes=audit.diff(before, {"status": lead.status, "closed_date": None, "lost_reason": ""}),
    )
    return lead


@transaction.atomic
def add_follow_up(*, lead: Lead, date: datetime.date, content: str, by: User, today: datetime.date) -> FollowUp:
    """One entry of the follow-up log; the lead's last follow-up date follows from it (never stored)."""
    _check_lead_writer(by, lead.project)
    content = (content or "").strip()
    if not content:
        raise AttractionError("请填写跟进情况。")
    if lead.status != Lead.Status.ACTIVE:
        raise AttractionError(f"该线索已{lead.get_status_display()}，不能再添加跟进记录；如恢复洽谈请先重新打开。")
    if date > today:
        raise AttractionError("跟进日期不能晚于今天。")
    if date < lead.start_date:
        raise AttractionError(f"跟进日期不能早于开始接洽日期（{lead.start_date:%Y-%m-%d}）。")
    entry = FollowUp.objects.create(lead=lead, date=date, content=content, by=by)
    audit.record(
        actor=by,
        action="attraction.follow_up.added",
        obj=entry,
        changes={"lead": [None, str(lead)], "date": [None, date], "content": [None, content]},
    )
    return entry


# ---------------------------------------------------------------------------------------------------
# Recognition (认定)


@transaction.atomic
def decide_recognition(*, project: Project, status: str, reason: str = "", by: User) -> Recognition:
    """The office records the higher-level recognition of a signed project: 已认定, 不予认定 (with a reason),
    or back to 待认定. Rejected projects do not count as signed in the three work items."""
    if not by.is_coordinator:
        raise AttractionError("签约项目认定只能由调度员（重点项目办）操作。")
    if project.signed_date is None:
        raise AttractionError("只有已签约（有签约日期）的项目才能认定。")
    if status not in Recognition.Status.values:
        raise AttractionError("请选择认定结果。")
    reason = (reason or "").strip()
    if status == Recognition.Status.REJECTED and not reason:
        raise AttractionError("不予认定须填写原因（例如投资额不足、城建项目不计入等）。")
    current = Recognition.objects.select_for_update().filter(project=project).first()
    before = (
        {"status": current.status, "reason": current.reason}
        if current
        else {"status": Recognition.Status.PENDING, "reason": ""}
    )
    after = {"status": status, "reason": reason}
    recognition = current or Recognition(project=project)
    recognition.status, recognition.reason = status, reason
    recognition.decided_by, recognition.decided_at = by, timezone.now()
    recognition.save()
    audit.record(
        actor=by,
        action="attraction.recognition.decided",
        obj=recognition,
        changes=audit.diff(before, after) or {"status": [before["status"], status]},
    )
    return recognition
