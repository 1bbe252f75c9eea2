"""The scope and as-of date of an indicator page, read from its query string — one public helper for every page
that shows figures for a scope (indicators, dashboard). Parsing only: unknown values are ignored, not errors, and
nothing here computes a figure."""

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tadiao.indicators.queries import Scope
from tadiao.lib.dates import parse_date
from tadiao.org.models import Unit, User
from tadiao.projects.models import Batch, Category, Industry, Level, Project
from tadiao.projects.queries import visible_projects


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def as_of_from(request: HttpRequest) -> datetime.date:
    """`?as_of=` (2026-04-30 or 2026年4月30日), else today."""
    try:
        return parse_date(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


def scope_from(request: HttpRequest) -> Scope:
    """The scope bar's filters: unit, level, category, industry, tag, batch."""
    get = request.GET
    return Scope(
        unit_id=_int(get.get("unit")),
        level=get.get("level", "") if get.get("level", "") in Level.values else "",
        category=get.get("category", "") if get.get("category", "") in Category.values else "",
        industry_id=_int(get.get("industry")),
        tag=get.get("tag", "").strip()[:30],
        batch_id=_int(get.get("batch")),
    )


def scoped_projects(user: User, scope: Scope) -> QuerySet[Project]:
    """The user's visible projects narrowed to the scope (the access gate first, always)."""
    return scope.apply(visible_projects(user))


def scope_choices(user: User) -> dict:
    """The options of the scope bar: the units with a project the user may read, and the fixed lists."""
    return {
        "units": Unit.objects.filter(pk__in=visible_projects(user).values("unit_id")).order_by("display_order", "id"),
        "levels": Level.choices,
        "categories": Category.choices,
        "industries": Industry.objects.all(),
        "batches": Batch.objects.all(),
    }
