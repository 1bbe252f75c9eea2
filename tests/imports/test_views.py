"""The upload page, the job page with its htmx progress poll, the error report and the templates, with the
standard actors: the owning unit's reporter, a reader (leader: 403), another unit's reporter (404)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tadiao.imports import services
from tadiao.imports.models import ImportJob
from tadiao.lib import leases
from tadiao.org.models import Unit
from tadiao.projects.models import Project
from tests.conftest import TODAY, login
from tests.imports.helpers import LEDGER_HEADERS, UNIT_HEADERS, error_column, ledger_row, read_rows, write_workbook

NEW = reverse("imports:new")


def upload(client, path, kind="LEDGER", name=None):
    data = path.read_bytes() if hasattr(path, "read_bytes") else path
    return client.post(NEW, {"kind": kind, "file": SimpleUploadedFile(name or path.name, data)})


@pytest.fixture
def good_file(tmp_path, unit_a):
    return write_workbook(tmp_path / "台账.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="东城项目", 责任单位="东城镇", 签约日期=datetime.date(2024, 3, 5), 总投资="1,200"),
    ])


@pytest.fixture
def bad_file(tmp_path, unit_a, unit_b):
    return write_workbook(tmp_path / "错误台账.xlsx", headers=LEDGER_HEADERS, rows=[
        ledger_row(项目名称="东城项目", 责任单位="东城镇"),
        ledger_row(项目名称="西湖项目", 责任单位="西湖街道"),
    ])


@pytest.mark.parametrize(("actor", "status", "kinds"), [
    ("reporter_a", 200, ["项目台账", "年度计划", "月度进展", "外出招商"]),
    ("coordinator", 200, ["项目台账", "年度计划", "月度进展", "外出招商"]),
    ("sysadmin", 200, ["单位"]),
    ("leader", 403, []),
    ("auditor", 403, []),
])
def test_upload_page_by_role(client, request, actor, status, kinds):
    login(client, request.getfixturevalue(actor))
    response = client.get(NEW)
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        slugs = {"项目台账": "ledger", "年度计划": "plans", "月度进展": "progress", "单位": "units",
                 "外出招商": "trips"}
        assert [label for label in slugs if f'">{label}</label>' in page] == kinds
        # A template to download for each kind offered, none for the others.
        assert [label for label, slug in slugs.items()
                if reverse("imports:template", args=[slug]) in page] == kinds
        assert 'src="/static/tadiao/imports.js"' in page


def test_upload_runs_the_import_in_the_background(client, reporter_a, good_file, immediate_tasks,
                                                  django_capture_on_commit_callbacks):
    login(client, reporter_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(client, good_file)
    assert len(callbacks) == 1
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    assert (job.status, job.created_by, job.original_name, job.created_count) == ("SUCCEEDED", reporter_a,
                                                                                   "台账.xlsx", 1)
    assert Project.objects.get().total_investment == 1200

    page = client.get(response["Location"]).content.decode()
    assert "共 1 行：新增 1 个项目，更新 0 个，未变化 0 个。" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    assert 'style="width: 100%"' in page


def test_upload_enqueues_the_task_for_the_worker(client, reporter_a, good_file, django_capture_on_commit_callbacks,
                                                 monkeypatch):
    """With the configured database backend the job waits in the queue until `tadiao db_worker` runs it."""
    # The worker's connection housekeeping would close the connection holding this test's transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    login(client, reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, good_file)
    job = ImportJob.objects.get()
    task = DBTaskResult.objects.get()
    # The upload's date goes with the job id: the worker judges "future months" by the day of the upload.
    assert (task.task_path, task.args_kwargs) == ("tadiao.imports.tasks.run_import_task",
                                                  {"args": [job.pk, timezone.localdate().isoformat()], "kwargs": {}})
    assert job.status == ImportJob.Status.QUEUED
    poll = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert poll.lstrip().startswith('<div id="job-status"')  # the partial only
    assert 'hx-trigger="every 1s"' in poll and "排队中" in poll

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Project.objects.filter(name="东城项目").exists()
    poll = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in poll and "成功" in poll


def test_the_progress_partial_while_running(client, reporter_a):
    # Held by this (live) process, its lease just renewed: the worker is alive.
    job = ImportJob.objects.create(kind="LEDGER", original_name="a.xlsx", created_by=reporter_a,
                                   status=ImportJob.Status.RUNNING, progress_done=200, progress_total=1000,
                                   worker=leases.worker_identity(), heartbeat_at=timezone.now())
    login(client, reporter_a)
    url = reverse("imports:detail", args=[job.pk])
    poll = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in poll
    assert 'style="width: 20%"' in poll and "已处理 200 / 1000 行" in poll and "处理中" in poll
    full = client.get(url).content.decode()
    assert "<html" in full and "a.xlsx" in full

    # Every row validated, the write running (its progress is inside its transaction): the page says so.
    ImportJob.objects.filter(pk=job.pk).update(progress_done=1000)
    poll = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "已校验全部 1000 行，正在写入……" in poll and "已处理" not in poll


def test_a_bad_file_gives_a_downloadable_error_report(client, reporter_a, bad_file, immediate_tasks,
                                                      django_capture_on_commit_callbacks):
    login(client, reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bad_file)
    assert not Project.objects.exists()
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "共 2 行，其中 1 行有错误，未导入任何数据。" in page
    errors_url = reverse("imports:errors", args=[job.pk])
    assert errors_url in page

    download = client.get(errors_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E9%94%99%E8%AF%AF%E5%8F%B0%E8%B4%A6-" in download["Content-Disposition"]  # 错误台账-…
    reasons = error_column(read_rows(b"".join(download.streaming_content), "项目"))
    assert reasons == {2: "", 3: "无权导入其他单位的项目（责任单位“西湖街道”）。"}


def test_a_job_is_visible_to_its_creator_only(client, reporter_a, reporter_b, coordinator, leader, bad_file):
    job = services.create_job(kind="LEDGER", by=reporter_a, content=bad_file.open("rb"), original_name="x.xlsx")
    services.run_import(job_id=job.pk, today=TODAY)
    for other in (reporter_b, coordinator, leader):
        login(client, other)
        for name in ("imports:detail", "imports:errors"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
    login(client, reporter_a)
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 200


@pytest.mark.parametrize(("name", "content", "message"), [
    ("台账.xlsm", None, "不接受启用宏的工作簿（.xlsm）"),
    ("台账.xlsx", "项目名称,责任单位\n".encode(), "不是有效的 .xlsx 文件"),
    ("台账.csv", b"a,b", "只接受 Excel 工作簿（.xlsx）"),
])
def test_the_gate_refuses_before_storing(client, reporter_a, good_file, name, content, message):
    login(client, reporter_a)
    response = upload(client, content or good_file.read_bytes(), name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_gate_refuses_an_oversize_file(client, reporter_a, good_file, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    login(client, reporter_a)
    response = upload(client, good_file)
    assert "文件过大" in response.content.decode()
    assert "最大允许 1 KB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_kind_the_user_may_not_run_is_refused(client, reporter_a, good_file):
    login(client, reporter_a)
    response = upload(client, good_file, kind="UNITS")
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_ledger_template_round_trip(client, reporter_a, coordinator, tmp_path, immediate_tasks,
                                   django_capture_on_commit_callbacks):
    login(client, reporter_a)
    response = client.get(reverse("imports:template", args=["ledger"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = b"".join(response.streaming_content)
    rows = read_rows(data, "项目")
    assert rows[0] == [*LEDGER_HEADERS, "项目单位（投资企业）", "建设内容", "三个一批"]
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["责任单位"] == "东城镇"  # the reporter's own unit
    assert example["签约日期"] == datetime.date(2024, 3, 5)
    assert read_rows(data, "说明")[0] == ["项目", "说明"]

    # Uploaded as it is, the example row is refused rather than imported.
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, name="模板.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert not Project.objects.exists()

    # With the example row rewritten, the template imports — by the office: the example is a started project, and
    # a new project has no approvals recorded, so a reporter may not import it at 开工 (issue 15 ③, the rule of the
    # stage form; this test imported it as the reporter before).
    rows[1][0] = "东城镇新材料项目"
    path = write_workbook(tmp_path / "filled.xlsx", headers=rows[0], rows=[rows[1]])
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path)
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJob.Status.FAILED
    reasons = error_column(read_rows(b"".join(client.get(reverse("imports:errors", args=[job.pk])).streaming_content),
                                     "项目"))
    assert reasons[2].startswith("不能导入为开工：开工前须办结的前期手续未办结：用地规划许可（未办结）、")
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, path)
    project = Project.objects.get()
    assert (project.name, project.investor, project.stage) == ("东城镇新材料项目", "某某智能装备有限公司", "STARTED")
    assert sorted(project.tags.values_list("name", flat=True)) == ["招商引资", "智能化改造"]


@pytest.mark.parametrize(("actor", "kind", "status"), [
    ("reporter_a", "units", 403), ("leader", "ledger", 403), ("sysadmin", "units", 200),
    ("coordinator", "ledger", 200), ("coordinator", "nothing", 404),
    ("reporter_a", "plans", 200), ("reporter_a", "progress", 200), ("leader", "plans", 403),
    ("leader", "progress", 403), ("sysadmin", "plans", 403), ("sysadmin", "progress", 403),
])
def test_template_access(client, request, actor, kind, status):
    login(client, request.getfixturevalue(actor))
    assert client.get(reverse("imports:template", args=[kind])).status_code == status


def test_system_administrator_imports_units(client, sysadmin, tmp_path, immediate_tasks,
                                            django_capture_on_commit_callbacks):
    path = write_workbook(tmp_path / "单位.xlsx", sheet="单位", headers=UNIT_HEADERS,
                          rows=[["南山镇", "乡镇", 330999, 3]])
    login(client, sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path, kind="UNITS")
    assert response.status_code == 302
    assert Unit.objects.get(name="南山镇").display_order == 3
    assert "新增 1 个单位" in client.get(response["Location"]).content.decode()
    assert "南山镇" not in client.get(NEW).content.decode()  # the list shows files, not contents
    assert "单位.xlsx" in client.get(NEW).content.decode()


def test_the_template_download_needs_login(client, db):
    response = client.get(reverse("imports:template", args=["ledger"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_upload_page_chooses_a_kind_and_says_what_is_missing(client, coordinator, sysadmin, good_file):
    """Issue 15, point 8: without a chosen kind the page did nothing. The kind is preselected, and a form sent
    without one (or without a file) comes back with a Chinese message, nothing stored."""
    login(client, coordinator)
    page = client.get(NEW).content.decode()
    assert 'value="PROGRESS" checked' in page  # the monthly progress, what units import every month
    assert page.count(" checked") == 1 and " required" not in page and "novalidate" in page
    response = client.post(NEW, {"file": SimpleUploadedFile(good_file.name, good_file.read_bytes())})
    assert response.status_code == 200
    message = "请选择导入内容（项目台账、年度计划、月度进展等）后再上传。"
    assert f'<div class="text-danger small" id="kind-error">{message}</div>' in response.content.decode()
    response = client.post(NEW, {"kind": "LEDGER"})
    assert "请选择要上传的 Excel 文件（.xlsx）。" in response.content.decode()
    assert not ImportJob.objects.exists()
    login(client, sysadmin)  # offered only 单位: that one
    assert 'value="UNITS" checked' in client.get(NEW).content.decode()
