"""Event counts in a period: how many projects *entered* a stage (signed, approved, started, completed, producing,
cancelled) within a period, how many were *planned* to, and how many of those planned have done so.

"1—4月全市新开工项目69个", "计划竣工46个，已竣工12个", "不再建设8个" — set-based: every stage of every period in one
aggregate query (conditional COUNTs with date ranges on the stage date columns), never a loop over projects.

- actual: the stage's actual date (签约日期, 备案日期, 开工日期 …) falls in the period and is on or before the
  as-of date. For cancelled (终止/不再建设) the date is the day (Asia/Shanghai) of the latest transition that
  cancelled the project (a coordinator's 终止, or a ledger import setting the status 终止), counted only while the
  project is still cancelled.
- planned: the stage's planned date (倒排工期, Project.planned_*_date) falls in the period (the whole period, also
  the days after the as-of date: "4月计划开工" is the whole of April). Cancellation has no planned date: None.
- planned_done: planned in the period and the actual date on or before the as-of date (early counts: a project
  planned to start in April that started in March has done what was planned). Cancelled projects stay in
  `planned` (denominators include them), and count as done only if they had reached the stage.
- percent: planned_done / planned in percent (two decimals), None when planned is 0.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.sql.constants import LOUTER
from django.utils import timezone
from django_cte import CTE, with_cte

from tadiao.imports.services.ledger import IMPORT_REASON
from tadiao.imports.sheets import STATUS_CANCELLED
from tadiao.lib.dates import month_end, parse_date
from tadiao.lib.numbers import percent_value
from tadiao.projects.models import STAGE_DATE_FIELD, STAGE_PLANNED_FIELD, Project, Stage, StageTransition

CANCELLED = "CANCELLED"
# The events counted, in the order an official reads them; stage codes as Stage, plus CANCELLED.
EVENT_STAGES: tuple[str, ...] = (
    Stage.SIGNED,
    Stage.APPROVED,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.PRODUCING,
    CANCELLED,
)
EVENT_LABELS: dict[str, str] = {
    Stage.SIGNED: "签约",
    Stage.APPROVED: "立项",
    Stage.STARTED: "新开工",
    Stage.COMPLETED: "竣工",
    Stage.PRODUCING: "投产",
    CANCELLED: "不再建设",
}


@dataclass(frozen=True)
class Period:
    """A period of the calendar: `key` month / year_to_date / year / since; `label` as a bulletin writes it."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date


def month_period(as_of: datetime.date) -> Period:
    """The as-of month, "6月"."""
    return Period("month", f"{as_of.month}月", as_of.replace(day=1), month_end(as_of))


def year_to_date(as_of: datetime.date) -> Period:
    """January to the as-of month, "1—6月" ("1月" in January)."""
    label = "1月" if as_of.month == 1 else f"1—{as_of.month}月"
    return Period("year_to_date", label, as_of.replace(month=1, day=1), month_end(as_of))


def year_period(as_of: datetime.date) -> Period:
    """The whole as-of year, "2026年"."""
    return Period("year", f"{as_of.year}年", as_of.replace(month=1, day=1), as_of.replace(month=12, day=31))


def since(start: datetime.date, as_of: datetime.date) -> Period:
    """From a date to the as-of date, "2026年3月1日以来"."""
    return Period("since", f"{start.year}年{start.month}月{start.day}日以来", start, as_of)


@dataclass(frozen=True)
class EventCount:
    actual: int
    planned: int | None
    planned_done: int | None

    @property
    def percent(self) -> Decimal | None:
        return None if not self.planned else percent_value(self.planned_done or 0, self.planned)


@dataclass(frozen=True)
class PeriodEvents:
    period: Period
    counts: dict[str, EventCount]

    def __getitem__(self, stage: str) -> EventCount:
        return self.counts[stage]


