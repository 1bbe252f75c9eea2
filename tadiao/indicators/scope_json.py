"""The JSON object of `tadiao indicators --json` for a scope, before any comparison with a snapshot: the same
object the open API's /api/v1/indicators answers (one function, so the two cannot drift apart)."""

import datetime

from django.db.models import QuerySet

from tadiao.indicators.attraction_figures import Period, attraction_figures, period
from tadiao.indicators.formatting import batches_as_json, indicators_as_json
from tadiao.indicators.models import Snapshot
from tadiao.indicators.queries import Indicators, compute_indicators
from tadiao.org.models import Unit
from tadiao.projects.models import Project


def scope_as_json(
    projects: QuerySet[Project],
    units: list[Unit],
    *,
    as_of: datetime.date,
    span: Period | None = None,
    earlier: Snapshot | None = None,
) -> tuple[Indicators, dict]:
    """(the computed indicators, the JSON object): indicators, 三个一批 and the attraction figures of `units` for
    `span` (default 1 January to the as-of date), with 零的突破 / 连续空白 against `earlier` when given."""
    result = compute_indicators(projects, as_of=as_of)
    data = indicators_as_json(result)
    data.update(batches_as_json(projects, as_of=as_of))
    span = span or period(as_of=as_of, start=None, end=None)
    data.update(attraction_figures(units, span=span, earlier=earlier))
    return result, data
