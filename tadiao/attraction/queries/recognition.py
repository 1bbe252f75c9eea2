"""签约项目认定: the signed projects with their recognition status."""

import datetime

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce

from tadiao.attraction.models import Recognition
from tadiao.attraction.queries.access import may_read
from tadiao.org.models import User
from tadiao.projects.models import Project
from tadiao.projects.queries import visible_projects

RECOGNITION_FILTERS = dict(Recognition.Status.choices)


def recognition_status_expr():
    """A signed project's recognition status; no row is 待认定."""
    return Coalesce(F("recognition__status"), Value(Recognition.Status.PENDING))


def signed_project_rows(
    user: User,
    *,
    unit_id: int | None = None,
    status: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Project]:
    """The visible signed projects (签约日期 set) with their recognition: one query per page."""
    projects = visible_projects(user).filter(signed_date__isnull=False) if may_read(user) else Project.objects.none()
    if unit_id:
        projects = projects.filter(unit_id=unit_id)
    if start:
        projects = projects.filter(signed_date__gte=start)
    if end:
        projects = projects.filter(signed_date__lte=end)
    projects = projects.select_related("unit", "recognition", "recognition__decided_by").annotate(
        recognition_status=recognition_status_expr()
    )
    if status in RECOGNITION_FILTERS:
        projects = projects.filter(recognition_status=status)
    return projects.order_by("-signed_date", "id")