def _local_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def with_cancelled_at(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with `cancelled_at`: when each was last cancelled — the latest 终止 transition (a coordinator's,
    or a ledger import's), None for a project never cancelled. The transitions are grouped once and joined (a CTE):
    as a correlated subquery, the aggregate over it had to be wrapped in a subquery of its own, and building that
    cost Django more than the database spent counting."""
    cancels = (
        StageTransition.objects.filter(
            Q(kind=StageTransition.Kind.CANCEL)
            | Q(kind=StageTransition.Kind.IMPORT, reason=f"{IMPORT_REASON}：{STATUS_CANCELLED}"),
            project__in=projects.values("pk"),
        )
        .order_by()
        .values("project_id")
        .annotate(at=Max("at"))
    )
    last = CTE(cancels, name="last_cancel")
    joined = last.join(projects.order_by(), id=last.col.project_id, _join_type=LOUTER)
    return with_cte(last, select=joined.alias(cancelled_at=last.col.at))


def _aggregates(period: Period, *, as_of: datetime.date, index: int) -> dict[str, Count]:
    last_actual = min(period.end, as_of)
    aggregates: dict[str, Count] = {}
    for stage in EVENT_STAGES:
        name = f"p{index}_{stage}"
        if stage == CANCELLED:
            aggregates[f"{name}_actual"] = Count(
                "pk",
                filter=Q(
                    is_cancelled=True,
                    cancelled_at__gte=_local_start(period.start),
                    cancelled_at__lt=_local_start(last_actual + datetime.timedelta(days=1)),
                ),
            )
            continue
        actual, planned = STAGE_DATE_FIELD[stage], STAGE_PLANNED_FIELD[stage]
        in_plan = Q(**{f"{planned}__gte": period.start, f"{planned}__lte": period.end})
        aggregates[f"{name}_actual"] = Count(
            "pk", filter=Q(**{f"{actual}__gte": period.start, f"{actual}__lte": last_actual})
        )
        aggregates[f"{name}_planned"] = Count("pk", filter=in_plan)
        aggregates[f"{name}_done"] = Count("pk", filter=in_plan & Q(**{f"{actual}__lte": as_of}))
    return aggregates


def count_events(
    projects: QuerySet[Project], *, as_of: datetime.date, periods: list[Period]
) -> list[PeriodEvents]:
    """Every event of every period over the projects (already scoped): one aggregate query."""
    if not periods:
        return []
    aggregates: dict[str, Count] = {}
    for index, period in enumerate(periods):
        aggregates.update(_aggregates(period, as_of=as_of, index=index))
    totals = with_cancelled_at(projects).aggregate(**aggregates)
    results = []
    for index, period in enumerate(periods):
        counts = {}
        for stage in EVENT_STAGES:
            name = f"p{index}_{stage}"
            planned = None if stage == CANCELLED else totals[f"{name}_planned"]
            done = None if stage == CANCELLED else totals[f"{name}_done"]
            counts[stage] = EventCount(totals[f"{name}_actual"], planned, done)
        results.append(PeriodEvents(period, counts))
    return results


def standard_events(projects: QuerySet[Project], *, as_of: datetime.date) -> dict[str, PeriodEvents]:
    """The as-of month, 1—N月 and the whole year: {"month": …, "year_to_date": …, "year": …}, one query."""
    periods = [month_period(as_of), year_to_date(as_of), year_period(as_of)]
    return {e.period.key: e for e in count_events(projects, as_of=as_of, periods=periods)}


def parse_since(value: str | None, *, as_of: datetime.date) -> datetime.date | None:
    """`?events_since=2026-03-01` (or 2026年3月1日): a day on or before the as-of date, else None (ignored, as
    the scope bar ignores what it cannot read)."""
    try:
        day = parse_date(value or "")
    except ValueError:
        return None
    return day if day <= as_of else None


def events_as_json(events: dict[str, PeriodEvents]) -> dict:
    """{"month": {stage: {"actual", "planned", "planned_done", "percent"}}, "year_to_date": {…}, "year": {…},
    "periods": {"month": {"label", "start", "end"}, …}} — stage codes in lower case."""
    data: dict = {
        key: {
            stage.lower(): {
                "actual": c.actual,
                "planned": c.planned,
                "planned_done": c.planned_done,
                "percent": None if c.percent is None else format(c.percent, "f"),
            }
            for stage, c in e.counts.items()
        }
        for key, e in events.items()
    }
    data["periods"] = {
        key: {"label": e.period.label, "start": e.period.start.isoformat(), "end": e.period.end.isoformat()}
        for key, e in events.items()
    }
    return data


def events_sentence(events: PeriodEvents) -> str:
    """"1—6月新开工项目3个（计划开工4个，已开工2个，占50.00%）；竣工…；不再建设1个" — for the bulletin and the CLI."""
    parts = []
    for stage, c in events.counts.items():
        label = EVENT_LABELS[stage]
        text = f"{label}项目{c.actual}个"
        if c.planned:
            verb = label.removeprefix("新")
            text += f"（计划{verb}{c.planned}个，已{verb}{c.planned_done}个，占{c.percent}%）"
        parts.append(text)
    return f"{events.period.label}" + "；".join(parts)
