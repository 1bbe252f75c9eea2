"""Bulletin services: drafting for a closed period, numbers unique per year, edits with versions, generation as a
task with progress, the office's settings; every write audited."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from docx import Document

from tadiao.audit.models import AuditEvent
from tadiao.bulletins import charts, services, tasks
from tadiao.bulletins.models import Bulletin, NumberSequence
from tadiao.reporting import services as reporting
from tests.bulletins.conftest import period

NOV_5 = datetime.date(2026, 11, 5)


def create(october, coordinator, today=NOV_5) -> Bulletin:
    return services.create_bulletin(period=october, by=coordinator, today=today)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_drafts_a_closed_period_with_the_next_number(october, coordinator):
    bulletin = create(october, coordinator)
    assert bulletin.doc_number == "X发改〔2026〕1号"
    assert bulletin.title == "关于2026年1—10月全县重点项目建设情况的通报"
    assert bulletin.issued_date == NOV_5 and bulletin.status == Bulletin.Status.DRAFT
    assert "开工率58.82%，较上期提高3.20个百分点" in bulletin.section_text("overall")  # September is 上期
    assert bulletin.drafted["charts"]["investment"]["months"] == [9, 10]
    assert create(october, coordinator).number == 2
    assert create(october, coordinator, today=datetime.date(2027, 1, 4)).doc_number == "X发改〔2027〕1号"
    assert actions() == ["bulletins.bulletin.created"] * 3


def test_only_closed_periods_with_a_snapshot(db, coordinator, leader):
    open_period = period("2026-11")
    with pytest.raises(services.BulletinError, match="2026年11月尚未关账"):
        services.create_bulletin(period=open_period, by=coordinator, today=NOV_5)
    open_period.status = open_period.Status.CLOSED
    open_period.save()
    with pytest.raises(services.BulletinError, match="没有指标快照"):
        services.create_bulletin(period=open_period, by=coordinator, today=NOV_5)
    with pytest.raises(services.BulletinError, match="只有调度员"):
        services.create_bulletin(period=open_period, by=leader, today=NOV_5)
    assert not Bulletin.objects.exists()


def test_the_office_sets_the_next_number_never_below_one_used(october, coordinator):
    create(october, coordinator)
    services.set_next_number(year=2026, next_number=12, by=coordinator)
    assert create(october, coordinator).doc_number == "X发改〔2026〕12号"
    with pytest.raises(services.BulletinError, match="已用到第12号"):
        services.set_next_number(year=2026, next_number=12, by=coordinator)
    assert NumberSequence.objects.get(year=2026).next_number == 13
    assert "bulletins.sequence.updated" in actions()


def test_the_database_refuses_a_second_bulletin_with_the_same_number(october, coordinator):
    bulletin = create(october, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(period=october, year=2026, number=bulletin.number, number_prefix="X发改", title="重复",
                                issued_date=NOV_5, drafted={}, created_by=coordinator)


def test_prefix_is_kept_on_the_bulletin_when_the_settings_change(october, coordinator):
    first = create(october, coordinator)
    services.update_settings(data={"number_prefix": "Y发改办", "issuer_mark": "甲", "issuer": "乙",
                                   "recipients": "丙：", "region_name": "全市"}, expected_version=0, by=coordinator)
    second = create(october, coordinator)
    first.refresh_from_db()
    assert (first.doc_number, second.doc_number) == ("X发改〔2026〕1号", "Y发改办〔2026〕2号")
    assert second.title == "关于2026年1—10月全市重点项目建设情况的通报"
    event = AuditEvent.objects.get(action="bulletins.settings.updated")
    assert event.changes["number_prefix"] == ["X发改", "Y发改办"]


def test_editing_the_text_is_versioned_and_audited(october, coordinator):
    bulletin = create(october, coordinator)
    texts = {s["key"]: s["text"] for s in bulletin.sections}
    texts["next_steps"] = "（一）抓开工。全力以赴。"
    texts["batches"] = ""
    services.update_text(bulletin=bulletin, title="关于10月重点项目的通报", issued_date=datetime.date(2026, 11, 6),
                         texts=texts, expected_version=0, by=coordinator)
    bulletin.refresh_from_db()
    assert bulletin.version == 1 and set(bulletin.edited) == {"next_steps", "batches"}  # unchanged ones not stored
    assert bulletin.section_text("next_steps") == "（一）抓开工。全力以赴。"
    event = AuditEvent.objects.get(action="bulletins.bulletin.edited")
    assert event.changes["title"] == ["关于2026年1—10月全县重点项目建设情况的通报", "关于10月重点项目的通报"]
    assert set(event.changes) == {"title", "issued_date", "section.next_steps", "section.batches"}
    with pytest.raises(services.ConcurrentEditError):
        services.update_text(bulletin=bulletin, title="别人的标题", issued_date=NOV_5, texts={}, expected_version=0,
                             by=coordinator)
    bulletin.refresh_from_db()
    assert bulletin.title == "关于10月重点项目的通报"


def test_generation_runs_as_a_task_and_stores_the_docx(october, coordinator, immediate_tasks,
                                                       django_capture_on_commit_callbacks):
    bulletin = create(october, coordinator)
    texts = {s["key"]: s["text"] for s in bulletin.sections}
    texts["next_steps"] = "（一）抓开工。全力以赴。"
    services.update_text(bulletin=bulletin, title=bulletin.title, issued_date=NOV_5, texts=texts, expected_version=0,
                         by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_generation(bulletin=bulletin, expected_version=1, by=coordinator,
                                    enqueue=tasks.enqueue_generation)
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.READY, bulletin.error
    assert bulletin.percent == 100 and bulletin.generated_at
    document = Document(bulletin.file.path)
    texts = [p.text for p in document.paragraphs]
    assert "X发改〔2026〕1号" in texts and "2026年11月5日" in texts
    assert "（一）抓开工。全力以赴。" in texts  # the coordinator's text, not the draft
    assert len(document.inline_shapes) == 2
    if services.docx_render.soffice() is None:
        assert not bulletin.pdf and bulletin.pdf_note == "服务器未安装 LibreOffice，未生成 PDF。"
    assert actions()[-2:] == ["bulletins.bulletin.generation_requested", "bulletins.bulletin.generated"]
    assert AuditEvent.objects.get(action="bulletins.bulletin.generated").actor == coordinator


def test_a_bulletin_being_generated_is_not_queued_twice(october, coordinator, django_capture_on_commit_callbacks):
    bulletin = create(october, coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_generation(bulletin=bulletin, expected_version=0, by=coordinator,
                                    enqueue=tasks.enqueue_generation)
    assert len(callbacks) == 1
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.QUEUED
    with pytest.raises(services.ConcurrentEditError):
        services.request_generation(bulletin=bulletin, expected_version=bulletin.version, by=coordinator,
                                    enqueue=tasks.enqueue_generation)
    with pytest.raises(services.ConcurrentEditError):  # no edits while it is being generated
        services.update_text(bulletin=bulletin, title="改", issued_date=NOV_5, texts={},
                             expected_version=bulletin.version, by=coordinator)


def test_without_the_cjk_font_generation_fails_with_the_reason(october, coordinator, monkeypatch):
    bulletin = create(october, coordinator)
    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.QUEUED)

    def missing(_):
        raise charts.ChartFontMissing()

    monkeypatch.setattr(charts, "draw", missing)
    result = services.run_generation(bulletin_id=bulletin.pk, by_id=coordinator.pk)
    assert result.status == Bulletin.Status.FAILED and "fonts-noto-cjk" in result.error
    event = AuditEvent.objects.get(action="bulletins.bulletin.generated")
    assert event.result == "FAILURE" and "未找到中文字体" in event.message
    assert services.run_generation(bulletin_id=bulletin.pk).status == Bulletin.Status.FAILED  # not queued: left


def test_an_uploaded_template_is_used(october, coordinator, immediate_tasks, django_capture_on_commit_callbacks):
    template = Document()
    template.add_paragraph("自定义模板 {{ doc_number }} {{ period_text }}")
    template.add_paragraph("{{p body }}")
    buffer = io.BytesIO()
    template.save(buffer)
    office = services.update_settings(data={"number_prefix": "X发改", "issuer_mark": "甲", "issuer": "乙",
                                            "recipients": "丙：", "region_name": "全县"}, expected_version=0,
                                      by=coordinator, template=buffer.getvalue(), template_name="我的模板.docx")
    assert office.template_name == "我的模板.docx"
    bulletin = create(october, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_generation(bulletin=bulletin, expected_version=0, by=coordinator,
                                    enqueue=tasks.enqueue_generation)
    bulletin.refresh_from_db()
    texts = [p.text for p in Document(bulletin.file.path).paragraphs]
    assert texts[0] == "自定义模板 X发改〔2026〕1号 2026年10月"
    assert "一、重点项目总体推进情况" in texts


def test_a_snapshot_from_really_closing_a_period(coordinator, project_a, immediate_tasks,
                                                 django_capture_on_commit_callbacks):
    """The snapshot frozen by closing a month drafts a bulletin whatever keys it carries today."""
    october = period("2026-10")
    reporting.close_period(period=october, by=coordinator, today=datetime.date(2026, 11, 5), reason="月末后关账")
    bulletin = create(october, coordinator)
    assert bulletin.sections[0]["key"] == "overall"
    assert "截至2026年10月31日，全县纳入调度的重点项目共1个" in bulletin.section_text("overall")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_generation(bulletin=bulletin, expected_version=0, by=coordinator,
                                    enqueue=tasks.enqueue_generation)
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.READY, bulletin.error
