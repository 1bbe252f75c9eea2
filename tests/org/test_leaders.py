"""Leaders: create and edit, audited; the name and title pair is unique."""

import pytest

from tadiao.org.models import Leader
from tests.factories import LeaderFactory
from tests.org.conftest import last_event

pytestmark = pytest.mark.django_db


def test_create_and_list(sys_client):
    response = sys_client.post("/org/leaders/new/", {"name": "陈明", "title": "副市长", "display_order": "2"})
    assert response.status_code == 302
    leader = Leader.objects.get(name="陈明")
    assert last_event("org.leader.created").changes["title"] == [None, "副市长"]
    body = sys_client.get("/org/leaders/").content.decode()
    assert "陈明" in body and f"/org/leaders/{leader.pk}/" in body


def test_edit_records_old_and_new(sys_client):
    leader = LeaderFactory(name="陈明", title="副市长")
    sys_client.post(f"/org/leaders/{leader.pk}/", {"name": "陈明", "title": "常务副市长", "display_order": "0"})
    event = last_event("org.leader.updated")
    assert event.changes == {"title": ["副市长", "常务副市长"], "is_active": [True, False]}


def test_duplicate_refused(sys_client):
    LeaderFactory(name="陈明", title="副市长")
    response = sys_client.post("/org/leaders/new/", {"name": "陈明", "title": "副市长", "display_order": "0"})
    assert response.status_code == 200
    assert "领导“陈明（副市长）”已存在。" in response.content.decode()
    assert Leader.objects.count() == 1
