"""“三个一批”: batches, entries, statistics per batch and kind and over a range, the campaign's rates, the CLI."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

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


def test_coordinator_creates_batches_and_enters_projects(client, coordinator, reporter_a, leader, project_a):
    login(client, reporter_a)
    assert (
        "需由调度员"
        in client.post("/projects/batches/new/", {"number": "9", "date": "2026-09-01"}, follow=True).content.decode()
    )
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
    login(client, leader)
    assert "需由调度员" in client.post(f"/projects/batches/9/entries/{entry.pk}/remove/", follow=True).content.decode()
    login(client, coordinator)
    client.post(f"/projects/batches/9/entries/{entry.pk}/remove/")
    assert not BatchEntry.objects.exists()
    assert AuditEvent.objects.get(action="projects.batch_entry.removed").changes["project"] == [project_a.name, None]


def test_reporter_sees_only_own_units_entries(client, reporter_a, campaign):
    login(client, reporter_a)
    body = client.get("/projects/batches/7/").content.decode()
    assert ">A<" in body and ">B<" in body and ">C<" not in body
    totals = client.get("/projects/batches/").context["totals"]
    assert totals["entries"] == 3  # A twice, B once
    entry = BatchEntry.objects.get(project=campaign["c"])
    assert client.post(f"/projects/batches/7/entries/{entry.pk}/remove/").status_code == 404
