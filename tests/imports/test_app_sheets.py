"""Sheets owned by other apps, through the same importer: 外出招商 uploaded on the import page (job, progress,
error workbook, all or nothing), by `tadiao import_trips`, and its downloadable template."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tadiao.attraction.models import Trip
from tadiao.audit.models import AuditEvent
from tadiao.imports.models import ImportJob
from tests.conftest import login
from tests.imports.helpers import error_column, read_rows, write_workbook
from tests.imports.test_views import upload

D = datetime.date
TRIP_HEADERS = ["单位", "出发日期", "返回日期", "带队领导", "职级", "目的地", "拜访企业", "取得成果"]


def _trip_file(tmp_path, *rows, name="外出招商.xlsx"):
    return write_workbook(
        tmp_path / name, headers=TRIP_HEADERS, rows=list(rows), sheet="外出招商", title="2026年外出招商登记表"
    )


GOOD = [
    [
        "东城镇",
        D(2026, 3, 10),
        "2026/3/12",
        "王建国",
        "正处级",
        "浙江省宁波市",
        "宁波某智能装备有限公司",
        "达成意向 1 个",
    ],
    ["东城镇", "2026年4月2日", D(2026, 4, 3), "李明", "科级", "上海市", "", ""],
]


def test_trips_upload_imports_all_rows_in_the_background(
    client, reporter_a, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    login(client, reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, _trip_file(tmp_path, *GOOD), kind="TRIPS")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    assert job.status == ImportJob.Status.SUCCEEDED, job.summary
    assert job.summary == "共 2 行：新增 2 次外出招商，更新 0 次，未变化 0 次。"
    assert (job.progress_done, job.progress_total) == (2, 2)
    trips = list(Trip.objects.order_by("departure_date"))
    assert [(t.unit.name, t.departure_date, t.return_date, t.leading_cadre, t.get_rank_display()) for t in trips] == [
        ("东城镇", D(2026, 3, 10), D(2026, 3, 12), "王建国", "处级"),
        ("东城镇", D(2026, 4, 2), D(2026, 4, 3), "李明", "科级"),
    ]
    assert AuditEvent.objects.filter(action="imports.trips.imported", result="SUCCESS").count() == 1
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "新增 2 次外出招商" in page


def test_a_bad_trip_row_writes_nothing_and_returns_an_error_workbook(
    client, reporter_a, unit_b, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    login(client, reporter_a)
    rows = [*GOOD, ["西湖街道", D(2026, 5, 1), D(2026, 4, 30), "赵六", "处级", "深圳市", "", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, _trip_file(tmp_path, *rows), kind="TRIPS")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary.startswith("共 3 行，其中 1 行有错误，未导入任何数据。")
    assert not Trip.objects.exists()
    response = client.get(reverse("imports:errors", args=[job.pk]))
    errors = error_column(read_rows(b"".join(response.streaming_content), "外出招商"), header_index=1)
    # The reporter may import only its own unit; the dates are out of order too. Line 1 is the title.
    assert errors[5] == (
        "单位“西湖街道”不存在或不在您的管理范围内。\n返回日期（2026-04-30）不能早于出发日期（2026-05-01）。"
    )
    assert errors[3] == errors[4] == ""


def test_import_trips_command_and_reimport_changes_nothing(tmp_path, unit_a):
    path = _trip_file(tmp_path, *GOOD)
    out = []
    for _ in range(2):
        from io import StringIO

        buffer = StringIO()
        call_command("import_trips", str(path), stdout=buffer)
        out.append(buffer.getvalue().strip())
    assert out == [
        "共 2 行：新增 2 次外出招商，更新 0 次，未变化 0 次。",
        "共 2 行：新增 0 次外出招商，更新 0 次，未变化 2 次。",
    ]
    assert Trip.objects.count() == 2
    with pytest.raises(CommandError, match="缺少表头：目的地"):
        bad = write_workbook(
            tmp_path / "缺列.xlsx",
            headers=[h for h in TRIP_HEADERS if h != "目的地"],
            rows=[[c for i, c in enumerate(GOOD[0]) if i != 5]],
            sheet="外出招商",
        )
        call_command("import_trips", str(bad))


def test_trip_template_downloads_and_its_example_row_is_refused(
    client, reporter_a, tmp_path, immediate_tasks, django_capture_on_commit_callbacks
):
    login(client, reporter_a)
    response = client.get(reverse("imports:template", args=["trips"]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = read_rows(data, "外出招商")
    assert rows[0] == [*TRIP_HEADERS, "下一步工作"]
    assert rows[1][0] == "示例：东城镇"
    assert [r[0] for r in read_rows(data, "说明")][:2] == ["项目", "总体"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, kind="TRIPS", name="模板.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and not Trip.objects.exists()


@pytest.mark.parametrize(("actor", "status"), [("leader", 403), ("sysadmin", 403), ("auditor", 403)])
def test_who_may_not_import_trips(client, request, actor, status, tmp_path, unit_a):
    login(client, request.getfixturevalue(actor))
    assert client.get(reverse("imports:template", args=["trips"])).status_code == status
    response = upload(client, _trip_file(tmp_path, *GOOD), kind="TRIPS")
    assert response.status_code in (200, 403)
    assert not ImportJob.objects.exists()
