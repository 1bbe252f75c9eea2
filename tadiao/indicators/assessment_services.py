"""Writes of the quarterly assessment schemes (考评方案): a coordinator edits a scheme's items as a whole, or copies
a scheme for a new year. Every change is audited in the same transaction."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from tadiao.audit import services as audit
from tadiao.indicators import assessment
from tadiao.indicators.assessment import AssessmentError
from tadiao.indicators.models import AssessmentItem, AssessmentScheme
from tadiao.lib.versioning import save_if_unchanged
from tadiao.org.models import User


def _require_coordinator(by: User) -> None:
    if not by.is_coordinator:
        raise AssessmentError("考评方案需由调度员（重点项目办）配置。")


def _item_json(item: AssessmentItem | dict) -> dict:
    get: Callable[[str], Any] = item.get if isinstance(item, dict) else lambda key: getattr(item, key)
    return {
        "name": get("name"),
        "kind": get("kind"),
        "weight": format(Decimal(get("weight")), "f"),
        "rule": get("rule"),
        "display_order": get("display_order"),
    }


def _check_active_year(scheme: AssessmentScheme, *, year: int | None, is_active: bool) -> None:
    if not is_active:
        return
    other = AssessmentScheme.objects.filter(is_active=True, year=year).exclude(pk=scheme.pk).first()
    if other is not None:
        which = f"{year}年" if year else "通用（不限年度）"
        raise AssessmentError(f"{which}已有启用的考评方案“{other.name}”，请先停用该方案。")


@transaction.atomic
def save_scheme(
    *,
    scheme: AssessmentScheme,
    version: int,
    name: str,
    year: int | None,
    bottom_n: int,
    description: str,
    is_active: bool,
    items: list[dict],
    by: User,
    unit_kinds: list[str] | None = None,
) -> AssessmentScheme:
    """Replace the scheme's fields and items. `items`: dicts of id (None for a new item), name, kind, weight,
    rule, display_order; items of the scheme not listed are removed. Rules are validated against the rate
    definitions; base weights must sum to 100."""
    _require_coordinator(by)
    names = assessment.rate_names()
    clean = []
    for entry in items:
        try:
            rule = assessment.validate_rule(entry["rule"], kind=entry["kind"], weight=entry["weight"], rate_names=names)
        except AssessmentError as exc:
            raise AssessmentError(f"“{entry['name']}”：{exc.message}") from exc
        clean.append({**entry, "rule": rule})
    assessment.validate_items(clean)
    _check_active_year(scheme, year=year, is_active=is_active)
    if bottom_n < 0:
        raise AssessmentError("约谈名额不能为负数。")
    existing = {i.pk: i for i in scheme.items.all()}
    old_items = [_item_json(i) for i in existing.values()]
    keep = {entry["id"] for entry in clean if entry.get("id")}
    if keep - set(existing):
        raise AssessmentError("要修改的考评项目不属于该方案，请刷新页面后重试。")

    new_fields = {
        "name": name,
        "year": year,
        "bottom_n": bottom_n,
        "unit_kinds": list(unit_kinds or []),
        "description": description,
        "is_active": is_active,
    }
    old_fields = {key: getattr(scheme, key) for key in new_fields}
    same_items = {entry.get("id"): _item_json(entry) for entry in clean} == {
        pk: _item_json(item) for pk, item in existing.items()
    }
    if scheme.version == version and old_fields == new_fields and same_items:
        return scheme  # saved as shown: no new version, no audit event
    # The version check: a conditional UPDATE, so a concurrent save by another coordinator is refused, not lost.
    # Written from a detached copy, so that a refused save leaves `scheme` as stored for the page shown again.
    if not save_if_unchanged(AssessmentScheme(pk=scheme.pk, **new_fields), list(new_fields), expected_version=version):
        raise AssessmentError("该方案已被他人修改，请刷新页面后重新编辑。")
    scheme.items.exclude(pk__in=keep).delete()
    # Names are unique within a scheme: park the kept rows under temporary names first so that two items may
    # swap names in one save.
    for pk in keep:
        AssessmentItem.objects.filter(pk=pk).update(name=f"__{pk}")
    for entry in clean:
        values = {k: entry[k] for k in ("name", "kind", "weight", "rule", "display_order")}
        if entry.get("id"):
            AssessmentItem.objects.filter(pk=entry["id"]).update(**values)
        else:
            AssessmentItem.objects.create(scheme=scheme, **values)
    scheme.refresh_from_db()
    changes = audit.diff(old_fields, new_fields)
    new_items = [_item_json(i) for i in scheme.items.all()]
    if old_items != new_items:
        changes["items"] = [old_items, new_items]
    audit.record(actor=by, action="indicators.assessment_scheme.saved", obj=scheme, changes=changes)
    return scheme


@transaction.atomic
def copy_scheme(*, scheme: AssessmentScheme, name: str, year: int | None, by: User) -> AssessmentScheme:
    """A new, inactive scheme with the same items: the starting point of next year's scheme."""
    _require_coordinator(by)
    if not name.strip():
        raise AssessmentError("请填写新方案名称。")
    copy = AssessmentScheme.objects.create(
        name=name.strip(),
        year=year,
        bottom_n=scheme.bottom_n,
        unit_kinds=scheme.unit_kinds,
        description=scheme.description,
        is_active=False,
    )
    items = [
        AssessmentItem(
            scheme=copy, name=i.name, kind=i.kind, weight=i.weight, rule=i.rule, display_order=i.display_order
        )
        for i in scheme.items.all()
    ]
    AssessmentItem.objects.bulk_create(items)
    audit.record(
        actor=by,
        action="indicators.assessment_scheme.copied",
        obj=copy,
        changes={
            "copied_from": [None, str(scheme)],
            "year": [None, year],
            "items": [None, [_item_json(i) for i in items]],
        },
    )
    return copy
