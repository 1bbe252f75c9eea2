"""The sheet 审批事项 through the importer (issue "Open interfaces", point 5): the approval platform's export
updates the projects' approvals checklist by 项目代码 — all or nothing, audited old → new, a re-import a no-op —
uploaded on the import page or by `tadiao import_approvals FILE --as USERNAME`."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tadiao.audit.models import AuditEvent
from tadiao.imports import approval_import
from tadiao.imports.models import ImportJob
from tadiao.imports.services.base import Row
from tadiao.projects.models import ApprovalKind, ProjectApproval
from tests.conftest import login
from tests.factories import ProjectFactory
from tests.imports.helpers import read_rows, write_workbook
from tests.imports.test_views import upload

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 23)
HEADERS = ["项目代码", "事项名称", "审批部门", "办理状态", "受理日期", "办结日期", "批复文号"]
CODE_A = "2026-330182-04-01-000001"
CODE_B = "2026-330182-04-01-000002"


@pytest.fixture
def county(unit_a, unit_b):
    """东城镇's 装备项目 (CODE_A, its 工程规划许可 办理中 since 3-1 by 县规划局, note 原备注); 西湖街道's 总部项目
    (CODE_B, no approvals)."""
    equipment = ProjectFactory(unit=unit_a, name="装备项目", code=CODE_A)
    hq = ProjectFactory(unit=unit_b, name="总部项目", code=CODE_B)
    ProjectApproval.objects.create(project=equipment, kind=ApprovalKind.objects.get(name="工程规划许可"),
                                   status=ProjectApproval.Status.IN_PROGRESS, department="县规划局",
                                   applied_date=D(2026, 3, 1), note="原备注")
    return {"equipment": equipment, "hq": hq}


GOOD = [
    [CODE_A, "建设工程规划许可证", "县自然资源和规划局", "已办结", D(2026, 3, 2), D(2026, 3, 20), "建字第12号"],
    [CODE_A, "施工许可", "县行政审批局", "已受理", "2026年4月1日", "", ""],
]


def _file(tmp_path, *rows, name="审批事项.xlsx"):
    return write_workbook(tmp_path / name, headers=HEADERS, rows=list(rows), sheet="审批事项")


def _command(path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_approvals", str(path), *args, stdout=out)
    return out.getvalue().strip()


def _approval(project, name):
    return ProjectApproval.objects.get(project=project, kind__name=name)


def test_command_updates_the_checklist_audited_and_reimport_changes_nothing(reporter_a, county, tmp_path):
    path = _file(tmp_path, *GOOD)
    assert _command(path, "--as", "reporter_a", "--today", "2026-11-23") == (
        "共 2 行：新增 1 项审批事项，更新 1 项，未变化 0 项。")
    plan = _approval(county["equipment"], "工程规划许可")
    assert (plan.status, plan.department, plan.applied_date, plan.completed_date, plan.note) == (
        ProjectApproval.Status.DONE, "县自然资源和规划局", D(2026, 3, 2), D(2026, 3, 20), "批复文号：建字第12号")
    permit = _approval(county["equipment"], "施工许可")
    assert (permit.status, permit.department, permit.applied_date, permit.completed_date, permit.note) == (
        ProjectApproval.Status.IN_PROGRESS, "县行政审批局", D(2026, 4, 1), None, "")
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="projects.approval.saved")}
    assert events[str(plan.pk)].changes == {
        "status": ["IN_PROGRESS", "DONE"], "department": ["县规划局", "县自然资源和规划局"],
        "applied_date": ["2026-03-01", "2026-03-02"], "completed_date": [None, "2026-03-20"],
        "note": ["原备注", "批复文号：建字第12号"],
    }
    assert events[str(permit.pk)].changes == {
        "status": [None, "IN_PROGRESS"], "department": [None, "县行政审批局"], "applied_date": [None, "2026-04-01"],
    }
    assert events[str(plan.pk)].actor == reporter_a
    audited = AuditEvent.objects.count()
    assert _command(path, "--as", "reporter_a", "--today", "2026-11-23") == (
        "共 2 行：新增 0 项审批事项，更新 0 项，未变化 2 项。")
    # Only the job's own event: no approval event, no write.
    assert AuditEvent.objects.count() == audited + 1
    assert AuditEvent.objects.filter(action="projects.approval.saved").count() == 2
    assert AuditEvent.objects.filter(action="imports.approvals.imported").count() == 2


def test_wrong_rows_write_nothing_and_every_error_is_listed(reporter_a, county, tmp_path):
    known = "、".join(ApprovalKind.objects.filter(is_active=True).values_list("name", flat=True))
    rows = [
        *GOOD,
        [CODE_A, "人防审批", "县人防办", "已办结", "", D(2026, 5, 1), ""],  # line 4: unknown item
        [CODE_A, "环评批复", "", "审核中了", "", "", ""],  # line 5: unknown status
        ["2026-330182-04-01-999999", "施工许可", "", "办理中", "", "", ""],  # line 6: unknown code
        [CODE_B, "施工许可", "", "办理中", "", "", ""],  # line 7: another unit's project
        [CODE_A, "节能审查", "", "不予许可", D(2026, 5, 2), D(2026, 5, 1), ""],  # line 8: refused state, dates
        [CODE_A, "施工许可", "", "办理中", "", "", ""],  # line 9: same item as line 3
    ]
    with pytest.raises(CommandError) as caught:
        _command(_file(tmp_path, *rows), "--as", "reporter_a", "--today", "2026-11-23")
    lines = str(caught.value).splitlines()
    assert lines[0] == "共 8 行，其中 6 行有错误，未导入任何数据。请下载错误报告，按“错误原因”列修改后重新导入。"
    assert lines[2:] == [
        f"第 4 行：未知的审批事项“人防审批”，可选：{known}。",
        "第 5 行：办理状态：“审核中了”不是有效的选项，可填：未办、已受理、办理中、已办结、容缺受理。",
        "第 6 行：找不到项目代码为 2026-330182-04-01-999999 的项目。",
        f"第 7 行：无权导入其他单位的项目（项目代码 {CODE_B}）。",
        "第 8 行：办理状态“不予许可”在前期手续中没有对应的状态，请在项目的前期手续页面处理；"
        "可填：未办、已受理、办理中、已办结、容缺受理。；办结日期（2026-05-01）不能早于受理日期（2026-05-02）。",
        "第 9 行：与第 3 行是同一项目的同一审批事项，请合并为一行。",
    ]
    assert ProjectApproval.objects.count() == 1
    assert _approval(county["equipment"], "工程规划许可").status == ProjectApproval.Status.IN_PROGRESS
    assert not AuditEvent.objects.filter(action="projects.approval.saved").exists()


def test_an_item_edited_after_validation_refuses_the_whole_import(reporter_a, county):
    rows = [Row(line=2 + i, values=dict(zip(["code", "item", "department", "status", "applied_date",
                                             "completed_date", "number"], row, strict=True)))
            for i, row in enumerate(GOOD)]
    plan = approval_import.validate_approvals(rows=rows, by=reporter_a, today=TODAY)
    assert (len(plan.created), len(plan.updated), plan.errors) == (1, 1, {})
    # Meanwhile someone saves the 工程规划许可 on the page and registers the 施工许可.
    ProjectApproval.objects.filter(project=county["equipment"], kind__name="工程规划许可").update(note="他人修改")
    ProjectApproval.objects.create(project=county["equipment"], kind=ApprovalKind.objects.get(name="施工许可"))
    outcome = approval_import.write_approvals(plan=plan, by=reporter_a)
    assert sorted(outcome.errors) == [2, 3]
    assert outcome.errors[2][0].startswith("该行对应的前期手续在导入校验之后已被他人修改或删除")
    assert outcome.errors[3][0].startswith("该行对应的前期手续在导入校验之后已由他人录入")
    assert _approval(county["equipment"], "工程规划许可").status == ProjectApproval.Status.IN_PROGRESS
    assert not AuditEvent.objects.filter(action="projects.approval.saved").exists()


def test_page_upload_by_a_coordinator(client, coordinator, county, tmp_path, immediate_tasks,
                                      django_capture_on_commit_callbacks):
    login(client, coordinator)
    rows = [*GOOD, [CODE_B, "施工许可", "县行政审批局", "容缺受理", D(2026, 6, 1), "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, _file(tmp_path, *rows), kind="APPROVALS")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.SUCCEEDED, job.summary
    assert _approval(county["hq"], "施工许可").status == ProjectApproval.Status.ACCEPTED_WITH_GAPS


def test_who_may_import(client, leader, reporter_a, tmp_path):
    assert approval_import.may_import(reporter_a) and not approval_import.may_import(leader)
    login(client, leader)
    upload(client, _file(tmp_path, *GOOD), kind="APPROVALS")
    assert not ImportJob.objects.exists()


def _rows(projects: list, kinds: list[ApprovalKind]) -> list[Row]:
    return [Row(line=2 + i, values={"code": p.code, "item": k.name, "department": "县行政审批局", "status": "办理中",
                                    "applied_date": D(2026, 3, 1), "completed_date": "", "number": ""})
            for i, (p, k) in enumerate((p, k) for p in projects for k in kinds)]


def _queries(rows: list[Row], by) -> int:
    with CaptureQueriesContext(connection) as captured:
        outcome = approval_import.import_approvals(rows=rows, by=by, today=TODAY)
    assert outcome.ok, outcome.errors
    return len(captured)


def test_query_count_does_not_grow_with_the_rows(reporter_a, unit_a):
    """Queries: the active items, the project codes, the rows' approvals, the check that none was created
    meanwhile, the bulk INSERT, the audit INSERT (plus the savepoint pair); then for updates the lock and the
    bulk UPDATE instead of the INSERT. The same count for N and 2N rows."""
    kinds = list(ApprovalKind.objects.filter(is_active=True)[:3])
    projects = [ProjectFactory(unit=unit_a, code=f"2026-330182-04-01-{i:06d}") for i in range(1, 9)]
    created_n, created_2n = _queries(_rows(projects[:2], kinds), reporter_a), _queries(
        _rows(projects[2:6], kinds), reporter_a)
    assert created_n == created_2n
    rows_n, rows_2n = _rows(projects[:2], kinds), _rows(projects[2:6], kinds)
    for row in rows_n + rows_2n:
        row.values["status"] = "已办结"
        row.values["completed_date"] = D(2026, 4, 1)
    assert _queries(rows_n, reporter_a) == _queries(rows_2n, reporter_a)


def test_the_template_has_the_platform_headers_and_its_example_row_is_refused(client, reporter_a, county, tmp_path):
    login(client, reporter_a)
    response = client.get(reverse("imports:template", args=["approvals"]))
    content = b"".join(response.streaming_content)
    assert read_rows(content, "审批事项")[0] == HEADERS
    path = tmp_path / "模板.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        _command(path, "--as", "reporter_a")
    assert str(caught.value).splitlines()[-1] == "第 2 行：这是导入模板中的示例行，请改写或删除后再导入。"
