"""Extra read access to projects, granted by layers above the project registry.

`queries.visible_projects` is the one access gate for projects. A reporter reads its own unit's projects and, in
addition, the projects that a layer above grants it: today coordination says "a unit named lead or helping on a
problem also reads that problem's project". The project registry must not import coordination (it sits below it),
so the rule is handed in here instead, at app load:

    # tadiao/coordination/apps.py, in CoordinationConfig.ready()
    access.register_extra_readable(projects_handled_by_unit)

Who fills it: CoordinationConfig.ready(). Each registered function takes a unit id and returns a queryset of
project ids (a `values("project_id")` subquery, so the gate stays one SQL query); the gate ORs them in. Reading
only: writing stays with the project's own unit (`queries.may_write_project`).
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

ExtraReadable = Callable[[int], QuerySet]
"""unit id → a queryset yielding the ids of further projects that unit's reporters may read."""

_extra_readable: list[ExtraReadable] = []


def register_extra_readable(fn: ExtraReadable) -> None:
    """Add a source of extra readable projects (idempotent: registering the same function twice keeps one)."""
    if fn not in _extra_readable:
        _extra_readable.append(fn)


def extra_readable_q(unit_id: int) -> Q:
    """The condition "pk is among the extra readable projects of the unit" (an empty Q() when none is registered,
    which the caller ORs with nothing)."""
    condition = Q()
    for fn in _extra_readable:
        condition |= Q(pk__in=fn(unit_id))
    return condition
