"""The demo county's whole export validates against the vendored OC4IDS schema (jsonschema, offline)."""

import datetime
import json

import pytest

from tadiao.oc4ids import queries
from tadiao.oc4ids.validation import validation_errors
from tadiao.org.models import User
from tadiao.projects.models import Project
from tadiao.reporting.models import MonthlyReport
from tests.demo.conftest import _demo_for_module, demo  # noqa: F401 (the module's demo county)

TODAY = datetime.date(2026, 11, 23)
PUBLISHED = datetime.datetime(2026, 11, 23, 2, 0, tzinfo=datetime.UTC)
pytestmark = pytest.mark.usefixtures("demo")


def test_the_demo_export_validates():
    package = queries.package_for_deployment(as_of=TODAY, published=PUBLISHED, uri="urn:tadiao:oc4ids:demo")
    assert validation_errors(package) == []
    assert len(package["projects"]) == Project.objects.count() > 100
    assert len({p["id"] for p in package["projects"]}) == len(package["projects"])
    assert package["publisher"] == {"name": "安澜市发展和改革局"}
    statuses = {p["status"] for p in package["projects"]}
    assert {"identification", "preparation", "implementation", "completion", "maintenance", "cancelled"} <= statuses
    # Nothing a reporter wrote for the office: phone numbers and problem texts of the demo's reports.
    text = json.dumps(package, ensure_ascii=False)
    phones = [p for p in User.objects.exclude(phone="").values_list("phone", flat=True)]
    problems = [p for p in MonthlyReport.objects.exclude(problems="").values_list("problems", flat=True)]
    assert problems, "the demo has report problems to look for"
    for private in [*phones, *problems]:
        assert private not in text, private


def test_the_coordinators_download_of_the_demo_validates(client):
    coordinator = User.objects.get(username="diaodu")
    client.force_login(coordinator)
    response = client.get("/projects/export/oc4ids/?as_of=2026-11-23")
    assert response.status_code == 200
    assert validation_errors(json.loads(response.content)) == []
