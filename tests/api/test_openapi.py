"""The schema at /api/v1/openapi.json is a valid OpenAPI document, describes every field and parameter in Chinese,
every documented GET endpoint answers, and the docs page loads Swagger UI from our own static files."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.utils import timezone
from openapi_spec_validator import validate

from tadiao.imports.models import ImportJob
from tadiao.imports.services import jobs
from tadiao.indicators.models import Snapshot
from tadiao.reporting import services as reporting
from tests.coordination.conftest import make_problem
from tests.factories import UnitFactory
from tests.weekly.conftest import make_report

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def schema(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def test_the_schema_is_valid_openapi(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def _properties(schema: dict):
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            yield f"{name}.{field}", spec


def test_every_field_and_parameter_is_described_in_chinese(schema):
    fields = list(_properties(schema))
    assert len(fields) > 50
    undescribed = [name for name, spec in fields if not CHINESE.search(spec.get("description", ""))]
    assert not undescribed, f"缺少中文说明的字段：{undescribed}"
    params = [(path, p["name"], p.get("description", "")) for path, ops in schema["paths"].items()
              for op in ops.values() for p in op.get("parameters", []) if p["in"] != "path"]
    assert params and not [p for p in params if not CHINESE.search(p[2])]
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert all(CHINESE.search(op.get("summary", "")) for op in operations)


def test_every_documented_get_endpoint_answers(client, schema, api_as, coordinator, project_a, unit_a, region):
    period = reporting.open_period(month=datetime.date(2026, 11, 1), by=coordinator)
    report = reporting.save_report(project=project_a, period=period, data={"progress_text": "x"}, by=coordinator,
                                   expected_version=None)
    problem = make_problem(project_a, UnitFactory(region=region))
    Snapshot.objects.create(period=period, as_of=datetime.date(2026, 11, 30), data={}, created_at=timezone.now())
    weekly = make_report(project_a)
    job = jobs.create_job(kind=ImportJob.Kind.APPROVALS, by=coordinator, content=ContentFile(b"x"),
                          original_name="审批事项.xlsx")
    ids = {"project_id": project_a.pk, "report_id": report.pk, "problem_id": problem.pk, "weekly_id": weekly.pk,
           "month": "2026-11", "job_id": job.pk}
    caller = api_as(coordinator)
    gets = [path for path, ops in schema["paths"].items() if "get" in ops and not path.endswith("openapi.json")]
    assert len(gets) >= 5
    for path in gets:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path.removeprefix("/api/v1"))
        answer = caller.get(url)
        assert answer.status_code == 200, (path, answer.content[:300])
        missing = caller.get(re.sub(r"\{(\w+)\}", lambda m: "1999-01" if m.group(1) == "month" else "999999",
                                    path.removeprefix("/api/v1")))
        if "{" in path:
            assert missing.status_code == 404, path
    # The writes answer too: an empty body is refused in Chinese (422 for the missing fields), never a 500.
    writes = [(path, method) for path, ops in schema["paths"].items() for method in ops if method != "get"]
    assert len(writes) == 4
    for path, method in writes:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path.removeprefix("/api/v1"))
        answer = caller.send(method, url, {})
        assert answer.status_code == 422 and CHINESE.search(answer.json()["detail"]), (path, answer.content[:300])


def test_the_docs_page_uses_local_swagger_ui(client, coordinator):
    assert client.get("/api/v1/docs")["Location"].startswith("/accounts/login/")  # a page: login first
    client.force_login(coordinator)
    page = client.get("/api/v1/docs").content.decode()
    scripts = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert finders.find("vendor/swagger-ui/swagger-ui-bundle.js") and finders.find("tadiao/api/swagger-init.js")
    assert 'data-openapi-url="/api/v1/openapi.json"' in page
