"""/api/v1/imports: the 审批事项 sheet uploaded by a script (the import page's gate, job and service) and the job's
status with its row errors, visible to its creator alone."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tadiao.projects.models import ApprovalKind, ProjectApproval
from tests.imports.conftest import immediate_tasks  # noqa: F401 (a fixture)
from tests.imports.helpers import write_workbook
from tests.imports.test_approval_import import CODE_A, CODE_B, GOOD, HEADERS, county  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
D = datetime.date


def _post(api, path, rows):
    write_workbook(path, headers=HEADERS, rows=rows, sheet="审批事项")
    upload = SimpleUploadedFile("审批事项.xlsx", path.read_bytes())
    return api.client.post("/api/v1/imports/approvals", {"file": upload}, headers=api.headers)


def test_reporter_imports_and_reads_the_job(api_as, reporter_a, reporter_b, county, tmp_path, immediate_tasks,  # noqa: F811
                                            django_capture_on_commit_callbacks):
    api = api_as(reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(api, tmp_path / "a.xlsx", GOOD)
    assert answer.status_code == 202
    body = answer.json()
    assert (body["kind"], body["status"]) == ("APPROVALS", "QUEUED")
    assert body["url"] == f"/api/v1/imports/{body['id']}"
    job = api.get(f"/imports/{body['id']}").json()
    assert (job["status"], job["summary"], job["created"], job["updated"], job["errors"]) == (
        "SUCCEEDED", "共 2 行：新增 1 项审批事项，更新 1 项，未变化 0 项。", 1, 1, [])
    permit = ProjectApproval.objects.get(project=county["equipment"], kind__name="施工许可")
    assert (permit.status, permit.applied_date) == (ProjectApproval.Status.IN_PROGRESS, D(2026, 4, 1))
    assert AuditEvent.objects.filter(action="projects.approval.saved", actor=reporter_a).count() == 2
    # Another unit's reporter: 404, the same body as any missing object.
    other = api_as(reporter_b).get(f"/imports/{body['id']}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_row_errors_as_json_and_nothing_written(api_as, reporter_a, county, tmp_path, immediate_tasks,  # noqa: F811
                                                django_capture_on_commit_callbacks):
    known = "、".join(ApprovalKind.objects.filter(is_active=True).values_list("name", flat=True))
    api = api_as(reporter_a)
    rows = [*GOOD, [CODE_A, "人防审批", "", "办理中", "", "", ""], [CODE_B, "施工许可", "", "办理中", "", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        job_id = _post(api, tmp_path / "bad.xlsx", rows).json()["id"]
    job = api.get(f"/imports/{job_id}").json()
    assert job["status"] == "FAILED" and job["error_row_count"] == 2
    assert job["errors"] == [
        {"line": 4, "messages": [f"未知的审批事项“人防审批”，可选：{known}。"]},
        {"line": 5, "messages": [f"无权导入其他单位的项目（项目代码 {CODE_B}）。"]},
    ]
    assert ProjectApproval.objects.count() == 1
    assert not AuditEvent.objects.filter(action="projects.approval.saved").exists()


def test_coordinator_may_import_leader_gets_403_and_bad_files_400(api_as, coordinator, leader, county, tmp_path,  # noqa: F811
                                                                    immediate_tasks,  # noqa: F811
                                                                    django_capture_on_commit_callbacks):
    refused = _post(api_as(leader), tmp_path / "l.xlsx", GOOD)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "您没有导入审批事项的权限。", "code": "forbidden"}
    api = api_as(coordinator)
    not_xlsx = api.client.post("/api/v1/imports/approvals", {"file": SimpleUploadedFile("a.csv", b"a,b")},
                               headers=api.headers)
    assert not_xlsx.status_code == 400 and not_xlsx.json()["code"] == "rejected"
    assert not ImportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(api, tmp_path / "c.xlsx", [[CODE_B, "施工许可", "县行政审批局", "容缺受理", "", "", ""]])
    assert api.get(f"/imports/{answer.json()['id']}").json()["status"] == "SUCCEEDED"
    assert ProjectApproval.objects.get(project=county["hq"]).status == ProjectApproval.Status.ACCEPTED_WITH_GAPS


def test_a_read_only_token_cannot_import(api_as, reporter_a, county, tmp_path):  # noqa: F811
    assert _post(api_as(reporter_a, read_only=True), tmp_path / "r.xlsx", GOOD).status_code == 403
    assert not ImportJob.objects.exists()
