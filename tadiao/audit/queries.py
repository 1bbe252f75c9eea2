"""Reads of the audit log, for the audit administrator's page and its export."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

from tadiao.audit.models import AuditEvent

# Keys of `changes` that are not model fields, and their labels.
EXTRA_LABELS = {"roles": "角色", "password": "密码", "path": "路径"}
# Object types that are not models of this project.
EXTRA_TYPES = {"": "（无）"}
# The first part of an action code, as the page names the group.
ACTION_GROUPS = {
    "auth": "登录",
    "org": "组织机构",
    "projects": "项目",
    "imports": "数据导入",
    "audit": "审计",
    "demo": "演示数据",
    "reporting": "月度填报",
    "indicators": "指标",
}
EMPTY = "空"
# What an action code means, for the auditor; codes of apps not listed here are shown as they are.
ACTION_LABELS = {
    "demo.loaded": "加载演示数据",
    "auth.login": "登录成功",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.locked_out": "账号锁定",
    "audit.exported": "导出审计日志",
    "org.region.created": "新增区划",
    "org.region.updated": "修改区划",
    "org.unit.created": "新增单位",
    "org.unit.updated": "修改单位",
    "org.unit.deactivated": "停用单位",
    "org.unit.reactivated": "启用单位",
    "org.leader.created": "新增领导",
    "org.leader.updated": "修改领导",
    "org.user.created": "新增用户",
    "org.user.updated": "修改用户信息",
    "org.user.roles_changed": "变更角色",
    "org.user.password_reset": "重置密码",
    "org.user.deactivated": "停用用户",
    "org.user.reactivated": "启用用户",
}


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
    """The codes present in the log, each preceded by its groups as prefixes: "org.*", "org.user.*"."""
    codes = list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for code in codes:
        parts = code.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth]) + ".*"
            if prefix not in seen:
                seen.add(prefix)
                label = ACTION_GROUPS.get(parts[0], parts[0]) if depth == 1 else prefix
                choices.append((prefix, f"{label}（全部 {prefix}）" if depth == 1 else f"{prefix}（全部）"))
        choices.append((code, f"{code} {ACTION_LABELS[code]}" if code in ACTION_LABELS else code))
    return choices


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, "")


def object_type_label(object_type: str) -> str:
    """ "org.unit" → "单位"; unknown types as they are."""
    if object_type in EXTRA_TYPES:
        return EXTRA_TYPES[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_type_choices() -> list[tuple[str, str]]:
    types = AuditEvent.objects.exclude(object_type="").order_by("object_type")
    return [(t, object_type_label(t)) for t in types.values_list("object_type", flat=True).distinct()]


def _field_label(object_type: str, key: str) -> str:
    if key in EXTRA_LABELS:
        return EXTRA_LABELS[key]
    try:
        field = apps.get_model(object_type)._meta.get_field(key)
        # Reverse relations have no verbose_name: fall back to the key rather than fail the page.
        return str(getattr(field, "verbose_name", key))
    except (LookupError, ValueError, FieldDoesNotExist):
        return key


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_value(v)}" for k, v in value.items())
    return str(value)


def describe_changes(event: AuditEvent) -> list[str]:
    """The changes as lines "字段: 旧值 → 新值" (a value that is not a pair: "字段: 值")."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    lines = []
    for key, change in changes.items():
        label = _field_label(event.object_type, key)
        if isinstance(change, list) and len(change) == 2:
            lines.append(f"{label}: {_value(change[0])} → {_value(change[1])}")
        else:
            lines.append(f"{label}: {_value(change)}")
    return lines


@dataclass(frozen=True)
class EventRow:
    """An event as the page shows it."""

    event: AuditEvent
    action_label: str
    object_type_label: str
    changes: list[str]


def event_rows(events: Iterable[AuditEvent]) -> list[EventRow]:
    return [EventRow(e, action_label(e.action), object_type_label(e.object_type), describe_changes(e)) for e in events]


EXPORT_HEADERS = [
    "时间",
    "操作人",
    "IP 地址",
    "操作",
    "操作说明",
    "对象类型",
    "对象",
    "变更（原值 → 新值）",
    "结果",
    "说明",
]
EXPORT_LIMIT = 50_000


def export_rows(events: QuerySet[AuditEvent]):
    """One row per event, as the page shows it; times are naive Asia/Shanghai for the spreadsheet."""
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).replace(tzinfo=None),
            event.actor_name,
            event.ip or "",
            event.action,
            action_label(event.action),
            object_type_label(event.object_type),
            event.object_repr,
            "\n".join(describe_changes(event)),
            event.get_result_display(),
            event.message,
        ]
