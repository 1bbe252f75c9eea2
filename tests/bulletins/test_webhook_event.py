"""Issue "Open interfaces", point 6: a generated (published) bulletin is announced to the Webhook subscribers of
bulletin.published, in the transaction that stores its files; a failed generation announces nothing."""

import datetime
import json

from tadiao.bulletins import charts, services
from tadiao.bulletins.models import Bulletin
from tadiao.notifications import services as notifications
from tadiao.notifications.models import Outbox
from tests.webhook_receiver import Receiver, receiver_fixture, subscribe  # noqa: F401 (a fixture)

NOV_5 = datetime.date(2026, 11, 5)


def _queued(october, coordinator) -> Bulletin:
    bulletin = services.create_bulletin(period=october, by=coordinator, today=NOV_5)
    Bulletin.objects.filter(pk=bulletin.pk).update(status=Bulletin.Status.QUEUED)
    return bulletin


def test_a_generated_bulletin_is_posted(october, coordinator, receiver):
    subscribe(receiver, ["bulletin.published"])
    subscribe(receiver, ["report.approved"], name="只要月报")
    bulletin = services.run_generation(bulletin_id=_queued(october, coordinator).pk, by_id=coordinator.pk)
    assert bulletin.status == Bulletin.Status.READY, bulletin.error
    row = Outbox.objects.get()
    assert notifications.deliver_due(now=row.created_at + datetime.timedelta(seconds=1)).sent == 1
    [request] = receiver.received
    assert Receiver.signature_ok(request)
    body = json.loads(request["raw"])
    assert body["event"] == "bulletin.published" and request["headers"]["X-Tadiao-Event"] == "bulletin.published"
    assert body["data"] == {
        "bulletin_id": bulletin.pk, "doc_number": "X发改〔2026〕1号", "title": bulletin.title, "month": "2026-10",
        "issued_date": "2026-11-05", "pdf": bulletin.pdf.name != "",
    }


def test_a_failed_generation_posts_nothing(october, coordinator, receiver, monkeypatch):
    subscribe(receiver, ["bulletin.published"])

    def missing(_):
        raise charts.ChartFontMissing()

    monkeypatch.setattr(charts, "draw", missing)
    bulletin = services.run_generation(bulletin_id=_queued(october, coordinator).pk, by_id=coordinator.pk)
    assert bulletin.status == Bulletin.Status.FAILED
    assert not Outbox.objects.exists()
