"""Bulletin pages: the coordinator drafts, edits, generates and downloads; a leader reads (403 on every write); a
unit's reporter gets 403 everywhere. Progress is polled with htmx; query counts are flat at N and 2N."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from docx import Document

from tadiao.bulletins import services
from tadiao.bulletins.models import Bulletin
from tests.conftest import login

NOV_5 = datetime.date(2026, 11, 5)


@pytest.fixture
def bulletin(october, coordinator) -> Bulletin:
    return services.create_bulletin(period=october, by=coordinator, today=NOV_5)


def test_nav_entry_exists(client, coordinator, leader, reporter_a):
    page = login(client, coordinator).get("/bulletins/").content.decode()
    assert 'href="/bulletins/"' in page and "月度通报" in page
    assert login(client, leader).get("/bulletins/").status_code == 200
    assert login(client, reporter_a).get("/bulletins/").status_code == 403


def test_coordinator_drafts_edits_and_generates(client, october, coordinator, immediate_tasks,
                                                django_capture_on_commit_callbacks):
    login(client, coordinator)
    page = client.get("/bulletins/").content.decode()
    assert "按快照起草通报" in page and "2026年10月" in page
    response = client.post("/bulletins/new/", {"period": october.pk})
    bulletin = Bulletin.objects.get()
    assert response["Location"] == f"/bulletins/{bulletin.pk}/edit/"
    assert bulletin.issued_date == timezone.localdate() and bulletin.number == 1

    form = client.get(response["Location"]).content.decode()
    assert "开工率58.82%，较上期提高3.20个百分点" in form and "重点项目总体推进情况" in form
    data = {"title": "关于2026年1—10月重点项目建设情况的通报", "issued_date": "2026-11-05", "version": "0"}
    data.update({f"section_{s['key']}": s["text"] for s in bulletin.sections})
    data["section_attraction"] = ""  # left out: the following sections move up
    data["section_overall"] = bulletin.section_text("overall") + "\n（一）补充说明。本月新增入库项目2个。"
    assert client.post(response["Location"], data)["Location"] == f"/bulletins/{bulletin.pk}/"

    preview = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "关于2026年1—10月重点项目建设情况的通报" in preview
    assert "（一）补充说明。本月新增入库项目2个。" in preview
    assert "二、“三个一批”项目推进情况" in preview and "招商引资工作情况" not in preview.split("附件")[0]
    assert 'src="data:image/png;base64,' in preview
    assert "附件1：2026年1—10月各单位重点项目推进情况表" in preview

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bulletins/{bulletin.pk}/generate/", {"version": "1"})
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.READY
    download = client.get(f"/bulletins/{bulletin.pk}/download.docx")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    texts = [p.text for p in document.paragraphs]
    assert "（一）补充说明。本月新增入库项目2个。" in texts and "二、“三个一批”项目推进情况" in texts
    if services.docx_render.soffice() is None:
        assert client.get(f"/bulletins/{bulletin.pk}/download.pdf").status_code == 404
        assert "服务器未安装 LibreOffice，未生成 PDF。" in client.get(f"/bulletins/{bulletin.pk}/").content.decode()


def test_progress_is_polled_until_the_worker_has_generated(client, bulletin, coordinator, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    """With the configured database backend the bulletin waits in the queue until `tadiao db_worker` runs it."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/bulletins/{bulletin.pk}/generate/", {"version": "0"})
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs) == ("tadiao.bulletins.tasks.generate_bulletin_task",
                                                  {"args": [bulletin.pk, coordinator.pk], "kwargs": {}})
    poll = client.get(f"/bulletins/{bulletin.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert poll.lstrip().startswith('<div id="bulletin-status"')
    assert 'hx-trigger="every 1s"' in poll and "排队生成" in poll

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    poll = client.get(f"/bulletins/{bulletin.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in poll and "已生成" in poll and 'style="width: 100%"' in poll
    assert "下载 Word（.docx）" in poll


WRITES = [
    ("post", "/bulletins/new/"),
    ("get", "/bulletins/{pk}/edit/"),
    ("post", "/bulletins/{pk}/edit/"),
    ("post", "/bulletins/{pk}/redraft/"),
    ("post", "/bulletins/{pk}/generate/"),
    ("get", "/bulletins/settings/"),
    ("post", "/bulletins/settings/"),
    ("post", "/bulletins/settings/sequence/"),
]
READS = ["/bulletins/", "/bulletins/{pk}/", "/bulletins/settings/default-template.docx"]


@pytest.mark.parametrize(("method", "url"), WRITES)
def test_leader_reads_but_may_not_write(client, bulletin, leader, method, url):
    login(client, leader)
    response = getattr(client, method)(url.format(pk=bulletin.pk), {"period": bulletin.period_id, "version": "0"})
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.version == 0 and Bulletin.objects.count() == 1


@pytest.mark.parametrize("url", READS)
def test_leader_reads(client, bulletin, leader, url):
    assert login(client, leader).get(url.format(pk=bulletin.pk)).status_code == 200


@pytest.mark.parametrize(("method", "url"), [*WRITES, *(("get", url) for url in READS),
                                             ("get", "/bulletins/{pk}/download.docx")])
def test_reporter_gets_403(client, bulletin, reporter_a, method, url):
    login(client, reporter_a)
    assert getattr(client, method)(url.format(pk=bulletin.pk), {"version": "0"}).status_code == 403


def test_unknown_bulletin_is_404_and_a_draft_has_no_download(client, bulletin, coordinator):
    login(client, coordinator)
    assert client.get("/bulletins/999999/").status_code == 404
    assert client.get(f"/bulletins/{bulletin.pk}/download.docx").status_code == 404


def test_a_stale_edit_is_refused_with_a_message(client, bulletin, coordinator):
    login(client, coordinator)
    data = {"title": "新标题", "issued_date": "2026-11-05", "version": "7"}
    page = client.post(f"/bulletins/{bulletin.pk}/edit/", data).content.decode()
    assert "该通报已被他人修改或正在生成" in page
    bulletin.refresh_from_db()
    assert bulletin.title != "新标题"


def test_settings_page_saves_prefix_and_template_and_refuses_a_broken_template(client, coordinator):
    login(client, coordinator)
    data = {"number_prefix": "Y发改", "issuer_mark": "Y县发展和改革局文件", "issuer": "Y县发展和改革局",
            "recipients": "各镇：", "region_name": "全县", "version": "0"}
    assert client.post("/bulletins/settings/", data).status_code == 302
    template = Document()
    template.add_paragraph("{% if %}")
    buffer = io.BytesIO()
    template.save(buffer)
    buffer.seek(0)
    buffer.name = "坏模板.docx"
    page = client.post("/bulletins/settings/", {**data, "version": "1", "template_file": buffer}).content.decode()
    assert "通报模板无法使用" in page
    assert client.post("/bulletins/settings/sequence/", {"year": "2026", "next_number": "5"}).status_code == 302
    assert "value=\"5\"" in client.get("/bulletins/settings/").content.decode()


def _grow(october, coordinator, n):
    for _ in range(n):
        services.create_bulletin(period=october, by=coordinator, today=NOV_5)


# List (6): session, user, the count, the user's unit (page header), the closed months for the create form, the
# page's bulletins (period and author joined).
def test_list_queries_flat(client, october, coordinator):
    login(client, coordinator)
    _grow(october, coordinator, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/bulletins/").status_code == 200
    at_n = len(ctx.captured_queries)
    _grow(october, coordinator, 5)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/bulletins/").status_code == 200
    assert len(ctx.captured_queries) == at_n == 6
