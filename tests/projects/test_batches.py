"""“三个一批”: batches, entries, statistics per batch and kind and over a range, the campaign's rates, the CLI."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tadiao.audit.models import AuditEvent
from tadiao.projects.models import Batch, BatchEntry, Stage
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def campaign(unit_a, unit_b):
    """第7期: 开工一批 A (started), B (not started), C (started, then cancelled); 签约一批 D (approved, not started).
    第8期: 开工一批 A again (a project in two batches), 投产一批 E (producing, at capacity)."""
    seventh = Batch.objects.create(number=7, date=D(2026, 3, 1))
    eighth = Batch.objects.create(number=8, date=D(2026, 6, 1))
    a = ProjectFactory(unit=unit_a, name="A", stage=Stage.STARTED, started_date=D(2026, 3, 10))
    b = ProjectFactory(unit=unit_a, name="B", stage=Stage.APPROVED, approved_date=D(2026, 2, 1))
    c = ProjectFactory(
        unit=unit_b,
        name="C",
        stage=Stage.STARTED,
        started_date=D(2026, 4, 1),
        is_cancelled=True,
        cancelled_reason="企业投资计划改变",
    )
    d = ProjectFactory(
        unit=unit_b, name="D", stage=Stage.APPROVED, signed_date=D(2026, 1, 1), approved_date=D(2026, 2, 1)
    )
    e = ProjectFactory(
        unit=unit_b,
        name="E",
        stage=Stage.AT_CAPACITY,
        started_date=D(2024, 1, 1),
        completed_date=D(2025, 1, 1),
        producing_date=D(2025, 6, 1),
        at_capacity_date=D(2026, 5, 1),
    )
    for batch, project, kind in [
        (seventh, a, "START"),
        (seventh, b, "START"),
        (seventh, c, "START"),
        (seventh, d, "SIGN"),
        (eighth, a, "START"),
        (eighth, e, "PRODUCE"),
    ]:
        BatchEntry.objects.create(batch=batch, project=project, kind=kind)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_statistics_per_batch_kind_range_and_totals(client, coordinator, campaign):
    login(client, coordinator)
    response = client.get("/projects/batches/")
    rows = [
        (r["number"], r["kind"], r["entries"], r["started"], r["percent"], r["producing"], r["cancelled"])
        for r in response.context["statistics"]
    ]
    from decimal import Decimal

    assert rows == [
        (7, "SIGN", 1, 0, Decimal("0.00"), 0, 0),
        (7, "START", 3, 2, Decimal("66.67"), 0, 1),  # A and C started; C cancelled but counted
        (8, "START", 1, 1, Decimal("100.00"), 0, 0),
        (8, "PRODUCE", 1, 1, Decimal("100.00"), 1, 0),
    ]
    # Totals count entries: A is counted in both batches → 6 entries, 4 started.
    assert response.context["totals"]["entries"] == 6
    assert response.context["totals"]["started"] == 4
    body = response.content.decode()
    assert "C（西湖街道）——企业投资计划改变" in body
    rates = {r.code: (r.numerator, r.denominator) for r in response.context["campaign_rates"]}
    assert rates["campaign_signed_performing"] == (1, 1)  # D approved
    assert rates["campaign_performing_started"] == (0, 1)
    assert rates["campaign_started_producing"] == (0, 3)  # A B C
    assert rates["campaign_producing_capacity"] == (1, 1)  # E
    only_eighth = client.get("/projects/batches/?from=8&to=8").context["totals"]
    assert (only_eighth["entries"], only_eighth["started"]) == (2, 2)


def test_cli_json_gains_batches(campaign):
    out = io.StringIO()
    call_command("indicators", "--as-of", "2026-11-23", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["batches"][1] == {"number": 7, "kind": "开工一批", "entries": 3, "started": 2, "percent": "66.67"}
    assert data["batches_total"] == {"entries": 6, "started": 4, "percent": "66.67"}


def test_coordinator_creates_batches_and_enters_projects(client, coordinator, project_a):
    login(client, coordinator)
    client.post("/projects/batches/new/", {"number": "9", "date": "2026-09-01", "note": "秋季集中开工"})
    assert (
        "第9期已存在。"
        in client.post("/projects/batches/new/", {"number": "9", "date": "2026-09-02"}, follow=True).content.decode()
    )
    body = client.post(
        "/projects/batches/9/entries/", {"project": project_a.name, "kind": "START"}, follow=True
    ).content.decode()
    assert f"已将{project_a.name}列入第9期。" in body
    assert (
        "已列入第9期开工一批"
        in client.post(
            "/projects/batches/9/entries/", {"project": project_a.name, "kind": "START"}, follow=True
        ).content.decode()
    )
    assert (
        "找不到项目"
        in client.post(
            "/projects/batches/9/entries/", {"project": "不存在", "kind": "START"}, follow=True
        ).content.decode()
    )
    entry = BatchEntry.objects.get()
    assert AuditEvent.objects.filter(action="projects.batch_entry.added").count() == 1
    client.post(f"/projects/batches/9/entries/{entry.pk}/remove/")
    assert not BatchEntry.objects.exists()
    assert AuditEvent.objects.get(action="projects.batch_entry.removed").changes["project"] == [project_a.name, None]


@pytest.fixture
def ninth(project_a):
    """第9期 with the reporter's own project entered as 开工一批."""
    batch = Batch.objects.create(number=9, date=D(2026, 9, 1))
    return BatchEntry.objects.create(batch=batch, project=project_a, kind="START")


