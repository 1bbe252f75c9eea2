"""The 月度进展 sheet through its real interfaces, `tadiao import_progress` and the upload page: reports written
approved (coordinator) or submitted (reporter), months opened, closed and future months refused, the overwrite
rule, re-imports that change nothing, every row error read back from the error workbook, access, and the
statements an import of N and of 2N rows runs."""

import datetime
import io
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
from tadiao.reporting import services as reporting
from tadiao.reporting.models import MonthlyReport, Period, ReportingSettings
from tests.conftest import TODAY, login
from tests.factories import ProjectFactory
from tests.imports.helpers import PROGRESS_EXTRA_HEADERS, PROGRESS_HEADERS, error_column, read_rows, write_workbook

CODE_A = "2024-330999-04-01-000001"
CODE_B = "2024-330999-04-01-000002"
APRIL, MAY, JUNE = datetime.date(2024, 4, 1), datetime.date(2024, 5, 1), datetime.date(2024, 6, 1)
ALL_HEADERS = PROGRESS_HEADERS + PROGRESS_EXTRA_HEADERS
# The headers as officials type them: half-width brackets, stray and full-width spaces, a "*" mark.
VARIANT_HEADERS = [
    "项目代码", "*项目名称", "责任单位 ", "年 月", "本月完成投资(万元)", "形象\u3000进度", "施工人数", "存在问题及诉求",
]


def run(path, *args, today: str = "2024-06-15") -> str:
    out = io.StringIO()
    call_command("import_progress", str(path), "--today", today, *args, stdout=out)
    return out.getvalue().strip()


def fail(path, *args, **kwargs) -> dict[int, str]:
    """Run an import expected to fail on rows; the 错误原因 column of the error workbook beside the file."""
    with pytest.raises(CommandError, match="行有错误，未导入任何数据"):
        run(path, *args, **kwargs)
    return error_column(read_rows(path.with_name(f"{path.stem}.errors.xlsx"), "月度进展"))


def sheet(path, rows, headers=PROGRESS_HEADERS, **kwargs):
    return write_workbook(path, sheet="月度进展", headers=headers, rows=rows, **kwargs)


@pytest.fixture
def projects(unit_a, unit_b):
    return (
        ProjectFactory(name="东城镇智能装备产业园", code=CODE_A, unit=unit_a),
        ProjectFactory(name="东城镇冷链物流中心", unit=unit_a),  # no code: found by name + unit
        ProjectFactory(name="西湖街道城市更新", code=CODE_B, unit=unit_b),
    )


@pytest.fixture
def april(db):
    return Period.objects.create(month=APRIL, deadline=datetime.date(2024, 4, 25))


def four_rows() -> list[list]:
    return [
        [CODE_A, "", "", "2024-04", "1,200.5", "主体结构封顶", 120, "施工用电增容"],
        ["", "东城镇冷链物流中心", "东城镇", "2024/4", 300, "场地平整", "", ""],
        [CODE_A, "", "", "2024年5月", 0, "停工待料", 0, ""],
        [CODE_B, "", "", datetime.date(2024, 6, 3), 88.8, "内部装修", 35, ""],  # a real date: its month
    ]


@pytest.fixture
def progress_file(tmp_path, projects, april):
    return sheet(tmp_path / "月度进展.xlsx", four_rows(), headers=VARIANT_HEADERS, title="2024年4—6月项目进展")


def reports() -> dict[tuple[str, datetime.date], MonthlyReport]:
    return {(r.project.name, r.period.month): r for r in MonthlyReport.objects.select_related("project", "period")}


