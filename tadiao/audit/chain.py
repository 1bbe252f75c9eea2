"""The audit log's hash chain: appending an event under the chain's lock, and verifying the chain.

Each event's `hash` is SHA-256 over its canonical JSON: the fields that say who did what to which object,
when and with what result, its position `seq` and `prev_hash`, the hash of the event before it (64 zeros for
the first). Changing, removing or inserting an event therefore breaks the link to the next one, whoever did it
and however (the triggers only stop the application and anyone without the right to drop them).

What the chain cannot show on its own: someone who can write the table and rewrites every event from some point
on, or removes the newest events, leaves a chain that verifies. Only a copy of the head hash kept elsewhere shows
that; `audit_verify` prints it for the operator to write down or ship, and checks an old one with `--head`.

The canonical form is version 1; the data migration 0003 hashed the existing events with it. Changing it means
a new version that verifies the old links with this one.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tadiao.lib import bulk
from tadiao.lib.dates import cn_date

GENESIS_HASH = "0" * 64
PURGE_ACTION = "audit.purged"
# Any constant will do: the lock every appending transaction on PostgreSQL takes until it commits.
POSTGRES_LOCK_KEY = 727_100_001
HASHED_FIELDS = ("seq", "at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id", "object_repr",
                 "changes", "result", "message", "prev_hash")


def _canonical_value(value: Any) -> Any:
    """The value as JSON keeps it in both databases: PostgreSQL's jsonb returns a whole-number float as an
    integer (1e20 → 100000000000000000000), so such floats are integers here too."""
    if value is None or type(value) in (str, int, bool):  # most values: asked first
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    return value


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(values: dict[str, Any]) -> bytes:
    """The bytes that are hashed: the hashed fields, sorted keys, no spaces, UTF-8."""
    document = {name: values[name] for name in HASHED_FIELDS}
    document["at"] = _at_text(document["at"])
    document["ip"] = document["ip"] or None
    document["changes"] = _canonical_value(document["changes"])
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def event_hash(values: dict[str, Any]) -> str:
    """The hash of one event given its field values (a dict, so the data migration can use it too)."""
    return hashlib.sha256(canonical_json(values)).hexdigest()


def _values(event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _normalise(event) -> None:
    """Gives the event the values the database will hand back, so the hash computed now is the one a later
    read recomputes: JSON-shaped changes, the stored form of the IP address, the length limits."""
    if event.at is None:
        event.at = timezone.now()
    event.changes = json.loads(json.dumps(event.changes or {}, ensure_ascii=False, allow_nan=False))
    ip_field = event._meta.get_field("ip")
    event.ip = ip_field.get_prep_value(event.ip) or None
    for name in ("actor_name", "action", "object_type", "object_id", "object_repr", "result", "message"):
        value = getattr(event, name) or ""
        setattr(event, name, value[: event._meta.get_field(name).max_length])


def lock_chain(using: str = DEFAULT_DB_ALIAS) -> None:
    """Serialises appenders until the current transaction ends, so two of them never take the same head.

    PostgreSQL: a transaction-level advisory lock. SQLite: every transaction is BEGIN IMMEDIATE (settings), so the
    writer holding the transaction already excludes every other writer. The unique `seq` backs both up: a fork
    would fail as a duplicate instead of being stored."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [POSTGRES_LOCK_KEY])


def head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """(seq, hash) of the newest event, (0, GENESIS_HASH) for an empty log."""
    from tadiao.audit.models import AuditEvent

    last = AuditEvent._base_manager.using(using).order_by("-seq").values_list("seq", "hash").first()
    return last or (0, GENESIS_HASH)


def _locked_head(using: str) -> tuple[int, str]:
    """`lock_chain` and `head` in one statement. On PostgreSQL the function audit_chain_head() (migration 0003)
    takes the advisory lock and then reads the head in a statement of its own, so the read sees what the
    transaction it waited for committed (one SELECT doing both would read with the snapshot from before the wait)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return head(using)
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_seq, head_hash FROM audit_chain_head()")
        seq, last = cursor.fetchone()
    return (seq, last) if seq is not None else (0, GENESIS_HASH)


def append(events: list, *, using: str = DEFAULT_DB_ALIAS, batch_size: int | None = None) -> list:
    """Numbers, links, hashes and inserts the (unsaved) events, in this order, in the caller's transaction (one
    is opened when there is none). One statement more than a plain insert: the locked read of the head."""
    from tadiao.audit.models import AuditEvent

    with transaction.atomic(using=using, savepoint=False):
        seq, prev = _locked_head(using)
        for event in events:
            _normalise(event)
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event_hash(_values(event))
        if len(events) == 1:
            events[0].save(force_insert=True, using=using)
        else:
            # One executemany per batch (lib.bulk): the ORM's bulk_create cost more than hashing them. The events'
            # pks are not set (none of the bulk callers reads them).
            bulk.insert(AuditEvent, events, using=using, batch_size=batch_size or 2000)
    return events


# --- verification ----------------------------------------------------------------------------------------


@dataclass
class Problem:
    """The first broken or missing link: the chain position, and the event's id and time where there is one."""

    seq: int
    message: str
    event_id: int | None = None
    at: datetime | None = None