def _batch_writes(entry):
    return [
        ("/projects/batches/new/", {"number": "10", "date": "2026-10-01"}),
        ("/projects/batches/9/entries/", {"project": entry.project.name, "kind": "SIGN"}),
        (f"/projects/batches/9/entries/{entry.pk}/remove/", {}),
    ]


@pytest.mark.parametrize("actor", ["leader", "reporter_a"])
def test_readers_get_403_on_every_batch_write_and_nothing_is_written(client, request, actor, ninth):
    login(client, request.getfixturevalue(actor))
    events = AuditEvent.objects.count()
    for url, data in _batch_writes(ninth):
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "“三个一批”由调度员（重点项目办）维护，您只能查看。" in response.content.decode(), url
    assert list(Batch.objects.values_list("number", flat=True)) == [9]
    assert list(BatchEntry.objects.values_list("pk", "kind")) == [(ninth.pk, "START")]
    assert AuditEvent.objects.count() == events


def test_another_units_reporter_gets_404_on_an_entry_outside_its_scope(client, reporter_b, ninth):
    login(client, reporter_b)
    assert client.post(f"/projects/batches/9/entries/{ninth.pk}/remove/").status_code == 404
    # The period itself is not a unit's object: writing to it is refused, not hidden.
    assert client.post("/projects/batches/9/entries/", {"project": "x", "kind": "SIGN"}).status_code == 403
    assert BatchEntry.objects.get() == ninth


def test_reporter_sees_only_own_units_entries(client, reporter_a, campaign):
    login(client, reporter_a)
    body = client.get("/projects/batches/7/").content.decode()
    assert ">A<" in body and ">B<" in body and ">C<" not in body
    totals = client.get("/projects/batches/").context["totals"]
    assert totals["entries"] == 3  # A twice, B once
    entry = BatchEntry.objects.get(project=campaign["c"])
    assert client.post(f"/projects/batches/7/entries/{entry.pk}/remove/").status_code == 404


@pytest.fixture
def two_periods(unit_a):
    """P: 签约一批 in 第6期, 开工一批 in 第7期; signed, approved (履约) and started, not producing.
    Q: 签约一批 in 第7期 only; signed, not approved."""
    sixth = Batch.objects.create(number=6, date=D(2025, 3, 1))
    seventh = Batch.objects.create(number=7, date=D(2025, 6, 1))
    p = ProjectFactory(
        unit=unit_a,
        name="P",
        stage=Stage.STARTED,
        signed_date=D(2025, 1, 1),
        approved_date=D(2025, 2, 1),
        started_date=D(2025, 5, 1),
    )
    q = ProjectFactory(unit=unit_a, name="Q", stage=Stage.SIGNED, signed_date=D(2025, 3, 1))
    BatchEntry.objects.create(batch=sixth, project=p, kind="SIGN")
    BatchEntry.objects.create(batch=seventh, project=p, kind="START")
    BatchEntry.objects.create(batch=seventh, project=q, kind="SIGN")
    return {"p": p, "q": q}


