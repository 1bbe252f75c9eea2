"""The "三个一批" campaign's own rates (签约项目履约率 …) over the projects entered in chosen periods.

Shown on the project registry's batch page (/projects/batches/) through projects.extensions, which
IndicatorsConfig.ready() fills: the rates are indicator definitions, computed by the indicator engine.
"""

import datetime

from django.db.models import Exists, OuterRef, QuerySet

from tadiao.indicators.models import RateDefinition
from tadiao.indicators.queries import RateResult, compute_rates
from tadiao.projects.models import BatchEntry, Project
from tadiao.projects.queries import projects_in_batches

# No batch has this number (期数 are positive): a range that leaves a definition no period matches no entry.
NO_BATCH = -1


def _within_periods(selection: dict, numbers: list[int]) -> dict:
    """The selection with its "三个一批" condition held to the chosen periods.

    `batches` and `batch_kinds` of one selection compile to one EXISTS over BatchEntry, so after this the kind and
    the period must hold on the same entry: a project 签约一批 in 第6期 and 开工一批 in 第7期 is not 签约一批 of 第7期.
    Periods the definition names itself are narrowed to the range, never widened.
    """
    scoped = dict(selection)
    if scoped.get("batches") or scoped.get("batch_kinds"):
        named = scoped.get("batches") or numbers
        scoped["batches"] = [n for n in named if n in numbers] or [NO_BATCH]
    if scoped.get("any_of"):
        scoped["any_of"] = [_within_periods(sub, numbers) for sub in scoped["any_of"]]
    return scoped


def campaign_rates(projects: QuerySet[Project], *, numbers: list[int] | None, as_of: datetime.date) -> list[RateResult]:
    """The campaign's own rates (签约项目履约率 …) over the projects entered in the chosen periods: two queries.

    With a range (`numbers`), only the entries of those periods count, in the denominators as in the base set;
    without one (None), the definitions keep their stored, all-period meaning.
    """
    definitions = list(RateDefinition.objects.filter(code__startswith="campaign_"))
    if numbers is None:
        base = projects.filter(Exists(BatchEntry.objects.filter(project=OuterRef("pk"))))
    else:
        base = projects_in_batches(projects, numbers=numbers)
        for d in definitions:  # in memory only, never saved
            d.numerator = _within_periods(d.numerator, numbers)
            d.denominator = _within_periods(d.denominator, numbers)
    return list(compute_rates(base, as_of=as_of, definitions=definitions).values())

