"""Special-purpose bonds: entry by the coordinator, spending by the unit, totals and 支出率, six months unspent."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from tadiao.audit.models import AuditEvent
from tadiao.indicators import warnings
from tadiao.projects import batch_services, services
from tadiao.projects.models import BondApplication, BondBatch, Project
from tadiao.projects.queries import six_months_before
from tests.conftest import login
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def bonds(unit_a, unit_b):
    early = BondBatch.objects.create(name="2026年提前批", year=2026)
    x = ProjectFactory(unit=unit_a, name="X污水厂")
    y = ProjectFactory(unit=unit_b, name="Y产业园")
    z = ProjectFactory(unit=unit_a, name="Z学校")
    # X: 600 of 1 000 issued spent; Y: 2 000 issued on 1 January 2025, nothing spent (far past six months);
    # Z: requested only.
    BondApplication.objects.create(
        project=x,
        batch=early,
        requested=Decimal("1200"),
        issued=Decimal("1000"),
        issued_date=D(2026, 3, 1),
        spent=Decimal("600"),
    )
    BondApplication.objects.create(
        project=y,
        batch=early,
        requested=Decimal("2000"),
        issued=Decimal("2000"),
        issued_date=D(2025, 1, 1),
        spent=Decimal("0"),
    )
    BondApplication.objects.create(project=z, batch=early, requested=Decimal("500"))
    return {"batch": early, "x": x, "y": y, "z": z}


def test_totals_spending_rate_and_unspent(client, coordinator, bonds):
    login(client, coordinator)
    response = client.get("/projects/bonds/")
    totals = response.context["totals"]
    # requested 1 200 + 2 000 + 500; issued 3 000; spent 600 → 支出率 20.00%; Y unspent for over six months.
    assert (totals["requested"], totals["issued"], totals["spent"]) == (
        Decimal("3700"),
        Decimal("3000"),
        Decimal("600"),
    )
    assert totals["rate"] == Decimal("20.00")
    assert totals["unspent"] == 1
    assert "满6个月未支出" in response.content.decode()
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(client.get("/projects/bonds/export.xlsx").content))
        .get_sheet_by_name("专项债")
        .to_python()
    )
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["X污水厂"][8] == 60  # 支出率 600 / 1 000
    assert by_name["Y产业园"][9] == "是"


def test_reporter_updates_only_spent_and_only_own_units(client, reporter_a, reporter_b, bonds):
    batch = bonds["batch"]
    form = {"project": "X污水厂", "batch": batch.pk, "requested": "1200", "issued": "1000", "issued_date": "2026-03-01"}
    login(client, reporter_a)
    client.post("/projects/bonds/save/", {**form, "spent": "800"})
    assert BondApplication.objects.get(project=bonds["x"]).spent == Decimal("800")
    body = client.post(
        "/projects/bonds/save/", {**form, "issued": "5000", "spent": "800"}, follow=True
    ).content.decode()
    assert "只能由调度员修改" in body
    body = client.post("/projects/bonds/save/", {**form, "spent": "1001"}, follow=True).content.decode()
    assert "已支出不能超过下达额度。" in body
    login(client, reporter_b)  # X is not in 西湖街道's scope
    body = client.post("/projects/bonds/save/", {**form, "spent": "900"}, follow=True).content.decode()
    assert "找不到项目" in body
    assert "X污水厂" not in client.get("/projects/bonds/").content.decode()


def test_leader_reads_but_cannot_write(client, leader, bonds):
    login(client, leader)
    assert client.get("/projects/bonds/").status_code == 200
    form = {
        "project": "X污水厂",
        "batch": bonds["batch"].pk,
        "requested": "1",
        "issued": "1",
        "issued_date": "2026-03-01",
        "spent": "0",
    }
    assert client.post("/projects/bonds/save/", form).status_code == 403


def test_coordinator_creates_batches(client, coordinator):
    login(client, coordinator)
    client.post("/projects/bonds/batches/", {"name": "2026年第二批", "year": "2026"})
    assert BondBatch.objects.filter(name="2026年第二批").exists()
    assert AuditEvent.objects.filter(action="projects.bond_batch.created").count() == 1


@pytest.mark.parametrize("actor", ["leader", "reporter_a"])
def test_readers_get_403_on_creating_a_bond_batch_and_nothing_is_written(client, request, actor, bonds):
    login(client, request.getfixturevalue(actor))
    response = client.post("/projects/bonds/batches/", {"name": "2026年第二批", "year": "2026"})
    assert response.status_code == 403
    assert "专项债批次由调度员（重点项目办）创建，您只能查看。" in response.content.decode()
    assert list(BondBatch.objects.values_list("name", flat=True)) == ["2026年提前批"]
    assert not AuditEvent.objects.filter(action="projects.bond_batch.created").exists()


def test_leader_gets_403_on_saving_and_nothing_is_written(client, leader, bonds):
    login(client, leader)
    form = {"project": "X污水厂", "batch": bonds["batch"].pk, "requested": "1200", "issued": "1000"}
    assert (
        client.post("/projects/bonds/save/", {**form, "issued_date": "2026-03-01", "spent": "900"}).status_code == 403
    )
    assert BondApplication.objects.get(project=bonds["x"]).spent == Decimal("600")


def test_service_refuses_another_units_project_to_a_reporter(reporter_b, coordinator, bonds):
    x = BondApplication.objects.get(project=bonds["x"])
    fields = {"batch": bonds["batch"], "requested": x.requested, "issued": x.issued, "issued_date": x.issued_date}
    with pytest.raises(services.ProjectError, match="本单位项目"):
        batch_services.save_bond_application(project=bonds["x"], **fields, spent=Decimal("900"), by=reporter_b)
    assert BondApplication.objects.get(project=bonds["x"]).spent == Decimal("600")
    # The coordinator still saves any unit's project.
    batch_services.save_bond_application(project=bonds["x"], **fields, spent=Decimal("900"), by=coordinator)
    assert BondApplication.objects.get(project=bonds["x"]).spent == Decimal("900")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _apply(n, units, batch):
    for i in range(n):
        project = ProjectFactory(unit=units[i % 2])
        BondApplication.objects.create(
            project=project,
            batch=batch,
            requested=Decimal("100"),
            issued=Decimal("80"),
            issued_date=D(2025, 1, 1),
            spent=Decimal("0") if i % 2 else Decimal("40"),
        )


# List (10): session, user, the user's unit and region (the scope), the paginator's count, the totals (one aggregate),
# the unit filter's units, the bond batches of the filter, the page's rows (project, unit and batch joined; the
# six-months flag annotated), the bond batches again for the entry form's choice field.
# Export (5): session, user, unit, region, the rows (project, unit and batch joined; one chunk of up to 2 000).
@pytest.mark.parametrize("url,queries", [("/projects/bonds/", 10), ("/projects/bonds/export.xlsx", 5)])
def test_query_count_does_not_grow_with_applications(client, coordinator, unit_a, unit_b, url, queries):
    login(client, coordinator)
    batch = BondBatch.objects.create(name="2026年第一批", year=2026)
    _apply(10, [unit_a, unit_b], batch)
    at_n = _count_queries(client, url)
    _apply(10, [unit_a, unit_b], batch)
    at_2n = _count_queries(client, url)
    assert at_n == at_2n == queries


def test_six_months_unspent_is_a_warning_rule(bonds):
    rules = warnings.active_rules()
    lights = {p.name: p.light for p in warnings.with_lights(Project.objects.all(), as_of=D(2026, 6, 30), rules=rules)}
    assert lights["Y产业园"] == warnings.RED  # issued 545 days earlier, nothing spent
    assert lights["X污水厂"] == warnings.GREEN
    BondApplication.objects.filter(project=bonds["y"]).update(issued_date=D(2026, 2, 15))  # 135 days: yellow
    lights = {p.name: p.light for p in warnings.with_lights(Project.objects.all(), as_of=D(2026, 6, 30), rules=rules)}
    assert lights["Y产业园"] == warnings.YELLOW


def test_six_months_before_clamps_month_ends():
    assert six_months_before(D(2026, 8, 31)) == D(2026, 2, 28)
    assert six_months_before(D(2026, 3, 15)) == D(2025, 9, 15)
