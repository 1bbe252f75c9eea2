"""Special-purpose bonds: entry by the coordinator, spending by the unit, totals and 支出率, six months unspent."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from tadiao.indicators import warnings
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


def test_coordinator_creates_batches(client, coordinator, reporter_a):
    login(client, reporter_a)
    assert (
        "需由调度员"
        in client.post(
            "/projects/bonds/batches/", {"name": "2026年第二批", "year": "2026"}, follow=True
        ).content.decode()
    )
    login(client, coordinator)
    client.post("/projects/bonds/batches/", {"name": "2026年第二批", "year": "2026"})
    assert BondBatch.objects.filter(name="2026年第二批").exists()


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
