"""A bulletin generation whose worker died (issue 10, point 3): failed with "后台任务进程中断，请重新生成" when a
worker starts or the page is looked at, never left 正在生成; a run whose lease was taken stores nothing."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tadiao.audit.models import AuditEvent
from tadiao.bulletins import services, tasks
from tadiao.bulletins.models import Bulletin
from tadiao.lib import leases
from tests.conftest import login

NOV_5 = datetime.date(2026, 11, 5)
T0 = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def _running(bulletin, *, heartbeat_at, worker="web2:41"):
    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.RUNNING, progress=50,
                                                   progress_note="生成 Word 文档", heartbeat_at=heartbeat_at,
                                                   worker=worker)


def test_recovery_fails_an_abandoned_generation(october, coordinator):
    bulletin = services.create_bulletin(period=october, by=coordinator, today=NOV_5)
    _running(bulletin, heartbeat_at=T0 - datetime.timedelta(minutes=9))
    assert services.recover_stale_generations(now=T0, alive=lambda worker: None) == 0  # within the lease
    assert services.recover_stale_generations(now=T0, alive=lambda worker: False) == 1  # its process is gone
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.error, bulletin.percent) == ("FAILED", "后台任务进程中断，请重新生成。", 100)
    event = AuditEvent.objects.get(action="bulletins.bulletin.generated")
    assert (event.result, event.message) == ("FAILURE", "后台任务进程中断，请重新生成。")
    assert services.recover_stale_generations(now=T0, alive=lambda worker: False) == 0


def test_the_page_shows_an_abandoned_generation_failed_and_it_can_be_generated_again(october, coordinator, client):
    bulletin = services.create_bulletin(period=october, by=coordinator, today=NOV_5)
    _running(bulletin, heartbeat_at=timezone.now() - datetime.timedelta(minutes=30))
    login(client, coordinator)
    poll = client.get(reverse("bulletins:detail", args=[bulletin.pk]), headers={"HX-Request": "true"})
    assert "后台任务进程中断，请重新生成。" in poll.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.FAILED
    services.request_generation(bulletin=bulletin, expected_version=bulletin.version, by=coordinator,
                                enqueue=tasks.enqueue_generation)
    assert Bulletin.objects.get(pk=bulletin.pk).status == Bulletin.Status.QUEUED


def test_a_live_generation_is_left_alone(october, coordinator, client):
    bulletin = services.create_bulletin(period=october, by=coordinator, today=NOV_5)
    _running(bulletin, heartbeat_at=timezone.now(), worker=leases.worker_identity())
    login(client, coordinator)
    client.get(reverse("bulletins:detail", args=[bulletin.pk]), headers={"HX-Request": "true"})
    assert Bulletin.objects.get(pk=bulletin.pk).status == Bulletin.Status.RUNNING


def test_a_run_whose_lease_was_taken_stores_nothing(october, coordinator, monkeypatch):
    bulletin = services.create_bulletin(period=october, by=coordinator, today=NOV_5)
    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.QUEUED)
    draw = services.charts.draw

    def draw_then_lose_the_lease(*args, **kwargs):
        Bulletin.objects.filter(pk=bulletin.pk).update(heartbeat_at=T0 - datetime.timedelta(minutes=11))
        assert services.recover_stale_generations(now=T0, alive=lambda worker: None) == 1
        return draw(*args, **kwargs)

    monkeypatch.setattr(services.charts, "draw", draw_then_lose_the_lease)
    bulletin = services.run_generation(bulletin_id=bulletin.pk, by_id=coordinator.pk)
    assert (bulletin.status, bulletin.error, bulletin.file.name) == ("FAILED", "后台任务进程中断，请重新生成。", "")
    assert list(AuditEvent.objects.filter(action="bulletins.bulletin.generated").values_list("result", flat=True)) \
        == ["FAILURE"]