def test_a_coordinators_import_approves_the_reports_and_opens_the_months(progress_file, coordinator, projects, april):
    ReportingSettings.objects.create(pk=1, deadline_day=20)

    assert run(progress_file, "--user", "coordinator") == "共 4 行：新增 4 份月报，更新 0 份，未变化 0 份。"

    got = reports()
    assert {k: (r.investment_completed, r.progress_text, r.workers_on_site, r.problems) for k, r in got.items()} == {
        ("东城镇智能装备产业园", APRIL): (Decimal("1200.50"), "主体结构封顶", 120, "施工用电增容"),
        ("东城镇冷链物流中心", APRIL): (Decimal("300.00"), "场地平整", None, ""),
        ("东城镇智能装备产业园", MAY): (Decimal("0.00"), "停工待料", 0, ""),
        ("西湖街道城市更新", JUNE): (Decimal("88.80"), "内部装修", 35, ""),  # June is this month: not the future
    }
    for report in got.values():
        assert (report.status, report.reviewed_by, report.submitted_by, report.version) == (
            "APPROVED", coordinator, None, 1)
        assert report.reviewed_at is not None and report.submitted_at is None

    # April was open already; May and June are opened with the configured deadline day.
    assert {(p.month, p.deadline, p.status) for p in Period.objects.all()} == {
        (APRIL, datetime.date(2024, 4, 25), "OPEN"),
        (MAY, datetime.date(2024, 5, 20), "OPEN"),
        (JUNE, datetime.date(2024, 6, 20), "OPEN"),
    }
    opened = AuditEvent.objects.filter(action="reporting.period.opened").order_by("id")
    assert [(e.object_repr, e.changes, e.actor) for e in opened] == [
        ("2024年5月", {"month": [None, "2024-05-01"], "deadline": [None, "2024-05-20"]}, coordinator),
        ("2024年6月", {"month": [None, "2024-06-01"], "deadline": [None, "2024-06-20"]}, coordinator),
    ]

    imported = AuditEvent.objects.filter(action="reporting.report.imported").order_by("id")
    assert [(e.object_repr, e.changes) for e in imported] == [
        ("东城镇智能装备产业园 · 2024年4月", {
            "investment_completed": [None, "1200.50"], "progress_text": [None, "主体结构封顶"],
            "workers_on_site": [None, 120], "problems": [None, "施工用电增容"], "status": [None, "APPROVED"]}),
        ("东城镇冷链物流中心 · 2024年4月", {
            "investment_completed": [None, "300.00"], "progress_text": [None, "场地平整"],
            "status": [None, "APPROVED"]}),
        ("东城镇智能装备产业园 · 2024年5月", {
            "investment_completed": [None, "0.00"], "progress_text": [None, "停工待料"], "workers_on_site": [None, 0],
            "status": [None, "APPROVED"]}),
        ("西湖街道城市更新 · 2024年6月", {
            "investment_completed": [None, "88.80"], "progress_text": [None, "内部装修"], "workers_on_site": [None, 35],
            "status": [None, "APPROVED"]}),
    ]
    assert {e.actor for e in imported} == {coordinator}
    job = ImportJob.objects.get()
    assert (job.kind, job.status, job.created_count, job.progress_done) == ("PROGRESS", "SUCCEEDED", 4, 4)
    assert AuditEvent.objects.get(action="imports.progress.imported").changes == {
        "file": "月度进展.xlsx", "rows": 4, "created": 4, "updated": 0, "unchanged": 0}


def test_a_reporters_import_submits_the_reports_and_a_reimport_changes_nothing(tmp_path, reporter_a, projects, april):
    path = sheet(tmp_path / "a.xlsx", [row[:6] for row in four_rows()[:3]])

    assert run(path, "--user", "reporter_a") == "共 3 行：新增 3 份月报，更新 0 份，未变化 0 份。"
    got = reports()
    assert {(r.status, r.submitted_by, r.reviewed_by, r.version) for r in got.values()} == {
        ("SUBMITTED", reporter_a, None, 1)}
    assert all(r.submitted_at is not None for r in got.values())
    before = {key: (r.version, r.updated_at, r.submitted_at) for key, r in got.items()}
    events = AuditEvent.objects.count()

    assert run(path, "--user", "reporter_a") == "共 3 行：新增 0 份月报，更新 0 份，未变化 3 份。"
    assert {key: (r.version, r.updated_at, r.submitted_at) for key, r in reports().items()} == before
    assert AuditEvent.objects.count() == events + 1  # the job's own event only


def test_a_coordinators_reimport_changes_nothing(progress_file, coordinator):
    run(progress_file, "--user", "coordinator")
    before = {key: (r.version, r.updated_at, r.reviewed_at) for key, r in reports().items()}
    events, periods = AuditEvent.objects.count(), Period.objects.count()

    assert run(progress_file, "--user", "coordinator") == "共 4 行：新增 0 份月报，更新 0 份，未变化 4 份。"

    assert {key: (r.version, r.updated_at, r.reviewed_at) for key, r in reports().items()} == before
    assert (AuditEvent.objects.count(), Period.objects.count()) == (events + 1, periods)


