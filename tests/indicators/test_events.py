"""Event counts in a period over the county of tests/indicators/county.py; every figure worked out by hand below."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.indicators import events
from tadiao.indicators.events import CANCELLED
from tadiao.indicators.queries import Scope
from tadiao.projects.models import Project, Stage, StageTransition
from tests.conftest import login
from tests.factories import ProjectFactory, UnitFactory
from tests.indicators.county import AS_OF, D, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(unit_a, unit_b):
    return build(unit_a, unit_b)


def _row(e: events.PeriodEvents, stage: str) -> tuple:
    c = e[stage]
    return c.actual, c.planned, c.planned_done, c.percent


def test_the_month_and_year_to_date(county):
    result = events.standard_events(Project.objects.all(), as_of=AS_OF)
    month, ytd = result["month"], result["year_to_date"]
    assert (month.period.label, month.period.start, month.period.end) == ("4月", D(2026, 4, 1), D(2026, 4, 30))
    assert (ytd.period.label, ytd.period.start, ytd.period.end) == ("1—4月", D(2026, 1, 1), D(2026, 4, 30))
    # April, actual dates 1–20 April, planned dates 1–30 April.
    assert _row(month, Stage.SIGNED) == (0, 0, 0, None)
    assert _row(month, Stage.APPROVED) == (0, 0, 0, None)
    # started: A1 (4-10); planned A1 4-01, A2 4-25, B2 4-15; done A1 and A2 (3-20, early), B2 starts 4-25 → 2 / 3
    assert _row(month, Stage.STARTED) == (1, 3, 2, Decimal("66.67"))
    # completed: B3 planned 4-30, completes 4-22, after the as-of date → 0 of 1
    assert _row(month, Stage.COMPLETED) == (0, 1, 0, Decimal("0.00"))
    # producing: B1 4-18; planned 5-10, not in April
    assert _row(month, Stage.PRODUCING) == (1, 0, 0, None)
    # cancelled: A3 (4-08), B4 (1 April 00:30 in Shanghai); B5 in January; B6 restored
    assert _row(month, CANCELLED) == (2, None, None, None)
    # 1—4月
    assert _row(ytd, Stage.SIGNED) == (1, 2, 2, Decimal("100.00"))  # A1; planned A1, C1 (signed 2025-12-30)
    assert _row(ytd, Stage.APPROVED) == (1, 1, 1, Decimal("100.00"))
    assert _row(ytd, Stage.STARTED) == (2, 4, 2, Decimal("50.00"))  # A1, A2; planned + A3 (cancelled), B2
    assert _row(ytd, Stage.COMPLETED) == (1, 2, 1, Decimal("50.00"))  # B1; planned B1, B3
    assert _row(ytd, Stage.PRODUCING) == (1, 0, 0, None)
    assert _row(ytd, CANCELLED) == (3, None, None, None)  # A3, B4, B5 (the import)


def test_year_since_and_a_scope(county, unit_a):
    year, since = events.count_events(
        Project.objects.all(), as_of=AS_OF, periods=[events.year_period(AS_OF), events.since(D(2026, 3, 1), AS_OF)]
    )
    assert year.period.label == "2026年" and since.period.label == "2026年3月1日以来"
    # the whole year's plans: starts A1, A2, A3, B2 (2 done); completions B1, B3, A2 (12-31) → 1 done
    assert _row(year, Stage.STARTED) == (2, 4, 2, Decimal("50.00"))
    assert _row(year, Stage.COMPLETED) == (1, 3, 1, Decimal("33.33"))
    # since 1 March (to the as-of date): started A1, A2; planned A1 (4-01), B2 (4-15) — A2's 4-25 is later
    assert _row(since, Stage.STARTED) == (2, 2, 1, Decimal("50.00"))
    assert _row(since, CANCELLED) == (2, None, None, None)
    only_a = events.standard_events(Scope(unit_id=unit_a.pk).apply(Project.objects.all()), as_of=AS_OF)
    assert _row(only_a["year_to_date"], Stage.STARTED) == (2, 3, 2, Decimal("66.67"))
    assert _row(only_a["year_to_date"], CANCELLED) == (1, None, None, None)


def test_a_later_cancellation_counts_once_at_its_own_date(county):
    b6 = county["B6"]
    b6.is_cancelled = True
    b6.save(update_fields=["is_cancelled"])
    StageTransition.objects.create(project=b6, kind=StageTransition.Kind.CANCEL, from_stage=b6.stage,
                                   to_stage=b6.stage, reason="再次终止",
                                   at=county["A3"].transitions.get().at.replace(day=12))
    month = events.standard_events(Project.objects.all(), as_of=AS_OF)["month"]
    assert month[CANCELLED].actual == 3  # A3, B4 and B6 (12 April; its February cancellation was lifted)


def test_the_json_and_the_text_of_the_cli(county):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-04-20", "--json", stdout=out)
    data = json.loads(out.getvalue())["events"]
    assert data["periods"] == {
        "month": {"label": "4月", "start": "2026-04-01", "end": "2026-04-30"},
        "year_to_date": {"label": "1—4月", "start": "2026-01-01", "end": "2026-04-30"},
        "year": {"label": "2026年", "start": "2026-01-01", "end": "2026-12-31"},
    }
    assert data["year"]["completed"] == {"actual": 1, "planned": 3, "planned_done": 1, "percent": "33.33"}
    assert list(data["month"]) == ["signed", "approved", "started", "completed", "producing", "cancelled"]
    assert data["month"]["started"] == {"actual": 1, "planned": 3, "planned_done": 2, "percent": "66.67"}
    assert data["month"]["signed"] == {"actual": 0, "planned": 0, "planned_done": 0, "percent": None}
    assert data["year_to_date"]["cancelled"] == {"actual": 3, "planned": None, "planned_done": None,
                                                 "percent": None}
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-04-20", stdout=out)
    assert "1—4月签约项目1个（计划签约2个，已签约2个，占100.00%）；" in out.getvalue()
    assert "新开工项目2个（计划开工4个，已开工2个，占50.00%）；" in out.getvalue()
    assert "不再建设项目3个" in out.getvalue()


# One aggregate query for both periods, whatever the number of projects.
def test_one_query_at_n_and_2n_projects(county, region):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            events.standard_events(Project.objects.all(), as_of=AS_OF)
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        unit = UnitFactory(region=region)
        for i in range(n):
            project = ProjectFactory(unit=unit, stage=Stage.STARTED, started_date=D(2026, 4, 2),
                                     planned_started_date=D(2026, 4, 3), is_cancelled=i % 2 == 0)
            StageTransition.objects.create(project=project, kind=StageTransition.Kind.CANCEL, from_stage="STARTED",
                                           to_stage="STARTED", at=county["A3"].transitions.get().at)

    grow(10)
    at_n = count()
    grow(10)
    assert count() == at_n == 1
    month = events.standard_events(Project.objects.all(), as_of=AS_OF)["month"]
    assert month[Stage.STARTED].actual == 1 + 20 and month[CANCELLED].actual == 2 + 10


def test_the_overview_page_and_since_a_date(client, county, coordinator, reporter_a):
    login(client, coordinator)
    page = client.get("/indicators/", {"as_of": "2026-04-20", "events_since": "2026年3月1日"}).content.decode()
    assert "2026年3月1日以来" in page and "4月" in page and "1—4月" in page and "2026年" in page
    started = page[page.index('<tr data-stage="started">'):].split("</tr>")[0]
    cells = [c.split("<", 1)[0].strip() for c in started.split('<td class="num">')[1:]]
    # month 1/3/2/66.67, 1—4月 2/4/2/50, year 2/4/2/50, since 1 March 2/2/1/50
    assert cells == ["1", "3", "2", "66.67%", "2", "4", "2", "50.00%", "2", "4", "2", "50.00%", "2", "2", "1", "50.00%"]
    # A date after the as-of date, or no date, is ignored; a reporter sees their own unit's projects only.
    assert "年5月1日以来" not in client.get("/indicators/", {"as_of": "2026-04-20", "events_since": "2026-05-01"}
                                    ).content.decode()
    login(client, reporter_a)
    page = client.get("/indicators/", {"as_of": "2026-04-20"}).content.decode()
    started = page[page.index('<tr data-stage="started">'):].split("</tr>")[0]
    cells = [c.split("<", 1)[0].strip() for c in started.split('<td class="num">')[1:]]
    assert cells[4:8] == ["2", "3", "2", "66.67%"]  # 东城镇: A1, A2 of A1, A2, A3
