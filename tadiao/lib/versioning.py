"""The optimistic lock of rows two officials may edit at once (architecture.md §6): an UPDATE conditional on
the version the user saw, so the second save is refused instead of silently overwriting the first."""

from typing import Any, cast

from django.db.models import F, Field, Model
from django.utils import timezone


def save_if_unchanged(obj: Model, fields: list[str], *, expected_version: int) -> bool:
    """Write `fields` of `obj` (foreign keys by their column), bump `version` (and `updated_at` when the model
    has one) only if the stored version is still `expected_version`. False: someone saved in between — the
    caller raises its own conflict error. On success `obj.version` (and `obj.updated_at`) hold what was written."""
    model = type(obj)
    # cast: `fields` name the model's own columns, never a reverse relation (which has no attname).
    values = {cast(Field[Any, Any], model._meta.get_field(name)).attname: getattr(obj, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated:
        # (ignored for mypy below) Model declares no version; callers pass versioned rows
        obj.version = expected_version + 1  # type: ignore[attr-defined]
        if "updated_at" in values:
            obj.updated_at = values["updated_at"]  # type: ignore[attr-defined]  # present: checked in _meta above
    return bool(updated)


def update_if_unchanged(obj: Model, *, expected_version: int, **values: object) -> bool:
    """Write `values` (and a fresh `updated_at`) to `obj`'s row only if its stored version is still
    `expected_version`, then reload `obj`. Unlike save_if_unchanged it leaves `obj` as it was when refused, so a
    page can render the refused change with what the user saw. False: someone saved in between."""
    updated = type(obj)._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated:
        obj.refresh_from_db()
    return bool(updated)


def unchanged(stored: Model, values: dict[str, Any]) -> bool:
    """Whether saving `values` onto the `stored` row would change nothing: an edit page saved as it was shown.

    Then the services write nothing — no new version (which would refuse another official's save of the same page
    as a conflict), no new update time, no audit event. Related objects compare by id (a value may be the object
    or its id); a many-to-many value is a collection of objects or ids, compared as a set."""
    for name, value in values.items():
        # cast: `values` name the model's own fields, never a reverse relation (which has no attname).
        field = cast(Field[Any, Any], stored._meta.get_field(name))
        if field.many_to_many:
            if {getattr(v, "pk", v) for v in value or []} != {o.pk for o in getattr(stored, name).all()}:
                return False
        elif field.is_relation:
            if getattr(value, "pk", value) != getattr(stored, field.attname):
                return False
        elif value != getattr(stored, name):
            return False
    return True
