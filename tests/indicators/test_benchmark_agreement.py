"""The benchmark's generated province, at a small scale: the indicator engine and the hand-written SQL agree on
every figure of compute_indicators (the rates of the default definitions, the counts by stage, the year totals, the
events), at several dates, over the whole province and one unit (a cross-check of the engine's SQL, independent of
its code). The generated province has no continuing projects, planned dates, batches or cancellations: the test
adds some, so that every figure has something to count."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from benchmarks import handwritten, province
from tadiao.indicators import queries
from tadiao.projects.models import Batch, BatchEntry, Project, StageTransition
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


def _enrich(ids: list[int]) -> None:
    """Continuing projects, planned dates, 在谈 projects, "三个一批" entries and cancellations, spread over the ids."""
    Project.objects.filter(id__in=ids[::7]).update(nature="CONTINUING")
    for i, pk in enumerate(ids[::3]):
        month = datetime.date(2024 + i % 2, i % 12 + 1, 1 + i % 28)
        Project.objects.filter(pk=pk).update(
            planned_signed_date=month - datetime.timedelta(days=90),
            planned_approved_date=month - datetime.timedelta(days=40),
            planned_started_date=month,
            planned_completed_date=month + datetime.timedelta(days=200),
            planned_producing_date=month + datetime.timedelta(days=260),
        )
    # 在谈: some with a date (in 2024 or 2025), some without one (counted as 在谈 whenever its stage says so).
    no_dates = dict.fromkeys(["signed_date", "approved_date", "started_date", "completed_date", "producing_date",
                              "at_capacity_date"])
    for i, pk in enumerate(ids[1::13]):
        negotiating = datetime.date(2024 + i % 2, 3, 10) if i % 3 else None
        Project.objects.filter(pk=pk).update(stage="NEGOTIATING", negotiating_date=negotiating, **no_dates)
    first = Batch.objects.create(number=1, date=datetime.date(2024, 3, 1))
    second = Batch.objects.create(number=2, date=datetime.date(2025, 3, 1))
    entries = [BatchEntry(batch=first, project_id=pk, kind="SIGN") for pk in ids[::6]]
    entries += [BatchEntry(batch=second, project_id=pk, kind="SIGN") for pk in ids[::12]]  # twice: counted once
    entries += [BatchEntry(batch=first, project_id=pk, kind="START") for pk in ids[1::6]]
    entries += [BatchEntry(batch=second, project_id=pk, kind="PRODUCE") for pk in ids[2::5]]
    BatchEntry.objects.bulk_create(entries)
    # Cancellations: by a coordinator or by a ledger import, some restored since, some cancelled twice (the latest
    # counts), at local times near midnight (the day is the local one, not UTC's); an import for another reason.
    transitions = []
    for i, pk in enumerate(ids[3::11]):
        day = datetime.date(2024 + i % 2, i % 12 + 1, 1)
        cancel = {"kind": "CANCEL"} if i % 2 else {"kind": "IMPORT", "reason": "台账导入：终止"}
        transitions.append(StageTransition(project_id=pk, from_stage="STARTED", to_stage="STARTED",
                                           at=_at(day, 0, 30) if i % 4 < 2 else _at(day, 23, 50), **cancel))
        if i % 5 == 0:  # an earlier cancellation, restored then
            transitions.append(StageTransition(project_id=pk, kind="CANCEL", from_stage="STARTED", to_stage="STARTED",
                                               at=_at(datetime.date(2023, 12, 31), 23, 59)))
        if i % 6 == 1:
            transitions.append(StageTransition(project_id=pk, kind="IMPORT", reason="台账导入：停工",
                                               from_stage="STARTED", to_stage="STARTED", at=_at(day, 12)))
        if i % 7 == 3:  # restored: no longer counted
            continue
        Project.objects.filter(pk=pk).update(is_cancelled=True)
    StageTransition.objects.bulk_create(transitions)


@pytest.fixture
def built_province():
    built = province.build(projects=400, units=15, months=24, first_month=datetime.date(2024, 1, 1), seed=11)
    _enrich(list(Project.objects.order_by("pk").values_list("pk", flat=True)))
    return built


@pytest.mark.parametrize(
    "as_of",
    [datetime.date(2024, 6, 30), datetime.date(2025, 3, 31), datetime.date(2025, 9, 1), datetime.date(2025, 12, 31)],
)
def test_engine_agrees_with_handwritten_sql(built_province, as_of):
    assert built_province["reports"] > 400
    unit_id = Project.objects.values("unit_id").annotate(n=Count("pk")).order_by("-n")[0]["unit_id"]
    for projects, unit in ((Project.objects.all(), None), (Project.objects.filter(unit_id=unit_id), unit_id)):
        engine = handwritten.engine_figures(queries.compute_indicators(projects, as_of=as_of))
        hand = handwritten.figures(as_of, unit_id=unit)
        assert handwritten.disagreements(engine, hand) == []
        assert engine == hand
    # Something to agree on: every kind of figure is non-zero somewhere over the province.
    hand = handwritten.figures(as_of)
    assert sum(hand["counts_by_stage"].values()) == 400
    assert hand["annual_planned"] > 0
    assert hand["rates"]["campaign_signed_performing"] is not None
    assert hand["rates"]["start_or_resume_rate"] is not None
    assert any(planned for _, planned, _ in hand["events"]["year"].values() if planned)
    assert hand["events"]["year"]["CANCELLED"][0] > 0


def test_cancelled_on_the_local_day():
    """A project cancelled at 00:30 on 1 December (Beijing time: 30 November in UTC) is a December event."""
    project = _cancelled_project(_at(datetime.date(2025, 12, 1), 0, 30))
    assert project.is_cancelled
    december = handwritten.figures(datetime.date(2025, 12, 1))["events"]
    assert december["month"]["CANCELLED"] == (1, None, None)
    assert december["year_to_date"]["CANCELLED"] == (1, None, None)
    november = handwritten.figures(datetime.date(2025, 11, 30))["events"]
    assert november["month"]["CANCELLED"] == (0, None, None)
    assert november["year"]["CANCELLED"] == (0, None, None)  # not yet, on 30 November


def _cancelled_project(at: datetime.datetime) -> Project:
    project = ProjectFactory(stage="STARTED", started_date=datetime.date(2025, 3, 1), is_cancelled=True)
    StageTransition.objects.create(project=project, kind="CANCEL", from_stage="STARTED", to_stage="STARTED", at=at)
    return project


def test_disagreements_name_the_figures_that_differ():
    hand = {
        "rates": {"start_rate": "50.00", "producing_rate": None},
        "counts_by_stage": {"STARTED": 3, "RESERVE": 1},
        "annual_planned": Decimal("10.00"),
        "annual_completed": Decimal("5.00"),
        "events": {"month": {"STARTED": (1, 2, 1), "CANCELLED": (0, None, None)}},
    }
    engine = {
        "rates": {"start_rate": "50.00", "producing_rate": "0.00", "completion_rate": None},
        "counts_by_stage": {"STARTED": 3, "RESERVE": 2},
        "annual_planned": Decimal("10.00"),
        "annual_completed": Decimal("5.01"),
        "events": {"month": {"STARTED": (1, 2, 0), "CANCELLED": (0, None, None)}},
    }
    assert handwritten.disagreements(engine, hand) == [
        "rates.completion_rate",
        "rates.producing_rate",
        "counts_by_stage.RESERVE",
        "events.month.STARTED",
        "annual_completed",
    ]
    assert handwritten.disagreements(hand, hand) == []