@pytest.fixture
def existing(projects, april, reporter_a, coordinator):
    """April's reports of 东城镇, one in each state."""
    a, a2, _ = projects
    a3 = ProjectFactory(name="东城镇污水处理厂", unit=a.unit)
    a4 = ProjectFactory(name="东城镇安置小区", unit=a.unit)
    common = {"period": april, "workers_on_site": 50, "problems": "缺电"}
    return {
        "submitted": MonthlyReport.objects.create(project=a, investment_completed=100, progress_text="桩基",
                                                  status="SUBMITTED", submitted_by=reporter_a, **common),
        "approved": MonthlyReport.objects.create(project=a2, investment_completed=50, progress_text="平整",
                                                 status="APPROVED", reviewed_by=coordinator, **common),
        "draft": MonthlyReport.objects.create(project=a3, investment_completed=10, progress_text="设计",
                                              **common),
        "returned": MonthlyReport.objects.create(project=a4, investment_completed=30, progress_text="招标",
                                                 status="RETURNED", return_reason="数据有误", **common),
    }


def test_a_reporter_may_not_overwrite_a_submitted_or_approved_report(tmp_path, reporter_a, existing):
    path = sheet(tmp_path / "a.xlsx", [
        [CODE_A, "", "", "2024-04", 200, "桩基"],                              # submitted, amount changed
        ["", "东城镇冷链物流中心", "东城镇", "2024-04", 50, "平整完成"],            # approved, text changed
        ["", "东城镇污水处理厂", "东城镇", "2024-04", 10, "设计"],                 # draft: may be submitted
    ])
    assert fail(path, "--user", "reporter_a") == {
        2: "该月报已报送/审核，不能覆盖。", 3: "该月报已报送/审核，不能覆盖。", 4: ""}
    existing["draft"].refresh_from_db()
    assert (existing["draft"].status, existing["draft"].version) == ("DRAFT", 1)


def test_a_reporter_submits_drafts_and_returned_reports_and_unchanged_rows_are_no_overwrite(
        tmp_path, reporter_a, existing):
    path = sheet(tmp_path / "a.xlsx", [
        [CODE_A, "", "", "2024-04", 100, "桩基"],                              # submitted, the same: unchanged
        ["", "东城镇冷链物流中心", "东城镇", "2024-04", "50.00", "平整"],           # approved, the same: unchanged
        ["", "东城镇污水处理厂", "东城镇", "2024-04", 20, "设计"],                 # draft: amount changed
        ["", "东城镇安置小区", "东城镇", "2024-04", 30, "招标"],                   # returned, the same content
    ])
    assert run(path, "--user", "reporter_a") == "共 4 行：新增 0 份月报，更新 2 份，未变化 2 份。"

    for name in existing.values():
        name.refresh_from_db()
    assert (existing["submitted"].status, existing["submitted"].version) == ("SUBMITTED", 1)
    assert (existing["approved"].status, existing["approved"].version) == ("APPROVED", 1)  # not downgraded
    draft, returned = existing["draft"], existing["returned"]
    assert (draft.status, draft.investment_completed, draft.version, draft.submitted_by) == (
        "SUBMITTED", Decimal("20.00"), 2, reporter_a)
    assert (returned.status, returned.return_reason, returned.version) == ("SUBMITTED", "", 2)
    # Columns the sheet does not have are left alone.
    assert (draft.workers_on_site, draft.problems) == (50, "缺电")
    changes = {e.object_id: e.changes for e in AuditEvent.objects.filter(action="reporting.report.imported")}
    assert changes == {
        str(draft.pk): {"investment_completed": ["10.00", "20.00"], "status": ["DRAFT", "SUBMITTED"]},
        str(returned.pk): {"status": ["RETURNED", "SUBMITTED"]},
    }


