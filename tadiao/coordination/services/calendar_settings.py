"""The office's calendar (节假日安排: adjusted working days) and the settings of problem coordination (what the
daily run does with an overdue item, the reminder window, each category's working days).
"""

import datetime

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.coordination import queries
from tadiao.coordination.models import CategoryDeadline, CoordinationSettings, WorkdayAdjustment
from tadiao.coordination.services.base import ConcurrentEditError, _require
from tadiao.lib.versioning import save_if_unchanged
from tadiao.org.models import User


@transaction.atomic
def save_workday_adjustment(*, date: datetime.date, is_workday: bool, note: str, by: User) -> WorkdayAdjustment:
    _require(by.is_coordinator, "只有调度员可以维护节假日安排。")
    old = WorkdayAdjustment.objects.filter(date=date).first()
    item, _ = WorkdayAdjustment.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "note": note.strip()[:50]}
    )
    audit.record(
        actor=by,
        action="coordination.calendar.saved",
        obj=item,
        changes={
            "is_workday": [old.is_workday if old else None, is_workday],
            "note": [old.note if old else None, item.note],
        },
    )
    return item


@transaction.atomic
def delete_workday_adjustment(*, date: datetime.date, by: User) -> None:
    _require(by.is_coordinator, "只有调度员可以维护节假日安排。")
    item = WorkdayAdjustment.objects.filter(date=date).first()
    _require(item is not None, "该日期没有节假日调整。")
    audit.record(
        actor=by,
        action="coordination.calendar.deleted",
        obj=item,
        changes={"is_workday": [item.is_workday, None], "note": [item.note, None]},
    )
    item.delete()


@transaction.atomic
def update_settings(
    *, overdue_action: str, due_soon_days: int, category_days: dict[str, int], by: User, expected_version: int
) -> CoordinationSettings:
    _require(by.is_coordinator, "只有调度员可以修改问题协调设置。")
    config = queries.coordination_settings()
    before = {
        "overdue_action": config.overdue_action,
        "due_soon_days": config.due_soon_days,
        **{f"days_{k}": v for k, v in queries.category_days().items()},
    }
    edited = {"overdue_action": overdue_action, "due_soon_days": due_soon_days}
    edited.update({f"days_{k}": v for k, v in category_days.items()})
    if config.version == expected_version and before == {**before, **edited}:
        return config  # saved as shown: no new version, no audit event
    config.overdue_action, config.due_soon_days = overdue_action, due_soon_days
    if not save_if_unchanged(config, ["overdue_action", "due_soon_days"], expected_version=expected_version):
        raise ConcurrentEditError()
    for category, days in category_days.items():
        _require(1 <= days <= 250, "办结时限应为 1–250 个工作日。")
        CategoryDeadline.objects.update_or_create(category=category, defaults={"working_days": days})
    after = {
        **before,
        "overdue_action": overdue_action,
        "due_soon_days": due_soon_days,
        **{f"days_{k}": v for k, v in category_days.items()},
    }
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=by, action="coordination.settings.updated", obj=config, changes=changes)
    return config
