"""What the project pages show that is computed in the layers above the project registry.

The project list shows each project's warning light, the detail page why it is lit, the ledger export each
project's 1—N月 completed investment, the annual-plan form checks against what was reported, and the "三个一批"
page the campaign's rates. Lights and rates are indicators', reported investment is reporting's — both layers sit
above projects and import it, so projects must not import them back. Instead each of them hands its function in
here at app load, in its AppConfig.ready():

    slot            filled by                       used by
    lights          IndicatorsConfig.ready()        views.project_list, views.project_detail
    campaign_rates  IndicatorsConfig.ready()        views.batch_list
    year_progress   ReportingConfig.ready()         exports.project_ledger_response
    plan_checks     ReportingConfig.ready()         views.annual_plan_save
    picker_map      GisConfig.ready()               views.project_create, views.project_edit (location picker)

Each slot holds one function (a second registration replaces the first) and says what happens while it is empty
(only in a process that did not load the app above: the pages then show less, they never fail).
Not Django signals on purpose: every slot is typed, listed here, and called where the page needs it.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import DateField, DecimalField, QuerySet, Value

from tadiao.projects.models import Project


class Lights(Protocol):
    """Warning lights: `annotate` adds `.light` (0 green, 1 yellow, 2 red) to each project of a queryset, in the same
    query; `explain` gives (light, [(rule, level, sentence) …]) for one project."""

    def annotate(self, projects: QuerySet[Project], *, as_of: datetime.date) -> QuerySet[Project]: ...

    def explain(self, project: Project, *, as_of: datetime.date) -> tuple[int | None, list[tuple[Any, int, str]]]: ...


class CampaignRates(Protocol):
    """The "三个一批" campaign's own rates over `projects` for the batch numbers chosen (None: all periods)."""

    def __call__(
        self, projects: QuerySet[Project], *, numbers: list[int] | None, as_of: datetime.date
    ) -> Sequence[Any]: ...


class YearProgress(Protocol):
    """Annotates `ytd_investment` (1—N月 of `year` from the reported monthly reports), `progress_text` and
    `progress_month` (the latest 形象进度 up to month N), in subqueries: no query per row. Called with months ≥ 1."""

    def __call__(self, projects: QuerySet[Project], *, year: int, months: int) -> QuerySet[Project]: ...


class PlanChecks(Protocol):
    """Plausibility warnings of an annual plan just saved (an empty list: none)."""

    def __call__(self, *, project: Project, year: int, planned_investment: Decimal | None) -> list[str]: ...


@dataclass(frozen=True)
class PickerMap:
    """The project form's location picker: the ECharts option of the county map (areas and outline, no project),
    the URL of its boundary GeoJSON ("" while no boundary is uploaded: the picker shows a notice instead of the map)
    and the URL that converts pasted GCJ-02 / BD-09 coordinates (?text=…&system=…&format=json)."""

    option: dict
    geojson_url: str
    convert_url: str


class _Slots:
    lights: Lights | None = None
    campaign_rates: CampaignRates | None = None
    year_progress: YearProgress | None = None
    plan_checks: PlanChecks | None = None
    picker_map: Callable[[], PickerMap] | None = None


_slots = _Slots()


def set_lights(source: Lights) -> None:
    _slots.lights = source


def set_campaign_rates(fn: CampaignRates) -> None:
    _slots.campaign_rates = fn


def set_year_progress(fn: YearProgress) -> None:
    _slots.year_progress = fn


def set_plan_checks(fn: PlanChecks) -> None:
    _slots.plan_checks = fn


def set_picker_map(fn: Callable[[], PickerMap]) -> None:
    _slots.picker_map = fn


# ---------------------------------------------------------------------------------------------------
# What the pages call


def light_rows(projects: list[Project], *, as_of: datetime.date) -> None:
    """Set `.light` on each of these projects (a page of a list; None while no lights are registered): one query
    for the rows shown, rather than lighting every project the list's filter matches to show a page of them."""
    if _slots.lights is None or not projects:
        return
    lit = _slots.lights.annotate(Project.objects.filter(pk__in=[p.pk for p in projects]), as_of=as_of)
    light = dict(lit.values_list("pk", "light"))  # type: ignore[misc]  # `light` is the source's annotation
    for project in projects:
        project.light = light.get(project.pk)  # type: ignore[attr-defined]  # an annotation's place, set by hand


def light_of(project: Project, *, as_of: datetime.date) -> tuple[int | None, list[tuple[Any, int, str]]]:
    """The project's light and its reasons ((None, []) while no lights are registered)."""
    return (None, []) if _slots.lights is None else _slots.lights.explain(project, as_of=as_of)


def campaign_rates(projects: QuerySet[Project], *, numbers: list[int] | None, as_of: datetime.date) -> list[Any]:
    """The campaign's rates (an empty list while none are registered)."""
    fn = _slots.campaign_rates
    return [] if fn is None else list(fn(projects, numbers=numbers, as_of=as_of))


def with_year_progress(projects: QuerySet[Project], *, year: int, months: int) -> QuerySet[Project]:
    """`ytd_investment`, `progress_text`, `progress_month` on each project: zero and empty for months == 0 (a future
    year) or while reporting has not registered its reader."""
    if months == 0 or _slots.year_progress is None:
        return projects.annotate(
            ytd_investment=Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2)),
            progress_text=Value(""),
            progress_month=Value(None, output_field=DateField()),
        )
    return _slots.year_progress(projects, year=year, months=months)


def plan_warnings(*, project: Project, year: int, planned_investment: Decimal | None) -> list[str]:
    """The checks of a saved annual plan (none while reporting has not registered them)."""
    fn = _slots.plan_checks
    return [] if fn is None else fn(project=project, year=year, planned_investment=planned_investment)


def picker_map() -> PickerMap | None:
    """The location picker's map (None while the map app has not registered it: the form shows the plain fields)."""
    fn = _slots.picker_map
    return None if fn is None else fn()