def test_a_coordinator_overwrites_submitted_and_approved_reports(tmp_path, coordinator, reporter_a, existing):
    submitted = existing["submitted"]
    path = sheet(tmp_path / "a.xlsx", [
        [CODE_A, "", "", "2024-04", 150, "桩基完成", 80, ""],
        ["", "东城镇冷链物流中心", "东城镇", "2024-04", 50, "平整", 50, "缺电"],  # approved, the same: unchanged
    ], headers=ALL_HEADERS)

    assert run(path, "--user", "coordinator") == "共 2 行：新增 0 份月报，更新 1 份，未变化 1 份。"

    submitted.refresh_from_db()
    assert (submitted.status, submitted.investment_completed, submitted.progress_text, submitted.workers_on_site,
            submitted.problems, submitted.version) == ("APPROVED", Decimal("150.00"), "桩基完成", 80, "", 2)
    assert (submitted.reviewed_by, submitted.submitted_by) == (coordinator, reporter_a)
    assert AuditEvent.objects.get(action="reporting.report.imported").changes == {
        "investment_completed": ["100.00", "150.00"], "progress_text": ["桩基", "桩基完成"],
        "workers_on_site": [50, 80], "problems": ["缺电", ""], "status": ["SUBMITTED", "APPROVED"],
    }
    # Whoever still has the report open with the old version gets the conflict message on saving.
    with pytest.raises(reporting.ReportConflictError, match="该月报已被他人修改"):
        reporting.save_report(project=submitted.project, period=submitted.period, data={"progress_text": "x"},
                              by=reporter_a, expected_version=1)


def test_a_coordinator_approves_a_submitted_report_with_the_same_content(tmp_path, coordinator, existing):
    path = sheet(tmp_path / "a.xlsx", [[CODE_A, "", "", "2024-04", 100, "桩基"]])
    assert run(path, "--user", "coordinator") == "共 1 行：新增 0 份月报，更新 1 份，未变化 0 份。"
    existing["submitted"].refresh_from_db()
    assert (existing["submitted"].status, existing["submitted"].version) == ("APPROVED", 2)
    assert AuditEvent.objects.get(action="reporting.report.imported").changes == {
        "status": ["SUBMITTED", "APPROVED"]}


def test_every_row_error_is_reported_and_nothing_is_written(tmp_path, projects, april):
    Period.objects.create(month=datetime.date(2024, 3, 1), deadline=datetime.date(2024, 3, 25), status="CLOSED")
    april.delete()  # April would have to be opened: it is not, since nothing is written
    rows = [
        [CODE_A, "", "", "2024-04", 10, "x"],                                  # 3: good
        ["", "东城镇冷链物流中心", "东城镇", "2024-07", 10, "x"],                  # 4
        [CODE_A, "", "", "2024-03", 10, "x"],                                  # 5
        [CODE_A, "", "", "2024年4月", 20, "y"],                                 # 6: row 3's project and month
        [CODE_A, "", "", "四月", 10, "x"],                                      # 7
        [CODE_A, "", "", 2024.4, 10, "x"],                                     # 8
        [CODE_A, "", "", "2024-13", 10, "x"],                                  # 9
        [CODE_A, "", "", "2024-02", -1, "x"],                                  # 10
        [CODE_A, "", "", "", "", "x"],                                         # 11
        ["2024-330999-04-01-999999", "", "", "2024-04", 1, "x"],               # 12
        ["", "东城镇冷链物流中心", "东城镇", "2024-05", "1.005", "x", -3, ""],      # 13
        ["", "东城镇冷链物流中心", "东城镇", "2024-06", 1, "x", "很多", ""],         # 14
        ["", "示例：智能装备产业园项目", "东城镇", "2024-04", 650, "x"],               # 15
    ]
    path = sheet(tmp_path / "进展.xlsx", rows, headers=ALL_HEADERS, title="2024年项目进展")

    with pytest.raises(CommandError) as exc:
        run(path)

    assert str(exc.value).startswith("共 13 行，其中 12 行有错误，未导入任何数据。")
    assert not MonthlyReport.objects.exists()
    assert list(Period.objects.values_list("month", flat=True)) == [datetime.date(2024, 3, 1)]
    assert not AuditEvent.objects.filter(action__startswith="reporting.").exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error_row_count, job.progress_done, job.progress_total) == ("FAILED", 12, 13, 13)

    errors = read_rows(tmp_path / "进展.errors.xlsx", "月度进展")
    assert errors[0][0] == "2024年项目进展"
    assert errors[1] == [*ALL_HEADERS, "错误原因"]
    assert errors[7][3] == 2024.4  # the bad cell as it was
    hint = "请填写如 2024-04、2024/4 或 2024年4月 的年月"
    assert error_column(errors, header_index=1) == {
        3: "",
        4: "年月：2024年7月还没有到，不能导入未来月份的进展。",
        5: "2024年3月已关账，不能导入。",
        6: "与第 3 行是同一项目同一月份的进展，请合并为一行。",
        7: f"年月：“四月”无法识别为年月，{hint}。",
        8: f"年月：“2024.4”无法识别为年月，{hint}（请以文本填写）。",
        9: "年月：“2024-13”不是有效的年月（月份应为 1—12）。",
        10: "本月完成投资（万元）：不能为负数（-1）。",
        11: "年月不能为空。\n本月完成投资（万元）不能为空。",
        12: "找不到项目代码为 2024-330999-04-01-999999 的项目。请核对，或先通过项目台账导入该项目。",
        13: "本月完成投资（万元）：最多保留两位小数（1.005），请先在表格中四舍五入。\n施工人数：不能小于 0（-3）。",
        14: "施工人数：应填写整数（很多）。",
        15: "这是导入模板中的示例行，请改写或删除后再导入。",
    }


