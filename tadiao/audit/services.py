"""`record()` and `record_many()` are the only writers of the audit log; services call them inside their own
transaction."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from tadiao.audit.context import current_ip, with_via
from tadiao.audit.models import AuditEvent

_AS_IS = (str, int, bool, float)


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value, as a person reads it."""
    if value is None or type(value) in _AS_IS:  # most values: asked first (an import audits millions of them)
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).isoformat(timespec="seconds")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    message: str = "",
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event. `changes` maps a field to [old, new] (or to a value for created objects)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_name=actor_name or (str(user) if user else "") or "",
        ip=ip or current_ip.get(),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=_plain(changes or {}),
        result=result,
        message=with_via(message)[:500],
    )


def record_many(
    *, actor, events: list[tuple[str, models.Model, dict[str, Any]]], actor_name: str = "", batch_size: int = 500
) -> int:
    """Append one event per (action, object, changes), in batched INSERTs: a bulk write's audit trail costs a
    fixed number of statements per 500 objects instead of one each."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    at, ip, message = timezone.now(), current_ip.get(), with_via("")[:500]
    name = actor_name or (str(user) if user else "")
    rows = [
        AuditEvent(
            at=at, actor=user, actor_name=name, ip=ip, action=action, object_type=obj._meta.label_lower,
            object_id=str(obj.pk), object_repr=str(obj)[:200], changes=_plain(changes or {}), message=message,
        )
        for action, obj, changes in events
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as {field: [old, new]}."""
    return {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items() if _plain(old.get(k)) != _plain(v)}


EMPTY_VALUES = (None, "", [])


def created(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes of a new object: {field: [None, value]} for every value that is not empty."""
    return {k: [None, v] for k, v in values.items() if v not in EMPTY_VALUES}


def removed(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes of a deleted object: {field: [value, None]} for every value that was not empty."""
    return {k: [v, None] for k, v in values.items() if v not in EMPTY_VALUES}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Field values of an object before an edit, for `diff`. Foreign keys by their text."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            values[name] = str(getattr(obj, name)) if getattr(obj, field.attname) is not None else None
        else:
            values[name] = getattr(obj, name)
    return values


def record_export(*, by, total: int, criteria: str) -> AuditEvent:
    """Reading the log out in bulk is itself worth a line in the log: written after the rows were read, so the
    event names exactly the number of events the file holds, and the filters that chose them."""
    return record(actor=by, action="audit.exported", message=f"导出审计日志 {total} 条；筛选条件：{criteria or '无'}")
