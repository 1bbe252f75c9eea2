"""The 年度计划 sheet through its real interfaces, `tadiao import_plans` and the upload page: what is written,
what a re-import does (nothing), every row error read back from the error workbook, who may import what,
and the statements an import of N and of 2N rows runs."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tadiao.audit.models import AuditEvent
from tadiao.imports import services
from tadiao.imports.models import ImportJob
from tadiao.projects.models import AnnualPlan, Project
from tests.conftest import TODAY, login
from tests.factories import AnnualPlanFactory, ProjectFactory, RegionFactory, UnitFactory
from tests.imports.helpers import PLAN_HEADERS, error_column, read_rows, write_workbook

CODE_A = "2024-330999-04-01-000001"
CODE_B = "2024-330999-04-01-000002"
# The headers as officials type them: half-width brackets, stray and full-width spaces, a "*" mark.
VARIANT_HEADERS = ["项目代码 ", "* 项目 名称", "责任\u3000单位", "年度", "年度计划投资(万元)"]


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_plans", str(path), *args, stdout=out)
    return out.getvalue().strip()


def fail(path, *args) -> dict[int, str]:
    """Run an import expected to fail on rows; the 错误原因 column of the error workbook beside the file."""
    with pytest.raises(CommandError, match="行有错误，未导入任何数据"):
        run(path, *args)
    sheet = read_rows(path.with_name(f"{path.stem}.errors.xlsx"), "年度计划")
    header_index = next(i for i, row in enumerate(sheet) if "错误原因" in row)
    return error_column(sheet, header_index)


@pytest.fixture
def projects(unit_a, unit_b):
    return (
        ProjectFactory(name="东城镇智能装备产业园", code=CODE_A, unit=unit_a),
        ProjectFactory(name="东城镇冷链物流中心", unit=unit_a),  # no code: found by name + unit
        ProjectFactory(name="西湖街道城市更新", code=CODE_B, unit=unit_b),
    )


def four_rows() -> list[list]:
    return [
        [CODE_A, "", "", 2024, "8,000.5"],                           # by code alone; grouped text
        ["", "东城镇冷链物流中心", "东城镇", "2024年", 1200],           # by name + unit; "2024年"
        ["", "东城镇冷链物流中心", "东城镇", "2025", 0.1 + 0.2],         # another year; Excel's binary noise
        [CODE_B, "西湖街道城市更新", "西湖街道", 2024.0, 0],              # code and name agree; zero is a plan
    ]


@pytest.fixture
def plans_file(tmp_path, projects):
    return write_workbook(tmp_path / "年度计划.xlsx", sheet="年度计划", headers=VARIANT_HEADERS, rows=four_rows(),
                          title="青山市2024年重点项目年度计划")


def plans() -> dict[tuple[str, int], Decimal]:
    return {(p.project.name, p.year): p.planned_investment for p in AnnualPlan.objects.select_related("project")}


def test_import_creates_plans_matched_by_code_or_by_name_and_unit(plans_file, projects):
    kept = AnnualPlanFactory(project=projects[0], year=2025, planned_investment=Decimal("500.00"))

    assert run(plans_file) == "共 4 行：新增 4 个年度计划，更新 0 个，未变化 0 个。"

    assert plans() == {
        ("东城镇智能装备产业园", 2024): Decimal("8000.50"),
        ("东城镇智能装备产业园", 2025): Decimal("500.00"),  # another year: not in the file, left alone
        ("东城镇冷链物流中心", 2024): Decimal("1200.00"),
        ("东城镇冷链物流中心", 2025): Decimal("0.30"),
        ("西湖街道城市更新", 2024): Decimal("0.00"),
    }
    kept.refresh_from_db()
    assert kept.planned_investment == Decimal("500.00")

    job = ImportJob.objects.get()
    assert (job.kind, job.status, job.created_count, job.progress_done, job.progress_total) == (
        "PLANS", "SUCCEEDED", 4, 4, 4)
    saved = AuditEvent.objects.filter(action="projects.annual_plan.saved").order_by("id")
    assert [(e.object_repr, e.changes, e.actor_name) for e in saved] == [
        ("东城镇智能装备产业园 2024年", {"planned_investment": [None, "8000.50"]}, "命令行导入"),
        ("东城镇冷链物流中心 2024年", {"planned_investment": [None, "1200.00"]}, "命令行导入"),
        ("东城镇冷链物流中心 2025年", {"planned_investment": [None, "0.30"]}, "命令行导入"),
        ("西湖街道城市更新 2024年", {"planned_investment": [None, "0.00"]}, "命令行导入"),
    ]
    assert AuditEvent.objects.get(action="imports.plans.imported").changes == {
        "file": "年度计划.xlsx", "rows": 4, "created": 4, "updated": 0, "unchanged": 0}


def test_reimporting_the_same_file_changes_nothing(plans_file):
    run(plans_file)
    before, events = plans(), AuditEvent.objects.count()

    assert run(plans_file) == "共 4 行：新增 0 个年度计划，更新 0 个，未变化 4 个。"

    assert plans() == before
    assert AuditEvent.objects.count() == events + 1  # the job's own event only
    assert AuditEvent.objects.filter(action="imports.plans.imported").count() == 2


def test_a_changed_amount_updates_the_plan_with_an_audited_diff(tmp_path, coordinator, projects):
    plan = AnnualPlanFactory(project=projects[0], year=2024, planned_investment=Decimal("5000.00"),
                             goal="主体完工")
    AnnualPlanFactory(project=projects[1], year=2024, planned_investment=Decimal("1200.00"))
    path = write_workbook(tmp_path / "a.xlsx", sheet="年度计划", headers=PLAN_HEADERS, rows=[
        [CODE_A, "", "", 2024, 6500], ["", "东城镇冷链物流中心", "东城镇", 2024, "1200.00"],
    ])

    assert run(path, "--user", "coordinator") == "共 2 行：新增 0 个年度计划，更新 1 个，未变化 1 个。"

    plan.refresh_from_db()
    assert (plan.planned_investment, plan.goal) == (Decimal("6500.00"), "主体完工")  # other fields kept
    event = AuditEvent.objects.get(action="projects.annual_plan.saved")
    assert (event.object_id, event.changes, event.actor.username) == (
        str(plan.pk), {"planned_investment": ["5000.00", "6500.00"]}, "coordinator")


def test_every_row_error_is_reported_and_nothing_is_written(tmp_path, projects):
    rows = [
        [CODE_A, "", "", 2024, 100],                                           # 3: good
        ["2024-330999-04-01-999999", "", "", 2024, 100],                       # 4
        ["", "不存在的项目", "东城镇", 2024, 100],                                # 5
        ["", "东城镇冷链物流中心", "", 2024, 100],                                # 6
        [CODE_A, "", "", 1999, 100],                                           # 7
        [CODE_A, "", "", 2101, 100],                                           # 8
        [CODE_A, "", "", "明年", 100],                                          # 9
        [CODE_A, "", "", 2026, -5],                                            # 10
        [CODE_A, "", "", 2027, "1.234"],                                       # 11
        [CODE_A, "", "", "", ""],                                              # 12
        ["", "东城镇智能装备产业园", "东城镇", 2024, 200],                          # 13: row 3 again, by name
        ["", "甲", "南山镇", 2024, 1],                                          # 14
        ["2024-1", "", "", 2024, 1],                                           # 15
        ["", "示例：智能装备产业园项目", "东城镇", 2024, 8000],                       # 16
        [CODE_A, "东城镇冷链物流中心", "东城镇", 2028, 1],                           # 17
    ]
    path = write_workbook(tmp_path / "计划.xlsx", sheet="年度计划", headers=PLAN_HEADERS, rows=rows,
                          title="2024年度计划")

    with pytest.raises(CommandError) as exc:
        run(path)

    assert str(exc.value) == (
        "共 15 行，其中 14 行有错误，未导入任何数据。请下载错误报告，按“错误原因”列修改后重新导入。"
        f"\n错误报告：{tmp_path / '计划.errors.xlsx'}"
    )
    assert not AnnualPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="projects.annual_plan.saved").exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error_row_count, job.progress_done, job.progress_total) == ("FAILED", 14, 15, 15)
    assert AuditEvent.objects.get(action="imports.plans.imported").result == "FAILURE"

    sheet = read_rows(tmp_path / "计划.errors.xlsx", "年度计划")
    assert sheet[0][0] == "2024年度计划"  # the title line is kept, so row numbers match the upload
    assert sheet[1] == [*PLAN_HEADERS, "错误原因"]
    assert sheet[8][3] == "明年"  # the bad cell as it was typed
    hint = "。请核对，或先通过项目台账导入该项目。"
    assert error_column(sheet, header_index=1) == {
        3: "",
        4: f"找不到项目代码为 2024-330999-04-01-999999 的项目{hint}",
        5: f"责任单位“东城镇”下没有名为“不存在的项目”的项目{hint}",
        6: "请填写项目代码，或同时填写项目名称和责任单位。",
        7: "年度：应在 2000—2100 年之间（1999）。",
        8: "年度：应在 2000—2100 年之间（2101）。",
        9: "年度：“明年”不是有效的年份，应填写四位年份，如 2024。",
        10: "年度计划投资（万元）：不能为负数（-5）。",
        11: "年度计划投资（万元）：最多保留两位小数（1.234），请先在表格中四舍五入。",
        12: "年度不能为空。\n年度计划投资（万元）不能为空。",
        13: "与第 3 行是同一项目同一年度的计划，请合并为一行。",
        14: "责任单位“南山镇”不存在，请核对单位名称（须与单位管理中的名称一致）。",
        15: ("项目代码：“2024-1”格式不正确，应为 NNNN-NNNNNN-NN-NN-NNNNNN（24 位，含 4 个连字符），"
             "例如 2024-330182-04-01-123456。"),
        16: "这是导入模板中的示例行，请改写或删除后再导入。",
        17: (f"项目代码 {CODE_A} 属于已有项目“东城镇智能装备产业园”（东城镇），而“东城镇冷链物流中心”（东城镇）"
             "是另一个已有项目，两者冲突，请核对项目代码或名称。"),
    }


def test_a_reporter_imports_only_its_own_units_projects(tmp_path, reporter_a, projects):
    path = write_workbook(tmp_path / "a.xlsx", sheet="年度计划", headers=PLAN_HEADERS, rows=[
        [CODE_A, "", "", 2024, 100],
        ["", "西湖街道城市更新", "西湖街道", 2024, 100],
        [CODE_B, "", "", 2024, 100],
    ])
    reasons = fail(path, "--user", "reporter_a")
    assert reasons == {
        2: "",
        3: "无权导入其他单位的项目（责任单位“西湖街道”）。",
        4: f"无权导入其他单位的项目（项目代码 {CODE_B} 已被其他单位的项目使用）。",
    }
    assert "西湖街道城市更新" not in reasons[4]  # the other unit's project is not named
    assert not AnnualPlan.objects.exists()

    write_workbook(path, sheet="年度计划", headers=PLAN_HEADERS, rows=[[CODE_A, "", "", 2024, 100]])
    assert run(path, "--user", "reporter_a").startswith("共 1 行：新增 1 个年度计划")
    assert AuditEvent.objects.get(action="projects.annual_plan.saved").actor == reporter_a


def test_a_coordinator_imports_its_region_only(tmp_path, coordinator, projects):
    elsewhere = UnitFactory(name="外地街道", region=RegionFactory(code="110101", name="东城区", path="/110101/"))
    far = ProjectFactory(name="外地项目", code="2024-110101-04-01-000003", unit=elsewhere)
    path = write_workbook(tmp_path / "a.xlsx", sheet="年度计划", headers=PLAN_HEADERS, rows=[
        [CODE_A, "", "", 2024, 1], [CODE_B, "", "", 2024, 2], [far.code, "", "", 2024, 3],
        ["", "外地项目", "外地街道", 2024, 4],
    ])
    assert fail(path, "--user", "coordinator") == {
        2: "", 3: "",
        4: f"无权导入其他单位的项目：项目代码 {far.code} 已被辖区以外单位的项目使用。",
        5: "无权导入其他单位的项目：责任单位“外地街道”不在您的管辖区域内。",
    }


def test_headers_that_cannot_name_a_project(tmp_path, projects):
    path = write_workbook(tmp_path / "a.xlsx", sheet="年度计划", headers=["项目名称", "年度", "年度计划投资（万元）"],
                          rows=[["东城镇冷链物流中心", 2024, 1]])
    with pytest.raises(CommandError) as exc:
        run(path)
    assert str(exc.value) == ("工作表“年度计划”缺少表头：须有“项目代码”，或同时有“项目名称”和“责任单位”，"
                              "用来确定每行是哪个项目。请使用导入模板的表头。")
    path = write_workbook(tmp_path / "b.xlsx", sheet="年度计划", headers=["项目代码", "年度计划投资（万元）"],
                          rows=[[CODE_A, 1]])
    with pytest.raises(CommandError, match="前 10 行中找不到表头（应包含：年度、年度计划投资（万元））"):
        run(path)
    path = write_workbook(tmp_path / "c.xlsx", headers=PLAN_HEADERS, rows=[[CODE_A, "", "", 2024, 1]])
    with pytest.raises(CommandError, match="工作簿中没有名为“年度计划”的工作表（现有工作表：“项目”）"):
        run(path)
    # Only 项目名称 + 责任单位, and the year under another accepted name.
    path = write_workbook(tmp_path / "d.xlsx", sheet="年度计划",
                          headers=["项目名称", "责任单位", "计划年度", "年度计划投资"],
                          rows=[["东城镇冷链物流中心", "东城镇", 2024, 1]])
    assert run(path).startswith("共 1 行：新增 1 个年度计划")


@pytest.mark.parametrize("username", ["leader", "auditor", "sysadmin"])
def test_users_without_the_right_cannot_import(plans_file, leader, auditor, sysadmin, username):
    with pytest.raises(CommandError, match=f"用户 {username} 无权导入年度计划数据"):
        run(plans_file, "--user", username)
    assert not ImportJob.objects.exists()


# --- the upload page ------------------------------------------------------------------------------------

def upload(client, data: bytes, name: str):
    return client.post(reverse("imports:new"), {"kind": "PLANS", "file": SimpleUploadedFile(name, data)})


def test_upload_imports_and_a_bad_file_gives_its_error_report(client, coordinator, plans_file, tmp_path,
                                                            immediate_tasks, django_capture_on_commit_callbacks):
    login(client, coordinator)
    assert '">年度计划</label>' in client.get(reverse("imports:new")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, plans_file.read_bytes(), "年度计划.xlsx")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "年度计划导入：年度计划.xlsx" in page
    assert "共 4 行：新增 4 个年度计划，更新 0 个，未变化 0 个。" in page
    assert AuditEvent.objects.filter(action="projects.annual_plan.saved", actor=coordinator).count() == 4

    bad = write_workbook(tmp_path / "错误.xlsx", sheet="年度计划", headers=PLAN_HEADERS,
                         rows=[[CODE_A, "", "", 2024, 9], [CODE_A, "", "", 2024, -1]])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bad.read_bytes(), "错误.xlsx")
    assert "共 2 行，其中 1 行有错误，未导入任何数据。" in client.get(response["Location"]).content.decode()
    failed = ImportJob.objects.get(original_name="错误.xlsx")
    download = client.get(reverse("imports:errors", args=[failed.pk]))
    reasons = error_column(read_rows(b"".join(download.streaming_content), "年度计划"))
    assert reasons == {
        2: "", 3: "年度计划投资（万元）：不能为负数（-1）。\n与第 2 行是同一项目同一年度的计划，请合并为一行。"}
    assert plans()[("东城镇智能装备产业园", 2024)] == Decimal("8000.50")  # untouched by the failed file


def test_template_round_trip(client, reporter_a, projects, tmp_path, immediate_tasks,
                             django_capture_on_commit_callbacks):
    login(client, reporter_a)
    response = client.get(reverse("imports:template", args=["plans"]))
    assert response.status_code == 200
    assert "filename*=utf-8''%E5%B9%B4%E5%BA%A6%E8%AE%A1%E5%88%92" in response["Content-Disposition"]  # 年度计划…
    data = b"".join(response.streaming_content)
    rows = read_rows(data, "年度计划")
    assert rows[0] == PLAN_HEADERS
    assert rows[1] == ["", "示例：智能装备产业园项目", "东城镇", 2024, 8000]  # the reporter's own unit
    assert read_rows(data, "说明")[0] == ["项目", "说明"]

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, "模板.xlsx")
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED  # the example row is refused
    assert not AnnualPlan.objects.exists()

    rows[1][1] = "东城镇冷链物流中心"
    path = write_workbook(tmp_path / "filled.xlsx", sheet="年度计划", headers=rows[0], rows=[rows[1]])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path.read_bytes(), "filled.xlsx")
    assert plans() == {("东城镇冷链物流中心", 2024): Decimal("8000.00")}


def test_access(client, reporter_a, reporter_b, leader, plans_file):
    job = services.create_job(kind="PLANS", by=reporter_a, content=plans_file.open("rb"), original_name="x.xlsx")
    job = services.run_import(job_id=job.pk, today=TODAY)
    assert job.error_file  # reporter_a may not import 西湖街道's row
    login(client, reporter_b)  # another unit's reporter
    for name in ("imports:detail", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    login(client, leader)  # reads everything, imports nothing
    assert client.get(reverse("imports:new")).status_code == 403
    assert client.get(reverse("imports:template", args=["plans"])).status_code == 403
    assert upload(client, plans_file.read_bytes(), "x.xlsx").status_code == 403
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    login(client, reporter_a)
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 200
    assert ImportJob.objects.count() == 1


# --- statements at N and 2N rows ------------------------------------------------------------------------

N = 10


def _run_counted(tmp_path, name: str, rows, by) -> tuple[ImportJob, list[str]]:
    path = write_workbook(tmp_path / f"{name}.xlsx", sheet="年度计划", headers=PLAN_HEADERS, rows=rows)
    with path.open("rb") as handle:
        job = services.create_job(kind="PLANS", by=by, content=handle, original_name=path.name)
    with CaptureQueriesContext(connection) as captured:
        job = services.run_import(job_id=job.pk, today=TODAY)
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    return job, [q["sql"] for q in captured.captured_queries]


def test_statements_at_n_and_2n_rows(tmp_path, coordinator, unit_a, unit_b):
    # Half the projects have a code, so both look-ups run every time: by code, then by name for the rest.
    small = [ProjectFactory(code=f"2024-330999-04-01-1{i:05d}" if i % 2 else "", unit=unit_a) for i in range(N)]
    large = [ProjectFactory(code=f"2024-330999-04-01-2{i:05d}" if i % 2 else "", unit=unit_b) for i in range(2 * N)]

    def rows(projects, money):
        return [[p.code, "", "", 2024, money] if p.code else ["", p.name, p.unit.name, 2024, money] for p in projects]

    # First import: 19 statements either way: these 17, and 2 as
    # each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1 UPDATE job → RUNNING (claim)          2 SELECT job + creator      3 UPDATE job progress total
    #   4 SELECT all units                      5 SELECT the user's unit    6 SELECT its region
    #   7 SELECT unit ids in scope              8 SELECT projects by code   9 SELECT projects by name
    #  10 SELECT their plans of the file's years (none yet)
    #  11 SAVEPOINT                            12 INSERT plans (bulk)      13 INSERT their audit events (bulk)
    #  14 UPDATE job → SUCCEEDED               15 INSERT the job's audit event
    #  16 RELEASE SAVEPOINT                    17 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n", rows(small, 100), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n", rows(large, 100), coordinator)
    assert (job_n.created_count, job_2n.created_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 19

    # The same files again: nothing changes, only the job is written. 16 statements either way:
    # these 15, and 1 as each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1–10 the reads above
    #  11 SAVEPOINT                            12 UPDATE job → SUCCEEDED   13 INSERT the job's audit event
    #  14 RELEASE SAVEPOINT                    15 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n1", rows(small, 100), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n1", rows(large, 100), coordinator)
    assert (job_n.unchanged_count, job_2n.unchanged_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 16

    # Every amount changes: 20 statements either way: these 18, and 2 as
    # each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1–10 the reads above                   11 SAVEPOINT
    #  12 SELECT the plans' amounts … FOR UPDATE (nobody changed them meanwhile)
    #  13 UPDATE plans (bulk)                  14 INSERT their audit events (bulk)
    #  15 UPDATE job → SUCCEEDED               16 INSERT the job's audit event
    #  17 RELEASE SAVEPOINT                    18 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n2", rows(small, 150), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n2", rows(large, 150), coordinator)
    assert (job_n.updated_count, job_2n.updated_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 20
    assert AuditEvent.objects.filter(action="projects.annual_plan.saved").count() == 2 * 3 * N


def test_progress_is_saved_every_200_rows(tmp_path, coordinator, unit_a):
    Project.objects.bulk_create([Project(name=f"项目{i:03d}", unit=unit_a) for i in range(450)])
    rows = [["", f"项目{i:03d}", "东城镇", 2024, i] for i in range(450)]
    job, sql = _run_counted(tmp_path, "big", rows, coordinator)
    saves = [s for s in sql if s.startswith('UPDATE "imports_importjob" SET "progress_done"')]
    # The poll shows 200/450, then 400/450; the final save says 450/450 with the result. Each progress save
    # renews the job's lease (its heartbeat), and only while the job is still running (not failed by the recovery).
    assert [re.sub(r"'[^']*'(::\w+)?", "…", s) for s in saves] == [
        f'UPDATE "imports_importjob" SET "progress_done" = {n}, "heartbeat_at" = … '
        f'WHERE ("imports_importjob"."id" = {job.pk} AND "imports_importjob"."status" = …)' for n in (200, 400)]
    assert (job.progress_done, job.progress_total, job.created_count) == (450, 450, 450)