def test_a_closed_month_is_refused_even_when_nothing_would_change(tmp_path, coordinator, projects, april):
    path = sheet(tmp_path / "a.xlsx", [[CODE_A, "", "", "2024-04", 10, "x"]])
    run(path, "--user", "coordinator")
    reporting.close_period(period=april, by=coordinator, today=datetime.date(2024, 5, 5), reason="月末后关账")
    assert fail(path, "--user", "coordinator") == {2: "2024年4月已关账，不能导入。"}


def test_the_future_is_judged_by_the_day_given(tmp_path, projects, april):
    path = sheet(tmp_path / "a.xlsx", [[CODE_A, "", "", "2024-05", 10, "x"]])
    assert fail(path, today="2024-04-30") == {2: "年月：2024年5月还没有到，不能导入未来月份的进展。"}
    assert run(path, today="2024-05-01").startswith("共 1 行：新增 1 份月报")
    report = MonthlyReport.objects.get()
    # At the command line without --user: approved by nobody in particular, audited as the command line.
    assert (report.status, report.reviewed_by) == ("APPROVED", None)
    assert AuditEvent.objects.get(action="reporting.report.imported").actor_name == "命令行导入"


def test_a_reporter_imports_only_its_own_units_projects(tmp_path, reporter_a, projects, april):
    path = sheet(tmp_path / "a.xlsx", [
        [CODE_A, "", "", "2024-04", 1, "x"],
        ["", "西湖街道城市更新", "西湖街道", "2024-04", 1, "x"],
        [CODE_B, "", "", "2024-04", 1, "x"],
    ])
    reasons = fail(path, "--user", "reporter_a")
    assert reasons == {
        2: "",
        3: "无权导入其他单位的项目（责任单位“西湖街道”）。",
        4: f"无权导入其他单位的项目（项目代码 {CODE_B} 已被其他单位的项目使用）。",
    }
    assert "西湖街道城市更新" not in reasons[4]
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("username", ["leader", "auditor", "sysadmin"])
def test_users_without_the_right_cannot_import(progress_file, leader, auditor, sysadmin, username):
    with pytest.raises(CommandError, match=f"用户 {username} 无权导入月度进展数据"):
        run(progress_file, "--user", username)
    assert not ImportJob.objects.exists()


def test_a_bad_today_is_refused(progress_file):
    with pytest.raises(CommandError, match="--today 应为 YYYY-MM-DD 格式的日期：六月"):
        run(progress_file, today="六月")


# --- the upload page ------------------------------------------------------------------------------------

def upload(client, data: bytes, name: str):
    return client.post(reverse("imports:new"), {"kind": "PROGRESS", "file": SimpleUploadedFile(name, data)})


