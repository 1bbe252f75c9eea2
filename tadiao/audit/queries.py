"""Reads of the audit log, for the audit administrator's page and its export."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from tadiao.audit import labels
from tadiao.audit.models import AuditEvent

EMPTY = "空"
ACTION_GROUPS, ACTION_LABELS, EXTRA_LABELS = labels.ACTION_GROUPS, labels.ACTION_LABELS, labels.EXTRA_LABELS


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of a day in Asia/Shanghai, so a date filter is a plain indexed range on `at`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_events(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    result: str = "",
) -> QuerySet[AuditEvent]:
    """Events, newest first. `action` is an exact code, or a prefix ending in "*" ("org.user.*");
    `date_to` includes the whole day."""
    events = AuditEvent.objects.order_by("-at", "-id")
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if actor:
        # The name recorded at the time (a failed login's typed user name included), or today's user name.
        events = events.filter(Q(actor_name__icontains=actor) | Q(actor__username__icontains=actor))
    if action.endswith("*"):
        events = events.filter(action__startswith=action[:-1])
    elif action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if result:
        events = events.filter(result=result)
    return events


def action_choices() -> list[tuple[str, str]]:
    """The codes present in the log, each preceded by its groups as prefixes ("org.*", "org.user.*"); the values
    are the codes, the labels are Chinese: "组织机构（全部）", "组织机构·用户（全部）", "变更角色"."""
    codes = list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code in codes:
        parts = code.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth]) + ".*"
            if prefix not in seen:
                seen.add(prefix)
                group = ACTION_GROUPS.get(parts[0], "其他")
                label = group if depth == 1 else f"{group}·{subject_label(parts[0], parts[1])}"
                choices.append((prefix, f"{label}（全部）"))
        choices.append((code, action_label(code)))
    return choices


def subject_label(app_label: str, subject: str) -> str:
    """The middle part of a code, "org.user" → "用户", "reporting.report" → "月报"."""
    if subject in labels.SUBJECT_LABELS:
        return labels.SUBJECT_LABELS[subject]
    try:
        return str(apps.get_model(app_label, subject)._meta.verbose_name)
    except (LookupError, ValueError):
        return "其他"


def action_label(code: str, object_type: str = "") -> str:
    """The Chinese of an action code. A code this version has no label for (recorded by a newer one) is named
    by its verb and object type, "修改单位"; never shown as the code itself."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    verb = labels.VERB_LABELS.get(code.rsplit(".", 1)[-1])
    parts = code.split(".")
    subject = object_type_label(object_type) if object_type else (
        subject_label(parts[0], parts[1]) if len(parts) > 2 else ACTION_GROUPS.get(parts[0], ""))
    if subject in ("", "其他", labels.EMPTY_TYPE):
        return f"其他操作（{verb}）" if verb else "其他操作"
    return f"{verb}{subject}" if verb else f"{subject}相关操作"


def object_type_label(object_type: str) -> str:
    """ "org.unit" → "单位"; unknown types as they are."""
    if not object_type:
        return labels.EMPTY_TYPE
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_type_choices() -> list[tuple[str, str]]:
    types = AuditEvent.objects.exclude(object_type="").order_by("object_type")
    return [(t, object_type_label(t)) for t in types.values_list("object_type", flat=True).distinct()]


def _field(object_type: str, key: str):
    try:
        return apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _field_label(object_type: str, key: str, field) -> str:
    if field is not None and hasattr(field, "verbose_name"):  # reverse relations have none
        return str(field.verbose_name)
    if key in EXTRA_LABELS:
        return EXTRA_LABELS[key]
    return key


def _value(value: Any, choices: dict | None = None) -> str:
    """A recorded value as a person reads it: a choice by its label (SUBMITTED → 已报送), a flag as 是/否."""
    if value is None or value == "" or value == []:
        return EMPTY
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_value(v, choices) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_value(v, choices)}" for k, v in value.items())
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def _choices(field) -> dict | None:
    """A field's choices as {code: label}, for the values recorded for it."""
    flat = getattr(field, "flatchoices", None) if field is not None else None
    return dict(flat) if flat else None


def describe_changes(event: AuditEvent) -> list[str]:
    """The changes as lines "字段: 旧值 → 新值" (a value that is not a pair: "字段: 值"), with field names and
    choice values in Chinese: "状态: 已提交 → 审核通过", "问题类别: 用地"."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    lines = []
    for key, change in changes.items():
        field = _field(event.object_type, key)
        label = _field_label(event.object_type, key, field)
        choices = _choices(field)
        if isinstance(change, list) and len(change) == 2:
            lines.append(f"{label}: {_value(change[0], choices)} → {_value(change[1], choices)}")
        else:
            lines.append(f"{label}: {_value(change, choices)}")
    return lines


@dataclass(frozen=True)
class EventRow:
    """An event as the page shows it."""

    event: AuditEvent
    action_label: str
    object_type_label: str
    changes: list[str]


def event_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    return [EventRow(e, action_label(e.action, e.object_type), object_type_label(e.object_type), describe_changes(e))
            for e in events]


EXPORT_HEADERS = [
    "时间",
    "操作人",
    "IP 地址",
    "操作",
    "对象类型",
    "对象",
    "变更（原值 → 新值）",
    "结果",
    "说明",
    "操作代码",
]
EXPORT_LIMIT = 50_000


def export_rows(events: QuerySet[AuditEvent]):
    """One row per event, as the page shows it (in Chinese), the code last for whoever filters by it; times are
    naive Asia/Shanghai for the spreadsheet."""
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).replace(tzinfo=None),
            event.actor_name,
            event.ip or "",
            action_label(event.action, event.object_type),
            object_type_label(event.object_type),
            event.object_repr,
            "\n".join(describe_changes(event)),
            event.get_result_display(),
            event.message,
            event.action,
        ]