@dataclass
class Verification:
    count: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    head_id: int | None = None
    head_at: datetime | None = None
    anchored_by: int | None = None  # seq of the purge checkpoint the first remaining event links to
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


def when(at: datetime) -> str:
    """2026年11月5日 14:03:07, Beijing time."""
    local = timezone.localtime(at)
    return f"{cn_date(local.date())} {local:%H:%M:%S}"


def where(event) -> str:
    return f"第 {event.seq} 条（id={event.pk}，{when(event.at)}）"


def _checkpoints(events) -> dict[int, tuple[int, str]]:
    """{last purged seq: (seq of the checkpoint event, hash of the last purged event)} from the purge records."""
    found = {}
    for seq, changes in events.filter(action=PURGE_ACTION).values_list("seq", "changes"):
        through = changes.get("purged_through_seq") if isinstance(changes, dict) else None
        if isinstance(through, int):
            found[through] = (seq, changes.get("purged_through_hash"))
    return found


def _first_link(event, checkpoints) -> tuple[Problem | None, int | None]:
    """The first remaining event links to the genesis hash, or to the last purged event as a checkpoint records
    it. Returns (problem, seq of the anchoring checkpoint)."""
    if event.seq == 1:
        if event.prev_hash == GENESIS_HASH:
            return None, None
        return Problem(1, f"链首被改动：{where(event)}的“前一条哈希”不是链的起点", event.pk, event.at), None
    checkpoint = checkpoints.get(event.seq - 1)
    if checkpoint is not None and checkpoint[1] == event.prev_hash:
        return None, checkpoint[0]
    missing = "第 1 条" if event.seq == 2 else f"第 1 至 {event.seq - 1} 条"
    return Problem(event.seq - 1, f"记录缺失：{where(event)}之前的{missing}不在库中，也没有清理命令留下的"
                   "对应清理记录（被直接删除）", event.pk, event.at), None


def _link(previous, event) -> Problem | None:
    if event.seq != previous.seq + 1:
        missing = (f"第 {previous.seq + 1} 条" if event.seq == previous.seq + 2
                   else f"第 {previous.seq + 1} 至 {event.seq - 1} 条")
        return Problem(previous.seq + 1, f"记录缺失：{missing}不在库中（在{where(previous)}与{where(event)}之间，"
                       "被直接删除）", event.pk, event.at)
    if event.prev_hash != previous.hash:
        return Problem(previous.seq, f"链接断开：{where(event)}所记的前一条哈希与{where(previous)}的哈希不符"
                       "（前一条被改动后重算了哈希，或被替换）", previous.pk, previous.at)
    return None


def _check_external_head(result: Verification, events, checkpoints, expected_head: tuple[int, str]) -> None:
    seq, expected = expected_head
    stored = events.filter(seq=seq).values_list("hash", flat=True).first()
    if stored is not None:
        if stored != expected:
            result.problem = Problem(seq, f"外部保存的链头第 {seq} 条的哈希与库中不符：自该条起的记录被整体重写")
    elif seq > result.head_seq:
        result.problem = Problem(seq, f"外部保存的链头第 {seq} 条不在库中：库中最新的只到第 {result.head_seq} 条，"
                                 "其后的记录被删除")
    elif seq in checkpoints:
        if checkpoints[seq][1] != expected:
            result.problem = Problem(seq, f"外部保存的链头第 {seq} 条已按保留期清理，"
                                     "但清理记录中它的哈希与外部保存的不符")
    else:
        result.notes.append(f"外部保存的链头第 {seq} 条已按保留期清理，无法再核对；请改存最新的链头。")


def verify(*, using: str = DEFAULT_DB_ALIAS, expected_head: tuple[int, str] | None = None,
           chunk_size: int = 2000) -> Verification:
    """Walks the chain in `seq` order and stops at the first event whose content no longer matches its hash,
    whose link does not point at the event before it, or that is missing. The first event must link to the
    genesis hash or, after a retention purge, to the last purged event as its checkpoint records it.
    `expected_head` is a (seq, hash) kept outside the database: that event must still be there, unchanged."""
    from tadiao.audit.models import AuditEvent

    result = Verification()
    events = AuditEvent._base_manager.using(using)
    checkpoints = _checkpoints(events)
    previous = None
    for event in events.order_by("seq").iterator(chunk_size=chunk_size):
        result.count += 1
        if previous is None:
            result.first_seq = event.seq
            result.problem, result.anchored_by = _first_link(event, checkpoints)
        else:
            result.problem = _link(previous, event)
        if result.problem is None and event_hash(_values(event)) != event.hash:
            result.problem = Problem(event.seq, f"内容被改动：{where(event)}的内容与其哈希不符", event.pk, event.at)
        if result.problem is not None:
            return result
        previous = event
    if previous is not None:
        result.head_seq, result.head_hash, result.head_id, result.head_at = (
            previous.seq, previous.hash, previous.pk, previous.at)
    if expected_head is not None:
        _check_external_head(result, events, checkpoints, expected_head)
    return result