def test_a_reporters_upload_submits_and_a_bad_file_gives_its_error_report(
        client, reporter_a, projects, april, tmp_path, immediate_tasks, django_capture_on_commit_callbacks):
    login(client, reporter_a)
    assert '">月度进展</label>' in client.get(reverse("imports:new")).content.decode()
    good = sheet(tmp_path / "四月进展.xlsx", [[CODE_A, "", "", "2024-04", 12.5, "主体施工"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, good.read_bytes(), "四月进展.xlsx")
    page = client.get(response["Location"]).content.decode()
    assert "月度进展导入：四月进展.xlsx" in page
    assert "共 1 行：新增 1 份月报，更新 0 份，未变化 0 份。" in page
    report = MonthlyReport.objects.get()
    assert (report.status, report.submitted_by, report.investment_completed) == (
        "SUBMITTED", reporter_a, Decimal("12.50"))

    bad = sheet(tmp_path / "错误.xlsx", [[CODE_A, "", "", "2024-04", 20, "主体施工"],
                                        ["", "东城镇冷链物流中心", "东城镇", "2024-04", 5, "平整"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bad.read_bytes(), "错误.xlsx")
    assert "共 2 行，其中 1 行有错误，未导入任何数据。" in client.get(response["Location"]).content.decode()
    job = ImportJob.objects.get(original_name="错误.xlsx")
    download = client.get(reverse("imports:errors", args=[job.pk]))
    assert error_column(read_rows(b"".join(download.streaming_content), "月度进展")) == {
        2: "该月报已报送/审核，不能覆盖。", 3: ""}
    assert MonthlyReport.objects.count() == 1


def test_template_round_trip(client, coordinator, projects, tmp_path, immediate_tasks,
                             django_capture_on_commit_callbacks):
    login(client, coordinator)
    response = client.get(reverse("imports:template", args=["progress"]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = read_rows(data, "月度进展")
    assert rows[0] == ALL_HEADERS
    assert rows[1][:5] == ["", "示例：智能装备产业园项目", "市发展和改革局", "2024-04", 650]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, "模板.xlsx")
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED  # the example row is refused

    rows[1][:3] = ["", "西湖街道城市更新", "西湖街道"]
    path = sheet(tmp_path / "filled.xlsx", [rows[1]], headers=rows[0])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path.read_bytes(), "filled.xlsx")
    report = MonthlyReport.objects.get()
    assert (report.project.name, report.period.month, report.investment_completed, report.workers_on_site,
            report.status) == ("西湖街道城市更新", APRIL, Decimal("650.00"), 120, "APPROVED")
    assert Period.objects.get().status == "OPEN"  # April was opened by the import


def test_access(client, reporter_a, reporter_b, leader, progress_file):
    job = services.create_job(kind="PROGRESS", by=reporter_a, content=progress_file.open("rb"),
                              original_name="x.xlsx")
    job = services.run_import(job_id=job.pk, today=TODAY)
    assert job.error_file  # 西湖街道's row is not reporter_a's
    login(client, reporter_b)  # another unit's reporter
    for name in ("imports:detail", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    login(client, leader)  # reads everything, imports nothing
    assert client.get(reverse("imports:template", args=["progress"])).status_code == 403
    assert upload(client, progress_file.read_bytes(), "x.xlsx").status_code == 403
    login(client, reporter_a)
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert ImportJob.objects.count() == 1


# --- statements at N and 2N rows ------------------------------------------------------------------------

N = 10


def _run_counted(tmp_path, name: str, rows, by) -> tuple[ImportJob, list[str]]:
    path = sheet(tmp_path / f"{name}.xlsx", rows)
    with path.open("rb") as handle:
        job = services.create_job(kind="PROGRESS", by=by, content=handle, original_name=path.name)
    with CaptureQueriesContext(connection) as captured:
        job = services.run_import(job_id=job.pk, today=datetime.date(2024, 6, 15))
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    return job, [q["sql"] for q in captured.captured_queries]


def test_statements_at_n_and_2n_rows(tmp_path, coordinator, unit_a, unit_b, april):
    ReportingSettings.objects.create(pk=1)
    # Half the projects have a code, so both look-ups run every time: by code, then by name for the rest.
    small = [ProjectFactory(code=f"2024-330999-04-01-1{i:05d}" if i % 2 else "", unit=unit_a) for i in range(N)]
    large = [ProjectFactory(code=f"2024-330999-04-01-2{i:05d}" if i % 2 else "", unit=unit_b) for i in range(2 * N)]

    def rows(projects, month, money):
        return [[p.code, "", "", month, money, "施工中"] if p.code
                else ["", p.name, p.unit.name, month, money, "施工中"] for p in projects]

    # Into an open month: 21 statements either way: these 19, and 2 as
    # each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1 UPDATE job → RUNNING (claim)          2 SELECT job + creator      3 UPDATE job progress total
    #   4 SELECT all units                      5 SELECT the user's unit    6 SELECT its region
    #   7 SELECT unit ids in scope              8 SELECT projects by code   9 SELECT projects by name
    #  10 SELECT the file's periods            11 SELECT their reports of those periods (none yet)
    #  12 SAVEPOINT                            13 SELECT the periods … FOR UPDATE (still open)
    #  14 INSERT reports (bulk)                15 INSERT their audit events (bulk)
    #  16 UPDATE job → SUCCEEDED               17 INSERT the job's audit event
    #  18 RELEASE SAVEPOINT                    19 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n", rows(small, "2024-04", 100), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n", rows(large, "2024-04", 100), coordinator)
    assert (job_n.created_count, job_2n.created_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 21

    # The same files again: nothing changes, only the job is written. 17 statements either way:
    # these 16, and 1 as each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1–11 the reads above
    #  12 SAVEPOINT                            13 UPDATE job → SUCCEEDED   14 INSERT the job's audit event
    #  15 RELEASE SAVEPOINT                    16 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n1", rows(small, "2024-04", 100), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n1", rows(large, "2024-04", 100), coordinator)
    assert (job_n.unchanged_count, job_2n.unchanged_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 17

    # Every amount changes: 22 statements either way: these 20, and 2 as
    # each audit INSERT below follows a SELECT of the audit chain's head (issue 10).
    #   1–11 the reads above                   12 SAVEPOINT
    #  13 SELECT the periods … FOR UPDATE      14 SELECT the reports' versions … FOR UPDATE (nobody edited them)
    #  15 UPDATE reports (bulk, version + 1)   16 INSERT their audit events (bulk)
    #  17 UPDATE job → SUCCEEDED               18 INSERT the job's audit event
    #  19 RELEASE SAVEPOINT                    20 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n2", rows(small, "2024-04", 150), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n2", rows(large, "2024-04", 150), coordinator)
    assert (job_n.updated_count, job_2n.updated_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 22

    # Into a month not opened yet (May for N rows, June for 2N): 29 statements either way (these 26, and 3 as
    # each audit INSERT follows a SELECT of the audit chain's head, issue 10). The reporting
    # service opens the period (13–20), and there is no report to read (the month has none):
    #   1–9 the reads above                    10 SELECT the file's periods (none)
    #  11 SAVEPOINT                            12 SELECT the periods … FOR UPDATE (none)
    #  13 SAVEPOINT (open_period)              14 SELECT the reporting settings
    #  15 SELECT the period (get_or_create)    16 SAVEPOINT   17 INSERT the period   18 RELEASE SAVEPOINT
    #  19 INSERT its audit event               20 RELEASE SAVEPOINT (open_period)
    #  21 INSERT reports (bulk)                22 INSERT their audit events (bulk)
    #  23 UPDATE job → SUCCEEDED               24 INSERT the job's audit event
    #  25 RELEASE SAVEPOINT                    26 SELECT job (refresh)
    job_n, sql_n = _run_counted(tmp_path, "n3", rows(small, "2024-05", 100), coordinator)
    job_2n, sql_2n = _run_counted(tmp_path, "2n3", rows(large, "2024-06", 100), coordinator)
    assert (job_n.created_count, job_2n.created_count) == (N, 2 * N)
    assert len(sql_n) == len(sql_2n) == 29
    assert AuditEvent.objects.filter(action="reporting.report.imported").count() == 3 * (3 * N)
    assert AuditEvent.objects.filter(action="reporting.period.opened").count() == 2