P100, P50, P0 = Decimal("100.00"), Decimal("50.00"), Decimal("0.00")


@pytest.mark.parametrize(
    "query,expected",
    [
        # 第6期: 签约一批 {P}, approved → 1/1; of those approved {P}, started → 1/1; 开工一批 none → 0/0 (P's 开工一批
        # entry is 第7期's); 投产一批 none → 0/0.
        ("?from=6&to=6", {"signed": (1, 1, P100), "performing": (1, 1, P100), "started": (0, 0, None)}),
        # 第7期: 签约一批 {Q}, not approved → 0/1 (P's 签约一批 entry is 第6期's); approved among them none → 0/0;
        # 开工一批 {P}, not producing → 0/1.
        ("?from=7&to=7", {"signed": (0, 1, P0), "performing": (0, 0, None), "started": (0, 1, P0)}),
        # 第6—7期: 签约一批 {P, Q}, P approved → 1/2; approved {P}, started → 1/1; 开工一批 {P} → 0/1.
        ("?from=6&to=7", {"signed": (1, 2, P50), "performing": (1, 1, P100), "started": (0, 1, P0)}),
        # No range: every period, as stored (the same sets as 第6—7期 here).
        ("", {"signed": (1, 2, P50), "performing": (1, 1, P100), "started": (0, 1, P0)}),
    ],
)
def test_campaign_rates_count_only_entries_of_the_chosen_periods(client, coordinator, two_periods, query, expected):
    login(client, coordinator)
    response = client.get(f"/projects/batches/{query}")
    rates = {r.code: (r.numerator, r.denominator, r.percent) for r in response.context["campaign_rates"]}
    assert rates == {
        "campaign_signed_performing": expected["signed"],
        "campaign_performing_started": expected["performing"],
        "campaign_started_producing": expected["started"],
        "campaign_producing_capacity": (0, 0, None),
    }
    body = response.content.decode()
    num, den, percent = expected["signed"]
    assert f'签约项目履约率</td>\n      <td class="num">{num} / {den}</td><td class="num">{percent}%</td>' in body


def test_a_range_without_periods_has_no_campaign_entries(client, coordinator, two_periods):
    login(client, coordinator)
    rates = client.get("/projects/batches/?from=20").context["campaign_rates"]
    assert [(r.numerator, r.denominator) for r in rates] == [(0, 0)] * 4


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _enter_projects(n, units, batch):
    """n projects entered in the batch, alternately 开工一批 (started) and 签约一批 (cancelled, so listed)."""
    for i in range(n):
        if i % 2:
            project = ProjectFactory(unit=units[i % 2], is_cancelled=True, cancelled_reason="企业投资计划改变")
            BatchEntry.objects.create(batch=batch, project=project, kind="SIGN")
        else:
            project = ProjectFactory(unit=units[i % 2], stage=Stage.STARTED, started_date=D(2025, 5, 1))
            BatchEntry.objects.create(batch=batch, project=project, kind="START")


# Statistics (9): session, user, the batches (期次 list), the user's unit and region (the scope), the GROUP BY per
# batch and kind, the campaign rate definitions, their one aggregate over the projects, the cancelled entries with
# batch, project and unit joined.
# A period (6): session, user, the batch, unit, region, its entries with project and unit joined.
@pytest.mark.parametrize(
    "url,queries", [("/projects/batches/", 9), ("/projects/batches/?from=7&to=7", 9), ("/projects/batches/7/", 6)]
)
def test_query_count_does_not_grow_with_entries(client, coordinator, unit_a, unit_b, url, queries):
    login(client, coordinator)
    seventh = Batch.objects.create(number=7, date=D(2025, 6, 1))
    _enter_projects(10, [unit_a, unit_b], seventh)
    at_n = _count_queries(client, url)
    _enter_projects(10, [unit_a, unit_b], seventh)
    at_2n = _count_queries(client, url)
    assert at_n == at_2n == queries
    # 2N = 20 entries of which 10 cancelled: the period lists all 20, the statistics page the 10 cancelled.
    context = client.get(url).context
    listed = len(context["entries"]) if url.endswith("/7/") else len(context["cancelled"])
    assert listed == (20 if url.endswith("/7/") else 10)
